"""Index choices measured against the shipped mapping, on the same articles in the same run.

`python -m bench.tuning [--n 100000] [--duration 15] [--levels 1,8] [--tag NAME]`

Each variant is a fresh index holding the same N generated articles (precomputed entities),
loaded through the project's bulk path and force-merged to one segment, then queried straight
at OpenSearch with bench.query's mix plus a `landing` request (empty query: newest first, every
facet and both histograms, the first page every visitor opens). A change earns its place in
`index_mappings/articles.json` or the query path only if it helps here:

* `best_compression`: `index.codec: best_compression` (stored `_source` compressed with DEFLATE
  instead of LZ4): smaller, but every hit's source is decompressed harder;
* `lean_facets`: no doc values on the `.folded` facet sub-fields (they are only filtered on,
  never aggregated or sorted) and no norms on the `.text` name sub-fields (names are short,
  length normalisation says nothing);
* `request_cache`: the baseline index with every request sent with `request_cache=true`, so
  answers with hits are kept in the shard request cache too (OpenSearch caches only `size: 0`
  answers by default). A repeating mix flatters any cache: an upper bound for repeat traffic.

The baseline sends each request as the service does: since this benchmark's first run (which
led to it) browse searches and entity pages ask for the request cache, text searches do not.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from opensearchpy import OpenSearch

from bench.common import (
    bench_settings,
    create_index,
    delete_index,
    log,
    print_table,
    ratio,
    result_name,
    running_node,
    write_results,
)
from bench.query import (
    WARMUP_S,
    Call,
    LevelResult,
    build_mix,
    direct_sender,
    load_session,
    run_level,
    search_call,
    top_values,
)
from bench.size import load, store_stats
from search.index.client import node_urls
from search.index.schema import index_body
from search.settings import Settings

#: Every tenth request of the tuning mix is the landing page.
LANDING_EVERY = 10


def _best_compression(body: dict[str, Any]) -> None:
    body["settings"]["codec"] = "best_compression"


def _lean_facets(body: dict[str, Any]) -> None:
    for field in body["mappings"]["properties"].values():
        subfields = field.get("fields", {})
        if "folded" in subfields:
            subfields["folded"]["doc_values"] = False
        if "text" in subfields:
            subfields["text"]["norms"] = False


#: Variant name -> how it changes the shipped index body (None: the body as shipped).
MAPPINGS: dict[str, Callable[[dict[str, Any]], None] | None] = {
    "baseline": None,
    "best_compression": _best_compression,
    "lean_facets": _lean_facets,
}


def variant_body(name: str) -> dict[str, Any]:
    body = copy.deepcopy(index_body())
    change = MAPPINGS[name]
    if change is not None:
        change(body)
    return body


def tuning_mix(client: OpenSearch, index: str) -> list[Call]:
    calls = build_mix(top_values(client, index))
    landing = search_call("landing", {})
    mixed: list[Call] = []
    for n, call in enumerate(calls, 1):
        mixed.append(call)
        if n % (LANDING_EVERY - 1) == 0:
            mixed.append(landing)
    return mixed


async def query_levels(
    settings: Settings,
    index: str,
    calls: Sequence[Call],
    levels: Sequence[int],
    duration_s: float,
    request_cache: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with load_session(max(levels)) as session:
        send = direct_sender(session, node_urls(settings)[0], index, request_cache=request_cache)
        for level in levels:
            await run_level(send, calls, level, WARMUP_S, "warmup")
            result: LevelResult = await run_level(send, calls, level, duration_s, "direct")
            out[str(level)] = result.summary()
    return out


def measure(
    client: OpenSearch,
    settings: Settings,
    n: int,
    seed: int,
    levels: Sequence[int],
    duration_s: float,
) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for name in MAPPINGS:
        log(f"{name}: loading {n:,} articles")
        index = create_index(client, f"tuning-{name.replace('_', '-')}", variant_body(name))
        try:
            row: dict[str, Any] = {**load(client, settings, index, n, seed)}
            row.update(store_stats(client, index))
            calls = tuning_mix(client, index)
            if not rows:  # an untimed pass: a node started moments ago runs cold at first
                asyncio.run(query_levels(settings, index, calls, levels, duration_s, False))
            row["query"] = asyncio.run(
                query_levels(settings, index, calls, levels, duration_s, request_cache=False)
            )
            rows[name] = row
            if name == "baseline":  # the cache changes how an index is searched, not the index
                log("request_cache: querying the baseline index")
                rows["request_cache"] = {
                    "same_index_as": name,
                    "query": asyncio.run(
                        query_levels(settings, index, calls, levels, duration_s, request_cache=True)
                    ),
                }
        finally:
            delete_index(client, index)
    return rows


def compare(rows: dict[str, Any], levels: Sequence[int]) -> dict[str, Any]:
    """Each variant against the baseline: size, load rate and p50 latency as ratios."""
    base = rows["baseline"]
    out: dict[str, Any] = {}
    for name, row in rows.items():
        size = row.get("bytes_per_article")
        load_rate = row.get("load_docs_per_s")
        out[name] = {
            "bytes_per_article": ratio(size, base["bytes_per_article"]) if size else None,
            "load_docs_per_s": ratio(load_rate, base["load_docs_per_s"]) if load_rate else None,
            **{
                f"p50_x{level}": ratio(
                    row["query"][str(level)]["p50_ms"], base["query"][str(level)]["p50_ms"]
                )
                for level in levels
            },
            "landing_p50_x1": ratio(
                _kind_p50(row, levels[0], "landing"), _kind_p50(base, levels[0], "landing")
            ),
        }
    return out


def _kind_p50(row: dict[str, Any], level: int, kind: str) -> float:
    return float(row["query"][str(level)]["by_kind"][kind]["p50_ms"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tuning", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=100_000, help="articles in each variant's index")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per level")
    parser.add_argument("--levels", default="1,8", help="concurrent clients, comma-separated")
    parser.add_argument("--tag", default=None, help="results go to bench/results/tuning-TAG.json")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    started = time.monotonic()
    settings = bench_settings()
    with running_node(settings) as client:
        rows = measure(client, settings, args.n, args.seed, levels, args.duration)
        ratios = compare(rows, levels)
        _print(rows, ratios, levels, args.n)
        write_results(
            result_name("tuning", args.tag),
            {
                "articles": args.n,
                "duration_per_level_s": args.duration,
                "variants": rows,
                "ratio_to_baseline": ratios,
            },
            client,
            started,
        )
    return 0


def _print(rows: dict[str, Any], ratios: dict[str, Any], levels: Sequence[int], n: int) -> None:
    print_table(
        f"Index variants, {n:,} articles, straight to OpenSearch (ms; x = ratio to baseline)",
        [
            "variant",
            "bytes/article",
            "x",
            "load docs/s",
            "x",
            *(f"p50 x{level}" for level in levels),
            *(f"x (p50 x{level})" for level in levels),
            f"landing p50 x{levels[0]}",
            "x",
        ],
        [
            [
                name,
                row.get("bytes_per_article", "-"),
                ratios[name]["bytes_per_article"] or "-",
                row.get("load_docs_per_s", "-"),
                ratios[name]["load_docs_per_s"] or "-",
                *(row["query"][str(level)]["p50_ms"] for level in levels),
                *(ratios[name][f"p50_x{level}"] for level in levels),
                _kind_p50(row, levels[0], "landing"),
                ratios[name]["landing_p50_x1"],
            ]
            for name, row in rows.items()
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
