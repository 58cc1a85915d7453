"""Dead ends in Chromium, at desktop and phone widths: a search that finds nothing, a path that
does not exist, a date that is not one. Each page says what to do next."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scroll,
    open_tab,
    screenshot,
)
from tests.browser.pages import api_search, shown_total, url_params

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def width(page: Page) -> str:
    size = page.viewport_size
    assert size is not None
    return "phone" if size["width"] < DESKTOP["width"] else "desktop"


def test_a_misspelt_search_offers_the_right_spelling_and_the_syntax(sized_page: Page) -> None:
    page = sized_page
    page.goto("/?q=pyongyng+troops")
    assert shown_total(page) == 0
    empty = page.locator("#no-results")
    expect(empty).to_contain_text("No articles match")
    expect(empty.locator(".understood-text")).to_have_text("pyongyng and troops")
    expect(empty.locator(".empty-syntax")).to_contain_text("tolerates a typo")
    expect(page.get_by_role("link", name="Export CSV")).to_have_count(0)
    expect(empty.locator(".empty-filters")).to_have_count(0)  # no filters to remove
    assert_no_sideways_scroll(page)
    screenshot(page, f"no-results-{width(page)}")

    suggestion = empty.locator(".did-you-mean a")
    expect(suggestion).to_have_text("pyongyang troops")
    suggestion.click()
    page.wait_for_url(re.compile(r"q=pyongyang\+troops"))
    assert shown_total(page) >= 1
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()


def test_the_syntax_link_opens_the_syntax_help(page: Page) -> None:
    page.goto("/?q=pyongyng")
    help_box = page.locator("details.syntax-help")
    expect(help_box).not_to_have_attribute("open", "")
    page.get_by_role("link", name="All of the query syntax").click()
    expect(help_box).to_have_attribute("open", "")
    expect(page.locator("#syntax-list")).to_be_visible()


def test_filters_that_leave_nothing_offer_links_that_remove_them(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto("/?q=oil&source=Kyiv+Post")
    assert shown_total(page) == 0
    empty = page.locator("#no-results")
    expect(empty.locator(".did-you-mean")).to_have_count(0)  # "oil" is spelt right
    assert_no_sideways_scroll(page)
    empty.get_by_role("link", name="Without source Kyiv Post").click()
    page.wait_for_url(re.compile(r"/\?q=oil$"))
    assert shown_total(page) == api_search(api, [("q", "oil")])["total"]["value"] > 0


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_unknown_path_shows_the_sites_error_page(
    browser: Browser, base_url: str, viewport: ViewportSize
) -> None:
    with open_tab(browser, base_url, viewport, statuses=(404,)) as page:
        response = page.goto("/nonexistent/<b>page</b>")
        assert response is not None
        assert response.status == 404
        assert response.headers["content-type"].startswith("text/html")
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator(".error-page")).to_contain_text("/nonexistent/<b>page</b>")
        assert page.locator(".error-page b").count() == 0
        page.get_by_role("link", name="Start a new search").click()
        page.wait_for_url(re.compile(r"/$"))
        expect(page.get_by_role("searchbox", name="Search the archive")).to_be_visible()
        page.go_back()
        assert_no_sideways_scroll(page)
        screenshot(page, f"not-found-{width(page)}")


def test_api_clients_keep_problem_json_for_unknown_paths(api: httpx.Client) -> None:
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path, accept in [
        ("/nonexistent", "application/json"),
        ("/nonexistent", "*/*"),
        ("/v1/nonexistent", browser_accept),
        ("/nonexistent", "application/json, text/html;q=0.5"),
    ]:
        answer = api.get(path, headers={"Accept": accept})
        assert answer.status_code == 404, (path, accept)
        assert answer.headers["content-type"] == "application/problem+json", (path, accept)
        assert answer.json()["status"] == 404


def test_a_mistyped_date_names_its_box_and_keeps_what_was_typed(sized_page: Page) -> None:
    page = sized_page
    response = page.goto("/?q=oil&date_from=2020-13-45")
    assert response is not None
    assert response.status == 400
    expect(page.locator("#date-error")).to_contain_text(
        "Date from: 2020-13-45 is not a date; write 2020, 2020-03 or 2020-03-15"
    )
    expect(page.locator("#date-error")).not_to_contain_text("Value error")
    date_from = page.locator("#date_from")
    expect(date_from).to_have_value("2020-13-45")
    expect(date_from).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#date_to")).not_to_have_attribute("aria-invalid", "true")
    query = page.get_by_role("searchbox", name="Search the archive")
    expect(query).to_have_value("oil")
    expect(query).not_to_have_attribute("aria-invalid", "true")
    assert shown_total(page) > 0  # the search ran, without the date
    assert_no_sideways_scroll(page)
    screenshot(page, f"bad-date-{width(page)}")

    page.locator("#date-error").get_by_role("link", name="Date from").click()
    expect(date_from).to_be_in_viewport()
    date_from.fill("1987-03")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_url(re.compile(r"date_from=1987-03"))
    assert url_params(page) == [("q", "oil"), ("date_from", "1987-03")]
    expect(page.locator("#date-error")).to_have_count(0)
    expect(page.locator(".chip", has_text="1987")).to_be_visible()
