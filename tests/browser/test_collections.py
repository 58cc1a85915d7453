"""A journalist collects articles into a named list from the results, sees it on the list's
page, removes one, and exports it; and every search says, under its box, how it read the
query. At a desktop's width and a phone's, where the forms also run without JavaScript."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opensearchpy import OpenSearch
from playwright.sync_api import Browser, Page, ViewportSize, expect

from search.http.csv_cells import UTF8_BOM
from search.http.export_rows import EXPORT_COLUMNS
from search.settings import Settings
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scroll,
    screenshot,
    throwaway_site,
)
from tests.browser.test_accessibility import AXE_JS, assert_accessible

pytestmark = pytest.mark.browser
KEY = "lists-" + uuid.uuid4().hex
HOSTILE = '=HYPERLINK("http://example.com") <script>window.__xss=1</script> harbour'
STORIES = [
    ("Harbour cranes idle as dock strike spreads", "Dock workers at the harbour struck."),
    ("New cranes arrive at the harbour", "The harbour took delivery of new cranes on Monday."),
    (HOSTILE, "A harbour story whose title carries a formula and a script."),
    ("Harbour fees rise", "The harbour authority raised its fees for ships."),
]


@pytest.fixture(scope="module")
def lists_url(
    node_settings: Settings, os_client: OpenSearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("lists")
    records = [
        {"id": f"harbour-{n}", "title": title, "body": body, "source": "Port Gazette",
         "published_at": f"2025-02-{10 + n:02d}T08:00:00Z"}
        for n, (title, body) in enumerate(STORIES)
    ]  # fmt: skip
    path = folder / "harbour.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with throwaway_site(node_settings, os_client, folder, [path], name="lists", key=KEY) as url:
        yield url


def _tab(browser: Browser, url: str, viewport: ViewportSize, *, script: bool) -> Page:
    context = browser.new_context(
        viewport=viewport, base_url=url, accept_downloads=True, java_script_enabled=script
    )
    return context.new_page()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def editor_tab(
    browser: Browser, lists_url: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Page, str]]:
    """A signed-in tab; at a phone's width without JavaScript, so the forms must work plain."""
    viewport: ViewportSize = request.param
    name = "desktop" if viewport == DESKTOP else "phone"
    tab = _tab(browser, lists_url, viewport, script=viewport == DESKTOP)
    tab.goto("/editor?next=/")
    tab.fill("input[name=key]", KEY)
    tab.click('form[action="/editor"] button')
    tab.wait_for_url("**/")
    try:
        yield tab, name
    finally:
        tab.context.close()


