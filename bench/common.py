"""What every benchmark shares: the node, throw-away indexes, percentiles, tables and result files.

Each figure is reported next to the raw ceiling measured in the same run, because absolute
numbers on a shared 2-core machine say little while ratios travel well.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opensearchpy import NotFoundError, OpenSearch

from search import localnode
from search.index.client import sync_client
from search.index.schema import index_body
from search.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
#: Generated corpora, resume state and dead letters: ignored by git, kept between runs.
WORK_DIR = RESULTS_DIR / "tmp"
#: The real corpora live beside the project, not in it; users may not have them.
CORPORA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
#: Every index a benchmark creates starts with this, so nothing else is ever touched.
INDEX_PREFIX = "bench-"
#: The benchmarks' own node (data dir and port): the test suite stops, kills and restarts the
#: shared node at :9200, which would break a run halfway. NEWSROOM_OPENSEARCH_URL overrides.
BENCH_NODE_DIR = ROOT / ".newsroom" / "bench-node"
BENCH_NODE_PORT = 9250


def log(message: str) -> None:
    """Progress on stderr, so stdout keeps only the tables."""
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def external_node() -> bool:
    """True when NEWSROOM_OPENSEARCH_URL names the node to measure; the benchmarks then only
    connect to it, never start or stop it."""
    return "NEWSROOM_OPENSEARCH_URL" in os.environ


def bench_settings(**overrides: Any) -> Settings:
    """The project's settings (NEWSROOM_* still apply), pointed at the benchmarks' own node."""
    settings = Settings()
    if not external_node():
        settings = settings.model_copy(
            update={
                "node_data_dir": BENCH_NODE_DIR,
                "node_port": BENCH_NODE_PORT,
                "opensearch_url": f"http://127.0.0.1:{BENCH_NODE_PORT}",
                # Bulk requests of 500 articles and force-merges outlast the API's 10 s.
                "opensearch_timeout_s": 120.0,
            }
        )
    return settings.model_copy(update=overrides) if overrides else settings


@contextmanager
def running_node(settings: Settings) -> Iterator[OpenSearch]:
    """A client to the node; starts the bench node if it is down, and then stops only that."""
    started = False
    if not external_node() and not localnode.status(settings).running:
        log(f"starting the bench node on :{settings.node_port} ({settings.node_data_dir})")
        localnode.start(settings)
        started = True
    client = sync_client(settings)
    try:
        yield client
    finally:
        client.close()
        if started:
            log("stopping the node this benchmark started")
            localnode.stop(settings)


def index_name(purpose: str) -> str:
    return f"{INDEX_PREFIX}{purpose}-{uuid.uuid4().hex[:8]}"


def create_index(client: OpenSearch, purpose: str, body: Mapping[str, Any] | None = None) -> str:
    """A fresh index with the project's mapping (or `body`), named for this run only."""
    name = index_name(purpose)
    client.indices.create(index=name, body=dict(body) if body is not None else index_body())
    try:
        client.cluster.health(index=name, wait_for_status="yellow", request_timeout=60)
    except Exception:
        delete_index(client, name)
        raise
    return name


def delete_index(client: OpenSearch, name: str) -> None:
    """Delete a benchmark index; refuses any other name."""
    if not name.startswith(INDEX_PREFIX):
        raise ValueError(f"refusing to delete {name!r}: not a benchmark index")
    with suppress(NotFoundError):
        client.indices.delete(index=name)


@contextmanager
def bulk_load_tuning(client: OpenSearch, index: str) -> Iterator[None]:
    """No refresh and no replicas while loading; the previous values come back afterwards.

    This is the shape proposed for search/index/schema.py; the benchmark measures whether it
    pays before anyone adopts it.
    """
    keys = ("refresh_interval", "number_of_replicas")
    current = client.indices.get_settings(index=index, name=[f"index.{k}" for k in keys])
    index_entry: dict[str, Any] = next(iter(current.values()), {})
    found: dict[str, Any] = index_entry.get("settings", {}).get("index", {})
    previous = {key: found.get(key) for key in keys}  # None resets to the default
    client.indices.put_settings(
        index=index, body={"index": {"refresh_interval": "-1", "number_of_replicas": 0}}
    )
    try:
        yield
    finally:
        client.indices.put_settings(index=index, body={"index": previous})
        client.indices.refresh(index=index)


