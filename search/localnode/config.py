"""The node's configuration, generated into its data dir so the cached release stays pristine."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from search.localnode.common import NodeError, NodePaths
from search.settings import Settings

CLUSTER_NAME = "newsroom-local"
GENERATED = ("opensearch.yml", "jvm.options")


def opensearch_yml(paths: NodePaths, http_port: int) -> str:
    """A single loopback node without security plugin, that never turns indices read-only.

    The disk-based allocation decider is off: on a shared dev disk above the 85/90/95 %
    watermarks a node would otherwise leave new shards unassigned or block writes.
    """
    settings: dict[str, str | int | bool] = {
        "cluster.name": CLUSTER_NAME,
        "node.name": CLUSTER_NAME,
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": http_port,
        "transport.port": "9300-9400",
        "path.data": str(paths.data),
        "path.logs": str(paths.logs),
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }
    # JSON scalars are valid YAML, which keeps odd characters in paths harmless.
    return "".join(f"{key}: {json.dumps(value)}\n" for key, value in settings.items())


def jvm_options(release_options: str, release_home: Path, paths: NodePaths, heap: str) -> str:
    """The release's JVM options with our heap, and its relative paths pointed at our dirs.

    The start script runs from the release home, so `logs/gc.log`, `HeapDumpPath=data` and
    `agent/` would otherwise write into (or read from) the shared, pristine release.
    """
    if not re.fullmatch(r"\d+[kKmMgG]", heap):
        raise NodeError(f"node heap {heap!r} is not a JVM size such as 512m or 1g")
    lines = [f"-Xms{heap}", f"-Xmx{heap}"]
    for line in release_options.splitlines():
        if re.fullmatch(r"\s*-Xm[sx]\S+\s*", line):
            continue
        line = line.replace("HeapDumpPath=data", f"HeapDumpPath={paths.data}")
        line = re.sub(r"([=:])logs/", rf"\g<1>{paths.logs}/", line)
        line = line.replace("-javaagent:agent/", f"-javaagent:{release_home}/agent/")
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_config(settings: Settings, release_home: Path, paths: NodePaths) -> None:
    """(Re)write the config dir on every start, so changed settings take effect."""
    for folder in (paths.config, paths.config / "jvm.options.d", paths.data, paths.logs):
        folder.mkdir(parents=True, exist_ok=True)
    shipped = release_home / "config"
    for item in shipped.iterdir():
        if item.is_file() and item.name not in GENERATED:
            shutil.copy2(item, paths.config / item.name)  # log4j2.properties and friends
    (paths.config / "opensearch.yml").write_text(
        opensearch_yml(paths, settings.node_port), encoding="utf-8"
    )
    release_options = (shipped / "jvm.options").read_text(encoding="utf-8")
    (paths.config / "jvm.options").write_text(
        jvm_options(release_options, release_home, paths, settings.node_heap), encoding="utf-8"
    )
