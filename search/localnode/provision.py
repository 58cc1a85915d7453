"""Assembling a runnable OpenSearch home in the cache: the minimal release plus the modules we need.

The `integ-test-zip` distribution has no JDK, and some releases (3.4 and older) carry only the
`transport-*` modules. The index mapping needs `analysis-common` (language analyzers, stemmer,
asciifolding), which extends `lang-painless`; when the release lacks them they are fetched by
coordinates and given the plugin descriptor OpenSearch would have written. The analysis plugins
for Korean, Japanese, Chinese and Ukrainian are published as jars without a descriptor either;
they are fetched with their dependencies into `plugins/`, also into a home provisioned before
they were needed.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from search.localnode.common import NodeError
from search.localnode.java import java_range
from search.localnode.maven import Artifact, fetch
from search.settings import Settings

MARKER = ".newsroom-provisioned"
RELEASE_GROUP = "org.opensearch.distribution.integ-test-zip"
MODULE_GROUP = "org.opensearch.plugin"
# Only for releases that do not ship lang-painless. The ANTLR runtime must be the one the Painless
# grammar was generated with (4.13.1 across 3.x, gradle/libs.versions.toml); ASM is compatible
# within 9.x (3.0 was built with 9.7, 3.8 ships 9.10.1).
ANTLR_VERSION = "4.13.1"
ASM_VERSION = "9.7.1"
# Painless generates classes at run time; the same grant as the module OpenSearch ships.
PAINLESS_POLICY = """grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
"""


@dataclass(frozen=True)
class ModuleSpec:
    """A module the node needs, and how to assemble it when the release lacks it."""

    name: str
    description: str
    #: Entry-class names across releases, newest first; the one present in the jar wins.
    classnames: tuple[str, ...]
    #: Further artifacts under org.opensearch.plugin at the node's version.
    companions: tuple[str, ...] = ()
    libraries: tuple[Artifact, ...] = ()
    extended_plugins: tuple[str, ...] = ()
    policy: str | None = None

    def artifacts(self, version: str) -> list[Artifact]:
        ours = [Artifact(MODULE_GROUP, a, version) for a in (self.name, *self.companions)]
        return [*ours, *self.libraries]


LANG_PAINLESS = ModuleSpec(
    name="lang-painless",
    description="An easy, safe and fast scripting language for OpenSearch",
    classnames=("org.opensearch.painless.PainlessModulePlugin",),
    companions=("opensearch-scripting-painless-spi",),
    libraries=(
        Artifact("org.antlr", "antlr4-runtime", ANTLR_VERSION),
        *(
            Artifact("org.ow2.asm", name, ASM_VERSION)
            for name in ("asm", "asm-util", "asm-tree", "asm-commons", "asm-analysis")
        ),
    ),
    policy=PAINLESS_POLICY,
)
ANALYSIS_COMMON = ModuleSpec(
    name="analysis-common",
    description='Adds "built in" analyzers to OpenSearch.',
    classnames=(
        "org.opensearch.analysis.common.CommonAnalysisModulePlugin",
        "org.opensearch.analysis.common.CommonAnalysisModule",
    ),
    extended_plugins=("lang-painless",),
)
REQUIRED_MODULES = (LANG_PAINLESS, ANALYSIS_COMMON)


@dataclass(frozen=True)
class PluginSpec:
    """An analysis plugin of OpenSearch's own repository, published as a jar under
    org.opensearch.plugin with its Lucene analyser and dictionaries as dependencies."""

    name: str
    description: str
    classnames: tuple[str, ...]

    def artifact(self, version: str) -> Artifact:
        return Artifact(MODULE_GROUP, self.name, version)


_PLUGIN_PACKAGE = "org.opensearch.plugin.analysis"
#: The analysers of the languages `search.languages` maps to plugins; classnames from each
#: plugin's build file (and the 3.8.0 jars).
LANGUAGE_PLUGINS = (
    PluginSpec(
        "analysis-nori", "Korean (nori) analysis", (f"{_PLUGIN_PACKAGE}.nori.AnalysisNoriPlugin",)
    ),
    PluginSpec(
        "analysis-kuromoji",
        "Japanese (kuromoji) analysis",
        (f"{_PLUGIN_PACKAGE}.kuromoji.AnalysisKuromojiPlugin",),
    ),
    PluginSpec(
        "analysis-smartcn",
        "Smart Chinese analysis",
        (f"{_PLUGIN_PACKAGE}.smartcn.AnalysisSmartChinesePlugin",),
    ),
    PluginSpec(
        "analysis-ukrainian",
        "Ukrainian analysis (morfologik)",
        (f"{_PLUGIN_PACKAGE}.ukrainian.AnalysisUkrainianPlugin",),
    ),
)


def release_home(settings: Settings) -> Path:
    """The assembled release of the configured version, shared by every data dir."""
    return settings.node_cache_dir.expanduser().resolve() / f"opensearch-{settings.node_version}"


def provision(settings: Settings) -> Path:
    """Return the assembled OpenSearch home, building it once per version (offline afterwards)."""
    home = release_home(settings)
    if (home / MARKER).is_file() and not missing_plugins(home):
        return home
    cache = home.parent
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / f".provision-{settings.node_version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second provisioner waits, then finds the marker
        if not (home / MARKER).is_file():
            try:
                _assemble(settings.node_version, home, cache / "maven")
            finally:
                shutil.rmtree(_staging(home), ignore_errors=True)  # only left by a failure
        for spec in missing_plugins(home):  # a home provisioned before the plugin was needed
            install_plugin(spec, settings.node_version, home / "plugins", cache / "maven")
    return home


def missing_plugins(home: Path) -> list[PluginSpec]:
    """The language plugins the home does not hold yet."""
    return [
        spec
        for spec in LANGUAGE_PLUGINS
        if not (home / "plugins" / spec.name / "plugin-descriptor.properties").is_file()
    ]


def _staging(home: Path) -> Path:
    return home.with_name(f".{home.name}.partial")


def _assemble(version: str, home: Path, maven_repo: Path) -> None:
    staging = _staging(home)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)  # a half-built home without marker
    release = Artifact(RELEASE_GROUP, "opensearch", version, "zip")
    downloads = staging / ".downloads"
    zip_path = fetch([release], downloads, maven_repo)[release]
    unpack(zip_path, staging)
    added = []
    for spec in REQUIRED_MODULES:
        if not (staging / "modules" / spec.name / "plugin-descriptor.properties").is_file():
            install_module(spec, version, staging / "modules" / spec.name, downloads, maven_repo)
            added.append(spec.name)
    shutil.rmtree(downloads)
    for plugin in LANGUAGE_PLUGINS:
        install_plugin(plugin, version, staging / "plugins", maven_repo)
    _open_for_reading(staging)
    stamp = {"version": version, "modules_added": added, "at": datetime.now(UTC).isoformat()}
    (staging / MARKER).write_text(json.dumps(stamp) + "\n", encoding="utf-8")
    staging.rename(home)


def unpack(zip_path: Path, dest: Path) -> None:
    """Extract the release without its top folder, keeping the executable bits zipfile drops."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts[1:]
            if not parts:
                continue
            if ".." in parts or PurePosixPath(info.filename).is_absolute():
                raise NodeError(f"unsafe path in {zip_path.name}: {info.filename}")
            target = dest.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)
            target.chmod(0o755 if (info.external_attr >> 16) & 0o111 else 0o644)
    if not (dest / "bin" / "opensearch").is_file():
        raise NodeError(f"{zip_path.name} does not look like an OpenSearch release")


