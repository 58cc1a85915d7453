"""A wheel built from the repository, installed into a fresh virtualenv outside the checkout,
creates the index and serves search: the mappings, templates and assets travel as package data.

Offline and fast: the wheel is built without build isolation (setuptools from the project's
environment), installed without dependencies, and the fresh environment borrows the project's
installed dependencies through a path file, never its editable install of the project itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opensearchpy import OpenSearch

from search.settings import Settings
from tests.conftest import ROOT, drop_everything
from tests.live_server import free_port

pytestmark = pytest.mark.integration

SHIPPED = ("pyproject.toml", "README.md", "LICENSE", "search", "index_mappings")


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` folder of a fresh virtualenv holding only the wheel of this repository."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SHIPPED:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    dist = work / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", dist, source, cwd=work)  # fmt: skip
    wheels = list(dist.glob("newsroom_search-*.whl"))
    assert len(wheels) == 1
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         wheels[0], cwd=work)  # fmt: skip
    # Borrow the project's dependencies. A path listed in a .pth file is appended to sys.path
    # without its own .pth files being run, so the editable install of `search` stays out.
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work)
    Path(site.strip(), "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin"


def _env(settings: Settings, alias: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "PYTHON"))}
    return {**keep, "NEWSROOM_OPENSEARCH_URL": settings.opensearch_url, "NEWSROOM_INDEX": alias}


def test_the_installed_package_comes_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    where = _run(installed / "python", "-c", "import search; print(search.__file__)", cwd=tmp_path)
    assert where.startswith(str(installed.parent))
    assert not (installed.parent / "lib").joinpath("index_mappings").exists()


@pytest.fixture
def served(
    installed: Path, node_settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> Iterator[str]:
    alias = f"test-wheel-{uuid.uuid4().hex[:10]}"
    env = _env(node_settings, alias)
    try:
        _run(installed / "newsroom", "index", "create", cwd=tmp_path, env=env)
        doc = {"id": "wheel-1", "title": "Lighthouse restored", "body": "The old lighthouse "
               "on the northern cape was restored by volunteers.", "language": "en"}  # fmt: skip
        os_client.index(index=alias, id="wheel-1", body=doc, refresh=True)
        port = free_port()
        server = subprocess.Popen(
            [installed / "newsroom", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None, "the installed app exited"
                assert time.monotonic() < deadline, "the installed app did not answer"
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        drop_everything(os_client, alias)


def test_a_wheel_install_creates_the_index_and_serves_search(served: str) -> None:
    found = httpx.get(f"{served}/v1/search", params={"q": "lighthouse"}).json()
    assert [hit["id"] for hit in found["hits"]] == ["wheel-1"]
    page = httpx.get(f"{served}/", params={"q": "lighthouse"})
    assert page.status_code == 200
    assert "/articles/wheel-1" in page.text
    assert httpx.get(f"{served}/static/app.css").status_code == 200
