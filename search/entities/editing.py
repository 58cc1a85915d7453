"""Corrections applied: the registry written, the articles re-resolved, the audit log kept.

Every correction, an editor's or the resolver's, is an audit entry holding the records before
and after it, so any one can be listed, explained and reverted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from opensearchpy import NotFoundError, OpenSearch, helpers
from pydantic import BaseModel, Field

from search.entities import store
from search.entities.curation import Change, Correction, CorrectionError, apply
from search.entities.registry import RegistryEntity, RegistryView
from search.entities.reresolve import reresolve_articles
from search.entities.resolution import mention_key


class Snapshot(BaseModel):
    id: str
    entity: RegistryEntity | None


class AuditEntry(BaseModel):
    """One correction: who, when, why, what it changed, and how many articles followed."""

    id: str
    at: datetime
    actor: str
    action: str
    reason: str = ""
    correction: dict[str, Any] = Field(default_factory=dict)
    entity_ids: list[str] = Field(default_factory=list)
    before: list[Snapshot] = Field(default_factory=list)
    after: list[Snapshot] = Field(default_factory=list)
    articles_updated: int = 0
    reverted_by: str | None = None
    reverts: str | None = None


class AuditNotFound(LookupError):
    pass


class RevertConflict(CorrectionError):
    """A later correction changed the same entities; revert that one first."""


def load_view(
    client: OpenSearch, registry: str, ids: Iterable[str], names: Iterable[tuple[str, str]] = ()
) -> RegistryView:
    """The entities a correction can touch: those named, and every holder of their keys."""
    named = store.fetch_ids(client, registry, ids)
    keys = {k for e in named for k in e.alias_keys}
    keys |= {mention_key(name, e.type) for name, _ in names for e in named}
    view = store.view_for_keys(client, registry, keys)
    for entity in named:
        view.put(entity)
    store.complete_merges(client, registry, view)
    return view


def _names(correction: Correction) -> list[tuple[str, str]]:
    return [(value, "") for value in (getattr(correction, "alias", None),) if value]


def correct(
    client: OpenSearch, articles_alias: str, correction: Correction, actor: str
) -> AuditEntry:
    """Apply one correction end to end; raises CorrectionError when it cannot apply."""
    registry = store.registry_alias(articles_alias)
    into: str | None = getattr(correction, "into", None)
    ids = [correction.entity, *([into] if into else [])]
    view = load_view(client, registry, ids, _names(correction))
    now = datetime.now(UTC)
    change = apply(correction, view, now)
    entry = new_entry(correction.action, actor, correction.reason, change, now)
    entry.correction = correction.model_dump(mode="json")
    return record(client, articles_alias, [(entry, change)])[0]


#: The audit's actor for the changes the consolidation makes by itself.
RESOLVER: Final = "resolver"


def new_entry(action: str, actor: str, reason: str, change: Change, now: datetime) -> AuditEntry:
    return AuditEntry(
        id=uuid.uuid4().hex,
        at=now,
        actor=actor,
        action=action,
        reason=reason,
        entity_ids=sorted(change.after),
        before=[Snapshot(id=i, entity=e) for i, e in change.before.items()],
        after=[Snapshot(id=i, entity=e) for i, e in change.after.items()],
    )


def record(
    client: OpenSearch,
    articles_alias: str,
    changes: list[tuple[AuditEntry, Change]],
    registry_now: RegistryView | None = None,
    affected: tuple[set[str], set[str]] | None = None,
) -> list[AuditEntry]:
    """Write the registry records and audit entries, then re-resolve the articles once
    (against `registry_now`, the whole registry after the changes, when the caller holds it).
    `affected` (ids, keys) narrows the articles read again when the caller knows which can
    change; by default every name of every entity changed."""
    registry = store.registry_alias(articles_alias)
    final: dict[str, RegistryEntity] = {}
    ids: set[str] = set()
    keys: set[str] = set()
    for _, change in changes:
        final.update(change.after)
        ids |= set(change.after)
        keys |= change.keys()
    if affected is not None:
        ids, keys = affected
    store.write_entities(client, registry, final.values())
    updated = reresolve_articles(client, articles_alias, ids, keys, registry_now=registry_now)
    entries = []
    for entry, _ in changes:
        entries.append(entry.model_copy(update={"articles_updated": updated}))
    _write_audit(client, articles_alias, entries)
    return entries


def _write_audit(client: OpenSearch, articles_alias: str, entries: list[AuditEntry]) -> None:
    index = store.audit_alias(articles_alias)
    actions = [
        {"_index": index, "_id": e.id, "_source": e.model_dump(mode="json")} for e in entries
    ]
    helpers.bulk(client, actions, refresh=True, max_retries=3)


def getnew_entry(client: OpenSearch, articles_alias: str, entry_id: str) -> AuditEntry:
    try:
        raw = client.get(index=store.audit_alias(articles_alias), id=entry_id)
    except NotFoundError as exc:
        raise AuditNotFound(entry_id) from exc
    return AuditEntry.model_validate(raw["_source"])


def audit_log(
    client: OpenSearch,
    articles_alias: str,
    *,
    entity_id: str | None = None,
    actor: str | None = None,
    size: int = 50,
) -> list[AuditEntry]:
    """Newest first; optionally only the corrections touching one entity or by one actor."""
    filters: list[dict[str, Any]] = []
    if entity_id:
        filters.append({"term": {"entity_ids": entity_id}})
    if actor:
        filters.append({"term": {"actor": actor}})
    raw = client.search(
        index=store.audit_alias(articles_alias),
        body={
            "query": {"bool": {"filter": filters}},
            "sort": [{"at": {"order": "desc"}}, {"id": {"order": "asc"}}],
            "size": size,
        },
    )
    return [AuditEntry.model_validate(hit["_source"]) for hit in raw["hits"]["hits"]]


def revert(client: OpenSearch, articles_alias: str, entry_id: str, actor: str) -> AuditEntry:
    """Write back the records as they were before `entry_id`; refused if a later correction
    changed them since (revert that one first). The entities it restores count as reviewed,
    so the resolver does not make the same automatic merge again."""
    entry = getnew_entry(client, articles_alias, entry_id)
    if entry.reverted_by:
        raise RevertConflict(f"Correction {entry_id} was already reverted by {entry.reverted_by}.")
    registry = store.registry_alias(articles_alias)
    current = {e.id: e for e in store.fetch_ids(client, registry, [s.id for s in entry.after])}
    for snap in entry.after:
        now_there = current.get(snap.id)
        # Alias counts grow with every ingest; only a correction or a revert moves the
        # revision, and a revert of a later correction gives back this one's.
        if snap.entity is None or now_there is None or now_there.revision != snap.entity.revision:
            raise RevertConflict(
                f"Entity '{snap.id}' changed after correction {entry_id}; revert the later "
                "correction first (see the audit log)."
            )
    now = datetime.now(UTC)
    restored: dict[str, RegistryEntity] = {}
    removed = []
    for snap in entry.before:
        if snap.entity is None:
            removed.append(snap.id)
        else:
            restored[snap.id] = snap.entity.model_copy(
                update={"curated": True, "updated_at": now, "restored_from": snap.entity.revision}
            )
    store.delete_entities(client, registry, removed)
    change = Change(before={i: current.get(i) for i in current}, after=restored)
    undo = new_entry("revert", actor, f"revert of {entry_id}", change, now)
    undo.reverts = entry_id
    undo.entity_ids = sorted({*restored, *removed})
    result = record(client, articles_alias, [(undo, change)])[0]
    marked = entry.model_copy(update={"reverted_by": undo.id})
    _write_audit(client, articles_alias, [marked])
    return result


def export_curated(client: OpenSearch, articles_alias: str) -> list[dict[str, Any]]:
    """Every entity an editor touched, as it stands: a file to review under version control.

    Sorted by id with stable keys, so two exports diff line by line."""
    registry = store.registry_alias(articles_alias)
    curated = [e for e in store.scan_all(client, registry) if e.curated]
    return [store.to_doc(e) for e in sorted(curated, key=lambda e: e.id)]


def import_curated(
    client: OpenSearch, articles_alias: str, docs: Iterable[dict[str, Any]], actor: str
) -> AuditEntry:
    """Write exported entities back (another archive, or a reviewed file) as one audited
    correction, and re-resolve the articles they touch."""
    registry = store.registry_alias(articles_alias)
    store.ensure_registry(client, articles_alias)
    incoming = {e.id: e for e in (RegistryEntity.model_validate(d) for d in docs)}
    current = {e.id: e for e in store.fetch_ids(client, registry, incoming)}
    change = Change(before={i: current.get(i) for i in incoming}, after=incoming)
    entry = new_entry(
        "import", actor, f"{len(incoming)} curated entities", change, datetime.now(UTC)
    )
    return record(client, articles_alias, [(entry, change)])[0]
