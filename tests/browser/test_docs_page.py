"""/docs in real Chromium under the site's Content-Security-Policy: Swagger UI renders every
operation of the OpenAPI document, with no console error and no CSP violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from search.app import create_app
from search.http.security import CONTENT_SECURITY_POLICY
from search.settings import Settings
from tests.browser.conftest import DESKTOP, SERVER_START_S, screenshot
from tests.live_server import serve

pytestmark = [pytest.mark.browser, pytest.mark.integration]

#: Reports every CSP violation as a console error; Playwright injects it before the page's own
#: scripts, and the policy does not apply to it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def docs_url(node_settings: Settings) -> Iterator[str]:
    """The app alone: /docs and the OpenAPI document need no index."""
    with serve(create_app(node_settings), wait_s=SERVER_START_S) as url:
        yield url


def test_docs_render_every_operation_under_the_csp(browser: Browser, docs_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=docs_url)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    try:
        answer = page.goto("/docs")
        assert answer is not None
        assert answer.status == 200
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        document = page.request.get("/v1/openapi.json").json()
        operations = [
            (method.upper(), path) for path, ops in document["paths"].items() for method in ops
        ]
        blocks = page.locator(".opblock")
        expect(blocks).to_have_count(len(operations), timeout=15_000)
        shown = {
            (
                block.locator(".opblock-summary-method").inner_text().strip(),
                block.locator(".opblock-summary-path").get_attribute("data-path"),
            )
            for block in blocks.all()
        }
        assert shown == set(operations)
        # Opening one renders its parameters and responses from the document too.
        blocks.filter(has_text="/v1/search/export").locator(".opblock-summary").click()
        expect(page.locator(".opblock.is-open .parameters")).to_be_visible()
        expect(page.locator(".opblock.is-open .responses-table").first).to_be_visible()
        screenshot(page, "docs")
    finally:
        context.close()
    assert problems == [], problems
