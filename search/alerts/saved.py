"""Saved searches: a journalist's search kept as a percolator query, owned by the key that saved it.

Each is a document of `<alias>-saved-searches`, whose mapping is the articles' own plus the
percolator field (a query is parsed against the fields it will meet), holding the search as asked
and as one query (`builder.match_query`: text, dates, exclusions and selections together, a
facet in `all_of` requiring every one of its values). New articles are matched against all of
them at ingest (search.alerts.matching); what matched is kept in `<alias>-alert-matches`, read
by the saved search's Atom feed at an unguessable URL.

The owner is a digest of the API key, never the key: a key sees and deletes only its own.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any, Final, Self

from opensearchpy import NotFoundError, OpenSearch
from pydantic import BaseModel, Field, ValidationError, model_validator

from search.alerts.targets import check_url
from search.fields import FacetName
from search.index.schema import drop, ensure_index
from search.query.builder import match_query
from search.query.request import SearchRequest

#: Saved searches listed for one key at most (the setting `saved_searches_per_key` is lower).
MAX_PER_OWNER: Final = 10_000


class SavedSearchIn(BaseModel):
    """A search to keep: the same text, filters, exclusions and dates as `/v1/search`."""

    name: str = Field(
        ..., min_length=1, max_length=200, description="What the journalist calls it."
    )
    q: str = Field("", max_length=2000, description="Query in the newsroom syntax.")
    filters: dict[FacetName, list[str]] = Field(default_factory=dict)
    exclusions: dict[FacetName, list[str]] = Field(default_factory=dict)
    all_of: list[FacetName] = Field(
        default_factory=list,
        description="Facets whose `filters` values are all required (AND), as in `/v1/search`.",
    )
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    webhook: str | None = Field(
        None,
        max_length=2000,
        description="An http(s) URL to POST each batch of new matches to, signed (see README).",
    )

    @model_validator(mode="after")
    def _a_valid_search(self) -> Self:
        try:
            self.request()
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"]) from None
        return self

    def request(self) -> SearchRequest:
        """The search it keeps, validated as `/v1/search` validates it."""
        return SearchRequest(
            q=self.q,
            filters=self.filters,
            exclusions=self.exclusions,
            all_of=self.all_of,
            date_from=self.date_from,
            date_to=self.date_to,
        )


class SavedSearch(SavedSearchIn):
    """A saved search as stored; `feed` is its Atom feed, readable by whoever has the link."""

    id: str
    created_at: datetime
    feed: str = Field(description="Path of the Atom feed of its matches (an unguessable URL).")
    webhook_disabled: bool = Field(False, description="Switched off after repeated failures.")
    webhook_secret: str | None = Field(
        None,
        description="Only in the answer that saved it: the key the webhook's signatures use.",
    )


class SavedSearchMatch(BaseModel):
    """An article a saved search matched when it was indexed (one per story: copies of it in
    the same near-duplicate cluster are not matched again)."""

    article_id: str
    cluster_id: str
    matched_at: datetime
    title: str = ""
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None


class SavedSearchNotFound(LookupError):
    """No saved search of this owner has the id."""


class TooManySaved(Exception):
    """The owner keeps as many saved searches as one may."""


def saved_alias(articles_alias: str) -> str:
    return f"{articles_alias}-saved-searches"


def matches_alias(articles_alias: str) -> str:
    return f"{articles_alias}-alert-matches"


def owner_of(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()[:32]


def feed_path(token: str) -> str:
    return f"/v1/saved-searches/feeds/{token}"


def deliveries_alias(articles_alias: str) -> str:
    return f"{articles_alias}-alert-deliveries"


def ensure_saved(client: OpenSearch, articles_alias: str) -> None:
    ensure_index(client, saved_alias(articles_alias), "saved_searches")
    ensure_index(client, matches_alias(articles_alias), "alert_matches")
    ensure_index(client, deliveries_alias(articles_alias), "alert_deliveries")


def drop_saved(client: OpenSearch, articles_alias: str) -> None:
    drop(client, saved_alias(articles_alias))
    drop(client, matches_alias(articles_alias))
    drop(client, deliveries_alias(articles_alias))


def _shape(source: dict[str, Any], *, with_secret: bool = False) -> SavedSearch:
    return SavedSearch.model_validate(
        {
            **source["request"],
            "id": source["saved_id"],
            "created_at": source["created_at"],
            "feed": feed_path(source["feed_token"]),
            "webhook_disabled": bool(source.get("webhook_disabled")),
            "webhook_secret": source.get("webhook_secret") if with_secret else None,
        }
    )


def create(
    client: OpenSearch,
    articles_alias: str,
    owner: str,
    asked: SavedSearchIn,
    *,
    limit: int = MAX_PER_OWNER,
    allow_private: bool = False,
    visible: bool = True,
) -> SavedSearch:
    """Store the search and its percolator query; raises what an invalid query raises.
    `visible=False` skips waiting for the next refresh (a bulk of them, refreshed after)."""
    query = match_query(asked.request())  # a syntax error is the caller's 400, before any write
    if asked.webhook:
        check_url(asked.webhook, allow_private=allow_private)
    ensure_saved(client, articles_alias)
    owned = client.count(
        index=saved_alias(articles_alias), body={"query": {"term": {"owner": owner}}}
    )
    if int(owned["count"]) >= min(limit, MAX_PER_OWNER):
        raise TooManySaved(f"A key keeps at most {limit} saved searches; delete some first.")
    saved_id = uuid.uuid4().hex
    doc = {
        "saved_id": saved_id,
        "owner": owner,
        "name": asked.name,
        "request": asked.model_dump(mode="json"),
        "feed_token": secrets.token_urlsafe(24),
        "created_at": datetime.now(UTC).isoformat(),
        "percolator": query,
    }
    if asked.webhook:
        doc.update(webhook=asked.webhook, webhook_secret=secrets.token_hex(32))
    refresh = "wait_for" if visible else "false"
    client.index(index=saved_alias(articles_alias), id=saved_id, body=doc, refresh=refresh)
    return _shape(doc, with_secret=True)


def mine(client: OpenSearch, articles_alias: str, owner: str) -> list[SavedSearch]:
    """The owner's saved searches, newest first."""
    try:
        raw = client.search(
            index=saved_alias(articles_alias),
            body={
                "size": MAX_PER_OWNER,
                "query": {"term": {"owner": owner}},
                "sort": [{"created_at": "desc"}],
                "_source": {"excludes": ["percolator", "webhook_secret"]},
            },
        )
    except NotFoundError:
        return []
    return [_shape(hit["_source"]) for hit in raw["hits"]["hits"]]


