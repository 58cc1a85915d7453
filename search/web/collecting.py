"""Collections from the pages: "Add to list" on each search result and on the article page,
`/collections` listing an editor's lists, and `/collections/{id}` one list with its articles,
remove buttons and its export. They are the API's collections (search.collections), owned by
the key the editor signed in with; every form carries the session's CSRF token and works as a
plain POST, without JavaScript."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError
from pydantic import ValidationError

from search.collections import store
from search.collections.models import MAX_NAME_CHARS, CollectionIn, CollectionSummary
from search.http.deps import SettingsDep, in_thread
from search.http.errors import Problem
from search.http.export_rows import EXPORT_MEDIA, export_text
from search.settings import Settings
from search.web.editor import checked_form
from search.web.page_route import PageRoute
from search.web.reading import safe_back
from search.web.sessions import EditorSession, editor_session
from search.web.templating import templates

log = logging.getLogger(__name__)
router = APIRouter(route_class=PageRoute, include_in_schema=False)
CollectionId = Annotated[str, Path(max_length=64)]


@dataclass(frozen=True)
class Collecting:
    """What the "Add to list" forms need: the session's token, the editor's lists, the page
    to come back to, and the lists already holding each article shown."""

    csrf: str
    lists: list[CollectionSummary]
    back: str
    holding: dict[str, list[CollectionSummary]]
    max_name: int = MAX_NAME_CHARS


def _lists_and_holding(
    client: OpenSearch, alias: str, owner: str, article_ids: Sequence[str]
) -> tuple[list[CollectionSummary], dict[str, list[CollectionSummary]]]:
    return store.mine(client, alias, owner), store.holding(client, alias, owner, article_ids)


async def collecting(
    request: Request, settings: Settings, article_ids: Sequence[str], back: str
) -> Collecting | None:
    """The forms' context for a signed-in editor; None otherwise, or when the lists cannot
    be read just now (the page is still worth showing)."""
    session = editor_session(request, settings)
    if session is None:
        return None
    try:
        lists, held = await in_thread(settings, _lists_and_holding, session.owner, article_ids)
    except TransportError:
        log.warning("collections could not be read for the page", exc_info=True)
        return None
    return Collecting(session.csrf, lists, back, held)


def _named(name: str) -> CollectionIn:
    try:
        return CollectionIn(name=name)
    except ValidationError as exc:
        detail = f"name: {exc.errors()[0]['msg']}"
        raise Problem(400, "Collection name not accepted", detail, parameter="name") from None


def _signed_in(request: Request, settings: Settings, here: str) -> EditorSession | Response:
    session = editor_session(request, settings)
    if session is None:
        return RedirectResponse(f"/editor?next={here}", status_code=303)
    return session


def _add(
    client: OpenSearch, alias: str, owner: str, form: dict[str, str], settings: Settings
) -> str:
    """Add the form's article to the chosen list, or to a new one it names; the list's id."""
    collection_id = form.get("collection", "")
    if new_name := form.get("new_name", ""):
        made = store.create(client, alias, owner, _named(new_name), settings.collections_per_key)
        collection_id = made.id
    if not collection_id:
        detail = "Choose a list, or name a new one."
        raise Problem(400, "No list chosen", detail, parameter="collection")
    limit = settings.articles_per_collection
    store.add(client, alias, owner, collection_id, form.get("article_id", ""), limit)
    return collection_id


@router.post("/collections/add")
async def add_to_list(request: Request, settings: SettingsDep) -> Response:
    form, session = await checked_form(request, settings)
    collection_id = await in_thread(settings, _add, session.owner, form, settings)
    back = safe_back(form.get("back")) or f"/collections/{collection_id}"
    return RedirectResponse(back, status_code=303)


@router.get("/collections", response_class=HTMLResponse)
async def lists_page(request: Request, settings: SettingsDep) -> Response:
    session = _signed_in(request, settings, "/collections")
    if isinstance(session, Response):
        return session
    lists = await in_thread(settings, store.mine, session.owner)
    context = {"lists": lists, "csrf": session.csrf, "max_name": MAX_NAME_CHARS}
    return templates.TemplateResponse(request, "collections.html", context)


@router.post("/collections")
async def new_list(request: Request, settings: SettingsDep) -> Response:
    form, session = await checked_form(request, settings)
    asked = _named(form.get("name", ""))
    made = await in_thread(
        settings, store.create, session.owner, asked, settings.collections_per_key
    )
    return RedirectResponse(f"/collections/{made.id}", status_code=303)


@router.get("/collections/{collection_id}", response_class=HTMLResponse)
async def list_page(
    request: Request, collection_id: CollectionId, settings: SettingsDep
) -> Response:
    session = _signed_in(request, settings, f"/collections/{collection_id}")
    if isinstance(session, Response):
        return session
    found = await in_thread(settings, store.get, session.owner, collection_id)
    context: dict[str, Any] = {"found": found, "csrf": session.csrf, "max_name": MAX_NAME_CHARS}
    return templates.TemplateResponse(request, "collection.html", context)


@router.post("/collections/{collection_id}/remove")
async def remove_from_list(
    request: Request, collection_id: CollectionId, settings: SettingsDep
) -> Response:
    form, session = await checked_form(request, settings)
    article_id = form.get("article_id", "")
    await in_thread(settings, store.remove, session.owner, collection_id, article_id)
    return RedirectResponse(f"/collections/{collection_id}", status_code=303)


@router.post("/collections/{collection_id}/rename")
async def rename_list(
    request: Request, collection_id: CollectionId, settings: SettingsDep
) -> Response:
    form, session = await checked_form(request, settings)
    asked = _named(form.get("name", ""))
    await in_thread(settings, store.rename, session.owner, collection_id, asked)
    return RedirectResponse(f"/collections/{collection_id}", status_code=303)


@router.post("/collections/{collection_id}/delete")
async def delete_list(
    request: Request, collection_id: CollectionId, settings: SettingsDep
) -> Response:
    _, session = await checked_form(request, settings)
    await in_thread(settings, store.delete, session.owner, collection_id)
    return RedirectResponse("/collections", status_code=303)


@router.get("/collections/{collection_id}/export")
async def export_list(
    request: Request,
    collection_id: CollectionId,
    settings: SettingsDep,
    format: Literal["csv", "ndjson"] = "csv",
) -> Response:
    """The list's articles, as the API's collection export answers them."""
    session = editor_session(request, settings)
    if session is None:
        raise Problem(403, "Sign in first", "Exporting a list needs an editor's sign-in (/editor).")
    found, rows = await in_thread(settings, store.export_rows, session.owner, collection_id)
    filename = store.export_filename(found.name, format)
    return Response(
        export_text(rows, format),
        media_type=EXPORT_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
