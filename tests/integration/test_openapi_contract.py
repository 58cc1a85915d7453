"""The OpenAPI document is the contract: each status it declares for an operation is one the
service answers for some request, and (with the fuzz run in test_api_fuzz.py) each status the
service answers is declared. Problems are problem+json; FastAPI's unused 422 is gone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search.alerts import saved
from search.app import create_app
from search.collections import store as collections
from search.collections.models import CollectionIn
from search.entities import store
from search.index import schema
from search.index.client import sync_client
from search.ingest import runs
from search.settings import Settings
from search.watch import registry
from tests.conftest import drop_everything
from tests.integration.test_cursor_paging import article, put

pytestmark = pytest.mark.integration

KEY = "contract-" + uuid.uuid4().hex
DOWN = "http://127.0.0.1:9"  # nothing listens there


def _document() -> dict[str, Any]:
    return create_app(Settings(opensearch_url=DOWN)).openapi()


OPERATIONS = [
    (method.upper(), path, sorted(int(s) for s in op["responses"]))
    for path, ops in _document()["paths"].items()
    for method, op in ops.items()
]
DECLARED = [
    (method, path, status)
    for method, path, statuses in OPERATIONS
    for status in statuses
    if status >= 400
]


def test_no_operation_declares_the_unused_422_and_every_problem_is_problem_json() -> None:
    document = _document()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, ops in document["paths"].items():
        for op in ops.values():
            assert "422" not in op["responses"], path
            for status, response in op["responses"].items():
                if int(status) >= 400 and path != "/v1/health":
                    assert list(response["content"]) == ["application/problem+json"], path


@pytest.fixture(scope="module")
def index(node_settings: Settings, os_client: OpenSearch) -> Iterator[Settings]:
    alias = f"test-contract-{uuid.uuid4().hex[:10]}"
    schema.ensure_index(os_client, alias)
    put(os_client, alias, [article(n) for n in range(5)])
    try:
        yield node_settings.model_copy(update={"index": alias, "api_keys": [SecretStr(KEY)]})
    finally:
        drop_everything(os_client, alias)


def _operation(method: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = _document()["paths"][path][method.lower()]
    return found


def _url(path: str, operation: dict[str, Any], *, bad: bool = False) -> str:
    """The path with its parameters filled: real-looking values, or ones that break a rule."""

    def value(match: re.Match[str]) -> str:
        spec = next(p for p in operation["parameters"] if p["name"] == match.group(1))
        enum = spec["schema"].get("enum")
        if enum:
            return "not-a-kind" if bad else str(enum[0])
        return "x" * 400 if bad else "no-such-thing-at-all"

    return re.sub(r"\{(\w+)\}", value, path)


def _query(operation: dict[str, Any]) -> dict[str, str]:
    """Minimal valid query parameters: the required ones, with a value their schema takes."""
    found = {}
    for spec in operation.get("parameters", []):
        if spec["in"] == "query" and spec.get("required"):
            schema_ = spec["schema"]
            found[spec["name"]] = str(schema_.get("enum", ["zel"])[0])
    return found


#: A body each write accepts, so that what fails is the backend, not the body.
VALID_BODIES: dict[str, Any] = {
    "/v1/articles": {"title": "Ferry strike", "body": "Ferry crews in Helsinki went on strike."},
    "/v1/entities/corrections": {"action": "rename", "entity": "no-such-entity", "name": "X"},
    "/v1/saved-searches": {"name": "Ferries", "q": "ferry"},
    "/v1/feeds": {"url": "http://93.184.216.34/feed.xml"},  # public, and no DNS to ask
    "/v1/collections": {"name": "Ferries"},
    "PATCH /v1/collections/{collection_id}": {"name": "Ferry crews"},
    "/v1/collections/{collection_id}/articles": {"article_id": "doc-0001"},
}


def _send(
    api: TestClient, method: str, url: str, op: dict[str, Any], path: str = "", **kwargs: Any
) -> Any:
    params = kwargs.pop("params", _query(op))
    if "requestBody" in op and "json" not in kwargs:
        body = VALID_BODIES.get(url, VALID_BODIES.get(f"{method} {path}"))
        kwargs["json"] = VALID_BODIES.get(path, {}) if body is None else body
    return api.request(method, url, params=params, **kwargs)


def _full_collection(settings: Settings, method: str, path: str) -> tuple[str, dict[str, Any]]:
    """A collection of the test key's, and a body that asks for more than the limits allow:
    another collection's name for a rename, an article for one that may hold none."""
    client = sync_client(settings)
    try:
        owner = saved.owner_of(KEY)
        names = [f"Full {uuid.uuid4().hex[:8]}" for _ in range(2)]
        made = [
            collections.create(client, settings.index, owner, CollectionIn(name=name))
            for name in names
        ]
    finally:
        client.close()
    body = {"name": names[1]} if method == "PATCH" else {"article_id": "doc-0001"}
    return path.replace("{collection_id}", made[0].id), body


