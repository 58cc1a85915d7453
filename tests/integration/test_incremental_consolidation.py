"""The consolidation after an ingest run reads only what the run touched, and decides as a pass
over the whole registry would: a short form met in a later run still joins the full name an
earlier run created, and the other way round."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from search.entities import incremental, store
from search.entities.consolidate import consolidate
from search.entities.incremental import initials_pattern, last_word_patterns
from search.entities.registry import Alias, RegistryEntity, RegistryView, entity_id, new_entity
from search.entities.reresolve import affected_query
from search.entities.resolution import initials
from search.index import schema
from search.ingest.run import ingest_paths
from search.models import EntityType
from search.settings import Settings
from tests.conftest import drop_everything

pytestmark = pytest.mark.integration

FULL = "White House spokesman Marlin Fitzwater said President Ronald Reagan would veto the bill."
SHORT = "Reagan said on Tuesday that he would meet Soviet leader Mikhail Gorbachev in Geneva."
OTHERS = [
    "Chancellor Helmut Kohl met French President Francois Mitterrand in Paris on Monday.",
    "Prime Minister Margaret Thatcher told parliament in London that taxes would fall.",
]


@pytest.fixture
def alias(node_settings: Settings, os_client: OpenSearch, tmp_path: Path) -> Iterator[Settings]:
    name = f"test-incremental-{uuid.uuid4().hex[:10]}"
    settings = node_settings.model_copy(update={"index": name, "dead_letter_dir": tmp_path})
    try:
        yield settings
    finally:
        drop_everything(os_client, name)


def _ingest(settings: Settings, path: Path, stories: list[str], start: int) -> dict[str, int]:
    lines = [
        json.dumps({"id": str(start + n), "title": f"Story {start + n}", "body": body})
        for n, body in enumerate(stories)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ingest_paths(settings, [path]).entities


State = dict[str, tuple[str, str | None, list[str]]]


def _state(client: OpenSearch, settings: Settings) -> State:
    registry = store.registry_alias(settings.index)
    client.indices.refresh(index=registry)
    return {e.id: (e.status, e.merged_into, e.candidates) for e in store.scan_all(client, registry)}


def _resolved(client: OpenSearch, settings: Settings, key: str) -> RegistryEntity | None:
    view = store.view_for_keys(client, store.registry_alias(settings.index), {key})
    found = view.resolve("person", key)
    return found if isinstance(found, RegistryEntity) else None


@pytest.mark.parametrize(("first", "later"), [([FULL], [SHORT]), ([SHORT], [FULL])])
def test_a_later_run_decides_short_forms_as_a_whole_registry_pass_would(
    alias: Settings,
    os_client: OpenSearch,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    first: list[str],
    later: list[str],
) -> None:
    _ingest(alias, tmp_path / "first.ndjson", [*first, *OTHERS], 0)
    assert _resolved(os_client, alias, "reagan") != _resolved(os_client, alias, "ronald reagan")

    # The later run must read its slice, not the registry: reading it whole fails the test.
    def whole_registry(*_: object) -> Iterator[RegistryEntity]:
        raise AssertionError("the run's consolidation read the whole registry")

    monkeypatch.setattr(incremental, "FULL_SHARE", 1.0)
    monkeypatch.setattr(store, "scan_all", whole_registry)
    found = _ingest(alias, tmp_path / "later.ndjson", later, 10)
    monkeypatch.undo()

    assert found["merged"] >= 1
    reagan = _resolved(os_client, alias, "reagan")
    assert reagan is not None
    assert reagan.key == "ronald reagan"
    assert reagan == _resolved(os_client, alias, "ronald reagan")
    # A pass over the whole registry finds nothing left to do.
    before = _state(os_client, alias)
    assert consolidate(os_client, alias.index)["merged"] == 0
    assert _state(os_client, alias) == before


def _stored(client: OpenSearch, registry: str, keys: list[tuple[EntityType, str]]) -> None:
    now = datetime.now(UTC)
    store.write_entities(
        client, registry, [new_entity(t, k, k.title(), None, now) for t, k in keys]
    )


def test_shape_patterns_find_on_the_node_what_the_rules_say(
    alias: Settings, os_client: OpenSearch
) -> None:
    store.ensure_registry(os_client, alias.index)
    registry = store.registry_alias(alias.index)
    agencies = [
        "us department of agriculture",
        "u s department of agriculture",
        "securities and exchange commission",
        "the securities and exchange commission",
        "general motors",
        "general mills",
        "european community",
        "federal reserve board",
    ]
    persons = ["ronald reagan", "nancy reagan", "james baker", "reagan", "reaganomics"]
    _stored(os_client, registry, [("agency", k) for k in agencies])
    _stored(os_client, registry, [("person", k) for k in persons])

    shorts = ["usda", "sec", "gm", "ec", "frb", "xyz"]
    found = store.fetch_by_patterns(os_client, registry, [initials_pattern(s) for s in shorts])
    spelled = {e.key for e in found if " " in e.key and initials(e.key) in shorts}
    assert spelled == set(agencies)
    found = store.fetch_by_patterns(os_client, registry, last_word_patterns(["reagan", "kohl"]))
    assert {e.key for e in found} == {"ronald reagan", "nancy reagan"}
    ids = {entity_id("person", "ronald reagan"), entity_id("person", "nancy reagan")}
    assert RegistryView(found).by_id.keys() == ids


def test_the_node_answers_a_question_about_more_identities_than_one_clause_takes(
    settings: Settings, os_client: OpenSearch
) -> None:
    """A consolidation touching more identities than OpenSearch takes in one `terms` clause
    still finds the articles naming them."""
    schema.ensure_index(os_client, settings.index)
    os_client.index(
        index=settings.index,
        id="a1",
        body={"id": "a1", "title": "Reagan", "person_ids": ["p-1"], "entity_keys": ["reagan"]},
        refresh=True,
    )
    many = [f"p-{n}" for n in range(70_000)]
    found = os_client.search(
        index=settings.index,
        body={"query": affected_query(many, [f"k{n}" for n in range(70_000)]), "size": 5},
    )
    assert [hit["_id"] for hit in found["hits"]["hits"]] == ["a1"]


BRITISH = (
    "The Organisation for Economic Co-operation and Development said growth in Europe "
    "would slow next year."
)
AMERICAN = (
    "The Organization for Economic Co-operation and Development cut its forecast for "
    "growth in Japan on Thursday."
)


def test_a_later_run_joins_another_spelling_of_a_name_an_earlier_run_created(
    alias: Settings,
    os_client: OpenSearch,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _ingest(alias, tmp_path / "first.ndjson", [BRITISH, BRITISH, *OTHERS], 0)

    def whole_registry(*_: object) -> Iterator[RegistryEntity]:
        raise AssertionError("the run's consolidation read the whole registry")

    monkeypatch.setattr(incremental, "FULL_SHARE", 1.0)
    monkeypatch.setattr(store, "scan_all", whole_registry)
    found = _ingest(alias, tmp_path / "later.ndjson", [AMERICAN], 10)
    monkeypatch.undo()

    assert found["merged"] >= 1
    # The model may take the name without its last words: whatever it took, both spellings.
    registry = store.registry_alias(alias.index)
    spelled = {
        e.key.split()[0]: e
        for e in store.scan_all(os_client, registry)
        if e.key.startswith(("organisation for", "organization for"))
    }
    british, american = spelled["organisation"], spelled["organization"]
    assert (american.status, american.merged_into) == ("merged", british.id)
    assert british.status == "active"  # the spelling more stories used
    os_client.indices.refresh(index=alias.index)
    counted = os_client.search(
        index=alias.index,
        body={"size": 0, "query": {"term": {"agency_ids": british.id}}},
    )
    assert counted["hits"]["total"]["value"] == 3


def test_one_consolidation_takes_the_decisions_its_own_merges_make_possible(
    alias: Settings, os_client: OpenSearch
) -> None:
    """ "ICO" fits two spellings of the coffee organisation alike until they are joined; the
    same consolidation then joins it, and a second one finds nothing left to do."""
    schema.ensure_index(os_client, alias.index)
    store.ensure_registry(os_client, alias.index)
    registry = store.registry_alias(alias.index)

    def agency(name: str, key: str, own: int, ico: int) -> RegistryEntity:
        aliases = [Alias(key=key, name=name, count=own), Alias(key="ico", name="ICO", count=ico)]
        entity = new_entity("agency", key, name, None, datetime.now(UTC))
        return entity.model_copy(update={"aliases": aliases})

    usual = agency("International Coffee Organization", "international coffee organization", 50, 30)
    rare = agency("International Coffee Organisation", "international coffee organisation", 21, 20)
    short = new_entity("agency", "ico", "ICO", None, datetime.now(UTC)).model_copy(
        update={"aliases": [Alias(key="ico", name="ICO", count=60)]}
    )
    store.write_entities(os_client, registry, [usual, rare, short])

    assert consolidate(os_client, alias.index)["merged"] == 2
    view = RegistryView(store.scan_all(os_client, registry))
    assert view.final(rare.id) == view.final(short.id) == view.by_id[usual.id]
    assert consolidate(os_client, alias.index)["merged"] == 0
