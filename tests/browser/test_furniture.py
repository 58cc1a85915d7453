"""A page's furniture stays out of what a journalist reads: a chart's key drawn with block
characters and the closing run of sources, categories and archive labels are not in the
article's text, and the key does not become the summary an entity page shows for it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from opensearchpy import OpenSearch
from playwright.sync_api import Browser, ViewportSize

from search.settings import Settings
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scroll,
    open_tab,
    screenshot,
    throwaway_site,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]

KEY_LINE = "\u2588\u2588 Harbour Alliance - 212 seats"
PROSE = (
    "Voters in the coastal province returned the Harbour Alliance to power on Sunday, and "
    "its leader Maria Castellano promised a new budget within a month."
)
#: Written for this test in the shape of an election report with its chart key and footer.
STORY = {
    "id": "election-1",
    "source": "Wikinews",
    "title": "Harbour Alliance wins provincial election",
    "published_at": "2024-05-12T10:00:00Z",
    "body": "\n\n".join(
        [
            KEY_LINE,
            "\u2588\u2588 Inland Party - 88 seats",
            PROSE,
            "Castellano said the first bill would fund the port's repairs. Turnout was 61 "
            "per cent, the highest in twenty years.",
            "Sources",
            'Provincial Electoral Office. "Final results" \u2014 May 12, 2024',
            "Categories: Elections | Politics",
            "Published",
            "Archived",
        ]
    ),
}


@pytest.fixture(scope="module")
def site(
    node_settings: Settings, os_client: OpenSearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("furniture")
    path = folder / "story.ndjson"
    path.write_text(json.dumps(STORY) + "\n", encoding="utf-8")
    with throwaway_site(node_settings, os_client, folder, [path], name="furniture") as url:
        yield url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_chart_key_and_the_footer_are_not_read_as_the_story(
    browser: Browser, site: str, viewport: ViewportSize
) -> None:
    found = httpx.get(f"{site}/v1/search", params={"q": "Harbour Alliance"}, timeout=30).json()
    (hit,) = found["hits"]
    article = httpx.get(f"{site}/v1/articles/{quote(hit['id'], safe='')}", timeout=30).json()
    assert article["summary"].startswith("Voters in the coastal province")
    assert "\u2588" not in article["body"]
    removed = " ".join(article["removed"])
    assert KEY_LINE in removed  # kept for inspection, not for reading
    assert "Archived" in removed
    with open_tab(browser, site, viewport) as page:
        page.goto(f"/articles/{quote(hit['id'], safe='')}")
        text = page.locator("article").first.inner_text()
        assert "Voters in the coastal province" in text
        assert "Turnout was 61" in text
        for furniture in ("\u2588", "212 seats", "Categories:", "Electoral Office", "Archived"):
            assert furniture not in text, furniture
        assert_no_sideways_scroll(page)
        screenshot(page, f"furniture-article-{viewport['width']}")
        person = page.locator("a[href^='/entities/person/']").first
        person.click()
        page.wait_for_url("**/entities/person/**")
        latest = page.locator("main").inner_text()
        assert "Harbour Alliance wins provincial election" in latest
        assert "\u2588" not in latest
        assert "212 seats" not in latest
        assert_no_sideways_scroll(page)
