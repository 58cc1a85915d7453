"""Grouped results, built and read without a server: collapse, best members, copies."""

from __future__ import annotations

from typing import Any

import pytest

from search.query import grouping
from search.query.builder import build_related_body, build_search_body
from search.query.cursor import InvalidCursor, decode_cursor, encode_cursor
from search.query.request import SearchRequest
from search.query.results import shape_search_response

GROUPED = SearchRequest(
    q="oil", filters={"source": ["Reuters"]}, group="duplicates", count_groups=True
)


def _hit(article_id: str, cluster: str | None) -> dict[str, Any]:
    source = {"id": article_id, "title": article_id}
    if cluster is not None:
        source["cluster_id"] = cluster
    return {"_id": article_id, "_source": source, "sort": [1.0, article_id]}


def test_a_grouped_page_collapses_on_the_cluster_and_counts_clusters_under_the_selections() -> None:
    body = build_search_body(GROUPED)
    assert body["collapse"] == {"field": "cluster_id"}
    groups = body["aggs"][grouping.GROUPS_AGG]
    assert groups["filter"]["bool"]["filter"] == [body["post_filter"]["bool"]["filter"][0]]
    assert groups["aggs"]["n"]["cardinality"]["field"] == "cluster_id"
    uncounted = build_search_body(GROUPED.model_copy(update={"count_groups": False}))
    assert "collapse" in uncounted
    assert grouping.GROUPS_AGG not in uncounted.get("aggs", {})
    plain = build_search_body(SearchRequest(q="oil"))
    assert "collapse" not in plain
    assert grouping.GROUPS_AGG not in plain.get("aggs", {})


def test_a_grouped_page_after_a_cursor_reads_the_plain_order() -> None:
    body = build_search_body(GROUPED, pit_id="p", search_after=[1.0, "a"])
    assert "collapse" not in body  # OpenSearch refuses collapse after search_after here
    assert body["search_after"] == [1.0, "a"]


def test_grouping_is_part_of_what_a_cursor_belongs_to() -> None:
    token = encode_cursor(GROUPED, [1.0, "a"], "pit")
    assert decode_cursor(token, GROUPED).pit_id == "pit"
    ungrouped = GROUPED.model_copy(update={"group": "none"})
    with pytest.raises(InvalidCursor, match="different search"):
        decode_cursor(token, ungrouped)


def test_the_best_members_question_keeps_the_query_order_and_selections_and_narrows() -> None:
    page = build_search_body(GROUPED, pit_id="p", search_after=[1.0, "a"])
    body = grouping.best_members_body(page, ["c1", "c2"])
    assert body["sort"] == page["sort"]
    assert body["pit"] == page["pit"]
    assert body["query"]["bool"]["must"] == [page["query"]]
    assert {"terms": {"cluster_id": ["c1", "c2"]}} in body["query"]["bool"]["filter"]
    assert page["post_filter"] in body["query"]["bool"]["filter"]
    assert body["collapse"] == {"field": "cluster_id"}
    assert body["size"] == 2
    assert "search_after" not in body
    assert "highlight" not in body
    assert "aggs" not in body


def test_only_the_best_member_of_each_cluster_stands_for_it_once() -> None:
    hits = [_hit("a", "c1"), _hit("b", "c2"), _hit("c", "c1"), _hit("d", None)]
    best = {"a", "b", "d"}  # c1's best is a; d stands alone (indexed before clustering)
    kept = grouping.first_of_each_cluster(hits, best)
    assert [h["_id"] for h in kept] == ["a", "b", "d"]
    # a cluster whose best member came before the cursor is left out here
    assert [h["_id"] for h in grouping.first_of_each_cluster(hits, {"c", "b"})] == ["b", "c"]
    shown = {"c2"}
    assert [h["_id"] for h in grouping.first_of_each_cluster(hits, best, shown)] == ["a", "d"]


def test_a_grouped_response_reports_clusters_beside_articles() -> None:
    raw = {
        "hits": {"total": {"value": 30, "relation": "eq"}, "hits": [_hit("a", "c1")]},
        "aggregations": {grouping.GROUPS_AGG: {"n": {"value": 7}}},
    }
    response = shape_search_response(raw, GROUPED)
    assert (response.total.value, response.groups) == (30, 7)
    assert response.hits[0].cluster_id == "c1"
    assert shape_search_response(raw, SearchRequest(q="oil")).groups is None


def test_related_articles_leave_out_the_articles_own_copies() -> None:
    body = build_related_body("a", "articles", content_hash="h", cluster_id="c1")
    excluded = body["query"]["bool"]["must_not"]
    assert body["query"]["bool"]["must"][0]["more_like_this"]["min_doc_freq"] == 2
    cluster = build_related_body("a", "articles", cluster_id="c1", cluster_size=3)
    # terms only its three copies share (each counted up to three times until its old
    # versions, from before its summary and before a consolidation merge, are merged away) do
    # not make another story related
    assert cluster["query"]["bool"]["must"][0]["more_like_this"]["min_doc_freq"] == 10
    assert {"term": {"cluster_id": "c1"}} in excluded
    assert {"term": {"content_hash": "h"}} in excluded


def test_a_cluster_lists_its_members_earliest_first_lead_first() -> None:
    body = grouping.members_body("c1", 50)
    assert body["query"] == {"term": {"cluster_id": "c1"}}
    assert list(body["sort"][0]) == ["published_at"]
    assert body["sort"][0]["published_at"]["order"] == "asc"
    assert body["sort"][1] == {"id": {"order": "asc"}}
