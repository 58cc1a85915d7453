"""Junk: spans that are no names at all never become facet values."""

from __future__ import annotations

import pytest

from search.entities.junk import (
    ends_a_job_title,
    in_shouting,
    is_junk,
    is_torn_possessive,
    starts_a_job_title,
)


@pytest.mark.parametrize(
    "surface",
    [
        "Ctrl + Enter",
        "Alt+F4",
        "Cmd + Shift + P",
        "Enter",
        "X",
        "42",
        "2011-04-17",
        "president",
        "A Rapid Ceasefire",
        "Rapid Ceasefire In Ukraine",
        "Could Lead Trump",
        "@Kyivpost_official",
        "https://example.org",
        "GMT",
        "UTC",
        "I]t",
        "intra-Africa",
        "ex-England",
    ],
)
def test_junk_values_are_recognised(surface: str) -> None:
    assert is_junk(surface)


@pytest.mark.parametrize(
    "surface",
    [
        "Volodymyr Zelensky",
        "NIS",
        "AP News",
        "al-Qaeda",
        "Security Service of Ukraine",
        "eBay",
        "UN",
    ],
)
def test_real_names_are_not_junk(surface: str) -> None:
    assert not is_junk(surface)


def test_a_short_word_in_an_all_caps_line_is_shouting() -> None:
    text = "JOIN US ON TELEGRAM\nThe US said so."
    first, second = text.index("US"), text.index("US", text.index("\n"))
    assert in_shouting(text, first, first + 2)
    assert not in_shouting(text, second, second + 2)


def test_the_word_after_a_job_titles_of_is_an_office() -> None:
    text = "US Secretary of State Mike Pompeo spoke."
    start = text.index("State")
    assert ends_a_job_title(text, start, start + len("State"))
    assert not ends_a_job_title(text, 0, 2)


@pytest.mark.parametrize(
    "surface",
    [
        "Dlrs",
        "Revs",
        "Avg",
        "Shr",
        "Bank",
        "Commission",
        "Corp",
        "Co Inc",
        "Ltd",
        "Group",
        "International",
        "Exchange Commission",
        "Federal",
        "Ministry",
        "West",
        "United",
        "New",
    ],
)
def test_wire_abbreviations_generic_heads_and_legal_forms_alone_are_junk(surface: str) -> None:
    assert is_junk(surface)


@pytest.mark.parametrize(
    "surface",
    [
        "World Bank",
        "European Commission",
        "Federal Reserve",
        "Quillon Corp",
        "New Delhi",
        "United States",
        "Finance Ministry",
        "Zandvoort Group",
    ],
)
def test_names_with_a_generic_head_stay(surface: str) -> None:
    assert not is_junk(surface)


def test_a_possessive_fragment_after_and_is_a_torn_name() -> None:
    text = "ratings from Standard and Poor's Corp and from Tilden's Corp"
    torn = text.index("Poor's")
    assert is_torn_possessive(text, torn, torn + len("Poor's Corp"))
    whole = text.index("Tilden's")
    assert not is_torn_possessive(text, whole, whole + len("Tilden's Corp"))


def test_the_field_before_a_job_title_is_no_agency() -> None:
    text = "Finance Minister Hal Brandt and the Finance Ministry"
    assert starts_a_job_title(text, 0, len("Finance"))
    later = text.rindex("Finance")
    assert not starts_a_job_title(text, later, later + len("Finance"))
