"""`newsroom dedupe --reindex`: cluster the articles already in an index, from scratch.

For an index filled before clustering existed, with clustering off, or after the parameters
changed. Every article's label and band keys are cleared first, so no label of the old
clustering survives into the new one; then the stored articles run through the ingest's own
step (`cluster_batch`, one batch at a time, each made visible before the next looks), and only
`cluster_id` and `minhash_bands` are written back, and at the end each cluster's summary
(`summaries`). Texts are not read again and nothing else changes. While it runs, searches
grouping copies see clusters forming; run it when no ingest is writing, or ingest again
afterwards.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from typing import Any

from opensearchpy import OpenSearch, helpers

from search.duplicates.batches import cluster_batch
from search.duplicates.clusters import DEFAULT_RULE, CopyRule, Fingerprint, fingerprint
from search.duplicates.lookup import IndexStore
from search.duplicates.minhash import DEFAULT_LSH, LshParams
from search.duplicates.summaries import summarise_all
from search.fields import BODY, CLUSTER_ID, CONTENT_HASH, MINHASH_BANDS

_CLEAR = f"ctx._source.remove('{CLUSTER_ID}'); ctx._source.remove('{MINHASH_BANDS}')"


def label_unclustered(client: OpenSearch, index: str) -> int:
    """Give every article without a cluster its own (its id), and return how many there were.

    Grouped searches collapse on `cluster_id`, and OpenSearch collapses every article missing
    it into a single hit: an archive indexed before clusters, or articles a later ingest found
    unchanged and skipped, would show as one story. Standing alone is the truthful default until
    `newsroom dedupe --reindex` finds their copies. Cheap when nothing is missing."""
    done = client.update_by_query(
        index=index,
        body={
            "query": {"bool": {"must_not": {"exists": {"field": CLUSTER_ID}}}},
            "script": {"lang": "painless", "source": f"ctx._source.{CLUSTER_ID} = ctx._id"},
        },
        conflicts="proceed",
        refresh=True,
        slices="auto",
    )
    return int(done.get("updated", 0))


def clear_clusters(client: OpenSearch, index: str) -> int:
    """Remove every label and band key; returns the number of articles that had them."""
    done = client.update_by_query(
        index=index,
        body={
            "query": {
                "bool": {
                    "should": [
                        {"exists": {"field": CLUSTER_ID}},
                        {"exists": {"field": MINHASH_BANDS}},
                    ]
                }
            },
            "script": {"source": _CLEAR, "lang": "painless"},
        },
        params={"conflicts": "proceed", "refresh": "true", "wait_for_completion": "true"},
        request_timeout=3600,
    )
    return int(done.get("updated", 0))


def _stored_prints(client: OpenSearch, index: str, params: LshParams) -> Iterator[Fingerprint]:
    hits = helpers.scan(
        client,
        index=index,
        query={"query": {"match_all": {}}, "_source": [CONTENT_HASH, BODY]},
        size=500,
    )
    for hit in hits:
        source = hit["_source"]
        yield fingerprint(
            hit["_id"], source.get(CONTENT_HASH, ""), source.get(BODY, ""), params=params
        )


def _write_labels(
    client: OpenSearch, index: str, batch: list[Fingerprint], labels: dict[str, str]
) -> Counter[str]:
    """Partial updates only: an article taken down meanwhile is not brought back."""
    lines = []
    for found in batch:
        lines.append(json.dumps({"update": {"_id": found.id, "retry_on_conflict": 3}}))
        doc = {CLUSTER_ID: labels[found.id], MINHASH_BANDS: list(found.bands)}
        lines.append(json.dumps({"doc": doc}))
    response = client.bulk(body="\n".join(lines) + "\n", index=index)
    outcomes: Counter[str] = Counter()
    for item in response["items"]:
        result = item["update"]
        outcomes["written" if "error" not in result else f"failed_{result.get('status')}"] += 1
    return outcomes


def recluster(
    client: OpenSearch,
    index: str,
    *,
    batch: int = 500,
    params: LshParams = DEFAULT_LSH,
    rule: CopyRule = DEFAULT_RULE,
) -> dict[str, Any]:
    """Cluster every article of the index anew; returns what was done."""
    cleared = clear_clusters(client, index)
    store = IndexStore(client, index)
    outcomes: Counter[str] = Counter()
    copies: Counter[str] = Counter()
    merged = 0
    prints = _stored_prints(client, index, params)
    while chunk := list(islice(prints, batch)):
        decision = cluster_batch(store, chunk, rule=rule)
        merged += len(decision.merges)
        copies.update("exact" if m.exact else "near" for m in decision.matches.values())
        outcomes.update(_write_labels(client, index, chunk, decision.labels))
        store.make_visible()
    summarised = summarise_all(client, index)
    clusters = client.search(
        index=index,
        body={"size": 0, "aggs": {"clusters": {"cardinality": {"field": CLUSTER_ID}}}},
    )["aggregations"]["clusters"]["value"]
    return {
        "articles": sum(outcomes.values()),
        "outcomes": dict(outcomes),
        "cleared": cleared,
        "exact_copies": copies["exact"],
        "near_copies": copies["near"],
        "clusters_merged": merged,
        "clusters": int(clusters),
        "summaries_changed": summarised,
    }
