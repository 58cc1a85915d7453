"""Chart legends and a page's closing furniture (sources, categories, archive state) go; the
prose around them, and look-alike lines of real articles, stay."""

from __future__ import annotations

import pytest

from search.ingest.boilerplate import clean, rule_for_line

PROSE = (
    "The committee met on Tuesday to discuss the findings of the report, which had been "
    "delayed for several months by a dispute over its scope."
)
CLOSING = (
    "Officials said a final decision would be announced after the consultation closes next "
    "month, and that no jobs would be lost in the meantime."
)


@pytest.mark.parametrize(
    "line",
    [
        "██ Harbour Party - 312 seats",
        "██ Independent candidates - 1 seat",
        "▇▇ Territory held by the northern coalition",
        "█ Grey seals: 40",
        "▌ Write-in",
        "████",
    ],
)
def test_a_chart_legend_line_is_dropped(line: str) -> None:
    assert rule_for_line(line) == "chart_legend"


@pytest.mark.parametrize(
    "line",
    [
        "▲충돌 76명(66.7%) ▲인명사상 18명(15.8%)이라고 밝혔다.",  # a bullet in prose
        "◇ 정확히 부합하는 통계 자료를 찾기는 어려워",  # a sub-heading, not a key
        "The Harbour Party won 312 seats, its best result since 1983.",
        "Block characters such as █ appear in some terminal art.",
    ],
)
def test_lines_that_merely_contain_shapes_are_kept(line: str) -> None:
    assert rule_for_line(line) is None


def test_a_legend_above_the_story_goes_and_the_story_stays() -> None:
    body = "\n\n".join(["██ Harbour Party - 312 seats", "██ Valley Alliance - 40 seats", PROSE])
    cleaned = clean(body)
    assert cleaned.text.strip() == PROSE
    assert cleaned.removed == ["██ Harbour Party - 312 seats", "██ Valley Alliance - 40 seats"]
    assert cleaned.rules == ["chart_legend", "chart_legend"]
    # what an entity page would show as the article's opening is now the story itself
    assert cleaned.text.strip().splitlines()[0] == PROSE


FOOTER = [
    "Sources",
    '"Council delays decision on harbour plan" — Coastal Herald, March 3, 2011',
    'Jane Roe. "Harbour plan in doubt" — The Morning Post, March 4, 2011',
    "Categories: March 3, 2011",
    "Europe",
    "Published",
    "Politics and conflicts",
    "Archived",
]


def test_a_trailing_run_of_sources_and_categories_is_dropped() -> None:
    body = "\n\n".join([PROSE, CLOSING, *FOOTER])
    cleaned = clean(body)
    assert cleaned.text.rstrip() == f"{PROSE}\n\n{CLOSING}"
    assert cleaned.removed == FOOTER
    assert set(cleaned.rules) == {"page_footer"}


def test_a_footer_label_alone_at_the_end_goes_but_short_lines_before_it_stay() -> None:
    body = "\n".join([PROSE, "Harbour crane at dusk", "See also", "Port strike enters third week"])
    cleaned = clean(body)
    assert cleaned.removed == ["See also", "Port strike enters third week"]
    assert "Harbour crane at dusk" in cleaned.text


@pytest.mark.parametrize(
    "body",
    [
        # a short closing line with no label before it: a caption or a sign-off, kept
        f"{PROSE}\n\nHarbour crane at dusk",
        # a label word in the middle of the article, prose after it
        f"{PROSE}\n\nSources\n\n{CLOSING}",
        # wire copy: a NOTES line wrapped over several lines is part of the report
        "Shr 1.20 dlrs vs 90 cts\nNet 5.1 mln vs 3.9 mln\n"
        "NOTES: Operating net excludes losses of 12.1 mln dlrs, or\n"
        "87 cts a share, vs 321,000 dlrs, or two cts a share, in quarter",
        # an interview ending in short answers
        f"{PROSE}\n\nWikinews: Will you run again?\n\nJane Roe: Yes.",
        # a heading closing a list of published works is prose-free but unlabelled
        "Les anciens billets seront retirés\n\nUbuntu 12.10",
    ],
)
def test_real_endings_are_kept(body: str) -> None:
    cleaned = clean(body)
    assert "page_footer" not in cleaned.rules
    assert cleaned.text == body
