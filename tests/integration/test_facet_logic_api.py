"""Facet logic through the API on a real node: any of, all of, exclusion, the groups facet, and
the lookup of any value of a facet under a search (`facet_contains`)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch, helpers

from search.fields import FACET_COUNT_FIELDS, IDENTITY_SEPARATOR
from search.settings import Settings

pytestmark = pytest.mark.integration


def _docs(client: OpenSearch, index: str) -> list[dict[str, Any]]:
    return [
        hit["_source"]
        for hit in helpers.scan(client, index=index, query={"query": {"match_all": {}}})
    ]


def _search(api: TestClient, **params: Any) -> dict[str, Any]:
    response = api.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _names(doc: dict[str, Any], facet: str) -> set[str]:
    """An article's names of an entity facet, as the facet shows them."""
    keys = doc.get(FACET_COUNT_FIELDS[facet]) or []
    return {key.partition(IDENTITY_SEPARATOR)[2] for key in keys}


@pytest.fixture(scope="module")
def docs(corpus_settings: Settings, os_client: OpenSearch) -> list[dict[str, Any]]:
    return _docs(os_client, corpus_settings.index)


def _pair_named_together(docs: list[dict[str, Any]]) -> tuple[str, str]:
    """Two people named together in some articles, each also named without the other."""
    pairs: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        pairs.update(combinations(sorted(_names(doc, "person")), 2))
    alone = Counter(p for d in docs for p in _names(d, "person"))
    for (a, b), together in pairs.most_common():
        if alone[a] > together and alone[b] > together:
            return a, b
    pytest.fail("no two people are named together and apart in the corpus")


def test_any_of_and_all_of_match_the_documents(api: TestClient, docs: list[dict[str, Any]]) -> None:
    a, b = _pair_named_together(docs)
    either = [d for d in docs if _names(d, "person") & {a, b}]
    both = [d for d in docs if {a, b} <= _names(d, "person")]
    assert 0 < len(both) < len(either)

    any_of = _search(api, person=[a, b], facet_size=100)
    assert any_of["total"]["value"] == len(either)
    # Multi-select: the people are counted as if none were ticked.
    everyone = Counter(p for d in docs for p in _names(d, "person"))
    rows = {row["value"]: row["count"] for row in any_of["facets"]["person"]}
    assert rows[a] == everyone[a]
    assert rows[b] == everyone[b]

    all_of = _search(api, person=[a, b], all_of="person", facet_size=100)
    assert all_of["total"]["value"] == len(both)
    # All of: the people are counted within the narrowed hits.
    within = Counter(p for d in both for p in _names(d, "person"))
    for row in all_of["facets"]["person"]:
        assert row["count"] == within[row["value"]], row
    assert {r["value"] for r in all_of["facets"]["person"] if r["selected"]} == {a, b}
    # An export and a cursor page read the same articles.
    exported = api.get(
        "/v1/search/export", params={"person": [a, b], "all_of": "person", "format": "ndjson"}
    )
    assert exported.status_code == 200
    assert len(exported.text.splitlines()) == len(both)


def test_exclusion_and_the_groups_facet_match_the_documents(
    api: TestClient, docs: list[dict[str, Any]]
) -> None:
    groups = Counter(g for d in docs for g in _names(d, "groups"))
    assert groups, "the corpus names no groups"
    group = groups.most_common(1)[0][0]
    result = _search(api, groups=group, facet_size=100)
    assert result["total"]["value"] == groups[group]
    assert {r["value"]: r["count"] for r in result["facets"]["groups"]}[group] == groups[group]

    without = _search(api, not_groups=group)
    assert without["total"]["value"] == len(docs) - groups[group]
    assert all(r["value"] != group for r in without["facets"]["groups"])


def test_facet_contains_finds_a_value_beyond_the_top_ones_with_its_count(
    api: TestClient, docs: list[dict[str, Any]]
) -> None:
    top = {row["value"] for row in _search(api, facet_size=10)["facets"]["person"]}
    people = Counter(p for d in docs for p in _names(d, "person"))
    name = next(n for n, _ in people.most_common() if n not in top and len(n.split()) > 1)
    needle = name.split()[-1][:5].upper()

    found = _search(api, facets="person", facet_contains=needle, facet_size=50, size=1)
    assert list(found["facets"]) == ["person"]
    rows = {row["value"]: row["count"] for row in found["facets"]["person"]}
    assert rows[name] == people[name]
    assert all(needle.lower() in value.lower() for value in rows)
    # Under a search: the counts are those of the search and filters, none of them 0.
    word = "oil"
    oil = _search(api, q=word, facets="person", facet_contains="a", facet_size=100)
    plain = _search(api, q=word, facet_size=100)
    listed = {row["value"]: row["count"] for row in plain["facets"]["person"]}
    for row in oil["facets"]["person"]:
        assert row["count"] > 0
        if row["value"] in listed:
            assert row["count"] == listed[row["value"]]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"source": ["a", "b"], "all_of": "source"}, "all_of"),
        ({"all_of": "colour"}, "all_of"),
        ({"facets": "colour"}, "facets"),
        ({"facet_contains": "x" * 101}, "facet_contains"),
    ],
)
def test_bad_facet_logic_is_a_problem_naming_the_parameter(
    api: TestClient, params: dict[str, Any], parameter: str
) -> None:
    response = api.get("/v1/search", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert parameter in (problem.get("parameter") or "") + problem["detail"]


def test_the_new_parameters_are_documented(api: TestClient) -> None:
    schema = api.get("/v1/openapi.json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/v1/search"]["get"]["parameters"]}
    for name in ("all_of", "facets", "facet_contains", "groups", "not_groups"):
        assert name in parameters, name
    for name in ("all_of", "facets", "facet_contains", "groups"):
        assert parameters[name].get("description"), name
