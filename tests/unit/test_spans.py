"""Spans and folding keys: the identity of a name across spellings, and where it recurs."""

from __future__ import annotations

import pytest

from search.entities.spans import Candidate, coverage, folding_key, occurrences


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Kim Jong-un", "Kim Jong Un"),
        ("Kim Jong-un", "KIM JONG UN"),
        ("U.S.", "US"),
        ("Zelenskyy", "ZELENSKYY"),
        ("Recep Tayyip Erdoğan", "Recep Tayyip Erdogan"),
        ("São Paulo", "Sao Paulo"),
        ("O'Brien", "OBrien"),
        ("Seoul’s", "Seouls"),
    ],
)
def test_spelling_variants_share_a_folding_key(one: str, other: str) -> None:
    assert folding_key(one) == folding_key(other)


def test_folding_key_is_lower_case_ascii_words() -> None:
    assert folding_key("  Koo Byoung-sam ") == "koo byoung sam"
    assert folding_key("Köln/Bonn") == "koln bonn"


def test_occurrences_are_whole_words_only() -> None:
    text = "Lebed met Lebedev; Lebed’s aide and Lebed left."
    assert list(occurrences(text, "Lebed")) == [0, 19, 36]


def test_coverage_marks_the_characters_candidates_take() -> None:
    covered = coverage(10, [Candidate(2, 4, "person"), Candidate(6, 7, None)])
    assert covered == bytearray(b"\x00\x00\x01\x01\x00\x00\x01\x00\x00\x00")
