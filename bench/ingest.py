"""Ingest speed: the project's bulk path against raw OpenSearch bulk, and end to end with NER.

`python -m bench.ingest [--n 10000] [--e2e 400] [--repeat 3] [--e2e-repeat 1] [--tag NAME]`

(a) The same prepared documents (generated corpus with precomputed entities) go, each time into
a fresh index with the project mapping, through:
  * project        BulkWriter with the project's policy (update + upsert + detect_noop);
  * project_tuned  the same inside bulk_load_tuning (refresh off, no replicas, restored after);
  * raw_bulk       plain client.bulk of `index` actions, same chunk size: the ceiling;
  * helpers_bulk   opensearchpy.helpers.bulk of `index` actions, same chunk size;
  * project_rerun  BulkWriter again over the loaded index (every document unchanged).
Every timing ends with a refresh, so each one pays for making its documents searchable.
After one untimed round, variants run in rotating order, `--repeat` times; the median counts.
(b) End to end: ingest_paths (read, prepare, NER, dedupe, bulk) over N real articles, with and
without registry resolution; `--e2e-repeat` pairs, the arms' order alternating from pair to pair,
and the median ratio of a pair counts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch, helpers

from bench.common import (
    WORK_DIR,
    bench_settings,
    bulk_load_tuning,
    create_index,
    delete_index,
    index_name,
    log,
    median,
    print_table,
    ratio,
    result_name,
    running_node,
    write_results,
)
from bench.corpus import (
    article_docs,
    corpus_files,
    ensure_corpus,
    read_records,
    real_records,
)
from search.entities.store import drop_registry
from search.index import schema
from search.index.bulk import BulkDoc, BulkPolicy, BulkWriter, chunked
from search.ingest.pipeline import IngestSummary
from search.ingest.run import bulk_policy, ingest_paths, shared_enricher
from search.settings import Settings


@dataclass(frozen=True)
class Load:
    seconds: float
    docs: int
    outcomes: dict[str, int]
    #: CPU this (client) process spent: serialising and parsing, not OpenSearch's work.
    client_cpu_s: float = 0.0

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


Loader = Callable[[OpenSearch, str, Sequence[BulkDoc], BulkPolicy], Load]


def load_project(
    client: OpenSearch, index: str, docs: Sequence[BulkDoc], policy: BulkPolicy
) -> Load:
    started = time.perf_counter()
    outcomes = Counter[str](r.outcome for r in BulkWriter(client, index, policy).write(docs))
    client.indices.refresh(index=index)
    return Load(time.perf_counter() - started, len(docs), dict(outcomes))


def load_project_tuned(
    client: OpenSearch, index: str, docs: Sequence[BulkDoc], policy: BulkPolicy
) -> Load:
    started = time.perf_counter()
    with bulk_load_tuning(client, index):  # restores the settings and refreshes on exit
        outcomes = Counter[str](r.outcome for r in BulkWriter(client, index, policy).write(docs))
    return Load(time.perf_counter() - started, len(docs), dict(outcomes))


def _index_chunks(docs: Sequence[BulkDoc], policy: BulkPolicy) -> Iterator[bytes]:
    """`index` actions, cut by the same count and byte limits as the project's writer."""
    lines: list[bytes] = []
    size = 0
    for doc in docs:
        pair = (
            json.dumps({"index": {"_id": doc.id}}) + "\n" + json.dumps(doc.source) + "\n"
        ).encode()
        if lines and (len(lines) >= policy.chunk_docs or size + len(pair) > policy.chunk_bytes):
            yield b"".join(lines)
            lines, size = [], 0
        lines.append(pair)
        size += len(pair)
    if lines:
        yield b"".join(lines)


def load_raw(client: OpenSearch, index: str, docs: Sequence[BulkDoc], policy: BulkPolicy) -> Load:
    started = time.perf_counter()
    outcomes: Counter[str] = Counter()
    for body in _index_chunks(docs, policy):
        response = client.bulk(body=body, index=index)
        outcomes.update(next(iter(i.values())).get("result", "failed") for i in response["items"])
    client.indices.refresh(index=index)
    return Load(time.perf_counter() - started, len(docs), dict(outcomes))


def load_helpers(
    client: OpenSearch, index: str, docs: Sequence[BulkDoc], policy: BulkPolicy
) -> Load:
    started = time.perf_counter()
    actions = ({"_index": index, "_id": d.id, "_source": d.source} for d in docs)
    ok, failed = helpers.bulk(
        client,
        actions,
        chunk_size=policy.chunk_docs,
        max_chunk_bytes=policy.chunk_bytes,
        raise_on_error=False,
        stats_only=True,
    )
    client.indices.refresh(index=index)
    outcomes = {"ok": int(ok), "failed": int(failed)}  # stats_only: counts, not lists
    return Load(time.perf_counter() - started, len(docs), outcomes)


