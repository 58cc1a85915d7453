"""Indexed articles brought in line with the registry after a correction: their stored
mentions resolved again, no text re-read, no model run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from itertools import islice
from typing import Any, Final

from opensearchpy import OpenSearch, helpers

from search.entities import store
from search.entities.registry import RegistryView
from search.entities.resolution import ID_FIELDS, entity_fields, resolve_entities
from search.models import Entity

log = logging.getLogger(__name__)
CHUNK: Final = 500
#: What re-resolution rewrites: the entities and the flat fields derived from them.
_REWRITTEN: Final = ["entities", *entity_fields([])]


#: Values per `terms` clause: OpenSearch refuses a clause of more than 65,536
#: (`index.max_terms_count`), and a consolidation of a large archive can touch more identities.
TERMS_PER_CLAUSE: Final = 10_000


def affected_query(ids: Collection[str], keys: Collection[str]) -> dict[str, Any]:
    """Articles naming any of these identities, or any mention with one of these keys."""
    wanted = [(field, sorted(ids)) for field in ID_FIELDS.values()]
    wanted.append(("entity_keys", sorted(keys)))
    should: list[dict[str, Any]] = [
        {"terms": {field: values[start : start + TERMS_PER_CLAUSE]}}
        for field, values in wanted
        for start in range(0, len(values), TERMS_PER_CLAUSE)
    ]
    if not should:
        return {"match_none": {}}
    return {"bool": {"should": should, "minimum_should_match": 1}}


def reresolve_articles(
    client: OpenSearch,
    articles_alias: str,
    ids: Collection[str],
    keys: Collection[str],
    *,
    progress: Callable[[int], None] | None = None,
    registry_now: RegistryView | None = None,
) -> int:
    """Re-resolve every article the correction can touch; returns how many changed. Only
    those are written (most a merge can touch already name the identity it leaves), and the
    index is refreshed only if any was. `registry_now`, the whole registry as it stands, spares
    looking up every chunk's names (a consolidation over the whole registry holds it)."""
    registry = store.registry_alias(articles_alias)
    hits = helpers.scan(
        client,
        index=articles_alias,
        query={"query": affected_query(ids, keys), "_source": _REWRITTEN},
        size=CHUNK,
    )
    changed = 0
    while chunk := list(islice(hits, CHUNK)):
        sources: dict[str, dict[str, Any]] = {hit["_id"]: hit["_source"] for hit in chunk}
        stored = {article_id: _entities(source) for article_id, source in sources.items()}
        view = (
            registry_now
            if registry_now is not None
            else store.view_for_keys(
                client, registry, {e.key for found in stored.values() for e in found}
            )
        )
        actions = []
        for article_id, entities in stored.items():
            resolved = resolve_entities(entities, view)
            doc: dict[str, Any] = {"entities": [e.model_dump(mode="json") for e in resolved]}
            doc.update(entity_fields(resolved))
            if any(sources[article_id].get(field) != value for field, value in doc.items()):
                actions.append(
                    {"_op_type": "update", "_index": articles_alias, "_id": article_id, "doc": doc}
                )
        if actions:
            ok, _ = helpers.bulk(client, actions, max_retries=3, raise_on_error=False)
            changed += ok
        if progress is not None:
            progress(changed)
    if changed:
        client.indices.refresh(index=articles_alias)
    log.info("re-resolved %d articles", changed)
    return changed


def _entities(source: dict[str, Any]) -> list[Entity]:
    return [Entity.model_validate(e) for e in source.get("entities") or []]
