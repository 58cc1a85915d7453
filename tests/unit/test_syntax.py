"""The query syntax: every feature compiles to the body we mean, every mistake points at itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from search.languages import suffixes, text_fields
from search.query.syntax import (
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    And,
    MatchAll,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Required,
    Term,
    compile_query,
    parse,
)

#: Each language's own title and body (`title_ko^3`, `body_ko` ...), from the language table.
LANGUAGE_FIELDS = list(text_fields(title_boost=3))
FREE = ["title^3", "body", *LANGUAGE_FIELDS]
EXACT = ["title.exact^3", "body.exact", *LANGUAGE_FIELDS]
#: Prefixes and typos: the unstemmed copies only, which hold every language's words.
EXACT_ONLY = ["title.exact^3", "body.exact"]


def words(text: str) -> dict[str, Any]:
    """What free words compile to: all of one or two, most of more, in title or body."""
    return {
        "multi_match": {
            "query": text,
            "minimum_should_match": "2<75%",
            "tie_breaker": 1.0,
            "fields": FREE,
            "type": "cross_fields",
        }
    }


def every_word(text: str) -> dict[str, Any]:
    """What required words (`+kim`, `kim AND putin`) compile to: every one."""
    return {
        "multi_match": {
            "query": text,
            "operator": "and",
            "tie_breaker": 1.0,
            "fields": FREE,
            "type": "cross_fields",
        }
    }


def phrase(text: str, **extra: Any) -> dict[str, Any]:
    return {"multi_match": {"query": text, **extra, "fields": EXACT, "type": "phrase"}}


# --- what each feature compiles to -------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "   ", "\t\n"])
def test_blank_query_matches_every_article(q: str) -> None:
    assert parse(q) == MatchAll()
    assert compile_query(q) == {"match_all": {}}


def test_one_word_searches_title_and_body() -> None:
    assert compile_query("zelensky") == words("zelensky")


def test_adjacent_words_must_all_occur_in_title_or_body() -> None:
    assert compile_query("kim putin summit") == words("kim putin summit")


def test_and_keyword_requires_every_word_where_a_space_asks_for_most() -> None:
    assert compile_query("kim AND putin AND summit") == every_word("kim putin summit")
    assert compile_query("kim putin summit") == words("kim putin summit")
    assert compile_query("kim AND putin") == every_word("kim putin")


def test_and_between_groups_keeps_each_side_whole() -> None:
    assert parse("(kim OR moon) AND putin") == And(
        (
            Required(Or((Term("kim", position=1), Term("moon", position=8)))),
            Required(Term("putin", position=18)),
        )
    )


def test_lower_case_operators_are_ordinary_words() -> None:
    assert compile_query("kim and putin") == words("kim and putin")


def test_quoted_phrase_matches_the_unstemmed_fields_in_order() -> None:
    assert compile_query('"kim jong un"') == phrase("kim jong un")


def proximity(field: str, boost: float | None = None, gaps: int = 10) -> dict[str, Any]:
    rule: dict[str, Any] = {"match": {"query": "kim putin", "max_gaps": gaps, "mode": "unordered"}}
    if boost is not None:
        rule["boost"] = boost
    return {"intervals": {field: rule}}


def test_proximity_phrase_finds_the_words_in_either_order_within_the_distance() -> None:
    languages = [
        proximity(f, 3.0) if f.startswith("title_") else proximity(f)
        for f in (name.partition("^")[0] for name in LANGUAGE_FIELDS)
    ]
    assert compile_query('"kim putin"~10') == {
        "dis_max": {"queries": [proximity("title.exact", 3.0), proximity("body.exact"), *languages]}
    }


def test_proximity_phrase_on_one_field() -> None:
    assert compile_query('body:"kim putin"~4') == {
        "dis_max": {
            "queries": [
                proximity(field, gaps=4)
                for field in ("body.exact", *(f"body_{s}" for s in suffixes()))
            ]
        }
    }


def test_proximity_distance_beyond_the_limit_is_refused() -> None:
    assert compile_query('"kim putin"~50')["dis_max"]
    with pytest.raises(QuerySyntaxError, match="at most 50") as caught:
        compile_query('"kim putin"~5000')
    assert caught.value.position == 12


def test_or_needs_one_side_to_match() -> None:
    assert compile_query("kyiv OR kiev") == {
        "bool": {"should": [words("kyiv"), words("kiev")], "minimum_should_match": 1}
    }


def test_and_binds_tighter_than_or() -> None:
    assert parse("a b OR c") == Or(
        (And((Term("a", position=0), Term("b", position=2))), Term("c", position=7))
    )


def test_parentheses_change_the_grouping() -> None:
    assert compile_query("a (b OR c)") == {
        "bool": {
            "must": [
                words("a"),
                {"bool": {"should": [words("b"), words("c")], "minimum_should_match": 1}},
            ]
        }
    }


@pytest.mark.parametrize(
    ("q", "kept"),
    [("kim -putin", words), ("kim NOT putin", words), ("kim AND NOT putin", every_word)],
)
def test_minus_and_not_exclude_a_term(q: str, kept: Callable[[str], dict[str, Any]]) -> None:
    assert compile_query(q) == {"bool": {"must": [kept("kim")], "must_not": [words("putin")]}}


def test_exclusion_alone_keeps_everything_else() -> None:
    assert compile_query("-sport") == {"bool": {"must_not": [words("sport")]}}


def test_double_negation_cancels_out() -> None:
    assert parse("NOT -kim") == Term("kim", position=5)


def test_hyphen_inside_a_word_is_not_an_exclusion() -> None:
    assert compile_query("covid-19 Jean-Marie") == words("covid-19 Jean-Marie")


def test_plus_requires_its_word_among_words_that_need_only_most() -> None:
    assert parse("+kim") == Required(Term("kim", position=1))
    assert compile_query("+kim putin summit") == {
        "bool": {"must": [words("putin summit"), every_word("kim")]}
    }


def test_plus_inside_or_makes_that_side_mandatory() -> None:
    assert compile_query("kim OR +putin") == {
        "bool": {"must": [words("putin")], "should": [words("kim")]}
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        *(
            (
                f"{base}:summit",
                {
                    "multi_match": {
                        "query": "summit",
                        "operator": "and",
                        "fields": [base, *(f"{base}_{s}" for s in suffixes())],
                        "type": "best_fields",
                    }
                },
            )
            for base in ("title", "body")
        ),
        ("person:zelensky", {"match": {"persons.text": {"query": "zelensky", "operator": "and"}}}),
        ("agency:nato", {"match": {"agencies.text": {"query": "nato", "operator": "and"}}}),
        ("source:reuters", {"match": {"source.text": {"query": "reuters", "operator": "and"}}}),
        (
            "location:kyiv",
            {
                "multi_match": {
                    "query": "kyiv",
                    "operator": "and",
                    "fields": ["locations.text", "countries.text"],
                    "type": "best_fields",
                }
            },
        ),
    ],
)
def test_field_prefix_searches_only_its_fields(q: str, expected: dict[str, Any]) -> None:
    assert compile_query(q) == expected


def test_field_prefix_ignores_case() -> None:
    assert compile_query("Title:summit") == compile_query("title:summit")


def test_field_phrase_on_title_uses_the_exact_sub_field() -> None:
    assert compile_query('title:"peace talks"') == {
        "multi_match": {
            "query": "peace talks",
            "fields": ["title.exact", *(f"title_{s}" for s in suffixes())],
            "type": "phrase",
        }
    }


def test_field_phrase_on_a_name_field_uses_its_text_sub_field() -> None:
    assert compile_query('person:"vladimir putin"') == {
        "match_phrase": {"persons.text": {"query": "vladimir putin"}}
    }


def test_field_prefix_applies_to_a_whole_group() -> None:
    assert parse("person:(kim OR putin)") == Or(
        (Term("kim", "person", position=8), Term("putin", "person", position=15))
    )


def test_field_prefix_applies_to_one_term_only() -> None:
    assert parse("title:kim putin") == And(
        (Term("kim", "title", position=6), Term("putin", position=10))
    )


def test_prefix_search_is_bounded_and_runs_on_the_exact_fields() -> None:
    assert compile_query("zel*") == {
        "multi_match": {
            "query": "zel",
            "max_expansions": 50,
            "fields": EXACT_ONLY,
            "type": "phrase_prefix",
        }
    }


def test_prefix_search_on_a_field() -> None:
    assert compile_query("person:zel*") == {
        "match_phrase_prefix": {"persons.text": {"query": "zel", "max_expansions": 50}}
    }


@pytest.mark.parametrize(("q", "fuzziness"), [("zelenski~", "AUTO"), ("zelenski~1", 1)])
def test_fuzzy_word_allows_typos(q: str, fuzziness: str | int) -> None:
    assert compile_query(q) == {
        "multi_match": {
            "query": "zelenski",
            "fuzziness": fuzziness,
            "prefix_length": 1,
            "max_expansions": 50,
            "operator": "and",
            "fields": EXACT_ONLY,
            "type": "best_fields",
        }
    }


def test_fuzziness_beyond_two_typos_is_refused_not_capped() -> None:
    assert compile_query("zelenski~2")["multi_match"]["fuzziness"] == 2
    with pytest.raises(QuerySyntaxError, match="2 at most") as caught:
        compile_query("zelenski~9")
    assert caught.value.position == 9


def test_fuzzy_word_on_a_field() -> None:
    query = compile_query("title:zelenski~2")
    assert query["match"]["title.exact"]["fuzziness"] == 2


@pytest.mark.parametrize("q", ["서울 정상회담", "Élysée Françoise", "Зеленський"])
def test_unicode_words_are_searched_as_typed(q: str) -> None:
    assert compile_query(q) == words(q)


@pytest.mark.parametrize(
    "q", ["meeting at 10:30", "https://example.com/news/1", "score 2:1", "ratio 16:9"]
)
def test_colons_in_times_and_urls_are_text(q: str) -> None:
    assert compile_query(q) == words(q)


def test_punctuation_on_its_own_is_ignored() -> None:
    assert compile_query("kim & putin — summit") == words("kim putin summit")


@pytest.mark.parametrize(("q", "position"), [("😀", 0), (":", 0), ("  &&  —", 2), ("- :", 0)])
def test_a_query_with_no_word_is_refused_rather_than_matching_everything(
    q: str, position: int
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query(q)
    assert caught.value.position == position


@pytest.mark.parametrize(("q", "position"), [("\x00", 0), ("kim\x00", 3), ("kim \x1b[2J", 4)])
def test_control_characters_are_refused_where_they_stand(q: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError, match="control character") as caught:
        compile_query(q)
    assert caught.value.position == position


@pytest.mark.parametrize(
    ("q", "position"), [("iran^2", 4), ("iran^", 4), ('"kim putin"^2', 11), ("iran^0.5 oil", 4)]
)
def test_boosts_are_refused_rather_than_searched_as_a_number(q: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError, match="Boosting") as caught:
        compile_query(q)
    assert caught.value.position == position


def test_phrase_keeps_its_position_and_field() -> None:
    assert parse('  body:"a b"~3') == Phrase("a b", "body", 3, position=7)


def test_exclusion_of_a_group_negates_the_whole_group() -> None:
    assert parse("-(a OR b)") == Not(Or((Term("a", position=2), Term("b", position=7))))


# --- limits are inclusive ----------------------------------------------------------------------


def test_query_at_the_length_limit_is_accepted() -> None:
    q = '"' + "long " * 199 + 'end"'
    assert len(q) == MAX_QUERY_LENGTH
    compile_query(q)


def test_nesting_at_the_depth_limit_is_accepted() -> None:
    compile_query("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)


def test_terms_at_the_clause_limit_are_accepted() -> None:
    compile_query(" ".join(["w"] * MAX_CLAUSES))


# --- mistakes point at themselves --------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "position", "says"),
    [
        ('kim "jong un', 4, "Unclosed quote"),
        ("(kim OR putin", 0, "Unclosed '('"),
        ("kim (putin", 4, "Unclosed '('"),
        ("kim) putin", 3, "Unmatched ')'"),
        ("kim AND", 4, "AND needs a word, phrase or group after it"),
        ("AND kim", 0, "AND needs a word, phrase or group before it"),
        ("kim OR", 4, "OR needs a word, phrase or group after it"),
        ("kim OR AND putin", 4, "OR needs a word, phrase or group after it"),
        ("(OR kim)", 1, "OR needs a word, phrase or group before it"),
        ("kim NOT", 4, "NOT needs a word, phrase or group after it"),
        ("kim ()", 4, "Empty parentheses"),
        ('kim ""', 4, "Empty phrase"),
        ("kim - putin", 4, "'-' must be directly followed"),
        ("kim +", 4, "'+' must be directly followed"),
        ("z*", 0, "at least 2 letters before the *"),
        ("*", 0, "at least 2 letters before the *"),
        ("zel*nsky", 3, "A * is only allowed at the end of a word"),
        ("zelensky~x", 9, "After ~ write 1 or 2"),
        ("~2", 0, "Write the word before the ~"),
        ('"kim putin"~', 11, "Write the distance after ~"),
        ("title:", 0, "'title:' needs a word, phrase or group right after it"),
        ("title: ", 0, "'title:' needs a word, phrase or group right after it"),
        ("title:body:kim", 6, "'body:' cannot stand inside 'title:'"),
        ("title:(body:kim)", 7, "'body:' cannot stand inside 'title:'"),
    ],
)
def test_malformed_query_reports_where_and_what(q: str, position: int, says: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query(q)
    assert caught.value.position == position
    assert says in caught.value.message


def test_unknown_field_lists_the_known_ones() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query("kim foo:bar")
    assert caught.value.position == 4
    assert "Unknown field 'foo:'" in caught.value.message
    for name in ("title", "body", "person", "agency", "location", "source"):
        assert name in caught.value.message


def test_too_long_query_is_refused_at_the_limit() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query("a" * (MAX_QUERY_LENGTH + 1))
    assert caught.value.position == MAX_QUERY_LENGTH
    assert "limit is 1000" in caught.value.message


def test_too_deep_nesting_is_refused_at_the_first_parenthesis_too_many() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert caught.value.position == MAX_DEPTH
    assert "nested too deeply" in caught.value.message


def test_long_not_chains_count_as_nesting() -> None:
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        compile_query("NOT " * (MAX_DEPTH + 1) + "kim")


def test_too_many_terms_are_refused_at_the_first_one_too_many() -> None:
    q = " ".join(["w"] * (MAX_CLAUSES + 1))
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query(q)
    assert caught.value.position == 2 * MAX_CLAUSES
    assert "Too many terms" in caught.value.message


def test_error_text_carries_the_position_for_logs() -> None:
    with pytest.raises(QuerySyntaxError, match=r"\(at character 4\)$"):
        compile_query("kim AND")