def _provoke(status: int, method: str, path: str, settings: Settings) -> int:
    """Ask the way that should bring `status`; return what came."""
    op = _operation(method, path)
    key = {"X-API-Key": KEY}
    changes: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"headers": key}
    url = _url(path, op)
    if status == 400:
        if "requestBody" in op:
            kwargs["json"] = "not what this takes"
        elif any(p["in"] == "query" for p in op.get("parameters", [])):
            bad = {"size": "many", "type": "nope", "limit": "x", "q": '"unclosed', "format": "xls"}
            kwargs["params"] = {**_query(op), **bad}
        else:
            url = _url(path, op, bad=True)
    elif status == 401:
        changes["protect_reads"] = True
        kwargs["headers"] = {"X-API-Key": "wrong"}
    elif status == 403:
        changes.update(protect_reads=True, api_keys=[])
        kwargs["headers"] = {}
    elif status == 409:  # saving a search or a collection over the key's limit, or a full one
        changes.update(saved_searches_per_key=0, collections_per_key=0, articles_per_collection=0)
        if "{collection_id}" in path:
            url, kwargs["json"] = _full_collection(settings, method, path)
    elif status == 413:
        kwargs["json"] = [{"body": "x"}] * 1001
    elif status == 429:
        changes["rate_limit_per_minute"] = 1
    elif status == 502:
        changes["index"] = settings.index + "-blocked"
    elif status == 503:
        changes["opensearch_url"] = DOWN
    elif status == 504:
        changes["request_timeout_s"] = 1e-9
    with TestClient(
        create_app(settings.model_copy(update=changes)), raise_server_exceptions=False
    ) as api:
        response = _send(api, method, url, op, path, **kwargs)
        if status == 429:
            response = _send(api, method, url, op, path, **kwargs)
    return int(response.status_code)


@pytest.fixture(scope="module")
def blocked(index: Settings, os_client: OpenSearch) -> Iterator[None]:
    """An index OpenSearch refuses to read or write (a cluster block: its 403 is our 502)."""
    alias = index.index + "-blocked"
    schema.ensure_index(os_client, alias)
    put(os_client, alias, [article(n) for n in range(3)])
    store.ensure_registry(os_client, alias)
    runs.ensure_runs(os_client, alias)
    saved.ensure_saved(os_client, alias)
    registry.ensure_feeds(os_client, alias)
    collections.ensure_collections(os_client, alias)
    aliases = [
        registry.feeds_alias(alias),
        alias,
        store.registry_alias(alias),
        store.audit_alias(alias),
        runs.runs_alias(alias),
        saved.saved_alias(alias),
        saved.matches_alias(alias),
        collections.collections_alias(alias),
    ]
    names = ",".join(str(schema.current_index(os_client, name)) for name in aliases)
    block = {"index.blocks.read": True, "index.blocks.write": True}
    os_client.indices.put_settings(index=names, body=block)
    try:
        yield
    finally:
        os_client.indices.put_settings(index=names, body=dict.fromkeys(block, False))
        for name in aliases:
            schema.drop(os_client, name)


@pytest.mark.parametrize(("method", "path", "status"), DECLARED)
def test_every_declared_problem_status_is_one_the_service_answers(
    index: Settings, blocked: None, method: str, path: str, status: int
) -> None:
    assert _provoke(status, method, path, index) == status
