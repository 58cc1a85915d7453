"""Query latency and throughput through the API, beside the same bodies sent to OpenSearch.

`python -m bench.query [--n 10000] [--duration 15] [--levels 1,8,32] [--tag NAME]
[--slices N] [--copy-share 0.15] [--no-grouping] [--keep | --index NAME] [--profile-api FILE]`

A generated corpus (with precomputed entities) is bulk-loaded into a fresh index. The API runs
in its own process (uvicorn, create_app with settings from the environment) on a free loopback
port. At each concurrency level the same request mix runs for a fixed time through the API and
directly (the bodies search.query.builder builds for the very same parameters, POSTed to
`<index>/_search`). Both targets are driven by one aiohttp session that sends pre-encoded
requests and reads each answer whole without parsing it, so the client costs the same either way
and the difference is the API's: overhead = (api_p50 - direct_p50) / direct_p50. A third target,
bench.passthrough, is the same stack (uvicorn, FastAPI, opensearch-py, orjson) handing each
direct body to OpenSearch and its answer back with no work of its own: its overhead is what an
extra process and two loopback hops cost on this machine, and api - passthrough is the API's
own work (parsing, identities, snippets, facets, the response model). Export of 10k
rows is timed apart, as rows/s. The API's RSS is read before the first and after the last request.

Grouping by near-duplicate cluster: the corpus is loaded with copies (bench.corpus.with_copies,
15% of the articles by default), and at each level the same mix runs a third time through the
API with `group=duplicates` on every search. A grouped first page is one collapsed search (each
cluster's copies, outlets and dates come stored with its members, written by the ingest;
here by `summaries.summarise_all` after loading), cursor pages after it more than one request.
They are measured against the plain API searches of the same run: grouped_p50 / plain_p50.
Cursor paging with and without grouping is timed apart at one client, and the parts of a
grouped first page (collapse; the cluster count the web pages ask for) are timed straight at
OpenSearch, to say where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx
from opensearchpy import AsyncOpenSearch, OpenSearch

from bench.common import (
    WORK_DIR,
    bench_settings,
    create_index,
    delete_index,
    force_merge,
    latency_summary,
    log,
    median,
    print_table,
    process_cpu_seconds,
    process_memory,
    ratio,
    result_name,
    running_node,
    write_results,
)
from bench.corpus import (
    COPY_SHARE,
    cluster_runs,
    cluster_stats,
    ensure_corpus,
    parallel_docs,
    read_records,
    with_copies,
)
from search.duplicates.summaries import summarise_all
from search.fields import CLUSTER_ID, LANGUAGE
from search.http.params import SearchParams
from search.index.bulk import BulkWriter
from search.index.client import node_urls
from search.ingest.run import bulk_policy
from search.query import builder, grouping
from search.query.cursor import START, decode_cursor
from search.query.grouping import GROUPS_AGG
from search.query.present_languages import MAX_LANGUAGES, groups_of
from search.query.service import EXPORT_BATCH
from search.settings import Settings

#: Share of each kind of request in the mix, as slots in a repeating cycle of ten.
MIX_WEIGHTS = {"free_text": 4, "phrase": 2, "filtered": 3, "entity": 1}
FREE_TEXT = (
    "oil prices", "interest rates", "trade", "election", "bank", "shares", "government",
    "market", "film", "football", "company profit", "dollar", "wheat exports", "mobile phone",
)  # fmt: skip
PHRASES = (
    '"interest rates"', '"oil prices"', '"trade deficit"', '"central bank"',
    '"prime minister"', '"stock exchange"', '"net profit"', '"world cup"',
)  # fmt: skip
EXPORT_ROWS = 10_000
WARMUP_S = 3.0
#: The floor the API is measured against beside OpenSearch itself.
PASSTHROUGH_APP = "bench.passthrough:create_app"
#: Requests per level at most, so a fast machine still ends a level in bounded time.
MAX_REQUESTS_PER_LEVEL = 50_000
#: The kinds of the mix that are searches (and so have a grouped variant).
SEARCH_KINDS = ("free_text", "phrase", "filtered")
GROUPED = {"group": "duplicates"}
#: Pages read per cursor walk (the first is `cursor=*`), and walks per query and variant.
CURSOR_PAGES = 3
CURSOR_ROUNDS = 3


@dataclass(frozen=True)
class Call:
    """One request of the mix: the API path and parameters, and the equivalent direct body."""

    kind: str
    path: str
    params: dict[str, Any]
    body: dict[str, Any]
    #: Whether the service sends this request with request_cache=true (the twin does too).
    cached: bool = False
    #: The language groups the body names, as the API names those the index holds.
    groups: frozenset[str] | None = None

    def query_pairs(self) -> list[tuple[str, str]]:
        """The API query string as pairs: lists repeat their name, booleans are true/false."""
        pairs = []
        for name, value in self.params.items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((name, str(item).lower() if isinstance(item, bool) else str(item)))
        return pairs

    def body_bytes(self) -> bytes:
        return json.dumps(self.body).encode()


@dataclass
class LevelResult:
    target: str
    concurrency: int
    seconds: float
    latencies: list[tuple[str, float]] = field(default_factory=list)
    errors: int = 0
    api_cpu_s: float | None = None
    #: CPU of this (load-generating) process, which shares the machine's cores.
    client_cpu_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        overall = latency_summary([t for _, t in self.latencies])
        kinds = sorted({k for k, _ in self.latencies})
        per_kind = {
            kind: latency_summary([t for k, t in self.latencies if k == kind]) for kind in kinds
        }
        out: dict[str, Any] = {
            "requests": len(self.latencies),
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(len(self.latencies) / self.seconds, 1),
            **overall,
            "by_kind": per_kind,
        }
        if self.latencies:
            out["client_cpu_ms_per_request"] = round(
                self.client_cpu_s / len(self.latencies) * 1e3, 2
            )
        if self.api_cpu_s is not None and self.latencies:
            out["api_cpu_ms_per_request"] = round(self.api_cpu_s / len(self.latencies) * 1e3, 2)
        return out


def merged(parts: Sequence[LevelResult]) -> LevelResult:
    """One result from the turns one target took at one level."""
    cpu = [p.api_cpu_s for p in parts if p.api_cpu_s is not None]
    return LevelResult(
        parts[0].target,
        parts[0].concurrency,
        sum(p.seconds for p in parts),
        [latency for p in parts for latency in p.latencies],
        sum(p.errors for p in parts),
        sum(cpu) if cpu else None,
        sum(p.client_cpu_s for p in parts),
    )


def index_groups(client: OpenSearch, index: str) -> frozenset[str] | None:
    """The language groups the API's searches name on this index (present_languages)."""
    codes = {"terms": {"field": LANGUAGE, "size": MAX_LANGUAGES}}
    raw = client.search(index=index, body={"size": 0, "aggs": {"codes": codes}})
    return groups_of(raw["aggregations"]["codes"])


