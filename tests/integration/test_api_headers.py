"""The API's HTTP headers against a real node: ETag and 304 on an article, X-Request-ID on every
answer, RateLimit-* beside the 429's Retry-After, CORS preflights, a 405's Allow, and a write
key checked before a malformed body."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search.app import create_app
from search.index import schema
from search.ingest.pipeline import to_document
from search.ingest.prepare import Defaults, Prepared, prepare
from search.models import RawRecord
from search.settings import Settings
from tests.integration.test_cursor_paging import put

pytestmark = pytest.mark.integration

KEY = "headers-" + uuid.uuid4().hex
DESK = "https://desk.example"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def index(node_settings: Settings, os_client: OpenSearch) -> Iterator[Settings]:
    alias = f"test-headers-{uuid.uuid4().hex[:10]}"
    schema.ensure_index(os_client, alias)
    put(os_client, alias, [article(n) for n in range(5)])
    try:
        yield node_settings.model_copy(update={"index": alias, "api_keys": [SecretStr(KEY)]})
    finally:
        for name in os_client.indices.get(index=f"{alias}-v*", expand_wildcards="all"):
            os_client.indices.delete(index=name)


def article(n: int, *, title: str | None = None) -> dict[str, Any]:
    """A whole stored article, as the real `prepare` makes it."""
    raw = RawRecord(
        location=f"test:{n}",
        id=f"doc-{n:04d}",
        title=title or f"Harbour report {n}",
        body=f"Story number {n} about rain over the harbour of Valletta.",
        language="en",
    )
    outcome = prepare(raw, Defaults(), max_body_bytes=1_000_000, now=datetime.now(UTC))
    assert isinstance(outcome, Prepared)
    return to_document(outcome.article)


def _api(settings: Settings, **changes: Any) -> TestClient:
    return TestClient(
        create_app(settings.model_copy(update=changes)), raise_server_exceptions=False
    )


def test_an_article_has_an_etag_and_answers_304_while_unchanged(
    index: Settings, os_client: OpenSearch
) -> None:
    with _api(index) as api:
        first = api.get("/v1/articles/doc-0001")
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
        assert first.headers["cache-control"] == "public, no-cache"
        assert first.json()["id"] == "doc-0001"

        for sent in (etag, f'"other", W/{etag}', "*"):
            again = api.get("/v1/articles/doc-0001", headers={"If-None-Match": sent})
            assert again.status_code == 304, sent
            assert again.content == b""
            assert again.headers["etag"] == etag
        stale = api.get("/v1/articles/doc-0001", headers={"If-None-Match": '"other"'})
        assert stale.status_code == 200
        assert api.get("/v1/articles/doc-0002").headers["etag"] != etag

        corrected = article(1, title="Harbour report, corrected")
        os_client.index(index=index.index, id="doc-0001", body=corrected, refresh=True)
        changed = api.get("/v1/articles/doc-0001", headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != etag
        assert changed.json()["title"] == "Harbour report, corrected"
    with _api(index, protect_reads=True) as api:
        keyed = api.get("/v1/articles/doc-0001", headers={"X-API-Key": KEY})
        assert keyed.headers["cache-control"] == "private, no-cache"


def test_an_article_is_found_while_the_alias_holds_two_indices(
    index: Settings, os_client: OpenSearch
) -> None:
    """As during `newsroom index migrate`: a lookup by id through the alias is refused there."""
    extra = f"{index.index}-v99"
    os_client.indices.create(index=extra, body=schema.index_body())
    os_client.indices.put_alias(index=extra, name=index.index, body={"is_write_index": True})
    try:
        with _api(index) as api:
            found = api.get("/v1/articles/doc-0003")
            missing = api.get("/v1/articles/no-such-article")
    finally:
        os_client.indices.delete(index=extra)
    assert found.status_code == 200, found.text
    assert found.json()["id"] == "doc-0003"
    assert found.headers["etag"]
    assert missing.status_code == 404


def test_a_sane_request_id_is_echoed_and_any_other_replaced_on_every_answer(
    index: Settings,
) -> None:
    with _api(index, rate_limit_per_minute=6) as api:
        answers = [
            api.get("/v1/search", params={"q": "harbour"}),
            api.get("/v1/articles/no-such-article"),
            api.put("/v1/articles/doc-0001"),
            api.get("/v1/search", params={"q": '"unclosed'}),
            api.post("/v1/articles", json={"body": "x"}),
            api.get("/v1/health"),
        ]
        answers += [api.get("/v1/search") for _ in range(3)]  # the last ones are 429s
        statuses = {answer.status_code for answer in answers}
        assert statuses >= {200, 400, 401, 404, 405, 429}
        for sent in ("req-42.a:b", "x" * 128):
            for method, path in (("GET", "/v1/health"), ("GET", "/v1/articles/nope")):
                answer = api.request(method, path, headers={"X-Request-ID": sent})
                assert answer.headers["x-request-id"] == sent
        for insane in ("x" * 129, "two words", "tab\there", ""):
            answer = api.get("/v1/health", headers={"X-Request-ID": insane})
            assert GENERATED_ID.fullmatch(answer.headers["x-request-id"]), insane
    ids = [answer.headers["x-request-id"] for answer in answers]
    assert all(GENERATED_ID.fullmatch(found) for found in ids)
    assert len(set(ids)) == len(ids)


def test_rate_limit_headers_count_down_to_the_429_and_its_retry_after(index: Settings) -> None:
    with _api(index, rate_limit_per_minute=3) as api:
        answers = [api.get("/v1/search", params={"q": "harbour"}) for _ in range(4)]
        health = api.get("/v1/health")
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-limit"] for a in answers] == ["3"] * 4
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    resets = [int(a.headers["ratelimit-reset"]) for a in answers]
    assert 1 <= resets[0] <= resets[1] <= resets[2] <= 60
    assert "retry-after" not in answers[0].headers
    retry_after = int(answers[3].headers["retry-after"])
    assert 1 <= retry_after <= int(answers[3].headers["ratelimit-reset"])
    assert f"retry in {retry_after}s" in answers[3].json()["detail"]
    assert "ratelimit-limit" not in health.headers  # health is not rate limited


def test_cors_preflight_allows_the_configured_origin_and_its_headers(index: Settings) -> None:
    asks = {"Access-Control-Request-Method": "DELETE"}
    asks["Access-Control-Request-Headers"] = "x-api-key, x-request-id, if-none-match"
    with _api(index, cors_origins=[DESK]) as api:
        preflight = api.options("/v1/articles/doc-0001", headers={"Origin": DESK, **asks})
        refused = api.options("/v1/articles/doc-0001", headers={"Origin": "https://x.test", **asks})
        read = api.get("/v1/articles/doc-0002", headers={"Origin": DESK})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == DESK
    methods = {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    assert methods >= {"GET", "POST", "DELETE"}
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"x-api-key", "x-request-id", "if-none-match"} <= set(
        allowed.replace(" ", "").split(",")
    )
    assert int(preflight.headers["access-control-max-age"]) > 0
    assert GENERATED_ID.fullmatch(preflight.headers["x-request-id"])
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert read.headers["access-control-allow-origin"] == DESK
    exposed = read.headers["access-control-expose-headers"].lower()
    for header in ("x-request-id", "etag", "ratelimit-remaining", "retry-after"):
        assert header in exposed


def test_a_405_allows_every_method_its_path_has(index: Settings) -> None:
    with _api(index) as api:
        article_id = api.put("/v1/articles/doc-0001")
        search = api.patch("/v1/search")
        articles = api.get("/v1/articles")
        options = api.options("/v1/articles/doc-0001")  # no CORS configured: not a preflight
    assert article_id.status_code == 405
    assert article_id.headers["allow"] == "GET, DELETE"
    assert search.headers["allow"] == "GET, POST"
    assert articles.status_code == 405
    assert articles.headers["allow"] == "POST"
    assert options.status_code == 405
    assert options.headers["allow"] == "GET, DELETE"
    assert article_id.headers["content-type"] == "application/problem+json"


def test_a_malformed_write_without_a_key_is_refused_for_the_key(index: Settings) -> None:
    bad = {"content": b'{"title": "unclosed', "headers": {"Content-Type": "application/json"}}
    with _api(index) as api:
        no_key = api.post("/v1/articles", **bad)
        wrong_key = api.post(
            "/v1/articles", **{**bad, "headers": {**bad["headers"], "X-API-Key": "no"}}
        )
        with_key = api.post(
            "/v1/articles", **{**bad, "headers": {**bad["headers"], "X-API-Key": KEY}}
        )
        revert = api.post("/v1/entities/corrections/1/revert", **bad)
    with _api(index, api_keys=[]) as api:
        unkeyed_service = api.post("/v1/articles", **bad)
    assert no_key.status_code == 401
    assert no_key.headers["www-authenticate"] == "X-API-Key"
    assert wrong_key.status_code == 401
    assert revert.status_code == 401
    assert with_key.status_code == 400  # the key passes, then the body is read and refused
    assert unkeyed_service.status_code == 403
    assert unkeyed_service.headers["content-type"] == "application/problem+json"
