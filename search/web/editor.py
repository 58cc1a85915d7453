"""Editors' corrections from the pages: sign in with an API key, then merge, split, rename,
retype, block and add aliases on an entity page, and revert from the log of corrections.
Sessions and CSRF tokens are in `search.web.sessions`; every form's token is checked before
the correction is read."""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Final
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from search.entities import editing
from search.entities.curation import Correction, CorrectionError
from search.http.deps import ClientDep, SettingsDep
from search.http.errors import Problem
from search.http.security import key_matches
from search.index.client import sync_client
from search.ingest import runs
from search.query import identities
from search.settings import Settings
from search.web.page_route import PageRoute
from search.web.sessions import (
    COOKIE,
    SESSION_SECONDS,
    EditorSession,
    editor_session,
    session_token,
)
from search.web.templating import templates

MAX_FORM_BYTES: Final = 20_000
_CORRECTION: Final = TypeAdapter[Correction](Correction)


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Problem(413, "Form too large", f"A form may hold {MAX_FORM_BYTES} bytes.")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0].strip() for name, values in fields.items()}


def _checked(request: Request, settings: Settings, form: dict[str, str]) -> EditorSession:
    """The editor's session and the form's CSRF token, or a 403 that says what to do."""
    session = editor_session(request, settings)
    if session is None:
        raise Problem(403, "Sign in first", "This needs an editor's sign-in (/editor).")
    if not hmac.compare_digest(form.get("csrf", ""), session.csrf):
        raise Problem(403, "Form expired", "Reload the page and submit the form again.")
    return session


async def checked_form(
    request: Request, settings: Settings
) -> tuple[dict[str, str], EditorSession]:
    """A form an editor sent: its fields and the session, once the CSRF token is checked."""
    form = await _form(request)
    return form, _checked(request, settings, form)


def _local(target: str) -> str:
    """Only paths on this site: a sign-in link must not send an editor elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/editor", response_class=HTMLResponse)
async def sign_in_page(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    signed_in = editor_session(request, settings) is not None
    context = {"next": _local(next), "signed_in": signed_in, "error": None}
    return templates.TemplateResponse(request, "editor_sign_in.html", context)


@router.post("/editor", response_class=HTMLResponse)
async def sign_in(request: Request, settings: SettingsDep) -> Response:
    form = await _form(request)
    target = _local(form.get("next", "/"))
    if not key_matches(form.get("key"), settings):
        context = {"next": target, "signed_in": False, "error": "That key is not accepted."}
        return templates.TemplateResponse(request, "editor_sign_in.html", context, status_code=403)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        session_token(form["key"]),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/editor/sign-out")
async def sign_out(request: Request, settings: SettingsDep) -> Response:
    _checked(request, settings, await _form(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _correction(entity_id: str, form: dict[str, str], into: str | None) -> Correction:
    fields: dict[str, Any] = {k: v for k, v in form.items() if v and k != "csrf"}
    fields["entity"] = entity_id
    fields.pop("into_name", None)
    if into is not None:
        fields["into"] = into
    try:
        return _CORRECTION.validate_python(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "form"
        raise Problem(400, "Correction incomplete", f"{where}: {first['msg']}") from exc


def _run(settings: Settings, call: Any, *args: Any) -> editing.AuditEntry:
    client = sync_client(settings)
    try:
        entry: editing.AuditEntry = call(client, settings.index, *args)
        return entry
    finally:
        client.close()


@router.post("/editor/entities/{entity_id}")
async def correct(
    request: Request,
    entity_id: Annotated[str, Path(max_length=200)],
    client: ClientDep,
    settings: SettingsDep,
) -> Response:
    """One correction from an entity page's forms; back to the entity (or the one it joined)."""
    form = await _form(request)
    _checked(request, settings, form)
    entity = await identities.get_entity(client, settings.index, entity_id)
    into = None
    if form.get("into_name"):
        into = await identities.find_entity_id(
            client, settings.index, entity.type, form["into_name"]
        )
        if into is None:
            raise Problem(
                400, "No such entity", f"No {entity.type} is named '{form['into_name']}'."
            )
    correction = _correction(entity_id, form, into)
    try:
        entry = await run_in_threadpool(_run, settings, editing.correct, correction, "editor")
    except CorrectionError as exc:
        raise Problem(400, "Correction cannot apply", str(exc)) from exc
    shown = next((s.entity for s in entry.after if s.id == (into or entity_id)), None)
    if shown is None or shown.status != "active":
        return RedirectResponse("/editor/log", status_code=303)
    return RedirectResponse(f"/entities/{shown.type}/{quote(shown.name, safe='')}", status_code=303)


@router.get("/editor/log", response_class=HTMLResponse)
async def log_page(request: Request, settings: SettingsDep) -> Response:
    session = editor_session(request, settings)
    if session is None:
        return RedirectResponse("/editor?next=/editor/log", status_code=303)
    client = sync_client(settings)
    try:
        entries = await run_in_threadpool(editing.audit_log, client, settings.index, size=200)
    finally:
        client.close()
    context = {"entries": entries, "csrf": session.csrf}
    return templates.TemplateResponse(request, "editor_log.html", context)


@router.get("/editor/ingest", response_class=HTMLResponse)
async def ingest_page(request: Request, settings: SettingsDep) -> Response:
    """The ingest runs, for editors: what came in, from where, and what was refused."""
    if editor_session(request, settings) is None:
        return RedirectResponse("/editor?next=/editor/ingest", status_code=303)
    client = sync_client(settings)
    try:
        recorded = await run_in_threadpool(runs.recent, client, settings.index, 100)
    finally:
        client.close()
    return templates.TemplateResponse(request, "editor_ingest.html", {"runs": recorded})


@router.post("/editor/log/{entry_id}/revert")
async def revert(
    request: Request, entry_id: Annotated[str, Path(max_length=100)], settings: SettingsDep
) -> Response:
    form = await _form(request)
    _checked(request, settings, form)
    try:
        await run_in_threadpool(_run, settings, editing.revert, entry_id, "editor")
    except editing.AuditNotFound as exc:
        raise Problem(404, "No such correction", f"No correction has the id '{entry_id}'.") from exc
    except CorrectionError as exc:
        raise Problem(409, "Cannot revert", str(exc)) from exc
    return RedirectResponse("/editor/log", status_code=303)
