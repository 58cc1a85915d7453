"""Index size per article and node heap at given corpus sizes; with --growth, query latency too.

`python -m bench.size [--sizes 10000] [--growth] [--duration 20] [--tag NAME]`

For each size, a generated corpus (precomputed entities) is loaded through the project's bulk
path (inside bulk_load_tuning: refresh off while loading, as a bulk import would run), then
force-merged to one segment, so the store size is the settled size rather than a snapshot of
merges in flight. Bytes per article = primary store bytes / documents. The raw NDJSON bytes
per article are given beside it, as the "raw" scale. Heap comes from _nodes/stats/jvm, for the
whole node: before loading, and after load + merge. With --growth the whole bench.query
comparison runs at each size (the mix through the API and directly at 1, 8 and 32 clients,
export, the API's memory), so latency and the API's overhead can be read against archive size.

Sizes already measured by an interrupted run (same tag) are kept and skipped: the long profile
(1M articles) can be resumed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from opensearchpy import OpenSearch

from bench.common import (
    WORK_DIR,
    bench_settings,
    bulk_load_tuning,
    create_index,
    delete_index,
    force_merge,
    jvm_heap,
    log,
    print_table,
    result_name,
    running_node,
    write_results,
)
from bench.corpus import article_docs, ensure_corpus, read_records
from bench.query import measure_index, print_report
from search.index.bulk import BulkWriter
from search.ingest.run import bulk_policy
from search.settings import Settings

GROWTH_LEVELS = (1, 8, 32)


def load(client: OpenSearch, settings: Settings, index: str, n: int, seed: int) -> dict[str, Any]:
    corpus = ensure_corpus(n, seed, with_entities=True)
    writer = BulkWriter(client, index, bulk_policy(settings))
    started = time.perf_counter()
    done = failed = 0
    with bulk_load_tuning(client, index):
        for result in writer.write(article_docs(read_records(corpus))):
            done += 1
            failed += result.outcome == "failed"
            if done % 100_000 == 0:
                rate = done / (time.perf_counter() - started)
                log(f"loaded {done:,} of {n:,} ({rate:,.0f} docs/s)")
    load_s = time.perf_counter() - started
    merge_s = force_merge(client, index)
    if failed:
        raise RuntimeError(f"{failed} of {done} documents failed to load")
    return {
        "load_seconds": round(load_s, 1),
        "load_docs_per_s": round(done / load_s, 1),
        "merge_seconds": round(merge_s, 1),
        "ndjson_bytes_per_article": round(corpus.stat().st_size / n),
    }


def store_stats(client: OpenSearch, index: str) -> dict[str, Any]:
    stats = client.indices.stats(index=index, metric="store,docs,segments")
    primaries = stats["indices"][index]["primaries"]
    docs = int(primaries["docs"]["count"])
    size = int(primaries["store"]["size_in_bytes"])
    return {
        "documents": docs,
        "store_bytes": size,
        "bytes_per_article": round(size / docs) if docs else None,
        "segments": int(primaries["segments"]["count"]),
    }


def measure(
    client: OpenSearch, settings: Settings, n: int, seed: int, growth: bool, duration: float
) -> dict[str, Any]:
    heap_before = jvm_heap(client, settings)
    index = create_index(client, f"size-{n}")
    try:
        row: dict[str, Any] = {"articles": n, **load(client, settings, index, n, seed)}
        row.update(store_stats(client, index))
        row["heap_before"] = heap_before
        row["heap_after_load"] = jvm_heap(client, settings)
        if growth:
            row["query"] = measure_index(
                settings, client, index, GROWTH_LEVELS, duration, export_repeat=1
            )
            print_report(row["query"], n)
            row["heap_after_queries"] = jvm_heap(client, settings)
    finally:
        delete_index(client, index)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.size", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="10000", help="comma-separated article counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--growth", action="store_true", help="also run the query mix per size")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per growth level")
    parser.add_argument("--tag", default=None, help="results go to bench/results/size-TAG.json")
    parser.add_argument("--fresh", action="store_true", help="ignore sizes already measured")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    name = result_name("size", args.tag)
    partial = WORK_DIR / f"{name}.partial.json"
    done: dict[str, Any] = {}
    if partial.exists() and not args.fresh:
        done = json.loads(partial.read_text(encoding="utf-8"))
        log(f"resuming: sizes already measured: {', '.join(done) or 'none'}")

    started = time.monotonic()
    settings = bench_settings()
    with running_node(settings) as client:
        for n in sizes:
            if str(n) in done:
                continue
            log(f"size {n:,}: loading")
            done[str(n)] = measure(client, settings, n, args.seed, args.growth, args.duration)
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(done, indent=2), encoding="utf-8")
        rows = [done[str(n)] for n in sizes]
        _print(rows)
        write_results(name, {"sizes": rows, "growth": args.growth}, client, started)
    partial.unlink(missing_ok=True)
    return 0


def _print(rows: list[dict[str, Any]]) -> None:
    print_table(
        "Index size and node heap (after force-merge to one segment)",
        [
            "articles",
            "bytes/article",
            "NDJSON bytes/article",
            "store MiB",
            "load docs/s",
            "heap MiB before",
            "heap MiB after",
            "after last GC MiB",
        ],
        [
            [
                f"{r['articles']:,}",
                r["bytes_per_article"],
                r["ndjson_bytes_per_article"],
                round(r["store_bytes"] / 2**20, 1),
                r["load_docs_per_s"],
                r["heap_before"]["heap_used_mib"],
                r["heap_after_load"]["heap_used_mib"],
                r["heap_after_load"]["after_last_gc_mib"],
            ]
            for r in rows
        ],
    )
    growth = [r for r in rows if "query" in r]
    if growth:
        print_table(
            "Query mix by archive size: p50 / p95 in ms, API and direct; API overhead at p50",
            [
                "articles",
                *(f"{t} x{c}" for c in GROWTH_LEVELS for t in ("api", "direct")),
                *(f"overhead x{c}" for c in GROWTH_LEVELS),
            ],
            [
                [
                    f"{r['articles']:,}",
                    *(
                        _p50_p95(r["query"]["levels"][_level_key(r, c)][t])
                        for c in GROWTH_LEVELS
                        for t in ("api", "direct")
                    ),
                    *(r["query"]["api_overhead_p50"][str(c)] for c in GROWTH_LEVELS),
                ]
                for r in growth
            ],
        )


def _level_key(row: dict[str, Any], level: int) -> Any:
    """Levels are ints when measured in this run, strings when read back from a resumed file."""
    levels = row["query"]["levels"]
    return level if level in levels else str(level)


def _p50_p95(summary: dict[str, Any]) -> str:
    return f"{summary['p50_ms']} / {summary['p95_ms']}"


if __name__ == "__main__":
    sys.exit(main())
