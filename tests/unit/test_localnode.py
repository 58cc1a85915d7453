"""The local node's pure parts: descriptors, config, JDK choice, POM, unpacking, pid safety."""

from __future__ import annotations

import os
import socket
import stat
import zipfile
from pathlib import Path

import pytest

from search.localnode import NodeError, start, status, stop
from search.localnode.common import NodePaths
from search.localnode.config import jvm_options, opensearch_yml
from search.localnode.java import java_home, java_major, java_range, pick_java_home
from search.localnode.maven import Artifact, fetch_pom
from search.localnode.provision import (
    ANALYSIS_COMMON,
    LANG_PAINLESS,
    compiled_for_java,
    entry_class,
    plugin_descriptor,
    unpack,
)
from search.settings import Settings

# Every key OpenSearch's PluginInfo reads; anything else makes the node refuse to start.
KNOWN_KEYS = {
    "name",
    "description",
    "version",
    "classname",
    "java.version",
    "opensearch.version",
    "dependencies",
    "custom.foldername",
    "extended.plugins",
    "has.native.controller",
}


def _parse_properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")


def _descriptor(spec_name: str, extended: tuple[str, ...] = ()) -> dict[str, str]:
    text = plugin_descriptor(
        name=spec_name,
        description="d",
        version="3.8.0",
        classname="org.example.Plugin",
        java_version="21",
        extended_plugins=extended,
    )
    return _parse_properties(text)


def test_descriptor_of_a_module_that_extends_painless_has_exactly_the_needed_keys() -> None:
    keys = _descriptor("analysis-common", ("lang-painless",))
    assert set(keys) == {
        "name",
        "description",
        "version",
        "classname",
        "java.version",
        "opensearch.version",
        "extended.plugins",
    }
    assert keys["extended.plugins"] == "lang-painless"
    assert keys["opensearch.version"] == "3.8.0"


def test_descriptor_names_the_opensearch_version_once_and_only_known_keys() -> None:
    keys = _descriptor("lang-painless")
    assert set(keys) <= KNOWN_KEYS
    assert "extended.plugins" not in keys
    assert ("opensearch.version" in keys) != ("dependencies" in keys)


def test_descriptor_escapes_what_java_properties_would_misread() -> None:
    text = plugin_descriptor(
        name="x",
        description="Café \\ analyzers",
        version="1",
        classname="a.B",
        java_version="21",
    )
    assert text.isascii()
    assert "Caf\\u00e9 \\\\ analyzers" in text


def test_module_specs_match_what_opensearch_builds() -> None:
    assert ANALYSIS_COMMON.extended_plugins == ("lang-painless",)
    names = {a.artifact for a in LANG_PAINLESS.artifacts("3.8.0")}
    assert names == {
        "lang-painless",
        "opensearch-scripting-painless-spi",
        "antlr4-runtime",
        "asm",
        "asm-util",
        "asm-tree",
        "asm-commons",
        "asm-analysis",
    }
    assert LANG_PAINLESS.policy is not None