def top_values(client: OpenSearch, index: str) -> dict[str, list[str]]:
    """The most common values of the facets the mix filters on, read from the index itself."""
    fields = {"person": "persons", "agency": "agencies", "country": "countries", "source": "source"}
    aggs = {name: {"terms": {"field": f, "size": 10}} for name, f in fields.items()}
    raw = client.search(index=index, body={"size": 0, "aggs": aggs})
    return {name: [b["key"] for b in raw["aggregations"][name]["buckets"]] for name in fields}


def search_call(kind: str, params: dict[str, Any], groups: frozenset[str] | None = None) -> Call:
    # The API turns its query string into a SearchRequest with this very model; building the
    # direct body the same way guarantees both targets run the same OpenSearch request.
    req = SearchParams.model_validate(params).to_request()
    body = builder.build_search_body(req, groups=groups)
    cached = bool(builder.search_params(req))
    return Call(kind, "/v1/search", params, body, cached=cached, groups=groups)


def build_mix(values: dict[str, list[str]], groups: frozenset[str] | None = None) -> list[Call]:
    """The request cycle: free text, phrases, text + two facet filters + facets + highlight +
    histogram, and entity pages, interleaved by MIX_WEIGHTS."""
    by_kind: dict[str, list[Call]] = {
        "free_text": [search_call("free_text", {"q": q}, groups) for q in FREE_TEXT],
        "phrase": [search_call("phrase", {"q": q}, groups) for q in PHRASES],
        "filtered": [
            search_call(
                "filtered",
                {
                    "q": q,
                    "country": [values["country"][i % len(values["country"])]],
                    "source": [values["source"][i % len(values["source"])]],
                    "histogram": True,
                },
                groups,
            )
            for i, q in enumerate(FREE_TEXT)
        ],
        "entity": [
            Call(
                "entity",
                f"/v1/entities/{facet}/{quote(name, safe='')}",
                {},
                builder.build_entity_body(facet, name),
                cached=True,  # as search.query.service.entity_page sends it
            )
            for facet, names in (("person", values["person"]), ("agency", values["agency"]))
            for name in names
        ],
    }
    cycle = [kind for kind, weight in MIX_WEIGHTS.items() for _ in range(weight)]
    counters = {kind: itertools.count() for kind in by_kind}
    calls = []
    for _ in range(max(len(c) for c in by_kind.values()) * len(cycle)):
        for kind in cycle:
            options = by_kind[kind]
            calls.append(options[next(counters[kind]) % len(options)])
    return calls


def grouped_call(call: Call) -> Call:
    """The same search with group=duplicates (a first page is the one collapsed search the
    service sends; never sent as a direct twin, as later pages differ)."""
    return search_call(call.kind, {**call.params, **GROUPED}, call.groups)


def variant_mix(calls: Sequence[Call], change: Callable[[Call], Call]) -> list[Call]:
    """The cycle with every search changed by `change` (once per distinct call, so the cycle
    keeps its distinct requests) and every other call as it was."""
    changed: dict[int, Call] = {}
    out = []
    for call in calls:
        if call.kind not in SEARCH_KINDS:
            out.append(call)
            continue
        if id(call) not in changed:
            changed[id(call)] = change(call)
        out.append(changed[id(call)])
    return out


Sender = Callable[[Call], Awaitable[bool]]


async def run_level(
    send: Sender, calls: Sequence[Call], concurrency: int, duration_s: float, target: str
) -> LevelResult:
    """`concurrency` clients, each sending the next call of the cycle until time is up."""
    result = LevelResult(target, concurrency, 0.0)
    counter = itertools.count()
    deadline = time.perf_counter() + duration_s

    async def client() -> None:
        while time.perf_counter() < deadline:
            n = next(counter)
            if n >= MAX_REQUESTS_PER_LEVEL:
                return
            call = calls[n % len(calls)]
            started = time.perf_counter()
            ok = await send(call)
            if ok:
                result.latencies.append((call.kind, time.perf_counter() - started))
            else:
                result.errors += 1

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    result.client_cpu_s = time.process_time() - cpu
    return result


