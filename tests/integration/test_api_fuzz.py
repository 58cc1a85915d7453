"""Schema-driven fuzzing: requests generated from our own OpenAPI document never get a 5xx
while OpenSearch is up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from search.api.app import create_app
from search.settings import Settings
from tests.live_server import serve

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 30


@pytest.fixture(scope="module")
def live_api(corpus_settings: Settings) -> Iterator[str]:
    generous = corpus_settings.model_copy(update={"rate_limit_per_minute": 100_000})
    with serve(create_app(generous)) as base:
        yield base


def _check(case: schemathesis.Case, base: str) -> None:
    response = case.call(base_url=base)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text[:500]}"
    if response.status_code >= 400:
        content_type = response.headers["content-type"]
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), content_type


def test_no_generated_request_gets_a_server_error(live_api: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api}/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            _check(case, live_api)

        fuzz()
