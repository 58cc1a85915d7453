"""Acronyms: "Full Name (FN)" definitions, and every later use named in full."""

from __future__ import annotations

from search.entities.acronyms import apply_acronyms, find_acronyms
from search.entities.spans import Candidate


def test_acronyms_defined_after_an_entity_map_to_it() -> None:
    text = "The Security Service of Ukraine (SBU) said so. Later the SBU added more."
    start = text.index("Security Service of Ukraine")
    expansion = Candidate(start, start + len("Security Service of Ukraine"), "agency")
    definitions = find_acronyms(text, [expansion])
    assert set(definitions) == {"SBU"}
    found = apply_acronyms(text, [expansion], definitions)
    names = {(text[c.start : c.end], c.name) for c in found}
    assert ("SBU", "Security Service of Ukraine") in names
    assert len([c for c in found if text[c.start : c.end] == "SBU"]) == 2


def test_an_acronym_of_an_untagged_organisation_is_found_by_its_head_word() -> None:
    text = "the 84th Tactical Group of Ukraine’s Special Operation Forces (SSO), and more"
    definitions = find_acronyms(text, [])
    assert "SSO" in definitions
    definition = definitions["SSO"]
    assert text[definition.start : definition.end] == "Special Operation Forces"


def test_parentheses_that_do_not_abbreviate_the_name_before_are_ignored() -> None:
    text = "DPRK (North Korean) troops and SEOUL, South Korea (AP) reported"
    assert find_acronyms(text, []) == {}


def test_an_expansion_the_model_missed_becomes_a_mention() -> None:
    text = "the Special Operation Forces (SSO) said"
    found = apply_acronyms(text, [], find_acronyms(text, []))
    assert [(text[c.start : c.end], c.type, c.name) for c in found] == [
        ("Special Operation Forces", "agency", None),
        ("SSO", "agency", "Special Operation Forces"),
    ]
