"""The entity page in Chromium, at desktop and phone widths: its type in the singular, the
names alongside it in a stated order, each leading to the articles naming both."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_sideways_scroll, screenshot
from tests.browser.pages import api_search, shown_total, url_params

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NAME = "Volodymyr Zelensky"
ORDER_WORDS = {"significance": "Most telling first", "frequency": "Most frequent first"}


def entity(api: httpx.Client, facet: str, name: str) -> dict[str, object]:
    answer = api.get(f"/v1/entities/{facet}/{quote(name, safe='')}", follow_redirects=True)
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()
    return found


def test_the_heading_names_the_type_in_the_singular_and_the_order_is_stated(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto(f"/entities/person/{quote(NAME)}")
    expect(page.locator(".entity-header .kicker")).to_have_text("Person")
    expected = entity(api, "person", NAME)
    related_by = expected["related_by"]
    assert isinstance(related_by, dict)
    groups = page.locator(".cooccurring .entity-group:has(.entity-order)")
    assert groups.count() >= 1
    for i in range(groups.count()):
        group = groups.nth(i)
        kind = group.locator(".cooccurring-name a.entity-tag").first.get_attribute("data-type")
        order = group.locator(".entity-order")
        expect(order).to_have_attribute("data-order", related_by[kind])
        expect(order).to_contain_text(ORDER_WORDS[related_by[kind]])
    assert_no_sideways_scroll(page)
    size = page.viewport_size
    assert size is not None
    screenshot(page, f"entity-{'phone' if size['width'] < 800 else 'desktop'}")


@pytest.mark.parametrize("kind", ["location", "person"])
def test_a_name_alongside_leads_to_the_articles_naming_both(
    sized_page: Page, api: httpx.Client, kind: str
) -> None:
    page = sized_page
    page.goto(f"/entities/person/{quote(NAME)}")
    row = page.locator(f"#with-{kind} ~ .cooccurring-list .cooccurring-name").first
    other = row.locator("a.entity-tag").inner_text()
    together = int(row.locator(".entity-count").inner_text().split()[0])
    expect(row.locator(".entity-own-page")).to_have_attribute(
        "href", f"/entities/{kind}/{quote(other, safe='')}"
    )
    row.locator("a.entity-tag").click()
    page.wait_for_url(re.compile(r"/\?"))
    if kind == "person":  # two people: the second is asked in the query (person= means either)
        asked = [("person", NAME), ("q", f'person:"{other}"')]
    else:
        asked = [("person", NAME), (kind, other)]
    assert sorted(url_params(page)) == sorted(asked)
    answer = api_search(api, asked)
    assert shown_total(page) == answer["total"]["value"] == together > 0
    for hit in answer["hits"]:
        assert NAME in hit["persons"]
    assert_no_sideways_scroll(page)

    page.go_back()
    page.locator(f"#with-{kind} ~ .cooccurring-list .entity-own-page").first.click()
    page.wait_for_url(re.compile(rf"/entities/{kind}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(other)
