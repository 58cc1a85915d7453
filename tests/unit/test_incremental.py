"""The slice an ingest run's consolidation reads: which keys a touched entity is evidence for,
and the regular expressions that find the full names a short form fits by shape."""

from __future__ import annotations

import re

from search.entities.consolidate import plan_merges
from search.entities.incremental import (
    MAX_PATTERN,
    evidence_keys,
    initials_pattern,
    last_word_patterns,
)
from search.entities.registry import Alias, RegistryEntity, entity_id
from search.entities.resolution import initials
from search.models import EntityType

KEYS = [
    "us department of agriculture",
    "u s department of agriculture",
    "department of agriculture",
    "securities and exchange commission",
    "the securities and exchange commission",
    "general motors",
    "general mills",
    "european community",
    "european commission",
    "federal reserve board",
    "international business machines",
    "organisation for economic cooperation and development",
    "bank of england",
    "ronald reagan",
    "nancy reagan",
    "reagan",
    "de la rue",
    "us",
]


def _entity(key: str, type_: EntityType = "agency", **aliases: int) -> RegistryEntity:
    return RegistryEntity(
        id=entity_id(type_, key),
        type=type_,
        name=key.title(),
        key=key,
        aliases=[Alias(key=key, name=key, count=1)]
        + [Alias(key=k, name=k, count=n) for k, n in aliases.items()],
    )


def test_an_initials_pattern_finds_every_name_spelled_by_them_and_few_others() -> None:
    for short in {initials(k) for k in KEYS if " " in k}:
        pattern = re.compile(initials_pattern(short))
        found = {k for k in KEYS if pattern.fullmatch(k)}
        assert {k for k in KEYS if " " in k and initials(k) == short} <= found, short
        assert all(k[0] == short[0] or k.split()[0] in {"the", "de"} for k in found), short


def test_a_two_letter_first_word_counts_letter_by_letter() -> None:
    pattern = re.compile(initials_pattern("usda"))
    assert pattern.fullmatch("us department of agriculture")
    assert pattern.fullmatch("u s department of agriculture")
    assert not pattern.fullmatch("department of agriculture")


def test_surname_patterns_find_full_names_only_and_stay_short() -> None:
    patterns = [re.compile(p) for p in last_word_patterns(["reagan", "baker"])]
    matched = {k for k in KEYS if any(p.fullmatch(k) for p in patterns)}
    assert matched == {"ronald reagan", "nancy reagan"}
    many = last_word_patterns(f"surname{n}" for n in range(500))
    assert len(many) > 1
    assert all(len(p) <= MAX_PATTERN + 40 for p in many)
    assert sum(p.count("|") + 1 for p in many) == 500


def test_characters_lucene_reserves_are_escaped() -> None:
    assert initials_pattern("a&").startswith("(")
    assert "\\&" in initials_pattern("a&")
    assert "\\#" in last_word_patterns(["x#"])[0]


def test_a_full_name_is_evidence_for_its_surname_initials_and_linked_short_forms() -> None:
    assert evidence_keys(_entity("ronald reagan", "person", reagan=2)) == {
        "ronald reagan",
        "reagan",
    }
    assert evidence_keys(_entity("general motors", gm=3, gmc=0)) == {"general motors", "gm"}
    assert evidence_keys(_entity("reagan", "person", ron=4)) == {"reagan"}


def test_a_group_is_evidence_for_its_other_number() -> None:
    assert {"tory", "torys", "tories"} <= evidence_keys(_entity("tory", "group"))
    assert "tory" in evidence_keys(_entity("tories", "group"))
    assert evidence_keys(_entity("tories", "person")) == {"tories"}


def test_planning_only_the_touched_short_forms_gives_their_part_of_the_full_plan() -> None:
    reagan = _entity("ronald reagan", "person")
    bare = _entity("reagan", "person")
    gm, short_gm = _entity("general motors", gm=4), _entity("gm")
    full = plan_merges([reagan, bare, gm, short_gm])
    only = plan_merges([reagan, bare, gm, short_gm], shorts={bare.id}, retype_keys=set())
    assert [m for m in full.merges if m[0] == bare.id] == only.merges
    assert {m[0] for m in full.merges} == {bare.id, short_gm.id}


def test_a_touched_groups_other_number_is_planned_as_the_whole_registry_plans_it() -> None:
    def group(key: str, n: int) -> RegistryEntity:
        entity = _entity(key, "group")
        return entity.model_copy(update={"aliases": [Alias(key=key, name=key, count=n)]})

    tory, tories = group("tory", 120), group("tories", 40)
    other, other_one = group("democrats", 5), group("democrat", 9)
    everything = [tory, tories, other, other_one]
    full = plan_merges(everything)
    only = plan_merges(everything, shorts=set(), retype_keys={"tories"})
    assert [(s, t) for s, t, _ in only.merges] == [(tories.id, tory.id)]
    assert {(s, t) for s, t, _ in full.merges} == {(tories.id, tory.id), (other.id, other_one.id)}
