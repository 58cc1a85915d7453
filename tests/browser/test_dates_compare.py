"""Dates in Chromium at desktop and phone widths: histogram bars cut to the chosen range and
labelled ticks, date presets, and the query comparison page whose chart, table and CSV agree
with `/v1/search` bucket by bucket."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_sideways_scroll, screenshot
from tests.browser.pages import url_params

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHOSEN = ("1987-03-04", "1987-06-30")  # a Wednesday to a Tuesday: both ends cut a week
BARS = "figure.histogram a.bar"


def width_name(page: Page) -> str:
    size = page.viewport_size
    assert size is not None
    return "phone" if size["width"] < 800 else "desktop"


def articles(api: httpx.Client, params: list[tuple[str, str]]) -> int:
    answer = api.get("/v1/search", params=[*params, ("group", "none"), ("size", "1")])
    assert answer.status_code == 200, answer.text
    total: int = answer.json()["total"]["value"]
    return total


def bars(page: Page) -> list[dict[str, str]]:
    found: list[dict[str, str]] = page.locator(BARS).evaluate_all(
        "els => els.map(e => ({from: e.dataset.from, to: e.dataset.to, count: e.dataset.count}))"
    )
    return found


def test_bars_stay_within_the_chosen_dates_and_the_axis_is_labelled(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto(f"/?date_from={CHOSEN[0]}&date_to={CHOSEN[1]}")
    shown = bars(page)
    assert len(shown) > 2
    assert shown[0]["from"] == CHOSEN[0]
    assert shown[-1]["to"] == CHOSEN[1]
    for bar in shown:
        assert CHOSEN[0] <= bar["from"] <= bar["to"] <= CHOSEN[1]
    for before, after in itertools.pairwise(shown):  # no gaps, no overlaps
        assert date.fromisoformat(after["from"]) == date.fromisoformat(before["to"]) + timedelta(1)
    for bar in shown[1:]:  # calendar weeks: Monday to Sunday
        assert date.fromisoformat(bar["from"]).weekday() == 0
    ticks = page.locator("figure.histogram .chart-ticks text")
    assert ticks.count() >= 2
    labels = ticks.all_text_contents()
    assert all(label.strip() for label in labels)
    assert labels == ["Apr 1987", "May", "Jun"]  # the first of each month within the range
    assert_no_sideways_scroll(page)
    screenshot(page, f"histogram-range-{width_name(page)}")

    first = shown[0]
    assert int(first["count"]) == articles(
        api, [("date_from", first["from"]), ("date_to", first["to"])]
    )
    page.locator(BARS).first.click()
    page.wait_for_url(re.compile(rf"date_to={first['to']}"))
    expect(page.locator(BARS).last).to_have_attribute("data-to", first["to"])
    asked = dict(url_params(page))
    assert (asked["date_from"], asked["date_to"]) == (first["from"], first["to"])
    for bar in bars(page):  # clicking never widens the range
        assert first["from"] <= bar["from"] <= bar["to"] <= first["to"]


def newest_day(api: httpx.Client) -> date:
    answer = api.get("/v1/search", params={"sort": "newest", "size": 1, "group": "none"}).json()
    return date.fromisoformat(answer["hits"][0]["published_at"][:10])


def test_presets_choose_ranges_counted_back_from_the_newest_article(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    newest = newest_day(api)
    page.goto("/?q=troops")
    expect(page.locator(".presets-heading time")).to_have_attribute("datetime", newest.isoformat())
    expected = {
        "Last 7 days": (newest - timedelta(days=6), newest),
        "Last 30 days": (newest - timedelta(days=29), newest),
        "This month": (newest.replace(day=1), newest),
        "This year": (date(newest.year, 1, 1), newest),
    }
    for name, (start, end) in expected.items():
        page.goto("/?q=troops")
        page.locator(".date-presets").get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(re.compile(r"date_from="))
        asked = dict(url_params(page))
        assert asked["q"] == "troops"
        assert (asked["date_from"], asked["date_to"]) == (start.isoformat(), end.isoformat())
        # in January "this month" and "this year" are one range: both are then current
        current = page.locator('.date-preset[aria-current="true"]')
        expect(current.filter(has_text=name)).to_have_count(1)
        same = [n for n, days in expected.items() if days == (start, end)]
        expect(current).to_have_count(len(same))
        for bar in bars(page):
            assert start.isoformat() <= bar["from"] <= bar["to"] <= end.isoformat()
    assert_no_sideways_scroll(page)


QUERIES = ("oil", "wheat OR grain", "troops")
TABLE_ROWS = """els => els.map(r => ({
  from: r.dataset.from,
  to: r.dataset.to,
  counts: Array.from(r.querySelectorAll('td.count'))
    .map(c => Number(c.textContent.replace(/\\D/g, ''))),
}))"""
FILTERS = [("date_from", "1987-01-01"), ("date_to", "1987-12-31")]


def test_the_comparison_counts_equal_the_searchs_bucket_by_bucket(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto("/?q=oil")
    page.get_by_role("link", name="Compare with another query").click()
    page.wait_for_url(re.compile(r"/compare\?"))
    expect(page.locator('.compare-form input[name="q"]').first).to_have_value("oil")

    query = urlencode([*(("q", q) for q in QUERIES), *FILTERS])
    page.goto(f"/compare?{query}")
    series = page.locator(".line-chart .series")
    expect(series).to_have_count(3)
    rows = page.locator(".compare-table tbody tr")
    table = rows.evaluate_all(TABLE_ROWS)
    assert table[0]["from"] == FILTERS[0][1]
    assert table[-1]["to"] == FILTERS[1][1]
    for n in range(len(QUERIES)):  # the chart's points carry the table's numbers
        points = (
            series.nth(n)
            .locator(".point")
            .evaluate_all("els => els.map(e => Number(e.dataset.count))")
        )
        assert points == [row["counts"][n] for row in table]
    assert sum(row["counts"][0] for row in table) > 0
    for row in table:
        if not any(row["counts"]):
            continue  # empty weeks: the totals per query below cover them
        for n, q in enumerate(QUERIES):
            dates = [("date_from", row["from"]), ("date_to", row["to"])]
            assert row["counts"][n] == articles(api, [("q", q), *dates]), (q, row)
    for n, q in enumerate(QUERIES):
        assert sum(row["counts"][n] for row in table) == articles(api, [("q", q), *FILTERS])
    expect(page.locator(".chart-ticks text").first).not_to_be_empty()
    assert_no_sideways_scroll(page)
    screenshot(page, f"compare-{width_name(page)}")

    href = page.locator("a.compare-csv").get_attribute("href")
    assert href is not None
    assert sorted(parse_qsl(urlsplit(href).query)) == sorted(parse_qsl(query))
    answer = api.get(href)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert lines[0] == ["period_start", "period_end", *QUERIES]
    assert [
        {"from": line[0], "to": line[1], "counts": [int(c) for c in line[2:]]} for line in lines[1:]
    ] == table


def test_the_comparison_works_with_one_query_and_says_so(page: Page) -> None:
    page.goto("/compare?q=oil")
    expect(page.locator(".line-chart")).to_have_count(0)
    expect(page.locator(".compare-page")).to_contain_text("Type two or three queries")
