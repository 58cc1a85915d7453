"""The benchmarks' own logic: if it were wrong, every figure in bench/results would be too."""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import latency_summary, percentile
from bench.corpus import build_model, generate, read_records
from bench.query import Call
from bench.tuning import variant_body
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
