"""The search page in Chromium: query, facets, date histogram, permalinks, export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from search.api.routes.search import EXPORT_COLUMNS
from tests.browser.conftest import DESKTOP, screenshot
from tests.browser.pages import (
    api_ids,
    api_search,
    shown_ids,
    shown_total,
    url_params,
    view,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_typing_a_query_shows_the_apis_results(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search the archive")
    box.fill("oil")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/\?q=oil$"))
    expected = api_search(api, [("q", "oil")])
    assert shown_total(page) == expected["total"]["value"] > 10
    assert shown_ids(page) == api_ids(expected)
    expect(page.locator("li.hit .snippet mark").first).to_have_text(re.compile("oil", re.I))
    expect(page.locator("#results-heading")).to_contain_text("oil")


def test_ticking_people_filters_like_the_api_and_keeps_their_counts(
    page: Page, api: httpx.Client
) -> None:
    page.goto("/?q=oil")
    before = shown_total(page)
    rows = page.locator("#facet-person .facet-row")
    first, second = (rows.nth(i).locator("input") for i in (0, 1))
    names = [box.get_attribute("value") or "" for box in (first, second)]
    counts = [int(rows.nth(i).locator(".facet-count").inner_text().split()[0]) for i in (0, 1)]

    first.check()
    page.wait_for_url(re.compile(r"person="))
    assert url_params(page) == [("q", "oil"), ("person", names[0])]
    expected = api_search(api, [("q", "oil"), ("person", names[0])])
    assert shown_total(page) == expected["total"]["value"] == counts[0] < before
    assert shown_ids(page) == api_ids(expected)
    expect(page.get_by_role("checkbox", name=names[0])).to_be_checked()
    expect(page.locator(".chip", has_text=names[0])).to_be_visible()
    # Multi-select: the other people keep the counts they had, so a second tick widens.
    other = page.get_by_role("checkbox", name=names[1])
    expect(other.locator("xpath=..").locator(".facet-count")).to_contain_text(str(counts[1]))
    screenshot(page, "search")

    other.check()
    page.wait_for_url(re.compile(r"person=.*person="))
    both = api_search(api, [("q", "oil"), ("person", names[0]), ("person", names[1])])
    assert shown_total(page) == both["total"]["value"] >= max(counts)
    assert shown_ids(page) == api_ids(both)

    page.locator(".chips-clear").click()
    page.wait_for_url(re.compile(r"/\?q=oil$"))
    assert shown_total(page) == before


def test_clicking_a_histogram_bar_filters_to_its_dates(page: Page, api: httpx.Client) -> None:
    page.goto("/?q=oil")
    bars = page.locator("[data-histogram] a.bar")
    counts = [int(c) for c in bars.evaluate_all("els => els.map(e => e.dataset.count)")]
    tallest = counts.index(max(counts))
    bar = bars.nth(tallest)
    date_from, date_to = bar.get_attribute("data-from"), bar.get_attribute("data-to")
    bar.click()
    page.wait_for_url(re.compile(r"date_to="))
    assert url_params(page) == [("q", "oil"), ("date_from", date_from), ("date_to", date_to)]
    expected = api_search(api, url_params(page))
    assert shown_total(page) == expected["total"]["value"] == max(counts)
    assert shown_ids(page) == api_ids(expected)
    expect(page.locator(".chip")).to_have_count(1)


def test_dragging_across_bars_selects_their_range(page: Page, api: httpx.Client) -> None:
    page.goto("/?q=oil")
    bars = page.locator("[data-histogram] a.bar")
    counts = [int(c) for c in bars.evaluate_all("els => els.map(e => e.dataset.count)")]
    start, end = 1, len(counts) - 2
    date_from = bars.nth(start).get_attribute("data-from")
    date_to = bars.nth(end).get_attribute("data-to")
    first, last = bars.nth(start).bounding_box(), bars.nth(end).bounding_box()
    assert first is not None
    assert last is not None
    middle = first["y"] + first["height"] / 2
    page.mouse.move(first["x"] + first["width"] / 2, middle)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] / 2, middle, steps=12)
    expect(page.locator("[data-histogram] a.bar.is-in-range")).to_have_count(end - start + 1)
    page.mouse.up()
    page.wait_for_url(re.compile(r"date_to="))
    assert url_params(page) == [("q", "oil"), ("date_from", date_from), ("date_to", date_to)]
    expected = api_search(api, url_params(page))
    assert shown_total(page) == expected["total"]["value"] == sum(counts[start : end + 1])


def test_a_permalink_reloads_to_the_same_view_and_back_returns_to_it(page: Page) -> None:
    page.goto("/?q=oil&source=Reuters&sort=oldest&page=2")
    before = view(page)
    assert before["page"] == ["Page 2"]
    assert before["checked"] == ["source=Reuters"]
    page.reload()
    assert view(page) == before
    page.locator(".pager a", has_text="3").first.click()
    page.wait_for_url(re.compile(r"page=3"))
    assert view(page)["ids"] != before["ids"]
    page.go_back()
    page.wait_for_url(re.compile(r"page=2"))
    assert view(page) == before


def test_export_downloads_every_match_as_csv(page: Page) -> None:
    page.goto("/?q=oil&source=Reuters")
    total = shown_total(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    download = info.value
    assert download.suggested_filename == "newsroom-oil-reuters.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert len(rows) - 1 == total > 10
    exported = {row[0] for row in rows[1:]}
    assert set(shown_ids(page)) <= exported


def test_a_bad_query_is_explained_beside_the_query_box(page: Page) -> None:
    response = page.goto('/?q="north korean')
    assert response is not None
    assert response.status == 400
    error = page.locator("#query-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("quote")
    box = page.get_by_role("searchbox", name="Search the archive")
    expect(box).to_have_value('"north korean')
    expect(box).to_have_attribute("aria-invalid", "true")


def test_the_filter_box_narrows_a_long_facet_and_show_more_lists_more(page: Page) -> None:
    page.goto("/")
    rows = page.locator("#facet-person .facet-row")
    expect(rows).to_have_count(10)
    name = rows.nth(3).locator(".facet-name").inner_text()
    page.get_by_role("searchbox", name="Filter people").fill(name[:4].upper())
    visible = page.locator("#facet-person .facet-row:visible .facet-name").all_inner_texts()
    assert name in visible
    assert all(name[:4].lower() in v.lower() for v in visible)
    page.locator("#facet-person .facet-more").click()
    page.wait_for_url(re.compile(r"facet_size=30"))
    assert page.locator("#facet-person .facet-row").count() > 10


def test_facets_and_dates_work_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/?q=oil")
        box = page.locator("#facet-source input").first
        source = box.get_attribute("value")
        box.check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"source="))
        assert ("source", source) in url_params(page)
        page.locator("#date_to").fill("")
        page.locator("#date_from").fill("1987-03-01")
        page.get_by_role("button", name="Apply dates").click()
        page.wait_for_url(re.compile(r"date_from=1987-03-01"))
        assert "date_to" not in dict(url_params(page))
        assert ("source", source) in url_params(page)
    finally:
        context.close()


def test_bad_parameters_keep_the_page_and_blank_ones_are_dropped(page: Page) -> None:
    response = page.goto("/?q=oil&page=0")
    assert response is not None
    assert response.status == 400
    expect(page.locator("#query-error")).to_contain_text("page")
    expect(page.get_by_role("searchbox", name="Search the archive")).to_have_value("oil")
    page.goto("/?q=oil&date_from=&date_to=&sort=")
    assert url_params(page) == [("q", "oil")]
    assert shown_total(page) > 0


def test_tracking_parameters_on_a_shared_link_are_ignored(page: Page) -> None:
    plain = page.goto("/?q=oil")
    assert plain is not None
    total = shown_total(page)
    tracked = page.goto("/?q=oil&utm_source=newsletter&fbclid=abc123")
    assert tracked is not None
    assert tracked.status == 200
    assert shown_total(page) == total > 0
    assert page.locator("a[href*='q=oil']").count() > 0  # links built from the page's state
    assert page.locator("a[href*='utm_source'], a[href*='fbclid']").count() == 0
