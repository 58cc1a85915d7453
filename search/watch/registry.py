"""The feeds `newsroom watch` polls, and each one's state, in `<alias>-feeds`.

The state (ETag, Last-Modified, when to poll next, failures in a row) lives with the feed, so
a watcher that restarts carries on where it stopped: it asks conditionally and is answered 304
for what it saw, and the items it indexed keep their ids, so nothing is indexed twice.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from opensearchpy import NotFoundError, OpenSearch
from pydantic import BaseModel, Field, computed_field

from search.index.schema import drop, ensure_index

#: Failures in a row after which a feed is shown as failing (it is still polled, less often).
FAILING_AFTER: Final = 3
#: Longest wait between polls of a feed that keeps failing.
MAX_BACKOFF: Final = timedelta(hours=6)
MIN_INTERVAL_S: Final = 60

FeedStatus = Literal["ok", "failing"]


class FeedIn(BaseModel):
    """A feed to watch."""

    url: str = Field(..., min_length=8, max_length=2000, description="An RSS or Atom feed URL.")
    interval_s: int = Field(
        900, ge=MIN_INTERVAL_S, le=86_400, description="Seconds between polls (a tenth of jitter)."
    )


class Feed(FeedIn):
    """A watched feed and where it stands."""

    id: str
    created_at: datetime
    next_poll_at: datetime
    last_polled_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: str | None = None
    items_indexed: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> FeedStatus:
        """`failing` after three failed polls in a row, until one succeeds."""
        return "failing" if self.failures >= FAILING_AFTER else "ok"


def feeds_alias(articles_alias: str) -> str:
    return f"{articles_alias}-feeds"


def feed_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:32]


def ensure_feeds(client: OpenSearch, articles_alias: str) -> None:
    ensure_index(client, feeds_alias(articles_alias), "feeds")


def drop_feeds(client: OpenSearch, articles_alias: str) -> None:
    drop(client, feeds_alias(articles_alias))


def save(client: OpenSearch, articles_alias: str, feed: Feed) -> Feed:
    client.index(
        index=feeds_alias(articles_alias),
        id=feed.id,
        body=feed.model_dump(mode="json"),
        refresh="wait_for",
    )
    return feed


def add(client: OpenSearch, articles_alias: str, asked: FeedIn) -> Feed:
    """Watch a feed (again: adding a URL twice keeps one feed, with the new interval)."""
    ensure_feeds(client, articles_alias)
    now = datetime.now(UTC)
    known = get(client, articles_alias, feed_id(asked.url))
    if known is not None:
        return save(
            client, articles_alias, known.model_copy(update={"interval_s": asked.interval_s})
        )
    feed = Feed(
        url=asked.url, interval_s=asked.interval_s, id=feed_id(asked.url), created_at=now,
        next_poll_at=now,
    )  # fmt: skip
    return save(client, articles_alias, feed)


def get(client: OpenSearch, articles_alias: str, found_id: str) -> Feed | None:
    try:
        found = client.get(index=feeds_alias(articles_alias), id=found_id)
    except NotFoundError:
        return None
    return Feed.model_validate(found["_source"])


def remove(client: OpenSearch, articles_alias: str, found_id: str) -> bool:
    try:
        client.delete(index=feeds_alias(articles_alias), id=found_id, refresh="wait_for")
    except NotFoundError:
        return False
    return True


def listed(client: OpenSearch, articles_alias: str) -> list[Feed]:
    try:
        raw = client.search(
            index=feeds_alias(articles_alias),
            body={"size": 10_000, "sort": [{"url": "asc"}]},
        )
    except NotFoundError:
        return []
    return [Feed.model_validate(hit["_source"]) for hit in raw["hits"]["hits"]]


def due(client: OpenSearch, articles_alias: str, now: datetime) -> list[Feed]:
    """The feeds whose next poll is now or past, longest waiting first."""
    try:
        raw = client.search(
            index=feeds_alias(articles_alias),
            body={
                "size": 10_000,
                "query": {"range": {"next_poll_at": {"lte": now.isoformat()}}},
                "sort": [{"next_poll_at": "asc"}],
            },
        )
    except NotFoundError:
        return []
    return [Feed.model_validate(hit["_source"]) for hit in raw["hits"]["hits"]]


def next_due(client: OpenSearch, articles_alias: str) -> datetime | None:
    """When the next feed is due, if any feed is watched."""
    try:
        raw = client.search(
            index=feeds_alias(articles_alias),
            body={"size": 1, "sort": [{"next_poll_at": "asc"}], "_source": ["next_poll_at"]},
        )
    except NotFoundError:
        return None
    hits = raw["hits"]["hits"]
    return datetime.fromisoformat(hits[0]["_source"]["next_poll_at"]) if hits else None
