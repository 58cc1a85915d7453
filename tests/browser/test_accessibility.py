"""axe-core audits every kind of page in Chromium, at desktop and phone widths: the search page
(landing and with results and facets), an article, an entity, the error pages and an editor's
pages (sign-in, saved searches, the search and entity pages with their editor forms). A
violation of serious or critical impact fails the test with what to fix and where.

axe-core comes from the npm registry, pinned with its integrity hash in
tests/browser/axe/package-lock.json; `make install` runs `npm ci` there. The pages' CSP allows
no inline script, so axe is not added as a script tag: its source is evaluated over the
DevTools protocol, which page CSP does not apply to.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from opensearchpy import OpenSearch
from playwright.sync_api import Browser, Page, ViewportSize, expect

from search.settings import Settings
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scroll,
    open_tab,
    screenshot,
    throwaway_site,
)
from tests.conftest import ROOT
from tests.integration.test_entity_registry import STORIES, _write

pytestmark = [pytest.mark.browser, pytest.mark.integration]

AXE_JS = ROOT / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: Impacts that fail the test; "moderate" and "minor" findings are reported, not failed on.
FAILING = frozenset({"serious", "critical"})
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
KEY = "editor-" + uuid.uuid4().hex
#: The story posted after the editor saved a search, so the saved-search page lists a match.
LATER_STORY = {
    "title": "Kohl returns to Bonn",
    "body": "Chancellor Helmut Kohl returned to Bonn on Sunday after the summit.",
    "source": "Wire",
}


@dataclass(frozen=True)
class Visit:
    """A page to audit: where it is, an element that shows it is in the state meant, the
    status it answers with on purpose, and whether to audit it again with every disclosure
    (syntax help, filters, copies) open."""

    name: str
    path: str
    shows: str
    status: int = 200
    expand: bool = False


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        message = f"axe-core is not installed ({AXE_JS.relative_to(ROOT)}): run `make install`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def audit(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe's violations on the page as it stands (WCAG 2.x A and AA, and best practices)."""
    # Evaluated over CDP as a plain script (a trailing expression keeps Playwright from
    # taking the source for a function to call), so the page's script-src does not block it.
    page.evaluate(f"{axe_source}\n;typeof axe")
    result: dict[str, Any] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return {
                passed: result.passes.length,
                violations: result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
                })),
            };
        }"""
    )
    assert result["passed"] > 0, "axe checked nothing"
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['summary']}")
        if len(v["nodes"]) > 8:
            lines.append(f"    and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page: Page, axe_source: str, name: str) -> None:
    size = page.viewport_size
    assert size is not None
    width = "desktop" if size["width"] >= DESKTOP["width"] else "phone"
    screenshot(page, f"a11y-{name}-{width}")
    violations = audit(page, axe_source)
    failing = [v for v in violations if v["impact"] in FAILING]
    if violations:
        print(f"{name} at {width}:\n{report(violations)}")
    assert not failing, f"axe on {name} at {width}:\n{report(failing)}"
    assert_no_sideways_scroll(page)  # every page this file visits, at both widths


def visit(page: Page, where: Visit, path: str | None = None) -> None:
    response = page.goto(path or where.path)
    assert response is not None
    assert response.status == where.status, (page.url, response.status)
    expect(page.locator(where.shows).first).to_be_attached()


def open_every_disclosure(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")


@pytest.fixture(scope="module")
def article_path(api: httpx.Client) -> str:
    answer = api.get("/v1/search", params={"q": '"north korean troops"', "size": 1})
    assert answer.status_code == 200, answer.text
    (hit,) = answer.json()["hits"]
    return f"/articles/{quote(hit['id'], safe='')}?q=troops"


READER_PAGES = [
    Visit("search-landing", "/", ".facet-row", expand=True),
    Visit("search-results", "/?q=oil", "li.hit", expand=True),
    Visit("search-copies", "/?q=asylum+troops+captured", "details.copies", expand=True),
    Visit("article", "{article}", ".article-body mark"),
    Visit("entity", "/entities/person/Volodymyr%20Zelensky", ".cooccurring"),
    Visit("compare", "/compare?q=oil&q=opec&q=grain", ".line-chart .point"),
    Visit("not-found", "/no/such/page", ".error-page", 404),
    Visit("query-syntax-error", "/?q=%22north+korean", "#q[aria-invalid=true]", 400),
    Visit("date-error", "/?q=oil&date_from=2020-13-45", "#date-error", 400),
]


@pytest.mark.parametrize("where", READER_PAGES, ids=[v.name for v in READER_PAGES])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_reader_pages_have_no_serious_accessibility_violations(
    browser: Browser,
    base_url: str,
    article_path: str,
    axe_source: str,
    where: Visit,
    viewport: ViewportSize,
) -> None:
    path = where.path.format(article=article_path)
    with open_tab(browser, base_url, viewport, statuses=(where.status,)) as page:
        visit(page, where, path)
        assert_accessible(page, axe_source, where.name)
        if where.expand:
            open_every_disclosure(page)
            assert_accessible(page, axe_source, f"{where.name}-expanded")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_facet_filter_boxs_findings_have_no_serious_accessibility_violations(
    browser: Browser, base_url: str, axe_source: str, viewport: ViewportSize
) -> None:
    with open_tab(browser, base_url, viewport) as page:
        visit(page, Visit("search-filter-box", "/?q=oil", "#facet-person"))
        open_every_disclosure(page)
        first = page.locator("#facet-person .facet-values:not(.facet-found) .facet-name").first
        needle = first.inner_text().strip()[:3]
        page.get_by_role("searchbox", name="Filter people").fill(needle)
        expect(page.locator("#facet-person .facet-found .facet-row").first).to_be_visible()
        expect(page.locator("#facet-person .facet-found-status")).to_contain_text("matching")
        assert_accessible(page, axe_source, "search-filter-box")


@pytest.fixture(scope="module")
def editor_url(
    node_settings: Settings, os_client: OpenSearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An app with an editor key on its own small index, where the editor has saved a search
    and followed a person, and a story indexed since has matched both."""
    folder = tmp_path_factory.mktemp("a11y-editor")
    stories = _write(folder / "stories.ndjson", STORIES)
    with throwaway_site(node_settings, os_client, folder, [stories], name="a11y", key=KEY) as url:
        with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=60) as http:
            for asked in (
                {"name": "Bonn talks", "q": "Bonn"},
                {"name": "Follow Helmut Kohl", "filters": {"person": ["Helmut Kohl"]}},
            ):
                answer = http.post("/v1/saved-searches", json=asked)
                assert answer.status_code in (200, 201), answer.text
            answer = http.post("/v1/articles", json=LATER_STORY)
            assert answer.status_code == 200, answer.text
        yield url


