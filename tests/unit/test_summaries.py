"""A cluster's summary, read from an aggregation, written to its members and read back from a
hit, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from search.duplicates import summaries
from search.duplicates.summaries import Copies
from search.query.request import SearchRequest
from search.query.results import shape_search_response


def _bucket(key: Any, count: int) -> dict[str, Any]:
    return {
        "key": key,
        "doc_count": count,
        "outlets": {"buckets": [{"key": "Reuters"}, {"key": "AP"}]},
        "outlet_count": {"value": 9},
        "first": {"value_as_string": "1987-03-02T10:00:00.000Z"},
        "last": {"value_as_string": "1987-03-04T08:30:00.000Z"},
    }


def test_summaries_are_read_per_cluster_with_every_outlet_counted() -> None:
    body = summaries.summary_body(["c2", "c1"])
    assert body["query"] == {"terms": {"cluster_id": ["c1", "c2"]}}
    assert body["aggs"]["clusters"]["terms"]["size"] == 2
    found = summaries.read_summaries(
        {"aggregations": {"clusters": {"buckets": [_bucket("c1", 12)]}}}
    )
    copies = found["c1"]
    assert (copies.count, copies.outlets, copies.outlet_count) == (12, ["Reuters", "AP"], 9)
    assert copies.first_published == datetime(1987, 3, 2, 10, tzinfo=UTC)
    assert copies.last_published == datetime(1987, 3, 4, 8, 30, tzinfo=UTC)


def test_every_cluster_is_paged_by_label_and_read_the_same_way() -> None:
    first = summaries.every_cluster_body()
    assert "after" not in first["aggs"]["clusters"]["composite"]
    later = summaries.every_cluster_body({"cluster": "c1"})
    assert later["aggs"]["clusters"]["composite"]["after"] == {"cluster": "c1"}
    raw = {"aggregations": {"clusters": {"buckets": [_bucket({"cluster": "c7"}, 3)]}}}
    assert summaries.read_summaries(raw)["c7"].count == 3


def test_members_get_the_summary_of_a_cluster_with_copies_and_lose_one_that_shrank() -> None:
    found = {
        "big": Copies(count=3, outlets=["Wire"], outlet_count=1),
        "alone": Copies(count=1, outlets=["Wire"], outlet_count=1),
    }
    body = summaries.write_body(found, ["big", "alone"], shrink=["alone"])
    params = body["script"]["params"]
    assert list(params["summaries"]) == ["big"]  # a cluster of one stores nothing
    assert params["summaries"]["big"]["count"] == 3
    assert params["shrink"] == ["alone"]
    bool_query = body["query"]["bool"]
    assert bool_query["filter"] == [{"terms": {"cluster_id": ["alone", "big"]}}]
    # members of `big`, and members of `alone` only if they still hold a summary
    assert {"terms": {"cluster_id": ["big"]}} in bool_query["should"]
    assert {"exists": {"field": "copies.count"}} in bool_query["should"]


def _hit(source: dict[str, Any]) -> dict[str, Any]:
    return {"_id": source["id"], "_source": source}


def test_a_grouped_hit_carries_its_stored_summary_or_stands_alone() -> None:
    stored = {"count": 4, "outlets": ["Wire", "Herald"], "outlet_count": 2}
    raw = {
        "hits": {
            "total": {"value": 2, "relation": "eq"},
            "hits": [
                _hit({"id": "a", "cluster_id": "a", "source": "Wire", "copies": stored}),
                _hit({"id": "b", "cluster_id": "b", "source": "Courier", "published_at": "2024"}),
            ],
        }
    }
    grouped = shape_search_response(raw, SearchRequest(q="x", group="duplicates"))
    first, second = grouped.hits
    assert first.copies is not None
    assert first.copies.count == 4
    assert second.copies is not None
    assert (second.copies.count, second.copies.outlets) == (1, ["Courier"])
    plain = shape_search_response(raw, SearchRequest(q="x"))
    assert [h.copies for h in plain.hits] == [None, None]
