"""Entry points the CLI and the API share: ingest files, re-enrich what is indexed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch, helpers

from search.alerts.matching import AlertMatcher
from search.alerts.webhooks import deliver_pending
from search.duplicates.reindex import label_unclustered
from search.entities.consolidate import consolidate
from search.entities.incremental import Touched
from search.entities.resolver import Resolver
from search.index.bulk import BulkDoc, BulkPolicy, BulkWriter
from search.index.client import sync_client
from search.index.schema import ensure_index
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import Enricher, EnrichInput
from search.ingest.pipeline import (
    Ingestor,
    IngestSummary,
    apply_enrichment,
    default_dead_letter_path,
    to_document,
)
from search.ingest.prepare import Defaults
from search.ingest.progress import Progress
from search.ingest.readers import ReadError
from search.ingest.readers.detect import count_records, read_paths
from search.models import Article, RawRecord
from search.settings import Settings


@cache
def _enricher(batch_size: int, n_process: int) -> Enricher:
    return Enricher(batch_size=batch_size, n_process=n_process)


def shared_enricher(settings: Settings) -> Enricher:
    """One loaded model per process, whoever asks (CLI, API, re-enrichment)."""
    return _enricher(settings.ner_batch_size, settings.ner_processes)


def bulk_policy(settings: Settings) -> BulkPolicy:
    return BulkPolicy(
        chunk_docs=settings.bulk_chunk_docs,
        chunk_bytes=settings.bulk_chunk_bytes,
        max_retries=settings.bulk_max_retries,
    )


def ingest_paths(
    settings: Settings,
    paths: list[Path],
    *,
    fmt: str = "auto",
    source: str | None = None,
    published_at: str | None = None,
    dead_letter: Path | None = None,
    progress: bool = False,
    resolve: bool = True,
) -> IngestSummary:
    """Ingest files or folders into the alias; `resolve=False` leaves entities unresolved to
    registry identities (the benchmarks' baseline, to price the resolution step)."""
    client = sync_client(settings)
    ensure_index(client, settings.index)
    enricher = shared_enricher(settings)
    resolver = Resolver(client, settings.index) if resolve else None
    with DeadLetters(dead_letter or default_dead_letter_path(settings.dead_letter_dir)) as dead:
        ingestor = Ingestor(
            client,
            settings.index,
            enricher,
            dead,
            defaults=Defaults(source=source, published_at=published_at),
            max_body_bytes=settings.max_body_bytes,
            policy=bulk_policy(settings),
            progress=progress,
            expected=count_records(paths, fmt) if progress and Progress.on_terminal() else None,
            resolver=resolver,
            cluster_copies=settings.cluster_copies,
            alerts=AlertMatcher(client, settings.index),
        )
        summary = ingestor.run(read_paths(paths, fmt=fmt))
    return finish_run(client, settings, summary, resolver.touched() if resolver else None)


def ingest_records(
    settings: Settings,
    records: Iterable[RawRecord | ReadError],
    *,
    dead_letter: Path,
    unreachable_deadline_s: float | None = None,
) -> tuple[IngestSummary, list[dict[str, str]]]:
    """Records already in memory (an API request's) through the pipeline in this process;
    returns the summary and the first rejections. `unreachable_deadline_s` bounds how long the
    bulk writer waits for an unreachable cluster (a caller answering a request waits less)."""
    client = sync_client(settings)
    resolver = Resolver(client, settings.index)
    policy = bulk_policy(settings)
    if unreachable_deadline_s is not None:
        policy = replace(policy, unreachable_deadline_s=unreachable_deadline_s)
    with DeadLetters(dead_letter) as dead:
        ingestor = Ingestor(
            client,
            settings.index,
            shared_enricher(settings),
            dead,
            max_body_bytes=settings.max_body_bytes,
            policy=policy,
            resolver=resolver,
            cluster_copies=settings.cluster_copies,
            alerts=AlertMatcher(client, settings.index),
        )
        summary = ingestor.run(records)
        rejected = list(dead.recent)
    return finish_run(client, settings, summary, resolver.touched()), rejected


def finish_run(
    client: OpenSearch, settings: Settings, summary: IngestSummary, touched: Touched | None
) -> IngestSummary:
    """What follows every run, however it ran: its writes made visible, articles clustering
    left out labelled alone, and the registry consolidated over what the run touched."""
    client.indices.refresh(index=settings.index)
    label_unclustered(client, settings.index)  # what clustering left out stands alone
    if touched is not None and (summary.indexed or summary.updated):
        # Only the short forms this run can have decided (the CLI's consolidate reads all).
        summary.entities = consolidate(client, settings.index, touched)
    if summary.alert_matches:
        delivered = deliver_pending(
            client, settings.index, allow_private=settings.allow_private_urls
        )
        if delivered["failed"]:
            summary.warnings["webhooks_failed"] = delivered["failed"]
    return summary


def _indexed_articles(settings: Settings) -> Iterator[Article]:
    client = sync_client(settings)
    for hit in helpers.scan(client, index=settings.index, query={"query": {"match_all": {}}}):
        yield Article.model_validate(hit["_source"])


def reenrich_index(settings: Settings, *, batch: int = 500) -> dict[str, Any]:
    """Re-run extraction over indexed articles after a model or rule change, sources unread.

    The scroll is a snapshot, so writing back into the same index while reading is safe.
    """
    client = sync_client(settings)
    enricher = shared_enricher(settings)
    resolver = Resolver(client, settings.index)
    writer = BulkWriter(client, settings.index, bulk_policy(settings))
    outcomes: Counter[str] = Counter()
    stored = _indexed_articles(settings)
    while articles := list(islice(stored, batch)):
        inputs = [
            EnrichInput(
                text=a.body,
                title=a.title,
                language=a.language,
                published_at=a.published_at,
                source=a.source,
            )
            for a in articles
        ]
        found = enricher.enrich_many(inputs)
        enriched = [apply_enrichment(a, e) for a, e in zip(articles, found, strict=True)]
        docs = [
            BulkDoc(a.id, to_document(a), ref=a.id) for a in resolver.resolve_articles(enriched)
        ]
        outcomes.update(result.outcome for result in writer.write(docs))
    resolver.flush()
    client.indices.refresh(index=settings.index)
    entities = consolidate(client, settings.index)
    return {"articles": sum(outcomes.values()), "outcomes": dict(outcomes), "entities": entities}
