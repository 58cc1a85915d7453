"""Article and entity pages in Chromium: marked mentions, entity pages, hostile content."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.pages import api_search, assert_inert, shown_ids, shown_total

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def open_first_result(page: Page, search: str) -> None:
    page.goto(search)
    page.locator("li.hit .hit-title a").first.click()
    page.wait_for_url(re.compile(r"/articles/"))


def test_an_article_marks_people_agencies_and_places_distinctly(page: Page) -> None:
    open_first_result(page, "/?source=Kyiv+Post")
    people = page.locator(".article-body a.mention-person")
    zelensky = people.filter(has_text="Zelensky")
    expect(zelensky.first).to_be_visible()
    full = people.filter(has_text="Volodymyr Zelensky").first
    expect(full).to_have_attribute("data-type", "person")
    expect(full).to_have_attribute("title", "Person: Volodymyr Zelensky")
    expect(full).to_have_accessible_name("Volodymyr Zelensky (person)")
    styles = {
        kind: page.locator(f".article-body a.mention-{kind}").first.evaluate(
            "e => getComputedStyle(e).textDecorationStyle"
        )
        for kind in ("person", "agency", "location")
    }
    assert styles == {"person": "solid", "agency": "dashed", "location": "dotted"}
    expect(page.locator(".related .compact-hit").first).to_be_visible()
    screenshot(page, "article")


def test_a_mention_leads_to_its_entity_page_and_back_to_search(
    page: Page, api: httpx.Client
) -> None:
    open_first_result(page, "/?source=Kyiv+Post")
    article_id = urlsplit(page.url).path.rsplit("/", 1)[-1]
    page.locator(".article-body a.mention-person", has_text="Volodymyr Zelensky").first.click()
    page.wait_for_url(re.compile(r"/entities/person/Volodymyr%20Zelensky$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Volodymyr Zelensky")
    expected = api.get("/v1/entities/person/Volodymyr Zelensky", follow_redirects=True).json()
    expect(page.locator(".stats dd").first).to_have_text(str(expected["total"]))
    assert page.locator(".timeline a.bar").count() >= 1
    expect(page.locator(".latest li.hit").first).to_be_visible()
    screenshot(page, "entity")

    page.get_by_role("link", name="Search for it").click()
    page.wait_for_url(re.compile(r"/\?person=Volodymyr\+Zelensky$"))
    answer = api_search(api, [("person", "Volodymyr Zelensky")])
    assert shown_total(page) == answer["total"]["value"] == expected["total"]
    # copies come grouped: the article's cluster is shown, by whichever copy is newest
    copies = api.get(f"/v1/articles/{article_id}/copies").json()["copies"]
    assert {c["id"] for c in copies} & set(shown_ids(page))
    assert shown_ids(page) == [hit["id"] for hit in answer["hits"]]


def test_a_hostile_article_is_only_text_on_every_page(page: Page) -> None:
    page.goto("/?q=xsscanary")
    hit = page.locator("li.hit")
    expect(hit).to_have_count(1)
    expect(hit.locator(".hit-title")).to_contain_text("<script>window.__xss=1</script>")
    expect(hit.locator(".hit-title")).to_contain_text('<img src=x onerror="window.__xss=1">')
    assert_inert(page)

    hit.locator(".hit-title a").click()
    page.wait_for_url(re.compile(r"/articles/"))
    expect(page.locator(".article-body")).to_contain_text("<script>window.__xss=1</script>")
    expect(page.locator(".unsafe-url")).to_have_text("javascript:window.__xss=1")
    expect(page.locator("a.original-link")).to_have_count(0)
    assert_inert(page)

    page.locator(".article-aside a.entity-person").first.click()
    page.wait_for_url(re.compile(r"/entities/person/"))
    expect(page.locator(".latest")).to_contain_text("<script>window.__xss=1</script>")
    assert_inert(page)
