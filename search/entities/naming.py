"""Entities named as most of the archive writes them: the consolidation's renames.

A new entity takes the name its first batch wrote most ("Li Ka-Shing", "Shearson Lehman
Brothers Inc"), so two ingests of one archive, read in another order or by other workers,
named some entities differently. The registry counts the articles behind every written form of
an entity's own key (`Alias.spellings`); after each run the consolidation names each entity by
its most used form, ties going the same way whatever the order. Names an editor gave are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from opensearchpy import OpenSearch

from search.entities.curation import Change
from search.entities.editing import RESOLVER, new_entry, record
from search.entities.registry import RegistryEntity, RegistryView, most_used


def plan_renames(entities: Iterable[RegistryEntity]) -> list[tuple[str, str]]:
    """(entity id, name) for each active entity no editor named whose own key most articles
    write otherwise than its name."""
    renames = []
    for entity in entities:
        if entity.status != "active" or entity.curated:
            continue
        own = entity.alias(entity.key)
        if own is None or own.curated or not own.spellings:
            continue
        if (best := most_used(own.spellings)) != entity.name:
            renames.append((entity.id, best))
    return renames


def apply_renames(
    client: OpenSearch,
    articles_alias: str,
    view: RegistryView,
    renames: list[tuple[str, str]],
    whole: RegistryView | None,
) -> int:
    """Rename in `view` and the registry, audited as the resolver's, and rewrite the articles
    naming those entities; returns how many were renamed."""
    if not renames:
        return 0
    now = datetime.now(UTC)
    changes = []
    for entity_id, name in renames:
        entity = view.by_id[entity_id]
        after = entity.model_copy(update={"name": name, "updated_at": now})
        view.put(after)
        change = Change(before={entity_id: entity}, after={entity_id: after})
        reason = f"most articles write '{name}'"
        changes.append((new_entry("rename", RESOLVER, reason, change, now), change))
    renamed = {entity_id for entity_id, _ in renames}
    return len(record(client, articles_alias, changes, whole, (renamed, set())))
