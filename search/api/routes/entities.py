"""Entities: autocomplete, a page per identity, and editors' corrections with their audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from search.entities import editing
from search.entities.curation import Correction, CorrectionError
from search.http.deps import ClientDep, ReadAccess, SettingsDep, WriteAccess
from search.http.errors import Problem
from search.index.client import sync_client
from search.query import identities, service
from search.query.results import EntityPage, Suggestion
from search.settings import Settings

router = APIRouter(tags=["entities"], dependencies=[ReadAccess])
T = TypeVar("T")
EntityType = Literal["person", "agency", "location", "country", "source"]


@router.get("/entities", response_model=list[Suggestion])
async def suggest_entities(
    client: ClientDep,
    settings: SettingsDep,
    type: Annotated[EntityType, Query(description="Which facet to complete.")],
    prefix: Annotated[str, Query(min_length=2, max_length=100, examples=["zel"])],
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Suggestion]:
    """Canonical names with a word starting with `prefix` (case- and accent-insensitive),
    most frequent first, with their article counts."""
    return await service.suggest(client, settings.index, type, prefix, size)


def _actor(request: Request) -> str:
    """Who made a correction, as the audit log names them: the key's last four characters."""
    key = request.headers.get("x-api-key", "")
    return f"key …{key[-4:]}" if key else "editor"


def _problem(exc: CorrectionError) -> Problem:
    status = 409 if isinstance(exc, editing.RevertConflict) else 400
    title = "Conflicting correction" if status == 409 else "Correction cannot apply"
    return Problem(status, title, str(exc))


def _editing(settings: Settings, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one registry call with a client of its own (corrections are rare and may take a
    while: they re-resolve articles), closed afterwards."""
    client = sync_client(settings)
    try:
        return call(client, settings.index, *args, **kwargs)
    finally:
        client.close()


@router.post(
    "/entities/corrections",
    response_model=editing.AuditEntry,
    dependencies=[WriteAccess],
    status_code=201,
)
async def add_correction(
    request: Request, settings: SettingsDep, correction: Annotated[Correction, Body()]
) -> editing.AuditEntry:
    """Merge, split, rename, retype, block or add an alias (`action` says which). The registry
    changes at once and every indexed article naming the entity follows, without re-reading
    text; later ingests resolve the same way. Answers the audit entry, with the count of
    articles updated."""
    try:
        return await run_in_threadpool(
            _editing, settings, editing.correct, correction, _actor(request)
        )
    except CorrectionError as exc:
        raise _problem(exc) from exc


@router.get("/entities/corrections", response_model=list[editing.AuditEntry])
async def list_corrections(
    settings: SettingsDep,
    entity: Annotated[str | None, Query(max_length=200)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[editing.AuditEntry]:
    """The audit log, newest first: every correction by editors and by the resolver
    (`actor=resolver`: short forms it merged), optionally for one entity."""
    return await run_in_threadpool(
        _editing, settings, editing.audit_log, entity_id=entity, actor=actor, size=size
    )


@router.post(
    "/entities/corrections/{correction_id}/revert",
    response_model=editing.AuditEntry,
    dependencies=[WriteAccess],
    status_code=201,
)
async def revert_correction(
    request: Request,
    settings: SettingsDep,
    correction_id: Annotated[str, Path(max_length=100)],
) -> editing.AuditEntry:
    """Undo one correction: the entities as they were before it, the articles re-resolved.
    A 409 if a later correction changed the same entities (revert that one first)."""
    try:
        return await run_in_threadpool(
            _editing, settings, editing.revert, correction_id, _actor(request)
        )
    except editing.AuditNotFound as exc:
        raise Problem(404, "No such correction", f"No correction has the id '{exc}'.") from exc
    except CorrectionError as exc:
        raise _problem(exc) from exc


@router.get("/entities/{entity_id}", response_model=EntityPage)
async def entity(
    client: ClientDep,
    settings: SettingsDep,
    entity_id: Annotated[str, Path(max_length=200, examples=["ronald-reagan-4f2c1a"])],
) -> EntityPage | RedirectResponse:
    """One identity: article count, first and last seen, a monthly timeline, the entities that
    co-occur significantly, top sources, the latest articles, and the other names it goes
    by. A merged entity answers 308 to the one it was merged into."""
    try:
        return await identities.entity_page_by_id(client, settings.index, entity_id)
    except identities.EntityMoved as moved:
        return RedirectResponse(f"/v1/entities/{moved.into}", status_code=308)


@router.get("/entities/{type}/{name:path}", response_model=EntityPage)
async def entity_by_name(
    client: ClientDep,
    settings: SettingsDep,
    type: Annotated[EntityType, Path()],
    name: Annotated[str, Path(max_length=300, examples=["Volodymyr Zelensky"])],
) -> EntityPage | RedirectResponse:
    """By type and name: a name the registry knows answers 308 to its identity's page
    (old links keep working after a rename or merge); sources and countries are pages by name."""
    found = await identities.find_entity_id(client, settings.index, type, name)
    if found is not None:
        return RedirectResponse(f"/v1/entities/{found}", status_code=308)
    return await service.named_page(client, settings.index, type, name)
