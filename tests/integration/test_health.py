"""Health reports the real node, and a node that is gone is a 503 that says so."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from search.app import create_app
from search.settings import Settings

pytestmark = pytest.mark.integration


def test_health_reports_a_green_or_yellow_node_with_its_version(settings: Settings) -> None:
    with TestClient(create_app(settings)) as api:
        response = api.get("/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["opensearch"]["status"] in ("green", "yellow")
    assert body["opensearch"]["version"].count(".") == 2


def test_unreachable_node_is_a_503_not_a_crash(settings: Settings) -> None:
    gone = settings.model_copy(update={"opensearch_url": "http://127.0.0.1:9"})
    with TestClient(create_app(gone)) as api:
        health = api.get("/v1/health")
        search = api.get("/v1/search", params={"q": "anything"})
        again = api.get("/v1/health")
    assert health.status_code == 503
    assert health.json()["opensearch"] == {"status": "unreachable", "version": None}
    assert search.status_code == 503
    assert search.headers["content-type"].startswith("application/problem+json")
    assert search.headers["retry-after"]
    assert "OpenSearch" in search.json()["detail"]
    assert again.status_code == 503


def test_a_request_over_its_time_limit_is_a_504(settings: Settings) -> None:
    hurried = settings.model_copy(update={"request_timeout_s": 0.0001})
    with TestClient(create_app(hurried)) as api:
        response = api.get("/v1/search", params={"q": "anything"})
    assert response.status_code == 504
    assert "longer than" in response.json()["detail"]
