"""Entity pages by registry identity, and readable names turned into identities (async reads
of the entity registry for the API and the pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from opensearchpy import AsyncOpenSearch, NotFoundError

from search.entities.registry import RegistryEntity, RegistryView
from search.entities.resolution import mention_key
from search.entities.store import registry_alias
from search.query import builder
from search.query.facets import fold
from search.query.request import SearchRequest
from search.query.results import EntityPage, shape_entity_page

#: Entity types that have a registry identity (country and source facets do not).
IDENTIFIED: Final = ("person", "agency", "location", "group")
_MAX_ALIASES_SHOWN: Final = 30


class EntityNotFound(LookupError):
    def __init__(self, facet: str, name: str) -> None:
        super().__init__(f"{facet}:{name}")
        self.facet = facet
        self.name = name


class EntityMoved(LookupError):
    """The entity was merged into another: pages and links follow it there."""

    def __init__(self, entity_id: str, into: str) -> None:
        super().__init__(f"{entity_id} -> {into}")
        self.entity_id = entity_id
        self.into = into


async def get_entity(client: AsyncOpenSearch, index: str, entity_id: str) -> RegistryEntity:
    try:
        raw = await client.get(index=registry_alias(index), id=entity_id)
    except NotFoundError as exc:  # no such id, or no registry yet
        raise EntityNotFound("entity", entity_id) from exc
    return RegistryEntity.model_validate(raw["_source"])


async def find_entity(
    client: AsyncOpenSearch, index: str, type_: str, name: str
) -> RegistryEntity | None:
    """The identity a name of this type resolves to now, the same way ingest resolves it."""
    if type_ not in IDENTIFIED:
        return None
    found = await resolve_names(client, index, [(type_, name)])
    return found.get((type_, name))


async def find_entity_id(client: AsyncOpenSearch, index: str, type_: str, name: str) -> str | None:
    entity = await find_entity(client, index, type_, name)
    return entity.id if entity is not None else None


async def resolve_names(
    client: AsyncOpenSearch, index: str, names: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], RegistryEntity]:
    """(type, name) -> the entity each resolves to, in one registry query."""
    wanted = [(t, n, mention_key(n, t)) for t, n in names if t in IDENTIFIED]  # type: ignore[arg-type]
    if not wanted:
        return {}
    size = 50 * len(wanted)
    body: dict[str, Any] = {
        "query": {"terms": {"alias_keys": [k for *_, k in wanted]}},
        "size": size,
    }
    try:
        raw = await client.search(index=registry_alias(index), body=body)
    except NotFoundError:
        return {}
    view = RegistryView(RegistryEntity.model_validate(h["_source"]) for h in raw["hits"]["hits"])
    for _ in range(5):  # bring in the targets of merges, however deep
        missing = {e.merged_into for e in view.by_id.values() if e.merged_into} - set(view.by_id)
        if not missing:
            break
        found = await client.mget(index=registry_alias(index), body={"ids": sorted(missing)})
        for doc in found["docs"]:
            if doc.get("found"):
                view.put(RegistryEntity.model_validate(doc["_source"]))
    out: dict[tuple[str, str], RegistryEntity] = {}
    for type_, name, key in wanted:
        resolved = view.resolve(type_, key)  # type: ignore[arg-type]
        if isinstance(resolved, RegistryEntity):
            out[(type_, name)] = resolved
    return out


async def canonical_selections(
    client: AsyncOpenSearch, index: str, req: SearchRequest
) -> SearchRequest:
    """The request with each selected or excluded person, agency and location named as the
    registry names its identity now: `person=Reagan` selects Ronald Reagan after a merge, an
    old name after a rename. Names the registry does not know stay as given."""
    asked = [
        (facet, value)
        for chosen in (req.filters, req.exclusions)
        for facet, values in chosen.items()
        if facet in IDENTIFIED
        for value in values
    ]
    if not asked:
        return req
    found = await resolve_names(client, index, asked)

    def renamed(chosen: dict[Any, list[str]]) -> dict[Any, list[str]]:
        return {
            facet: list(
                dict.fromkeys(found[(facet, v)].name if (facet, v) in found else v for v in values)
            )
            for facet, values in chosen.items()
        }

    return req.model_copy(
        update={"filters": renamed(req.filters), "exclusions": renamed(req.exclusions)}
    )


async def entity_page_by_id(client: AsyncOpenSearch, index: str, entity_id: str) -> EntityPage:
    """Raises EntityNotFound (unknown or blocked) or EntityMoved (merged)."""
    return await page_of(client, index, await get_entity(client, index, entity_id))


async def page_of(client: AsyncOpenSearch, index: str, entity: RegistryEntity) -> EntityPage:
    """The page of an identity already read from the registry (no second read)."""
    if entity.status == "merged" and entity.merged_into:
        raise EntityMoved(entity.id, entity.merged_into)
    if entity.status == "blocked":
        raise EntityNotFound(entity.type, entity.name)
    body = builder.build_entity_body(entity.type, entity.name, entity_id=entity.id)
    raw = await client.search(index=index, body=body, params=dict(builder.REQUEST_CACHE))
    page = shape_entity_page(raw, entity.type, entity.name, entity_id=entity.id)
    if page.total == 0 and not entity.curated:
        raise EntityNotFound(entity.type, entity.name)
    own = fold(entity.name)
    by_count = sorted(entity.aliases, key=lambda a: (-a.count, a.name))
    aliases = list(dict.fromkeys(a.name for a in by_count if fold(a.name) != own))
    return page.model_copy(
        update={"aliases": aliases[:_MAX_ALIASES_SHOWN], "candidates": entity.candidates}
    )
