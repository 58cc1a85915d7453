"""`newsroom watch`: poll the feeds that are due, index their new items, schedule the next poll.

Per feed and poll: one conditional GET (304: nothing new); the entries parsed as `ingest` parses
a feed file; entries indexed already (by their stable ids) are left alone (nothing is fetched
or indexed twice, across restarts too); an entry that carries only a summary gets its linked
page fetched and extracted as `ingest` extracts HTML, keeping the feed's title, date and
source; the new items go through the ingest pipeline (entities, copies, saved searches and
their webhooks). Then the feed's validators and next poll are saved: its interval with a tenth
of jitter after a success; after a failure the interval doubled per failure in a row (at most
six hours), and after three in a row the feed shows as failing until it answers again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from opensearchpy import OpenSearch

from search.index.client import sync_client
from search.ingest.prepare import article_id
from search.ingest.readers import ReadError
from search.ingest.readers.feeds import parse_feed
from search.ingest.readers.html import parse_html
from search.ingest.run import ingest_records
from search.models import RawRecord
from search.settings import Settings
from search.watch import registry
from search.watch.fetch import FetchFailed, fetch
from search.watch.registry import MAX_BACKOFF, Feed

log = logging.getLogger(__name__)
#: An entry with less text than this is taken for a summary, and its page is fetched.
SUMMARY_CHARS: Final = 400
#: Longest sleep between looks at the schedule (a feed added meanwhile waits no longer).
MAX_SLEEP_S: Final = 30.0


@dataclass
class PollReport:
    """What one pass over the due feeds did."""

    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    indexed: int = 0
    pages_fetched: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def next_poll(feed: Feed, now: datetime, *, failed: bool, rng: random.Random) -> datetime:
    """When to poll the feed again (pure but for `rng`)."""
    if failed:
        wait = min(timedelta(seconds=feed.interval_s * 2 ** (feed.failures + 1)), MAX_BACKOFF)
        return now + wait
    jitter = rng.uniform(-0.1, 0.1) * feed.interval_s
    return now + timedelta(seconds=feed.interval_s + jitter)


def _already_indexed(client: OpenSearch, index: str, records: list[RawRecord]) -> set[str]:
    """Locations of the records whose article is in the index already (by the id the ingest
    gives them: the feed's own entry id or link, under the feed's name)."""
    ids = {article_id(r, r.source, ""): r.location for r in records if r.id or r.url}
    if not ids:
        return set()
    found = client.mget(index=index, body={"ids": list(ids)}, _source=False)
    return {ids[doc["_id"]] for doc in found["docs"] if doc.get("found")}


class Watcher:
    """Polls the due feeds of one index; `poll_once` is one pass, `run` loops."""

    def __init__(
        self,
        settings: Settings,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self._settings = settings
        self._client = sync_client(settings)
        self._now = now
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._timeout_s = timeout_s
        registry.ensure_feeds(self._client, settings.index)

    def poll_once(self) -> PollReport:
        report = PollReport()
        for feed in registry.due(self._client, self._settings.index, self._now()):
            self._poll(feed, report)
        return report

    def run(self, *, stop: Callable[[], bool] = lambda: False) -> None:
        """Poll forever (until `stop`), sleeping until the next feed is due."""
        while not stop():
            report = self.poll_once()
            if report.polled:
                log.info("watch: %s", report)
            upcoming = registry.next_due(self._client, self._settings.index)
            wait = MAX_SLEEP_S
            if upcoming is not None:
                wait = min(MAX_SLEEP_S, max(1.0, (upcoming - self._now()).total_seconds()))
            time.sleep(wait)

    def _poll(self, feed: Feed, report: PollReport) -> None:
        report.polled += 1
        now = self._now()
        try:
            answer = fetch(
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                allow_private=self._settings.allow_private_urls,
                timeout_s=self._timeout_s,
            )
            if answer.status == 304:
                report.not_modified += 1
                indexed = 0
            else:
                indexed = self._take(answer.body, feed, report)
        except (FetchFailed, MalformedFeed) as exc:
            report.failed += 1
            report.errors[feed.url] = str(exc)
            failures = feed.failures + 1
            changed = feed.model_copy(
                update={
                    "failures": failures,
                    "last_error": str(exc)[:2000],
                    "last_polled_at": now,
                    "next_poll_at": next_poll(feed, now, failed=True, rng=self._rng),
                }
            )
            registry.save(self._client, self._settings.index, changed)
            return
        report.indexed += indexed
        changed = feed.model_copy(
            update={
                "etag": answer.etag or feed.etag,
                "last_modified": answer.last_modified or feed.last_modified,
                "failures": 0,
                "last_error": None,
                "last_polled_at": now,
                "next_poll_at": next_poll(feed, now, failed=False, rng=self._rng),
                "items_indexed": feed.items_indexed + indexed,
            }
        )
        registry.save(self._client, self._settings.index, changed)

    def _take(self, body: bytes, feed: Feed, report: PollReport) -> int:
        """Index the feed's new entries; returns how many were indexed."""
        entries = list(parse_feed(body, feed.url))
        errors = [e for e in entries if isinstance(e, ReadError)]
        records = [e for e in entries if isinstance(e, RawRecord)]
        if errors and not records:
            raise MalformedFeed(errors[0].reason)
        seen = _already_indexed(self._client, self._settings.index, records)
        fresh = [self._complete(r, report) for r in records if r.location not in seen]
        if not fresh:
            return 0
        dead_letter = self._settings.dead_letter_dir / f"watch-{feed.id[:8]}.ndjson"
        summary, _ = ingest_records(self._settings, fresh, dead_letter=dead_letter)
        return summary.indexed + summary.updated

    def _complete(self, record: RawRecord, report: PollReport) -> RawRecord:
        """The entry with its page's text when the feed gave only a summary."""
        if len(record.body or "") >= SUMMARY_CHARS or not record.url:
            return record
        try:
            page = fetch(
                record.url,
                allow_private=self._settings.allow_private_urls,
                timeout_s=self._timeout_s,
            )
        except FetchFailed as exc:
            log.info("page of %s not fetched, its summary is kept: %s", record.url, exc)
            return record
        report.pages_fetched += 1
        found = parse_html(page.body, location=record.location, url=record.url)
        if isinstance(found, ReadError) or len(found.body) <= len(record.body or ""):
            return record
        return record.model_copy(update={"body": found.body})


class MalformedFeed(Exception):
    """The answer is not a feed that can be read."""
