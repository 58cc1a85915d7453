"""Feeds watched against a real node and a local feed server whose feed changes over time: new
items indexed once, 304 when nothing changed, a summary-only item completed from its page, a
500, a slow answer and a malformed feed recorded with backoff, a restart that repeats nothing,
and every item a saved search should get, matched exactly once."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from pydantic import SecretStr

from search.app import create_app
from search.index import schema
from search.settings import Settings
from search.watch import registry
from search.watch.poller import Watcher
from search.watch.registry import FeedIn
from tests.integration.conftest import Receiver
from tests.integration.test_duplicates import story
from tests.integration.test_webhooks import _signed
from tests.live_server import serve_handler

pytestmark = pytest.mark.integration
KEY = "watch-key"
PARAGRAPH = (
    "Dock workers in Rotterdam walked out over pay on Monday, halting container traffic at "
    "Europe's largest port. Union leaders said the strike would last until employers improved "
    "their offer, while shipping lines diverted vessels to Antwerp and Hamburg. "
)


def _text(n: int) -> str:
    """Story n: the strike sentence, then text of its own (so each item is a story of its
    own, not a copy of another)."""
    return f"{PARAGRAPH}{story(n).body}"


def _item(n: int, *, summary_only: bool = False) -> str:
    body = "Port strike update." if summary_only else _text(n)
    return (
        f"<item><title>Strike day {n}</title><link>{{base}}/story/{n}</link>"
        f"<guid>story-{n}</guid><pubDate>Mon, 0{n} Mar 2025 08:00:00 GMT</pubDate>"
        f"<description>{body}</description></item>"
    )


class FeedServer:
    """Serves /feed.xml (the items set in `items`, with an ETag) and /story/N pages."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.mode = "ok"  # ok, error, slow, malformed
        self.hits: Counter[str] = Counter()
        self.conditional: list[str | None] = []
        self.base = ""
        self.url = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                if self.path.startswith("/story/"):
                    n = self.path.rsplit("/", 1)[-1]
                    page = (
                        f"<html><head><title>Strike day {n}</title></head><body><article>"
                        f"<h1>Strike day {n}</h1><p>{_text(int(n))}</p><p>Page {n}.</p>"
                        "</article></body></html>"
                    ).encode()
                    self._answer(200, page, "text/html")
                    return
                server.conditional.append(self.headers.get("If-None-Match"))
                if server.mode == "error":
                    self._answer(500, b"down", "text/plain")
                    return
                if server.mode == "slow":
                    time.sleep(2.5)
                if server.mode == "malformed":
                    self._answer(200, b"<html><body>Not a feed</body></html>", "text/html")
                    return
                etag = f'"v{len(server.items)}"'
                if self.headers.get("If-None-Match") == etag:
                    self._answer(304, b"", "application/rss+xml")
                    return
                base = server.base
                items = "".join(i.replace("{base}", base) for i in server.items)
                feed = (
                    '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Wire</title>'
                    f"<link>{base}/</link><description>News</description>{items}</channel></rss>"
                ).encode()
                self._answer(200, feed, "application/rss+xml", etag)

            def _answer(self, status: int, body: bytes, kind: str, etag: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer()
    with serve_handler(server.handler()) as base:
        server.base, server.url = base, f"{base}/feed.xml"
        yield server


@pytest.fixture
def watching(settings: Settings, os_client: OpenSearch) -> Iterator[Settings]:
    schema.ensure_index(os_client, settings.index)
    watched = settings.model_copy(update={"allow_private_urls": True, "api_keys": [SecretStr(KEY)]})
    try:
        yield watched
    finally:
        registry.drop_feeds(os_client, settings.index)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def later(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _ids(os_client: OpenSearch, index: str) -> list[str]:
    os_client.indices.refresh(index=index)
    raw = os_client.search(index=index, body={"size": 100, "_source": False})
    return sorted(hit["_id"] for hit in raw["hits"]["hits"])


def test_a_feed_is_watched_through_changes_failures_and_a_restart(
    watching: Settings, os_client: OpenSearch, feeds: FeedServer, receiver: Receiver
) -> None:
    with TestClient(create_app(watching)) as api:
        saved = api.post(
            "/v1/saved-searches",
            json={"name": "Rotterdam", "q": '"dock workers"', "webhook": receiver.url},
            headers={"X-API-Key": KEY},
        ).json()
    feed = registry.add(os_client, watching.index, FeedIn(url=feeds.url, interval_s=300))
    clock = Clock()
    feeds.items = [_item(1), _item(2, summary_only=True)]
    watcher = Watcher(watching, now=clock, timeout_s=1.0)

    first = watcher.poll_once()
    assert (first.polled, first.indexed, first.pages_fetched) == (1, 2, 1)
    assert _ids(os_client, watching.index) == ["harbour-wire-story-1", "harbour-wire-story-2"]
    completed = os_client.get(index=watching.index, id="harbour-wire-story-2")["_source"]
    assert "Page 2." in completed["body"]  # the page's text, not the feed's one-line summary
    assert completed["title"] == "Strike day 2"
    assert watcher.poll_once().polled == 0  # not due before its interval

    clock.later(400)
    unchanged = watcher.poll_once()
    assert (unchanged.polled, unchanged.not_modified) == (1, 1)
    assert feeds.conditional[-1] == '"v2"'

    feeds.items.append(_item(3))
    clock.later(400)
    assert watcher.poll_once().indexed == 1
    assert feeds.hits["/story/2"] == 1  # an item indexed once is never fetched again

    for mode in ("error", "slow", "malformed"):
        feeds.mode = mode
        clock.later(100_000)
        report = watcher.poll_once()
        assert report.failed == 1, mode
    state = registry.get(os_client, watching.index, feed.id)
    assert state is not None
    assert (state.failures, state.status) == (3, "failing")
    assert state.last_error
    assert state.next_poll_at - clock.now >= timedelta(seconds=300 * 2**3)  # backed off

    feeds.mode = "ok"
    feeds.items.append(_item(4))
    clock.later(100_000)
    restarted = Watcher(watching, now=clock, timeout_s=1.0)  # state comes from the index
    assert restarted.poll_once().indexed == 1
    state = registry.get(os_client, watching.index, feed.id)
    assert state is not None
    assert (state.failures, state.status, state.items_indexed) == (0, "ok", 4)
    assert len(_ids(os_client, watching.index)) == 4

    with TestClient(create_app(watching)) as api:
        matched = api.get(
            f"/v1/saved-searches/{saved['id']}/matches", headers={"X-API-Key": KEY}
        ).json()
        found = api.get("/v1/search", params={"q": '"dock workers"', "size": 50}).json()
    assert len(found["hits"]) == 4
    assert sorted(m["article_id"] for m in matched) == sorted(h["id"] for h in found["hits"])
    # and the webhook got each of them once, signed
    delivered = []
    for headers, body in receiver.received:
        assert _signed(saved["webhook_secret"], headers, body)
        delivered += [m["article_id"] for m in json.loads(body)["matches"]]
    assert sorted(delivered) == sorted(h["id"] for h in found["hits"])


def test_feeds_in_the_own_network_are_refused_unless_allowed(
    watching: Settings, os_client: OpenSearch, feeds: FeedServer
) -> None:
    strict = watching.model_copy(update={"allow_private_urls": False})
    registry.add(os_client, strict.index, FeedIn(url=feeds.url, interval_s=300))
    report = Watcher(strict).poll_once()
    assert report.failed == 1
    assert "own network" in report.errors[feeds.url]
    assert sum(feeds.hits.values()) == 0  # never asked


def test_feeds_are_managed_with_a_key_through_the_api(
    watching: Settings, feeds: FeedServer
) -> None:
    key = {"X-API-Key": KEY}
    with TestClient(create_app(watching), raise_server_exceptions=False) as api:
        assert api.post("/v1/feeds", json={"url": feeds.url}).status_code == 401
        added = api.post("/v1/feeds", json={"url": feeds.url, "interval_s": 600}, headers=key)
        assert added.status_code == 201, added.text
        again = api.post("/v1/feeds", json={"url": feeds.url, "interval_s": 1200}, headers=key)
        assert again.json()["id"] == added.json()["id"]  # one feed per URL, interval changed
        listed = api.get("/v1/feeds", headers=key).json()
        assert [(f["url"], f["interval_s"], f["status"]) for f in listed] == [
            (feeds.url, 1200, "ok")
        ]
        too_often = api.post("/v1/feeds", json={"url": feeds.url, "interval_s": 5}, headers=key)
        assert too_often.status_code == 400
        gone = api.delete(f"/v1/feeds/{added.json()['id']}", headers=key)
        assert gone.status_code == 200
        assert api.get("/v1/feeds", headers=key).json() == []
    strict = watching.model_copy(update={"allow_private_urls": False})
    with TestClient(create_app(strict), raise_server_exceptions=False) as api:
        refused = api.post("/v1/feeds", json={"url": feeds.url}, headers=key)
        assert refused.status_code == 400
        assert "own network" in refused.json()["detail"]
