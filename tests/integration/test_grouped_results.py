"""Results grouped by near-duplicate cluster, against a real node: one hit per cluster, in the
order of its best member, by page number and by cursor, with every copy counted and listed.

The clusters here are written directly (`cluster_id` on each article, then each cluster's
summary), so these tests check the search side alone; how ingest forms clusters is tested in
test_duplicates.py. The oracle
for every grouped order is the plain order with each cluster kept at its first member."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search.app import create_app
from search.duplicates.summaries import summarise_all
from search.index import schema
from search.settings import Settings
from tests.integration.test_cursor_paging import article, put

pytestmark = pytest.mark.integration

KEY = "grouping-test-key"
N = 300
#: doc-0000..doc-0119 are 30 clusters of four; the rest stand alone.
IN_CLUSTERS = 120
CLUSTER_SIZE = 4
CLUSTERS = IN_CLUSTERS // CLUSTER_SIZE + (N - IN_CLUSTERS)


def cluster_of(n: int) -> str:
    lead = (n // CLUSTER_SIZE) * CLUSTER_SIZE if n < IN_CLUSTERS else n
    return f"doc-{lead:04d}"


@pytest.fixture
def grouped(settings: Settings, os_client: OpenSearch) -> Settings:
    schema.ensure_index(os_client, settings.index)
    docs = [
        article(
            n,
            cluster_id=cluster_of(n),
            content_hash=f"hash-{n}",
            ingested_at="2025-01-01T00:00:00Z",
        )
        for n in range(N)
    ]
    put(os_client, settings.index, docs)
    summarise_all(os_client, settings.index)  # as the ingest stores them
    return settings.model_copy(
        update={"rate_limit_per_minute": 100_000, "api_keys": [SecretStr(KEY)]}
    )


def _every_hit(api: TestClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    for page in (1, 2, 3):
        answer = api.get("/v1/search", params={**params, "size": 100, "page": page})
        assert answer.status_code == 200, answer.text
        hits += answer.json()["hits"]
    return hits


def _first_of_each_cluster(hits: list[dict[str, Any]]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for hit in hits:
        if hit["cluster_id"] not in seen:
            seen.add(hit["cluster_id"])
            kept.append(hit["id"])
    return kept


def _follow(api: TestClient, params: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    cursor: str | None = "*"
    while cursor:
        answer = api.get("/v1/search", params={**params, "cursor": cursor})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += [hit["id"] for hit in page["hits"]]
        cursor = page["next_cursor"]
    return seen


ORDERS = [
    {"q": "harbour", "sort": "relevance"},
    {"q": "", "sort": "newest"},
    {"q": "", "sort": "oldest"},
    {"q": "harbour", "source": "Coast Daily"},
]


@pytest.mark.parametrize("params", ORDERS, ids=lambda p: "-".join(str(v) for v in p.values()))
def test_grouped_pages_by_number_and_by_cursor_list_each_cluster_once_at_its_best_member(
    grouped: Settings, params: dict[str, Any]
) -> None:
    with TestClient(create_app(grouped), raise_server_exceptions=False) as api:
        expected = _first_of_each_cluster(_every_hit(api, params))
        by_number = [h["id"] for h in _every_hit(api, {**params, "group": "duplicates"})]
        by_cursor = _follow(api, {**params, "group": "duplicates", "size": 7})
    assert by_number == expected
    assert by_cursor == expected  # no duplicates, no gaps, the same order
    if "source" not in params:
        assert len(expected) == CLUSTERS


def test_a_grouped_hit_carries_its_clusters_copies_and_the_page_counts_clusters(
    grouped: Settings,
) -> None:
    with TestClient(create_app(grouped), raise_server_exceptions=False) as api:
        page = api.get(
            "/v1/search",
            params={"q": "", "group": "duplicates", "size": 100, "count_groups": "true"},
        ).json()
    assert page["total"]["value"] == N
    assert page["groups"] == CLUSTERS
    for hit in page["hits"]:
        members = [n for n in range(N) if cluster_of(n) == hit["cluster_id"]]
        copies = hit["copies"]
        assert copies["count"] == len(members)
        dates = sorted(article(n)["published_at"] for n in members)
        assert copies["first_published"].replace("+00:00", "Z").startswith(dates[0][:19])
        assert copies["last_published"].replace("+00:00", "Z").startswith(dates[-1][:19])
        sources = {article(n)["source"] for n in members}
        assert set(copies["outlets"]) == sources
        assert copies["outlet_count"] == len(sources)


def test_the_copies_endpoint_lists_the_cluster_lead_first_and_a_taken_down_member_leaves_it(
    grouped: Settings,
) -> None:
    members = [n for n in range(N) if cluster_of(n) == "doc-0004"]
    by_date = sorted(members, key=lambda n: (article(n)["published_at"], n))
    with TestClient(create_app(grouped), raise_server_exceptions=False) as api:
        answer = api.get("/v1/articles/doc-0005/copies")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["cluster_id"] == "doc-0004"
        assert body["count"] == CLUSTER_SIZE
        assert [c["id"] for c in body["copies"]] == [f"doc-{n:04d}" for n in by_date]
        lead = by_date[0]
        gone = api.delete(f"/v1/articles/doc-{lead:04d}", headers={"X-API-Key": KEY})
        assert gone.status_code == 200, gone.text
        after = api.get("/v1/articles/doc-0005/copies").json()
        assert after["count"] == CLUSTER_SIZE - 1
        assert [c["id"] for c in after["copies"]] == [f"doc-{n:04d}" for n in by_date[1:]]
        page = api.get("/v1/search", params={"q": "", "group": "duplicates", "size": 100})
        hits = page.json()["hits"] + _every_hit(api, {"q": "", "group": "duplicates"})[100:]
        cluster = [h for h in hits if h["cluster_id"] == "doc-0004"]
        assert len(cluster) == 1
        assert cluster[0]["copies"]["count"] == CLUSTER_SIZE - 1
        assert api.get("/v1/articles/nope/copies").status_code == 404


def test_a_grouped_export_has_one_row_per_cluster_and_every_row_its_cluster_id(
    grouped: Settings,
) -> None:
    with TestClient(create_app(grouped), raise_server_exceptions=False) as api:
        grouped_rows = api.get(
            "/v1/search/export", params={"q": "harbour", "group": "duplicates", "format": "csv"}
        )
        every_row = api.get("/v1/search/export", params={"q": "harbour", "format": "csv"})
    assert grouped_rows.status_code == 200, grouped_rows.text
    rows = list(csv.DictReader(io.StringIO(grouped_rows.text.lstrip("\ufeff"))))
    assert len(rows) == len({row["cluster_id"] for row in rows}) == CLUSTERS
    everything = list(csv.DictReader(io.StringIO(every_row.text.lstrip("\ufeff"))))
    assert len(everything) == N
    assert {row["cluster_id"] for row in everything} == {cluster_of(n) for n in range(N)}


def test_related_articles_leave_out_the_articles_own_copies(grouped: Settings) -> None:
    with TestClient(create_app(grouped), raise_server_exceptions=False) as api:
        related = api.get("/v1/articles/doc-0009/related")
    assert related.status_code == 200, related.text
    ids = [hit["id"] for hit in related.json()]
    assert ids, "the small articles share words, so some are related"
    assert all(hit["cluster_id"] != cluster_of(9) for hit in related.json())


def test_an_index_made_before_clusters_takes_the_new_fields_on_the_first_write(
    settings: Settings, os_client: OpenSearch
) -> None:
    body = schema.index_body("articles")
    for field in ("cluster_id", "minhash_bands"):
        body["mappings"]["properties"].pop(field)
    name = schema.versioned_name(settings.index, schema.load_definition("articles")["version"])
    os_client.indices.create(index=name, body={**body, "aliases": {settings.index: {}}})
    older = [article(n, content_hash=f"h{n}", ingested_at="2024-01-01T00:00:00Z") for n in (1, 2)]
    put(os_client, settings.index, older)  # no cluster_id: they predate clusters
    keyed = settings.model_copy(update={"api_keys": [SecretStr(KEY)]})
    story = {"id": "old-index-1", "source": "Harbour Gazette", "title": "Cranes", "body": "x " * 50}
    with TestClient(create_app(keyed), raise_server_exceptions=False) as api:
        answer = api.post("/v1/articles", json=[story], headers={"X-API-Key": KEY})
        assert answer.status_code == 200, answer.text
        assert answer.json()["indexed"] == 1, answer.text
        (hit,) = api.get("/v1/search", params={"q": "title:cranes"}).json()["hits"]
        found = api.get(f"/v1/articles/{hit['id']}/copies")
        assert found.status_code == 200, found.text
        copies = found.json()
    assert copies["count"] == 1
    with TestClient(create_app(keyed), raise_server_exceptions=False) as api:
        grouped = api.get("/v1/search", params={"q": "", "group": "duplicates"}).json()
    # each older article stands alone; missing labels would have collapsed them into one hit
    assert sorted(h["id"] for h in grouped["hits"]) == sorted([hit["id"], "doc-0001", "doc-0002"])
    mapping = os_client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
    assert {"cluster_id", "minhash_bands"} <= set(mapping)
