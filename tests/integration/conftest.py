"""A real index with real articles, loaded once per module and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search.app import create_app
from search.entities.store import drop_registry
from search.index import schema
from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration
API_KEY = "test-key-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def corpus_settings(
    node_settings: Settings, os_client: OpenSearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """The seed article plus 300 Reuters-21578 stories, indexed through the real pipeline."""
    from pydantic import SecretStr

    alias = f"test-corpus-{uuid.uuid4().hex[:10]}"
    dead = tmp_path_factory.mktemp("dead")
    settings = node_settings.model_copy(
        update={"index": alias, "dead_letter_dir": dead, "api_keys": [SecretStr(API_KEY)]}
    )
    ingest_paths(
        settings,
        [FIXTURES / "seed_article.txt"],
        source="Kyiv Post",
        published_at="2025-01-13T09:00:00+02:00",
    )
    ingest_paths(settings, [FIXTURES / "reuters_sample.ndjson"])
    try:
        yield settings
    finally:
        schema.drop(os_client, alias)
        drop_registry(os_client, alias)


@pytest.fixture(scope="module")
def api(corpus_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_settings), raise_server_exceptions=False) as client:
        yield client
