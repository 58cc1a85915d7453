"""Saved-search webhooks against a real node and a local receiver: each story delivered once,
signed so the receiver can check it; failures retried, logged and, repeated, switching the
webhook off; addresses inside the service's own network refused unless allowed."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search.alerts import webhooks
from search.alerts.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, deliver_pending
from search.app import create_app
from search.index import schema
from search.settings import Settings
from tests.integration.conftest import Receiver
from tests.integration.test_duplicates import story
from tests.integration.test_saved_searches import _copy, _ingest, _marked

pytestmark = pytest.mark.integration
KEY = "hook-key"


@pytest.fixture
def hooked(settings: Settings, os_client: OpenSearch) -> Settings:
    schema.ensure_index(os_client, settings.index)
    return settings.model_copy(update={"api_keys": [SecretStr(KEY)], "allow_private_urls": True})


def _save(settings: Settings, **body: Any) -> Any:
    with TestClient(create_app(settings), raise_server_exceptions=False) as api:
        return api.post("/v1/saved-searches", json=body, headers={"X-API-Key": KEY})


def _signed(secret: str, headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers[TIMESTAMP_HEADER]
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers[SIGNATURE_HEADER], f"sha256={mac}")


def test_each_story_is_delivered_once_signed(
    hooked: Settings, os_client: OpenSearch, receiver: Receiver, tmp_path: Path
) -> None:
    answer = _save(hooked, name="Rotterdam", q='"dock workers"', webhook=receiver.url)
    assert answer.status_code == 201, answer.text
    secret = answer.json()["webhook_secret"]
    assert secret
    _ingest(os_client, hooked, [_marked(1), _marked(2), story(3)], tmp_path)
    _ingest(os_client, hooked, [_copy(_marked(1), "Herald", 3), _marked(4)], tmp_path)
    _ingest(os_client, hooked, [_marked(1), _marked(4)], tmp_path)  # again
    delivered = []
    for headers, body in receiver.received:
        assert _signed(secret, headers, body)
        assert not _signed("another secret", headers, body)
        delivered += [m["article_id"] for m in json.loads(body)["matches"]]
    assert sorted(delivered) == ["wire-story-1", "wire-story-2", "wire-story-4"]
    with TestClient(create_app(hooked)) as api:
        saved_id = answer.json()["id"]
        log = api.get(f"/v1/saved-searches/{saved_id}/deliveries", headers={"X-API-Key": KEY})
        assert [entry["ok"] for entry in log.json()] == [True, True]
        listed = api.get("/v1/saved-searches", headers={"X-API-Key": KEY}).json()
        assert listed[0]["webhook_secret"] is None  # shown once, when saved


def test_failures_are_retried_logged_and_switch_the_webhook_off(
    hooked: Settings, os_client: OpenSearch, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.status = 500
    answer = _save(hooked, name="Rotterdam", q='"dock workers"', webhook=receiver.url)
    saved_id = answer.json()["id"]
    summary = _ingest(os_client, hooked, [_marked(1)], tmp_path)
    assert summary.warnings.get("webhooks_failed") == 1
    assert len(receiver.received) == 1 + len(webhooks.BACKOFF_S)  # tried, then retried
    for _ in range(webhooks.MAX_FAILURES - 1):
        deliver_pending(os_client, hooked.index, allow_private=True, sleep=lambda _: None)
    with TestClient(create_app(hooked)) as api:
        listed = api.get("/v1/saved-searches", headers={"X-API-Key": KEY}).json()
        assert listed[0]["webhook_disabled"] is True
        log = api.get(f"/v1/saved-searches/{saved_id}/deliveries", headers={"X-API-Key": KEY})
        assert all(entry["status"] == 500 and not entry["ok"] for entry in log.json())
    received = len(receiver.received)
    receiver.status = 200
    deliver_pending(os_client, hooked.index, allow_private=True, sleep=lambda _: None)
    assert len(receiver.received) == received  # switched off: not called again


def test_webhooks_into_the_own_network_are_refused_unless_allowed(
    hooked: Settings, receiver: Receiver
) -> None:
    strict = hooked.model_copy(update={"allow_private_urls": False})
    for url in (receiver.url, "http://10.0.0.5/hook", "http://169.254.169.254/", "ftp://x.org/"):
        refused = _save(strict, name="x", q="y", webhook=url)
        assert refused.status_code == 400, url
        assert refused.json()["parameter"] == "webhook"
    assert _save(hooked, name="x", q="y", webhook=receiver.url).status_code == 201
