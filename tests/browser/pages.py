"""What the browser tests read off a page, and the API answers they compare it with."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from playwright.sync_api import Page

Params = list[tuple[str, str]]
#: The app's own scripts, the only ones a page may load.
OWN_SCRIPTS = frozenset({"/static/app.js", "/static/reading.js", "/static/compare.js"})


def url_params(page: Page) -> Params:
    return parse_qsl(urlsplit(page.url).query)


def shown_total(page: Page) -> int:
    total = page.locator("#results-heading").get_attribute("data-total")
    assert total is not None
    return int(total)


def shown_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator("li.hit").evaluate_all("els => els.map(e => e.dataset.id)")
    return ids


def api_search(api: httpx.Client, params: Params) -> dict[str, Any]:
    """The API's answer to what a page shows: the page groups copies unless told not to."""
    asked = list(params)
    if not any(name == "group" for name, _ in asked):
        asked.append(("group", "duplicates"))
    response = api.get("/v1/search", params=tuple(asked))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def api_ids(result: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in result["hits"]]


def view(page: Page) -> dict[str, Any]:
    """Everything a journalist sees of a search: to compare two loads of one permalink."""
    return {
        "q": page.locator("#q").input_value(),
        "total": shown_total(page),
        "ids": shown_ids(page),
        "checked": page.locator(".facets-form input:checked").evaluate_all(
            "els => els.map(e => e.name + '=' + e.value)"
        ),
        "chips": page.locator(".chip").all_inner_texts(),
        "sort": page.locator('.sort a[aria-current="true"]').inner_text(),
        "page": page.locator('.pager a[aria-current="page"]').all_text_contents(),
    }


def assert_inert(page: Page) -> None:
    """Nothing from article content ran or became an element that could run."""
    assert page.evaluate("typeof window.__xss") == "undefined"
    sources = page.locator("script").evaluate_all("els => els.map(e => e.getAttribute('src'))")
    assert "/static/app.js" in sources
    assert set(sources) <= OWN_SCRIPTS, sources
    assert page.locator("img, iframe, object, embed").count() == 0
    assert page.locator('a[href^="javascript:" i], [href^="javascript:" i]').count() == 0
    assert page.locator("[onerror], [onload], [onclick], [style]").count() == 0
