"""The registry and its audit log in OpenSearch: each a versioned index behind its own alias,
named after the articles' alias, so a test's throw-away index has a throw-away registry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from opensearchpy import NotFoundError, OpenSearch, TransportError, helpers
from opensearchpy.helpers import BulkIndexError

from search.entities.registry import (
    MAX_ALIASES,
    MAX_SPELLINGS,
    RegistryEntity,
    RegistryView,
    Seen,
    in_order,
)
from search.index.schema import drop, ensure_index

#: Keys asked for in one terms query: a key has few holders, so the answer stays small.
KEYS_PER_QUERY: Final = 1000
#: Entities one plain search returns before the lookup falls back to a scroll.
PAGE: Final = 5000
#: Regular expressions asked for in one search (each walks the registry's key dictionary once).
PATTERNS_PER_QUERY: Final = 200
_FAST: Final = {"track_total_hits": "false"}

#: Adds one batch's alias counts to a stored entity; the upsert creates a new one whole.
_LEARN_SCRIPT: Final = """
for (entry in params.seen.entrySet()) {
  def alias = null;
  for (a in ctx._source.aliases) {
    if (a.key == entry.getKey()) { alias = a; break; }
  }
  if (alias == null) {
    if (ctx._source.aliases.size() >= params.max) { continue; }
    alias = ['key': entry.getKey(), 'name': '', 'count': 0, 'curated': false, 'spellings': [:]];
    ctx._source.aliases.add(alias);
    if (!ctx._source.alias_keys.contains(entry.getKey())) {
      ctx._source.alias_keys.add(entry.getKey());
    }
  }
  if (alias.spellings == null || alias.spellings.isEmpty()) {
    alias.spellings = [:];
    if (alias.name != '' && alias.count > 0) { alias.spellings[alias.name] = alias.count; }
  }
  alias.count += entry.getValue().count;
  for (pair in entry.getValue().spellings) {
    String f = pair[0];
    long n = pair[1];
    if (alias.spellings.containsKey(f)) {
      alias.spellings[f] += n;
    } else if (alias.spellings.size() < params.max_spellings) {
      alias.spellings[f] = n;
    } else {
      String least = null;
      long fewest = 0;
      for (s in alias.spellings.entrySet()) {
        long c = s.getValue();
        if (least == null || c < fewest || (c == fewest && s.getKey().compareTo(least) < 0)) {
          least = s.getKey();
          fewest = c;
        }
      }
      alias.spellings.remove(least);
      alias.spellings[f] = fewest + n;
    }
  }
  if (!alias.curated) {
    String best = null;
    long most = -1;
    int bestCaps = 0;
    int bestWide = 0;
    for (form in alias.spellings.entrySet()) {
      String f = form.getKey();
      long n = form.getValue();
      int caps = 0;
      int wide = 0;
      for (int i = 0; i < f.length(); ++i) {
        char ch = f.charAt(i);
        if (Character.isUpperCase(ch)) { caps++; }
        if (ch > 127) { wide++; }
      }
      if (best == null || n > most || (n == most && (caps < bestCaps
          || (caps == bestCaps && (wide > bestWide
          || (wide == bestWide && f.compareTo(best) < 0)))))) {
        best = f;
        most = n;
        bestCaps = caps;
        bestWide = wide;
      }
    }
    alias.name = best;
  }
}
"""


def registry_alias(articles_alias: str) -> str:
    return f"{articles_alias}-entities"


def audit_alias(articles_alias: str) -> str:
    return f"{articles_alias}-entity-audit"


def ensure_registry(client: OpenSearch, articles_alias: str) -> None:
    ensure_index(client, registry_alias(articles_alias), "entities")
    ensure_index(client, audit_alias(articles_alias), "entity_audit")


def drop_registry(client: OpenSearch, articles_alias: str) -> None:
    drop(client, registry_alias(articles_alias))
    drop(client, audit_alias(articles_alias))


def to_doc(entity: RegistryEntity) -> dict[str, Any]:
    doc: dict[str, Any] = entity.model_dump(mode="json")
    return doc


def _entities(hits: Iterable[Mapping[str, Any]]) -> Iterator[RegistryEntity]:
    for hit in hits:
        yield RegistryEntity.model_validate(hit["_source"])


def fetch_by_keys(
    client: OpenSearch, alias: str, keys: Iterable[str], field: str = "alias_keys"
) -> list[RegistryEntity]:
    """Every entity answering to any of `keys` (a terms query per thousand keys); with
    `field="spelling"`, every entity whose key is spelled as one of them."""
    wanted = sorted(set(keys))
    found: list[RegistryEntity] = []
    for i in range(0, len(wanted), KEYS_PER_QUERY):
        found.extend(_matching(client, alias, {"terms": {field: wanted[i : i + KEYS_PER_QUERY]}}))
    return found


def fetch_by_patterns(
    client: OpenSearch, alias: str, patterns: Iterable[str]
) -> list[RegistryEntity]:
    """Every entity whose own key matches one of `patterns` (Lucene regular expressions)."""
    wanted = sorted(set(patterns))
    found: list[RegistryEntity] = []
    for i in range(0, len(wanted), PATTERNS_PER_QUERY):
        should = [{"regexp": {"key": p}} for p in wanted[i : i + PATTERNS_PER_QUERY]]
        found.extend(_matching(client, alias, {"bool": {"should": should}}))
    return found


def _matching(client: OpenSearch, alias: str, query: Mapping[str, Any]) -> list[RegistryEntity]:
    # One plain search while the answer fits a page (the common case, a key has few
    # holders); a scroll only beyond it, as opening one costs three round trips.
    raw = client.search(index=alias, body={"query": query, "size": PAGE}, params=_FAST)
    hits = raw["hits"]["hits"]
    if len(hits) < PAGE:
        return list(_entities(hits))
    return list(_entities(helpers.scan(client, index=alias, query={"query": query})))


def ids_updated_since(client: OpenSearch, alias: str, since: datetime) -> set[str]:
    """Entities created or corrected at `since` or later (alias counts do not move
    `updated_at`)."""
    query = {"query": {"range": {"updated_at": {"gte": since.isoformat()}}}, "_source": False}
    return {hit["_id"] for hit in helpers.scan(client, index=alias, query=query)}


def count(client: OpenSearch, alias: str) -> int:
    return int(client.count(index=alias)["count"])


_CONSOLIDATED_AT: Final = "consolidated_at"


def consolidated_at(client: OpenSearch, alias: str) -> datetime | None:
    """When the last consolidation of this registry began (kept in the index's `_meta`)."""
    mappings: dict[str, Any] = client.indices.get_mapping(index=alias)
    index: dict[str, Any] = next(iter(mappings.values()), {})
    stamp = index.get("mappings", {}).get("_meta", {}).get(_CONSOLIDATED_AT)
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None


def mark_consolidated(client: OpenSearch, alias: str, started: datetime) -> None:
    client.indices.put_mapping(index=alias, body={"_meta": {_CONSOLIDATED_AT: started.isoformat()}})


def fetch_ids(client: OpenSearch, alias: str, ids: Iterable[str]) -> list[RegistryEntity]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    raw = client.mget(index=alias, body={"ids": wanted}, realtime=True)
    for doc in raw["docs"]:
        if "error" in doc:
            # mget reports a shard it could not read per document; that is not "no such entity".
            error = doc["error"]
            reason = error.get("type", "error") if isinstance(error, dict) else str(error)
            status = int(error.get("status", 500)) if isinstance(error, dict) else 500
            raise TransportError(status, reason, {"error": error})
    return [RegistryEntity.model_validate(d["_source"]) for d in raw["docs"] if d.get("found")]


def get_entity(client: OpenSearch, alias: str, entity_id: str) -> RegistryEntity | None:
    try:
        raw = client.get(index=alias, id=entity_id)
    except NotFoundError:
        return None
    return RegistryEntity.model_validate(raw["_source"])


def view_for_keys(client: OpenSearch, alias: str, keys: Iterable[str]) -> RegistryView:
    """A view holding every entity that answers to `keys`, and the targets of their merges."""
    view = RegistryView(fetch_by_keys(client, alias, keys))
    complete_merges(client, alias, view)
    return view


def complete_merges(client: OpenSearch, alias: str, view: RegistryView) -> None:
    """Fetch the entities merges and ambiguous short forms point at, until the view can
    follow every chain."""
    for _ in range(5):
        pointed = {i for e in view.by_id.values() for i in (e.merged_into, *e.candidates) if i}
        missing = pointed - set(view.by_id)
        if not missing:
            return
        for entity in fetch_ids(client, alias, missing):
            view.put(entity)


def scan_all(client: OpenSearch, alias: str) -> Iterator[RegistryEntity]:
    yield from _entities(helpers.scan(client, index=alias, query={"query": {"match_all": {}}}))


def scan_curated(client: OpenSearch, alias: str) -> Iterator[RegistryEntity]:
    """The entities an editor touched (a small part of the registry)."""
    query = {"query": {"term": {"curated": True}}}
    yield from _entities(helpers.scan(client, index=alias, query=query))


def write_entities(
    client: OpenSearch, alias: str, entities: Iterable[RegistryEntity], *, refresh: bool = True
) -> None:
    """Store whole entities (an editor's correction, a revert, an import)."""
    actions = [{"_index": alias, "_id": e.id, "_source": to_doc(e)} for e in entities]
    if actions:
        helpers.bulk(client, actions, refresh=refresh, max_retries=3)


def delete_entities(client: OpenSearch, alias: str, ids: Iterable[str]) -> None:
    actions = [{"_op_type": "delete", "_index": alias, "_id": i} for i in ids]
    if actions:
        helpers.bulk(client, actions, refresh=True, raise_on_error=False)


def create_entities(
    client: OpenSearch,
    alias: str,
    entities: Mapping[str, RegistryEntity],
    seen: Mapping[str, Seen],
) -> set[str]:
    """Store entities new to the registry, `seen` counts included, with plain creates (about
    a third of the cost of scripted upserts). One another worker created meanwhile (the ids
    are deterministic) answers 409 and gets this batch's counts added by `learn` instead;
    returns those ids (their stored name may not be the one this batch gave its articles)."""
    actions = [
        {"_op_type": "create", "_index": alias, "_id": i, "_source": to_doc(e)}
        for i, e in entities.items()
    ]
    if not actions:
        return set()
    _, errors = helpers.bulk(client, actions, max_retries=3, chunk_size=500, raise_on_error=False)
    failed = errors if isinstance(errors, list) else []
    taken = {
        item["create"]["_id"] for item in failed if item.get("create", {}).get("status") == 409
    }
    if len(taken) < len(failed):
        raise BulkIndexError(f"{len(failed) - len(taken)} registry entities not created", failed)
    learn(client, alias, entities, {i: seen.get(i, {}) for i in taken})
    return taken


def learn(
    client: OpenSearch,
    alias: str,
    entities: Mapping[str, RegistryEntity],
    seen: Mapping[str, Seen],
) -> None:
    """Add one batch's alias counts to each entity, creating the new ones.

    A scripted update with the whole entity as upsert: safe when several workers meet the same
    new name at once (the ids are deterministic, the second create becomes an update).
    """
    actions = []
    for entity_id, observed in seen.items():
        counts = {
            key: {"count": sum(f.values()), "spellings": in_order(f)} for key, f in observed.items()
        }
        params = {"seen": counts, "max": MAX_ALIASES, "max_spellings": MAX_SPELLINGS}
        actions.append(
            {
                "_op_type": "update",
                "_index": alias,
                "_id": entity_id,
                "retry_on_conflict": 5,
                "script": {"source": _LEARN_SCRIPT, "lang": "painless", "params": params},
                "upsert": to_doc(entities[entity_id]),
            }
        )
    if actions:
        helpers.bulk(client, actions, max_retries=3, chunk_size=500)