def _open_for_reading(root: Path) -> None:
    # When we run as root the node runs as an unprivileged account, which must read the release
    # whatever umask Maven and we ran under.
    for dirpath, _dirs, files in os.walk(root):
        Path(dirpath).chmod(0o755)
        for name in files:
            path = Path(dirpath) / name
            path.chmod(path.stat().st_mode | 0o444)


def install_module(
    spec: ModuleSpec, version: str, target: Path, downloads: Path, maven_repo: Path
) -> None:
    """Build the module folder from Maven artifacts, as OpenSearch's own build would lay it out."""
    files = fetch(spec.artifacts(version), downloads / spec.name, maven_repo)
    target.mkdir(parents=True, exist_ok=True)
    for path in files.values():
        shutil.copy2(path, target / path.name)
    main_jar = files[spec.artifacts(version)[0]]
    descriptor = plugin_descriptor(
        name=spec.name,
        description=spec.description,
        version=version,
        classname=entry_class(main_jar, spec.classnames),
        java_version=compiled_for_java(main_jar) or str(java_range(version)[0]),
        extended_plugins=spec.extended_plugins,
    )
    (target / "plugin-descriptor.properties").write_text(descriptor, encoding="ascii")
    if spec.policy:
        (target / "plugin-security.policy").write_text(spec.policy, encoding="ascii")


