"""Fetching release files by Maven coordinates: Maven's default repository, our own cache."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from search.localnode.common import NodeError

MAVEN_TIMEOUT_S = 1800


@dataclass(frozen=True)
class Artifact:
    """One file of a Maven repository, named by its coordinates."""

    group: str
    artifact: str
    version: str
    type: str = "jar"

    @property
    def file_name(self) -> str:
        """The name `dependency:copy-dependencies` gives the copied file."""
        return f"{self.artifact}-{self.version}.{self.type}"


def fetch_pom(artifacts: Sequence[Artifact], *, transitive: bool = False) -> str:
    """A throw-away POM listing the artifacts, by default each without its dependencies.

    Several OpenSearch modules are published without a POM, so transitive resolution would
    only produce warnings; their runtime dependencies are listed explicitly instead. The
    language plugins do publish theirs (Lucene's analysers, dictionaries), so they resolve
    transitively.
    """
    exclusions = (
        ""
        if transitive
        else "<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion>"
        "</exclusions>"
    )
    deps = "".join(
        "\n    <dependency>"
        f"<groupId>{escape(a.group)}</groupId><artifactId>{escape(a.artifact)}</artifactId>"
        f"<version>{escape(a.version)}</version><type>{escape(a.type)}</type>"
        f"{exclusions}</dependency>"
        for a in artifacts
    )
    return (
        "<project>\n  <modelVersion>4.0.0</modelVersion>\n"
        "  <groupId>newsroom.localnode</groupId><artifactId>fetch</artifactId>"
        "<version>1</version><packaging>pom</packaging>\n"
        f"  <dependencies>{deps}\n  </dependencies>\n</project>\n"
    )


def fetch(
    artifacts: Sequence[Artifact], into: Path, maven_repo: Path, *, transitive: bool = False
) -> dict[Artifact, Path]:
    """Copy the artifacts into `into`; Maven keeps its downloads in `maven_repo` (our cache).

    With `transitive`, their runtime dependencies land in `into` as well (the mapping names
    only the artifacts asked for).
    """
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError("Maven (`mvn`) is needed to fetch OpenSearch; install it (package maven)")
    into.mkdir(parents=True, exist_ok=True)
    pom = into / "pom.xml"
    pom.write_text(fetch_pom(artifacts, transitive=transitive), encoding="utf-8")
    command = [
        mvn, "-B", "-q", "-f", str(pom), f"-Dmaven.repo.local={maven_repo}",
        "dependency:copy-dependencies", f"-DoutputDirectory={into}",
        f"-DexcludeTransitive={str(not transitive).lower()}", "-DincludeScope=runtime",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=MAVEN_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeError(f"Maven did not finish within {MAVEN_TIMEOUT_S} s") from exc
    files = {a: into / a.file_name for a in artifacts}
    missing = [
        f"{a.group}:{a.artifact}:{a.version}:{a.type}" for a, f in files.items() if not f.is_file()
    ]
    if done.returncode != 0 or missing:
        lines = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr).strip().splitlines()
        # The first [ERROR] line names the cause; the rest is Maven's generic advice.
        cause = [line for line in lines if line.startswith("[ERROR]") and line[7:].strip()][:1]
        tail = "\n".join(cause or lines[-20:])
        raise NodeError(f"Maven could not fetch {', '.join(missing) or 'the release'}:\n{tail}")
    return files
