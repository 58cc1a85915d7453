"""Settings defaults that depend on who runs the project and where it sits."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import settings as settings_module
from search.settings import PROJECT_NODE_DIR, SYSTEM_NODE_DIRS, Settings, others_can_reach


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A folder every account can walk to (pytest's own tmp_path sits in a private one as root)."""
    folder = Path(tempfile.mkdtemp(prefix="newsroom-settings-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(folder)


def test_a_private_folder_on_the_way_is_unreachable_for_others(open_tmp: Path) -> None:
    private = open_tmp / "private"
    inner = private / "clone"
    inner.mkdir(parents=True)
    private.chmod(0o700)
    assert not others_can_reach(inner)
    assert not others_can_reach(inner / "not-yet" / "made")
    private.chmod(0o755)
    assert others_can_reach(inner / "not-yet" / "made")


def _settings_in(folder: Path, monkeypatch: pytest.MonkeyPatch, *, root: bool) -> Settings:
    monkeypatch.chdir(folder)
    monkeypatch.setattr(settings_module.os, "geteuid", lambda: 0 if root else 1000)
    monkeypatch.delenv("NEWSROOM_NODE_DATA_DIR", raising=False)
    return Settings()


def test_root_in_a_private_clone_keeps_node_data_where_the_node_can_reach_it(
    open_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = open_tmp / "private"
    clone, other = private / "clone", private / "other"
    clone.mkdir(parents=True)
    other.mkdir()
    private.chmod(0o700)
    as_root = _settings_in(clone, monkeypatch, root=True).node_data_dir
    assert as_root.parent == SYSTEM_NODE_DIRS
    assert _settings_in(other, monkeypatch, root=True).node_data_dir != as_root  # one per clone
    assert _settings_in(clone, monkeypatch, root=False).node_data_dir == PROJECT_NODE_DIR
    private.chmod(0o755)
    assert _settings_in(clone, monkeypatch, root=True).node_data_dir == PROJECT_NODE_DIR


def test_an_explicit_node_data_dir_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module.os, "geteuid", lambda: 0)
    monkeypatch.setenv("NEWSROOM_NODE_DATA_DIR", str(tmp_path / "node"))
    assert Settings().node_data_dir == tmp_path / "node"
