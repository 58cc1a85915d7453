"""Bulk writes that lose nothing: bounded chunks, retries with backoff, every failure reported.

Each document is sent as an `update` with `doc_as_upsert`-style semantics and `detect_noop`, so
re-running an ingest tells created, updated and unchanged documents apart and adds nothing twice.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

log = logging.getLogger(__name__)

Outcome = Literal["created", "updated", "unchanged", "failed"]
_RESULTS: dict[str, Outcome] = {"created": "created", "updated": "updated", "noop": "unchanged"}
_RETRYABLE_STATUS = {429, 502, 503, 504}
#: Fields that change on every run and so must not make an unchanged article look updated.
VOLATILE_FIELDS = ("ingested_at",)


@dataclass(frozen=True)
class BulkDoc:
    """One document to write; `ref` travels back with its result (e.g. the source location)."""

    id: str
    source: dict[str, Any]
    ref: str = ""


@dataclass(frozen=True)
class ItemResult:
    doc: BulkDoc
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True)
class BulkPolicy:
    chunk_docs: int = 500
    chunk_bytes: int = 10_000_000
    max_retries: int = 8
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    #: How long a chunk may keep failing on connection errors before its documents are failed.
    unreachable_deadline_s: float = 600.0


class OpenSearchUnavailable(RuntimeError):
    """The cluster did not answer for longer than the policy allows."""


def _action_lines(doc: BulkDoc) -> bytes:
    partial = {k: v for k, v in doc.source.items() if k not in VOLATILE_FIELDS}
    header = {"update": {"_id": doc.id, "retry_on_conflict": 3}}
    payload = {"doc": partial, "upsert": doc.source, "detect_noop": True}
    return (json.dumps(header) + "\n" + json.dumps(payload, default=str) + "\n").encode()


def chunked(docs: Iterable[BulkDoc], policy: BulkPolicy) -> Iterator[list[tuple[BulkDoc, bytes]]]:
    """Group documents by count and bytes; an oversized single document travels alone."""
    chunk: list[tuple[BulkDoc, bytes]] = []
    size = 0
    for doc in docs:
        lines = _action_lines(doc)
        if chunk and (len(chunk) >= policy.chunk_docs or size + len(lines) > policy.chunk_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append((doc, lines))
        size += len(lines)
    if chunk:
        yield chunk


def _item_error(item: dict[str, Any]) -> tuple[int, str]:
    body = next(iter(item.values()))
    error = body.get("error")
    if not error:
        return int(body.get("status", 200)), ""
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" ({cause.get('type', '')}: {cause.get('reason', '')})"
    else:
        reason = str(error)
    return int(body.get("status", 500)), reason


class BulkWriter:
    """Writes documents to one index or alias and yields one result per document, in order."""

    def __init__(
        self,
        client: OpenSearch,
        index: str,
        policy: BulkPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._index = index
        self._policy = policy or BulkPolicy()
        self._sleep = sleep
        self.reached_cluster = False
        # Set once a request has waited out the deadline: until the cluster answers again,
        # later chunks fail at once instead of each waiting the whole deadline anew.
        self._gave_up = False

    def write(self, docs: Iterable[BulkDoc]) -> Iterator[ItemResult]:
        for chunk in chunked(docs, self._policy):
            yield from self._write_chunk(chunk)

    def _backoff(self, attempt: int) -> float:
        delay = self._policy.initial_backoff_s * (2**attempt)
        return float(min(delay, self._policy.max_backoff_s))

    def _write_chunk(self, chunk: list[tuple[BulkDoc, bytes]]) -> Iterator[ItemResult]:
        pending = chunk
        attempt = 0
        while pending:
            try:
                response = self._send(pending)
            except (OpenSearchUnavailable, TransportError) as exc:
                yield from (ItemResult(doc, "failed", str(exc)) for doc, _ in pending)
                return
            retry: list[tuple[BulkDoc, bytes]] = []
            for (doc, lines), item in zip(pending, response["items"], strict=True):
                status, reason = _item_error(item)
                if not reason:
                    result = next(iter(item.values())).get("result", "updated")
                    yield ItemResult(doc, _RESULTS.get(result, "updated"))
                elif status in _RETRYABLE_STATUS and attempt < self._policy.max_retries:
                    retry.append((doc, lines))
                else:
                    yield ItemResult(
                        doc, "failed", f"OpenSearch refused it (HTTP {status}): {reason}"
                    )
            if retry:
                delay = self._backoff(attempt)
                log.warning("%d documents refused for now; retrying in %.1fs", len(retry), delay)
                self._sleep(delay)
                attempt += 1
            pending = retry

    def _send(self, pending: list[tuple[BulkDoc, bytes]]) -> dict[str, Any]:
        """One bulk request, retried while the cluster is unreachable or overloaded."""
        body = b"".join(lines for _, lines in pending)
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                response: dict[str, Any] = self._client.bulk(body=body, index=self._index)
                self.reached_cluster = True
                self._gave_up = False
                return response
            except (OSConnectionError, TransportError) as exc:
                status = exc.status_code if isinstance(exc.status_code, int) else None
                retryable = isinstance(exc, OSConnectionError) or status in _RETRYABLE_STATUS
                elapsed = time.monotonic() - started
                if not retryable:
                    raise
                if self._gave_up:
                    raise OpenSearchUnavailable(
                        "OpenSearch is still unreachable after an earlier batch waited "
                        f"{self._policy.unreachable_deadline_s:.0f}s for it: {exc}"
                    ) from exc
                if elapsed > self._policy.unreachable_deadline_s:
                    self._gave_up = True
                    raise OpenSearchUnavailable(
                        f"OpenSearch did not accept the batch for {elapsed:.0f}s: {exc}"
                    ) from exc
                delay = self._backoff(attempt)
                log.warning("OpenSearch unavailable (%s); retrying in %.1fs", exc, delay)
                self._sleep(delay)
                attempt += 1


def existing_ids_by_hash(client: OpenSearch, index: str, hashes: list[str]) -> dict[str, str]:
    """Which of these content hashes are already indexed, and under which id (the copy indexed
    first).

    One bucket per hash with its first copy, rather than `size=len(hashes)` plain hits: a hash
    stored many times would fill those hits and hide the others.
    """
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    first = {"top_hits": {"size": 1, "_source": False, "sort": [{"ingested_at": "asc"}]}}
    response = client.search(
        index=index,
        body={
            "size": 0,
            "query": {"terms": {"content_hash": wanted}},
            "aggs": {
                "by_hash": {
                    "terms": {"field": "content_hash", "size": len(wanted)},
                    "aggs": {"first": first},
                }
            },
        },
    )
    buckets = response["aggregations"]["by_hash"]["buckets"]
    return {bucket["key"]: bucket["first"]["hits"]["hits"][0]["_id"] for bucket in buckets}


def stored_sources(
    client: OpenSearch, index: str, ids: list[str], fields: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """Some fields of the stored documents with these ids (missing ids are left out)."""
    if not ids:
        return {}
    response = client.mget(
        index=index,
        body={"ids": ids},
        params={"_source_includes": ",".join((*fields, "entities_status"))},
    )
    return {doc["_id"]: doc["_source"] for doc in response["docs"] if doc.get("found")}
