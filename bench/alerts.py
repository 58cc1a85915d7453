"""Saved searches at work: from an item appearing in a feed to its webhook delivery, with 1,000
saved searches, and what percolation costs per ingested article.

`python -m bench.alerts [--saved 1000] [--items 20] [--n 300] [--tag NAME]`

(a) Latency. A local feed server and a local webhook receiver; 1,000 saved searches built from
    real headlines (one word or a two-word phrase each), one of them, with a webhook, matching
    the items. Per trial an item is added to the feed and the watcher polls at once: fetch,
    parse, the pipeline with NER, percolation against every saved search, the match recorded,
    the webhook POSTed. p50 and p95 of item-added -> POST received. In service the feed's
    polling interval comes on top (a poll every `interval_s`, with a tenth of jitter).
(b) Cost. N real articles ingested without entities (so percolation is not hidden behind NER)
    into a fresh index with and without the 1,000 saved searches, alternating; ms per article
    of the percolate step, and the throughput ratio.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench.common import (
    WORK_DIR,
    bench_settings,
    index_name,
    latency_summary,
    log,
    median,
    print_table,
    ratio,
    result_name,
    running_node,
    write_results,
)
from bench.copies import Pending
from bench.corpus import corpus_files, real_records
from bench.ingest import real_sample
from search.alerts import saved
from search.alerts.matching import AlertMatcher
from search.alerts.saved import SavedSearchIn
from search.entities.store import drop_registry
from search.index import schema
from search.index.client import sync_client
from search.ingest.dead_letter import DeadLetters
from search.ingest.pipeline import Ingestor
from search.ingest.readers.detect import read_paths
from search.settings import Settings
from search.watch import registry
from search.watch.poller import Watcher
from search.watch.registry import FeedIn

MARK = "Harbour pilots in Rotterdam"


class _Servers:
    """A feed whose items the bench adds, and a webhook receiver noting when each POST came."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.received: list[tuple[float, dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench Wire</title>'
                    f"<link>http://127.0.0.1/</link><description>x</description>"
                    f"{''.join(outer.items)}</channel></rss>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((time.perf_counter(), json.loads(data)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def headline_queries(count: int, seed: int) -> list[str]:
    """`count` distinct searches from real headlines: a word, or a phrase of two."""
    files, _ = corpus_files()
    words: list[str] = []
    for record in real_records(files):
        words += [w.strip(".,:;'\"()").lower() for w in str(record.get("title") or "").split()]
        if len(words) > 20 * count:
            break
    usable = sorted({w for w in words if len(w) > 4 and w.isalpha()})
    rng = random.Random(seed)
    queries: set[str] = set()
    while len(queries) < count:
        first, second = rng.sample(usable, 2)
        queries.add(first if rng.random() < 0.5 else f'"{first} {second}"')
    return sorted(queries)


def _save_all(settings: Settings, queries: list[str], webhook: str | None = None) -> None:
    client = sync_client(settings)
    for n, q in enumerate(queries):
        asked = SavedSearchIn(name=f"s{n}", q=q)
        saved.create(client, settings.index, "bench", asked, limit=len(queries), visible=False)
    if webhook:
        asked = SavedSearchIn(name="pilots", q=f'"{MARK}"', webhook=webhook)
        saved.create(client, settings.index, "hook", asked, allow_private=True, visible=False)
    client.indices.refresh(index=saved.saved_alias(settings.index))


def _item(n: int, body: str) -> str:
    return (
        f"<item><title>Pilots day {n}</title><link>http://127.0.0.1/item/{n}</link>"
        f"<guid>bench-item-{n}-{time.time_ns()}</guid>"
        f"<description>{escape(f'{MARK} stopped work again on day {n}. {body}')}</description>"
        "</item>"
    )


