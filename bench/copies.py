"""What clustering copies costs at ingest: throughput with it against the same ingest without it.

`python -m bench.copies [--n 400] [--copies 100] [--repeat 3] [--bulk-n 2000] [--tag NAME]`

The articles: N real ones (every k-th of the shared corpora, as in `bench.ingest`) and C near
copies of some of them, made by the labelled set's own edits (`search.evaluation.duplicates`),
so the lookups find candidates and clusters form as in a wire archive.
(a) End to end: `ingest_paths` with NER, each run into a fresh index, with and without
    `cluster_copies`, alternating which goes first, after one untimed round (the model is
    loaded before timing). The issue's target: at least 0.9 of the throughput without.
(b) The same pipeline without the model (entities "pending"), on more articles: the cost of
    clustering next to everything else the ingest does but NER, an upper bound of (a).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from bench.common import (
    WORK_DIR,
    bench_settings,
    index_name,
    log,
    median,
    print_table,
    ratio,
    result_name,
    running_node,
    write_results,
)
from bench.corpus import corpus_files, real_records
from search.entities.store import drop_registry
from search.evaluation.duplicate_set import EDITS, edited
from search.index import schema
from search.index.client import sync_client
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import EnrichInput, Enrichment
from search.ingest.pipeline import Ingestor, IngestSummary
from search.ingest.readers.detect import read_paths
from search.ingest.run import bulk_policy, ingest_paths, shared_enricher
from search.models import RawRecord
from search.settings import Settings


def sample_with_copies(n: int, copies: int, seed: int) -> Path:
    """N real articles and C edited copies of some of them, shuffled, as NDJSON."""
    files, _ = corpus_files()
    records = [r for r in real_records(files) if r.get("body", "").strip()]
    step = max(1, len(records) // n)
    picked = records[seed % step :: step][:n]
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [{k: v for k, v in r.items() if k != "_file"} for r in picked]
    for c in range(copies):
        raw = picked[rng.randrange(len(picked))]
        original = RawRecord(
            location="bench",
            id=str(raw["id"]),
            title=raw.get("title") or None,
            body=raw["body"],
            source=raw.get("source"),
            published_at=raw.get("date") or raw.get("published_at"),
        )
        copy = edited(original, EDITS[c % len(EDITS)], rng, c)
        out.append(copy.model_dump(exclude={"location", "byline", "section", "language"}))
    rng.shuffle(out)
    path = WORK_DIR / f"copies-{n}-{copies}-s{seed}.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as lines:
        for record in out:
            lines.write(json.dumps(record) + "\n")
    return path


class Pending:
    """The enricher protocol without the model: what the pipeline does besides NER."""

    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]:
        for _ in items:
            yield Enrichment(status="pending")


def _end_to_end(settings: Settings, path: Path, *, clustering: bool) -> tuple[float, IngestSummary]:
    run = settings.model_copy(
        update={"index": index_name("copies-e2e"), "cluster_copies": clustering}
    )
    started = time.perf_counter()
    try:
        summary = ingest_paths(run, [path], dead_letter=WORK_DIR / "dead-letters" / "copies.ndjson")
        return time.perf_counter() - started, summary
    finally:
        client = sync_client(settings)
        schema.drop(client, run.index)
        drop_registry(client, run.index)


def _without_model(
    settings: Settings, path: Path, *, clustering: bool
) -> tuple[float, IngestSummary]:
    alias = index_name("copies-bulk")
    client = sync_client(settings)
    schema.ensure_index(client, alias)
    started = time.perf_counter()
    try:
        with DeadLetters(WORK_DIR / "dead-letters" / "copies-bulk.ndjson") as dead:
            ingestor = Ingestor(
                client,
                alias,
                Pending(),
                dead,
                policy=bulk_policy(settings),
                cluster_copies=clustering,
            )
            summary = ingestor.run(read_paths([path]))
        client.indices.refresh(index=alias)
        return time.perf_counter() - started, summary
    finally:
        schema.drop(client, alias)


Runner = Callable[..., tuple[float, IngestSummary]]


def compare(
    settings: Settings, path: Path, repeat: int, runner: Runner, label: str
) -> dict[str, Any]:
    """Median docs/s with and without clustering, alternating which runs first."""
    runner(settings, path, clustering=True)  # untimed: caches, JIT, first index creation
    speeds: dict[bool, list[float]] = {True: [], False: []}
    last: dict[bool, IngestSummary] = {}
    for rep in range(repeat):
        for clustering in (True, False) if rep % 2 == 0 else (False, True):
            seconds, summary = runner(settings, path, clustering=clustering)
            speeds[clustering].append(summary.read / seconds)
            last[clustering] = summary
            speed = summary.read / seconds
            log(f"{label} rep {rep + 1} clustering={clustering}: {speed:.1f} docs/s")
    with_, without = median(speeds[True]), median(speeds[False])
    clustered = last[True]
    return {
        "articles": clustered.read,
        "with_clustering_docs_per_s": round(with_, 1),
        "without_clustering_docs_per_s": round(without, 1),
        "runs_with": [round(s, 1) for s in speeds[True]],
        "runs_without": [round(s, 1) for s in speeds[False]],
        "ratio": ratio(with_, without),
        "cost_pct": round(100 * (1 - with_ / without), 1) if without else None,
        "exact_copies": clustered.duplicates,
        "near_copies": clustered.near_duplicates,
        "clusters_merged": clustered.clusters_merged,
        "warnings": clustered.warnings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.copies", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=400, help="real articles end to end (with NER)")
    parser.add_argument("--copies", type=int, default=100, help="edited copies added to them")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bulk-n", type=int, default=2000, help="articles without the model")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tag", default=None, help="results go to bench/results/copies-TAG.json")
    args = parser.parse_args(argv)

    started = time.monotonic()
    settings = bench_settings()
    with running_node(settings) as client:
        shared_enricher(settings)  # the model loads before any timing
        e2e_path = sample_with_copies(args.n, args.copies, args.seed)
        end_to_end = compare(settings, e2e_path, args.repeat, _end_to_end, "end to end")
        bulk_path = sample_with_copies(args.bulk_n, args.bulk_n // 4, args.seed)
        without_ner = compare(settings, bulk_path, args.repeat, _without_model, "without NER")
        results = {
            "repeat": args.repeat,
            "end_to_end_ner": end_to_end,
            "pipeline_without_ner": without_ner,
        }
        write_results(result_name("copies", args.tag), results, client, started)
    print_table(
        "Clustering copies at ingest: docs/s with and without (median of "
        f"{args.repeat}, alternating order)",
        ["path", "articles", "with", "without", "ratio", "cost %"],
        [
            [
                name,
                row["articles"],
                row["with_clustering_docs_per_s"],
                row["without_clustering_docs_per_s"],
                row["ratio"],
                row["cost_pct"],
            ]
            for name, row in (("end to end, NER", end_to_end), ("without NER", without_ner))
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