def _jar(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return path


def test_entry_class_is_taken_from_what_the_jar_really_contains(tmp_path: Path) -> None:
    jar = _jar(
        tmp_path / "m.jar", {"org/opensearch/analysis/common/CommonAnalysisModule.class": ""}
    )
    assert entry_class(jar, ANALYSIS_COMMON.classnames) == (
        "org.opensearch.analysis.common.CommonAnalysisModule"
    )
    with pytest.raises(NodeError, match="entry classes"):
        entry_class(jar, LANG_PAINLESS.classnames)


def test_java_version_of_a_module_comes_from_its_manifest(tmp_path: Path) -> None:
    manifest = "Manifest-Version: 1.0\r\nX-Compile-Target-JDK: 21\r\n"
    assert compiled_for_java(_jar(tmp_path / "a.jar", {"META-INF/MANIFEST.MF": manifest})) == "21"
    assert compiled_for_java(_jar(tmp_path / "b.jar", {"x.class": ""})) is None


def test_config_is_a_loopback_single_node_that_ignores_disk_watermarks(tmp_path: Path) -> None:
    yml = opensearch_yml(NodePaths(tmp_path / "node"), 9250)
    assert 'network.host: "127.0.0.1"' in yml
    assert 'discovery.type: "single-node"' in yml
    assert "http.port: 9250" in yml
    assert "cluster.routing.allocation.disk.threshold_enabled: false" in yml
    assert f'path.data: "{tmp_path}/node/data"' in yml
    assert "auto_create_index" not in yml
    assert "security" not in yml


def test_jvm_options_get_our_heap_and_keep_the_release_untouched(tmp_path: Path) -> None:
    release = "-Xms1g\n-Xmx1g\n-XX:HeapDumpPath=data\n9-:-Xlog:gc*:file=logs/gc.log\n"
    release += "-XX:ErrorFile=logs/hs_err_pid%p.log\n21-:-javaagent:agent/opensearch-agent.jar\n"
    paths = NodePaths(tmp_path / "node")
    options = jvm_options(release, Path("/cache/os"), paths, "512m").splitlines()
    assert options[:2] == ["-Xms512m", "-Xmx512m"]
    assert "-Xms1g" not in options
    assert f"-XX:HeapDumpPath={paths.data}" in options
    assert f"9-:-Xlog:gc*:file={paths.logs}/gc.log" in options
    assert f"-XX:ErrorFile={paths.logs}/hs_err_pid%p.log" in options
    assert "21-:-javaagent:/cache/os/agent/opensearch-agent.jar" in options
    with pytest.raises(NodeError, match="heap"):
        jvm_options(release, Path("/x"), paths, "lots")


def _jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    (home / "release").write_text(f'IMPLEMENTOR="x"\nJAVA_VERSION="{version}"\n')
    return home


def test_java_major_reads_old_and_new_version_schemes(tmp_path: Path) -> None:
    assert java_major(_jdk(tmp_path, "a", "25.0.1")) == 25
    assert java_major(_jdk(tmp_path, "b", "1.8.0_402")) == 8
    assert java_major(_jdk(tmp_path, "c", "21")) == 21
    assert java_major(tmp_path / "missing") is None


def test_newest_jdk_of_21_or_later_is_chosen_for_opensearch_3(tmp_path: Path) -> None:
    jdk17 = _jdk(tmp_path, "java-17", "17.0.15")
    jdk21 = _jdk(tmp_path, "java-21", "21.0.5")
    jdk25 = _jdk(tmp_path, "temurin-25", "25.0.3")
    lowest, highest = java_range("3.8.0")
    assert pick_java_home([jdk17, jdk21, jdk25], lowest, highest) == jdk25
    assert pick_java_home([jdk17], lowest, highest) is None


def test_opensearch_2_gets_a_jdk_that_still_has_the_security_manager(tmp_path: Path) -> None:
    jdk17 = _jdk(tmp_path, "java-17", "17.0.15")
    jdk25 = _jdk(tmp_path, "temurin-25", "25.0.3")
    assert pick_java_home([jdk17, jdk25], *java_range("2.19.3")) == jdk17


def test_a_configured_jdk_that_is_too_old_is_refused(tmp_path: Path) -> None:
    settings = Settings(node_java_home=_jdk(tmp_path, "java-17", "17.0.15"))
    with pytest.raises(NodeError, match="Java 21"):
        java_home(settings)


def test_fetch_pom_names_coordinates_only_and_no_repository_host() -> None:
    pom = fetch_pom(
        [Artifact("org.opensearch.distribution.integ-test-zip", "opensearch", "3.8.0", "zip")]
    )
    assert "<artifactId>opensearch</artifactId><version>3.8.0</version><type>zip</type>" in pom
    assert "<exclusion><groupId>*</groupId>" in pom
    assert "http" not in pom
    assert "<repositor" not in pom


def test_unpack_strips_the_top_folder_and_keeps_scripts_executable(tmp_path: Path) -> None:
    release = tmp_path / "os.zip"
    with zipfile.ZipFile(release, "w") as archive:
        script = zipfile.ZipInfo("opensearch-9.9.9/bin/opensearch")
        script.external_attr = (stat.S_IFREG | 0o755) << 16
        archive.writestr(script, "#!/bin/sh\n")
        archive.writestr("opensearch-9.9.9/config/opensearch.yml", "")
    unpack(release, tmp_path / "home")
    assert os.access(tmp_path / "home" / "bin" / "opensearch", os.X_OK)
    assert (tmp_path / "home" / "config" / "opensearch.yml").is_file()


def test_unpack_refuses_paths_that_climb_out(tmp_path: Path) -> None:
    release = tmp_path / "evil.zip"
    with zipfile.ZipFile(release, "w") as archive:
        archive.writestr("opensearch-1/../../escaped", "x")
    with pytest.raises(NodeError, match="unsafe"):
        unpack(release, tmp_path / "home")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_data_dir_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert NodePaths.of(Settings(node_data_dir=Path("rel/node"))).root == tmp_path / "rel" / "node"


def test_stop_never_signals_a_process_that_is_not_this_dirs_node(tmp_path: Path) -> None:
    settings = Settings(node_data_dir=tmp_path, node_port=_free_port())
    NodePaths.of(settings).pid_file.write_text(f"{os.getpid()}\n")  # a stale, reused pid
    assert stop(settings) is False
    assert not NodePaths.of(settings).pid_file.exists()
    assert stop(settings) is False  # and harmless when nothing runs


def test_status_of_a_port_where_nothing_listens_is_not_running(tmp_path: Path) -> None:
    found = status(Settings(node_data_dir=tmp_path, node_port=_free_port()))
    assert (found.running, found.version, found.health, found.pid) == (False, None, None, None)


def test_start_refuses_a_port_someone_else_serves_before_downloading_anything(
    tmp_path: Path,
) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        settings = Settings(
            node_data_dir=tmp_path / "node", node_cache_dir=tmp_path / "cache", node_port=port
        )
        with pytest.raises(NodeError, match="not starting a second node"):
            start(settings, wait_s=1)
    assert not (tmp_path / "cache").exists()
