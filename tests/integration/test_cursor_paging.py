"""Cursor paging and export over points in time, against a real node: every point in time is
closed, each client holds only so many, and paging holds still from page 1 while the index
changes under it."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch, helpers

from search.app import create_app
from search.index import schema
from search.settings import Settings
from tests.aio import run_apart
from tests.live_server import serve

pytestmark = pytest.mark.integration

PROBLEM_JSON = "application/problem+json"
SOURCES = ("Harbour Gazette", "Coast Daily", "Port Wire")


def article(n: int, *, title: str | None = None, **fields: Any) -> dict[str, Any]:
    """A small article; `harbour` occurs a different number of times in each, so relevance
    orders them, and the dates spread over a year, so date order does too."""
    day = 1 + n % 28
    return {
        "id": f"doc-{n:04d}",
        "title": title or f"Harbour report number {n}",
        "body": " ".join(["harbour"] * (1 + n % 7) + ["ships", "cranes", f"berth{n}"] * 3),
        "published_at": f"2024-{1 + n % 12:02d}-{day:02d}T{n % 24:02d}:00:00Z",
        "source": SOURCES[n % len(SOURCES)],
        "language": "en",
        **fields,
    }


def put(os_client: OpenSearch, index: str, docs: list[dict[str, Any]]) -> None:
    actions = [{"_index": index, "_id": doc["id"], "_source": doc} for doc in docs]
    helpers.bulk(os_client, actions, refresh=True)


def pits_on(os_client: OpenSearch, index: str) -> list[str]:
    """Open points in time on `index` (a PIT id carries the names of the indexes it pins),
    so the count ignores other test runs sharing the node."""
    name = schema.current_index(os_client, index) or index
    listed = os_client.transport.perform_request("GET", "/_search/point_in_time/_all")
    found = []
    for pit in listed.get("pits", []):
        pit_id = pit["pit_id"]
        raw = base64.urlsafe_b64decode(pit_id + "=" * (-len(pit_id) % 4))
        if name.encode() in raw:
            found.append(pit_id)
    return found


@pytest.fixture
def loaded(settings: Settings, os_client: OpenSearch) -> Settings:
    """A fresh index with 300 small articles, and caps wide enough for the concurrency test."""
    schema.ensure_index(os_client, settings.index)
    put(os_client, settings.index, [article(n) for n in range(300)])
    return settings.model_copy(
        update={"rate_limit_per_minute": 100_000, "cursors_per_client": 80, "cursors_total": 100}
    )


def _ids(page: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in page["hits"]]


async def _follow(http: httpx.AsyncClient, params: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    cursor = "*"
    while cursor:
        response = await http.get("/v1/search", params={**params, "cursor": cursor})
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(_ids(page))
        cursor = page["next_cursor"]
    return seen


async def _export(http: httpx.AsyncClient, fmt: str) -> int:
    response = await http.get("/v1/search/export", params={"q": "harbour", "format": fmt})
    assert response.status_code == 200, response.text
    lines = response.text.splitlines()
    return len(lines) - (1 if fmt == "csv" else 0)


def test_fifty_cursors_and_exports_at_once_leave_no_point_in_time_open(
    loaded: Settings, os_client: OpenSearch
) -> None:
    orders = [{"q": "harbour", "size": 25}, {"q": "", "size": 25, "sort": "newest"}]

    async def run(base: str) -> tuple[list[list[str]], list[int]]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            pagings = [_follow(http, orders[n % 2]) for n in range(50)]
            exports = [_export(http, fmt) for fmt in ("csv", "ndjson") * 3]
            results = await asyncio.gather(*pagings, *exports)
        return list(results[:50]), list(results[50:])  # type: ignore[arg-type]

    with serve(create_app(loaded)) as base:
        pagings, exported = run_apart(run(base))
    for seen in pagings:
        assert len(seen) == len(set(seen)) == 300
    assert exported == [300] * 6
    assert pits_on(os_client, loaded.index) == []


def test_a_client_holds_at_most_its_cap_of_open_cursors(
    loaded: Settings, os_client: OpenSearch
) -> None:
    capped = loaded.model_copy(update={"cursors_per_client": 3})
    with TestClient(create_app(capped), raise_server_exceptions=False) as api:
        first = [api.get("/v1/search", params={"size": 1, "cursor": "*"}) for _ in range(3)]
        assert all(r.status_code == 200 and r.json()["next_cursor"] for r in first)
        refused = api.get("/v1/search", params={"size": 1, "cursor": "*"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith(PROBLEM_JSON)
        assert refused.json()["parameter"] == "cursor"
        assert 1 <= int(refused.headers["retry-after"]) <= 120
        assert api.get("/v1/search/export", params={"q": "harbour"}).status_code == 429
        assert api.get("/v1/search", params={"size": 1}).status_code == 200  # pages still work
        assert len(pits_on(os_client, capped.index)) == 3
    with TestClient(
        create_app(capped), raise_server_exceptions=False, client=("192.0.2.7", 4000)
    ) as other:
        assert other.get("/v1/search", params={"size": 1, "cursor": "*"}).status_code == 200


def test_following_a_cursor_to_its_end_frees_its_place(loaded: Settings) -> None:
    capped = loaded.model_copy(update={"cursors_per_client": 1})
    with TestClient(create_app(capped), raise_server_exceptions=False) as api:
        for _ in range(3):  # each paging ends, so the next may start
            page = api.get("/v1/search", params={"q": "berth7", "size": 50, "cursor": "*"})
            assert page.status_code == 200
            assert page.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "sort_key"),
    [
        ({"q": "harbour", "sort": "relevance"}, "relevance"),
        ({"q": "", "sort": "newest"}, "newest"),
        ({"q": "", "sort": "oldest"}, "oldest"),
    ],
)
def test_cursor_paging_holds_still_from_page_one_while_articles_are_written(
    loaded: Settings, os_client: OpenSearch, params: dict[str, Any], sort_key: str
) -> None:
    """Between pages, new articles arrive that would sort first (more relevant, newer, older)
    and existing ones are rewritten: the pages still list the first page's snapshot, in its
    order, each article once."""
    with TestClient(create_app(loaded), raise_server_exceptions=False) as api:
        before = [
            hit["id"]
            for page in (1, 2, 3)
            for hit in api.get("/v1/search", params={**params, "size": 100, "page": page}).json()[
                "hits"
            ]
        ]
        assert len(before) == 300
        seen: list[str] = []
        cursor, written = "*", 0
        while cursor:
            page = api.get("/v1/search", params={**params, "size": 40, "cursor": cursor}).json()
            seen.extend(_ids(page))
            cursor = page["next_cursor"]
            newcomers = [
                article(
                    1000 + written + k,
                    title="Harbour harbour harbour",
                    published_at="2030-01-01T00:00:00Z" if sort_key != "oldest" else "1990-01-01",
                )
                for k in range(5)
            ]
            rewritten = [
                article(n, title=f"Harbour harbour update {n}") for n in range(written, 300, 37)
            ]
            put(os_client, loaded.index, newcomers + rewritten)
            written += 5
        assert seen == before
        assert pits_on(os_client, loaded.index) == []


def test_an_old_style_page_offers_no_cursor_and_a_cursor_cannot_change_search(
    loaded: Settings,
) -> None:
    with TestClient(create_app(loaded), raise_server_exceptions=False) as api:
        assert api.get("/v1/search", params={"size": 5}).json()["next_cursor"] is None
        cursor = api.get("/v1/search", params={"q": "harbour", "size": 5, "cursor": "*"}).json()[
            "next_cursor"
        ]
        other = api.get("/v1/search", params={"q": "cranes", "size": 5, "cursor": cursor})
        assert other.status_code == 400
        assert other.json()["parameter"] == "cursor"
        paged = api.get("/v1/search", params={"size": 5, "page": 2, "cursor": "*"})
        assert paged.status_code == 400
