"""Entities per language against the real node: French through its own model, Korean and
Ukrainian through known names, and one location identity across scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch

from search.fields import IDENTITY_SEPARATOR
from search.ingest.run import ingest_paths
from search.settings import Settings

pytestmark = pytest.mark.integration

ARTICLES = [
    {
        "id": "fr-1",
        "language": "fr",
        "title": "Réforme adoptée",
        "body": "Le président Emmanuel Macron a salué mardi à Paris le vote des députés. "
        "L'Assemblée nationale a adopté le texte du ministère de l'Intérieur, défendu par "
        "Gérald Darmanin. Macron a ensuite reçu le chancelier Olaf Scholz.",
    },
    {
        "id": "en-1",
        "language": "en",
        "title": "Talks in Seoul",
        "body": "Diplomats met in Seoul on Tuesday. Officials in Seoul said the talks would go on.",
    },
    {
        "id": "ko-1",
        "language": "ko",
        "title": "서울에서 회담",
        "body": "외교관들이 화요일 서울에서 만났다. 서울의 관리들은 회담이 계속될 것이라고 말했다.",
    },
    {
        "id": "uk-1",
        "language": "uk",
        "title": "Зустріч у Києві",
        "body": "Делегації зустрілися у Києві у вівторок. Київ готується до нових переговорів.",
    },
    {"id": "zh-1", "language": "zh", "title": "首尔会谈", "body": "外交官星期二在首尔会面。" * 3},
]


@pytest.fixture
def indexed(settings: Settings, os_client: OpenSearch, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "languages.ndjson"
    lines = [json.dumps({**a, "published_at": "2024-05-14"}, ensure_ascii=False) for a in ARTICLES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = ingest_paths(settings, [path], source="Newsroom test")
    assert summary.indexed == len(ARTICLES)
    os_client.indices.refresh(index=settings.index)
    hits = os_client.search(index=settings.index, body={"size": 20})["hits"]["hits"]
    # One article per language: the stored id carries the source's prefix.
    return {f"{hit['_source']['language']}-1": hit["_source"] for hit in hits}


def test_a_french_article_gets_french_names_from_the_french_model(
    indexed: dict[str, Any],
) -> None:
    doc = indexed["fr-1"]
    assert doc["entities_status"] == "extracted"
    assert {"Emmanuel Macron", "Gérald Darmanin", "Olaf Scholz"} <= set(doc["persons"])
    assert {"Assemblée nationale", "ministère de l'Intérieur"} <= set(doc["agencies"])
    assert "Paris" in doc["locations"]
    assert "Macron" not in doc["persons"] + doc["locations"]  # joined to the full name


def test_korean_and_english_articles_share_the_seoul_facet_value(indexed: dict[str, Any]) -> None:
    english, korean = indexed["en-1"], indexed["ko-1"]
    assert english["entities_status"] == "extracted"
    assert korean["entities_status"] == "matched_known"
    shared = set(english["location_facets"]) & set(korean["location_facets"])
    assert [value.split(IDENTITY_SEPARATOR)[-1] for value in shared] == ["Seoul"]
    assert english["location_ids"] == korean["location_ids"]
    seoul = next(e for e in korean["entities"] if e["name"] == "Seoul")
    assert {m["text"] for m in seoul["mentions"]} == {"서울"}


def test_a_ukrainian_article_names_kyiv_in_any_case(indexed: dict[str, Any]) -> None:
    doc = indexed["uk-1"]
    assert doc["entities_status"] == "matched_known"
    assert doc["locations"] == ["Kyiv"]
    assert doc["countries"] == ["Ukraine"]
    kyiv = next(e for e in doc["entities"] if e["name"] == "Kyiv")
    assert {m["text"] for m in kyiv["mentions"]} == {"Києві", "Київ"}


def test_a_language_written_without_spaces_is_skipped(indexed: dict[str, Any]) -> None:
    doc = indexed["zh-1"]
    assert doc["entities_status"] == "skipped_language"
    assert doc["entities"] == []
