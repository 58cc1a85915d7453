"""The house rules, read from the source: one import direction between packages, small modules."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "search"
#: A module longer than this holds more than one thing.
MAX_MODULE_LINES = 400


def _package(module: str) -> str | None:
    """`search.web.routes` -> `web`; a top-level module (`search.cli`) is its own package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "search" else None


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every `search.*` module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("search."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "search":
                found.update(f"search.{alias.name}" for alias in node.names)
            elif node.module.startswith("search."):
                found.add(node.module)
    return found


def package_graph() -> dict[str, set[str]]:
    """Which package imports which, leaving out imports within a package."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        source = _package(_module_name(path))
        for imported in _imports(path):
            target = _package(imported)
            if source and target and target != source:
                graph[source].add(target)
    return graph


def test_the_graph_is_read_from_the_real_tree() -> None:
    graph = package_graph()
    assert "http" in graph["web"]
    assert "http" in graph["api"]
    assert "query" in graph["http"]


def test_no_two_packages_import_each_other_directly_or_around_a_loop() -> None:
    graph = package_graph()
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                loop = [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
                pytest.fail("packages import each other: " + " -> ".join(loop))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("http", "api"),
        ("http", "web"),
        ("api", "web"),
        ("web", "api"),
        ("entities", "ingest"),
        ("query", "api"),
        ("query", "web"),
    ],
)
def test_a_lower_package_never_reaches_up(lower: str, upper: str) -> None:
    assert upper not in package_graph().get(lower, set())


def test_no_module_holds_more_than_one_thing() -> None:
    long = {
        str(path.relative_to(ROOT.parent)): lines
        for path in ROOT.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"