async def _fetch(session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> bool:
    try:
        async with session.request(method, url, **kwargs) as response:
            await response.read()
            if response.status != 200:
                log(f"{method} {url}: HTTP {response.status}")
            return response.status == 200
    except aiohttp.ClientError as exc:  # a failed request counts as an error, not a crash
        log(f"{method} {url} failed: {exc}")
        return False


def api_sender(session: aiohttp.ClientSession, base_url: str) -> Sender:
    encoded: dict[int, tuple[str, list[tuple[str, str]]]] = {}

    async def send(call: Call) -> bool:
        if id(call) not in encoded:  # encode once: the load generator's own cost stays small
            encoded[id(call)] = (f"{base_url}{call.path}", call.query_pairs())
        url, pairs = encoded[id(call)]
        return await _fetch(session, "GET", url, params=pairs)

    return send


def direct_sender(
    session: aiohttp.ClientSession,
    node_url: str,
    index: str,
    *,
    request_cache: bool = False,
) -> Sender:
    """Each call's body to `<index>/_search`, with the query string the service would add;
    `request_cache` forces the cache on for every call (bench.tuning's upper bound)."""
    url = f"{node_url.rstrip('/')}/{index}/_search"
    return body_sender(session, url, request_cache=request_cache)


def body_sender(session: aiohttp.ClientSession, url: str, *, request_cache: bool = False) -> Sender:
    """Each call's body POSTed to `url`: OpenSearch's `_search`, or the passthrough's."""
    cached_url = f"{url}?request_cache=true"
    headers = {"Content-Type": "application/json"}
    encoded: dict[int, bytes] = {}

    async def send(call: Call) -> bool:
        if id(call) not in encoded:
            encoded[id(call)] = call.body_bytes()
        target = cached_url if call.cached or request_cache else url
        return await _fetch(session, "POST", target, data=encoded[id(call)], headers=headers)

    return send


@asynccontextmanager
async def load_session(concurrency: int) -> AsyncIterator[aiohttp.ClientSession]:
    """The load generator's one HTTP client, with a connection per concurrent client.

    It asks for no compression: aiohttp offers gzip by default, which OpenSearch honours and
    the API (whose OpenSearch client never offers it) does not, so the direct ceiling was
    compressed at the node and inflated here and the API looked up to 12% faster than it."""
    connector = aiohttp.TCPConnector(limit=max(concurrency, 10))
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, skip_auto_headers=("Accept-Encoding",)
    ) as session:
        yield session


# --- the API process -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ApiProcess:
    """uvicorn serving create_app(Settings()) in a child process, configured through NEWSROOM_*."""

    def __init__(
        self,
        settings: Settings,
        index: str,
        *,
        profile: Path | None = None,
        app: str = "search.app:create_app",
        health: str = "/v1/health",
    ) -> None:
        self.profile = profile
        self.health = health
        self.profiler: subprocess.Popen[bytes] | None = None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "NEWSROOM_OPENSEARCH_URL": settings.opensearch_url,
            "NEWSROOM_INDEX": index,
            # The limiter is per client address, and every benchmark client is 127.0.0.1.
            "NEWSROOM_RATE_LIMIT_PER_MINUTE": "100000000",
            "NEWSROOM_EXPORT_MAX_ROWS": str(EXPORT_ROWS),
            # Cursor walks leave their point in time to the benchmark, which closes it at the
            # node at once; the API's ledger would count it until its keep-alive ran out.
            "NEWSROOM_CURSORS_PER_CLIENT": "100000",
            "NEWSROOM_CURSORS_TOTAL": "100000",
        }
        command = [
            sys.executable, "-m", "uvicorn", app, "--factory",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env)

    def wait_ready(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API exited with code {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}{self.health}", timeout=2).status_code == 200:
                    self._start_profiler()
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.url} did not answer {self.health} within {timeout_s:.0f}s")

    def _start_profiler(self) -> None:
        """py-spy sampling the API process from now until stop(), as collapsed stacks (one line
        per stack with its sample count: `grep`, or any flame graph tool, reads them)."""
        if self.profile is None:
            return
        command = [
            str(Path(sys.executable).with_name("py-spy")), "record", "--pid",
            str(self.process.pid), "--rate", "200", "--format", "raw", "--output",
            str(self.profile), "--nonblocking",
        ]  # fmt: skip
        self.profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.profiler is not None:
            self.profiler.send_signal(signal.SIGINT)
            self.profiler.wait(timeout=60)
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


# --- export --------------------------------------------------------------------------------------


async def export_api(session: aiohttp.ClientSession, base_url: str) -> int:
    rows = 0
    params = {"format": "ndjson"}
    async with session.get(f"{base_url}/v1/search/export", params=params) as response:
        response.raise_for_status()
        async for line in response.content:
            rows += bool(line.strip())
    return rows


