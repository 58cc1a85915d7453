"""A broad text search counts its facets over its best matches, and says how many: the
sampler as OpenSearch runs it, read back by the project's shaper."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from search.query.builder import build_search_body
from search.query.request import SearchRequest
from search.query.results import SearchResponse, shape_search_response
from search.settings import Settings

pytestmark = pytest.mark.integration


def _search(
    client: OpenSearch, settings: Settings, req: SearchRequest, sample: int
) -> SearchResponse:
    body = build_search_body(req, facet_sample=sample)
    return shape_search_response(client.search(index=settings.index, body=body), req)


def test_facets_of_a_broad_search_are_counted_over_the_best_matches(
    os_client: OpenSearch, corpus_settings: Settings
) -> None:
    req = SearchRequest(q="said", facet_size=100)
    whole = _search(os_client, corpus_settings, req, sample=10_000)
    assert whole.total.value > 40
    assert whole.facets_counted is None
    part = _search(os_client, corpus_settings, req, sample=20)
    assert part.facets_counted == 20
    assert part.total == whole.total
    assert part.hits == whole.hits
    sources = part.facets["source"]
    assert sum(row.count for row in sources) == 20  # one source per article: they add up
    for name, rows in part.facets.items():
        exact = {row.value: row.count for row in whole.facets[name]}
        assert all(row.count <= exact[row.value] for row in rows if row.value in exact)


def test_a_search_within_the_sample_is_counted_exactly(
    os_client: OpenSearch, corpus_settings: Settings
) -> None:
    req = SearchRequest(q="cocoa")
    found = _search(os_client, corpus_settings, req, sample=10_000)
    assert 0 < found.total.value < 10_000
    assert found.facets_counted is None
    assert found.facets
