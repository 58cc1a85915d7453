"""Copies grouped, never dropped, against a real node: exact and near copies share a cluster,
its lead is the earliest, a takedown leaves it consistent, re-ingesting adds nothing, two
ingests at once still meet, and `dedupe --reindex` clusters an index built without it."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError

from search.app import create_app
from search.duplicates import clusterer
from search.duplicates.lookup import IndexStore
from search.duplicates.reindex import recluster
from search.evaluation.duplicate_set import with_boilerplate, with_cut_ending, with_headline
from search.index import schema
from search.ingest.dead_letter import DeadLetters
from search.ingest.enrich import EnrichInput, Enrichment
from search.ingest.pipeline import Ingestor, IngestSummary
from search.models import RawRecord
from search.settings import Settings
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration


def copies(settings: Settings, article_id: str) -> dict[str, Any]:
    """The cluster as the API answers it (`GET /v1/articles/{id}/copies`)."""
    with TestClient(create_app(settings)) as api:
        answer = api.get(f"/v1/articles/{article_id}/copies")
    assert answer.status_code == 200, answer.text
    cluster: dict[str, Any] = answer.json()
    return cluster


VOCABULARY = sorted(set((FIXTURES / "seed_article.txt").read_text(encoding="utf-8").split()))


class NoEntities:
    """Entities are not what this pins: the model stays unloaded."""

    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]:
        for _ in items:
            yield Enrichment(status="pending")


def story(n: int, *, outlet: str = "Wire", hour: int = 8, **changes: Any) -> RawRecord:
    """Story n: five paragraphs of 40 words drawn from a real article's vocabulary."""
    rng = random.Random(n)
    paragraphs = [" ".join(rng.choices(VOCABULARY, k=40)) + "." for _ in range(5)]
    fields = {
        "location": f"test#{outlet}-{n}",
        "id": f"story-{n}",
        "source": outlet,
        "title": f"Story number {n}",
        "body": "\n\n".join(paragraphs),
        "published_at": f"2025-03-0{1 + n % 9}T{hour:02d}:00:00Z",
        "language": "en",
    }
    return RawRecord(**{**fields, **changes})


def near_copy(n: int, outlet: str, hour: int) -> RawRecord:
    """Story n as another outlet runs it: new headline, boilerplate, a cut ending."""
    rng = random.Random(1000 + n)
    base = story(n, outlet=outlet, hour=hour)
    return with_boilerplate(with_cut_ending(with_headline(base, rng), rng, (0.8, 0.8)), rng)


def ingest(
    os_client: OpenSearch, settings: Settings, records: Sequence[RawRecord], tmp: Path
) -> IngestSummary:
    with DeadLetters(tmp / f"dead-{threading.get_ident()}.ndjson") as dead:
        summary = Ingestor(os_client, settings.index, NoEntities(), dead).run(records)
    os_client.indices.refresh(index=settings.index)
    return summary


def clusters(os_client: OpenSearch, index: str) -> dict[str, str | None]:
    """Article id -> cluster id, for every article of the index."""
    found = os_client.search(
        index=index, body={"size": 1000, "_source": ["cluster_id"], "query": {"match_all": {}}}
    )
    return {hit["_id"]: hit["_source"].get("cluster_id") for hit in found["hits"]["hits"]}


def stored_counts(os_client: OpenSearch, index: str) -> dict[str, int]:
    """Article id -> the copy count stored with it (1 where it stores no summary)."""
    found = os_client.search(
        index=index, body={"size": 1000, "_source": ["copies"], "query": {"match_all": {}}}
    )
    return {
        hit["_id"]: int(hit["_source"].get("copies", {}).get("count", 1))
        for hit in found["hits"]["hits"]
    }


@pytest.fixture
def index(settings: Settings, os_client: OpenSearch) -> Settings:
    schema.ensure_index(os_client, settings.index)
    return settings