async def export_direct(client: AsyncOpenSearch, index: str, batch: int) -> int:
    """What the service does, minus the service: a point in time and search_after pages."""
    req = SearchParams.model_validate({}).to_request()
    opened = await client.create_pit(index=index, params={"keep_alive": builder.PIT_KEEP_ALIVE})
    pit_id = opened["pit_id"]
    rows, after = 0, None
    try:
        while rows < EXPORT_ROWS:
            size = min(batch, EXPORT_ROWS - rows)
            raw = await client.search(body=builder.build_export_body(req, pit_id, after, size))
            hits = raw["hits"]["hits"]
            pit_id = raw.get("pit_id", pit_id)
            rows += len(hits)
            if len(hits) < size:
                break
            after = hits[-1]["sort"]
    finally:
        await client.delete_pit(body={"pit_id": [pit_id]})
    return rows


async def measure_export(
    session: aiohttp.ClientSession,
    base_url: str,
    client: AsyncOpenSearch,
    index: str,
    repeat: int,
) -> dict[str, Any]:
    targets: dict[str, Callable[[], Awaitable[int]]] = {
        "api": lambda: export_api(session, base_url),
        "direct": lambda: export_direct(client, index, EXPORT_BATCH),
        f"direct_batch_{builder.MAX_EXPORT_BATCH}": lambda: export_direct(
            client, index, builder.MAX_EXPORT_BATCH
        ),
    }
    for run in targets.values():  # untimed: whichever went first would read a cold index
        await run()
    timings: dict[str, list[tuple[int, float]]] = {name: [] for name in targets}
    for round_ in range(repeat):
        names = list(targets) if round_ % 2 == 0 else list(reversed(targets))
        for name in names:
            run = targets[name]
            started = time.perf_counter()
            rows = await run()
            timings[name].append((rows, time.perf_counter() - started))
    out: dict[str, Any] = {}
    for name, runs in timings.items():
        out[name] = {
            "rows": runs[-1][0],
            "seconds": round(median([s for _, s in runs]), 3),
            "rows_per_s": round(median([r / s for r, s in runs])),
        }
    out["ratio_api_to_direct"] = ratio(out["api"]["rows_per_s"], out["direct"]["rows_per_s"])
    return out


# --- grouping ----------------------------------------------------------------------------------


async def cursor_walk(
    session: aiohttp.ClientSession, base_url: str, node_url: str, call: Call
) -> list[float]:
    """Seconds per page of one cursor walk through the API (`cursor=*`, then `next_cursor`),
    CURSOR_PAGES pages at most. Its point in time is closed at the node afterwards, unless the
    walk reached the last page (the API closes it then)."""
    pairs = call.query_pairs()
    cursor, seconds = START, []
    for _ in range(CURSOR_PAGES):
        started = time.perf_counter()
        async with session.get(f"{base_url}/v1/search", params=[*pairs, ("cursor", cursor)]) as r:
            raw = await r.read()
            if r.status != 200:
                raise RuntimeError(f"cursor page of {call.params}: HTTP {r.status} {raw[:300]!r}")
        seconds.append(time.perf_counter() - started)
        following = json.loads(raw).get("next_cursor")
        if following is None:
            return seconds
        cursor = following
    req = SearchParams.model_validate(call.params).to_request()
    pit_id = decode_cursor(cursor, req).pit_id
    url = f"{node_url.rstrip('/')}/_search/point_in_time"
    async with session.delete(url, json={"pit_id": [pit_id]}) as response:
        await response.read()
        if response.status != 200:
            log(f"could not close the point in time of a cursor walk: HTTP {response.status}")
    return seconds


async def measure_cursor_paging(
    session: aiohttp.ClientSession, base_url: str, node_url: str, calls: Sequence[Call]
) -> dict[str, Any]:
    """Cursor walks of the free-text searches with and without grouping, one client, in
    alternating order after one untimed walk each: p50 of first pages and of later pages.
    A later grouped page reads the plain order in batches and asks which hits stand for their
    clusters (a request per batch), then the copies."""
    plain = list({id(c): c for c in calls if c.kind == "free_text"}.values())
    variants = {"plain": plain, "grouped": [grouped_call(c) for c in plain]}
    for walks in variants.values():
        for call in walks:
            await cursor_walk(session, base_url, node_url, call)
    first: dict[str, list[float]] = {name: [] for name in variants}
    later: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(CURSOR_ROUNDS):
        names = list(variants) if round_ % 2 == 0 else list(reversed(variants))
        for n in range(len(plain)):
            for name in names:
                pages = await cursor_walk(session, base_url, node_url, variants[name][n])
                first[name].append(pages[0])
                later[name].extend(pages[1:])
    out: dict[str, Any] = {"queries": len(plain), "pages_per_walk": CURSOR_PAGES}
    for name in variants:
        out[name] = {
            "first_page": latency_summary(first[name]),
            "later_pages": latency_summary(later[name]),
        }
    for page in ("first_page", "later_pages"):
        out[f"grouped_to_plain_p50_{page}"] = ratio(
            out["grouped"][page]["p50_ms"], out["plain"][page]["p50_ms"]
        )
    return out


def breakdown_variants(searches: Sequence[Call]) -> dict[str, dict[int, Call]]:
    """Each search's body as each part of a grouped first page (keyed by the plain call's id):
    collapse alone, the cluster count alone, the page the service sends, and that page with
    the cluster count the web pages ask for (`count_groups`)."""
    out: dict[str, dict[int, Call]] = {
        name: {} for name in ("plain", "collapse", "count", "page", "page_counted")
    }
    for call in searches:
        page = grouped_call(call)
        counted = search_call(
            call.kind, {**call.params, **GROUPED, "count_groups": True}, call.groups
        )
        count = counted.body["aggs"][GROUPS_AGG]
        bodies = {
            "plain": call.body,
            "collapse": {**call.body, "collapse": grouping.collapse()},
            "count": {**call.body, "aggs": {**call.body.get("aggs", {}), GROUPS_AGG: count}},
            "page": page.body,
            "page_counted": counted.body,
        }
        for name, body in bodies.items():
            out[name][id(call)] = Call(call.kind, "", {}, body)
    return out


