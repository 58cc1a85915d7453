"""Span edges: run-together spans split apart, and each trimmed to the name."""

from __future__ import annotations

import pytest

from search.entities.spans import Candidate
from search.entities.trimming import split_span, trim_span


def trimmed(text: str, type_: str | None = None) -> str | None:
    span = trim_span(text, 0, len(text), type_)  # type: ignore[arg-type]
    return None if span is None else text[span[0] : span[1]]


# --- Trimming ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("North Korea’s", "North Korea"),
        ("Ukraine's", "Ukraine"),
        ("the Security Service of Ukraine", "Security Service of Ukraine"),
        ("The Security Service of Ukraine", "Security Service of Ukraine"),
        ("“Kyiv”", "Kyiv"),
        ("(NIS)", "NIS"),
        ("  AP News, ", "AP News"),
        ("U.S.", "U.S."),
        ("Acme Inc.", "Acme Inc."),
        ("Tass news agency", "Tass"),
        ("Kursk region", "Kursk"),
        ("Tactical Group of", "Tactical Group"),
        ("J. Smithers 57", "J. Smithers"),
        ("Channel 4", "Channel 4"),
        ("Brothers'", "Brothers"),
    ],
)
def test_trimming_keeps_only_the_name(raw: str, expected: str) -> None:
    assert trimmed(raw) == expected


def test_titles_are_trimmed_from_person_names_only() -> None:
    assert trimmed("President Volodymyr Zelensky", "person") == "Volodymyr Zelensky"
    assert trimmed("President Hotel", "agency") == "President Hotel"


def test_the_stays_inside_a_name_mid_sentence() -> None:
    text = "Judges met at The Hague on Friday."
    start = text.index("The Hague")
    assert trim_span(text, start, start + len("The Hague")) == (start, start + len("The Hague"))


def test_trimming_punctuation_only_leaves_nothing() -> None:
    assert trimmed("’s") is None
    assert trimmed(" , ") is None


# --- Splitting -----------------------------------------------------------------------------------


def test_a_place_possessive_before_an_agency_splits_into_place_and_agency() -> None:
    text = "Seoul’s National Intelligence Service said"
    pieces = split_span(text, Candidate(0, len("Seoul’s National Intelligence Service"), "agency"))
    assert [(text[p.start : p.end], p.type) for p in pieces] == [
        ("Seoul", "location"),
        ("National Intelligence Service", "agency"),
    ]


def test_a_possessive_that_is_no_place_stays_in_the_name() -> None:
    text = "McDonald’s Corporation said"
    pieces = split_span(text, Candidate(0, len("McDonald’s Corporation"), "agency"))
    assert [(p.start, p.end) for p in pieces] == [(0, len("McDonald’s Corporation"))]


def test_spans_across_lines_and_spaced_dashes_split() -> None:
    text = "Portugal - Rui Mendes\nParis"
    pieces = split_span(text, Candidate(0, len(text), "agency"))
    assert [text[p.start : p.end] for p in pieces] == ["Portugal", "Rui Mendes", "Paris"]


def test_parentheses_inside_a_span_separate_a_name_from_its_acronym() -> None:
    text = "the World Health Organization (WHO said"
    end = text.index(" said")
    pieces = split_span(text, Candidate(4, end, "agency"))
    assert [text[p.start : p.end] for p in pieces] == ["World Health Organization", "WHO"]


def test_a_place_and_its_country_split_apart() -> None:
    text = "Odessa, Ukraine"
    pieces = split_span(text, Candidate(0, len(text), "location"))
    assert [text[p.start : p.end] for p in pieces] == ["Odessa", "Ukraine"]
