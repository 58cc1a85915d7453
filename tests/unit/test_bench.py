"""The benchmarks' own logic: if it were wrong, every figure in bench/results would be too."""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import latency_summary, percentile
from bench.corpus import (
    CLUSTER_SIZES,
    _mentions,
    build_model,
    cluster_runs,
    cluster_stats,
    clustered_docs,
    generate,
    read_records,
    with_copies,
)
from bench.query import SEARCH_KINDS, Call, grouped_call, grouped_ratios, search_call, variant_mix
from bench.tuning import variant_body
from search.entities.normalize import folding_key
from search.entities.registry import entity_id
from search.fields import CLUSTER_ID
from search.index.schema import index_body
from tests.conftest import FIXTURES

REUTERS_SAMPLE = FIXTURES / "reuters_sample.ndjson"


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([1.0, 2.0], 50) == 1.5
    summary = latency_summary([0.004, 0.001, 0.002, 0.003])
    assert summary["p50_ms"] == 2.5
    assert summary["max_ms"] == 4.0


def test_api_calls_encode_repeated_filters_and_booleans_like_a_browser() -> None:
    params = {"q": "oil", "country": ["Iran", "Iraq"], "histogram": True}
    call = Call("filtered", "/v1/search", params, {})
    assert call.query_pairs() == [
        ("q", "oil"),
        ("country", "Iran"),
        ("country", "Iraq"),
        ("histogram", "true"),
    ]


def test_index_variants_change_only_what_they_name() -> None:
    shipped = index_body()
    assert variant_body("baseline") == shipped
    assert variant_body("best_compression")["settings"]["codec"] == "best_compression"
    lean = variant_body("lean_facets")["mappings"]["properties"]
    folded = [f["fields"]["folded"] for f in lean.values() if "folded" in f.get("fields", {})]
    names = [f["fields"]["text"] for f in lean.values() if "text" in f.get("fields", {})]
    assert folded
    assert all(sub["doc_values"] is False for sub in folded)
    assert names
    assert all(sub["norms"] is False for sub in names)
    assert index_body() == shipped  # the shipped definition is never modified in place


def test_the_scale_corpus_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    model = build_model([REUTERS_SAMPLE])
    first, again, other = tmp_path / "a.ndjson", tmp_path / "b.ndjson", tmp_path / "c.ndjson"
    generate(first, 40, seed=7, with_entities=True, model=model)
    generate(again, 40, seed=7, with_entities=True, model=model)
    generate(other, 40, seed=8, with_entities=True, model=model)
    assert first.read_bytes() == again.read_bytes() != other.read_bytes()
    records = list(read_records(first))
    assert len(records) == 40
    real_titles = {json.loads(line)["title"] for line in REUTERS_SAMPLE.read_text().splitlines()}
    assert all(r["title"] in {" ".join(t.split()) for t in real_titles} for r in records)
    assert any(r.get("persons") or r.get("agencies") or r.get("countries") for r in records)


def test_cluster_runs_are_deterministic_and_make_the_intended_share_of_copies() -> None:
    runs = cluster_runs(10_000, seed=1, share=0.15)
    assert runs == cluster_runs(10_000, seed=1, share=0.15) != cluster_runs(10_000, seed=2)
    assert sum(runs) == 10_000
    assert all(size == 1 or size in CLUSTER_SIZES for size in runs)
    stats = cluster_stats(runs)
    assert stats["copies"] == 1_500
    assert stats["distinct_cluster_ids"] == 10_000 - 1_500
    assert 0.15 < stats["articles_in_clusters"] / 10_000 < 0.25
    assert set(stats["sizes"]) == set(CLUSTER_SIZES)  # every size occurs at this scale
    assert stats["sizes"][2] > stats["sizes"][10]  # and pairs are the commonest
    assert cluster_stats(cluster_runs(50, seed=1, share=0)) == cluster_stats([1] * 50)