async def grouping_breakdown(
    session: aiohttp.ClientSession,
    node_url: str,
    index: str,
    calls: Sequence[Call],
    duration_s: float,
    slices: int = 1,
) -> dict[str, Any]:
    """Where a grouped first page spends its time inside OpenSearch: the parts of it sent
    straight to the node at one client, each in the mix's own cycle of searches (in turns, as
    `run_all` takes them), as p50 and as a ratio to the plain search."""
    searches = [c for c in calls if c.kind in SEARCH_KINDS]
    distinct = list({id(c): c for c in searches}.values())
    variants = breakdown_variants(distinct)
    send = direct_sender(session, node_url, index)
    runs: list[tuple[str, Sender, list[Call]]] = [
        (name, send, [bodies[id(c)] for c in searches]) for name, bodies in variants.items()
    ]
    for _, sender, cycle in runs:
        await run_level(sender, cycle, 1, WARMUP_S / 2, "warmup")
    parts: dict[str, list[LevelResult]] = {name: [] for name, _, _ in runs}
    for turn in range(slices):
        for name, sender, cycle in runs if turn % 2 == 0 else runs[::-1]:
            parts[name].append(await run_level(sender, cycle, 1, duration_s / slices, name))
    out: dict[str, Any] = {}
    for name, _, _ in runs:
        result = merged(parts[name])
        out[name] = {**latency_summary([t for _, t in result.latencies]), "errors": result.errors}
        log(f"grouping part {name:>16}: p50 {out[name]['p50_ms']} ms")
    plain = out["plain"]["p50_ms"]
    for row in out.values():
        row["to_plain_p50"] = ratio(row["p50_ms"], plain)
    return out


# --- the run -------------------------------------------------------------------------------------


def load_corpus(
    client: OpenSearch, settings: Settings, n: int, seed: int, copy_share: float = COPY_SHARE
) -> tuple[str, float, dict[str, Any]]:
    """A fresh index holding N generated articles, `copy_share` of them near-copies in
    clusters, every one labelled with its `cluster_id`; loaded through the project's bulk
    path and merged down, so every run queries the same segment layout. Also says what the
    clusters are, and checks that the index holds as many cluster ids as were made."""
    corpus = ensure_corpus(n, seed, with_entities=True)
    runs = cluster_runs(n, seed, copy_share)
    index = create_index(client, "query")
    started = time.perf_counter()
    try:
        writer = BulkWriter(client, index, bulk_policy(settings))
        docs = parallel_docs(with_copies(read_records(corpus), runs, seed))
        failed = sum(r.outcome == "failed" for r in writer.write(docs))
        client.indices.refresh(index=index)
        summarise_all(client, index)
        force_merge(client, index)
        seconds = time.perf_counter() - started
        if failed:
            raise RuntimeError(f"{failed} documents failed to load")
        clusters = {"copy_share": copy_share, **cluster_stats(runs)}
        clusters["distinct_cluster_ids_indexed"] = found = distinct_clusters(client, index)
        if abs(found - clusters["distinct_cluster_ids"]) > 0.01 * clusters["distinct_cluster_ids"]:
            raise RuntimeError(f"{found:,} cluster ids in the index; the corpus made {clusters}")
    except BaseException:
        delete_index(client, index)
        raise
    return index, seconds, clusters


def _kept_path(index: str) -> Path:
    return WORK_DIR / f"{index}.load.json"


def keep_index(index: str, load_s: float, clusters: dict[str, Any]) -> None:
    """Remember how a kept index was loaded, for later runs with --index."""
    record = {"index": index, "load_seconds": load_s, "clusters": clusters}
    _kept_path(index).write_text(json.dumps(record), encoding="utf-8")
    log(f"kept {index}: measure it again with --index {index}")


def kept_index(index: str) -> tuple[str, float, dict[str, Any]]:
    record = json.loads(_kept_path(index).read_text(encoding="utf-8"))
    return index, float(record["load_seconds"]), dict(record["clusters"])


def distinct_clusters(client: OpenSearch, index: str) -> int:
    """Cluster ids in the index (exact below 40,000, within a few percent above)."""
    distinct = {"cardinality": {"field": CLUSTER_ID, "precision_threshold": 40_000}}
    raw = client.search(index=index, body={"size": 0, "aggs": {"ids": distinct}})
    return int(raw["aggregations"]["ids"]["value"])


@asynccontextmanager
async def direct_client(settings: Settings, pool: int) -> AsyncIterator[AsyncOpenSearch]:
    """AsyncOpenSearch with a pool as large as the concurrency: the ceiling, not the API's pool."""
    client = AsyncOpenSearch(
        hosts=node_urls(settings), timeout=60, maxsize=max(pool, 10), max_retries=0
    )
    try:
        yield client
    finally:
        await client.close()


