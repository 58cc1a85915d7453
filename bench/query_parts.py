"""Where a search's time goes inside OpenSearch, and what each candidate change saves.

`python -m bench.query_parts --index NAME [--duration 10] [--levels 1,8] [--tag NAME]`

Runs on an index kept by `bench.query --keep`. The searches of the query mix (free text,
phrases, filtered with histogram) are sent straight to the node as the API builds them, then
again with one part taken away (highlight, facets, histogram, the exact total) or with one
candidate change (`CANDIDATES`). Each variant runs the mix's own cycle of searches for the same
time at each level, in alternating turns; its p50/p95 is reported as a ratio to the full search
of the same run. A part's share of the time is what leaving it out saves; a candidate is
adopted in the builder only where it saves at 8 clients, the level the query bar is set at.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.common import (
    bench_settings,
    latency_summary,
    log,
    print_table,
    ratio,
    result_name,
    running_node,
    write_results,
)
from bench.query import (
    SEARCH_KINDS,
    WARMUP_S,
    Call,
    LevelResult,
    build_mix,
    direct_sender,
    index_groups,
    load_session,
    merged,
    run_level,
    top_values,
)
from search.index.client import node_urls
from search.query.facets import FACETS
from search.query.sampling import unsampled

Change = Callable[[dict[str, Any]], dict[str, Any]]


def _without(*names: str) -> Change:
    def change(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k not in names}

    return change


def _aggs_where(keep: Callable[[str], bool]) -> Change:
    def change(body: dict[str, Any]) -> dict[str, Any]:
        aggs = {k: v for k, v in body.get("aggs", {}).items() if keep(k)}
        out = {k: v for k, v in body.items() if k != "aggs"}
        return {**out, "aggs": aggs} if aggs else out

    return change


def _facet_aggs(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every terms aggregation of the facets, wherever it sits in the tree."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "terms" in node and isinstance(node["terms"], dict) and "field" in node["terms"]:
                found.append(node["terms"])
            for value in node.values():
                walk(value)

    walk(body.get("aggs", {}))
    return found


def _hint(hint: str) -> Change:
    def change(body: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(body)
        for terms in _facet_aggs(out):
            terms["execution_hint"] = hint
        return out

    return change


def _sampled(shard_size: int) -> Change:
    """Facet aggregations counted over the best `shard_size` matches only."""

    def change(body: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(body)
        aggs = out.get("aggs", {})
        facets = {k: v for k, v in aggs.items() if k.startswith("facet_")}
        rest = {k: v for k, v in aggs.items() if k not in facets}
        if facets:
            rest["sample"] = {"sampler": {"shard_size": shard_size}, "aggs": facets}
        out["aggs"] = rest
        return out

    return change


def _unsampled(body: dict[str, Any]) -> dict[str, Any]:
    """Facets counted over every match, as before search.query.sampling."""
    return {**body, "aggs": unsampled(body["aggs"])} if "aggs" in body else body


def _total_up_to(limit: int) -> Change:
    def change(body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "track_total_hits": limit}

    return change


def _is_facet(name: str) -> bool:
    return name.startswith("facet_")


#: Parts taken away, one at a time: what each costs.
PARTS: dict[str, Change] = {
    "no_highlight": _without("highlight"),
    "no_facets": _aggs_where(lambda name: not _is_facet(name)),
    "no_histogram": _aggs_where(_is_facet),
    "no_aggs": _without("aggs"),
    "total_up_to_10k": _total_up_to(10_000),
    "hits_only": lambda body: _total_up_to(10_000)(_without("aggs", "highlight")(body)),
}
#: Changes that keep the answer (or mark it approximate), candidates for the builder.
CANDIDATES: dict[str, Change] = {
    "unsampled": _unsampled,
    "hint_map": _hint("map"),
    "sampled_50k": lambda body: _sampled(50_000)(_unsampled(body)),
    "sampled_10k": lambda body: _sampled(10_000)(_unsampled(body)),
    "sampled_5k": lambda body: _sampled(5_000)(_unsampled(body)),
}


def facet_alone(name: str) -> Change:
    """Only the hits and one facet's aggregation: that facet's own cost over `hits_only`."""

    def change(body: dict[str, Any]) -> dict[str, Any]:
        bare = PARTS["hits_only"](body)
        agg = unsampled(body.get("aggs", {})).get(name)
        return {**bare, "aggs": {name: agg}} if agg else bare

    return change


async def measure(
    node_url: str,
    index: str,
    calls: Sequence[Call],
    variants: dict[str, Change],
    levels: Sequence[int],
    duration_s: float,
    slices: int,
) -> dict[str, Any]:
    searches = [c for c in calls if c.kind in SEARCH_KINDS]
    distinct = list({id(c): c for c in searches}.values())
    cycles: dict[str, list[Call]] = {"full": searches}
    for name, change in variants.items():
        changed = {id(c): Call(c.kind, "", {}, change(c.body), cached=c.cached) for c in distinct}
        cycles[name] = [changed[id(c)] for c in searches]
    out: dict[str, Any] = {}
    async with load_session(max(levels)) as session:
        send = direct_sender(session, node_url, index)
        for cycle in cycles.values():
            await run_level(send, cycle, 1, WARMUP_S / 2, "warmup")
        for level in levels:
            parts: dict[str, list[LevelResult]] = {name: [] for name in cycles}
            names = list(cycles)
            for turn in range(slices):
                for name in names if turn % 2 == 0 else names[::-1]:
                    part = await run_level(send, cycles[name], level, duration_s / slices, name)
                    parts[name].append(part)
            rows: dict[str, Any] = {}
            for name in cycles:
                result = merged(parts[name])
                rows[name] = {
                    **latency_summary([t for _, t in result.latencies]),
                    "requests_per_s": round(len(result.latencies) / result.seconds, 1),
                    "errors": result.errors,
                }
            for row in rows.values():
                row["p50_to_full"] = ratio(row["p50_ms"], rows["full"]["p50_ms"])
                row["p95_to_full"] = ratio(row["p95_ms"], rows["full"]["p95_ms"])
            out[str(level)] = rows
            for name, row in rows.items():
                log(
                    f"{level} clients {name:>22}: p50 {row['p50_ms']} ms "
                    f"({row['p50_to_full']}x), p95 {row['p95_ms']} ms ({row['p95_to_full']}x)"
                )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.query_parts", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--index", required=True, help="an index kept by bench.query --keep")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per variant/level")
    parser.add_argument("--levels", default="1,8")
    parser.add_argument("--slices", type=int, default=2)
    parser.add_argument("--only", default=None, help="comma-separated variant names")
    parser.add_argument("--tag", default=None)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    started = time.monotonic()
    settings = bench_settings()
    with running_node(settings) as client:
        values = top_values(client, args.index)
        calls = build_mix(values, index_groups(client, args.index))
        facets = {f"alone_{name}": facet_alone(f"facet_{name}") for name in FACETS}
        variants = {**PARTS, **CANDIDATES, **facets}
        if args.only:
            variants = {k: v for k, v in variants.items() if k in args.only.split(",")}
        count = int(client.count(index=args.index)["count"])
        measured = asyncio.run(
            measure(
                node_urls(settings)[0],
                args.index,
                calls,
                variants,
                levels,
                args.duration,
                args.slices,
            )
        )
        for level in levels:
            rows = measured[str(level)]
            print_table(
                f"{count:,} articles, {level} client(s): each variant against the full search",
                ["variant", "p50 ms", "p95 ms", "p50 / full", "p95 / full", "req/s"],
                [
                    [
                        name,
                        r["p50_ms"],
                        r["p95_ms"],
                        r["p50_to_full"],
                        r["p95_to_full"],
                        r["requests_per_s"],
                    ]
                    for name, r in rows.items()
                ],
            )
        write_results(
            result_name("query-parts", args.tag),
            {"articles": count, "duration_per_variant_s": args.duration, "levels": measured},
            client,
            started,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
