"""The search page with the keyboard alone: every control in a sensible order, visibly focused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.integration]
MAX_TABS = 500

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(),
    id: e.id,
    type: e.getAttribute("type") || "",
    skip: e.classList.contains("skip-link"),
    facet: !!e.closest(".facet") && e.type === "checkbox",
    result: !!e.closest(".hit-title"),
    pager: !!e.closest(".pager"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
  };
}"""


def kind(focus: dict[str, Any]) -> str:
    for name in ("skip", "facet", "result", "pager"):
        if focus[name]:
            return name
    return "query" if focus["id"] == "q" else "other"


def test_tabbing_reaches_query_facets_results_and_pages_in_order(page: Page) -> None:
    page.goto("/?q=oil")
    order: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        order.append(kind(focus))
        if kind(focus) != "other":
            assert focus["outline"], f"no visible focus on {focus}"
        if focus["pager"]:
            break
    assert order[0] == "skip"
    firsts = {name: order.index(name) for name in ("query", "facet", "result", "pager")}
    assert firsts["query"] < firsts["facet"] < firsts["result"] < firsts["pager"]

    # Back to the last result title, and open it with Enter.
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(FOCUSED)["result"]:
            break
    target = page.evaluate("document.activeElement.getAttribute('href')")
    assert target.startswith("/articles/")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(target) + "$"))


def test_the_skip_link_jumps_to_the_results(page: Page) -> None:
    page.goto("/?q=oil")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to results"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focus = page.evaluate(FOCUSED)
    assert kind(focus) in ("other", "result")
    assert page.evaluate("!!document.activeElement.closest('#results')")
