"""docker-compose.yml cannot run here (no Docker engine), so its shape is checked by reading it."""

from __future__ import annotations

import re
from typing import Any

import yaml

from search.localnode.provision import LANGUAGE_PLUGINS
from search.settings import OPENSEARCH_VERSION
from tests.conftest import ROOT


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _node_image_is_the_official_release_with_the_language_plugins(node: dict[str, Any]) -> None:
    build = node["build"]
    assert build["args"]["OPENSEARCH_VERSION"] == OPENSEARCH_VERSION
    assert node["image"] == f"newsroom-opensearch:{OPENSEARCH_VERSION}"
    dockerfile = (ROOT / "docker-compose.yml").parent / build["context"] / build["dockerfile"]
    text = dockerfile.read_text()
    assert "FROM opensearchproject/opensearch:${OPENSEARCH_VERSION}" in text
    installed = re.search(r"for plugin in ([^;]+);", text)
    assert installed is not None
    assert set(installed.group(1).split()) == {spec.name for spec in LANGUAGE_PLUGINS}


def test_compose_runs_the_pinned_opensearch_release_with_the_language_plugins() -> None:
    _node_image_is_the_official_release_with_the_language_plugins(
        _compose()["services"]["opensearch"]
    )


def test_compose_node_is_single_local_and_without_security_plugin() -> None:
    node = _compose()["services"]["opensearch"]
    env = node["environment"]
    assert "discovery.type=single-node" in env
    assert "DISABLE_SECURITY_PLUGIN=true" in env
    assert node["ports"] == ["127.0.0.1:9200:9200"]
    assert any(v.startswith("opensearch-data:") for v in node["volumes"])


def test_compose_api_is_built_here_and_wired_to_the_node() -> None:
    compose = _compose()
    api = compose["services"]["api"]
    assert api["build"] == "."
    assert "NEWSROOM_OPENSEARCH_URL=http://opensearch:9200" in api["environment"]
    assert api["ports"] == ["127.0.0.1:8000:8000"]
    assert api["depends_on"]["opensearch"]["condition"] == "service_healthy"
    assert (ROOT / "Dockerfile").exists()
    assert "opensearch-data" in compose["volumes"]


def test_cluster_profile_has_three_nodes_that_find_each_other() -> None:
    services = _compose()["services"]
    nodes = {
        name: svc
        for name, svc in services.items()
        if svc.get("profiles") == ["cluster"] and name.startswith("os")
    }
    assert sorted(nodes) == ["os1", "os2", "os3"]
    for name, node in nodes.items():
        _node_image_is_the_official_release_with_the_language_plugins(node)
        assert f"node.name={name}" in node["environment"]
        assert "discovery.seed_hosts=os1,os2,os3" in node["environment"]
    api = services["api-cluster"]
    assert (
        "NEWSROOM_OPENSEARCH_URL=http://os1:9200,http://os2:9200,http://os3:9200"
        in api["environment"]
    )


def test_distributed_profile_has_a_scheduler_two_workers_and_a_driver_on_the_node() -> None:
    services = _compose()["services"]
    scheduler = services["dask-scheduler"]
    assert scheduler["profiles"] == ["distributed"]
    assert scheduler["command"][:2] == ["dask", "scheduler"]
    workers = [svc for name, svc in services.items() if name.startswith("dask-worker")]
    assert len(workers) == 2
    for worker in workers:
        assert worker["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
        assert worker["build"] == "."  # the project and its model, as the API image has them
    driver = services["ingest"]
    assert driver["entrypoint"] == ["newsroom", "ingest"]
    assert "NEWSROOM_OPENSEARCH_URL=http://opensearch:9200" in driver["environment"]


def test_a_watcher_polls_the_feeds_of_the_same_index() -> None:
    services = _compose()["services"]
    watcher = services["watcher"]
    assert watcher["command"] == ["newsroom", "watch"]
    assert watcher["build"] == "."
    assert "NEWSROOM_INDEX=articles" in watcher["environment"]
    assert "NEWSROOM_INDEX=articles" in services["api"]["environment"]
    assert watcher["depends_on"]["opensearch"]["condition"] == "service_healthy"