def test_copies_follow_their_lead_and_carry_the_smallest_member_id(tmp_path: Path) -> None:
    corpus = tmp_path / "a.ndjson"
    generate(corpus, 60, seed=7, with_entities=True, model=build_model([REUTERS_SAMPLE]))
    runs = cluster_runs(60, seed=7, share=0.3)
    records = list(with_copies(read_records(corpus), runs, seed=7))
    assert records == list(with_copies(read_records(corpus), runs, seed=7))
    assert [r["id"] for r in records] == [r["id"] for r in read_records(corpus)]
    docs = list(clustered_docs(records))
    assert len(docs) == 60
    by_cluster: dict[str, list[dict[str, object]]] = {}
    for doc in docs:
        by_cluster.setdefault(str(doc.source[CLUSTER_ID]), []).append(doc.source)
    assert len(by_cluster) == len(runs)
    assert sorted(len(m) for m in by_cluster.values()) == sorted(runs)
    for cluster_id, members in by_cluster.items():
        assert cluster_id == min(str(m["id"]) for m in members)
        assert len({m["title"] for m in members}) == 1
        lead, *copies = members
        assert all(str(c["published_at"]) > str(lead["published_at"]) for c in copies)


def test_grouped_calls_add_only_the_grouping_and_are_compared_over_searches() -> None:
    plain = search_call("free_text", {"q": "oil prices"})
    grouped = grouped_call(plain)
    assert grouped.params == {"q": "oil prices", "group": "duplicates"}
    assert grouped.body["collapse"] == {"field": CLUSTER_ID}
    assert {k: v for k, v in grouped.body.items() if k not in ("collapse", "aggs")} == {
        k: v for k, v in plain.body.items() if k != "aggs"
    }
    entity = Call("entity", "/v1/entities/person/X", {}, {})
    mix = variant_mix([plain, entity, plain], grouped_call)
    assert mix[1] is entity
    assert mix[0] is mix[2]
    assert mix[0].params["group"] == "duplicates"
    plain_latencies = [("free_text", 0.002), ("phrase", 0.004), ("entity", 0.001)]
    grouped_latencies = [("free_text", 0.003), ("phrase", 0.004), ("entity", 0.009)]
    ratios = grouped_ratios(plain_latencies, grouped_latencies)
    assert ratios["plain_search_p50_ms"] == 3.0
    assert ratios["grouped_search_p50_ms"] == 3.5
    assert ratios["grouped_to_plain_p50"] == round(3.5 / 3.0, 3)
    assert ratios["grouped_to_plain_p50_by_kind"] == {"free_text": 1.5, "phrase": 1.0}
    assert set(ratios["grouped_to_plain_p50_by_kind"]) <= set(SEARCH_KINDS)


def test_scale_documents_carry_registry_ids_and_the_drawn_countries(tmp_path: Path) -> None:
    corpus = tmp_path / "a.ndjson"
    generate(corpus, 300, seed=3, with_entities=True, model=build_model([REUTERS_SAMPLE]))
    records = list(read_records(corpus))
    docs = [doc.source for doc in clustered_docs(records)]
    named = 0
    for record, doc in zip(records, docs, strict=True):
        for type_, key in (("person", "persons"), ("agency", "agencies")):
            expected = [f"{entity_id(type_, folding_key(n))}|{n}" for n in record[key]]
            assert doc[f"{type_}_facets"] == expected
            named += len(expected)
        assert set(doc["countries"]) <= set(record["countries"]) | set(record["locations"])
    assert named > 300  # the measured profile names a few per article


def test_mentions_are_whole_words_only() -> None:
    body = "U.S. and U.S.A. rose; Reaganomics aside, Reagan said (Reagan) Reagan_x"
    assert [(m.start, m.text) for m in _mentions(body, "location", "U.S.")] == [(0, "U.S.")]
    spans = [(m.start, m.end) for m in _mentions(body, "person", "Reagan")]
    assert spans == [(41, 47), (54, 60)]
    assert all(body[a:b] == "Reagan" for a, b in spans)
