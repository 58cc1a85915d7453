"""Faults OpenSearch really has: killed during an ingest, gone for good, down while the API
serves, refusing some items of a bulk request, a blocked index, an alias swapped under queries.

These tests kill, stop and block their node, so they run one of their own (own port, own data
dir), started once for the module and stopped at its end; the suite's shared node is never
touched. Faults are real: SIGKILL of the node's process, a stop and start, a port nothing listens
on, real index blocks and a real strict mapping; nothing stands in for OpenSearch.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from search import localnode
from search.app import create_app
from search.index import schema
from search.index.bulk import BulkDoc, BulkPolicy, BulkWriter
from search.index.client import sync_client
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import EnrichInput, Enrichment
from search.ingest.pipeline import Ingestor, IngestSummary, to_document
from search.ingest.prepare import Defaults, Prepared, prepare
from search.ingest.readers.detect import read_paths
from search.models import RawRecord
from search.settings import Settings
from tests.conftest import FIXTURES, scratch_node

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

PORT = 9260  # beside the shared node on 9200 and test_localnode's on 9250
PROBLEM_JSON = "application/problem+json"
#: Retries that end quickly: the faults here last seconds, not minutes.
QUICK = BulkPolicy(chunk_docs=25, max_retries=3, initial_backoff_s=0.1, max_backoff_s=1.0)


class NoEntities:
    """The project's `ArticleEnricher` protocol, finding nothing: real NER would make a
    few-thousand-record ingest take minutes, and entities are not what these tests pin."""

    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]:
        for _ in items:
            yield Enrichment(status="pending")


@pytest.fixture(scope="module")
def node() -> Iterator[Settings]:
    with scratch_node(PORT, "newsroom-reliability-") as settings:
        yield settings


@pytest.fixture
def own(node: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A fresh alias on the module's node, up whatever the previous test did to it."""
    localnode.start(node)
    alias = f"rel-{uuid.uuid4().hex[:10]}"
    settings = node.model_copy(update={"index": alias, "dead_letter_dir": tmp_path / "dead"})
    client = sync_client(settings)
    schema.ensure_index(client, alias)
    try:
        yield settings
    finally:
        localnode.start(node)
        # Every version, also those a migration took out of the alias.
        for name in client.indices.get(index=f"{alias}-v*", expand_wildcards="all"):
            client.indices.delete(index=name)
        client.close()


@pytest.fixture
def client(own: Settings) -> Iterator[OpenSearch]:
    found = sync_client(own)
    try:
        yield found
    finally:
        found.close()


def _count(client: OpenSearch, index: str) -> int:
    client.indices.refresh(index=index)
    return int(client.count(index=index)["count"])


def _stories() -> list[dict[str, Any]]:
    lines = (FIXTURES / "reuters_sample.ndjson").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _write_corpus(path: Path, copies: int, *, name: str = "copy", empty_every: int = 0) -> int:
    """Reuters stories repeated under distinct ids and texts; every `empty_every`-th record has
    no body, so it must be dead-lettered. Returns the number of good records."""
    stories = _stories()
    good = 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(copies):
            record = dict(stories[n % len(stories)], id=f"{name}-{n}", language="en")
            if empty_every and n % empty_every == empty_every - 1:
                record["body"] = "   "
            else:
                record["body"] = f"{name} {n}. {record.get('body') or ''}"
                good += 1
            out.write(json.dumps(record) + "\n")
    return good


