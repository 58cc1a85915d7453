"""The real archives beside the project (Reuters-21578, BBC News): every story with a body is
indexed once, exact copies too (as members of their original's cluster, reported as copies),
and a second run adds nothing. Skipped when absent.

The suite reads every other story of each archive in file order (about five minutes of NER
rather than ten, which keeps CI under half an hour); `NEWSROOM_TEST_CORPUS_EVERY=1` reads the
whole archives, as a change to the extraction rules should be tried before it lands. Half is
what the identity checks need: on a third, "Reagan" has too few links to Ronald Reagan beside
Nancy Reagan's to join him archive-wide, and rightly stays a name read by its context."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from search.entities.registry import RegistryEntity
from search.entities.resolution import mention_key
from search.entities.store import registry_alias, view_for_keys
from search.ingest.run import ingest_paths
from search.settings import Settings
from tests.conftest import corpus

pytestmark = [pytest.mark.integration, pytest.mark.corpus]


#: Every how many stories the test reads: 1 for the whole archives.
EVERY = int(os.environ.get("NEWSROOM_TEST_CORPUS_EVERY", "2"))


def _sampled(paths: list[Path], out: Path) -> list[Path]:
    """Every EVERY-th line of each archive, in file order, written beside the test (or the
    archives themselves for EVERY=1)."""
    if EVERY <= 1:
        return paths
    sampled = []
    for path in paths:
        target = out / path.name
        with gzip.open(path, "rt", encoding="utf-8") as lines, gzip.open(target, "wt") as kept:
            kept.writelines(line for n, line in enumerate(lines) if n % EVERY == 0)
        sampled.append(target)
    return sampled


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


def test_archives_are_indexed_once_with_copies_reported_and_facets_worth_trusting(
    settings: Settings, os_client: OpenSearch, tmp_path: Path
) -> None:
    archives = [corpus("reuters21578.ndjson.gz"), corpus("bbc_news.ndjson.gz")]
    (tmp_path / "sample").mkdir()
    paths = _sampled(archives, tmp_path / "sample")
    with_body, distinct = _distinct_stories(paths)
    fast = settings.model_copy(update={"ner_processes": 2, "dead_letter_dir": tmp_path})

    first = ingest_paths(fast, paths)
    stored = os_client.count(index=settings.index)["count"]

    assert first.indexed == stored == with_body
    # Each exact copy joins a cluster; one whose closest member is a near copy (the same body
    # under another headline) is counted as a near copy.
    assert first.duplicates <= with_body - distinct <= first.duplicates + first.near_duplicates
    assert first.duplicates > 0
    assert set(first.rejected) == {"empty_body"}
    _check_facets(os_client, settings)

    second = ingest_paths(fast, paths)
    assert second.indexed == 0
    assert second.updated == 0
    assert second.unchanged == stored
    assert os_client.count(index=settings.index)["count"] == stored


#: The values a journalist found at the top of the facets before the registry and the wire-text
#: rules (the issue that asked for them quotes these); none may come back.
JUNK = {
    "person": {"Revs", "Avg", "U.S. Dlrs", "N.Z. Dlrs", "H.K. Dlrs", "Richard", "Robert", "John",
               "Paul", "Gerhard", "Louvre", "Brasil", "Petrobras", "JUL7"},
    "agency": {"Commission", "Bank", "Corp", "Co", "Inc", "Ltd", "Co Inc", "Shr", "Group",
               "International", "Exchange", "Federal", "Community", "Poor's Corp",
               "Securities and Exchange"},
    "location": {"United", "States", "New", "West", "Calif"},
}  # fmt: skip
#: Names of one entity each, as stories write them: they must resolve to one identity.
SAME = [
    ("person", "Reagan", "Ronald Reagan"),
    ("agency", "Fed", "Federal Reserve"),
    ("agency", "EC", "European Community"),
    ("agency", "GM", "General Motors"),
]


def _top(client: OpenSearch, index: str, type_: str, n: int = 100) -> dict[str, str]:
    """Canonical name -> identity of the facet's top `n` values."""
    body = {"size": 0, "aggs": {"top": {"terms": {"field": f"{type_}_facets", "size": n}}}}
    buckets = client.search(index=index, body=body)["aggregations"]["top"]["buckets"]
    return {b["key"].partition("|")[2]: b["key"].partition("|")[0] for b in buckets}


def _check_facets(os_client: OpenSearch, settings: Settings) -> None:
    """What a journalist reads first on the archives read: no junk, names whole, one value
    per entity however the stories write it."""
    top = {type_: _top(os_client, settings.index, type_) for type_ in JUNK}
    for type_, junk in JUNK.items():
        assert not junk & set(top[type_]), type_
    for name in ("Gerhard Stoltenberg", "Nigel Lawson", "Richard Lyng"):
        assert name in top["person"]
    assert not {"Stoltenberg", "Nigel", "Lyng"} & set(top["location"])
    keys = {mention_key(name, type_) for type_, *names in SAME for name in names}
    view = view_for_keys(os_client, registry_alias(settings.index), keys)
    for type_, short, full in SAME:
        one, other = (view.resolve(type_, mention_key(n, type_)) for n in (short, full))
        assert isinstance(one, RegistryEntity), short
        assert one == other, (short, full)
        assert one.name in top[type_]