def force_merge(client: OpenSearch, index: str) -> float:
    """Merge the index down to one segment; seconds taken. The refresh matters: until one runs,
    the reader keeps the old segments open (an idle shard skips its scheduled refresh), so
    store and segment statistics would still count them, about twice the settled size."""
    started = time.perf_counter()
    client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=4 * 3600)
    client.indices.refresh(index=index, request_timeout=600)
    return time.perf_counter() - started


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on sorted values."""
    if not sorted_values:
        return math.nan
    rank = (len(sorted_values) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return sorted_values[low]
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max in milliseconds."""
    ordered = sorted(seconds)
    if not ordered:
        return {"p50_ms": math.nan, "p95_ms": math.nan, "p99_ms": math.nan}
    return {
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
        "mean_ms": round(sum(ordered) / len(ordered) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def median(values: Sequence[float]) -> float:
    return percentile(sorted(values), 50)


def ratio(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole else math.nan


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A fixed-width table: first column left-aligned, numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return (
            f"{value:,.1f}"
            if abs(value) >= 100
            else f"{value:.3g}"
            if abs(value) < 1
            else f"{value:.2f}"
        )
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _memory_bytes() -> int:
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def machine_info(client: OpenSearch | None) -> dict[str, Any]:
    """Enough about the machine and the code to tell two result files apart."""
    version = None
    heap_max = None
    if client is not None:
        version = client.info()["version"]["number"]
        nodes = client.nodes.stats(metric="jvm")["nodes"]
        heap_max = sum(n["jvm"]["mem"]["heap_max_in_bytes"] for n in nodes.values())
    status = _git("status", "--porcelain")
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(_memory_bytes() / 2**30, 1),
        "opensearch_version": version,
        "opensearch_heap_max_mib": round(heap_max / 2**20) if heap_max else None,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other work on the machine moves every figure; the 5-minute load says how much there was.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def result_name(benchmark: str, tag: str | None) -> str:
    return f"{benchmark}-{tag}" if tag else benchmark


def write_results(
    name: str, data: Mapping[str, Any], client: OpenSearch | None, started: float
) -> Path:
    """bench/results/<name>.json: the figures, the machine, and how long the run took."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        **data,
        "run_seconds": round(time.monotonic() - started, 1),
        "machine": machine_info(client),
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    log(f"wrote {path.relative_to(ROOT)}")
    return path


def process_memory(pid: int) -> dict[str, float]:
    """Resident and peak resident memory of a process in MiB, from /proc/<pid>/status."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields["rss_mib" if key == "VmRSS" else "peak_rss_mib"] = round(
                int(value.split()[0]) / 1024, 1
            )
    return fields


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the line)
    return ticks / os.sysconf("SC_CLK_TCK")


_GC_PAUSE = re.compile(r"Pause .*?(\d+)M->(\d+)M\((\d+)M\)")


def heap_after_last_gc(settings: Settings) -> float | None:
    """Heap in use right after the node's latest collection, from the bench node's GC log:
    what survived, a steadier figure than a sample taken at a random point between GCs."""
    if external_node():
        return None
    path = settings.node_data_dir / "logs" / "gc.log"
    try:
        with path.open("rb") as log_file:
            log_file.seek(max(0, path.stat().st_size - 256_000))
            tail = log_file.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    pauses = _GC_PAUSE.findall(tail)
    return float(pauses[-1][1]) if pauses else None


def jvm_heap(client: OpenSearch, settings: Settings | None = None) -> dict[str, float | None]:
    """The node's heap in MiB: in use now (sampled), its maximum, and after the last GC."""
    nodes = client.nodes.stats(metric="jvm")["nodes"]
    mem = next(iter(nodes.values()))["jvm"]["mem"]
    return {
        "heap_used_mib": round(mem["heap_used_in_bytes"] / 2**20, 1),
        "heap_max_mib": round(mem["heap_max_in_bytes"] / 2**20, 1),
        "after_last_gc_mib": heap_after_last_gc(settings) if settings else None,
    }
