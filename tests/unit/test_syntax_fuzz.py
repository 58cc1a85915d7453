"""Whatever a journalist types, the parser answers with a bounded query or a QuerySyntaxError."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from search.query.syntax import MAX_QUERY_LENGTH, QuerySyntaxError, compile_query

#: A generous ceiling: 100 clauses of a few hundred bytes each, plus the query text itself.
MAX_BODY_BYTES = 64_000

WORDS = st.sampled_from(
    ["kim", "Putin", "서울", "Élysée", "covid-19", "10:30", "U.S.", "O'Brien", "zelensky", "&"]
)
FIELDS = st.sampled_from(["title", "body", "person", "agency", "location", "source"])

# Fragments of the syntax in any order, well-formed or not.
PIECES = st.one_of(
    WORDS,
    FIELDS.map(lambda f: f + ":"),
    st.sampled_from(
        [
            "AND",
            "OR",
            "NOT",
            "-",
            "+",
            "(",
            ")",
            '"',
            "*",
            "~",
            "~2",
            "~99",
            ":",
            "foo:",
            "https://x",
        ]
    ),
    st.text(max_size=4),
)
GRAMMARISH = st.lists(st.tuples(PIECES, st.sampled_from(["", " ", "  "])), max_size=60).map(
    lambda parts: "".join(piece + gap for piece, gap in parts)
)


def _check(q: str) -> None:
    try:
        query = compile_query(q)
    except QuerySyntaxError as error:
        problem = error
    else:
        assert isinstance(query, dict)
        assert len(json.dumps(query)) <= MAX_BODY_BYTES
        return
    assert 0 <= problem.position <= len(q)
    assert problem.message


@settings(max_examples=400)
@given(st.text(max_size=MAX_QUERY_LENGTH + 50))
def test_any_text_compiles_or_fails_with_a_syntax_error(q: str) -> None:
    _check(q)


@settings(max_examples=400)
@given(GRAMMARISH)
def test_syntax_fragments_in_any_order_compile_or_fail_with_a_syntax_error(q: str) -> None:
    _check(q)


@st.composite
def well_formed(draw: st.DrawFn, depth: int = 0) -> str:
    """A query the grammar accepts: bounded leaves and nesting, fields only on leaves."""
    word = draw(WORDS.filter(lambda w: w != "&"))
    leaves = [
        word,
        f'"{word} {draw(WORDS)}"',
        f'"{word} talks"~{draw(st.integers(0, 50))}',
        "zel*",
        f"{word}~{draw(st.sampled_from(['', '0', '1', '2']))}",
        f"{draw(FIELDS)}:{word}",
    ]
    if depth >= 3:
        return draw(st.sampled_from(leaves))
    child = well_formed(depth + 1)
    query: str = draw(
        st.one_of(
            st.sampled_from(leaves),
            st.tuples(child, child).map(lambda ab: f"{ab[0]} {ab[1]}"),
            st.tuples(child, child).map(lambda ab: f"{ab[0]} AND {ab[1]}"),
            st.tuples(child, child).map(lambda ab: f"{ab[0]} OR {ab[1]}"),
            child.map(lambda a: f"NOT {a}"),
            child.map(lambda a: f"-({a})"),
            child.map(lambda a: f"+({a})"),
            child.map(lambda a: f"({a})"),
        )
    )
    return query


@settings(max_examples=300)
@given(well_formed())
def test_well_formed_queries_always_compile(q: str) -> None:
    query = compile_query(q)
    assert isinstance(query, dict)
    assert len(json.dumps(query)) <= MAX_BODY_BYTES