def _dead_entries(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _ingest(settings: Settings, source: Path, dead: Path, policy: BulkPolicy) -> IngestSummary:
    client = sync_client(settings)
    try:
        with DeadLetters(dead) as letters:
            ingestor = Ingestor(client, settings.index, NoEntities(), letters, policy=policy)
            return ingestor.run(read_paths([source]))
    finally:
        client.close()


def _prepared(n: int, text: str) -> Prepared:
    raw = RawRecord(
        location=f"test:{n}", id=f"story-{n}", title=f"Story {n}", body=text, language="en"
    )
    outcome = prepare(raw, Defaults(), max_body_bytes=1_000_000, now=datetime.now(UTC))
    assert isinstance(outcome, Prepared)
    return outcome


def _docs(count: int, start: int = 0) -> list[BulkDoc]:
    """Valid documents of the real mapping, made by the real `prepare`."""
    docs = []
    for n in range(start, start + count):
        article = _prepared(n, f"Story number {n} about rain over the harbour of Valletta.").article
        docs.append(BulkDoc(article.id, to_document(article), ref=f"test:{n}"))
    return docs


def _wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(0.05)


def _pid_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


def test_ingest_survives_opensearch_killed_and_restarted_and_stores_each_record_once(
    node: Settings, own: Settings, client: OpenSearch, tmp_path: Path
) -> None:
    """SIGKILL of the node mid-ingest, a restart seconds later: the run waits, resumes, finishes,
    and every good record is stored exactly once. Uses `NoEntities` instead of the NER model so a
    few thousand records take seconds."""
    source = tmp_path / "corpus.ndjson"
    good = _write_corpus(source, 2000, empty_every=100)
    dead = tmp_path / "dead.ndjson"
    policy = BulkPolicy(chunk_docs=20, max_retries=10, initial_backoff_s=0.2, max_backoff_s=1.0)
    ingest_client = sync_client(own)
    letters = DeadLetters(dead)
    ingestor = Ingestor(ingest_client, own.index, NoEntities(), letters, policy=policy)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["summary"] = ingestor.run(read_paths([source]))
        except BaseException as exc:  # reported by the test thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        _wait_for(lambda: ingestor.summary.stored >= 300 or not worker.is_alive(), 60, "progress")
        assert worker.is_alive(), f"the ingest ended before the kill: {outcome}"
        pid = localnode.status(node).pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        _wait_for(lambda: _pid_gone(pid), 30, "the killed node to be gone")
        time.sleep(3)
        stored_while_down = ingestor.summary.stored
        localnode.start(node)
        worker.join(timeout=180)
        assert not worker.is_alive(), "the ingest did not finish after the restart"
    finally:
        letters.close()
        ingest_client.close()

    assert "error" not in outcome, outcome.get("error")
    summary: IngestSummary = outcome["summary"]
    assert stored_while_down < good  # the run was stalled by the outage, not done already
    assert summary.read == 2000
    assert summary.stored == good
    assert summary.updated == 0  # a chunk re-sent after the kill is a no-op, not a second write
    assert _count(client, own.index) == good
    kinds = {entry["kind"] for entry in _dead_entries(dead)}
    assert kinds == {"empty_body"}, _dead_entries(dead)[:3]
    assert len(_dead_entries(dead)) == 2000 - good


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_cluster_that_stays_unreachable_ends_the_run_soon_with_every_record_dead_lettered(
    tmp_path: Path,
) -> None:
    """Nothing answers on the cluster's port (a crash nobody restarts): the first chunk waits out
    `unreachable_deadline_s`, the later ones must not each wait it again, or a big run would
    take chunks x deadline (days with the defaults) to end."""
    gone = Settings(opensearch_url=f"http://127.0.0.1:{_free_port()}", index="unreachable")
    source = tmp_path / "corpus.ndjson"
    good = _write_corpus(source, 1000)
    dead = tmp_path / "dead.ndjson"
    policy = BulkPolicy(
        chunk_docs=20, initial_backoff_s=0.1, max_backoff_s=0.5, unreachable_deadline_s=2.0
    )

    started = time.monotonic()
    summary = _ingest(gone, source, dead, policy)
    took = time.monotonic() - started

    assert took < 20, f"took {took:.0f}s for {good // 20} chunks"
    assert summary.stored == 0
    assert not summary.reached_opensearch
    entries = _dead_entries(dead)
    assert len(entries) == good
    assert {e["kind"] for e in entries} == {"index_failed"}
    assert all("unreachable" in e["reason"] or "did not accept" in e["reason"] for e in entries)


def test_api_answers_503_while_opensearch_is_down_and_200_again_once_it_is_back(
    node: Settings, own: Settings, client: OpenSearch
) -> None:
    """One API instance, never restarted: problem+json 503 with Retry-After while the node is
    stopped, then 200 by itself as soon as the node is back."""
    results = list(BulkWriter(client, own.index, QUICK).write(_docs(5)))
    assert {r.outcome for r in results} == {"created"}
    client.indices.refresh(index=own.index)
    with TestClient(create_app(own), raise_server_exceptions=False) as api:
        assert api.get("/v1/search", params={"q": "harbour"}).json()["total"]["value"] == 5

        localnode.stop(node)
        down = api.get("/v1/search", params={"q": "harbour"})
        assert down.status_code == 503
        assert down.headers["content-type"].startswith(PROBLEM_JSON)
        assert int(down.headers["retry-after"]) > 0
        assert down.json()["status"] == 503
        assert "Traceback" not in down.text
        health = api.get("/v1/health")
        assert health.status_code == 503
        assert health.json()["opensearch"]["status"] == "unreachable"
        assert int(health.headers["retry-after"]) > 0

        localnode.start(node)
        back = api.get("/v1/search", params={"q": "harbour"})
        assert back.status_code == 200, back.text
        assert back.json()["total"]["value"] == 5
        health = api.get("/v1/health")
        assert health.status_code == 200
        assert health.json()["opensearch"]["status"] in ("green", "yellow")


def test_items_the_mapping_rejects_fail_alone_with_their_reason_and_are_not_retried(
    own: Settings, client: OpenSearch
) -> None:
    """A strict mapping refuses an unknown field per item (HTTP 400): those items come back
    failed with the reason, the good items of the same requests are stored, nothing waits."""
    good = _docs(30)
    bad = [
        BulkDoc(f"smuggled-{n}", {**doc.source, "id": f"smuggled-{n}", "smuggled": n}, ref=f"b{n}")
        for n, doc in enumerate(_docs(10, start=100))
    ]
    mixed = [doc for pair in zip(good[:10], bad, strict=True) for doc in pair] + good[10:]
    sleeps: list[float] = []
    writer = BulkWriter(client, own.index, BulkPolicy(chunk_docs=8), sleep=sleeps.append)

    results = list(writer.write(mixed))

    assert [r.doc.id for r in results] == [d.id for d in mixed]  # one result each, in order
    failed = {r.doc.id: r.reason for r in results if r.outcome == "failed"}
    assert set(failed) == {d.id for d in bad}
    assert all("HTTP 400" in reason for reason in failed.values())
    assert all("strict_dynamic_mapping_exception" in reason for reason in failed.values())
    assert all("smuggled" in reason for reason in failed.values())
    assert {r.outcome for r in results if r.doc.id not in failed} == {"created"}
    assert sleeps == []  # a refusal that cannot change is not retried
    assert _count(client, own.index) == len(good)


def test_items_refused_with_429_are_retried_and_stored_once_the_block_lifts(
    own: Settings, client: OpenSearch
) -> None:
    """A read-only-allow-delete block (what a full disk sets) answers 429 per item: the writer
    backs off and retries only what was refused; the mapping error among them fails alone."""
    client.indices.put_settings(index=own.index, body={"index.blocks.read_only_allow_delete": True})
    sleeps: list[float] = []

    def back_off(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # the disk was freed while the writer waited
            client.indices.put_settings(
                index=own.index, body={"index.blocks.read_only_allow_delete": None}
            )

    good = _docs(12)
    bad = BulkDoc("smuggled", {**good[0].source, "id": "smuggled", "smuggled": 1}, ref="bad")
    writer = BulkWriter(client, own.index, QUICK, sleep=back_off)

    results = list(writer.write([*good, bad]))

    assert sleeps == [QUICK.initial_backoff_s]  # one wait, then everything went through
    outcomes = {r.doc.id: r.outcome for r in results}
    assert outcomes.pop("smuggled") == "failed"
    assert set(outcomes.values()) == {"created"}
    assert _count(client, own.index) == len(good)


@pytest.mark.parametrize(
    ("block", "status"),
    [("index.blocks.read_only_allow_delete", 429), ("index.blocks.write", 403)],
)
def test_a_blocked_index_dead_letters_every_record_in_bounded_time_then_a_rerun_stores_all(
    own: Settings, client: OpenSearch, tmp_path: Path, block: str, status: int
) -> None:
    """Disk full (429) or writes forbidden (403): the run ends, each record is dead-lettered with
    the block as reason, nothing is counted as stored; lifting the block and re-running stores
    everything. A 429 is retried `max_retries` times, so the policy bounds the run's time."""
    first = tmp_path / "first.ndjson"
    _write_corpus(first, 10, name="first")
    assert _ingest(own, first, tmp_path / "dead-0.ndjson", QUICK).indexed == 10
    later = tmp_path / "later.ndjson"
    _write_corpus(later, 60, name="later")

    client.indices.put_settings(index=own.index, body={block: True})
    try:
        started = time.monotonic()
        blocked = _ingest(own, later, tmp_path / "dead-1.ndjson", QUICK)
        took = time.monotonic() - started
        assert took < 60
        assert blocked.stored == 0
        assert blocked.rejected == {"index_failed": 60}
        entries = _dead_entries(tmp_path / "dead-1.ndjson")
        assert len(entries) == 60
        assert {e["stage"] for e in entries} == {"index"}
        assert all(f"HTTP {status}" in e["reason"] for e in entries)
        assert all("cluster_block_exception" in e["reason"] for e in entries)
        assert _count(client, own.index) == 10
    finally:
        client.indices.put_settings(index=own.index, body={block: None})

    rerun = _ingest(own, later, tmp_path / "dead-2.ndjson", QUICK)
    assert rerun.indexed == 60
    assert rerun.rejected == {}
    assert _count(client, own.index) == 70


def test_queries_through_the_alias_never_fail_while_a_migration_swaps_it(
    own: Settings, client: OpenSearch
) -> None:
    """`schema.migrate` reindexes and swaps the alias while a thread searches through it: no
    query fails, each sees every document, and the queries did run across the swap."""
    total = 1000
    for result in BulkWriter(client, own.index, BulkPolicy(chunk_docs=500)).write(_docs(total)):
        assert result.outcome == "created"
    before = _count(client, own.index)
    old = schema.current_index(client, own.index)
    stop = threading.Event()
    seen: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    query = {"size": 1, "track_total_hits": True, "query": {"match": {"body": "harbour"}}}

    def search_loop() -> None:
        searcher = sync_client(own)
        try:
            while not stop.is_set():
                try:
                    found = searcher.search(index=own.index, body=query)
                except Exception as exc:  # any failure is what this test is about
                    errors.append(exc)
                    continue
                hits = found["hits"]
                seen.append((hits["hits"][0]["_index"], int(hits["total"]["value"])))
        finally:
            searcher.close()

    worker = threading.Thread(target=search_loop, daemon=True)
    worker.start()
    try:
        _wait_for(lambda: len(seen) >= 20 or not worker.is_alive(), 30, "queries before")
        migrated = schema.migrate(client, own.index)
        queries_at_swap = len(seen)
        _wait_for(lambda: len(seen) >= queries_at_swap + 20 or not worker.is_alive(), 30, "more")
    finally:
        stop.set()
        worker.join(timeout=30)

    assert errors == []
    assert migrated.old_index == old
    assert migrated.documents == before == total
    assert _count(client, own.index) == total
    assert schema.current_index(client, own.index) == migrated.new_index
    assert {index for index, _ in seen} == {old, migrated.new_index}
    assert {hits for _, hits in seen} == {total}
