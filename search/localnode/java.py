"""Choosing the JDK for the node: the minimal OpenSearch distribution ships none."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from search.localnode.common import NodeError
from search.settings import Settings

#: Where Debian and Ubuntu install JDKs (packages and Temurin alike); only a default search path.
JVM_DIRS = (Path("/usr/lib/jvm"),)


def java_range(opensearch_version: str) -> tuple[int, int | None]:
    """Java majors a release runs on: 3.x needs 21+, 2.x needs the SecurityManager (gone in 24)."""
    major = int(opensearch_version.split(".", 1)[0])
    return (21, None) if major >= 3 else (11, 23)


def java_major(home: Path) -> int | None:
    """Major version from the JDK's `release` file (`JAVA_VERSION="25.0.1"`, or "1.8.0_402")."""
    try:
        text = (home / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', text, re.MULTILINE)
    if not found:
        return None
    first = int(found.group(1))
    return int(found.group(2) or 0) if first == 1 else first


def pick_java_home(candidates: Iterable[Path], lowest: int, highest: int | None) -> Path | None:
    """The newest JDK in range; ties go to the first candidate, so an explicit JAVA_HOME wins."""
    best: tuple[int, Path] | None = None
    for home in candidates:
        major = java_major(home)
        if major is None or major < lowest or (highest is not None and major > highest):
            continue
        if not (home / "bin" / "java").exists():
            continue
        if best is None or major > best[0]:
            best = (major, home)
    return best[1] if best else None


def _candidates() -> list[Path]:
    found: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        found.append(Path(os.environ["JAVA_HOME"]))
    for base in JVM_DIRS:
        if base.is_dir():
            found.extend(sorted(p for p in base.iterdir() if p.is_dir()))
    unique: dict[Path, Path] = {}
    for home in found:
        unique.setdefault(home.resolve(), home.resolve())
    return list(unique.values())


def java_home(settings: Settings) -> Path:
    """Settings.node_java_home if it fits the release, else the newest fitting JDK found here."""
    lowest, highest = java_range(settings.node_version)
    wanted = f"Java {lowest}+" if highest is None else f"Java {lowest}-{highest}"
    if settings.node_java_home is not None:
        chosen = pick_java_home([settings.node_java_home.expanduser()], lowest, highest)
        if chosen is None:
            raise NodeError(
                f"NEWSROOM_NODE_JAVA_HOME={settings.node_java_home} is not a JDK with {wanted}, "
                f"which OpenSearch {settings.node_version} needs"
            )
        return chosen
    chosen = pick_java_home(_candidates(), lowest, highest)
    if chosen is None:
        raise NodeError(
            f"OpenSearch {settings.node_version} needs {wanted}; none found in JAVA_HOME or "
            f"{', '.join(map(str, JVM_DIRS))}. Install one or set NEWSROOM_NODE_JAVA_HOME."
        )
    return chosen
