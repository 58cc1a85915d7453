"""`/v1/query/explain` reads a query from the same parse as `/v1/search`: what it says is how
the search runs, and a query the search refuses is refused the same way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search.app import create_app
from search.index import schema
from search.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def api(settings: Settings, os_client: OpenSearch) -> Iterator[TestClient]:
    schema.ensure_index(os_client, settings.index)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_the_reading_labels_each_part_of_the_query(api: TestClient) -> None:
    q = 'oil prices "central bank" -opec title:iran'
    answer = api.get("/v1/query/explain", params={"q": q})
    assert answer.status_code == 200, answer.text
    reading = answer.json()
    assert reading["summary"] == (
        "all of: oil, prices · phrase: “central bank” · not: opec · in the title: iran"
    )
    assert [p["label"] for p in reading["parts"]] == ["all of", "phrase", "not", "in the title"]
    assert reading["sentence"].endswith("not opec")
    assert api.get("/v1/search", params={"q": q}).status_code == 200


def test_a_query_the_search_refuses_is_refused_alike(api: TestClient) -> None:
    q = 'troops "unclosed'
    explained = api.get("/v1/query/explain", params={"q": q})
    searched = api.get("/v1/search", params={"q": q})
    assert explained.status_code == searched.status_code == 400
    assert explained.headers["content-type"].startswith("application/problem+json")
    for key in ("detail", "parameter", "position"):
        assert explained.json()[key] == searched.json()[key]


def test_the_endpoint_is_documented(api: TestClient) -> None:
    operation = api.get("/v1/openapi.json").json()["paths"]["/v1/query/explain"]["get"]
    assert "same parse" in operation["description"]
    assert {"400", "200"} <= set(operation["responses"])
    schema_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref.endswith("/QueryReading")