def sign_in(page: Page, then: str) -> None:
    page.goto(f"/editor?next={quote(then, safe='/')}")
    page.fill("input[name=key]", KEY)
    with page.expect_navigation():
        page.click('form[action="/editor"] button')


EDITOR_PAGES = [
    Visit("saved-searches", "/editor/saved", ".saved-search .saved-matches li"),
    Visit("editor-search", "/?q=Bonn", "form.save-search"),
    Visit("editor-entity", "/entities/person/Baker", ".editor-panel"),
    Visit("editor-log", "/editor/log", "table.audit"),
    Visit("editor-ingest", "/editor/ingest", "table.ingest-runs"),
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_editor_sign_in_page_has_no_serious_accessibility_violations(
    browser: Browser, editor_url: str, axe_source: str, viewport: ViewportSize
) -> None:
    with open_tab(browser, editor_url, viewport) as page:
        visit(page, Visit("editor-sign-in", "/editor", "input[name=key]"))
        assert_accessible(page, axe_source, "editor-sign-in")


@pytest.mark.parametrize("where", EDITOR_PAGES, ids=[v.name for v in EDITOR_PAGES])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_editor_pages_have_no_serious_accessibility_violations(
    browser: Browser, editor_url: str, axe_source: str, where: Visit, viewport: ViewportSize
) -> None:
    with open_tab(browser, editor_url, viewport) as page:
        sign_in(page, where.path)
        visit(page, where)
        assert_accessible(page, axe_source, where.name)


def test_axe_is_the_pinned_release(axe_source: str) -> None:
    lock = (AXE_JS.parents[2] / "package-lock.json").read_text(encoding="utf-8")
    version = axe_source.split("\n", 1)[0].removeprefix("/*! axe v").strip()
    assert f'"version": "{version}"' in lock
