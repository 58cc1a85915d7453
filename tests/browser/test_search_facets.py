"""The search page's facets in Chromium, at a desktop's and a phone's width: the filter box finds
any value under the search, any of / all of / exclude agree with the API, a phone scrolls only
down with the results first, a page size is kept, and ticking a box swaps the results in place."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import PHONE, assert_no_sideways_scroll, open_tab, screenshot
from tests.browser.pages import api_ids, api_search, shown_ids, shown_total, url_params

pytestmark = [pytest.mark.browser, pytest.mark.integration]

#: A global the page's script never sets: still there after a change means no reload happened.
MARKER = "window.__noReload = 'kept'"
KEPT = "window.__noReload"


def width(page: Page) -> str:
    return "phone" if (page.viewport_size or {}).get("width") == PHONE["width"] else "desktop"


def open_filters(page: Page) -> None:
    """On a phone the filters fold into one line above the results: unfold them."""
    summary = page.locator(".filters-summary")
    if summary.is_visible():
        summary.click()
        expect(page.locator("#filters-panel")).to_have_attribute("open", "")


def checkbox(page: Page, facet: str, value: str) -> Locator:
    return page.locator(f"#facet-{facet} input[type=checkbox][value={json.dumps(value)}]")


def count_of(row: Locator) -> int:
    return int(row.locator(".facet-count").inner_text().split()[0].replace("\u202f", ""))


def people_rows(result: dict[str, Any]) -> dict[str, int]:
    return {row["value"]: row["count"] for row in result["facets"]["person"]}


def wait_for_swap(page: Page, pattern: str) -> None:
    """The URL changed (pushState) and the new results are in place."""
    page.wait_for_url(re.compile(pattern))
    expect(page.locator("[data-search-region]")).to_have_attribute("aria-busy", "false")


def test_the_filter_box_finds_a_name_beyond_those_listed(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto("/?q=oil")
    page.evaluate(MARKER)
    listed = page.locator("#facet-person .facet-values:not(.facet-found) .facet-name")
    loaded = set(listed.all_text_contents())
    assert len(loaded) == 10
    everyone = people_rows(api_search(api, [("q", "oil"), ("facet_size", "100")]))
    name = next(n for n in everyone if n not in loaded and len(n.split()[-1]) >= 5)
    needle = name.split()[-1][:5]

    open_filters(page)
    page.get_by_role("searchbox", name="Filter people").fill(needle.upper())
    found = page.locator("#facet-person .facet-found .facet-row")
    row = found.filter(has=page.get_by_text(name, exact=True))
    expect(row).to_have_count(1)
    lookup = api.get(
        "/v1/search",
        params={"q": "oil", "facets": "person", "facet_contains": needle, "facet_size": 20},
    ).json()
    expected = people_rows(lookup)
    assert count_of(row) == expected[name] == everyone[name]
    names = found.locator(".facet-name").all_inner_texts()
    assert names
    assert all(needle.lower() in n.lower() for n in names)
    assert all(expected[n] > 0 for n in names)
    said = f"{len(names)} {'person' if len(names) == 1 else 'people'} matching"
    expect(page.locator("#facet-person .facet-found-status")).to_contain_text(said)
    screenshot(page, f"search-filter-box-{width(page)}")

    # Nothing to find: said so, nothing offered.
    page.get_by_role("searchbox", name="Filter people").fill("zzqx")
    expect(page.locator("#facet-person .facet-found-status")).to_contain_text("No people")
    expect(found).to_have_count(0)

    # A value found is ticked like any other, in place.
    page.get_by_role("searchbox", name="Filter people").fill(needle)
    box = row.locator("input")
    box.focus()
    page.keyboard.press("Space")
    wait_for_swap(page, "person=")
    assert url_params(page) == [("q", "oil"), ("person", name)]
    assert page.evaluate(KEPT) == "kept"
    narrowed = api_search(api, url_params(page))
    assert shown_total(page) == narrowed["total"]["value"] == everyone[name]
    expect(checkbox(page, "person", name)).to_be_checked()
    expect(checkbox(page, "person", name)).to_be_focused()


def _pair(api: httpx.Client, people: list[str]) -> tuple[str, str]:
    """Two of `people` named together in some of the `oil` articles, not in all of either's."""
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            both = api_search(
                api, [("q", "oil"), ("person", a), ("person", b), ("all_of", "person")]
            )
            either = api_search(api, [("q", "oil"), ("person", a), ("person", b)])
            if 0 < both["total"]["value"] < either["total"]["value"]:
                return a, b
    pytest.fail("no two people named together under q=oil")


