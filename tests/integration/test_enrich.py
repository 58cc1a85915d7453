"""Entities in the index: the seed story's facets, and re-extraction without the sources."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from search.ingest.run import ingest_paths, reenrich_index
from search.settings import Settings
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration

PERSONS = {"Volodymyr Zelensky", "Kim Jong-un", "Koo Byoung-sam", "Lee Seong-kweun"}


def _seed(client: OpenSearch, index: str) -> dict[str, object]:
    client.indices.refresh(index=index)
    hits = client.search(index=index, body={"query": {"match_all": {}}})["hits"]["hits"]
    assert len(hits) == 1
    source: dict[str, object] = hits[0]["_source"]
    return source


def test_seed_article_is_indexed_with_canonical_entities(
    settings: Settings, os_client: OpenSearch
) -> None:
    ingest_paths(
        settings, [FIXTURES / "seed_article.txt"], source="Kyiv Post", published_at="2025-01-13"
    )
    doc = _seed(os_client, settings.index)
    assert set(doc["persons"]) == PERSONS  # type: ignore[arg-type]
    assert {"National Intelligence Service", "Security Service of Ukraine"} <= set(doc["agencies"])  # type: ignore[arg-type]
    assert {"North Korea", "South Korea", "Ukraine", "Russia"} <= set(doc["countries"])  # type: ignore[arg-type]
    assert {"2025-01-09", "2025-01-11", "2025-01-12", "2025-01-13"} <= set(doc["dates_mentioned"])  # type: ignore[arg-type]
    assert doc["entities_status"] == "extracted"


def test_enrich_reindex_restores_entities_from_the_stored_text(
    settings: Settings, os_client: OpenSearch
) -> None:
    ingest_paths(
        settings, [FIXTURES / "seed_article.txt"], source="Kyiv Post", published_at="2025-01-13"
    )
    doc = _seed(os_client, settings.index)
    os_client.update(
        index=settings.index,
        id=str(doc["id"]),
        refresh=True,
        body={"doc": {"persons": ["Stale Name"], "entities": [], "entities_status": "pending"}},
    )

    outcome = reenrich_index(settings)

    assert outcome["articles"] == 1
    assert outcome["outcomes"] == {"updated": 1}
    again = _seed(os_client, settings.index)
    assert set(again["persons"]) == PERSONS  # type: ignore[arg-type]
    assert again["entities_status"] == "extracted"
    assert again["body"] == doc["body"]
