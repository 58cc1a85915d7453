"""Articles in other languages are searched in their own language: a Korean noun is found under
every particle it takes, French, Ukrainian and Russian words under their inflections, related
stories stay in the article's language, and the language facet reads as its speakers write it.

Expected sets come from scanning the texts, never from the search itself.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search.app import create_app
from search.index.client import async_client
from search.ingest.run import ingest_paths
from search.query.present_languages import PresentLanguages
from search.settings import Settings
from tests.aio import run_apart
from tests.conftest import FIXTURES, ROOT, drop_everything

pytestmark = pytest.mark.integration

KOREAN = ROOT / "samples" / "wikinews-ko.ndjson"
FRENCH = ROOT / "samples" / "wikinews-fr.ndjson"
UK_RU = FIXTURES / "languages_uk_ru.ndjson"
HANGUL = "가-힣"


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def alias(node_settings: Settings, os_client: OpenSearch) -> Iterator[str]:
    name = f"test-languages-{uuid.uuid4().hex[:10]}"
    ingest_paths(node_settings.model_copy(update={"index": name}), [KOREAN, FRENCH, UK_RU])
    try:
        yield name
    finally:
        _drop(os_client, name)


@pytest.fixture(scope="module")
def api(node_settings: Settings, alias: str) -> Iterator[TestClient]:
    settings = node_settings.model_copy(update={"index": alias})
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _split_on_spaces(client: OpenSearch, alias: str, word: str) -> set[str]:
    """What the English-only analysis of before found: the word as one whole token."""
    query = {"multi_match": {"query": word, "fields": ["title.exact", "body.exact"]}}
    found = client.search(index=alias, body={"query": query, "size": 1000, "_source": ["url"]})
    return {hit["_source"]["url"] for hit in found["hits"]["hits"]}


def _drop(client: OpenSearch, alias: str) -> None:
    drop_everything(client, alias)


def _search(api: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = api.get("/v1/search", params={"q": q, "size": 100, **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _urls(api: TestClient, q: str, **params: Any) -> set[str]:
    return {hit["url"] for hit in _search(api, q, **params)["hits"]}


def _text(record: dict[str, Any]) -> str:
    return f"{record['title']}\n{record['body']}"


@pytest.mark.parametrize("noun", ["대통령", "선거"])
def test_a_korean_noun_is_found_under_every_particle_it_takes(
    api: TestClient, os_client: OpenSearch, alias: str, noun: str
) -> None:
    # A Korean word is the noun with its particles attached: 대통령은, 대통령의, 대통령에게 ...
    word = re.compile(rf"(?<![{HANGUL}]){noun}[{HANGUL}]*")
    records = _records(KOREAN)
    forms = {form for r in records for form in word.findall(_text(r))}
    expected = {r["url"] for r in records if word.search(_text(r))}
    assert len(forms) >= 3, f"the sample must show {noun} in several forms, has {forms}"

    found = _urls(api, noun, language="ko")
    assert expected <= found, "every word starting with the noun is found"
    # Beyond those, only compounds that end in it (민주선거를: 민주 + 선거 + 를).
    assert found <= {r["url"] for r in records if noun in _text(r)}
    # Split on spaces only (the English analysis), the bare noun is one form among many.
    assert len(_split_on_spaces(os_client, alias, noun)) < len(expected)


def test_french_words_match_across_gender_and_number(api: TestClient) -> None:
    word = re.compile(r"\beurop[ée]enn?e?s?\b", re.IGNORECASE)
    records = _records(FRENCH)
    forms = {form.lower() for r in records for form in word.findall(_text(r))}
    expected = {r["url"] for r in records if word.search(_text(r))}
    assert len(forms) >= 3, forms
    assert _urls(api, "européenne", language="fr") == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Зеленський", {"uk-1", "uk-2"}),  # uk-2 names him only as Зеленського
        ("Київ", {"uk-1", "uk-2"}),  # uk-1 has only Києві, uk-2 Києва
        ("выборы", {"ru-1", "ru-2"}),  # ru-2 has only выборов
        ("Москва", {"ru-1", "ru-2"}),  # ru-1 has only Москве
    ],
)
def test_ukrainian_and_russian_words_match_their_inflected_forms(
    api: TestClient, os_client: OpenSearch, alias: str, query: str, expected: set[str]
) -> None:
    by_url = {r["url"]: r["id"] for r in _records(UK_RU)}
    found = {by_url[url] for url in _urls(api, query) if url in by_url}
    assert found == expected
    exact = {by_url[url] for url in _split_on_spaces(os_client, alias, query) if url in by_url}
    assert exact < expected, "the fixture must hold the word only inflected somewhere"


def test_the_snippet_marks_the_inflected_form_that_matched(api: TestClient) -> None:
    hits = {hit["url"]: hit for hit in _search(api, "Київ")["hits"]}
    snippet = " ".join(hits["https://example.org/uk/1"]["snippets"])
    assert "<mark>Києві</mark>" in snippet


def test_related_stories_of_a_korean_article_are_korean(api: TestClient) -> None:
    korean = _search(api, "", language="ko", size=20)["hits"]
    with_neighbours = 0
    for hit in korean:
        response = api.get(f"/v1/articles/{hit['id']}/related")
        assert response.status_code == 200, response.text
        related = response.json()
        assert {r["language"] for r in related} <= {"ko"}, hit["title"]
        with_neighbours += bool(related)
    assert with_neighbours >= len(korean) // 2


def test_related_stories_share_the_korean_articles_words(api: TestClient) -> None:
    """The first related story shares more of the article's nouns than a random Korean one."""
    records = {r["url"]: r for r in _records(KOREAN)}
    nouns = re.compile(rf"[{HANGUL}]{{2,}}")

    def vocabulary(url: str) -> set[str]:
        # A word's first two syllables: a rough stem that strips most particles.
        return {w[:2] for w in nouns.findall(_text(records[url]))}

    hits = _search(api, "", language="ko", size=30)["hits"]
    shared_first, shared_random = 0.0, 0.0
    for hit, other in zip(hits, reversed(hits), strict=True):
        related = api.get(f"/v1/articles/{hit['id']}/related").json()
        if not related or other["url"] == hit["url"]:
            continue
        own = vocabulary(hit["url"])
        shared_first += len(own & vocabulary(related[0]["url"])) / len(own)
        shared_random += len(own & vocabulary(other["url"])) / len(own)
    assert shared_first > 1.5 * shared_random


