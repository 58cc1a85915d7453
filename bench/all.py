"""Every benchmark in sequence: `python -m bench.all --profile short|long`.

short (what `make bench` runs; under 15 minutes on 2 cores): 10k generated articles for
ingest, query and size, bulk-load tuning on 50k, 400 real articles end to end with NER, what
per-language analysis costs English (bench.languages), ranking quality on Reuters-21578 against
OpenSearch's defaults (bench.relevance, about a minute), and bench.extract on 60 articles.
Results: bench/results/{ingest,query,size,languages,relevance,extract-short}.json and
all-short.json.

long (about an hour): 100k articles for ingest and query; size and query growth (API and
direct) at 10k, 100k and 1M; index variants (bench.tuning) at 100k.
Results carry the suffix -long. The long profile resumes by default: steps already finished
(recorded in bench/results/tmp/all-long.state.json) are skipped, and bench.size keeps each size
it has measured; `--fresh` starts over.

Each step runs as its own process (`python -m bench.<step>`), so one step's memory or a crash
does not carry into the next; the node is started once for all of them if none is running.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.common import (
    RESULTS_DIR,
    ROOT,
    WORK_DIR,
    bench_settings,
    log,
    print_table,
    running_node,
    write_results,
)


@dataclass(frozen=True)
class Step:
    name: str
    module: str
    args: tuple[str, ...] = ()


def _corpus(n: int) -> Step:
    out = WORK_DIR / f"corpus-{n}-s1-entities.ndjson"
    args = ("--n", str(n), "--seed", "1", "--with-entities", "--out", str(out))
    return Step(f"corpus-{n}", "bench.corpus", args)


def _extract(profile: str, limit: int | None) -> list[Step]:
    if not (ROOT / "bench" / "extract.py").exists():
        return []
    output = RESULTS_DIR / f"extract-{profile}.json"
    args = ("--output", str(output), *(("--limit", str(limit)) if limit else ()))
    return [Step("extract", "bench.extract", args)]


PROFILES: dict[str, list[Step]] = {
    "short": [
        _corpus(10_000),
        Step(
            "ingest",
            "bench.ingest",
            ("--n", "10000", "--e2e", "400", "--repeat", "5", "--tuning-n", "50000"),
        ),
        Step("query", "bench.query", ("--n", "10000", "--duration", "20")),
        Step("size", "bench.size", ("--sizes", "10000", "--fresh")),
        Step("languages", "bench.languages", ("--n", "10000", "--rounds", "3")),
        Step("relevance", "bench.relevance"),
        *_extract("short", 60),
    ],
    "long": [
        _corpus(10_000),
        _corpus(100_000),
        _corpus(1_000_000),
        Step(
            "ingest",
            "bench.ingest",
            ("--n", "100000", "--e2e", "2000", "--repeat", "2", "--tag", "long"),
        ),
        Step("query", "bench.query", ("--n", "100000", "--duration", "30", "--tag", "long")),
        Step(
            "size",
            "bench.size",
            ("--sizes", "10000,100000,1000000", "--growth", "--duration", "20", "--tag", "long"),
        ),
        Step("tuning", "bench.tuning", ("--n", "100000", "--tag", "long")),
        *_extract("long", None),
    ],
}


def _run(step: Step) -> tuple[bool, float]:
    log(f"step {step.name}: python -m {step.module} {' '.join(step.args)}")
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", step.module, *step.args], cwd=ROOT)
    seconds = time.monotonic() - started
    log(f"step {step.name}: {'done' if code == 0 else f'FAILED (exit {code})'} in {seconds:.0f}s")
    return code == 0, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="short")
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument("--resume", action="store_true", help="skip finished steps (long: default)")
    resume.add_argument("--fresh", action="store_true", help="run every step again")
    args = parser.parse_args(argv)
    resuming = args.resume or (args.profile == "long" and not args.fresh)
    state_path = WORK_DIR / f"all-{args.profile}.state.json"
    state: dict[str, Any] = {}
    if resuming and state_path.exists():
        state = json.loads(state_path.read_text(encoding="utf-8"))
        done = [name for name, row in state.items() if row.get("ok")]
        log(f"resuming the {args.profile} profile; finished: {', '.join(done) or 'nothing'}")

    started = time.monotonic()
    steps = PROFILES[args.profile]
    failed: list[str] = []
    with running_node(bench_settings()) as client:  # one node for every step, stopped at the end
        for number, step in enumerate(steps, 1):
            if state.get(step.name, {}).get("ok"):
                log(f"step {number}/{len(steps)} {step.name}: already done, skipped")
                continue
            log(f"step {number}/{len(steps)} {step.name}")
            ok, seconds = _run(step)
            state[step.name] = {"ok": ok, "seconds": round(seconds, 1)}
            state_path.parent.mkdir(parents=True, exist_ok=True)
            state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
            if not ok:
                failed.append(step.name)
        total = time.monotonic() - started
        print_table(
            f"bench.all --profile {args.profile}: {total / 60:.1f} minutes",
            ["step", "seconds", "ok"],
            [[name, row["seconds"], "yes" if row["ok"] else "NO"] for name, row in state.items()],
        )
        write_results(
            f"all-{args.profile}",
            {"steps": state, "failed": failed, "total_seconds": round(total, 1)},
            client,
            started,
        )
    if not failed:
        state_path.unlink(missing_ok=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
