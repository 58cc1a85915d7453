"""Ingest runs the API accepts and does later, off the request path, each recorded as it goes.

`POST /v1/articles` with more than one small article answers 202 at once with the run's id; the
run waits in this process's queue (at most `ingest_queue_size` of them, beyond which the API
answers 429; one running at a time, since NER already uses a core per process) and then goes
through the pipeline here, or on the Dask cluster of `NEWSROOM_INGEST_SCHEDULER` when one is
set. Its record (search.ingest.runs) says queued, running, then done with its counts or failed
with the reason.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from search.index.client import sync_client
from search.ingest import runs
from search.ingest.run import ingest_records
from search.ingest.runs import IngestRun
from search.models import RawRecord
from search.settings import Settings

log = logging.getLogger(__name__)


class QueueFull(RuntimeError):
    """As many runs wait as the queue holds; the caller should retry later."""


def run_recorded(settings: Settings, records: Sequence[RawRecord], run: IngestRun) -> IngestRun:
    """The run, done now, its record kept up to date; returns the final record."""
    client = sync_client(settings)
    run = runs.started(run)
    runs.save_quietly(client, settings.index, run)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dead_letter = settings.dead_letter_dir / f"api-{stamp}-{run.id[:8]}.ndjson"
    try:
        if settings.ingest_scheduler:
            from search.ingest.distributed import ingest_distributed

            summary = ingest_distributed(
                settings, records, dead_letter=dead_letter, scheduler=settings.ingest_scheduler
            )
        else:
            summary, _ = ingest_records(settings, records, dead_letter=dead_letter)
    except Exception as exc:
        log.exception("ingest run %s failed", run.id)
        run = runs.failed(run, exc)
    else:
        run = runs.finished(run, summary)
    runs.save_quietly(client, settings.index, run)
    return run


class IngestQueue:
    """Runs waiting in this process, done one at a time in a background thread."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._capacity = settings.ingest_queue_size
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
        self._lock = threading.Lock()
        self._waiting = 0

    def submit(self, records: Sequence[RawRecord], source: str) -> IngestRun:
        """Record the run as queued and schedule it; raises QueueFull when no room is left."""
        with self._lock:
            if self._waiting >= self._capacity:
                raise QueueFull(f"{self._waiting} ingest runs are waiting already")
            self._waiting += 1
        try:
            client = sync_client(self._settings)
            runs.ensure_runs(client, self._settings.index)
            run = runs.save(
                client, self._settings.index, runs.new_run("api", source, status="queued")
            )
            self._executor.submit(self._run, list(records), run)
        except BaseException:
            with self._lock:
                self._waiting -= 1
            raise
        return run

    def _run(self, records: list[RawRecord], run: IngestRun) -> None:
        try:
            run_recorded(self._settings, records, run)
        finally:
            with self._lock:
                self._waiting -= 1

    def close(self) -> None:
        """Stop taking runs; the one under way finishes, waiting ones are dropped (their
        records stay `queued`, so nothing looks done that is not)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
