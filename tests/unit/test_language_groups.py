"""A search names only the language groups the index holds, and finds the same articles."""

from __future__ import annotations

from typing import Any

from search import languages
from search.fields import LANGUAGE_TEXT_FIELDS
from search.query.builder import build_search_body
from search.query.compiler import compile_query
from search.query.language_groups import only_groups
from search.query.present_languages import PresentLanguages
from search.query.request import SearchRequest
from tests.aio import run_apart

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


class _Index:
    """An index that holds articles in these languages and counts how often it was asked."""

    def __init__(self, codes: list[str], *, more: int = 0) -> None:
        self.codes, self.more, self.asked = codes, more, 0

    async def search(self, **_: Any) -> dict[str, Any]:
        self.asked += 1
        buckets = [{"key": code, "doc_count": 1} for code in self.codes]
        return {"aggregations": {"codes": {"buckets": buckets, "sum_other_doc_count": self.more}}}


def test_the_index_is_asked_once_per_interval_and_codes_become_groups() -> None:
    now = [0.0]
    present = PresentLanguages(ttl_s=30, clock=lambda: now[0])
    index = _Index(["en", "ko", "pl", "fr"])
    first = run_apart(present.groups(index, "news"))
    assert first == {"ko", "fr", languages.OTHER}
    now[0] = 29.0
    run_apart(present.groups(index, "news"))
    assert index.asked == 1
    now[0] = 31.0
    index.codes = ["en"]
    assert run_apart(present.groups(index, "news")) == frozenset()
    assert index.asked == 2


def test_an_archive_of_more_languages_than_counted_searches_every_group() -> None:
    present = PresentLanguages()
    index = _Index(["en"], more=5)
    assert run_apart(present.groups(index, "news")) is None
