"""The ingest path, composed: read -> prepare -> enrich -> cluster copies -> bulk. The only place
that knows the order of the steps."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

from search.alerts.matching import AlertMatcher
from search.duplicates.clusterer import CopyClusterer
from search.duplicates.clusters import Fingerprint
from search.entities.resolver import Resolver, with_entities
from search.fields import CLUSTER_ID, MINHASH_BANDS
from search.index.bulk import BulkDoc, BulkPolicy, BulkWriter, stored_sources
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import EnrichInput, Enrichment
from search.ingest.prepare import Defaults, Rejection, prepare
from search.ingest.progress import Progress
from search.ingest.readers import ReadError
from search.languages import language_fields, suffixes
from search.models import Article, RawRecord

log = logging.getLogger(__name__)
BATCH = 256
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
    #: Copies indexed as members of the cluster of an earlier article: the same text (another
    #: id, another outlet), or a near copy (another headline, boilerplate, a cut, a new lead).
    duplicates: int = 0
    near_duplicates: int = 0
    clusters_merged: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    dead_letter: str | None = None
    duplicate_examples: list[dict[str, Any]] = field(default_factory=list)
    reached_opensearch: bool = False
    #: What the consolidation after the run did (short forms merged, entities renamed, ambiguous).
    entities: dict[str, int] = field(default_factory=dict)
    #: Stories newly matched by saved searches (search.alerts).
    alert_matches: int = 0

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
            "near_duplicates": self.near_duplicates,
            "clusters_merged": self.clusters_merged,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(self.rejected),
            "warnings": dict(self.warnings),
            "seconds": round(self.seconds, 2),
            "docs_per_s": self.docs_per_s,
            "dead_letter": self.dead_letter,
            "duplicate_examples": self.duplicate_examples,
            "entities": dict(self.entities),
            "alert_matches": self.alert_matches,
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
#: The language group's title stands for its fields: an article stored before its language had
#: them is written again (titles are short to fetch; the body goes with it).
COMPARED_FIELDS = (
    "content_hash", "title", "url", "source", "byline", "published_at", "published_at_raw",
    "language", "section", "removed", *(f"title_{suffix}" for suffix in suffixes()),
)  # fmt: skip


def _compared(doc: dict[str, Any]) -> dict[str, Any]:
    return {name: doc.get(name) for name in COMPARED_FIELDS}


def to_document(article: Article) -> dict[str, Any]:
    """The article as stored: its fields, and its text again under its language's analysis."""
    doc: dict[str, Any] = article.model_dump(mode="json")
    doc.update(language_fields(article.language, article.title, article.body))
    return doc


def with_bands(article: Article, found: Fingerprint | None) -> dict[str, Any]:
    """The document to write: the article, and the band keys its copies will find it by."""
    doc = to_document(article)
    if found is not None:
        doc[MINHASH_BANDS] = list(found.bands)
    return doc


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
        expected: int | None = None,
        resolver: Resolver | None = None,
        cluster_copies: bool = True,
        alerts: AlertMatcher | None = None,
    ) -> None:
        self._client = client
        self._index = index
        self._enricher = enricher
        self._resolver = resolver
        self._dead = dead_letters
        self._defaults = defaults or Defaults()
        self._max_body = max_body_bytes
        self._writer = BulkWriter(client, index, policy)
        self._clusterer = CopyClusterer(client, index) if cluster_copies else None
        self._alerts = alerts
        #: Ids of the batch stored before with another text (their old label may not fit).
        self._text_changed: set[str] = set()
        self._progress = Progress(progress, expected)
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
        self._add_cluster_tally()
        self._add_alert_tally()
        return self.summary

    def _add_cluster_tally(self) -> None:
        if self._clusterer is None:
            return
        tally = self._clusterer.tally
        self.summary.duplicates = tally.exact
        self.summary.near_duplicates = tally.near
        self.summary.clusters_merged = tally.merged
        self.summary.duplicate_examples = list(tally.examples)
        for name, count in (
            ("copies_not_clustered", tally.unclustered),
            ("copies_not_reconciled", tally.unreconciled),
            ("copy_summaries_not_stored", tally.unsummarised),
        ):
            if count:
                self.summary.warnings[name] = count

    def _add_alert_tally(self) -> None:
        if self._alerts is None:
            return
        self.summary.alert_matches = self._alerts.recorded
        if self._alerts.failed:
            self.summary.warnings["alerts_not_matched"] = self._alerts.failed

    def _run_batch(self, batch: list[RawRecord | ReadError]) -> None:
        ready: list[tuple[str, Article]] = []
        self._text_changed = set()
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
        fresh = self._resolve(self._enrich(self._drop_unchanged(ready)))
        fresh, prints = self._cluster(fresh)
        written, changed = self._write(fresh, prints)
        if self._clusterer is not None:
            self._clusterer.reconcile(written, prints)
        if self._alerts is not None:
            self._alerts.match([with_bands(a, prints.get(a.id)) for a in changed])

    def _write(
        self, articles: list[tuple[str, Article]], prints: dict[str, Fingerprint]
    ) -> tuple[list[Article], list[Article]]:
        """Bulk-write the batch, counting each outcome; returns the articles now stored, and
        those of them that are new or changed."""
        docs = (BulkDoc(a.id, with_bands(a, prints.get(a.id)), ref=loc) for loc, a in articles)
        by_id = {a.id: a for _, a in articles}
        written: list[Article] = []
        changed: list[Article] = []
        for result in self._writer.write(docs):
            if result.outcome == "failed":
                self._dead.add(
                    stage="index",
                    location=result.doc.ref,
                    reason=result.reason,
                    kind="index_failed",
                    excerpt=result.doc.source.get("title", ""),
                )
                continue
            written.append(by_id[result.doc.id])
            if result.outcome == "created":
                self.summary.indexed += 1
            elif result.outcome == "updated":
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
            if result.outcome != "unchanged":
                changed.append(by_id[result.doc.id])
        return written, changed

    def _cluster(
        self, articles: list[tuple[str, Article]]
    ) -> tuple[list[tuple[str, Article]], dict[str, Fingerprint]]:
        """Each article labelled with its cluster of copies (see search.duplicates)."""
        if self._clusterer is None or not articles:
            return articles, {}
        labelled = self._clusterer.label(
            [a for _, a in articles],
            [loc for loc, _ in articles],
            text_changed=self._text_changed,
        )
        located = [(loc, a) for (loc, _), a in zip(articles, labelled.articles, strict=True)]
        return located, labelled.prints

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
                self._client,
                self._index,
                [a.id for _, a in articles],
                (*COMPARED_FIELDS, CLUSTER_ID),
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
            if before is not None:  # a new version keeps its cluster unless clustering moves it
                article = article.model_copy(update={"cluster_id": before.get(CLUSTER_ID)})
                if before.get("content_hash") != article.content_hash:
                    self._text_changed.add(article.id)
            kept.append((location, article))
        return kept


def default_dead_letter_path(folder: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"ingest-{stamp}.ndjson"