@dataclass
class RunOutput:
    """What `run_all` measured, beside the per-level results."""

    export: dict[str, Any]
    memory: dict[str, Any]
    cpu_by_kind: dict[str, float]
    grouping: dict[str, Any] = field(default_factory=dict)


async def run_all(
    settings: Settings,
    index: str,
    api: ApiProcess,
    passthrough: ApiProcess,
    calls: Sequence[Call],
    levels: Sequence[int],
    duration_s: float,
    export_repeat: int,
    grouped: bool = False,
    slices: int = 1,
) -> tuple[list[LevelResult], RunOutput]:
    """Each level through the API, through the passthrough (bench.passthrough: the stack
    without the API's work), directly, and (with `grouped`) through the API grouped, in an
    order that alternates by level and always keeps the two API runs side by side.
    With `slices` > 1 each target's time is cut into that many turns taken in alternation,
    so that load from elsewhere on a shared machine falls on every target alike."""
    pid = api.process.pid
    pids = {"api": pid, "grouped": pid, "passthrough": passthrough.process.pid}
    memory = {"start": process_memory(pid)}
    results: list[LevelResult] = []
    node_url = node_urls(settings)[0]
    grouped_calls = variant_mix(calls, grouped_call) if grouped else []
    async with (
        load_session(max(levels)) as session,
        direct_client(settings, max(levels)) as client,
    ):
        send_api = api_sender(session, api.url)
        send_direct = direct_sender(session, node_url, index)
        send_passthrough = body_sender(session, f"{passthrough.url}/_search")
        distinct = list({id(c): c for c in calls}.values())
        distinct_grouped = [
            c for c in {id(c): c for c in grouped_calls}.values() if c.kind in SEARCH_KINDS
        ]
        for _ in range(2):  # every distinct request twice each way: caches and JIT warm for both
            for call in distinct:
                await send_direct(call)
                await send_passthrough(call)
                await send_api(call)
            for call in distinct_grouped:
                await send_api(call)
        targets: list[tuple[str, Sender, Sequence[Call]]] = [
            ("api", send_api, calls),
            *([("grouped", send_api, grouped_calls)] if grouped else []),
            ("passthrough", send_passthrough, calls),
            ("direct", send_direct, calls),
        ]
        for n, level in enumerate(levels):
            order = targets if n % 2 == 0 else targets[::-1]
            parts: dict[str, list[LevelResult]] = {target: [] for target, _, _ in targets}
            for slice_ in range(slices):
                for target, send, cycle in order if slice_ % 2 == 0 else order[::-1]:
                    if slice_ == 0:
                        await run_level(send, cycle, level, WARMUP_S, "warmup")
                    served_by = pids.get(target)
                    cpu = process_cpu_seconds(served_by) if served_by else 0.0
                    part = await run_level(send, cycle, level, duration_s / slices, target)
                    if served_by:
                        part.api_cpu_s = process_cpu_seconds(served_by) - cpu
                    parts[target].append(part)
            for target, _, _ in order:
                result = merged(parts[target])
                results.append(result)
                summary = result.summary()
                log(
                    f"{target:>6} x{level:<2}: p50 {summary['p50_ms']} ms, "
                    f"p95 {summary['p95_ms']} ms, {summary['requests_per_s']} req/s"
                )
        memory["after_mix"] = process_memory(pid)
        cpu_by_kind = await api_cpu_by_kind(send_api, distinct, pid)
        grouping_out: dict[str, Any] = {}
        if grouped:
            grouping_out["api_cpu_ms_by_kind"] = await api_cpu_by_kind(
                send_api, distinct_grouped, pid
            )
            grouping_out["cursor_paging"] = await measure_cursor_paging(
                session, api.url, node_url, calls
            )
            log(
                "cursor pages, grouped / plain p50: first "
                f"{grouping_out['cursor_paging']['grouped_to_plain_p50_first_page']}, later "
                f"{grouping_out['cursor_paging']['grouped_to_plain_p50_later_pages']}"
            )
            grouping_out["parts_direct_1_client"] = await grouping_breakdown(
                session, node_url, index, calls, duration_s, slices
            )
        export = await measure_export(session, api.url, client, index, export_repeat)
    memory["end"] = process_memory(pid)
    return results, RunOutput(export, memory, cpu_by_kind, grouping_out)


