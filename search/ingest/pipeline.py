"""The ingest path, composed: read -> prepare -> enrich -> dedupe -> bulk. The only place that
knows the order of the steps."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

from search.entities.resolver import Resolver, with_entities
from search.index.bulk import (
    BulkDoc,
    BulkPolicy,
    BulkWriter,
    existing_ids_by_hash,
    stored_sources,
)
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import EnrichInput, Enrichment
from search.ingest.prepare import Defaults, Rejection, prepare
from search.ingest.readers import ReadError
from search.models import Article, RawRecord

log = logging.getLogger(__name__)
BATCH = 256
#: Content hashes of the run kept in memory, the most recent ones: enough to cover what the
#: index cannot show yet (written less than a refresh ago); older ones the index lookup finds.
SEEN_HASHES = 100_000
#: A lone UTF-16 surrogate: JSON can spell one (`"\ud800"`, e.g. an emoji cut in half) and a
#: non-UTF-8 file name decodes to one, but no UTF-8 text can hold it, so hashing, indexing or
#: writing a dead letter would raise and end the whole run.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class ArticleEnricher(Protocol):
    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]: ...


@dataclass
class IngestSummary:
    """What a run did, in the words of the issue: nothing lost, nothing hidden."""

    read: int = 0
    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    dead_letter: str | None = None
    duplicate_examples: list[dict[str, str]] = field(default_factory=list)
    reached_opensearch: bool = False
    #: What the archive-wide consolidation after the run did (short forms merged, ambiguous).
    entities: dict[str, int] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return self.indexed + self.updated + self.unchanged

    @property
    def docs_per_s(self) -> float:
        return round(self.read / self.seconds, 1) if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(self.rejected),
            "warnings": dict(self.warnings),
            "seconds": round(self.seconds, 2),
            "docs_per_s": self.docs_per_s,
            "dead_letter": self.dead_letter,
            "duplicate_examples": self.duplicate_examples,
            "entities": dict(self.entities),
        }


def apply_enrichment(article: Article, found: Enrichment) -> Article:
    """The article with its extracted entities (not yet resolved to identities) and dates."""
    return with_entities(article, found.entities).model_copy(
        update={
            "dates_mentioned": found.dates_mentioned,
            "date_mentions": found.date_mentions,
            "entities_status": found.status,
        }
    )


def encodable(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD, as a lenient UTF-8 decoder would."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def repair_surrogates(raw: RawRecord) -> RawRecord | None:
    """A copy of the record whose text fields UTF-8 can encode, or None if they all could."""
    updates: dict[str, Any] = {}
    for name, value in raw:
        if isinstance(value, str) and _LONE_SURROGATE.search(value):
            updates[name] = encodable(value)
        elif isinstance(value, list) and any(_LONE_SURROGATE.search(v) for v in value):
            updates[name] = [encodable(v) for v in value]
    return raw.model_copy(update=updates) if updates else None


#: What makes a stored article the same as a freshly read one (entities follow from the text).
COMPARED_FIELDS = (
    "content_hash", "title", "url", "source", "byline", "published_at", "published_at_raw",
    "language", "section", "removed",
)  # fmt: skip


def _compared(doc: dict[str, Any]) -> dict[str, Any]:
    return {name: doc.get(name) for name in COMPARED_FIELDS}


def to_document(article: Article) -> dict[str, Any]:
    doc: dict[str, Any] = article.model_dump(mode="json")
    return doc


class Progress:
    """A bar on a terminal, a log line every few seconds elsewhere."""

    def __init__(self, enabled: bool) -> None:
        self._bar: Any = None
        self._last = time.monotonic()
        self._count = 0
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(unit=" docs", desc="ingest", file=sys.stderr)

    def advance(self, n: int) -> None:
        self._count += n
        if self._bar is not None:
            self._bar.update(n)
        elif time.monotonic() - self._last > 10:
            self._last = time.monotonic()
            log.info("ingest: %d records processed", self._count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class Ingestor:
    """Runs records through the pipeline into one alias; one instance per run."""

    def __init__(
        self,
        client: OpenSearch,
        index: str,
        enricher: ArticleEnricher,
        dead_letters: DeadLetters,
        *,
        defaults: Defaults | None = None,
        max_body_bytes: int = 5_000_000,
        policy: BulkPolicy | None = None,
        progress: bool = False,
        resolver: Resolver | None = None,
        seen_hashes: int = SEEN_HASHES,
    ) -> None:
        self._client = client
        self._index = index
        self._enricher = enricher
        self._resolver = resolver
        self._dead = dead_letters
        self._defaults = defaults or Defaults()
        self._max_body = max_body_bytes
        self._writer = BulkWriter(client, index, policy)
        self._seen_hashes: OrderedDict[str, str] = OrderedDict()  # content hash -> first id
        self._seen_max = max(seen_hashes, BATCH)
        self._progress = Progress(progress)
        self.summary = IngestSummary(dead_letter=str(dead_letters.path))
        self._warnings: Counter[str] = Counter()

    def run(self, records: Iterable[RawRecord | ReadError]) -> IngestSummary:
        started = time.monotonic()
        iterator = iter(records)
        try:
            while batch := list(islice(iterator, BATCH)):
                self._run_batch(batch)
                self._progress.advance(len(batch))
        finally:
            self._progress.close()
            self._flush_resolver()
        self.summary.seconds = time.monotonic() - started
        self.summary.rejected = dict(self._dead.by_reason)
        self.summary.warnings = dict(self._warnings)
        self.summary.reached_opensearch = self._writer.reached_cluster
        return self.summary

    def _run_batch(self, batch: list[RawRecord | ReadError]) -> None:
        ready: list[tuple[str, Article]] = []
        now = datetime.now(UTC)
        for item in batch:
            self.summary.read += 1
            if isinstance(item, ReadError):
                self._dead.add(
                    stage="read",
                    location=encodable(item.location),
                    reason=encodable(item.reason),
                    kind="unreadable",
                    excerpt=encodable(item.raw),
                )
                continue
            repaired = repair_surrogates(item)
            if repaired is not None:
                item = repaired
                self._warnings["lone_surrogates_replaced"] += 1
            outcome = prepare(item, self._defaults, max_body_bytes=self._max_body, now=now)
            if isinstance(outcome, Rejection):
                self._dead.add(
                    stage="validate",
                    location=item.location,
                    reason=outcome.reason,
                    kind=outcome.kind,
                    excerpt=item.body[:2000],
                )
                continue
            self._warnings.update(outcome.warnings)
            ready.append((item.location, outcome.article))
        fresh = self._drop_unchanged(self._drop_duplicates(ready))
        docs = (
            BulkDoc(a.id, to_document(a), ref=loc) for loc, a in self._resolve(self._enrich(fresh))
        )
        for result in self._writer.write(docs):
            if result.outcome == "failed":
                self._dead.add(
                    stage="index",
                    location=result.doc.ref,
                    reason=result.reason,
                    kind="index_failed",
                    excerpt=result.doc.source.get("title", ""),
                )
            elif result.outcome == "created":
                self.summary.indexed += 1
            elif result.outcome == "updated":
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1

    def _enrich(self, ready: list[tuple[str, Article]]) -> list[tuple[str, Article]]:
        inputs = [
            EnrichInput(
                text=a.body,
                title=a.title,
                language=a.language,
                published_at=a.published_at,
                source=a.source,
            )
            for _, a in ready
        ]
        found = self._enricher.enrich_many(inputs)
        return [
            (location, apply_enrichment(article, enrichment))
            for (location, article), enrichment in zip(ready, found, strict=True)
        ]

    def _flush_resolver(self) -> None:
        if self._resolver is None:
            return
        try:
            self._resolver.flush()
        except (OSConnectionError, TransportError):
            log.warning("entity registry unreachable: this run's alias counts were not saved")
            self._warnings["alias_counts_unsaved"] += 1

    def _resolve(self, enriched: list[tuple[str, Article]]) -> list[tuple[str, Article]]:
        """Entities mapped to registry identities; if the registry cannot be reached, the
        articles are indexed with unresolved entities (a warning; `newsroom entities
        consolidate` or a re-enrichment resolves them later) rather than not at all."""
        if self._resolver is None or not enriched:
            return enriched
        try:
            resolved = self._resolver.resolve_articles([a for _, a in enriched])
        except (OSConnectionError, TransportError):
            log.warning("entity registry unreachable: %d articles left unresolved", len(enriched))
            self._warnings["entities_unresolved"] += len(enriched)
            return enriched
        return [(location, a) for (location, _), a in zip(enriched, resolved, strict=True)]

    def _drop_unchanged(self, articles: list[tuple[str, Article]]) -> list[tuple[str, Article]]:
        """Skip what is already stored exactly so: re-reading an archive costs no NER.

        Entities are compared by the text they come from; after a model or rule change,
        `newsroom enrich --reindex` refreshes them.
        """
        try:
            stored = stored_sources(
                self._client, self._index, [a.id for _, a in articles], COMPARED_FIELDS
            )
        except (OSConnectionError, TransportError):
            return articles  # the bulk step waits for the cluster and detects no-ops itself
        kept = []
        for location, article in articles:
            before = stored.get(article.id)
            if (
                before is not None
                and before.get("entities_status") != "pending"
                and (_compared(to_document(article)) == _compared(before))
            ):
                self.summary.unchanged += 1
                continue
            kept.append((location, article))
        return kept

    def _drop_duplicates(self, articles: list[tuple[str, Article]]) -> list[tuple[str, Article]]:
        """Keep the first copy of each text; a copy under another id is counted, not indexed."""
        hashes = [a.content_hash for _, a in articles if a.content_hash not in self._seen_hashes]
        try:
            known = existing_ids_by_hash(self._client, self._index, hashes)
        except (OSConnectionError, TransportError):
            known = {}  # the bulk step will wait for the cluster; duplicates then fall to ids
        kept: list[tuple[str, Article]] = []
        for location, article in articles:
            first = self._seen_hashes.get(article.content_hash) or known.get(article.content_hash)
            if first is not None and first != article.id:
                self._remember(article.content_hash, first)
                self.summary.duplicates += 1
                if len(self.summary.duplicate_examples) < 50:
                    self.summary.duplicate_examples.append(
                        {"id": article.id, "duplicate_of": first, "location": location}
                    )
                continue
            self._remember(article.content_hash, first or article.id)
            kept.append((location, article))
        return kept

    def _remember(self, content_hash: str, article_id: str) -> None:
        """Keep the hash as the most recent, forgetting the oldest beyond the bound."""
        self._seen_hashes[content_hash] = article_id
        self._seen_hashes.move_to_end(content_hash)
        while len(self._seen_hashes) > self._seen_max:
            self._seen_hashes.popitem(last=False)


def default_dead_letter_path(folder: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"ingest-{stamp}.ndjson"
