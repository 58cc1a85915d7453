"""Schema-driven fuzzing: requests generated from our own OpenAPI document never get a 5xx
while OpenSearch is up."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from search.app import create_app
from search.settings import Settings
from tests.integration.conftest import API_KEY
from tests.live_server import serve

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 30


@pytest.fixture(scope="module")
def live_api(corpus_settings: Settings) -> Iterator[str]:
    # A queue of one: generated batches are accepted (202) or refused (429) without leaving
    # eight NER runs to load the machine under the tests that follow.
    generous = corpus_settings.model_copy(
        update={"rate_limit_per_minute": 100_000, "ingest_queue_size": 1}
    )
    with serve(create_app(generous)) as base:
        yield base


def _check(case: schemathesis.Case, base: str, declared: set[str], keyed: bool) -> None:
    """No 5xx while OpenSearch is up; every status is one the document declares. Operations
    that take a key get the right one, so the fuzz reaches past the key check into writes."""
    headers = {"X-API-Key": API_KEY} if keyed else None
    response = case.call(base_url=base, headers=headers)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text[:500]}"
    assert str(response.status_code) in declared, f"{case.method} {case.path}: undeclared"
    if response.status_code >= 400:
        content_type = response.headers["content-type"]
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), content_type


def test_no_generated_request_gets_a_server_error(live_api: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api}/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    document = httpx.get(f"{live_api}/v1/openapi.json").json()
    for operation in operations:
        spec = document["paths"][operation.path][operation.method.lower()]
        declared = set(spec["responses"])
        keyed = any(p["name"].lower() == "x-api-key" for p in spec.get("parameters", []))

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            _check(case, live_api, declared, keyed)  # noqa: B023 - called within this turn

        fuzz()
