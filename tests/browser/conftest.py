"""The app served for real on a real index, and Chromium to drive it; built once per session.

The index holds the seed story, 300 Reuters-21578 stories and one hostile article whose fields
carry script. Uvicorn serves `create_app(settings)` from a background thread on a free port.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from opensearchpy import OpenSearch
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)
from pydantic import SecretStr

from search.app import create_app
from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import FIXTURES, ROOT, drop_everything
from tests.live_server import serve

SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_S = 30.0


def chromium_path() -> str | None:
    """Debian's Chromium from PATH (or CHROMIUM_PATH); Playwright's own download is not used."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


#: Outlets that run the seed story again, each its own way, a day after Kyiv Post.
REPUBLISHERS = ("Wire Daily", "Coast Courier")


def republished(folder: Path) -> Path:
    """The seed story as two other outlets ran it: another headline, a line of their own
    added, the last paragraph cut. Near copies, so they join its cluster."""
    paragraphs = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8").splitlines()
    records = [
        {
            "id": f"republished-{n}",
            "source": outlet,
            "title": f"{outlet}: captured soldiers do not seek asylum",
            "published_at": f"2025-01-14T0{n}:00:00Z",
            "body": "\n".join([*paragraphs[:-1], f"Distributed by {outlet}."]),
        }
        for n, outlet in enumerate(REPUBLISHERS, start=1)
    ]
    path = folder / "republished.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def web_settings(
    node_settings: Settings, os_client: OpenSearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """A throw-away index with the sample articles, dropped at the end of the session."""
    settings = node_settings.model_copy(
        update={
            "index": f"test-web-{uuid.uuid4().hex[:10]}",
            "dead_letter_dir": tmp_path_factory.mktemp("web-dead-letters"),
            "rate_limit_per_minute": 100_000,
        }
    )
    try:
        ingest_paths(
            settings, [FIXTURES / "seed_article.txt"], source="Kyiv Post", published_at="2025-01-13"
        )
        ingest_paths(
            settings,
            [
                FIXTURES / "reuters_sample.ndjson",
                FIXTURES / "hostile" / "xss_article.ndjson",
                republished(tmp_path_factory.mktemp("copies")),
            ],
        )
        yield settings
    finally:
        drop_everything(os_client, settings.index)


@contextmanager
def throwaway_site(
    node_settings: Settings,
    os_client: OpenSearch,
    folder: Path,
    paths: list[Path],
    *,
    name: str,
    key: str | None = None,
) -> Iterator[str]:
    """The app served on an index of its own holding the articles of `paths` (and an editor
    `key`, if given), dropped with everything beside it afterwards. Yields its base URL."""
    settings = node_settings.model_copy(
        update={
            "index": f"test-{name}-{uuid.uuid4().hex[:10]}",
            "dead_letter_dir": folder,
            "api_keys": [SecretStr(key)] if key else [],
            "rate_limit_per_minute": 100_000,
        }
    )
    try:
        ingest_paths(settings, paths)
        with serve(create_app(settings), wait_s=SERVER_START_S) as url:
            yield url
    finally:
        drop_everything(os_client, settings.index)


@pytest.fixture(scope="session")
def base_url(web_settings: Settings) -> Iterator[str]:
    """The app, served by uvicorn in a thread until the session ends."""
    with serve(create_app(web_settings), wait_s=SERVER_START_S) as url:
        yield url


@pytest.fixture(scope="session")
def api(base_url: str) -> Iterator[httpx.Client]:
    """The JSON API of the same app, to compare the pages with."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None or not Path(executable).exists():
        message = "Chromium is not installed (looked for `chromium` on PATH and CHROMIUM_PATH)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@contextmanager
def open_tab(
    browser: Browser, base_url: str, viewport: ViewportSize, *, statuses: Collection[int] = (400,)
) -> Iterator[Page]:
    """A fresh tab of `viewport`'s size; any script error or CSP violation fails the test, and
    so does a failed load, but for `statuses` that pages answer on purpose."""
    context = browser.new_context(viewport=viewport, base_url=base_url, accept_downloads=True)
    tab = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on("dialog", on_dialog)
    try:
        yield tab
    finally:
        context.close()
    # Pages answering an error status on purpose log it; anything else is a real problem.
    expected = tuple(f"status of {status}" for status in statuses)
    problems = [p for p in problems if not any(e in p for e in expected)]
    assert problems == [], problems


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh desktop-sized tab."""
    with open_tab(browser, base_url, DESKTOP) as tab:
        yield tab


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def sized_page(browser: Browser, base_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab, once at desktop width and once at a phone's."""
    with open_tab(browser, base_url, request.param) as tab:
        yield tab


def assert_no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the window: at a phone's width a page scrolls only down."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of sideways scroll"


def screenshot(page: Page, name: str) -> Path:
    """A full-page picture for people to look at; tests do not compare pixels."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
