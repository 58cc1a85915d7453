"""How a query was read, from the parse the search runs: the compact line under the search box
and `/v1/query/explain` say the same, clause by clause, as the compiler treats them."""

from __future__ import annotations

import pytest

from search.query.syntax import QuerySyntaxError
from search.query.understood import query_reading, read_query


@pytest.mark.parametrize(
    ("q", "summary"),
    [
        (
            'oil prices "central bank" -opec title:iran',
            "all of: oil, prices · phrase: “central bank” · not: opec · in the title: iran",
        ),
        ("oil", "word: oil"),
        ("kim putin summit talks", "most of: kim, putin, summit, talks"),
        ("(kim OR putin) -x -y", "any of: kim, putin · not: x, y"),
        ("person:zelensky sanct*", "as a person: zelensky · starting with: sanct"),
        ('title:"peace talks"~3', "phrase in the title: “peace talks” (within 3 words)"),
        ("kim~", "near spelling of: kim"),
        ("", "every article"),
    ],
)
def test_each_clause_is_labelled_as_the_search_reads_it(q: str, summary: str) -> None:
    assert read_query(q).summary == summary


def test_the_parts_and_the_sentence_come_from_one_parse() -> None:
    reading = read_query('troops "north korea" -russia')
    assert [(p.label, p.values) for p in reading.parts] == [
        ("word", ["troops"]),
        ("phrase", ["“north korea”"]),
        ("not", ["russia"]),
    ]
    assert reading.sentence == "troops and the phrase “north korea”, not russia"


def test_a_query_the_search_refuses_is_refused_and_the_page_shows_no_line() -> None:
    with pytest.raises(QuerySyntaxError):
        read_query('"unclosed')
    assert query_reading('"unclosed') is None
    assert query_reading("   ") is None