def test_any_of_all_of_and_exclude_agree_with_the_api(sized_page: Page, api: httpx.Client) -> None:
    page = sized_page
    page.goto("/?q=oil")
    people = page.locator("#facet-person .facet-values:not(.facet-found) .facet-name")
    a, b = _pair(api, people.all_text_contents()[:6])
    page.goto("/?" + httpx.QueryParams([("q", "oil"), ("person", a)]).__str__())
    page.evaluate(MARKER)
    open_filters(page)
    checkbox(page, "person", b).check()
    wait_for_swap(page, "person=.*person=")
    asked = [("q", "oil"), ("person", a), ("person", b)]
    assert url_params(page) == asked
    either = api_search(api, asked)
    assert shown_total(page) == either["total"]["value"]
    assert shown_ids(page) == api_ids(either)
    chips = page.locator(".chip")
    expect(chips).to_have_count(2)
    for chip in chips.all():
        expect(chip).to_contain_text("any of")
    expect(page.locator("#facet-person legend")).to_contain_text("People, any of")
    logic = page.locator("#facet-person .facet-logic")
    expect(logic.locator("a.is-current")).to_have_text("any of")

    # All of: fewer hits, the API's, and the people counted within them.
    logic.get_by_role("link", name="all of the ticked people").click()
    wait_for_swap(page, "all_of=person")
    asked_all = [*asked, ("all_of", "person")]
    assert url_params(page) == asked_all
    both = api_search(api, asked_all)
    assert shown_total(page) == both["total"]["value"] < either["total"]["value"]
    assert shown_ids(page) == api_ids(both)
    for chip in chips.all():
        expect(chip).to_contain_text("all of")
    expect(page.locator("#facet-person legend")).to_contain_text("People, all of")
    expected_counts = people_rows(both)
    shown_rows = page.locator("#facet-person .facet-values:not(.facet-found) .facet-row")
    for row in shown_rows.all():
        assert count_of(row) == expected_counts[row.locator(".facet-name").inner_text()]
    assert count_of(shown_rows.filter(has_text=a)) == both["total"]["value"]
    screenshot(page, f"search-all-of-{width(page)}")

    # Exclude: a third person left out, shown as "not ...".
    third_row = shown_rows.filter(has_not=page.locator("input:checked")).first
    third = third_row.locator(".facet-name").inner_text()
    third_row.get_by_role("link", name=f"Exclude {third}").click()
    wait_for_swap(page, "not_person=")
    assert ("not_person", third) in url_params(page)
    left = api_search(api, url_params(page))
    assert shown_total(page) == left["total"]["value"] < both["total"]["value"]
    assert shown_ids(page) == api_ids(left)
    expect(page.locator(".chip-negated")).to_have_text(re.compile(rf"not {re.escape(third)}"))
    assert third not in people_rows(left)
    assert page.evaluate(KEPT) == "kept"

    # Back to any of, through the history.
    page.go_back()
    page.go_back()
    wait_for_swap(page, r"person=[^&]*&person=[^&]*$")
    assert shown_total(page) == either["total"]["value"]
    assert page.evaluate(KEPT) == "kept"