def measure_latency(settings: Settings, queries: list[str], items: int) -> dict[str, Any]:
    servers = _Servers()
    run = settings.model_copy(
        update={"index": index_name("alerts-latency"), "allow_private_urls": True}
    )
    client = sync_client(run)
    schema.ensure_index(client, run.index)
    try:
        _save_all(run, queries, webhook=f"{servers.base}/hook")
        registry.add(client, run.index, FeedIn(url=f"{servers.base}/feed.xml", interval_s=60))
        # Long stories of their own, so no item is a copy of another (a copy is not delivered
        # again, which is the point, but not what is timed here).
        bodies = list(
            dict.fromkeys(
                r["body"][:1500]
                for r in itertools.islice(real_records(corpus_files()[0]), 5000)
                if len(r.get("body") or "") > 1500
            )
        )
        watcher = Watcher(run, now=_EveryPollDue())
        watcher.poll_once()  # untimed: the model loads, the feed is seen empty
        latencies = []
        for n in range(items):
            servers.items.append(_item(n, bodies[n % len(bodies)]))
            added = time.perf_counter()
            watcher.poll_once()
            deadline = added + 60
            while len(servers.received) <= n and time.perf_counter() < deadline:
                time.sleep(0.005)
            if len(servers.received) > n:
                latencies.append(servers.received[n][0] - added)
        delivered = sum(len(body["matches"]) for _, body in servers.received)
        return {
            "saved_searches": len(queries) + 1,
            "items": items,
            "delivered": delivered,
            **latency_summary(latencies),
        }
    finally:
        servers.server.shutdown()
        for drop in (schema.drop, drop_registry, saved.drop_saved, registry.drop_feeds):
            drop(client, run.index)


class _EveryPollDue:
    """A clock a day further on each time it is read: the feed is due at every poll."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(days=1)
        return self.now


def _ingest(settings: Settings, path: Path, queries: list[str] | None) -> tuple[float, float]:
    """Seconds for the ingest, and seconds spent percolating."""
    run = settings.model_copy(update={"index": index_name("alerts-cost")})
    client = sync_client(run)
    schema.ensure_index(client, run.index)
    try:
        if queries:
            _save_all(run, queries)
        matcher = AlertMatcher(client, run.index)
        spent = [0.0]
        match = matcher.match

        def timed(documents: Any) -> int:
            started = time.perf_counter()
            try:
                return match(documents)
            finally:
                spent[0] += time.perf_counter() - started

        matcher.match = timed  # type: ignore[method-assign]
        started = time.perf_counter()
        with DeadLetters(WORK_DIR / "dead-letters" / "alerts.ndjson") as dead:
            Ingestor(client, run.index, Pending(), dead, alerts=matcher).run(read_paths([path]))
        return time.perf_counter() - started, spent[0]
    finally:
        for drop in (schema.drop, drop_registry, saved.drop_saved):
            drop(client, run.index)


def measure_cost(settings: Settings, queries: list[str], n: int, repeat: int) -> dict[str, Any]:
    path = real_sample(n, 1)
    _ingest(settings, path, None)  # untimed
    with_: list[float] = []
    without: list[float] = []
    percolating: list[float] = []
    for rep in range(repeat):
        for arm in (True, False) if rep % 2 == 0 else (False, True):
            seconds, spent = _ingest(settings, path, queries if arm else None)
            (with_ if arm else without).append(n / seconds)
            if arm:
                percolating.append(spent * 1000 / n)
            log(f"cost rep {rep + 1} saved={arm}: {n / seconds:.1f} docs/s")
    return {
        "articles": n,
        "with_saved_docs_per_s": round(median(with_), 1),
        "without_docs_per_s": round(median(without), 1),
        "ratio": ratio(median(with_), median(without)),
        "percolate_ms_per_article": round(median(percolating), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--saved", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tag", default=None)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    settings = bench_settings()
    queries = headline_queries(args.saved - 1, seed=1)
    with running_node(settings) as client:
        results: dict[str, Any] = {"benchmark": "alerts", "saved_searches": args.saved}
        results["latency_item_to_webhook"] = measure_latency(settings, queries, args.items)
        results["percolation_cost"] = measure_cost(settings, queries, args.n, args.repeat)
        out = write_results(result_name("alerts", args.tag), results, client, started)
    lat, cost = results["latency_item_to_webhook"], results["percolation_cost"]
    print_table(
        f"Saved searches at work ({args.saved} saved searches)",
        ["measure", "value"],
        [
            ["item added -> webhook received, p50 ms", lat["p50_ms"]],
            ["item added -> webhook received, p95 ms", lat["p95_ms"]],
            ["stories delivered / items added", f"{lat['delivered']} / {lat['items']}"],
            ["percolation, ms per ingested article", cost["percolate_ms_per_article"]],
            ["ingest without NER, with / without saved searches", cost["ratio"]],
        ],
    )
    log(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
