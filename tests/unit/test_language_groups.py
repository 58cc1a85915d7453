"""A search names only the language groups the index holds, and finds the same articles."""

from __future__ import annotations

from typing import Any

from search import languages
from search.fields import LANGUAGE_TEXT_FIELDS
from search.query.builder import build_search_body
from search.query.compiler import compile_query
from search.query.language_groups import only_groups
from search.query.present_languages import groups_of
from search.query.request import SearchRequest

QUERIES = ["kim putin summit", '"kim putin"~5', 'title:"peace talks"', "zel* OR -sport", "a AND b"]


def _fields_named(node: Any) -> set[str]:
    """Every field name a body mentions, as a key or in a `fields` list (boosts dropped)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _fields_named(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "fields" and isinstance(value, list):
                found |= {f.partition("^")[0] for f in value if isinstance(f, str)}
            else:
                found.add(key)
            found |= _fields_named(value)
    return found


def test_every_group_kept_changes_nothing() -> None:
    for q in QUERIES:
        assert only_groups(compile_query(q), languages.suffixes()) == compile_query(q)


def test_an_english_archive_searches_and_highlights_no_language_field() -> None:
    for q in QUERIES:
        body = build_search_body(SearchRequest(q=q), groups=frozenset())
        assert not _fields_named(body) & LANGUAGE_TEXT_FIELDS, q
        assert {"title", "body", "body.exact"} <= _fields_named(body)


def test_a_korean_archive_searches_korean_and_nothing_else() -> None:
    body = build_search_body(SearchRequest(q="대통령 선거"), groups=frozenset({"ko"}))
    named = _fields_named(body) & LANGUAGE_TEXT_FIELDS
    assert named == {"title_ko", "body_ko"}
    assert {"title_ko", "body_ko"} <= set(body["highlight"]["fields"])


def test_proximity_keeps_the_intervals_of_kept_groups_only() -> None:
    query = only_groups(compile_query('"kim putin"~5'), {"fr"})
    fields = [next(iter(q["intervals"])) for q in query["dis_max"]["queries"]]
    assert fields == ["title.exact", "body.exact", "title_fr", "body_fr"]


def _codes(*codes: str, more: int = 0) -> dict[str, Any]:
    """A terms aggregation over `language` as OpenSearch answers it."""
    buckets = [{"key": code, "doc_count": 1} for code in codes]
    return {"buckets": buckets, "sum_other_doc_count": more}


def test_language_codes_become_groups_and_english_needs_none() -> None:
    assert groups_of(_codes("en", "ko", "pl", "fr")) == {"ko", "fr", languages.OTHER}
    assert groups_of(_codes("en")) == frozenset()


def test_an_archive_of_more_languages_than_counted_searches_every_group() -> None:
    assert groups_of(_codes("en", more=5)) is None
