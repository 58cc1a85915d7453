"""Ingest on Dask distributed: batches of records are tasks, each worker process loads the
model once and runs the whole pipeline for its batches.

The driver (this process) reads the input and submits a batch whenever fewer than `in_flight`
are under way, so reading waits for the workers and memory stays bounded however large the
input. Each task enriches, resolves, clusters copies and writes its batch, and returns what it
did with its dead letters; the driver adds the reports up, writes the dead letters to the run's
one file, and consolidates the registry once at the end, over what every task touched.

A worker lost mid-task costs nothing: the scheduler runs the task again elsewhere, and the
writes are idempotent (stable ids, updates that detect no-ops), so articles the lost attempt
had written count as `unchanged` the second time and none is stored twice. The copy lookup
checks again after writing and the registry's writes are upserts under stable ids, so workers
writing at once agree on clusters and identities (search.duplicates.batches, entities.store).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Final

from distributed import Client, LocalCluster, as_completed

from search.alerts.matching import AlertMatcher
from search.entities.incremental import Touched
from search.entities.resolver import Resolver
from search.entities.store import ensure_registry
from search.index.client import sync_client
from search.index.schema import ensure_index
from search.ingest.dead_letter import DeadLetters
from search.ingest.pipeline import BATCH, Ingestor, IngestSummary
from search.ingest.prepare import Defaults
from search.ingest.progress import Progress
from search.ingest.readers import ReadError
from search.ingest.run import bulk_policy, finish_run, shared_enricher
from search.models import RawRecord
from search.settings import Settings

log = logging.getLogger(__name__)

#: Seconds to wait for a scheduler before saying it is unreachable.
CONNECT_TIMEOUT_S: Final = 10
#: Batches under way per worker: one running, one waiting, so no worker idles between tasks.
IN_FLIGHT_PER_WORKER: Final = 2


class EngineUnreachable(RuntimeError):
    """No scheduler answers at the address given; the message says what to do."""


@dataclass(frozen=True)
class BatchJob:
    """One task: a batch of records and what the pipeline needs to run it anywhere."""

    settings: Settings
    records: list[RawRecord | ReadError]
    defaults: Defaults
    resolve: bool


@dataclass
class BatchReport:
    """What a task did: its summary, its dead letters, and the entities it touched."""

    summary: IngestSummary
    dead_letters: list[dict[str, str]] = field(default_factory=list)
    touched: Touched | None = None


class _CollectedDeadLetters(DeadLetters):
    """Dead letters kept in the task's report: the driver writes the run's one file."""

    def __init__(self) -> None:
        super().__init__(Path(os.devnull))
        self.entries: list[dict[str, str]] = []

    def _write(self, entry: dict[str, str]) -> None:
        self.entries.append(entry)


def run_batch(job: BatchJob) -> BatchReport:
    """The task: the whole pipeline for one batch, on a worker (the model is loaded once per
    process, by the first task it runs)."""
    settings = job.settings
    client = sync_client(settings)
    resolver = Resolver(client, settings.index) if job.resolve else None
    dead = _CollectedDeadLetters()
    ingestor = Ingestor(
        client,
        settings.index,
        shared_enricher(settings),
        dead,
        defaults=job.defaults,
        max_body_bytes=settings.max_body_bytes,
        policy=bulk_policy(settings),
        resolver=resolver,
        cluster_copies=settings.cluster_copies,
        alerts=AlertMatcher(client, settings.index),
    )
    summary = ingestor.run(job.records)
    return BatchReport(summary, dead.entries, resolver.touched() if resolver else None)


@contextmanager
def engine(scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, or of a local cluster of `workers` processes
    (one per core when not given) that lives as long as the block."""
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=True)
        except (OSError, TimeoutError) as exc:
            raise EngineUnreachable(
                f"No Dask scheduler answers at {scheduler} ({exc}). Start one with "
                "'dask scheduler' and its workers with 'dask worker ADDRESS', or leave "
                "--scheduler out to run a local cluster."
            ) from exc
        with client:
            yield client
        return
    count = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster, set_as_default=True) as client,
    ):
        yield client


def _jobs(records: Iterable[RawRecord | ReadError], job: BatchJob, size: int) -> Iterator[BatchJob]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield BatchJob(job.settings, batch, job.defaults, job.resolve)


@dataclass
class _Tally:
    """The run's summary, added up from the task reports as they arrive."""

    summary: IngestSummary
    dead: DeadLetters
    touched: set[str] = field(default_factory=set)
    contested: set[str] = field(default_factory=set)
    since: datetime = field(default_factory=lambda: datetime.now(UTC))

    def absorb(self, report: BatchReport) -> None:
        part, total = report.summary, self.summary
        for name in ("read", "indexed", "updated", "unchanged", "duplicates"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        total.near_duplicates += part.near_duplicates
        total.clusters_merged += part.clusters_merged
        total.alert_matches += part.alert_matches
        for warning, count in part.warnings.items():
            total.warnings[warning] = total.warnings.get(warning, 0) + count
        room = 50 - len(total.duplicate_examples)
        total.duplicate_examples.extend(part.duplicate_examples[: max(room, 0)])
        total.reached_opensearch |= part.reached_opensearch
        self.dead.extend(report.dead_letters)
        if report.touched is not None:
            self.touched |= report.touched.ids
            self.contested |= report.touched.contested
            self.since = min(self.since, report.touched.since)


def ingest_distributed(
    settings: Settings,
    records: Iterable[RawRecord | ReadError],
    *,
    expected: int | None = None,
    source: str | None = None,
    published_at: str | None = None,
    dead_letter: Path,
    progress: bool = False,
    resolve: bool = True,
    scheduler: str | None = None,
    workers: int | None = None,
    batch: int = BATCH,
) -> IngestSummary:
    """The records (`read_paths(...)` for files) through the pipeline on a Dask cluster: the
    scheduler at `scheduler`, or a local cluster of `workers` processes."""
    client = sync_client(settings)
    ensure_index(client, settings.index)
    if resolve:
        ensure_registry(client, settings.index)  # once here, not by every worker at once
    started = time.monotonic()
    template = BatchJob(settings, [], Defaults(source=source, published_at=published_at), resolve)
    bar = Progress(progress, expected)
    with DeadLetters(dead_letter) as dead, engine(scheduler, workers) as dask:
        tally = _Tally(IngestSummary(dead_letter=str(dead.path)), dead)
        limit = IN_FLIGHT_PER_WORKER * max(1, len(dask.scheduler_info()["workers"]))
        under_way = as_completed()

        def collect(future: Any) -> None:
            report: BatchReport = future.result()
            tally.absorb(report)
            bar.advance(report.summary.read)

        try:
            for job in _jobs(records, template, batch):
                if under_way.count() >= limit:
                    collect(next(under_way))
                under_way.add(dask.submit(run_batch, job, pure=False))
            for future in under_way:
                collect(future)
        finally:
            bar.close()
    summary = tally.summary
    summary.seconds = time.monotonic() - started
    summary.rejected = dict(dead.by_reason)
    touched = (
        Touched(frozenset(tally.touched), tally.since, frozenset(tally.contested))
        if resolve
        else None
    )
    return finish_run(client, settings, summary, touched)
