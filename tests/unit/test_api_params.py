"""The query-string reader of the search routes, and the OpenAPI parameters it declares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from search.api.routes.search import ExportParams
from search.app import create_app
from search.http.params import SearchParams, openapi_query, query_model
from search.settings import Settings


def echo_app() -> TestClient:
    """A bare app whose one route returns the SearchParams it was given."""
    app = FastAPI()

    @app.get("/echo", openapi_extra=openapi_query(SearchParams))
    async def echo(
        params: Annotated[SearchParams, Depends(query_model(SearchParams))],
    ) -> dict[str, object]:
        return params.model_dump(mode="json")

    return TestClient(app)


def test_repeated_filters_are_lists_and_scalars_take_the_last_value() -> None:
    body = (
        echo_app()
        .get("/echo?person=A&person=B&size=5&size=7&histogram=false&date_from=2024-02-01")
        .json()
    )
    assert body["person"] == ["A", "B"]
    assert body["size"] == 7
    assert body["histogram"] is False
    assert body["date_from"] == "2024-02-01"
    assert body["q"] == ""


def test_bad_and_unknown_parameters_are_problems_naming_the_parameter() -> None:
    client = TestClient(create_app(Settings(opensearch_url="http://127.0.0.1:9")))
    too_big = client.get("/v1/search?size=1000")
    assert too_big.status_code == 400
    assert too_big.headers["content-type"].startswith("application/problem+json")
    assert too_big.json()["parameter"] == "size"
    unknown = client.get("/v1/search?persn=Zelensky")
    assert unknown.status_code == 400
    assert unknown.json()["parameter"] == "persn"


def test_openapi_lists_every_search_parameter_with_its_schema() -> None:
    schema = create_app(Settings(opensearch_url="http://127.0.0.1:9")).openapi()
    for path, model in (("/v1/search", SearchParams), ("/v1/search/export", ExportParams)):
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert set(model.model_fields) <= set(parameters)
        assert parameters["person"]["schema"]["type"] == "array"
        assert parameters["date_from"]["description"].startswith("Published on or after")
        assert all(p["in"] in {"query", "header"} for p in parameters.values())
    search = {p["name"]: p for p in schema["paths"]["/v1/search"]["get"]["parameters"]}
    assert search["size"]["schema"]["maximum"] == 100
    export = {p["name"]: p for p in schema["paths"]["/v1/search/export"]["get"]["parameters"]}
    assert export["format"]["schema"]["enum"] == ["csv", "ndjson"]


def test_export_declares_only_the_parameters_it_reads_and_its_media_types() -> None:
    schema = create_app(Settings(opensearch_url="http://127.0.0.1:9")).openapi()
    operation = schema["paths"]["/v1/search/export"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names.isdisjoint({"page", "size", "cursor", "facet_size", "histogram"})
    assert set(operation["responses"]["200"]["content"]) == {"text/csv", "application/x-ndjson"}
    client = TestClient(create_app(Settings(opensearch_url="http://127.0.0.1:9")))
    ignored = client.get("/v1/search/export?page=2")
    assert ignored.status_code == 400
    assert ignored.json()["parameter"] == "page"