def test_the_language_facet_names_each_language_in_itself(api: TestClient) -> None:
    facet = {row["value"]: row for row in _search(api, "")["facets"]["language"]}
    assert facet["ko"]["label"] == "한국어"
    assert facet["fr"]["label"] == "Français"
    assert facet["uk"]["label"] == "Українська"
    page = api.get("/", params={"language": "ko"})
    assert page.status_code == 200
    assert "한국어" in page.text


def test_an_article_stored_before_its_language_had_fields_gets_them_on_reingest(
    node_settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    settings = node_settings.model_copy(update={"index": f"test-reingest-{uuid.uuid4().hex[:8]}"})
    sample = tmp_path / "one.ndjson"
    sample.write_text(KOREAN.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    try:
        ingest_paths(settings, [sample])
        strip = "ctx._source.remove('title_ko'); ctx._source.remove('body_ko')"
        os_client.update_by_query(
            index=settings.index, body={"script": {"source": strip}}, refresh=True
        )
        ingest_paths(settings, [sample])  # the same text: only the missing fields differ
        os_client.indices.refresh(index=settings.index)
        stored = os_client.search(index=settings.index, body={"query": {"match_all": {}}})
        source = stored["hits"]["hits"][0]["_source"]
        assert source["body_ko"] == source["body"]
        assert source["title_ko"] == source["title"]
    finally:
        _drop(os_client, settings.index)


def test_french_articles_get_persons_organisations_and_places_from_the_french_model(
    api: TestClient, os_client: OpenSearch, alias: str
) -> None:
    statuses = os_client.search(
        index=alias,
        body={
            "size": 0,
            "query": {"term": {"language": "fr"}},
            "aggs": {"status": {"terms": {"field": "entities_status"}}},
        },
    )["aggregations"]["status"]["buckets"]
    assert {b["key"]: b["doc_count"] for b in statuses} == {"extracted": len(_records(FRENCH))}
    facets = _search(api, "", language="fr", facet_size=10)["facets"]
    text = "\n".join(_text(r) for r in _records(FRENCH))
    for facet in ("person", "agency", "location"):
        assert len(facets[facet]) >= 5, facet
    # The top people are full names as the articles write them, not fragments.
    for row in facets["person"][:5]:
        assert " " in row["value"], row
        assert row["value"].split()[-1] in text, row


def test_the_languages_an_index_holds_are_asked_once_per_interval(
    node_settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    """Against the real index: the groups follow what is ingested, but only once the interval
    has passed (a search names the groups it was last told)."""
    settings = node_settings.model_copy(update={"index": f"test-present-{uuid.uuid4().hex[:8]}"})
    korean = tmp_path / "ko.ndjson"
    korean.write_text(KOREAN.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    now = [0.0]
    present = PresentLanguages(ttl_s=30, clock=lambda: now[0])

    async def ask() -> frozenset[str] | None:
        client = async_client(settings)
        try:
            return await present.groups(client, settings.index)
        finally:
            await client.close()

    try:
        ingest_paths(settings, [UK_RU])
        assert run_apart(ask()) == {"uk", "ru"}
        ingest_paths(settings, [korean])
        now[0] = 29.0
        assert run_apart(ask()) == {"uk", "ru"}, "asked again within the interval"
        now[0] = 31.0
        assert run_apart(ask()) == {"uk", "ru", "ko"}
    finally:
        _drop(os_client, settings.index)
