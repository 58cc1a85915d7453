"""Entities: autocomplete over canonical names, and a page per person, agency or location."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from search.api.deps import ClientDep, ReadAccess, SettingsDep
from search.query import service
from search.query.results import EntityPage, Suggestion

router = APIRouter(tags=["entities"], dependencies=[ReadAccess])
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


@router.get("/entities/{type}/{name:path}", response_model=EntityPage)
async def entity(
    client: ClientDep,
    settings: SettingsDep,
    type: Annotated[EntityType, Path()],
    name: Annotated[str, Path(max_length=300, examples=["Volodymyr Zelensky"])],
) -> EntityPage:
    """Article count, first and last seen, a monthly timeline, the entities that co-occur
    significantly (not just often), top sources and the latest articles."""
    return await service.entity_page(client, settings.index, type, name)
