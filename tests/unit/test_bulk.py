"""The pure parts of the bulk writer: how documents are grouped into requests, what each request
line says, and how a per-item error becomes a reason a person can read."""

from __future__ import annotations

import json

from search.index.bulk import BulkDoc, BulkPolicy, _action_lines, _item_error, chunked


def _doc(n: int, body: str = "text") -> BulkDoc:
    return BulkDoc(f"doc-{n}", {"id": f"doc-{n}", "body": body, "ingested_at": "2025-01-01"})


def _ids(chunks: list[list[tuple[BulkDoc, bytes]]]) -> list[list[str]]:
    return [[doc.id for doc, _ in chunk] for chunk in chunks]


def test_chunks_hold_at_most_chunk_docs_documents_and_keep_their_order() -> None:
    chunks = list(chunked((_doc(n) for n in range(7)), BulkPolicy(chunk_docs=3)))
    assert _ids(chunks) == [["doc-0", "doc-1", "doc-2"], ["doc-3", "doc-4", "doc-5"], ["doc-6"]]


def test_a_chunk_never_exceeds_chunk_bytes() -> None:
    docs = [_doc(n, "x" * 300) for n in range(10)]
    one = len(_action_lines(docs[0]))
    policy = BulkPolicy(chunk_docs=100, chunk_bytes=one * 3 + one // 2)
    chunks = list(chunked(docs, policy))
    assert _ids(chunks) == [[f"doc-{n}" for n in range(s, min(s + 3, 10))] for s in (0, 3, 6, 9)]
    assert all(sum(len(lines) for _, lines in chunk) <= policy.chunk_bytes for chunk in chunks)


def test_an_oversized_document_travels_alone_and_is_not_dropped() -> None:
    small, huge = _doc(1), _doc(2, "x" * 5_000)
    chunks = list(chunked([small, huge, _doc(3)], BulkPolicy(chunk_docs=10, chunk_bytes=1_000)))
    assert _ids(chunks) == [["doc-1"], ["doc-2"], ["doc-3"]]


def test_no_documents_make_no_requests() -> None:
    assert list(chunked([], BulkPolicy())) == []


def test_each_document_is_an_upsert_whose_update_ignores_the_ingest_time() -> None:
    header, payload, rest = _action_lines(_doc(1)).decode().split("\n")
    assert rest == ""
    assert json.loads(header)["update"]["_id"] == "doc-1"
    body = json.loads(payload)
    assert body["detect_noop"] is True
    assert "ingested_at" not in body["doc"]  # else every re-run would count as an update
    assert body["upsert"]["ingested_at"] == "2025-01-01"


def test_an_item_error_reads_as_type_reason_and_cause() -> None:
    item = {
        "update": {
            "_id": "x",
            "status": 400,
            "error": {
                "type": "mapper_parsing_exception",
                "reason": "failed to parse field [published_at]",
                "caused_by": {"type": "illegal_argument_exception", "reason": "bad date"},
            },
        }
    }
    assert _item_error(item) == (
        400,
        "mapper_parsing_exception: failed to parse field [published_at] "
        "(illegal_argument_exception: bad date)",
    )


def test_a_successful_item_has_no_reason() -> None:
    assert _item_error({"update": {"_id": "x", "status": 201, "result": "created"}}) == (201, "")
