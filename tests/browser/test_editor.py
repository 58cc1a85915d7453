"""An editor corrects names in the pages: signs in with a key, merges two names on an entity
page, and the search page then shows one value with the articles of both."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from opensearchpy import OpenSearch
from playwright.sync_api import Browser, Page, expect

from search.settings import Settings
from tests.browser.conftest import DESKTOP, screenshot, throwaway_site
from tests.integration.test_entity_registry import STORIES, _write

pytestmark = pytest.mark.browser
KEY = "editor-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def editor_url(
    node_settings: Settings, os_client: OpenSearch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("editor")
    stories = _write(folder / "stories.ndjson", STORIES)
    with throwaway_site(node_settings, os_client, folder, [stories], name="editor", key=KEY) as url:
        yield url


@pytest.fixture
def tab(browser: Browser, editor_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, base_url=editor_url)
    try:
        yield context.new_page()
    finally:
        context.close()


def _people(tab: Page) -> list[str]:
    tab.goto("/?q=")
    labels = tab.locator("#facet-person .facet-name")
    return [text.strip() for text in labels.all_inner_texts()]


def test_pages_are_read_only_until_an_editor_signs_in(tab: Page) -> None:
    tab.goto("/entities/person/Baker")
    expect(tab.locator(".editor-panel")).to_have_count(0)
    tab.goto("/editor?next=/entities/person/Baker")
    tab.fill("input[name=key]", "wrong")
    tab.click('form[action="/editor"] button')
    expect(tab.get_by_role("alert")).to_contain_text("not accepted")
    cookies = tab.context.cookies()
    assert not any(c["name"] == "newsroom_editor" for c in cookies)


def test_an_editor_merges_two_names_and_search_shows_one(tab: Page) -> None:
    people = _people(tab)
    assert "Baker" in people
    assert "James Baker" in people
    tab.goto("/editor?next=/entities/person/Baker")
    tab.fill("input[name=key]", KEY)
    tab.click('form[action="/editor"] button')
    tab.wait_for_url("**/entities/person/Baker")
    (session,) = [c for c in tab.context.cookies() if c["name"] == "newsroom_editor"]
    assert session["httpOnly"]
    assert session["sameSite"] == "Strict"
    assert KEY not in session["value"]
    expect(tab.locator(".ambiguous")).to_contain_text("James Baker")
    merge = tab.locator('form[data-action="merge"]')
    merge.locator("input[name=into_name]").fill("James Baker")
    merge.locator("input[name=reason]").fill("the Treasury Secretary")
    merge.locator("button").click()
    tab.wait_for_url("**/entities/person/James%20Baker")
    expect(tab.locator("h1.entity-name")).to_have_text("James Baker")
    screenshot(tab, "editor-after-merge")
    people = _people(tab)
    assert "Baker" not in people
    assert "James Baker" in people
    row = tab.locator("#facet-person .facet-row", has_text="James Baker")
    expect(row.locator(".facet-count")).to_have_text(re.compile(r"^\s*2\b"))
    tab.goto("/editor/log")
    expect(tab.locator("table.audit")).to_contain_text("the Treasury Secretary")


def test_a_form_without_its_csrf_token_is_refused(tab: Page, editor_url: str) -> None:
    tab.goto("/editor")
    tab.fill("input[name=key]", KEY)
    tab.click('form[action="/editor"] button')
    answer = tab.request.post(
        f"{editor_url}/editor/entities/no-such-entity",
        form={"action": "block", "csrf": "forged"},
    )
    assert answer.status == 403


def test_an_editor_sees_each_ingest_run_and_what_it_refused(tab: Page, editor_url: str) -> None:
    batch = [
        {"title": "Dock strike", "body": "Dock workers in Rotterdam went on strike on Monday."},
        {"title": "Port closed", "body": "The port of Antwerp closed for the day on Tuesday."},
        {"title": "Nothing", "body": "   "},
    ]
    with httpx.Client(base_url=editor_url, headers={"X-API-Key": KEY}, timeout=30) as http:
        answer = http.post("/v1/articles", json=batch)
        assert answer.status_code == 202, answer.text
        deadline = time.monotonic() + 120
        # the list, as the page reads it (a search: the record as last made visible)
        while http.get("/v1/ingest/runs").json()[0]["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, "the run did not end"
            time.sleep(0.2)
    tab.goto("/editor/ingest")
    tab.fill("input[name=key]", KEY)
    tab.click('form[action="/editor"] button')
    tab.wait_for_url("**/editor/ingest")
    row = tab.locator("table.ingest-runs tbody tr").first
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text("POST /v1/articles (3 articles)")
    cells = row.locator("td")
    expect(cells.nth(4)).to_have_text("3")  # read
    expect(cells.nth(5)).to_have_text("2")  # indexed
    expect(cells.nth(8)).to_contain_text("1")  # rejected, with the reason under it
    screenshot(tab, "editor-ingest-runs")


def test_an_editor_saves_a_search_follows_a_person_and_sees_new_matches(
    tab: Page, editor_url: str
) -> None:
    tab.goto("/editor?next=/%3Fq%3DBonn")
    tab.fill("input[name=key]", KEY)
    tab.click('form[action="/editor"] button')
    tab.wait_for_url("**/?q=Bonn")
    tab.fill("form.save-search input[name=name]", "Bonn <talks>")
    tab.click("form.save-search button")
    tab.wait_for_url("**/editor/saved")
    bonn = tab.locator("section.saved-search", has_text="Bonn <talks>")
    expect(bonn).to_contain_text("No new article has matched it yet.")
    tab.goto("/entities/person/Helmut%20Kohl")
    tab.click("form.follow button")
    tab.wait_for_url("**/editor/saved")
    expect(tab.locator("section.saved-search h2")).to_contain_text(["Follow Helmut Kohl"])
    story = {
        "title": "Kohl returns to Bonn",
        "body": "Chancellor Helmut Kohl returned to Bonn on Sunday after the summit.",
        "source": "Wire",
    }
    with httpx.Client(base_url=editor_url, headers={"X-API-Key": KEY}, timeout=60) as http:
        assert http.post("/v1/articles", json=story).status_code == 200
    tab.reload()
    for name in ("Bonn <talks>", "Follow Helmut Kohl"):
        section = tab.locator("section.saved-search", has_text=name)
        expect(section.locator(".saved-matches")).to_contain_text("Kohl returns to Bonn")
    feed = tab.request.get(
        tab.locator("section.saved-search a.feed-link").first.get_attribute("href") or ""
    )
    assert feed.ok
    assert "Kohl returns to Bonn" in feed.text()
    screenshot(tab, "editor-saved-searches")
