"""Missed names: datelines, repeats, surnames and places the model left untagged."""

from __future__ import annotations

from search.entities.missed_names import find_missed, mark_datelines
from search.entities.spans import Candidate


def surfaces(text: str, candidates: list[Candidate]) -> list[tuple[str, str | None]]:
    return [(text[c.start : c.end], c.type) for c in candidates]


def test_a_dateline_is_a_sure_location_replacing_what_overlaps_it() -> None:
    text = "TAVILDARA, Tajikistan 1996-08-30\nTroops took Tavildara."
    marked = mark_datelines(text, [Candidate(0, 9, "person")])
    assert surfaces(text, marked) == [("TAVILDARA", "location"), ("Tajikistan", "location")]
    assert all(c.sure for c in marked)


def test_a_line_without_a_known_place_is_no_dateline() -> None:
    text = "BREAKING NEWS - something happened"
    assert mark_datelines(text, []) == []


def test_a_surname_after_the_full_name_is_the_person() -> None:
    text = "Alexander Lebed arrived. Officials said Lebed would stay."
    found = find_missed(text, [Candidate(0, len("Alexander Lebed"), "person")])
    assert surfaces(text, found) == [("Alexander Lebed", "person"), ("Lebed", "person")]


def test_the_longest_untagged_place_name_wins() -> None:
    text = "Flooding hit New Jersey on Friday."
    assert surfaces(text, find_missed(text, [])) == [("New Jersey", "location")]


def test_names_inside_blockers_are_not_searched_for() -> None:
    text = "Flooding hit New Jersey on Friday."
    blocker = Candidate(text.index("New"), text.index(" on"), None)
    assert find_missed(text, [], [blocker]) == []