async def api_cpu_by_kind(send: Sender, distinct: Sequence[Call], pid: int) -> dict[str, float]:
    """CPU milliseconds the API process spends per request of each kind (one client, so
    nothing else runs in it meanwhile): where its overhead comes from."""
    out = {}
    for kind in MIX_WEIGHTS:
        calls = [c for c in distinct if c.kind == kind]
        if not calls:
            continue
        rounds = max(1, 60 // len(calls))
        cpu = process_cpu_seconds(pid)
        for _ in range(rounds):
            for call in calls:
                await send(call)
        out[kind] = round((process_cpu_seconds(pid) - cpu) / (rounds * len(calls)) * 1e3, 2)
    return out


def measure_index(
    settings: Settings,
    client: OpenSearch,
    index: str,
    levels: Sequence[int],
    duration_s: float,
    export_repeat: int,
    grouped: bool = False,
    slices: int = 1,
    profile: Path | None = None,
) -> dict[str, Any]:
    """The whole comparison on a loaded index: the mix at each level through a fresh API process
    and directly, export, the API's memory and its CPU per kind of request. With `grouped`
    (the index must carry cluster_id) also the mix grouped through the API, cursor paging
    grouped and plain, and the parts of a grouped page timed straight at OpenSearch."""
    values = top_values(client, index)
    calls = build_mix(values, index_groups(client, index))
    api = ApiProcess(settings, index, profile=profile)
    passthrough = ApiProcess(settings, index, app=PASSTHROUGH_APP, health="/health")
    try:
        api.wait_ready()
        passthrough.wait_ready()
        results, out = asyncio.run(
            run_all(
                settings,
                index,
                api,
                passthrough,
                calls,
                levels,
                duration_s,
                export_repeat,
                grouped,
                slices,
            )
        )
    finally:
        api.stop()
        passthrough.stop()
    report = _report(results, levels)
    measured: dict[str, Any] = {
        "duration_per_level_s": duration_s,
        "slices_per_level": slices,
        "mix_weights": MIX_WEIGHTS,
        "filter_values": values,
        "levels": report,
        "api_overhead_p50": {str(k): v["api_overhead_p50"] for k, v in report.items()},
        "passthrough_overhead_p50": {
            str(k): v["passthrough_overhead_p50"] for k, v in report.items()
        },
        "export": out.export,
        "api_memory_mib": out.memory,
        "api_cpu_ms_by_kind": out.cpu_by_kind,
    }
    if grouped:
        measured["grouped_to_plain_p50"] = {
            str(k): v["grouped_to_plain_p50"] for k, v in report.items()
        }
        measured["grouping"] = out.grouping
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.query", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=10_000, help="articles in the index")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per level and target")
    parser.add_argument("--levels", default="1,8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--export-repeat", type=int, default=3)
    parser.add_argument("--tag", default=None, help="results go to bench/results/query-TAG.json")
    parser.add_argument(
        "--copy-share",
        type=float,
        default=COPY_SHARE,
        help="share of the articles that are near-copies in clusters of 2-10",
    )
    parser.add_argument(
        "--no-grouping", action="store_true", help="skip the grouped searches (group=duplicates)"
    )
    parser.add_argument(
        "--index",
        default=None,
        help="measure this index, loaded by an earlier run with --keep (not deleted after)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the loaded index for --index")
    parser.add_argument(
        "--slices",
        type=int,
        default=1,
        help="cut each target's time per level into this many alternating turns",
    )
    parser.add_argument(
        "--profile-api",
        type=Path,
        default=None,
        help="sample the API process with py-spy into this file (collapsed stacks)",
    )
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]

    started = time.monotonic()
    settings = bench_settings()
    with running_node(settings) as client:
        if args.index:
            index, load_s, clusters = kept_index(args.index)
        else:
            index, load_s, clusters = load_corpus(
                client, settings, args.n, args.seed, args.copy_share
            )
            if args.keep:
                keep_index(index, load_s, clusters)
        try:
            count = int(client.count(index=index)["count"])
            log(
                f"{count:,} articles loaded in {load_s:.1f}s into {index}: {clusters['copies']:,} "
                f"copies in {clusters['clusters']:,} clusters"
            )
            measured = measure_index(
                settings,
                client,
                index,
                levels,
                args.duration,
                args.export_repeat,
                grouped=not args.no_grouping,
                slices=args.slices,
                profile=args.profile_api,
            )
        finally:
            if not (args.index or args.keep):
                delete_index(client, index)
        print_report(measured, count)
        write_results(
            result_name("query", args.tag),
            {
                "articles": count,
                "load_seconds": round(load_s, 1),
                "clusters": clusters,
                **measured,
            },
            client,
            started,
        )
    return 0


def _report(results: list[LevelResult], levels: Sequence[int]) -> dict[int, dict[str, Any]]:
    report: dict[int, dict[str, Any]] = {}
    for level in levels:
        api = next(r for r in results if r.target == "api" and r.concurrency == level).summary()
        direct = next(r for r in results if r.target == "direct" and r.concurrency == level)
        direct_summary = direct.summary()
        floor = next(r for r in results if r.target == "passthrough" and r.concurrency == level)
        floor_summary = floor.summary()
        report[level] = {
            "api": api,
            "passthrough": floor_summary,
            "direct": direct_summary,
            # What the stack alone adds to a direct search, and what the API's work adds to it.
            "passthrough_overhead_p50": round(
                (floor_summary["p50_ms"] - direct_summary["p50_ms"]) / direct_summary["p50_ms"], 3
            ),
            "api_work_p50_ms": round(api["p50_ms"] - floor_summary["p50_ms"], 2),
            "api_overhead_p50": round(
                (api["p50_ms"] - direct_summary["p50_ms"]) / direct_summary["p50_ms"], 3
            ),
            "api_overhead_p50_ms": round(api["p50_ms"] - direct_summary["p50_ms"], 2),
            "api_overhead_p50_by_kind": {
                kind: round(
                    (row["p50_ms"] - direct_summary["by_kind"][kind]["p50_ms"])
                    / direct_summary["by_kind"][kind]["p50_ms"],
                    3,
                )
                for kind, row in api["by_kind"].items()
                if kind in direct_summary["by_kind"]
            },
            "throughput_ratio": ratio(api["requests_per_s"], direct_summary["requests_per_s"]),
        }
        grouped = [r for r in results if r.target == "grouped" and r.concurrency == level]
        if grouped:
            plain = next(r for r in results if r.target == "api" and r.concurrency == level)
            report[level]["grouped"] = grouped[0].summary()
            report[level].update(grouped_ratios(plain.latencies, grouped[0].latencies))
    return report


