"""Shared fixtures: a real OpenSearch node for the session, a throw-away index per test."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from search import localnode
from search.index import schema
from search.index.client import sync_client
from search.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"


def corpus(name: str) -> Path:
    """A big corpus beside the project, or a skip when it is not there (users lack it)."""
    path = SHARED_CORPORA / name
    if not path.exists():
        pytest.skip(f"corpus {name} is not present beside the project")
    return path


def _node_settings() -> Settings:
    """The node the suite uses: NEWSROOM_OPENSEARCH_URL if it answers, else a local one."""
    return Settings(node_data_dir=ROOT / ".newsroom" / "test-node")


@contextmanager
def scratch_node(port: int, prefix: str) -> Iterator[Settings]:
    """A node of its own for tests that stop, kill or reconfigure it, removed afterwards.

    Its data dir is not pytest's tmp_path: as root that sits in a root-only folder, and the node
    then runs as an unprivileged account that must reach it.
    """
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    settings = Settings(
        node_data_dir=data_dir,
        node_port=port,
        node_heap="512m",
        opensearch_url=f"http://127.0.0.1:{port}",
    )
    try:
        localnode.start(settings)
        yield settings
    finally:
        localnode.stop(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def node_settings() -> Iterator[Settings]:
    settings, started = localnode.ensure_running(_node_settings())
    try:
        yield settings
    finally:
        if started and not os.environ.get("NEWSROOM_KEEP_TEST_NODE"):
            localnode.stop(settings)


@pytest.fixture(scope="session")
def os_client(node_settings: Settings) -> OpenSearch:
    return sync_client(node_settings)


@pytest.fixture
def settings(node_settings: Settings, os_client: OpenSearch) -> Iterator[Settings]:
    """Settings whose alias names a fresh index for this test only; deleted afterwards."""
    alias = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield node_settings.model_copy(update={"index": alias})
    finally:
        drop_everything(os_client, alias)


def drop_everything(client: OpenSearch, alias: str) -> None:
    """The articles index of `alias` and every index named for it: registry and its audit,
    runs, saved searches and alerts, feeds, collections, whatever is added next. Dropping them
    one by one had left some behind on every run, on a developer's node, until its shard limit."""
    schema.drop(client, alias)
    for name in client.indices.get(index=f"{alias}-*", expand_wildcards="all"):
        client.indices.delete(index=name, ignore_unavailable=True)