def test_the_groups_facet_filters_like_the_api(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    row = page.locator("#facet-groups .facet-values .facet-row").first
    name = row.locator(".facet-name").inner_text()
    count = count_of(row)
    row.locator("input").check()
    wait_for_swap(page, "groups=")
    expected = api_search(api, [("groups", name)])
    assert shown_total(page) == expected["total"]["value"] == count
    expect(page.locator(".chip", has_text=name)).to_contain_text("Groups")


def test_a_phone_scrolls_only_down_and_shows_results_before_filters(
    browser: Browser, base_url: str
) -> None:
    for script in (True, False):
        with open_tab(browser, base_url, PHONE) as page:
            if not script:
                page.context.close()
                context = browser.new_context(
                    viewport=PHONE, base_url=base_url, java_script_enabled=False
                )
                page = context.new_page()
            page.goto("/?q=oil&person=Reagan&not_source=Nobody&size=25")
            assert_no_sideways_scroll(page)
            summary = page.locator(".filters-summary")
            expect(summary).to_have_text("Filters (2)")
            first = page.locator("li.hit").first.bounding_box()
            assert first is not None
            screenshot(page, f"search-phone-{'script' if script else 'no-script'}")
            assert first["y"] < PHONE["height"], "the first result is below the first screen"
            expect(page.locator("#facet-person")).to_be_hidden()
            summary.click()
            expect(page.locator("#facet-person")).to_be_visible()
            assert_no_sideways_scroll(page)
            export = page.get_by_role("link", name="Export CSV")
            export.scroll_into_view_if_needed()
            expect(export).to_be_in_viewport(ratio=1)
            box = export.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
            if script:
                screenshot(page, "search-phone-filters-open")
                page.locator("li.hit .hit-title a").first.click()
                page.wait_for_url(re.compile("/articles/"))
                assert_no_sideways_scroll(page)
            else:
                context.close()


def test_the_page_size_is_chosen_kept_in_the_url_and_honoured(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto("/?q=oil")
    page.evaluate(MARKER)
    expect(page.locator("li.hit")).to_have_count(10)
    page.get_by_label("Per page").focus()
    page.get_by_label("Per page").select_option("25")
    wait_for_swap(page, "size=25")
    assert url_params(page) == [("q", "oil"), ("size", "25")]
    expected = api_search(api, url_params(page))
    assert shown_ids(page) == api_ids(expected)
    assert len(shown_ids(page)) == 25
    assert page.evaluate(KEPT) == "kept"
    expect(page.get_by_label("Per page")).to_be_focused()
    page.reload()
    expect(page.locator("li.hit")).to_have_count(25)
    expect(page.get_by_label("Per page")).to_have_value("25")
    next_page = page.locator(".pager a[rel=next]")
    expect(next_page).to_have_attribute("href", re.compile("size=25"))


FOCUS = """() => {
  const e = document.activeElement;
  return {
    id: e.id,
    tag: e.tagName.toLowerCase(),
    name: e.getAttribute("name") || "",
    value: e.type === "checkbox" ? e.value : "",
    checked: e.type === "checkbox" ? e.checked : null,
    summary: e.classList.contains("filters-summary"),
    person: e.type === "checkbox" && !!e.closest("#facet-person"),
    result: !!e.closest(".hit-title"),
    text: (e.textContent || "").trim(),
  };
}"""
MAX_TABS = 200


def focus(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(FOCUS)
    return found


def tab_to(page: Page, wanted: Any, *, back: bool = False) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until `wanted(focus)`; a folded filters panel is unfolded with
    Enter on the way, as a phone user would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focus(page)
        if now["summary"] and page.locator("#filters-panel[open]").count() == 0:
            page.keyboard.press("Enter")
        if wanted(now):
            return now
    pytest.fail(f"no focus matched within {MAX_TABS} tabs")


def test_searching_ticking_dates_and_back_with_the_keyboard_alone(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto("/")
    expect(page.locator("#q")).to_be_focused()  # no query yet: the box has focus
    page.keyboard.type("oil")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q=oil$"))
    page.evaluate(MARKER)

    # "/" from anywhere but a field goes back to the search box.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focus(page)["id"] != "q"
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("#q")).to_have_value("oil")  # the slash was not typed

    # Tick two people with Space: no reload, focus stays on the box ticked.
    first = tab_to(page, lambda f: f["person"])
    page.keyboard.press("Space")
    wait_for_swap(page, "person=")
    assert url_params(page) == [("q", "oil"), ("person", first["value"])]
    now = focus(page)
    assert (now["person"], now["value"], now["checked"]) == (True, first["value"], True)
    second = tab_to(page, lambda f: f["person"] and not f["checked"])
    page.keyboard.press("Space")
    wait_for_swap(page, "person=.*person=")
    both = [("q", "oil"), ("person", first["value"]), ("person", second["value"])]
    assert url_params(page) == both
    assert focus(page)["value"] == second["value"]
    assert shown_total(page) == api_search(api, both)["total"]["value"]
    # And untick them both.
    page.keyboard.press("Space")
    wait_for_swap(page, r"q=oil&person=[^&]*$")
    assert focus(page)["value"] == second["value"]
    tab_to(page, lambda f: f["person"] and f["checked"], back=True)
    page.keyboard.press("Space")
    wait_for_swap(page, r"/\?q=oil$")
    assert focus(page)["value"] == first["value"]
    assert page.evaluate(KEPT) == "kept"

    # A date range, typed into the date boxes and applied.
    tab_to(page, lambda f: f["id"] == "date_from")
    page.keyboard.type("03011987")
    expect(page.locator("#date_from")).to_have_value("1987-03-01")
    tab_to(page, lambda f: f["id"] == "date_to")
    page.keyboard.type("03311987")
    expect(page.locator("#date_to")).to_have_value("1987-03-31")
    tab_to(page, lambda f: f["text"] == "Apply dates")
    page.keyboard.press("Enter")
    wait_for_swap(page, "date_to=1987-03-31")
    dated = [("q", "oil"), ("date_from", "1987-03-01"), ("date_to", "1987-03-31")]
    assert url_params(page) == dated
    expected = api_search(api, dated)
    assert shown_total(page) == expected["total"]["value"] > 0
    assert shown_ids(page) == api_ids(expected)
    assert page.evaluate(KEPT) == "kept"

    # Open a result and come back through the history to the same results.
    opened = tab_to(page, lambda f: f["result"])
    assert opened["tag"] == "a"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/articles/"))
    page.go_back()
    page.wait_for_url(re.compile(r"date_to=1987-03-31$"))
    assert shown_ids(page) == api_ids(expected)
    expect(page.locator("#date_from")).to_have_value("1987-03-01")


def test_the_skip_link_puts_the_first_result_a_few_tabs_away(sized_page: Page) -> None:
    page = sized_page
    page.goto("/?q=oil&person=Reagan")
    skip = tab_to(page, lambda f: f["text"] == "Skip to results")
    assert skip["tag"] == "a"
    page.keyboard.press("Enter")
    tabs = 0
    while not focus(page)["result"]:
        tabs += 1
        assert tabs <= 15, "the first result is more than 15 tabs past the skip link"
        page.keyboard.press("Tab")