def load_raw_update(
    client: OpenSearch, index: str, docs: Sequence[BulkDoc], policy: BulkPolicy
) -> Load:
    """The writer's own request bytes (update + upsert + detect_noop) sent by a bare loop: tells
    the cost of the `update` action inside OpenSearch from the writer's Python-side work."""
    started = time.perf_counter()
    outcomes: Counter[str] = Counter()
    for chunk in chunked(docs, policy):
        response = client.bulk(body=b"".join(lines for _, lines in chunk), index=index)
        outcomes.update(next(iter(i.values())).get("result", "failed") for i in response["items"])
    client.indices.refresh(index=index)
    return Load(time.perf_counter() - started, len(docs), dict(outcomes))


LOADERS: dict[str, Loader] = {
    "project": load_project,
    "project_tuned": load_project_tuned,
    "raw_bulk": load_raw,
    "raw_update": load_raw_update,
    "helpers_bulk": load_helpers,
}


def wire_bytes(docs: Sequence[BulkDoc], policy: BulkPolicy) -> dict[str, int]:
    """Request bytes per document: the writer's update actions against plain index actions."""
    project = sum(len(lines) for chunk in chunked(docs, policy) for _, lines in chunk)
    raw = sum(len(body) for body in _index_chunks(docs, policy))
    return {"project": round(project / len(docs)), "raw": round(raw / len(docs))}


def _timed(
    loader: Loader, client: OpenSearch, index: str, docs: Sequence[BulkDoc], policy: BulkPolicy
) -> Load:
    cpu = time.process_time()
    load = loader(client, index, docs, policy)
    return replace(load, client_cpu_s=time.process_time() - cpu)


def run_bulk(
    client: OpenSearch, docs: Sequence[BulkDoc], policy: BulkPolicy, repeat: int
) -> dict[str, list[Load]]:
    runs: dict[str, list[Load]] = {name: [] for name in [*LOADERS, "project_rerun"]}
    names = list(LOADERS)
    for name in names:  # one untimed round: a fresh JVM compiles as it goes, and caches fill
        warm = create_index(client, "ingest-warmup")
        try:
            LOADERS[name](client, warm, docs, policy)
        finally:
            delete_index(client, warm)
    for rep in range(repeat):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            index = create_index(client, f"ingest-{name.replace('_', '-')}")
            try:
                load = _timed(LOADERS[name], client, index, docs, policy)
                count = int(client.count(index=index)["count"])
                if count != len(docs):
                    raise RuntimeError(f"{name}: {count} documents indexed of {len(docs)}")
                runs[name].append(load)
                log(f"rep {rep + 1} {name}: {load.docs_per_s:,.0f} docs/s")
                if name == "project":
                    rerun = _timed(load_project, client, index, docs, policy)
                    runs["project_rerun"].append(rerun)
                    log(f"rep {rep + 1} project_rerun: {rerun.docs_per_s:,.0f} docs/s")
            finally:
                delete_index(client, index)
    return runs


def run_tuning(
    client: OpenSearch, docs: Sequence[BulkDoc], policy: BulkPolicy, repeat: int
) -> dict[str, Any]:
    """project against project_tuned on a load long enough for periodic refreshes to matter
    (10k documents load in about two seconds: two refreshes, and the settings calls cost more)."""
    names = ["project", "project_tuned"]
    runs: dict[str, list[Load]] = {name: [] for name in names}
    segments: dict[str, list[int]] = {name: [] for name in names}
    for rep in range(repeat):
        for name in names if rep % 2 == 0 else names[::-1]:
            index = create_index(client, f"tuning-{name.replace('_', '-')}")
            try:
                load = _timed(LOADERS[name], client, index, docs, policy)
                stats = client.indices.stats(index=index, metric="segments,docs")
                primaries = stats["indices"][index]["primaries"]
                if primaries["docs"]["count"] != len(docs):
                    raise RuntimeError(f"{name}: {primaries['docs']['count']} of {len(docs)}")
                runs[name].append(load)
                segments[name].append(int(primaries["segments"]["count"]))
                log(f"tuning rep {rep + 1} {name}: {load.docs_per_s:,.0f} docs/s")
            finally:
                delete_index(client, index)
    out: dict[str, Any] = summarise(runs)
    for name in names:
        out[name]["segments_after_load"] = segments[name]
    out["articles"] = len(docs)
    out["gain"] = ratio(out["project_tuned"]["docs_per_s"], out["project"]["docs_per_s"])
    return out


