"""The real archives beside the project (Reuters-21578, BBC News): every story with a body is
indexed once, exact copies are reported, and a second run adds nothing. Skipped when absent."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import corpus

pytestmark = [pytest.mark.integration, pytest.mark.corpus]


def _distinct_stories(paths: list[Path]) -> tuple[int, int]:
    """(records with a body, distinct texts among them), computed apart from the pipeline."""
    with_body = 0
    texts: set[str] = set()
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                if not record.get("body", "").strip():
                    continue
                with_body += 1
                texts.add(" ".join(f"{record.get('title') or ''} {record['body']}".split()).lower())
    return with_body, len(texts)


def test_archives_are_indexed_once_with_copies_reported(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    paths = [corpus("reuters21578.ndjson.gz"), corpus("bbc_news.ndjson.gz")]
    with_body, distinct = _distinct_stories(paths)
    fast = settings.model_copy(update={"ner_processes": 2, "dead_letter_dir": tmp_path})

    first = ingest_paths(fast, paths)
    stored = os_client.count(index=settings.index)["count"]

    assert first.indexed == stored == distinct
    assert first.duplicates == with_body - distinct > 0
    assert set(first.rejected) == {"empty_body"}

    second = ingest_paths(fast, paths)
    assert second.indexed == 0
    assert second.updated == 0
    assert second.unchanged == stored
    assert os_client.count(index=settings.index)["count"] == stored
