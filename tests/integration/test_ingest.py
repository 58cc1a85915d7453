"""The ingest path end to end against a real node: clean text in, nothing lost, nothing twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration

BOILERPLATE = (
    "JOIN US ON TELEGRAM",
    "Follow our coverage",
    "Ctrl + Enter",
    "A Rapid Ceasefire in Ukraine Could Lead Trump into a Russian Trap",
)


def _all_docs(client: OpenSearch, index: str) -> list[dict[str, object]]:
    client.indices.refresh(index=index)
    found = client.search(index=index, body={"size": 1000, "query": {"match_all": {}}})
    return [hit["_source"] for hit in found["hits"]["hits"]]


def test_seed_article_is_indexed_clean_and_whole(settings: Settings, os_client: OpenSearch) -> None:
    seed = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
    summary = ingest_paths(
        settings, [FIXTURES / "seed_article.txt"], source="Kyiv Post", published_at="2025-01-13"
    )
    assert summary.indexed == 1
    (doc,) = _all_docs(os_client, settings.index)
    body = str(doc["body"])
    for furniture in BOILERPLATE:
        assert furniture not in body
    story = [line for line in seed.splitlines() if line and not any(b in line for b in BOILERPLATE)]
    for line in story:
        assert line in body
    assert doc["source"] == "Kyiv Post"
    assert str(doc["published_at"]).startswith("2025-01-13")
    assert doc["language"] == "en"


def test_second_run_adds_nothing(settings: Settings, os_client: OpenSearch) -> None:
    first = ingest_paths(settings, [FIXTURES / "reuters_sample.ndjson"])
    count = os_client.count(index=settings.index)["count"]
    second = ingest_paths(settings, [FIXTURES / "reuters_sample.ndjson"])
    assert first.indexed == count > 0
    assert second.indexed == 0
    assert second.unchanged == count
    assert os_client.count(index=settings.index)["count"] == count


def _write_mixed(path: Path) -> dict[str, int]:
    good = [
        {
            "id": "good-1",
            "title": "Markets rally",
            "body": "Stocks rose sharply on Monday in New York.",
            "date": "2024-03-04",
            "source": "Wire",
        },
        {
            "id": "good-2",
            "title": "Rain in Lisbon",
            "body": "Heavy rain fell on Lisbon for a third day.",
            "date": "2024-03-05",
            "source": "Wire",
        },
    ]
    undated = {
        "id": "undated",
        "title": "A date nobody can read",
        "source": "Wire",
        "body": "The council met again to discuss the budget.",
        "date": "the day after never",
    }
    lines = [json.dumps(r) for r in good]
    lines.append('{"id": "broken", "title": "unterminated')
    lines.append(json.dumps({"id": "empty", "title": "Nothing here", "body": "   "}))
    lines.append(json.dumps({"id": "huge", "title": "Too big", "body": "word " * 4_200_000}))
    lines.append(json.dumps(undated))
    path.write_bytes(
        ("\n".join(lines[:3]) + "\n").encode()
        + b"\x00\x01\x02\xff\xfe binary\n"
        + ("\n".join(lines[3:]) + "\n").encode()
    )
    return {"good": 3, "bad": 4}


def test_bad_records_go_to_dead_letters_and_the_rest_is_indexed(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    source = tmp_path / "mixed.ndjson"
    expected = _write_mixed(source)
    dead = tmp_path / "dead.ndjson"
    summary = ingest_paths(settings, [source], dead_letter=dead)

    assert summary.indexed == expected["good"]
    assert sum(summary.rejected.values()) == expected["bad"]
    assert summary.read == expected["good"] + expected["bad"]
    assert summary.warnings == {"unparseable_date": 1}
    entries = [json.loads(line) for line in dead.read_text(encoding="utf-8").splitlines()]
    assert len(entries) == expected["bad"]
    reasons = " | ".join(e["reason"] for e in entries)
    assert re.search(r"JSON", reasons, re.IGNORECASE)
    assert re.search(r"binary", reasons, re.IGNORECASE)
    assert re.search(r"no body", reasons, re.IGNORECASE)
    assert re.search(r"over the limit", reasons)
    assert all(e["location"].startswith(str(source)) for e in entries)

    docs = {d["id"]: d for d in _all_docs(os_client, settings.index)}
    undated = next(d for d in docs.values() if d["title"] == "A date nobody can read")
    assert undated["published_at"] is None
    assert undated["published_at_raw"] == "the day after never"


def test_exact_duplicates_are_indexed_as_one_cluster_and_counted(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    """The same text under three ids is three facts (three outlets ran it): all indexed, in
    one cluster, two of them counted as copies; a second run adds nothing."""
    story = {"title": "Port reopens", "body": "The port of Rotterdam reopened after the strike."}
    path = tmp_path / "dupes.ndjson"
    path.write_text("\n".join(json.dumps({"id": f"copy-{n}", **story}) for n in range(3)) + "\n")
    summary = ingest_paths(settings, [path])
    assert summary.indexed == 3
    assert summary.duplicates == 2
    docs = _all_docs(os_client, settings.index)
    assert {d["cluster_id"] for d in docs} == {"copy-0"}
    again = ingest_paths(settings, [path])
    assert (again.indexed, again.unchanged) == (0, 3)
    assert os_client.count(index=settings.index)["count"] == 3
