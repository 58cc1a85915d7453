"""Junk: spans that are no names at all never become facet values."""

from __future__ import annotations

import pytest

from search.entities.junk import ends_a_job_title, in_shouting, is_junk


@pytest.mark.parametrize(
    "surface",
    [
        "Ctrl + Enter",
        "Alt+F4",
        "Cmd + Shift + P",
        "Enter",
        "X",
        "42",
        "1996-08-30",
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
