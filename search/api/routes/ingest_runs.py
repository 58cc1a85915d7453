"""Ingest runs as recorded (search.ingest.runs): the latest, and one by id; with a key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from search.http.deps import SettingsDep, WriteAccess
from search.http.errors import Problem
from search.index.client import sync_client
from search.ingest import runs
from search.ingest.runs import IngestRun

router = APIRouter(tags=["ingest"])


@router.get("/ingest/runs", response_model=list[IngestRun], dependencies=[WriteAccess])
async def list_runs(
    settings: SettingsDep, size: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[IngestRun]:
    """The latest ingest runs, newest first: the CLI's and the API's, each with its status
    (queued, running, done, failed), counts by outcome, rejections by reason and warnings."""
    return await run_in_threadpool(runs.recent, sync_client(settings), settings.index, size)


@router.get("/ingest/runs/{run_id}", response_model=IngestRun, dependencies=[WriteAccess])
async def get_run(settings: SettingsDep, run_id: Annotated[str, Path(max_length=64)]) -> IngestRun:
    """One run: poll it after a 202 from `POST /v1/articles` until it is done or failed."""
    found = await run_in_threadpool(runs.get, sync_client(settings), settings.index, run_id)
    if found is None:
        raise Problem(404, "Not found", f"No ingest run has the id '{run_id}'.", parameter="run_id")
    return found
