"""Facet counts of a very broad text search, taken over its best matches.

A word like "market" matches a fifth of a million-article archive, and counting every person,
agency and location named by 200,000 articles is most of that search's time (bench.query_parts).
A text search therefore counts its facets under a `sampler` aggregation: over the
`FACET_SAMPLE` best-scoring matches. A search with fewer matches is counted exactly, the same
request; a broader one says so (`SearchResponse.facets_counted`), and the pages say "among the
N best matches". Browse pages (no text) are counted exactly, and come from the request cache.
Date histograms are never sampled: a timeline of the best matches would be a different chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

#: Best matches a text search's facets are counted over (on each shard).
FACET_SAMPLE: Final = 10_000
SAMPLE_AGG: Final = "facet_sample"
_FACET_PREFIX: Final = "facet_"


def sampled(aggs: Mapping[str, Any], shard_size: int = FACET_SAMPLE) -> dict[str, Any]:
    """`aggs` with its facet aggregations moved under one sampler; the rest unchanged."""
    facets = {name: agg for name, agg in aggs.items() if name.startswith(_FACET_PREFIX)}
    if not facets:
        return dict(aggs)
    rest = {name: agg for name, agg in aggs.items() if name not in facets}
    return {**rest, SAMPLE_AGG: {"sampler": {"shard_size": shard_size}, "aggs": facets}}


def unsampled(aggs: Mapping[str, Any]) -> dict[str, Any]:
    """A request's aggregations with the sampler's facets put back beside the others."""
    sample = aggs.get(SAMPLE_AGG)
    if not isinstance(sample, Mapping):
        return dict(aggs)
    return {**{k: v for k, v in aggs.items() if k != SAMPLE_AGG}, **sample.get("aggs", {})}


def facet_results(aggs: Mapping[str, Any]) -> dict[str, Any]:
    """A response's aggregations with the sampler's facets lifted beside the others."""
    sample = aggs.get(SAMPLE_AGG)
    if not isinstance(sample, Mapping):
        return dict(aggs)
    facets = {k: v for k, v in sample.items() if k.startswith(_FACET_PREFIX)}
    return {**{k: v for k, v in aggs.items() if k != SAMPLE_AGG}, **facets}


def counted_over(aggs: Mapping[str, Any], total: int) -> int | None:
    """How many matches the facets counted, when fewer than all `total` of them."""
    sample = aggs.get(SAMPLE_AGG)
    if not isinstance(sample, Mapping):
        return None
    counted = int(sample.get("doc_count", total))
    return counted if counted < total else None