def install_plugin(spec: PluginSpec, version: str, plugins: Path, maven_repo: Path) -> Path:
    """Lay out `plugins/<name>/`: the plugin jar, its dependencies and a descriptor.

    Built beside its final place and renamed into it, so a failed fetch leaves no folder the
    node would refuse to start with.
    """
    target = plugins / spec.name
    partial = plugins / f".{spec.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        main = spec.artifact(version)
        jar = fetch([main], partial, maven_repo, transitive=True)[main]
        (partial / "pom.xml").unlink()
        descriptor = plugin_descriptor(
            name=spec.name,
            description=spec.description,
            version=version,
            classname=entry_class(jar, spec.classnames),
            java_version=compiled_for_java(jar) or str(java_range(version)[0]),
        )
        (partial / "plugin-descriptor.properties").write_text(descriptor, encoding="ascii")
        _open_for_reading(partial)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def plugin_descriptor(
    *,
    name: str,
    description: str,
    version: str,
    classname: str,
    java_version: str,
    extended_plugins: tuple[str, ...] = (),
) -> str:
    """The descriptor with only keys every 2.x/3.x release reads; unknown keys stop the node.

    The OpenSearch version goes in `opensearch.version` (never also in `dependencies`,
    the two are exclusive); `extended.plugins` only when the module extends another.
    """
    keys = {
        "name": name,
        "description": description,
        "version": version,
        "classname": classname,
        "java.version": java_version,
        "opensearch.version": version,
    }
    if extended_plugins:
        keys["extended.plugins"] = ",".join(extended_plugins)
    return "".join(f"{key}={_escape(value)}\n" for key, value in keys.items())


def _escape(value: str) -> str:
    # java.util.Properties reads ISO-8859-1: escape backslashes and anything beyond ASCII.
    value = value.replace("\\", "\\\\")
    return "".join(c if ord(c) < 128 else f"\\u{ord(c):04x}" for c in value)


def entry_class(jar: Path, candidates: tuple[str, ...]) -> str:
    """The first candidate class the jar really contains (class names changed across releases)."""
    with zipfile.ZipFile(jar) as archive:
        names = set(archive.namelist())
    for candidate in candidates:
        if candidate.replace(".", "/") + ".class" in names:
            return candidate
    raise NodeError(f"{jar.name} has none of the expected entry classes {candidates}")


def compiled_for_java(jar: Path) -> str | None:
    """The Java release the module was compiled for, as OpenSearch's build writes it."""
    with zipfile.ZipFile(jar) as archive:
        try:
            manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
        except KeyError:
            return None
    for line in manifest.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "X-Compile-Target-JDK" and value.strip():
            return value.strip()
    return None
