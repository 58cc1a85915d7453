"""Keys, rate limit, CORS and security headers: the guard around every request (no server)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from search.app import create_app
from search.http.security import CONTENT_SECURITY_POLICY, RateLimiter, key_matches
from search.settings import Settings

NOWHERE = "http://127.0.0.1:9"


def test_rate_limiter_refills_over_time() -> None:
    limiter = RateLimiter(per_minute=2)
    assert limiter.allow("a", now=0.0)[0]
    assert limiter.allow("a", now=0.0)[0]
    allowed, wait = limiter.allow("a", now=0.0)
    assert not allowed
    assert 0 < wait <= 30
    assert limiter.allow("b", now=0.0)[0]
    assert limiter.allow("a", now=31.0)[0]


def test_rate_limiter_forgets_the_oldest_clients_first() -> None:
    limiter = RateLimiter(per_minute=1, max_clients=2)
    for client in ("a", "b", "c"):
        limiter.allow(client, now=0.0)
    assert limiter.allow("a", now=0.0)[0]  # "a" was evicted, so it starts with a full bucket


def test_api_keys_compare_against_every_configured_key() -> None:
    settings = Settings(api_keys=[SecretStr("first"), SecretStr("second")])
    assert key_matches("second", settings)
    assert not key_matches("secon", settings)
    assert not key_matches(None, settings)
    assert not key_matches("anything", Settings())


def test_too_many_requests_is_a_429_problem_with_retry_after() -> None:
    app = create_app(Settings(opensearch_url=NOWHERE, rate_limit_per_minute=3))
    with TestClient(app) as api:
        codes = [api.get("/v1/openapi.json").status_code for _ in range(4)]
        refused = api.get("/v1/openapi.json")
    assert codes == [200, 200, 200, 429]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) >= 1


def test_every_answer_carries_the_security_headers() -> None:
    with TestClient(create_app(Settings(opensearch_url=NOWHERE))) as api:
        response = api.get("/v1/openapi.json")
        missing = api.get("/v1/nothing-here")
    for answer in (response, missing):
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404
    assert missing.json()["title"] == "Not found"


def test_cors_allows_only_configured_origins() -> None:
    settings = Settings(opensearch_url=NOWHERE, cors_origins=["https://desk.example"])
    with TestClient(create_app(settings)) as api:
        allowed = api.options(
            "/v1/search",
            headers={"Origin": "https://desk.example", "Access-Control-Request-Method": "GET"},
        )
        refused = api.options(
            "/v1/search",
            headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
        )
    assert allowed.headers["access-control-allow-origin"] == "https://desk.example"
    assert "access-control-allow-origin" not in refused.headers


def test_writes_are_refused_when_no_key_is_configured() -> None:
    with TestClient(create_app(Settings(opensearch_url=NOWHERE))) as api:
        response = api.post("/v1/articles", json={"title": "x", "body": "y"})
    assert response.status_code == 403
    assert "NEWSROOM_API_KEYS" in response.json()["detail"]


def test_protected_reads_need_a_key() -> None:
    settings = Settings(opensearch_url=NOWHERE, protect_reads=True, api_keys=[SecretStr("k")])
    with TestClient(create_app(settings)) as api:
        response = api.get("/v1/search", params={"q": "oil"})
    assert response.status_code == 401
