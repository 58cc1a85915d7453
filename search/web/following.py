"""Saved searches from the pages: "Save this search" on the search page, "Follow" on an entity
page, and `/editor/saved` listing an editor's saved searches with their latest matches and feeds.
They are the API's saved searches (search.alerts.saved), owned by the key the editor signed in
with; the forms carry the session's CSRF token like every editor form."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from search.alerts import saved
from search.alerts.saved import SavedSearch, SavedSearchIn, SavedSearchMatch
from search.alerts.webhooks import delivery_log
from search.http.deps import SettingsDep
from search.http.errors import Problem
from search.http.params import read_query
from search.index.client import sync_client
from search.settings import Settings
from search.web.editor import checked_form
from search.web.page_route import PageRoute
from search.web.sessions import editor_session
from search.web.templating import templates
from search.web.urls import PageParams

#: Latest matches shown under each saved search.
MATCHES_SHOWN: Final = 5

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def to_save(name: str, query_string: str) -> SavedSearchIn:
    """The search a page's URL asks, as a saved search called `name`; a 400 if it cannot be."""
    try:
        params = read_query(PageParams, QueryParams(query_string), ignore_unknown=True)
        req = params.to_request()
        return SavedSearchIn(
            name=name or req.q or "All articles",
            q=req.q,
            filters=req.filters,
            exclusions=req.exclusions,
            all_of=[facet for facet in req.all_of if req.requires_all(facet)],
            date_from=req.date_from,
            date_to=req.date_to,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Problem(400, "Search cannot be saved", f"{first['loc']}: {first['msg']}") from None


def _create(settings: Settings, owner: str, asked: SavedSearchIn) -> SavedSearch:
    limit = settings.saved_searches_per_key
    try:
        return saved.create(sync_client(settings), settings.index, owner, asked, limit=limit)
    except saved.TooManySaved as exc:
        raise Problem(409, "Too many saved searches", str(exc)) from None


@router.post("/editor/saved-searches")
async def save_search(request: Request, settings: SettingsDep) -> Response:
    form, session = await checked_form(request, settings)
    asked = to_save(form.get("name", "")[:200], form.get("search", ""))
    await run_in_threadpool(_create, settings, session.owner, asked)
    return RedirectResponse("/editor/saved", status_code=303)


Listing = list[tuple[SavedSearch, list[SavedSearchMatch]]]


def _listing(settings: Settings, owner: str) -> tuple[Listing, dict[str, dict[str, Any]]]:
    """The owner's saved searches with their latest matches, and each webhook's last
    delivery attempt."""
    client = sync_client(settings)
    try:
        listing = [
            (found, saved.matched(client, settings.index, found.id, MATCHES_SHOWN))
            for found in saved.mine(client, settings.index, owner)
        ]
        last = {}
        for found, _ in listing:
            if found.webhook:
                attempts = delivery_log(client, settings.index, found.id, size=1)
                if attempts:
                    last[found.id] = attempts[0]
        return listing, last
    finally:
        client.close()


@router.get("/editor/saved", response_class=HTMLResponse)
async def saved_page(request: Request, settings: SettingsDep) -> Response:
    session = editor_session(request, settings)
    if session is None:
        return RedirectResponse("/editor?next=/editor/saved", status_code=303)
    listing, deliveries = await run_in_threadpool(_listing, settings, session.owner)
    context = {
        "listing": listing,
        "deliveries": deliveries,
        "csrf": session.csrf,
        "base_url": str(request.base_url).rstrip("/"),
    }
    return templates.TemplateResponse(request, "editor_saved.html", context)


def _delete(settings: Settings, owner: str, saved_id: str) -> None:
    try:
        saved.delete(sync_client(settings), settings.index, owner, saved_id)
    except saved.SavedSearchNotFound:
        detail = f"No saved search of yours has the id '{saved_id}'."
        raise Problem(404, "Not found", detail) from None


@router.post("/editor/saved-searches/{saved_id}/delete")
async def delete_saved(
    request: Request, saved_id: Annotated[str, Path(max_length=64)], settings: SettingsDep
) -> Response:
    _, session = await checked_form(request, settings)
    await run_in_threadpool(_delete, settings, session.owner, saved_id)
    return RedirectResponse("/editor/saved", status_code=303)
