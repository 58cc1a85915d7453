"""Copies of one story in Chromium: grouped under one result by default, opened to their outlets,
listed one by one on request, and named on the article page ("Also published by")."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import REPUBLISHERS, screenshot
from tests.browser.pages import api_search

pytestmark = [pytest.mark.browser, pytest.mark.integration]

OUTLETS = ("Kyiv Post", *REPUBLISHERS)
SEARCH = "/?q=asylum+troops+captured"


def test_copies_come_grouped_open_to_their_outlets_and_the_toggle_lists_every_one(
    page: Page, api: httpx.Client
) -> None:
    grouped = api_search(api, [("q", "asylum troops captured")])
    every = api_search(api, [("q", "asylum troops captured"), ("group", "none")])
    story = [h for h in grouped["hits"] if h["copies"] and h["copies"]["count"] == len(OUTLETS)]
    assert len(story) == 1, "the seed story and its two republications form one cluster"
    members = {h["id"] for h in every["hits"] if h["cluster_id"] == story[0]["cluster_id"]}
    assert len(members) == len(OUTLETS)

    page.goto(SEARCH)
    hits = page.locator("li.hit")
    expect(hits).to_have_count(len(grouped["hits"]))
    copies = page.locator("li.hit details.copies")
    expect(copies).to_have_count(1)
    summary = copies.locator("summary")
    expect(summary).to_have_text("3 copies in 3 outlets")
    summary.click()
    expect(copies.locator(".copies-outlets li")).to_have_text(sorted(OUTLETS), ignore_case=False)
    screenshot(page, "search-copies")

    page.get_by_role("link", name="Show every copy").click()
    page.wait_for_url(re.compile(r"group=none"))
    expect(page.locator("li.hit")).to_have_count(len(every["hits"]))
    expect(page.locator("li.hit details.copies")).to_have_count(0)
    page.get_by_role("link", name="Group copies").click()
    page.wait_for_url(re.compile(r"q=asylum"))
    assert "group=" not in page.url
    expect(page.locator("li.hit details.copies")).to_have_count(1)


def test_the_article_page_names_every_copy_with_its_outlet_lead_first(page: Page) -> None:
    page.goto(SEARCH)
    page.locator("li.hit details.copies summary").click()
    page.get_by_role("link", name="Every copy, with outlet and time").click()
    page.wait_for_url(re.compile(r"/articles/.+#copies"))
    section = page.locator("section#copies")
    expect(section.get_by_role("heading", name="Also published by")).to_be_visible()
    rows = section.locator("li.compact-hit")
    expect(rows).to_have_count(len(OUTLETS))
    expect(rows.first).to_contain_text("Kyiv Post")  # the earliest published leads
    for outlet in REPUBLISHERS:
        expect(section).to_contain_text(outlet)
    expect(section.locator("li[aria-current='page']")).to_have_count(1)
    related = page.locator(".related .compact-hit a")
    for link in related.all():
        assert "republished" not in (link.get_attribute("href") or "")
    screenshot(page, "article-copies")
