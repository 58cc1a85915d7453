"""A real local node on its own port and data dir: idempotent start, analyzers, clean stop."""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search import languages, localnode
from search.localnode.provision import (
    ANALYSIS_COMMON,
    LANG_PAINLESS,
    LANGUAGE_PLUGINS,
    MARKER,
    install_module,
    missing_plugins,
    provision,
    release_home,
)
from search.settings import Settings
from tests.conftest import scratch_node
from tests.live_server import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def node() -> Iterator[Settings]:
    with scratch_node(free_port(), "newsroom-node-") as settings:
        yield settings


def _call(settings: Settings, method: str, path: str, body: object = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{settings.node_port}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read())


def test_second_start_is_harmless_and_keeps_the_same_process(node: Settings) -> None:
    first = localnode.status(node)
    again = localnode.start(node)
    assert first.pid is not None
    assert again.pid == first.pid


def test_status_reports_version_health_and_address(node: Settings) -> None:
    found = localnode.status(node)
    assert found.running
    assert found.url == f"http://127.0.0.1:{node.node_port}"
    assert found.version == node.node_version
    assert found.health in ("yellow", "green")


def test_language_analyzers_asciifolding_and_stemmer_are_installed(node: Settings) -> None:
    index = f"test-analysis-{uuid.uuid4().hex[:8]}"
    body = {
        "settings": {
            "number_of_replicas": 0,
            "analysis": {
                "filter": {"stem_en": {"type": "stemmer", "language": "english"}},
                "analyzer": {
                    "folded": {
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding", "stem_en"],
                    }
                },
            },
        },
        "mappings": {
            "properties": {
                "body": {"type": "text", "analyzer": "english"},
                "title": {"type": "text", "analyzer": "folded"},
            }
        },
    }
    try:
        assert _call(node, "PUT", f"/{index}", body)["acknowledged"]
        analyzed = _call(
            node, "POST", f"/{index}/_analyze", {"analyzer": "folded", "text": "Café runners"}
        )
        assert [t["token"] for t in analyzed["tokens"]] == ["cafe", "runner"]
    finally:
        _call(node, "DELETE", f"/{index}")


def test_modules_assembled_from_maven_match_the_ones_the_release_ships(
    node: Settings, tmp_path: Path
) -> None:
    """Releases without these modules get them from Maven; the result must equal OpenSearch's."""
    shipped_modules = release_home(node) / "modules"
    cache = node.node_cache_dir.expanduser().resolve()
    for spec in (LANG_PAINLESS, ANALYSIS_COMMON):
        built = tmp_path / spec.name
        install_module(spec, node.node_version, built, tmp_path / "downloads", cache / "maven")
        ours = _descriptor(built)
        shipped = _descriptor(shipped_modules / spec.name)
        for key in ours:
            assert ours[key] == shipped[key] or key == "description", key
        assert _artifact_names(built) == _artifact_names(shipped_modules / spec.name)


def test_the_node_runs_the_language_plugins_and_every_analyzer_of_the_table(
    node: Settings,
) -> None:
    loaded = {row["component"] for row in _call(node, "GET", "/_cat/plugins?format=json")}
    assert loaded == {spec.name for spec in LANGUAGE_PLUGINS}
    for language in languages.LANGUAGES:
        found = _call(node, "POST", "/_analyze", {"analyzer": language.analyzer, "text": "x"})
        assert "tokens" in found, language


def test_a_release_provisioned_before_the_plugins_gets_them_added(
    node: Settings, tmp_path: Path
) -> None:
    """A cache from before: the release's marker without plugin folders. The next provision
    adds each plugin, jar, Lucene analyser and descriptor, and leaves the rest alone."""
    cache = tmp_path / "cache"
    home = cache / f"opensearch-{node.node_version}"
    (home / "plugins").mkdir(parents=True)
    (home / MARKER).write_text("{}\n")
    (cache / "maven").symlink_to(node.node_cache_dir.expanduser().resolve() / "maven")
    assert len(missing_plugins(home)) == len(LANGUAGE_PLUGINS)

    assert provision(node.model_copy(update={"node_cache_dir": cache})) == home

    assert missing_plugins(home) == []
    for spec in LANGUAGE_PLUGINS:
        folder = home / "plugins" / spec.name
        descriptor = _descriptor(folder)
        assert descriptor["name"] == spec.name
        assert descriptor["classname"] in spec.classnames
        assert descriptor["opensearch.version"] == node.node_version
        jars = _artifact_names(folder)
        assert spec.name in jars
        assert any(jar.startswith("lucene-analysis-") for jar in jars)
        assert not (folder / "pom.xml").exists()
    assert sorted(p.name for p in (home / "plugins").iterdir()) == sorted(
        spec.name for spec in LANGUAGE_PLUGINS
    )


def _descriptor(module: Path) -> dict[str, str]:
    lines = (module / "plugin-descriptor.properties").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key: value for key, value in pairs if value}


def _artifact_names(module: Path) -> set[str]:
    # Library versions may differ (a newer asm is fine); the set of libraries may not.
    return {jar.name.rsplit("-", 1)[0] for jar in module.glob("*.jar")}


def test_stop_leaves_no_process_behind(node: Settings) -> None:
    pid = localnode.status(node).pid
    assert pid is not None
    assert localnode.stop(node) is True
    assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)
    assert localnode.status(node).running is False
    assert localnode.stop(node) is False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_nothing_was_written_into_the_cached_release(node: Settings) -> None:
    home = release_home(node)
    assert not list((home / "logs").iterdir())
    assert not (home / "data").exists()
    assert not (home / "config" / "opensearch.keystore").exists()
    assert os.access(home / "bin" / "opensearch", os.X_OK)


def test_a_node_that_answers_is_used_not_started_again(node_settings: Settings) -> None:
    found, started = localnode.ensure_running(node_settings)
    assert started is False
    assert found.opensearch_url == node_settings.opensearch_url
