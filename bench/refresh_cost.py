"""What the first search after a refresh costs on a live archive, with and without eager
global ordinals on the facet fields.

`python -m bench.refresh_cost --index NAME [--rounds 5]` (an index kept by `bench.query --keep`)

A terms aggregation counts through global ordinals: one numbering of a field's values across
segments, built on first use after every refresh that brought a new segment. On a facet field
of hundreds of thousands of names that build is paid by whichever search comes first, so an
archive taking in news every second pays it on a search every second. `eager_global_ordinals`
moves the build into the refresh. Each round writes one article (a copy of a stored one under a
new id), refreshes, then times the first faceted search and the same search again; the index
gets its mapping flag set for the second half and restored after. The written articles are
deleted at the end.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from opensearchpy import OpenSearch

from bench.common import (
    bench_settings,
    latency_summary,
    log,
    print_table,
    result_name,
    running_node,
    write_results,
)
from bench.query import build_mix, index_groups, top_values
from search.fields import FACET_COUNT_FIELDS, FACET_FIELDS

PROBE_PREFIX = "refresh-probe-"


def _set_eager(client: OpenSearch, index: str, eager: bool) -> None:
    counted = {FACET_COUNT_FIELDS.get(name, field) for name, field in FACET_FIELDS.items()}
    properties = {field: {"type": "keyword", "eager_global_ordinals": eager} for field in counted}
    client.indices.put_mapping(index=index, body={"properties": properties})


def _timed(client: OpenSearch, index: str, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    client.search(index=index, body=body)
    return time.perf_counter() - started


def _rounds(
    client: OpenSearch, index: str, body: dict[str, Any], source: dict[str, Any], rounds: int
) -> dict[str, Any]:
    first, again, refresh = [], [], []
    for n in range(rounds):
        doc = {**source, "id": f"{PROBE_PREFIX}{time.time_ns()}-{n}"}
        client.index(index=index, id=doc["id"], body=doc)
        started = time.perf_counter()
        client.indices.refresh(index=index)
        refresh.append(time.perf_counter() - started)
        first.append(_timed(client, index, body))
        again.append(_timed(client, index, body))
    return {
        "refresh": latency_summary(refresh),
        "first_search": latency_summary(first),
        "next_search": latency_summary(again),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.refresh_cost", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--index", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    started = time.monotonic()
    settings = bench_settings()
    with running_node(settings) as client:
        calls = build_mix(top_values(client, args.index), index_groups(client, args.index))
        body = next(c.body for c in calls if c.kind == "filtered")
        hit = client.search(index=args.index, body={"size": 1})["hits"]["hits"][0]
        source = dict(hit["_source"])
        out: dict[str, Any] = {}
        try:
            for eager in (False, True):
                _set_eager(client, args.index, eager)
                client.indices.refresh(index=args.index)
                _timed(client, args.index, body)  # the flag's own first build is not a round
                out["eager" if eager else "lazy"] = _rounds(
                    client, args.index, body, source, args.rounds
                )
        finally:
            _set_eager(client, args.index, False)
            client.delete_by_query(
                index=args.index,
                body={"query": {"prefix": {"id": PROBE_PREFIX}}},
                params={"refresh": "true"},
            )
        rows = [
            [
                name,
                r["refresh"]["p50_ms"],
                r["first_search"]["p50_ms"],
                r["first_search"]["max_ms"],
                r["next_search"]["p50_ms"],
            ]
            for name, r in out.items()
        ]
        print_table(
            "one article written, refresh, then the faceted search twice (ms)",
            ["global ordinals", "refresh p50", "first search p50", "first max", "next p50"],
            rows,
        )
        log("lazy: the first search builds them; eager: the refresh does")
        write_results(
            result_name("refresh-cost", None),
            {"index": args.index, "rounds": args.rounds, **out},
            client,
            started,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
