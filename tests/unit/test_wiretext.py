"""Wire copy made fit for the model: wraps undone, tables and sign-offs blanked, length kept."""

from __future__ import annotations

import pytest

from search.entities.wiretext import (
    is_byline,
    is_sign_off,
    is_table_row,
    prepare_for_ner,
    wrap_newlines,
)

#: Indented paragraphs, wrapped at about 60 columns, a name torn across a line.
INDENTED = (
    "The central bank left its discount rate unchanged on\n"
    "Thursday, and Economy Minister Walter Brandhorst told\n"
    "reporters the decision had been expected for some weeks by\n"
    "the markets and by the government in Bonn and elsewhere.\n"
    "    Deputy Governor Helmut\n"
    "Kranzfelder said the bank would watch the currency closely.\n"
)

#: Paragraphs separated by blank lines, wrapped at about 50 columns.
BLOCKS = (
    "Shipping through the canal resumed on Tuesday after a\n"
    "three-day strike by pilots, the port authority said,\n"
    "and officials expected queues to clear by the weekend.\n"
    "\n"
    "The strike was called after talks with Transport\n"
    "Secretary Amelia Okonkwo-Hart broke down late last week\n"
    "over pay and the length of the working day for crews.\n"
)


def test_wrapped_lines_join_and_every_offset_stays_valid() -> None:
    prepared = prepare_for_ner(INDENTED)
    assert len(prepared) == len(INDENTED)
    assert "Deputy Governor Helmut Kranzfelder said" in prepared
    assert "Economy Minister Walter Brandhorst told reporters" in prepared
    start = INDENTED.index("Helmut")
    assert prepared[start : start + len("Helmut")] == "Helmut"


def test_an_indented_line_starts_a_new_paragraph() -> None:
    prepared = prepare_for_ner(INDENTED)
    assert "elsewhere.\n    Deputy" in prepared


def test_blank_line_paragraphs_keep_their_break_and_lose_their_wraps() -> None:
    prepared = prepare_for_ner(BLOCKS)
    assert "Transport Secretary Amelia Okonkwo-Hart broke" in prepared
    assert "weekend.\n\nThe strike" in prepared


def test_one_paragraph_per_line_is_not_hard_wrapped() -> None:
    text = (
        "Ministers met in Lisbon on Friday to agree the budget for the coming year, after "
        "months of talks that at times looked certain to fail.\n"
        "Short line\n"
        "Another paragraph follows here and runs well past the width any wire service would "
        "wrap its copy at, so nothing in this text is a wrap."
    )
    assert prepare_for_ner(text) == text


def test_short_lines_such_as_lists_and_headings_are_not_joined() -> None:
    text = "Results\n- Anna Petrov won\n- Carl Mendez second\nLate news"
    assert prepare_for_ner(text) == text
    assert wrap_newlines(["a line", "- item"]) == [False, False]


@pytest.mark.parametrize(
    "row",
    [
        "Shr 1.23 dlrs vs 1.10 dlrs",
        "    Revs 12.3 mln vs 10.2 mln",
        "Avg shrs 4,567,000 vs 4,321,000",
        "Net loss 2,041,000 vs profit 467,000",
        "Rotherham 3 Stockport 1",
        "Wheat 1,234.5 1,198.0 (1,020.2)",
    ],
)
def test_rows_of_figures_are_table_rows(row: str) -> None:
    assert is_table_row(row)


@pytest.mark.parametrize(
    "prose",
    [
        "Exports rose 12 pct to 1.2 bln dlrs in January from the previous month's level.",
        "The company said it would pay 45 cts a share on April 1.",
        "Anna Petrov beat Carl Mendez in straight sets.",
        "Sorghum nil (nil)",
    ],
)
def test_sentences_with_a_few_figures_are_prose(prose: str) -> None:
    assert not is_table_row(prose)


def test_table_rows_are_blanked_and_prose_around_them_kept() -> None:
    text = "Quarterly results of the Zandvoort Group:\n    Shr 1.23 dlrs vs 1.10 dlrs\n    Done."
    prepared = prepare_for_ner(text)
    assert len(prepared) == len(text)
    assert "Shr" not in prepared
    assert "dlrs" not in prepared
    assert prepared.startswith("Quarterly results of the Zandvoort Group:\n")
    assert prepared.endswith("\n    Done.")


@pytest.mark.parametrize(
    "line",
    ["By Jane Doe, Staff Writer", "by Tomas Ek and Rita Ora", "BY MARIA KOWALSKA"],
)
def test_bylines(line: str) -> None:
    assert is_byline(line)


def test_a_sentence_starting_with_by_is_not_a_byline() -> None:
    assert not is_byline("By Monday the talks with Petrov had failed")


@pytest.mark.parametrize(
    "line",
    [
        "-- Gdansk Newsroom +48 58 555 0100",
        "(Reporting by Ana Lima; Editing by Paul Grey)",
        "Tel: +44 20 7000 0000",
        "— Lisbon desk",
    ],
)
def test_sign_offs(line: str) -> None:
    assert is_sign_off(line)


def test_bylines_and_sign_offs_are_blanked() -> None:
    text = "By Jane Doe\nThe minister resigned.\n-- Gdansk Newsroom +48 58 555 0100"
    prepared = prepare_for_ner(text)
    assert prepared.split("\n") == [" " * 11, "The minister resigned.", " " * 34]
