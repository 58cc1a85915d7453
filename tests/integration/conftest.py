"""A real index with real articles, loaded once per module and dropped afterwards; a webhook
receiver for the tests of saved searches."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search.app import create_app
from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import FIXTURES, drop_everything
from tests.live_server import serve_handler

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
        drop_everything(os_client, alias)


@pytest.fixture(scope="module")
def api(corpus_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_settings), raise_server_exceptions=False) as client:
        yield client


class Receiver:
    """A webhook receiver on loopback: answers `status` and keeps each POST it got."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.url = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serve_handler(found.handler()) as base:
        found.url = f"{base}/hook"
        yield found