def _csv_ids(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8").removeprefix(UTF8_BOM))))
    return rows[0], rows[1:]


def _export(tab: Page, tmp_path: Path, name: str) -> Path:
    with tab.expect_download() as download:
        tab.click(".export-csv")
    target = tmp_path / name
    download.value.save_as(target)
    return target


def test_collect_from_results_see_remove_and_export(
    editor_tab: tuple[Page, str], tmp_path: Path
) -> None:
    tab, size = editor_tab
    list_name = f"Harbour leads {size} {uuid.uuid4().hex[:6]}"
    tab.goto("/?q=harbour&sort=oldest")
    hits = tab.locator(".hits .hit")
    first_id = hits.nth(0).get_attribute("data-id")
    hostile_id = hits.nth(2).get_attribute("data-id")
    assert first_id
    assert hostile_id

    first = tab.locator(f'.hit[data-id="{first_id}"]')
    first.locator(".collect-details summary").click()
    first.locator("input[name=new_name]").fill(list_name)
    first.locator(".collect-form button").click()
    tab.wait_for_url("**/?q=harbour*")
    expect(first.locator(".collected a", has_text=list_name)).to_have_count(1)
    screenshot(tab, f"collections-added-{size}")
    assert_no_sideways_scroll(tab)

    hostile = tab.locator(f'.hit[data-id="{hostile_id}"]')
    hostile.locator(".collect-details summary").click()
    hostile.locator("select[name=collection]").select_option(label=list_name)
    hostile.locator(".collect-form button").click()
    expect(hostile.locator(".collected a", has_text=list_name)).to_have_count(1)

    tab.goto("/collections")
    row = tab.locator(".collection-row", has_text=list_name)
    expect(row).to_contain_text("2 articles")
    screenshot(tab, f"collections-index-{size}")
    assert_no_sideways_scroll(tab)
    row.locator("a").click()
    items = tab.locator(".collected-article")
    expect(items).to_have_count(2)
    shown = [items.nth(i).get_attribute("data-id") for i in range(2)]
    assert shown == [first_id, hostile_id]
    expect(items.nth(1).locator(".collected-title")).to_have_text(HOSTILE)  # text, not markup
    assert tab.evaluate("window.__xss") is None
    screenshot(tab, f"collections-list-{size}")
    assert_no_sideways_scroll(tab)

    header, rows = _csv_ids(_export(tab, tmp_path, "both.csv"))
    assert header == list(EXPORT_COLUMNS)
    assert [row[0] for row in rows] == shown
    assert rows[1][EXPORT_COLUMNS.index("title")] == "'" + HOSTILE

    items.nth(0).locator(".collected-remove button").click()
    expect(tab.locator(".collected-article")).to_have_count(1)
    expect(tab.locator(".collected-article")).to_have_attribute("data-id", hostile_id)
    _, rows = _csv_ids(_export(tab, tmp_path, "one.csv"))
    assert [row[0] for row in rows] == [hostile_id]


def test_an_article_page_adds_to_a_list(browser: Browser, lists_url: str) -> None:
    found = httpx.get(f"{lists_url}/v1/search", params={"q": "fees"}).json()["hits"]
    article = f"/articles/{found[0]['id']}"
    tab = _tab(browser, lists_url, DESKTOP, script=True)
    try:
        tab.goto(f"/editor?next={article}")
        tab.fill("input[name=key]", KEY)
        tab.click('form[action="/editor"] button')
        tab.wait_for_url(f"**{article}")
        list_name = f"Fees {uuid.uuid4().hex[:6]}"
        tab.locator(".article-header .collect-details summary").click()
        tab.locator(".article-header input[name=new_name]").fill(list_name)
        tab.locator(".article-header .collect-form button").click()
        tab.wait_for_url(f"**{article}")
        expect(tab.locator(".article-header .collected a")).to_have_text(list_name)
    finally:
        tab.context.close()


def test_without_a_sign_in_there_is_no_list_to_add_to(browser: Browser, lists_url: str) -> None:
    tab = _tab(browser, lists_url, DESKTOP, script=True)
    try:
        tab.goto("/?q=harbour")
        expect(tab.locator(".hits .hit").first).to_be_visible()
        expect(tab.locator(".collect")).to_have_count(0)
        tab.goto("/collections")
        assert "/editor" in tab.url
    finally:
        tab.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_search_says_how_it_read_the_query(
    browser: Browser, lists_url: str, viewport: ViewportSize
) -> None:
    q = 'harbour "new cranes" -strike title:harbour'
    tab = _tab(browser, lists_url, viewport, script=True)
    try:
        tab.goto("/?" + httpx.QueryParams({"q": q}).__str__())
        line = tab.locator("#query-reading .query-reading-text")
        explained = httpx.get(f"{lists_url}/v1/query/explain", params={"q": q}).json()
        assert " ".join(line.inner_text().split()) == explained["summary"]
        assert "phrase: “new cranes”" in explained["summary"]
        assert "not: strike" in explained["summary"]
        assert "in the title: harbour" in explained["summary"]
        expect(tab.locator(".hits .hit")).to_have_count(1)  # what it says is what it ran
        size = "desktop" if viewport == DESKTOP else "phone"
        screenshot(tab, f"query-reading-{size}")
        assert_no_sideways_scroll(tab)
    finally:
        tab.context.close()


@pytest.fixture(scope="module")
def axe() -> str:
    if not AXE_JS.exists():
        pytest.skip("axe-core is not installed: run `make install`")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_lists_pages_have_no_serious_accessibility_violations(
    browser: Browser, lists_url: str, axe: str, viewport: ViewportSize
) -> None:
    tab = _tab(browser, lists_url, viewport, script=True)
    try:
        tab.goto("/editor?next=/collections")
        tab.fill("input[name=key]", KEY)
        tab.click('form[action="/editor"] button')
        tab.wait_for_url("**/collections")
        tab.fill("#new-list-name", f"Audit {uuid.uuid4().hex[:6]}")
        tab.click(".collection-new button")
        tab.wait_for_url("**/collections/*")
        list_path = tab.url
        tab.goto("/?q=harbour")
        tab.locator(".hits .hit").first.locator(".collect-details summary").click()
        tab.locator(".hits .hit").first.locator(".collect-form button").click()
        tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
        assert_accessible(tab, axe, "collect-search")
        tab.goto(list_path)
        expect(tab.locator(".collected-article")).to_have_count(1)
        assert_accessible(tab, axe, "collection")
        tab.goto("/collections")
        assert_accessible(tab, axe, "collections")
    finally:
        tab.context.close()
