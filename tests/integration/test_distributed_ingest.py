"""Ingest on a real Dask cluster of worker processes, against a real node: every record
indexed once, the run's counts and dead letters added up from the workers, a worker killed
mid-run losing nothing, an unreachable scheduler a clear error."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from opensearchpy import OpenSearch

from search import cli
from search.ingest import distributed
from search.ingest.distributed import ingest_distributed
from search.ingest.pipeline import IngestSummary
from search.ingest.readers.detect import read_paths
from search.settings import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "samples" / "wikinews-en.ndjson"
ARTICLES = 120
#: Enough for a run of several seconds on two workers, to kill one in the middle of it.
LONG_RUN = 320
BAD_LINES = ['{"id": "no-body", "title": "A record without a body"}', "{not json"]


def _archive(tmp_path: Path, articles: int = ARTICLES) -> Path:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:articles]
    path = tmp_path / "archive.ndjson"
    path.write_text("\n".join([*lines[:50], *BAD_LINES, *lines[50:]]) + "\n", encoding="utf-8")
    return path


def _ids(os_client: OpenSearch, index: str) -> list[str]:
    os_client.indices.refresh(index=index)
    found = os_client.search(
        index=index, body={"size": 1000, "_source": False, "query": {"match_all": {}}}
    )
    return [hit["_id"] for hit in found["hits"]["hits"]]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes, each loading the model once, shared by the tests here."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


def test_workers_index_every_record_once_and_the_run_adds_up(
    settings: Settings, os_client: OpenSearch, cluster: LocalCluster, tmp_path: Path
) -> None:
    dead_letter = tmp_path / "dead.ndjson"
    summary = ingest_distributed(
        settings,
        read_paths([_archive(tmp_path)]),
        dead_letter=dead_letter,
        scheduler=cluster.scheduler_address,
        batch=16,
    )
    ids = _ids(os_client, settings.index)
    assert len(ids) == len(set(ids)) == ARTICLES
    assert summary.read == ARTICLES + len(BAD_LINES)
    assert summary.indexed == ARTICLES
    assert sum(summary.rejected.values()) == len(BAD_LINES)
    letters = [json.loads(line) for line in dead_letter.read_text(encoding="utf-8").splitlines()]
    assert len(letters) == len(BAD_LINES)
    assert all(letter["reason"] for letter in letters)
    # entities were extracted on the workers and resolved to registry identities
    persons = os_client.search(
        index=settings.index,
        body={"size": 0, "aggs": {"p": {"terms": {"field": "persons", "size": 5}}}},
    )["aggregations"]["p"]["buckets"]
    assert persons
    # the same run again changes nothing
    again = ingest_distributed(
        settings,
        read_paths([_archive(tmp_path)]),
        dead_letter=dead_letter,
        scheduler=cluster.scheduler_address,
    )
    assert (again.indexed, again.updated, again.unchanged) == (0, 0, ARTICLES)


def test_a_worker_killed_mid_run_loses_nothing(
    settings: Settings, os_client: OpenSearch, cluster: LocalCluster, tmp_path: Path
) -> None:
    archive = _archive(tmp_path, LONG_RUN)
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["summary"] = ingest_distributed(
                settings,
                read_paths([archive]),
                dead_letter=tmp_path / "dead.ndjson",
                scheduler=cluster.scheduler_address,
                batch=4,
            )
        except BaseException as exc:  # reported below, not lost in the thread
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    with Client(cluster.scheduler_address, set_as_default=False) as watcher:
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline and thread.is_alive():
            busy = [w for w, tasks in watcher.processing().items() if tasks]
            victim = busy[0] if busy and _written(os_client, settings.index) else None
            time.sleep(0.01)
        assert victim is not None, "no worker was busy mid-run"
        pid = watcher.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)  # its nanny starts a new one; its tasks run again
        killed_while_running = thread.is_alive()
    thread.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert killed_while_running
    summary: IngestSummary = result["summary"]
    ids = _ids(os_client, settings.index)
    assert len(ids) == len(set(ids)) == LONG_RUN
    assert summary.read == LONG_RUN + len(BAD_LINES)
    # what the lost attempt had written counts as unchanged when the task runs again
    assert summary.indexed + summary.unchanged == LONG_RUN
    assert summary.updated == 0
    assert sum(summary.rejected.values()) == len(BAD_LINES)


def _written(os_client: OpenSearch, index: str) -> bool:
    """Some batch has reached the index: the run is under way, not starting."""
    if not os_client.indices.exists(index=index):
        return False
    return int(os_client.count(index=index)["count"]) > 0


def test_an_unreachable_scheduler_is_a_clear_error_and_exit_code(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT_S", 2)
    monkeypatch.setenv("NEWSROOM_INDEX", settings.index)
    monkeypatch.setenv("NEWSROOM_OPENSEARCH_URL", settings.opensearch_url)
    code = cli.main(["ingest", str(_archive(tmp_path, 3)), "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 3
    err = capsys.readouterr().err
    assert "No Dask scheduler answers at tcp://127.0.0.1:9" in err
    assert "dask scheduler" in err
