"""Collections against a real node: named lists of articles that belong to their key, bounded,
refused with what to fix, and exported with the search export's columns and safe cells."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search.api.routes.search import EXPORT_COLUMNS
from search.app import create_app
from search.collections import models
from search.http.csv_cells import UTF8_BOM
from search.index import schema
from search.settings import Settings
from tests.integration.test_duplicates import ingest, story

pytestmark = pytest.mark.integration
ALICE, BOB = "alice-key", "bob-key"
FORMULA = '=HYPERLINK("http://example.com","click")'


@pytest.fixture
def keyed(settings: Settings, os_client: OpenSearch, tmp_path: Path) -> Settings:
    schema.ensure_index(os_client, settings.index)
    records = [story(1), story(2, title=FORMULA), story(3, title="<b>Third</b> & last")]
    ingest(os_client, settings, records, tmp_path)
    return settings.model_copy(
        update={"api_keys": [SecretStr(ALICE), SecretStr(BOB)], "rate_limit_per_minute": 100_000}
    )


@pytest.fixture
def api(keyed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(keyed), raise_server_exceptions=False) as client:
        yield client


def _ids(api: TestClient) -> list[str]:
    hits = api.get("/v1/search", params={"sort": "oldest"}).json()["hits"]
    return [hit["id"] for hit in hits]


def _call(api: TestClient, method: str, path: str, key: str = ALICE, **kwargs: Any) -> Any:
    return api.request(method, f"/v1/collections{path}", headers={"X-API-Key": key}, **kwargs)


def _new(api: TestClient, name: str, key: str = ALICE) -> dict[str, Any]:
    made = _call(api, "POST", "", key, json={"name": name})
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def test_a_collection_keeps_articles_in_order_and_exports_them(api: TestClient) -> None:
    first, second, third = _ids(api)
    made = _new(api, "  Dock   strike  ")
    assert made["name"] == "Dock strike"
    assert made["article_count"] == 0
    path = f"/{made['id']}"
    for article_id in (third, second, third):  # adding one it holds changes nothing
        added = _call(api, "POST", f"{path}/articles", json={"article_id": article_id})
        assert added.status_code == 200, added.text
    assert added.json()["article_count"] == 2
    held = _call(api, "GET", path).json()
    assert [a["id"] for a in held["articles"]] == [third, second]
    assert held["articles"][0]["title"] == "<b>Third</b> & last"

    exported = _call(api, "GET", f"{path}/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="collection-dock-strike.csv"' in exported.headers["content-disposition"]
    assert exported.text.startswith(UTF8_BOM)
    rows = list(csv.reader(io.StringIO(exported.text.removeprefix(UTF8_BOM))))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert [row[0] for row in rows[1:]] == [third, second]
    assert rows[2][EXPORT_COLUMNS.index("title")] == "'" + FORMULA  # shown as text
    lines = _call(api, "GET", f"{path}/export", params={"format": "ndjson"}).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [third, second]
    assert set(json.loads(lines[0])) == set(EXPORT_COLUMNS)

    removed = _call(api, "DELETE", f"{path}/articles/{third}")
    assert removed.status_code == 200, removed.text
    assert [a["id"] for a in _call(api, "GET", path).json()["articles"]] == [second]
    again = _call(api, "DELETE", f"{path}/articles/{third}")
    assert again.status_code == 404
    assert again.json()["parameter"] == "article_id"

    renamed = _call(api, "PATCH", path, json={"name": "Port strike"})
    assert renamed.status_code == 200, renamed.text
    listed = _call(api, "GET", "").json()
    assert [(c["name"], c["article_count"]) for c in listed] == [("Port strike", 1)]
    assert first not in {a["id"] for a in _call(api, "GET", path).json()["articles"]}
    assert _call(api, "DELETE", path).status_code == 200
    assert _call(api, "GET", path).status_code == 404
    assert _call(api, "GET", "").json() == []


def test_each_key_sees_and_changes_only_its_own(api: TestClient) -> None:
    mine = _new(api, "Mine")
    path = f"/{mine['id']}"
    assert _call(api, "GET", "", BOB).json() == []
    assert _call(api, "GET", path, BOB).status_code == 404
    article_id = _ids(api)[0]
    theirs = _call(api, "POST", f"{path}/articles", BOB, json={"article_id": article_id})
    assert theirs.status_code == 404
    assert theirs.json()["parameter"] == "collection_id"
    assert _call(api, "DELETE", path, BOB).status_code == 404
    assert _call(api, "GET", f"{path}/export", BOB).status_code == 404
    assert api.get("/v1/collections").status_code == 401
    assert _new(api, "Mine", BOB)["name"] == "Mine"  # a name is taken per key


def test_mistakes_are_refused_with_what_to_fix(api: TestClient) -> None:
    made = _new(api, "Leads")
    taken = _call(api, "POST", "", json={"name": "Leads"})
    assert taken.status_code == 409
    assert "already have" in taken.json()["detail"]
    for bad in ({"name": ""}, {"name": "   "}, {"name": "x" * (models.MAX_NAME_CHARS + 1)}, {}):
        refused = _call(api, "POST", "", json=bad)
        assert refused.status_code == 400, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "name" in refused.text
    nowhere = _call(api, "POST", f"/{made['id']}/articles", json={"article_id": "no-such"})
    assert nowhere.status_code == 404
    assert nowhere.json()["parameter"] == "article_id"
    assert "no-such" in nowhere.json()["detail"]


def test_a_collection_and_an_owner_are_bounded(keyed: Settings) -> None:
    small = keyed.model_copy(update={"articles_per_collection": 2, "collections_per_key": 2})
    with TestClient(create_app(small), raise_server_exceptions=False) as api:
        first, second, third = _ids(api)
        made = _new(api, "Small")
        for article_id in (first, second):
            _call(api, "POST", f"/{made['id']}/articles", json={"article_id": article_id})
        full = _call(api, "POST", f"/{made['id']}/articles", json={"article_id": third})
        assert full.status_code == 409
        assert "at most 2 articles" in full.json()["detail"]
        _new(api, "Second")
        many = _call(api, "POST", "", json={"name": "Third"})
        assert many.status_code == 409
        assert "at most 2 collections" in many.json()["detail"]