def real_sample(n: int, seed: int) -> Path:
    """N real articles (every k-th of the shared corpora, so both sources appear) as NDJSON."""
    files, _ = corpus_files()
    records = list(real_records(files))
    step = max(1, len(records) // n)
    picked = records[seed % step :: step][:n]
    path = WORK_DIR / f"real-{n}-s{seed}.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in picked:
            out.write(json.dumps({k: v for k, v in record.items() if k != "_file"}) + "\n")
    return path


@dataclass(frozen=True)
class Arm:
    """One end-to-end ingest: its summary and wall time."""

    summary: IngestSummary
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.summary.read / self.seconds


def _e2e_arm(client: OpenSearch, settings: Settings, path: Path, *, resolve: bool) -> Arm:
    """One ingest of `path` into fresh indexes, dropped afterwards."""
    purpose = "e2e" if resolve else "e2e-plain"
    arm = settings.model_copy(update={"index": index_name(purpose)})
    try:
        started = time.perf_counter()
        summary = ingest_paths(
            arm,
            [path],
            dead_letter=WORK_DIR / "dead-letters" / f"{purpose}.ndjson",
            resolve=resolve,
        )
        seconds = time.perf_counter() - started
    finally:
        for dropped in schema.drop(client, arm.index):
            log(f"deleted {dropped}")
        drop_registry(client, arm.index)
    log(f"end to end ({purpose}): {summary.read} read, {summary.indexed} indexed in {seconds:.1f}s")
    return Arm(summary, seconds)


def run_end_to_end(
    client: OpenSearch, settings: Settings, n: int, seed: int, repeat: int = 1
) -> dict[str, Any]:
    """The whole ingest path with NER over real articles; the model is loaded before timing.

    Each pair ingests the same texts without registry resolution (the ceiling the resolving
    run is held to: issue, at least 0.9 of it) and with it. The first pair runs the plain arm
    first; later pairs alternate, so neither arm always meets the colder node or model."""
    path = real_sample(n, seed)
    e2e_settings = settings.model_copy(update={"dead_letter_dir": WORK_DIR / "dead-letters"})
    started = time.perf_counter()
    shared_enricher(e2e_settings)
    model_load = time.perf_counter() - started
    pairs: list[tuple[Arm, Arm]] = []
    for round_ in range(max(repeat, 1)):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        arms = {r: _e2e_arm(client, e2e_settings, path, resolve=r) for r in order}
        pairs.append((arms[False], arms[True]))
    ratios = [ratio(resolved.docs_per_s, plain.docs_per_s) for plain, resolved in pairs]
    summary = pairs[-1][1].summary
    return {
        "articles": summary.read,
        "indexed": summary.indexed,
        "duplicates": summary.duplicates,
        "rejected": sum(summary.rejected.values()),
        "seconds": round(median([r.seconds for _, r in pairs]), 2),
        "docs_per_s": round(median([r.docs_per_s for _, r in pairs]), 1),
        "without_resolution_docs_per_s": round(median([p.docs_per_s for p, _ in pairs]), 1),
        "resolution_ratio": round(median(ratios), 3),
        "resolution_ratio_min": min(ratios),
        "resolution_ratio_max": max(ratios),
        # Per pair, wall seconds and the pipeline's share of them (read to bulk, resolution per
        # batch included); the rest is setup and, with resolution, the consolidation after it.
        "pairs": [
            {
                "plain_s": round(p.seconds, 2),
                "resolved_s": round(r.seconds, 2),
                "plain_pipeline_s": round(p.summary.seconds, 2),
                "resolved_pipeline_s": round(r.summary.seconds, 2),
                "ratio": x,
            }
            for (p, r), x in zip(pairs, ratios, strict=True)
        ],
        "entities": summary.entities,
        "model_load_seconds": round(model_load, 1),
        "ner_processes": settings.ner_processes,
        "ner_batch_size": settings.ner_batch_size,
        "mean_body_chars": round(
            sum(len(r.get("body", "")) for r in read_records(path)) / max(summary.read, 1)
        ),
    }


def summarise(runs: dict[str, list[Load]]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "docs_per_s": round(median([r.docs_per_s for r in loads]), 1),
            "min_docs_per_s": round(min(r.docs_per_s for r in loads), 1),
            "max_docs_per_s": round(max(r.docs_per_s for r in loads), 1),
            "runs": [round(r.seconds, 3) for r in loads],
            "client_cpu_ms_per_doc": round(
                median([r.client_cpu_s / r.docs for r in loads]) * 1e3, 3
            ),
            "outcomes": loads[-1].outcomes,
        }
        for name, loads in runs.items()
        if loads
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=10_000, help="generated articles for bulk runs")
    parser.add_argument(
        "--e2e", type=int, default=400, help="real articles for the NER run (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--e2e-repeat", type=int, default=1, help="end-to-end pairs (with and without resolution)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--tuning-n", type=int, default=0, help="also compare bulk-load tuning on N articles"
    )
    parser.add_argument("--tuning-repeat", type=int, default=3)
    parser.add_argument("--tag", default=None, help="results go to bench/results/ingest-TAG.json")
    args = parser.parse_args(argv)

    started = time.monotonic()
    settings = bench_settings()
    policy = bulk_policy(settings)
    with running_node(settings) as client:
        corpus = ensure_corpus(args.n, args.seed, with_entities=True)
        docs = list(article_docs(read_records(corpus)))
        articles, wire = len(docs), wire_bytes(docs, policy)
        log(f"{articles:,} documents prepared; bulk runs x{args.repeat}")
        bulk = summarise(run_bulk(client, docs, policy, args.repeat))
        del docs  # the tuning run below may hold many more
        e2e = (
            run_end_to_end(client, settings, args.e2e, args.seed, args.e2e_repeat)
            if args.e2e
            else None
        )
        tuning = None
        if args.tuning_n:
            large = list(article_docs(read_records(ensure_corpus(args.tuning_n, args.seed))))
            tuning = run_tuning(client, large, policy, args.tuning_repeat)
        raw = bulk["raw_bulk"]["docs_per_s"]
        results = {
            "articles": articles,
            "repeat": args.repeat,
            "policy": {"chunk_docs": policy.chunk_docs, "chunk_bytes": policy.chunk_bytes},
            "bulk": bulk,
            "ratio_project_to_raw": ratio(bulk["project"]["docs_per_s"], raw),
            "ratio_helpers_to_raw": ratio(bulk["helpers_bulk"]["docs_per_s"], raw),
            "ratio_raw_update_to_raw": ratio(bulk["raw_update"]["docs_per_s"], raw),
            "tuning_gain": ratio(
                bulk["project_tuned"]["docs_per_s"], bulk["project"]["docs_per_s"]
            ),
            "tuning_at_scale": tuning,
            "wire_bytes_per_doc": wire,
            "end_to_end": e2e,
        }
        write_results(result_name("ingest", args.tag), results, client, started)
    _print(results, args)
    return 0


