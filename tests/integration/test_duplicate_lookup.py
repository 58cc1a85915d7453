"""Exact duplicates by content hash: the index lookup finds every hash asked for, however many
copies another hash has, and a run remembers a bounded number of hashes, leaving older ones to
that lookup."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from opensearchpy import OpenSearch, helpers

from search.index import schema
from search.index.bulk import existing_ids_by_hash
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import EnrichInput, Enrichment
from search.ingest.pipeline import BATCH, Ingestor
from search.models import RawRecord
from search.settings import Settings
from tests.integration.test_cursor_paging import article

pytestmark = pytest.mark.integration


class NoEntities:
    """The `ArticleEnricher` protocol finding nothing: entities are not what this pins."""

    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]:
        for _ in items:
            yield Enrichment(status="pending")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_hash_with_many_copies_does_not_hide_another(
    settings: Settings, os_client: OpenSearch
) -> None:
    schema.ensure_index(os_client, settings.index)
    crowded, lone = _hash("crowded"), _hash("lone")
    docs = [article(n, content_hash=crowded) for n in range(30)]
    docs.append(article(30, content_hash=lone))
    actions = [{"_index": settings.index, "_id": d["id"], "_source": d} for d in docs]
    helpers.bulk(os_client, actions, refresh=True)

    found = existing_ids_by_hash(os_client, settings.index, [crowded, lone, _hash("absent")])

    assert set(found) == {crowded, lone}
    assert found[lone] == "doc-0030"
    assert found[crowded] in {d["id"] for d in docs[:30]}


def _record(n: int, *, record_id: str | None = None) -> RawRecord:
    return RawRecord(
        location=f"test#{n}",
        id=record_id or f"story-{n}",
        title=f"Harbour report {n}",
        body=f"The harbour of Valletta logged {n} ships today, the port authority said.",
        language="en",
    )


def test_a_run_remembers_a_bounded_number_of_hashes_and_the_index_covers_older_ones(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    schema.ensure_index(os_client, settings.index)
    stories = 3 * BATCH
    with DeadLetters(tmp_path / "dead.ndjson") as dead:
        ingestor = Ingestor(os_client, settings.index, NoEntities(), dead, seen_hashes=BATCH)
        ingestor.run(_record(n) for n in range(stories))
        assert len(ingestor._seen_hashes) <= BATCH  # the bound holds
        os_client.indices.refresh(index=settings.index)
        # The first story's hash was forgotten long ago; the index still knows it.
        summary = ingestor.run([_record(0, record_id="copy-of-0"), _record(stories - 1)])
    assert summary.duplicates == 1
    assert summary.duplicate_examples[-1]["duplicate_of"] == "story-0"
    assert os_client.count(index=settings.index)["count"] == stories
