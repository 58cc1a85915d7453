"""An entity is named as most articles write its own key, whatever order the archive came in;
an editor's name is kept."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from search.entities import consolidate
from search.entities.curation import Merge, Rename, apply
from search.entities.naming import plan_renames
from search.entities.registry import (
    MAX_SPELLINGS,
    Alias,
    RegistryEntity,
    RegistryView,
    entity_id,
    learned,
    most_used,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _entity(name: str, key: str, **extra: object) -> RegistryEntity:
    return RegistryEntity.model_validate(
        {"id": entity_id("person", key), "type": "person", "name": name, "key": key, **extra}
    )


def test_the_most_used_form_wins_and_a_tie_goes_the_same_way_in_any_order() -> None:
    assert most_used({"Li Ka-Shing": 8, "Li Ka-shing": 30}) == "Li Ka-shing"
    tied = [("Banco Do Brasil", 4), ("Banco do Brasil", 4), ("Banco de Brasil", 1)]
    assert {most_used(dict(order)) for order in itertools.permutations(tied)} == {
        "Banco do Brasil"  # a headline's capitals lose the tie
    }
    assert most_used({"Francois Mitterrand": 2, "François Mitterrand": 2}) == "François Mitterrand"
    assert most_used({"Zeta Jones": 1, "Zeta-Jones": 1}) == "Zeta Jones"  # code-point order


def test_batches_learned_in_any_order_give_one_name_and_one_count() -> None:
    batches = [
        {"li ka-shing": {"Li Ka-Shing": 2}},
        {"li ka-shing": {"Li Ka-shing": 3}},
        {"li ka-shing": {"Li Ka-shing": 1, "Li Ka-Shing": 1}},
    ]
    results = set()
    for order in itertools.permutations(batches):
        entity = _entity("Li Ka-Shing", "li ka-shing")
        for seen in order:
            entity = learned(entity, seen)
        (alias,) = entity.aliases
        results.add((alias.name, alias.count, tuple(sorted(alias.spellings.items()))))
    assert results == {("Li Ka-shing", 7, (("Li Ka-Shing", 3), ("Li Ka-shing", 4)))}


def test_an_alias_stored_before_forms_were_counted_keeps_its_count_as_its_name() -> None:
    old = _entity(
        "Paul Volcker", "paul volcker", aliases=[Alias(key="volcker", name="Volcker", count=5)]
    )
    (alias,) = learned(old, {"volcker": {"VOLCKER": 2}}).aliases
    assert (alias.name, alias.count, alias.spellings) == (
        "Volcker",
        7,
        {"Volcker": 5, "VOLCKER": 2},
    )


def test_forms_are_bounded_and_an_editors_alias_name_stays() -> None:
    forms = {f"Form {n}": 1 for n in range(MAX_SPELLINGS + 5)}
    (alias,) = learned(_entity("X", "x"), {"x": forms}).aliases
    assert len(alias.spellings) == MAX_SPELLINGS
    assert alias.count == MAX_SPELLINGS + 5
    curated = _entity("Baker", "baker", aliases=[Alias(key="baker", name="Baker", curated=True)])
    (kept,) = learned(curated, {"baker": {"BAKER": 9}}).aliases
    assert (kept.name, kept.curated) == ("Baker", True)


def test_an_entity_is_renamed_to_its_most_used_form_unless_an_editor_named_it() -> None:
    spellings = {"Li Ka-Shing": 2, "Li Ka-shing": 9}
    own = Alias(key="li ka-shing", name="Li Ka-shing", count=11, spellings=spellings)
    first_seen = _entity("Li Ka-Shing", "li ka-shing", aliases=[own])
    named_by_editor = first_seen.model_copy(update={"id": "p2", "curated": True})
    merged_away = first_seen.model_copy(update={"id": "p3", "status": "merged"})
    settled = first_seen.model_copy(update={"id": "p4", "name": "Li Ka-shing"})
    entities = [first_seen, named_by_editor, merged_away, settled]
    assert plan_renames(entities) == [(first_seen.id, "Li Ka-shing")]


def test_a_merge_adds_the_forms_of_both_and_the_common_one_names_the_alias() -> None:
    """An agency read once as "Japan Inc." merged into the place most stories call Japan."""
    place = RegistryEntity(
        id="l1",
        type="location",
        name="Japan",
        key="japan",
        aliases=[Alias(key="japan", name="Japan", count=1138, spellings={"Japan": 1138})],
    )
    firm = RegistryEntity(
        id="a1",
        type="agency",
        name="Japan Inc.",
        key="japan",
        aliases=[Alias(key="japan", name="Japan Inc.", count=1, spellings={"Japan Inc.": 1})],
    )
    view = RegistryView([place, firm])
    after = apply(Merge(entity="a1", into="l1", reason="one place"), view, NOW).after["l1"]
    assert after.alias("japan") == Alias(
        key="japan", name="Japan", count=1139, spellings={"Japan": 1138, "Japan Inc.": 1}
    )
    assert plan_renames([after]) == []


def test_a_common_form_met_after_many_rare_ones_still_names_the_alias() -> None:
    """Past MAX_SPELLINGS the least counted form gives way: the order the archive came in
    cannot keep the common form out."""
    rare = [{"li ka-shing": {f"Li Ka-Shing {'!' * n}": 1}} for n in range(MAX_SPELLINGS)]
    common = [{"li ka-shing": {"Li Ka-shing": 1}} for _ in range(20)]
    for batches in (rare + common, common + rare):
        entity = _entity("Li Ka-Shing", "li ka-shing")
        for seen in batches:
            entity = learned(entity, seen)
        (alias,) = entity.aliases
        assert (alias.name, alias.count) == ("Li Ka-shing", MAX_SPELLINGS + 20)
        assert len(alias.spellings) == MAX_SPELLINGS


def test_an_editors_name_survives_a_resolver_merge_into_it(monkeypatch: pytest.MonkeyPatch) -> None:
    full = _entity(
        "Ronald Reagan",
        "ronald reagan",
        aliases=[
            Alias(
                key="ronald reagan", name="Ronald Reagan", count=40, spellings={"Ronald Reagan": 40}
            )
        ],
    )
    view = RegistryView([full])
    for entity in apply(
        Rename(entity=full.id, name="Ronald Wilson Reagan"), view, NOW
    ).after.values():
        view.put(entity)
    short = _entity("Reagan", "reagan", aliases=[Alias(key="reagan", name="Reagan", count=20)])
    view.put(short)
    monkeypatch.setattr(consolidate, "record", lambda *args, **kwargs: [])  # no node here
    merges = [(short.id, full.id, "the resolver's")]
    consolidate._apply_merges(None, "news", view, merges, view)  # type: ignore[arg-type]
    assert view.by_id[short.id].status == "merged"
    assert view.by_id[full.id].curated
    assert plan_renames(view.by_id.values()) == []
