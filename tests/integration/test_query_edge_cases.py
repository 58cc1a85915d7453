"""The query and date edge cases of the README's table, each against a real node: a clear 400
naming the parameter, or doing what it says."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search.app import create_app
from search.index import schema
from search.settings import Settings
from tests.conftest import drop_everything
from tests.integration.test_cursor_paging import article, put

pytestmark = pytest.mark.integration

DOCS = [
    article(
        1, title="Talks", body="Iran said on Monday that Trump was wrong", published_at="2020-02-10"
    ),
    article(2, title="Envoy", body="Trump met the Iran envoy in Oman", published_at="2019-06-01"),
    article(3, title="Oil", body="Oil prices rose in Iran", published_at="2021-01-01T00:00:00Z"),
    article(4, title="Year end", body="Iran closed the year", published_at="2020-12-31T23:30:00Z"),
    article(5, title="Leap day", body="Iran on a leap day", published_at="2020-02-29T12:00:00Z"),
]


@pytest.fixture(scope="module")
def api(node_settings: Settings, os_client: OpenSearch) -> Iterator[TestClient]:
    alias = "test-edges-" + uuid.uuid4().hex[:10]
    settings = node_settings.model_copy(update={"index": alias})
    schema.ensure_index(os_client, alias)
    put(os_client, alias, DOCS)
    try:
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            yield client
    finally:
        drop_everything(os_client, alias)


def _ids(api: TestClient, **params: Any) -> set[str]:
    response = api.get("/v1/search", params={**params, "size": 50})
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.json()["hits"]}


# One row of the README's edge-case table each: (parameters, 400 naming this, or these ids).
REFUSED = [
    ({"q": "😀"}, "q", "Nothing to search for"),
    ({"q": ":"}, "q", "Nothing to search for"),
    ({"q": "\x00"}, "q", "control character"),
    ({"q": "iran^2"}, "q", "Boosting"),
    ({"q": "iran~9"}, "q", "2 at most"),
    ({"q": "iran~~"}, "q", "After ~ write 1 or 2"),
    ({"q": '"trump iran"~99'}, "q", "at most 50"),
    ({"date_to": "1580000000"}, "date_to", "not a date"),
    ({"date_from": "2020-13"}, "date_from", "not a date"),
    ({"date_from": "2020-02-30"}, "date_from", "not a date"),
]


@pytest.mark.parametrize(("params", "parameter", "says"), REFUSED)
def test_edge_cases_that_are_refused_name_the_parameter(
    api: TestClient, params: dict[str, str], parameter: str, says: str
) -> None:
    response = api.get("/v1/search", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["parameter"] == parameter
    assert says in problem["detail"]


ANSWERED = [
    ({"q": '"trump iran"~5'}, {"doc-0001", "doc-0002"}),
    ({"q": '"iran trump"~5'}, {"doc-0001", "doc-0002"}),
    ({"q": '"trump iran"~1'}, set()),
    ({"q": '"trump iran"~2'}, {"doc-0002"}),
    ({"q": "iran~2"}, {"doc-0001", "doc-0002", "doc-0003", "doc-0004", "doc-0005"}),
    ({"date_to": "2020"}, {"doc-0001", "doc-0002", "doc-0004", "doc-0005"}),
    ({"date_from": "2020-01"}, {"doc-0001", "doc-0003", "doc-0004", "doc-0005"}),
    ({"date_from": "2020", "date_to": "2020"}, {"doc-0001", "doc-0004", "doc-0005"}),
    ({"date_from": "2020-02", "date_to": "2020-02"}, {"doc-0001", "doc-0005"}),
    ({"date_to": "2020-02-29"}, {"doc-0001", "doc-0002", "doc-0005"}),
]


@pytest.mark.parametrize(("params", "ids"), ANSWERED)
def test_edge_cases_that_are_answered_do_what_they_say(
    api: TestClient, params: dict[str, str], ids: set[str]
) -> None:
    assert _ids(api, **params) == ids


def test_a_json_body_with_a_number_for_a_date_is_refused(api: TestClient) -> None:
    response = api.post("/v1/search", json={"date_to": 2020})
    assert response.status_code == 400
    assert response.json()["parameter"] == "date_to"
    assert api.post("/v1/search", json={"date_to": "2020"}).status_code == 200
