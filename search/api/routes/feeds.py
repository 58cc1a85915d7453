"""The feeds `newsroom watch` polls: add, list and stop watching them, with a key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool

from search.alerts.targets import UrlRefused, check_url
from search.http.deps import SettingsDep, WriteAccess
from search.http.errors import Problem
from search.index.client import sync_client
from search.settings import Settings
from search.watch import registry
from search.watch.registry import Feed, FeedIn

router = APIRouter(tags=["feeds"])


def _add(settings: Settings, asked: FeedIn) -> Feed:
    try:
        check_url(asked.url, allow_private=settings.allow_private_urls)
    except UrlRefused as exc:
        raise Problem(400, "Feed refused", str(exc), parameter="url") from None
    return registry.add(sync_client(settings), settings.index, asked)


@router.post("/feeds", response_model=Feed, status_code=201, dependencies=[WriteAccess])
async def add_feed(asked: FeedIn, settings: SettingsDep) -> Feed:
    """Watch an RSS or Atom feed: `newsroom watch` polls it every `interval_s` seconds (with a
    tenth of jitter), asks conditionally, and indexes its new items through the ingest
    pipeline. Adding a URL again changes its interval."""
    return await run_in_threadpool(_add, settings, asked)


@router.get("/feeds", response_model=list[Feed], dependencies=[WriteAccess])
async def list_feeds(settings: SettingsDep) -> list[Feed]:
    """Every watched feed with its state: `ok` or `failing` (after three failed polls in a
    row), the last error, when it is polled next, and how many items it brought."""
    return await run_in_threadpool(registry.listed, sync_client(settings), settings.index)


@router.delete("/feeds/{feed_id}", dependencies=[WriteAccess])
async def remove_feed(
    feed_id: Annotated[str, Path(max_length=64)], settings: SettingsDep
) -> dict[str, str]:
    """Stop watching a feed (what it brought stays indexed)."""
    removed = await run_in_threadpool(
        registry.remove, sync_client(settings), settings.index, feed_id
    )
    if not removed:
        raise Problem(404, "Not found", f"No watched feed has the id '{feed_id}'.", parameter="id")
    return {"removed": feed_id}