def _print(results: dict[str, Any], args: argparse.Namespace) -> None:
    bulk, e2e, tuning = results["bulk"], results["end_to_end"], results["tuning_at_scale"]
    raw = bulk["raw_bulk"]["docs_per_s"]
    nan = float("nan")
    rows = [
        [
            name,
            row["docs_per_s"],
            row["min_docs_per_s"],
            row["max_docs_per_s"],
            ratio(row["docs_per_s"], raw),
            row["client_cpu_ms_per_doc"],
        ]
        for name, row in bulk.items()
    ]
    if e2e:
        rows.append(
            ["end_to_end_ner", e2e["docs_per_s"], nan, nan, ratio(e2e["docs_per_s"], raw), nan]
        )
    print_table(
        f"Ingest, {results['articles']:,} generated articles (median of {args.repeat}); "
        f"end to end over {args.e2e} real articles",
        ["path", "docs/s", "min", "max", "x raw", "client CPU ms/doc"],
        rows,
    )
    if e2e:
        print(
            f"end to end with registry resolution: {e2e['docs_per_s']} docs/s against "
            f"{e2e['without_resolution_docs_per_s']} without it on the same texts: "
            f"x{e2e['resolution_ratio']}"
            + (
                f" (median of {len(e2e['pairs'])} pairs, min x{e2e['resolution_ratio_min']}, "
                f"max x{e2e['resolution_ratio_max']})"
                if len(e2e["pairs"]) > 1
                else ""
            )
        )
    wire = results["wire_bytes_per_doc"]
    print(f"bytes per document on the wire: project {wire['project']:,}, raw {wire['raw']:,}")
    print(f"bulk-load tuning at {results['articles']:,}: x{results['tuning_gain']}")
    if tuning:
        print_table(
            f"Bulk-load tuning on {tuning['articles']:,} articles "
            f"(median of {args.tuning_repeat}): x{tuning['gain']}",
            ["path", "docs/s", "min", "max", "segments after load"],
            [
                [
                    name,
                    tuning[name]["docs_per_s"],
                    tuning[name]["min_docs_per_s"],
                    tuning[name]["max_docs_per_s"],
                    str(tuning[name]["segments_after_load"]),
                ]
                for name in ("project", "project_tuned")
            ],
        )


if __name__ == "__main__":
    sys.exit(main())
