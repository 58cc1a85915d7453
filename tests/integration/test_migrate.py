"""`newsroom index migrate` while articles keep arriving: every write made before, during and
after the migration is in the new index, and an update made during it beats the old copy."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch, helpers

from search import languages
from search.index import schema
from search.index.bulk import BulkDoc, BulkPolicy, BulkWriter
from search.query.compiler import compile_query
from search.settings import Settings
from tests.conftest import ROOT
from tests.integration.test_cursor_paging import article

pytestmark = pytest.mark.integration

STORED = 4000  # enough that the copy takes a while, so writes overlap it


@pytest.fixture
def alias(node_settings: Settings, os_client: OpenSearch) -> Iterator[str]:
    name = f"test-migrate-{uuid.uuid4().hex[:10]}"
    schema.ensure_index(os_client, name)
    try:
        yield name
    finally:
        # Every version, also the one the migration took out of the alias.
        for index in os_client.indices.get(index=f"{name}-v*", expand_wildcards="all"):
            os_client.indices.delete(index=index)


def _doc(n: int, prefix: str, **fields: str) -> BulkDoc:
    source = article(n, **fields)
    source["id"] = f"{prefix}-{n:05d}"
    return BulkDoc(source["id"], source)


def _write(client: OpenSearch, alias: str, docs: list[BulkDoc]) -> None:
    for result in BulkWriter(client, alias, BulkPolicy(chunk_docs=1000)).write(docs):
        assert result.outcome != "failed", result.reason


def _stored(client: OpenSearch, index: str) -> dict[str, str]:
    client.indices.refresh(index=index)
    hits = helpers.scan(client, index=index, query={"query": {"match_all": {}}})
    return {hit["_id"]: hit["_source"]["title"] for hit in hits}


def test_writes_made_while_migrating_all_reach_the_new_index(
    node_settings: Settings, os_client: OpenSearch, alias: str
) -> None:
    _write(os_client, alias, [_doc(n, "old") for n in range(STORED)])
    old = schema.current_index(os_client, alias)
    written: dict[str, str] = {}
    during: list[str] = []
    migrating = threading.Event()
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_writing() -> None:
        """New articles, and corrections of stored ones, through the alias as ingest does."""
        n = 0
        try:
            while not stop.is_set():
                batch = [_doc(n, "live"), _doc(n, "old", title=f"Corrected {n}")]
                _write(os_client, alias, batch)
                written.update({doc.id: doc.source["title"] for doc in batch})
                if migrating.is_set():
                    during.extend(doc.id for doc in batch)
                n += 1
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)

    writer = threading.Thread(target=keep_writing, daemon=True)
    writer.start()
    time.sleep(0.3)
    migrating.set()
    migrated = schema.migrate(os_client, alias)
    migrating.clear()
    time.sleep(0.3)
    stop.set()
    writer.join(timeout=60)

    assert errors == []
    assert len(during) >= 10, "the writes did not overlap the migration"
    assert migrated.old_index == old
    assert schema.current_index(os_client, alias) == migrated.new_index
    assert os_client.indices.get_alias(name=alias).keys() == {migrated.new_index}
    stored = _stored(os_client, migrated.new_index)
    missing = sorted(set(written) - set(stored))
    assert missing == [], f"{len(missing)} writes lost, e.g. {missing[:5]}"
    assert {i: stored[i] for i in written} == written  # corrections beat the old copies
    expected = {f"old-{n:05d}" for n in range(STORED)} | set(written)
    assert set(stored) == expected
    assert _stored(os_client, alias) == stored  # the alias reads the new index, once


def test_searches_during_a_migration_see_each_article_once(
    node_settings: Settings, os_client: OpenSearch, alias: str
) -> None:
    _write(os_client, alias, [_doc(n, "old") for n in range(STORED)])
    os_client.indices.refresh(index=alias)
    totals: list[int] = []
    stop = threading.Event()

    def keep_counting() -> None:
        while not stop.is_set():
            totals.append(int(os_client.count(index=alias)["count"]))

    counter = threading.Thread(target=keep_counting, daemon=True)
    counter.start()
    schema.migrate(os_client, alias)
    stop.set()
    counter.join(timeout=60)
    assert len(totals) >= 3
    assert set(totals) == {STORED}


def test_migrating_an_index_from_before_the_language_fields_loses_nothing_under_queries(
    node_settings: Settings, os_client: OpenSearch
) -> None:
    """An index made with the mapping of before (English analysis only) and its Korean articles
    as they were written then: `migrate` under a steady query load gives each its language's
    fields, and no query in between finds fewer articles than before it started."""
    alias = f"test-migrate-lang-{uuid.uuid4().hex[:10]}"
    before = schema.index_body()
    for name in languages.mapping_properties():
        del before["mappings"]["properties"][name]
    os_client.indices.create(index=f"{alias}-v2", body={**before, "aliases": {alias: {}}})
    records = [
        json.loads(line)
        for line in (ROOT / "samples" / "wikinews-ko.ndjson").read_text("utf-8").splitlines()
    ]
    fields = ("id", "url", "title", "body", "language", "source")
    _write(os_client, alias, [BulkDoc(r["id"], {k: r[k] for k in fields}) for r in records])
    os_client.indices.refresh(index=alias)
    noun = "대통령"
    query = {"query": compile_query(noun), "size": 0, "track_total_hits": True}

    def matching() -> int:
        return int(os_client.search(index=alias, body=query)["hits"]["total"]["value"])

    whole_words = matching()
    totals: list[int] = []
    counts: list[int] = []
    stop = threading.Event()

    def keep_querying() -> None:
        while not stop.is_set():
            totals.append(matching())
            counts.append(int(os_client.count(index=alias)["count"]))

    reader = threading.Thread(target=keep_querying, daemon=True)
    reader.start()
    try:
        migrated = schema.migrate(os_client, alias)
        time.sleep(0.3)
    finally:
        stop.set()
        reader.join(timeout=60)
        for index in os_client.indices.get(index=f"{alias}-v*", expand_wildcards="all"):
            os_client.indices.delete(index=index)
    with_particles = sum(noun in f"{r['title']} {r['body']}" for r in records)
    assert migrated.documents == len(records)
    assert len(totals) >= 3
    assert set(counts) == {len(records)}, "every search saw every article, once"
    assert min(totals) == whole_words < with_particles
    assert totals[-1] == with_particles, "after the swap 대통령 matches 대통령은, 대통령의 ..."
