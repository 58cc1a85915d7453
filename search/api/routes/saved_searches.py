"""Saved searches (with a key, each its own key's) and the Atom feed of each one's matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from search.alerts import atom, saved
from search.alerts.saved import SavedSearch, SavedSearchIn, SavedSearchMatch
from search.alerts.targets import UrlRefused
from search.alerts.webhooks import delivery_log
from search.http.deps import SettingsDep, WriteAccess
from search.http.errors import Problem
from search.index.client import sync_client
from search.settings import Settings

router = APIRouter(tags=["saved searches"])
SavedId = Annotated[str, Path(max_length=64)]
Key = Annotated[str, Header(alias="X-API-Key")]


def _missing(saved_id: str) -> Problem:
    return Problem(
        404, "Not found", f"No saved search of this key has the id '{saved_id}'.", parameter="id"
    )


def _create(settings: Settings, owner: str, asked: SavedSearchIn) -> SavedSearch:
    try:
        return saved.create(
            sync_client(settings),
            settings.index,
            owner,
            asked,
            limit=settings.saved_searches_per_key,
            allow_private=settings.allow_private_urls,
        )
    except saved.TooManySaved as exc:
        raise Problem(409, "Too many saved searches", str(exc)) from None
    except UrlRefused as exc:
        raise Problem(400, "Webhook refused", str(exc), parameter="webhook") from None


@router.post(
    "/saved-searches",
    response_model=SavedSearch,
    status_code=201,
    dependencies=[WriteAccess],
    responses={409: {"description": "The key keeps as many saved searches as it may."}},
)
async def create_saved_search(
    asked: SavedSearchIn, settings: SettingsDep, x_api_key: Key
) -> SavedSearch:
    """Keep a search: every article indexed from now on that it matches is recorded (once per
    story: copies of it are not matched again) and listed in its Atom feed, at the `feed`
    path it answers with, and, with a `webhook`, POSTed there signed with the
    `webhook_secret` this answer alone carries. "Follow this person" is a saved search with
    `filters.person`."""
    owner = saved.owner_of(x_api_key)
    return await run_in_threadpool(_create, settings, owner, asked)


@router.get("/saved-searches", response_model=list[SavedSearch], dependencies=[WriteAccess])
async def list_saved_searches(settings: SettingsDep, x_api_key: Key) -> list[SavedSearch]:
    """This key's saved searches, newest first."""
    client = sync_client(settings)
    return await run_in_threadpool(saved.mine, client, settings.index, saved.owner_of(x_api_key))


def _get(settings: Settings, owner: str, saved_id: str) -> SavedSearch:
    try:
        return saved.get(sync_client(settings), settings.index, owner, saved_id)
    except saved.SavedSearchNotFound:
        raise _missing(saved_id) from None


@router.get(
    "/saved-searches/{saved_id}/matches",
    response_model=list[SavedSearchMatch],
    dependencies=[WriteAccess],
)
async def saved_search_matches(
    saved_id: SavedId,
    settings: SettingsDep,
    x_api_key: Key,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SavedSearchMatch]:
    """What the saved search matched, latest first."""
    found = await run_in_threadpool(_get, settings, saved.owner_of(x_api_key), saved_id)
    client = sync_client(settings)
    return await run_in_threadpool(saved.matched, client, settings.index, found.id, size)


@router.get("/saved-searches/{saved_id}/deliveries", dependencies=[WriteAccess])
async def saved_search_deliveries(
    saved_id: SavedId, settings: SettingsDep, x_api_key: Key
) -> list[dict[str, object]]:
    """Each attempt to deliver its matches to its webhook, latest first: when, how many
    matches, the answer's status or the error."""
    found = await run_in_threadpool(_get, settings, saved.owner_of(x_api_key), saved_id)
    client = sync_client(settings)
    return await run_in_threadpool(delivery_log, client, settings.index, found.id)


def _delete(settings: Settings, owner: str, saved_id: str) -> None:
    try:
        saved.delete(sync_client(settings), settings.index, owner, saved_id)
    except saved.SavedSearchNotFound:
        raise _missing(saved_id) from None


@router.delete("/saved-searches/{saved_id}", dependencies=[WriteAccess])
async def delete_saved_search(
    saved_id: SavedId, settings: SettingsDep, x_api_key: Key
) -> dict[str, str]:
    """Stop matching it, and forget what it matched."""
    await run_in_threadpool(_delete, settings, saved.owner_of(x_api_key), saved_id)
    return {"deleted": saved_id}


@router.get(
    "/saved-searches/feeds/{token}",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "An Atom feed."}},
)
async def saved_search_feed(
    token: Annotated[str, Path(max_length=64)], settings: SettingsDep, request: Request
) -> Response:
    """The saved search's matches as an Atom feed, newest first. The link is the secret: it
    needs no key, so a feed reader can follow it; delete the saved search to revoke it."""
    client = sync_client(settings)
    found = await run_in_threadpool(saved.by_feed_token, client, settings.index, token)
    if found is None:
        raise Problem(404, "Not found", "No saved search has this feed.", parameter="token")
    matches = await run_in_threadpool(saved.matched, client, settings.index, found.id, 100)
    body = atom.render(found, matches, str(request.base_url))
    return Response(body, media_type=atom.ATOM_TYPE, headers={"Cache-Control": "no-cache"})
