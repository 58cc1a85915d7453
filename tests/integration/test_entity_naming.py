"""The same archive read in another order names its entities the same: each is named as most
of its articles write it, and the articles say so (search.entities.naming)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from search.entities import store
from search.entities.registry import MAX_SPELLINGS, learned, new_entity
from search.entities.resolver import Resolver
from search.ingest.run import ingest_paths
from search.settings import Settings

pytestmark = pytest.mark.integration

ACCENTED = [
    "French President François Mitterrand met Chancellor Helmut Kohl in Bonn on Monday.",
    "French President François Mitterrand told reporters in Paris that talks would go on.",
    "French President François Mitterrand arrived in Madrid for a two-day visit on Friday.",
]
NOW = datetime(2026, 1, 1, tzinfo=UTC)
PLAIN = ["French President Francois Mitterrand said in Lyon on Tuesday that he would stand."]


def _ingest(settings: Settings, path: Path, stories: list[str], start: int) -> None:
    lines = [
        json.dumps({"id": f"s{start + n}", "title": f"Story {start + n}", "body": body})
        for n, body in enumerate(stories)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_paths(settings, [path])


def _mitterrand(client: OpenSearch, settings: Settings) -> tuple[set[str], list[str], list[str]]:
    """The names the articles give him, the registry's name, and the resolver's renames."""
    client.indices.refresh(index=settings.index)
    hits = client.search(index=settings.index, body={"size": 20, "_source": ["persons"]})
    in_articles = {
        p for h in hits["hits"]["hits"] for p in h["_source"].get("persons", []) if "itterrand" in p
    }
    registry = list(store.scan_all(client, store.registry_alias(settings.index)))
    named = [e.name for e in registry if e.key == "francois mitterrand" and e.status == "active"]
    audit = store.audit_alias(settings.index)
    client.indices.refresh(index=audit)
    entries = client.search(index=audit, body={"size": 50, "query": {"term": {"action": "rename"}}})
    renames = [e["_source"]["actor"] for e in entries["hits"]["hits"]]
    return in_articles, named, renames


@pytest.mark.parametrize(("first", "later"), [(PLAIN, ACCENTED), (ACCENTED, PLAIN)])
def test_the_name_most_articles_write_wins_whichever_came_first(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, first: list[str], later: list[str]
) -> None:
    archive = settings.model_copy(update={"dead_letter_dir": tmp_path})
    _ingest(archive, tmp_path / "first.ndjson", first, 0)
    _ingest(archive, tmp_path / "later.ndjson", later, 10)

    in_articles, named, renames = _mitterrand(os_client, archive)
    assert named == ["François Mitterrand"]
    assert in_articles == {"François Mitterrand"}
    # Renamed only where the first run had met the rarer form first, and audited as such.
    assert renames == (["resolver"] if first is PLAIN else [])


def test_the_node_counts_and_names_forms_as_the_resolver_does(
    settings: Settings, os_client: OpenSearch
) -> None:
    """store.learn's script and registry.learned must agree, ties included."""
    batches: list[dict[str, dict[str, int]]] = [
        {"li ka-shing": {"Li Ka-Shing": 1}, "ka-shing": {"KA-SHING": 1}},
        {"li ka-shing": {"Li Ka-shing": 1, "Li Ká-shing": 1}},
        {"ka-shing": {"Ka-shing": 1}},
        # Past the bound of counted forms: the least counted give way, as in registry.learned.
        {"ka-shing": {f"Ka-shing {'!' * n}": 1 + n % 3 for n in range(1, MAX_SPELLINGS + 2)}},
        {"ka-shing": {"KA-SHING": 1, "Ka-Shing": 4}},
    ]
    created = new_entity("person", "li ka-shing", "Li Ka-Shing", None, NOW)
    registry = store.registry_alias(settings.index)
    store.ensure_registry(os_client, settings.index)
    store.create_entities(os_client, registry, {created.id: created}, {})
    expected = created
    for seen in batches:
        store.learn(os_client, registry, {created.id: created}, {created.id: seen})
        expected = learned(expected, seen)
    os_client.indices.refresh(index=registry)
    (stored,) = store.scan_all(os_client, registry)
    as_stored = {a.key: (a.name, a.count, a.spellings) for a in stored.aliases}
    assert as_stored == {a.key: (a.name, a.count, a.spellings) for a in expected.aliases}
    assert as_stored["li ka-shing"][0] == "Li Ká-shing"  # a three-way tie, settled by style


def test_articles_a_worker_named_before_another_created_the_entity_take_its_name(
    settings: Settings, os_client: OpenSearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers meeting a new name at once both create it; the registry keeps the first
    write's name, which here is already the common one, so no rename rewrites the articles
    the second worker named its own way: the consolidation must."""
    archive = settings.model_copy(update={"dead_letter_dir": tmp_path})
    _ingest(archive, tmp_path / "first.ndjson", ACCENTED[:2], 0)
    # The second run looks before the first has written: it finds nothing and creates again.
    monkeypatch.setattr(Resolver, "_load", lambda self, keys: None)
    _ingest(archive, tmp_path / "later.ndjson", PLAIN, 10)

    in_articles, named, renames = _mitterrand(os_client, archive)
    assert named == ["François Mitterrand"]
    assert renames == []
    assert in_articles == {"François Mitterrand"}
