"""Ingest on Dask: raw spaCy on one process against end-to-end ingest in this process and on
local clusters of 1 and 2 worker processes, on the same texts in the same run.

`python -m bench.distributed [--n 600] [--repeat 2] [--tag NAME]`

(a) The raw ceiling of one process: the model's `pipe` over the articles' bodies (no reading,
    no cleaning, no writing): what NER alone allows.
(b) `ingest_paths` in this process, the default ingest.
(c) `ingest_distributed` on a local cluster of 1 worker process, and (d) of 2. The clusters are
    started before timing and each runs one untimed ingest first, so its workers have loaded
    the model; the tasks carry the settings and records, the driver reads and adds up.
Each ingest goes into a fresh index (registry included). Reported: articles/s of each, (d)/(c)
the gain of a second worker, (c)/(b) the engine's own overhead, and each against (a).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distributed import LocalCluster

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
from bench.ingest import real_sample
from search.entities.extraction import load_model
from search.entities.store import drop_registry
from search.index import schema
from search.index.client import sync_client
from search.ingest.distributed import ingest_distributed
from search.ingest.pipeline import IngestSummary
from search.ingest.readers.detect import read_paths
from search.ingest.run import ingest_paths
from search.settings import Settings

DEAD = WORK_DIR / "dead-letters" / "distributed.ndjson"


def raw_spacy(path: Path) -> float:
    """Articles/s of the bare model over the bodies, one process."""
    bodies = [json.loads(line)["body"] for line in path.read_text(encoding="utf-8").splitlines()]
    nlp = load_model()
    list(nlp.pipe(bodies[:50]))  # untimed: first-call costs
    started = time.perf_counter()
    for _ in nlp.pipe(bodies, batch_size=32):
        pass
    return len(bodies) / (time.perf_counter() - started)


Run = Callable[[Settings, Path], IngestSummary]


def _timed(settings: Settings, path: Path, run: Run) -> tuple[float, IngestSummary]:
    fresh = settings.model_copy(update={"index": index_name("distributed")})
    started = time.perf_counter()
    try:
        summary = run(fresh, path)
        return time.perf_counter() - started, summary
    finally:
        client = sync_client(settings)
        schema.drop(client, fresh.index)
        drop_registry(client, fresh.index)


def in_process(settings: Settings, path: Path) -> IngestSummary:
    return ingest_paths(settings, [path], dead_letter=DEAD)


def on_cluster(address: str) -> Run:
    def run(settings: Settings, path: Path) -> IngestSummary:
        records = read_paths([path])
        return ingest_distributed(settings, records, dead_letter=DEAD, scheduler=address)

    return run


def measure(settings: Settings, path: Path, warmup: Path, repeat: int) -> dict[str, Any]:
    raw = raw_spacy(path)
    log(f"raw spaCy, one process: {raw:.1f} articles/s")
    speeds: dict[str, list[float]] = {"in_process": [], "workers_1": [], "workers_2": []}
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as one,
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as two,
    ):
        arms: dict[str, Run] = {
            "in_process": in_process,
            "workers_1": on_cluster(one.scheduler_address),
            "workers_2": on_cluster(two.scheduler_address),
        }
        for run in arms.values():
            _timed(settings, warmup, run)  # untimed: every process loads its model
        for rep in range(repeat):
            order = list(arms) if rep % 2 == 0 else list(arms)[::-1]
            for name in order:
                seconds, summary = _timed(settings, path, arms[name])
                if summary.indexed != summary.read:
                    raise RuntimeError(f"{name}: {summary.as_dict()}")
                speeds[name].append(summary.read / seconds)
                log(f"rep {rep + 1} {name}: {speeds[name][-1]:.1f} articles/s")
    rates = {name: round(median(values), 1) for name, values in speeds.items()}
    return {
        "raw_spacy_articles_per_s": round(raw, 1),
        "articles_per_s": rates,
        "runs": {name: [round(v, 1) for v in values] for name, values in speeds.items()},
        "two_workers_to_one": ratio(rates["workers_2"], rates["workers_1"]),
        "one_worker_to_in_process": ratio(rates["workers_1"], rates["in_process"]),
        "in_process_to_raw": ratio(rates["in_process"], raw),
        "two_workers_to_raw": ratio(rates["workers_2"], raw),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=600, help="real articles per ingest")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tag", default=None)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    settings = bench_settings()
    path = real_sample(args.n, args.seed)
    warmup = real_sample(40, args.seed + 1)
    with running_node(settings) as client:
        results = {"benchmark": "distributed", "articles": args.n, "repeat": args.repeat}
        results.update(measure(settings, path, warmup, args.repeat))
        out = write_results(result_name("distributed", args.tag), results, client, started)
    rates = results["articles_per_s"]
    print_table(
        "Ingest on Dask (articles/s, median)",
        ["arm", "articles/s", "vs raw spaCy"],
        [
            ["raw spaCy, 1 process", results["raw_spacy_articles_per_s"], 1.0],
            *[
                [name, rate, ratio(rate, results["raw_spacy_articles_per_s"])]
                for name, rate in rates.items()
            ],
        ],
    )
    log(f"2 workers / 1 worker: {results['two_workers_to_one']}; written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