def grouped_ratios(
    plain: Sequence[tuple[str, float]], grouped: Sequence[tuple[str, float]]
) -> dict[str, Any]:
    """grouped_p50 / plain_p50 over the searches of the mix (entity pages, the same in both
    runs, left out), and per kind of search."""

    def p50(latencies: Sequence[tuple[str, float]], kinds: Sequence[str]) -> float:
        return latency_summary([t for k, t in latencies if k in kinds])["p50_ms"]

    plain_p50, grouped_p50 = p50(plain, SEARCH_KINDS), p50(grouped, SEARCH_KINDS)
    return {
        "plain_search_p50_ms": plain_p50,
        "grouped_search_p50_ms": grouped_p50,
        "grouped_to_plain_p50": ratio(grouped_p50, plain_p50),
        "grouped_to_plain_p50_by_kind": {
            kind: ratio(p50(grouped, (kind,)), p50(plain, (kind,)))
            for kind in SEARCH_KINDS
            if any(k == kind for k, _ in plain)
        },
    }


def print_report(measured: dict[str, Any], count: int) -> None:
    report: dict[int, dict[str, Any]] = measured["levels"]
    export, memory = measured["export"], measured["api_memory_mib"]
    cpu_by_kind, duration = measured["api_cpu_ms_by_kind"], measured["duration_per_level_s"]
    rows = []
    for level, row in report.items():
        for target in ("api", "grouped", "passthrough", "direct"):
            if target not in row:
                continue
            s = row[target]
            over = {"api": "api_overhead_p50", "passthrough": "passthrough_overhead_p50"}
            rows.append(
                [
                    f"{target} x{level}",
                    s["p50_ms"],
                    s["p95_ms"],
                    s["p99_ms"],
                    s["requests_per_s"],
                    s["errors"],
                    row[over[target]] if target in over else float("nan"),
                    s.get("api_cpu_ms_per_request", float("nan")),
                    s["client_cpu_ms_per_request"],
                ]
            )
    print_table(
        f"Query mix over {count:,} articles, {duration:.0f}s per level (latency in ms)",
        [
            "target x clients",
            "p50",
            "p95",
            "p99",
            "req/s",
            "errors",
            "overhead p50",
            "server CPU ms/req",
            "client CPU ms/req",
        ],
        rows,
    )
    kinds = sorted(report[next(iter(report))]["api"]["by_kind"])
    first = report[next(iter(report))]
    print_table(
        f"p50 by kind at {next(iter(report))} client(s) (ms)",
        ["kind", "api", "passthrough", "direct", "API overhead"],
        [
            [
                k,
                first["api"]["by_kind"][k]["p50_ms"],
                first["passthrough"]["by_kind"][k]["p50_ms"],
                first["direct"]["by_kind"][k]["p50_ms"],
                first["api_overhead_p50_by_kind"].get(k, float("nan")),
            ]
            for k in kinds
        ],
    )
    print_table(
        f"Export of {EXPORT_ROWS:,} rows",
        ["target", "rows", "seconds", "rows/s"],
        [
            [name, r["rows"], r["seconds"], r["rows_per_s"]]
            for name, r in export.items()
            if isinstance(r, dict)
        ],
    )
    start, end = memory["start"], memory["end"]
    print(f"API RSS: {start.get('rss_mib')} MiB at start, {end.get('rss_mib')} MiB at end")
    print(f"API CPU per request (ms) by kind: {cpu_by_kind}")
    if "grouping" in measured:
        print_grouping(measured)


def print_grouping(measured: dict[str, Any]) -> None:
    """The grouping figures: grouped against plain searches, cursor pages, and the parts."""
    report: dict[int, dict[str, Any]] = measured["levels"]
    grouping_out = measured["grouping"]
    print_table(
        "Searches grouped by cluster (group=duplicates) against the same searches plain, "
        "both through the API (p50 ms; entity pages left out)",
        ["clients", "plain", "grouped", "grouped / plain", *SEARCH_KINDS],
        [
            [
                f"x{level}",
                row["plain_search_p50_ms"],
                row["grouped_search_p50_ms"],
                row["grouped_to_plain_p50"],
                *(row["grouped_to_plain_p50_by_kind"].get(k, float("nan")) for k in SEARCH_KINDS),
            ]
            for level, row in report.items()
        ],
    )
    cursor = grouping_out["cursor_paging"]
    print_table(
        f"Cursor walks of {cursor['pages_per_walk']} pages through the API, 1 client (p50 ms)",
        ["page", "plain", "grouped", "grouped / plain"],
        [
            [
                page.replace("_", " "),
                cursor["plain"][page]["p50_ms"],
                cursor["grouped"][page]["p50_ms"],
                cursor[f"grouped_to_plain_p50_{page}"],
            ]
            for page in ("first_page", "later_pages")
        ],
    )
    parts = grouping_out["parts_direct_1_client"]
    print_table(
        "Parts of a grouped first page, straight to OpenSearch, 1 client (ms)",
        ["request", "p50", "p95", "p50 / plain search"],
        [[name, r["p50_ms"], r["p95_ms"], r["to_plain_p50"]] for name, r in parts.items()],
    )
    print(f"API CPU per grouped request (ms) by kind: {grouping_out['api_cpu_ms_by_kind']}")


if __name__ == "__main__":
    sys.exit(main())
