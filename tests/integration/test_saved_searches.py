"""Saved searches against a real node: each belongs to its key, new articles are percolated at
ingest, a story is matched once however many copies arrive, what was matched is what the same
search finds afterwards, and the Atom feed lists it at an unguessable URL without a key."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search.alerts.matching import AlertMatcher, percolate_body, read_matches
from search.alerts.saved import saved_alias
from search.app import create_app
from search.evaluation.duplicate_set import with_boilerplate, with_headline
from search.index import schema
from search.ingest.dead_letter import DeadLetters
from search.ingest.pipeline import Ingestor, IngestSummary
from search.ingest.run import finish_run
from search.models import RawRecord
from search.settings import Settings
from tests.integration.test_duplicates import NoEntities, story

pytestmark = pytest.mark.integration
ALICE, BOB = "alice-key", "bob-key"
MARK = "Dock workers in Rotterdam walked out over pay on Monday."


def _marked(n: int, outlet: str = "Wire") -> RawRecord:
    """Story n with a first paragraph the saved search looks for."""
    base = story(n, outlet=outlet)
    return base.model_copy(update={"body": f"{MARK}\n\n{base.body}"})


def _copy(record: RawRecord, outlet: str, seed: int) -> RawRecord:
    """The same story as another outlet runs it: new headline, boilerplate added."""
    rng = random.Random(seed)
    moved = record.model_copy(
        update={"id": f"{record.id}-{outlet}", "source": outlet, "location": f"test#{outlet}"}
    )
    return with_boilerplate(with_headline(moved, rng), rng)


def _ingest(
    os_client: OpenSearch, settings: Settings, records: Sequence[RawRecord], tmp: Path
) -> IngestSummary:
    with DeadLetters(tmp / "dead.ndjson") as dead:
        summary = Ingestor(
            os_client,
            settings.index,
            NoEntities(),
            dead,
            alerts=AlertMatcher(os_client, settings.index),
        ).run(records)
    return finish_run(os_client, settings, summary, None)


@pytest.fixture
def keyed(settings: Settings, os_client: OpenSearch) -> Settings:
    schema.ensure_index(os_client, settings.index)
    return settings.model_copy(
        update={"api_keys": [SecretStr(ALICE), SecretStr(BOB)], "rate_limit_per_minute": 100_000}
    )


@pytest.fixture
def api(keyed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(keyed), raise_server_exceptions=False) as client:
        yield client


def _save(api: TestClient, key: str, **body: Any) -> dict[str, Any]:
    answer = api.post("/v1/saved-searches", json=body, headers={"X-API-Key": key})
    assert answer.status_code == 201, answer.text
    saved: dict[str, Any] = answer.json()
    return saved


def _matches(api: TestClient, key: str, saved_id: str) -> list[dict[str, Any]]:
    answer = api.get(f"/v1/saved-searches/{saved_id}/matches", headers={"X-API-Key": key})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_new_articles_are_matched_once_per_story_and_listed_in_the_feed(
    api: TestClient, keyed: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    strike = _save(api, ALICE, name="Rotterdam strike", q='"dock workers" Rotterdam')
    herald = _save(api, ALICE, name="Herald", filters={"source": ["Herald"]})
    first = [_marked(1), _marked(2), story(3), story(4, outlet="Herald")]
    later = [_copy(_marked(1), "Herald", 7), _marked(5, outlet="Courier"), story(6)]
    assert _ingest(os_client, keyed, first, tmp_path).alert_matches == 3
    summary = _ingest(os_client, keyed, later, tmp_path)
    # story 1's Herald copy is the same story for the strike search, a new one for Herald's
    assert summary.alert_matches == 2

    matched = {m["article_id"] for m in _matches(api, ALICE, strike["id"])}
    assert matched == {"wire-story-1", "wire-story-2", "courier-story-5"}
    # what was matched is what the same search, grouped by story, finds now
    found = api.get("/v1/search", params={"q": '"dock workers" Rotterdam', "group": "duplicates"})
    stories = {h["cluster_id"] for h in found.json()["hits"]}
    assert stories == {m["cluster_id"] for m in _matches(api, ALICE, strike["id"])}
    herald_matches = {m["article_id"] for m in _matches(api, ALICE, herald["id"])}
    assert herald_matches == {"herald-story-4", "herald-story-1-Herald"}

    again = _ingest(os_client, keyed, [*first, *later], tmp_path)
    assert again.alert_matches == 0  # re-ingesting delivers nothing twice

    feed = api.get(strike["feed"])  # no key: the link is the secret
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title.startswith("Rotterdam strike")
    assert {entry.link.rsplit("/", 1)[-1] for entry in parsed.entries} == matched
    assert api.get("/v1/saved-searches/feeds/not-a-feed-token").status_code == 404


def test_each_key_sees_and_deletes_only_its_own(api: TestClient) -> None:
    mine = _save(api, ALICE, name="Follow Kohl", filters={"person": ["Helmut Kohl"]})
    assert mine["filters"] == {"person": ["Helmut Kohl"]}
    listed = api.get("/v1/saved-searches", headers={"X-API-Key": ALICE}).json()
    assert [s["id"] for s in listed] == [mine["id"]]
    assert api.get("/v1/saved-searches", headers={"X-API-Key": BOB}).json() == []
    theirs = api.delete(f"/v1/saved-searches/{mine['id']}", headers={"X-API-Key": BOB})
    assert theirs.status_code == 404
    assert api.get("/v1/saved-searches").status_code == 401
    gone = api.delete(f"/v1/saved-searches/{mine['id']}", headers={"X-API-Key": ALICE})
    assert gone.status_code == 200
    assert api.get(mine["feed"]).status_code == 404


def test_a_search_that_cannot_run_is_refused_with_what_to_fix(api: TestClient) -> None:
    bad = api.post(
        "/v1/saved-searches",
        json={"name": "broken", "q": '"unclosed phrase'},
        headers={"X-API-Key": ALICE},
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    nameless = api.post("/v1/saved-searches", json={"q": "x"}, headers={"X-API-Key": ALICE})
    assert nameless.status_code == 400
    assert "name" in nameless.text


def test_a_saved_search_with_all_of_matches_only_articles_naming_every_value(
    api: TestClient, keyed: Settings, os_client: OpenSearch
) -> None:
    both_people = _save(
        api,
        ALICE,
        name="Kohl with Mitterrand",
        filters={"person": ["Helmut Kohl", "François Mitterrand"]},
        all_of=["person"],
    )
    assert both_people["all_of"] == ["person"]
    listed = api.get("/v1/saved-searches", headers={"X-API-Key": ALICE}).json()
    assert listed[0]["all_of"] == ["person"]
    documents = [
        {"id": "both", "title": "Summit", "persons": ["Helmut Kohl", "Francois Mitterrand"]},
        {"id": "one", "title": "Summit", "persons": ["Helmut Kohl"]},
    ]
    raw = os_client.search(
        index=saved_alias(keyed.index), body=percolate_body(documents), params={"size": 10}
    )
    slots = {slot for saved_id, slot in read_matches(raw) if saved_id == both_people["id"]}
    assert slots == {0}, "only the article naming both people matches"