def _stored(client: OpenSearch, articles_alias: str, saved_id: str) -> dict[str, Any] | None:
    try:
        found = client.get(
            index=saved_alias(articles_alias),
            id=saved_id,
            _source_excludes="percolator,webhook_secret",
        )
    except NotFoundError:
        return None
    source: dict[str, Any] = found["_source"]
    return source


def get(client: OpenSearch, articles_alias: str, owner: str, saved_id: str) -> SavedSearch:
    source = _stored(client, articles_alias, saved_id)
    if source is None or source["owner"] != owner:
        raise SavedSearchNotFound(saved_id)
    return _shape(source)


def delete(client: OpenSearch, articles_alias: str, owner: str, saved_id: str) -> None:
    """Remove the saved search and what it matched."""
    get(client, articles_alias, owner, saved_id)
    client.delete(index=saved_alias(articles_alias), id=saved_id, refresh="wait_for")
    client.delete_by_query(
        index=matches_alias(articles_alias),
        body={"query": {"term": {"saved_id": saved_id}}},
        params={"refresh": "true", "conflicts": "proceed"},
    )


def by_feed_token(client: OpenSearch, articles_alias: str, token: str) -> SavedSearch | None:
    try:
        raw = client.search(
            index=saved_alias(articles_alias),
            body={
                "size": 1,
                "query": {"term": {"feed_token": token}},
                "_source": {"excludes": ["percolator", "webhook_secret"]},
            },
        )
    except NotFoundError:
        return None
    hits = raw["hits"]["hits"]
    return _shape(hits[0]["_source"]) if hits else None


def matched(
    client: OpenSearch, articles_alias: str, saved_id: str, size: int = 50
) -> list[SavedSearchMatch]:
    """What the saved search matched, latest first."""
    try:
        raw = client.search(
            index=matches_alias(articles_alias),
            body={
                "size": size,
                "query": {"term": {"saved_id": saved_id}},
                "sort": [{"matched_at": "desc"}, {"article_id": "asc"}],
            },
        )
    except NotFoundError:
        return []
    return [SavedSearchMatch.model_validate(hit["_source"]) for hit in raw["hits"]["hits"]]
