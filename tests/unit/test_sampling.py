"""Facets of broad text searches counted over their best matches: the request and the reading."""

from __future__ import annotations

from search.query.sampling import (
    SAMPLE_AGG,
    counted_over,
    facet_results,
    sampled,
    unsampled,
)

AGGS = {
    "facet_person": {"filter": {"match_all": {}}, "aggs": {"values": {"terms": {}}}},
    "facet_source": {"filter": {"match_all": {}}, "aggs": {"values": {"terms": {}}}},
    "histogram_published_at": {"filter": {"match_all": {}}},
    "groups": {"cardinality": {"field": "cluster_id"}},
}


def test_only_the_facets_move_under_the_sampler_and_come_back_unchanged() -> None:
    body = sampled(AGGS, shard_size=500)
    assert set(body) == {SAMPLE_AGG, "histogram_published_at", "groups"}
    assert body[SAMPLE_AGG]["sampler"] == {"shard_size": 500}
    assert set(body[SAMPLE_AGG]["aggs"]) == {"facet_person", "facet_source"}
    assert unsampled(body) == AGGS
    assert sampled({"groups": AGGS["groups"]}) == {"groups": AGGS["groups"]}


def test_a_response_reads_the_same_whether_sampled_or_not() -> None:
    plain = {"facet_person": {"doc_count": 3}, "histogram_published_at": {"doc_count": 9}}
    under = {SAMPLE_AGG: {"doc_count": 5, "facet_person": {"doc_count": 3}}}
    assert facet_results({**under, "histogram_published_at": {"doc_count": 9}}) == plain
    assert facet_results(plain) == plain
    assert counted_over(under, total=9) == 5
    assert counted_over(under, total=5) is None  # every match was counted
    assert counted_over(plain, total=9) is None