def test_exact_and_near_copies_are_indexed_in_one_cluster_and_others_apart(
    index: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    records = [
        story(1),
        story(1, outlet="Herald", id="herald-1"),  # the same text from another outlet
        near_copy(1, "Courier", hour=11),
        story(2),  # another story
    ]
    summary = ingest(os_client, index, records, tmp_path)

    assert summary.indexed == 4
    assert (summary.duplicates, summary.near_duplicates) == (1, 1)
    found = clusters(os_client, index.index)
    assert found["wire-story-1"] == found["herald-herald-1"] == found["courier-story-1"]
    assert found["wire-story-2"] not in {found["wire-story-1"], None}
    example = next(e for e in summary.duplicate_examples if not e["exact"])
    assert example["duplicate_of"] in {"wire-story-1", "herald-herald-1"}


def test_the_lead_is_the_earliest_published_whatever_the_order_of_ingest(
    index: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    ingest(os_client, index, [near_copy(3, "Courier", hour=15)], tmp_path)
    ingest(os_client, index, [story(3, hour=6), story(3, outlet="Herald", hour=6)], tmp_path)

    cluster = copies(index, "courier-story-3")
    assert cluster["count"] == 3
    lead = cluster["copies"][0]
    assert lead["id"] == "herald-story-3"  # 06:00 like Wire's; the smaller id wins the tie
    assert cluster["outlets"] == ["Herald", "Wire", "Courier"]
    with TestClient(create_app(index)) as api:
        grouped = api.get("/v1/search", params={"q": "", "group": "duplicates"}).json()
    (hit,) = [h for h in grouped["hits"] if h["cluster_id"] == cluster["cluster_id"]]
    assert hit["copies"]["count"] == 3
    assert sorted(hit["copies"]["outlets"]) == ["Courier", "Herald", "Wire"]
    assert hit["copies"]["first_published"] == lead["published_at"]


def test_a_member_taken_down_leaves_the_cluster_consistent(
    index: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    records = [story(4, hour=6), story(4, outlet="Herald", hour=9), near_copy(4, "Courier", 12)]
    ingest(os_client, index, records, tmp_path)
    label = clusters(os_client, index.index)["wire-story-4"]
    assert label == "courier-story-4"  # the smallest id of those founding it, not a lead

    os_client.delete(index=index.index, id="wire-story-4", refresh="wait_for")  # the lead
    cluster = copies(index, "herald-story-4")
    assert [m["id"] for m in cluster["copies"]] == ["herald-story-4", "courier-story-4"]
    assert cluster["cluster_id"] == label

    summary = ingest(os_client, index, [story(4, hour=6)], tmp_path)  # it comes back
    assert summary.indexed == 1
    assert clusters(os_client, index.index)["wire-story-4"] == label


def test_reingesting_adds_nothing_and_moves_nothing(
    index: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    records = [story(5), story(5, outlet="Herald"), near_copy(5, "Courier", 10), story(6)]
    ingest(os_client, index, records, tmp_path)
    before = clusters(os_client, index.index)

    again = ingest(os_client, index, records, tmp_path)

    assert (again.indexed, again.updated, again.unchanged) == (0, 0, 4)
    assert clusters(os_client, index.index) == before


def test_two_ingests_at_once_still_put_copies_in_one_cluster(
    index: Settings, os_client: OpenSearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both look for candidates before either has written (a barrier makes sure), so each
    founds a cluster of its own; the check after writing must join them."""
    both_looked = threading.Barrier(2, timeout=30)
    looked_up = clusterer.cluster_batch

    def look_then_wait(*args: Any, **kwargs: Any) -> Any:
        decision = looked_up(*args, **kwargs)
        both_looked.wait()
        return decision

    monkeypatch.setattr(clusterer, "cluster_batch", look_then_wait)
    stories = range(10, 20)
    runs = {
        "first": [story(n) for n in stories],
        "second": [near_copy(n, "Courier", hour=12) for n in stories],
    }
    summaries: dict[str, IngestSummary] = {}

    def run(name: str) -> None:
        summaries[name] = ingest(os_client, index, runs[name], tmp_path)

    threads = [threading.Thread(target=run, args=(name,)) for name in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    found = clusters(os_client, index.index)
    assert len(found) == 20
    for n in stories:
        assert found[f"wire-story-{n}"] == found[f"courier-story-{n}"] == f"courier-story-{n}"
    assert sum(s.clusters_merged for s in summaries.values()) >= len(stories)
    # and each member stores the pair, whichever ingest summarised last
    assert set(stored_counts(os_client, index.index).values()) == {2}


def test_an_article_whose_text_changes_leaves_its_cluster_and_the_copies_it_left_say_so(
    index: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    records = [story(3), story(3, outlet="Herald"), near_copy(3, "Courier", 12)]
    ingest(os_client, index, records, tmp_path)
    assert set(stored_counts(os_client, index.index).values()) == {3}

    rewritten = story(3, outlet="Herald", body=story(30).body)  # a different story now
    assert ingest(os_client, index, [rewritten], tmp_path).updated == 1

    counts = stored_counts(os_client, index.index)
    assert counts == {"wire-story-3": 2, "courier-story-3": 2, "herald-story-3": 1}
    assert copies(index, "wire-story-3")["count"] == 2


def test_a_clustering_failure_never_blocks_indexing(
    index: Settings, os_client: OpenSearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise TransportError(503, "search_phase_execution_exception", {})

    monkeypatch.setattr(IndexStore, "candidates", refuse)
    summary = ingest(os_client, index, [story(7), story(7, outlet="Herald")], tmp_path)

    assert summary.indexed == 2
    assert summary.warnings == {"copies_not_clustered": 2, "copies_not_reconciled": 2}
    found = clusters(os_client, index.index)
    assert found == {"wire-story-7": "wire-story-7", "herald-story-7": "herald-story-7"}

    monkeypatch.undo()
    assert recluster(os_client, index.index)["exact_copies"] == 1
    found = clusters(os_client, index.index)
    assert found["wire-story-7"] == found["herald-story-7"]
    assert stored_counts(os_client, index.index) == {"wire-story-7": 2, "herald-story-7": 2}


def test_dedupe_reindex_clusters_an_index_filled_without_clustering(
    index: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    records = [story(8), story(8, outlet="Herald"), near_copy(8, "Courier", 10), story(9)]
    with DeadLetters(tmp_path / "dead.ndjson") as dead:
        Ingestor(os_client, index.index, NoEntities(), dead, cluster_copies=False).run(records)
    os_client.indices.refresh(index=index.index)
    assert set(clusters(os_client, index.index).values()) == {None}

    done = recluster(os_client, index.index)

    assert (done["articles"], done["exact_copies"], done["near_copies"]) == (4, 1, 1)
    assert done["clusters"] == 2
    found = clusters(os_client, index.index)
    assert found["wire-story-8"] == found["herald-story-8"] == found["courier-story-8"]
    assert found["wire-story-9"] == "wire-story-9"
    assert recluster(os_client, index.index)["clusters"] == 2  # again: the same clusters
    assert clusters(os_client, index.index) == found
