"""Missed names: datelines, repeats, surnames and places the model left untagged."""

from __future__ import annotations

import pytest

from search.entities.missed_names import find_missed, mark_datelines
from search.entities.spans import Candidate


def surfaces(text: str, candidates: list[Candidate]) -> list[tuple[str, str | None]]:
    return [(text[c.start : c.end], c.type) for c in candidates]


def test_a_dateline_is_a_sure_location_replacing_what_overlaps_it() -> None:
    text = "KHOROG, Tajikistan, March 3 -\nTroops took Khorog."
    marked = mark_datelines(text, [Candidate(0, 9, "person")])
    assert surfaces(text, marked) == [("KHOROG", "location"), ("Tajikistan", "location")]
    assert all(c.sure for c in marked)


@pytest.mark.parametrize(
    "line",
    [
        "OSLO 1987-03-03\nTroops took the town.",
        "OSLO 3/3/87\nTroops took the town.",
        "OSLO 03.03.1987\nTroops took the town.",
        "OSLO 3 March\nTroops took the town.",
        "OSLO March 3\nTroops took the town.",
    ],
)
def test_a_place_before_a_date_in_any_common_form_is_a_dateline(line: str) -> None:
    assert surfaces(line, mark_datelines(line, [])) == [("OSLO", "location")]


def test_a_place_before_a_mere_number_is_no_dateline() -> None:
    text = "OSLO 1987 was a hard year\nTroops took the town."
    assert mark_datelines(text, []) == []


def test_a_line_without_a_known_place_is_no_dateline() -> None:
    text = "BREAKING NEWS - something happened"
    assert mark_datelines(text, []) == []


def test_a_surname_after_the_full_name_is_the_person() -> None:
    text = "Anatoly Vereshchagin arrived. Officials said Vereshchagin would stay."
    found = find_missed(text, [Candidate(0, len("Anatoly Vereshchagin"), "person")])
    assert surfaces(text, found) == [("Anatoly Vereshchagin", "person"), ("Vereshchagin", "person")]


def test_the_longest_untagged_place_name_wins() -> None:
    text = "Flooding hit New Jersey on Friday."
    assert surfaces(text, find_missed(text, [])) == [("New Jersey", "location")]


def test_names_inside_blockers_are_not_searched_for() -> None:
    text = "Flooding hit New Jersey on Friday."
    blocker = Candidate(text.index("New"), text.index(" on"), None)
    assert find_missed(text, [], [blocker]) == []
