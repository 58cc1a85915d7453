"""Copies found through the index: a cluster of many copies does not hide another candidate,
and a copy of an article indexed batches or runs earlier is found (the run keeps no memory of
its own: each batch is made visible before the next looks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from search.index import schema
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import EnrichInput, Enrichment
from search.ingest.pipeline import BATCH, Ingestor
from search.settings import Settings
from tests.integration.test_duplicates import clusters, story

pytestmark = pytest.mark.integration


class NoEntities:
    """The `ArticleEnricher` protocol finding nothing: entities are not what this pins."""

    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]:
        for _ in items:
            yield Enrichment(status="pending")


def test_a_cluster_of_many_copies_does_not_hide_another(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    """A roundup carrying two stories whole is a copy of both: it finds the second story's
    cluster although thirty copies of the first share more band keys with it."""
    schema.ensure_index(os_client, settings.index)
    crowded = [story(1, outlet=f"Outlet {n:02d}") for n in range(30)]
    lone = story(2, outlet="Lone")
    roundup = story(3, body=f"{crowded[0].body}\n\n{lone.body}", outlet="Digest")
    with DeadLetters(tmp_path / "dead.ndjson") as dead:
        first = Ingestor(os_client, settings.index, NoEntities(), dead).run([*crowded, lone])
        second = Ingestor(os_client, settings.index, NoEntities(), dead).run([roundup])
    os_client.indices.refresh(index=settings.index)

    assert (first.indexed, first.duplicates) == (31, 29)
    assert second.clusters_merged == 1
    labels = set(clusters(os_client, settings.index).values())
    assert labels == {"lone-story-2"}  # the smaller label of the two joined


def test_a_copy_of_an_article_indexed_batches_or_runs_earlier_is_found(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    schema.ensure_index(os_client, settings.index)
    stories = 3 * BATCH
    with DeadLetters(tmp_path / "dead.ndjson") as dead:
        ingestor = Ingestor(os_client, settings.index, NoEntities(), dead)
        late = [story(n) for n in range(stories)] + [story(1, outlet="Late")]
        within = ingestor.run(late)
        summary = Ingestor(os_client, settings.index, NoEntities(), dead).run(
            [story(0, outlet="Herald", id="copy-of-0"), story(stories - 1)]
        )
    assert within.duplicates == 1  # story 1 again, three batches later
    assert summary.duplicates == 1
    assert summary.duplicate_examples[-1]["duplicate_of"] == "wire-story-0"
    assert os_client.count(index=settings.index)["count"] == stories + 2
