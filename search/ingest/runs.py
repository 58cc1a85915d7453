"""Every ingest run recorded in OpenSearch: where it read from, when, what became of each record.

A run of `newsroom ingest` or of `POST /v1/articles` (queued, then run in the background) is a
document in `<alias>-ingest-runs`, written when the run is submitted or starts and again when it
ends: counts by outcome, rejections by reason, warnings, where its dead letters are, or the
error that ended it. `GET /v1/ingest/runs` and the editors' page `/editor/ingest` list them; an
import that seems stuck shows as `running` with its start time, not as silence.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from opensearchpy import NotFoundError, OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError
from pydantic import BaseModel, Field

from search.index.schema import drop, ensure_index
from search.ingest.pipeline import IngestSummary

log = logging.getLogger(__name__)
Status = Literal["queued", "running", "done", "failed"]
Origin = Literal["cli", "api"]


class IngestRun(BaseModel):
    """One run, as recorded."""

    id: str
    origin: Origin
    source: str = Field(description="What was read: the paths, or the request that sent it.")
    status: Status
    submitted_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    read: int = 0
    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = Field(default_factory=dict)
    warnings: dict[str, int] = Field(default_factory=dict)
    dead_letter: str | None = Field(None, description="The run's dead-letter file, if any.")
    docs_per_s: float = 0.0
    error: str | None = Field(None, description="Why a failed run stopped.")


def runs_alias(articles_alias: str) -> str:
    return f"{articles_alias}-ingest-runs"


def ensure_runs(client: OpenSearch, articles_alias: str) -> None:
    ensure_index(client, runs_alias(articles_alias), "ingest_runs")


def drop_runs(client: OpenSearch, articles_alias: str) -> None:
    drop(client, runs_alias(articles_alias))


def new_run(origin: Origin, source: str, *, status: Status = "running") -> IngestRun:
    now = datetime.now(UTC)
    started = now if status == "running" else None
    return IngestRun(
        id=uuid.uuid4().hex, origin=origin, source=source, status=status, submitted_at=now,
        started_at=started,
    )  # fmt: skip


def save(client: OpenSearch, articles_alias: str, run: IngestRun) -> IngestRun:
    """Write the run's record (the whole of it: a record is rewritten at each change)."""
    client.index(
        index=runs_alias(articles_alias),
        id=run.id,
        body=run.model_dump(mode="json"),
        refresh="wait_for",
    )
    return run


def save_quietly(
    client: OpenSearch, articles_alias: str, run: IngestRun, *, ensure: bool = False
) -> None:
    """Save the record if OpenSearch takes it; a run is never failed for its record (the
    run's own summary still says what happened)."""
    try:
        if ensure:
            ensure_runs(client, articles_alias)
        save(client, articles_alias, run)
    except (OSConnectionError, TransportError) as exc:
        log.warning("the record of ingest run %s was not saved: %s", run.id, exc)


def started(run: IngestRun) -> IngestRun:
    return run.model_copy(update={"status": "running", "started_at": datetime.now(UTC)})


def finished(run: IngestRun, summary: IngestSummary) -> IngestRun:
    """The run's record once it ended with `summary`."""
    counts = summary.as_dict()
    fields = ("read", "indexed", "updated", "unchanged", "duplicates", "near_duplicates")
    update: dict[str, Any] = {name: counts[name] for name in fields}
    update.update(
        status="done",
        finished_at=datetime.now(UTC),
        rejected=counts["rejected"],
        rejected_by_reason=counts["rejected_by_reason"],
        warnings=counts["warnings"],
        dead_letter=counts["dead_letter"] if counts["rejected"] else None,
        docs_per_s=counts["docs_per_s"],
    )
    return run.model_copy(update=update)


def failed(run: IngestRun, error: BaseException) -> IngestRun:
    reason = f"{type(error).__name__}: {error}"[:2000]
    return run.model_copy(
        update={"status": "failed", "finished_at": datetime.now(UTC), "error": reason}
    )


def recent(client: OpenSearch, articles_alias: str, size: int = 50) -> list[IngestRun]:
    """The latest runs, newest first; none when nothing was ever recorded."""
    try:
        raw = client.search(
            index=runs_alias(articles_alias),
            body={"size": size, "sort": [{"submitted_at": "desc"}, {"id": "asc"}]},
        )
    except NotFoundError:
        return []
    return [IngestRun.model_validate(hit["_source"]) for hit in raw["hits"]["hits"]]


def get(client: OpenSearch, articles_alias: str, run_id: str) -> IngestRun | None:
    try:
        found = client.get(index=runs_alias(articles_alias), id=run_id)
    except NotFoundError:
        return None
    return IngestRun.model_validate(found["_source"])
