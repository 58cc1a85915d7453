"""Reading an article found by a search, in Chromium at desktop and phone widths: the way back
to the same results, the query's words marked as OpenSearch matched them, the header's box
filled, and every mention of a name linked; the entity page's orders and search-within."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_sideways_scroll, screenshot
from tests.browser.pages import api_search, assert_inert, shown_ids, shown_total

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SEARCH = "/?q=troop&sort=newest"
#: Text outside mention links, per paragraph, with each link's text replaced by one NUL.
UNLINKED_TEXT = """() => Array.from(document.querySelectorAll('.article-body p')).map(p => {
  const walk = (node) => node.nodeType === Node.TEXT_NODE ? node.textContent
    : (node.matches && node.matches('a.mention')) ? '\\u0000'
    : Array.from(node.childNodes).map(walk).join('');
  return walk(p);
})"""


def width_name(page: Page) -> str:
    size = page.viewport_size
    assert size is not None
    return "phone" if size["width"] < 800 else "desktop"


def test_an_article_opened_from_results_marks_the_query_and_leads_back(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    page.goto(SEARCH)
    before = shown_ids(page)
    total = shown_total(page)
    assert before
    link = page.locator("li.hit .hit-title a").first
    target = urlsplit(link.get_attribute("href") or "")
    carried = dict(parse_qsl(target.query))
    assert carried["q"] == "troop"
    assert carried["from"] == SEARCH
    link.click()
    page.wait_for_url(re.compile(r"/articles/"))

    expect(page.locator("#mini-q")).to_have_value("troop")
    article_id = urlsplit(page.url).path.rsplit("/", 1)[-1]
    body = api.get(f"/v1/articles/{article_id}").json()["body"]
    # stemmed: "troop" marks "troops", as the search matched it; every occurrence, no others
    expected = re.findall(r"\b(?:troop|troops)\b", body, flags=re.IGNORECASE)
    marks = page.locator(".article-body mark").all_inner_texts()
    assert expected
    assert [m.lower() for m in marks] == [e.lower() for e in expected]
    expect(page.locator(".query-marks")).to_have_attribute("data-marks", str(len(expected)))
    assert_inert(page)
    assert_no_sideways_scroll(page)
    screenshot(page, f"article-from-search-{width_name(page)}")

    page.get_by_role("link", name="← Back to results").click()
    page.wait_for_url(re.compile(r"/\?"))
    assert urlsplit(page.url).path + "?" + urlsplit(page.url).query == SEARCH
    assert shown_ids(page) == before
    assert shown_total(page) == total


def test_every_mention_of_a_name_is_linked(sized_page: Page, api: httpx.Client) -> None:
    page = sized_page
    answer = api_search(api, [("source", "Kyiv Post")])
    article_id = answer["hits"][0]["id"]
    article = api.get(f"/v1/articles/{article_id}").json()
    body = article["body"]
    texts = {
        body[m["start"] : m["end"]]
        for entity in article["entities"]
        if entity["type"] in ("person", "agency", "location") and not entity.get("blocked")
        for m in entity["mentions"]
        if body[m["start"] : m["end"]] == m["text"] and len(m["text"].strip()) >= 3
    }
    repeated = [t for t in texts if len(re.findall(rf"(?<!\w){re.escape(t)}(?!\w)", body)) > 1]
    assert repeated, "the seed story names someone twice"
    page.goto(f"/articles/{quote(article_id, safe='')}")
    loose = page.evaluate(UNLINKED_TEXT)
    for text in sorted(texts):
        left = [p for p in loose if re.search(rf"(?<!\w){re.escape(text)}(?!\w)", p)]
        assert left == [], f"{text!r} is not linked in {left}"
    links = page.locator(".article-body a.mention").all_inner_texts()
    for text in repeated:
        word = rf"(?<!\w){re.escape(text)}(?!\w)"
        linked = sum(len(re.findall(word, link)) for link in links)
        assert linked == len(re.findall(word, body)) >= 2, text
    # no search: no marks, no way back, an empty header box
    expect(page.locator(".article-body mark")).to_have_count(0)
    expect(page.locator(".back-to-results")).to_have_count(0)
    expect(page.locator("#mini-q")).to_have_value("")
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize(
    "target", ["https://example.org/", "//example.org/x", "/\\example.org", "javascript:alert(1)"]
)
def test_a_back_link_leads_only_within_the_site(page: Page, api: httpx.Client, target: str) -> None:
    article_id = api_search(api, [("source", "Kyiv Post")])["hits"][0]["id"]
    page.goto(f"/articles/{quote(article_id, safe='')}?q=troops&from={quote(target, safe='')}")
    expect(page.locator(".back-to-results")).to_have_count(0)
    expect(page.locator("#mini-q")).to_have_value("troops")
    assert page.locator(".article-body mark").count() > 0


def top_location(api: httpx.Client) -> str:
    answer = api.get("/v1/search", params={"facets": "location", "size": 1}).json()
    values = answer["facets"]["location"]
    assert values
    name: str = values[0]["value"]
    return name


def test_the_entity_page_says_its_order_and_searches_within(
    sized_page: Page, api: httpx.Client
) -> None:
    page = sized_page
    name = top_location(api)
    page.goto(f"/entities/location/{quote(name, safe='')}")
    for group in page.locator(".cooccurring .entity-group:has(.entity-order)").all():
        order = group.locator(".entity-order").get_attribute("data-order")
        rows = group.locator(".cooccurring-name")
        counts = [int(c) for c in rows.evaluate_all("els => els.map(e => e.dataset.count)")]
        if order == "significance":
            telling = [int(t) for t in rows.evaluate_all("els => els.map(e => e.dataset.telling)")]
            assert telling == sorted(telling, reverse=True)
            assert telling[0] == 100
            expect(group.locator(".telling-figure").first).to_have_text("telling 100")
        else:
            assert counts == sorted(counts, reverse=True)
    switch = page.locator(".order-switch")
    if switch.count():
        switch.get_by_role("link", name="most articles first").click()
        page.wait_for_url(re.compile(r"order=frequent"))
        for group in page.locator(".cooccurring .entity-group:has(.entity-order)").all():
            expect(group.locator(".entity-order")).to_have_attribute("data-order", "frequency")
            counts = group.locator(".cooccurring-name").evaluate_all(
                "els => els.map(e => Number(e.dataset.count))"
            )
            assert counts == sorted(counts, reverse=True)
    assert_no_sideways_scroll(page)
    screenshot(page, f"entity-orders-{width_name(page)}")

    page.locator("#within-q").fill("oil")
    page.locator(".search-within button").click()
    page.wait_for_url(re.compile(r"/\?"))
    asked = parse_qsl(urlsplit(page.url).query)
    assert sorted(asked) == sorted([("location", name), ("q", "oil")])
    assert shown_total(page) == api_search(api, asked)["total"]["value"]
