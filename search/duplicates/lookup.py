"""The index as the store clustering asks: candidates by band keys, clusters relabelled.

Two requests per batch at most. First one `terms` query on every band key of the batch, which
answers ids, clusters and band keys only: most articles have no copy, and they are done with.
Then, for the articles that met someone, one `_msearch`: per article, a search for the articles
sharing any of its band keys, scored by how many they share (each key a constant-score clause),
collapsed on `cluster_id` so one cluster of a thousand wire copies takes one place among the
answers and cannot hide another. The bodies of those few come along: the copy rule compares
exact shingle sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from opensearchpy import OpenSearch

from search.duplicates.batches import CLUSTERS_PER_ARTICLE
from search.duplicates.clusters import Fingerprint, Stored
from search.duplicates.shingles import SHINGLE_WORDS, shingle_hashes
from search.fields import BODY, CLUSTER_ID, CONTENT_HASH, MINHASH_BANDS

#: Lowers a member's label only: merges made by several ingests at once never undo each other,
#: whatever order they land in (the label is the minimum of all that were joined).
RELABEL_SCRIPT: Final = (
    "String to = params.to; String now = ctx._source.cluster_id; "
    "if (now == null || now.compareTo(to) > 0) { ctx._source.cluster_id = to } "
    "else { ctx.op = 'noop' }"
)


#: Hits the first query reads at most; past that (a batch of copies of huge clusters) every
#: article of the batch gets its own search.
PREFILTER_HITS: Final = 2000


#: Times a relabel is run while other writers keep changing the members it moves.
RELABEL_ATTEMPTS: Final = 5


class LookupFailed(RuntimeError):
    """A part of the candidate search failed: the batch is written unclustered, with a warning."""


def candidate_search(
    article: Fingerprint, *, outside: str | None = None, size: int = CLUSTERS_PER_ARTICLE
) -> dict[str, Any]:
    """The body of one article's candidate search (pure)."""
    must_not: list[dict[str, Any]] = [{"ids": {"values": [article.id]}}]
    if outside is not None:
        must_not.append({"term": {CLUSTER_ID: outside}})
    return {
        "size": size,
        "_source": [CLUSTER_ID, CONTENT_HASH, BODY],
        "query": {
            "bool": {
                "should": [
                    {"constant_score": {"filter": {"term": {MINHASH_BANDS: key}}, "boost": 1.0}}
                    for key in article.bands
                ],
                "minimum_should_match": 1,
                "filter": [{"exists": {"field": CLUSTER_ID}}],
                "must_not": must_not,
            }
        },
        "collapse": {"field": CLUSTER_ID},
    }


def prefilter_body(batch: Sequence[Fingerprint]) -> dict[str, Any]:
    """One query for every stored article sharing any band key with the batch (pure)."""
    keys = sorted({key for article in batch for key in article.bands})
    return {
        "size": PREFILTER_HITS,
        "track_total_hits": PREFILTER_HITS + 1,
        "_source": [CLUSTER_ID, MINHASH_BANDS],
        "query": {
            "bool": {
                "filter": [{"terms": {MINHASH_BANDS: keys}}, {"exists": {"field": CLUSTER_ID}}]
            }
        },
    }


def meeting(
    batch: Sequence[Fingerprint],
    raw: Mapping[str, Any],
    *,
    outside: Mapping[str, str] | None = None,
) -> list[Fingerprint]:
    """The articles of the batch that share a band key with a stored article other than
    themselves, in a cluster other than the one `outside` names; all of them when the first
    query could not list every hit."""
    hits = raw["hits"]["hits"]
    if int(raw["hits"]["total"]["value"]) > len(hits):
        return [a for a in batch if a.bands]
    holders: dict[str, list[tuple[str, str]]] = {}
    for hit in hits:
        for key in hit["_source"].get(MINHASH_BANDS, []):
            holders.setdefault(key, []).append((hit["_id"], hit["_source"][CLUSTER_ID]))
    skip = outside or {}
    return [
        article
        for article in batch
        if any(
            other != article.id and cluster != skip.get(article.id)
            for key in article.bands
            for other, cluster in holders.get(key, ())
        )
    ]


def msearch_lines(
    batch: Sequence[Fingerprint], *, outside: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Header and body per article that has band keys (an empty text has none)."""
    lines: list[dict[str, Any]] = []
    for article in batch:
        if article.bands:
            lines.append({})
            lines.append(candidate_search(article, outside=(outside or {}).get(article.id)))
    return lines


def parse_candidates(
    batch: Sequence[Fingerprint], raw: Mapping[str, Any], *, shingle_words: int = SHINGLE_WORDS
) -> dict[str, list[Stored]]:
    """The stored candidates per article, their shingles computed from the bodies returned."""
    responses = iter(raw.get("responses", []))
    found: dict[str, list[Stored]] = {}
    for article in batch:
        if not article.bands:
            found[article.id] = []
            continue
        response = next(responses, None)
        if response is None or "error" in response:
            reason = (response or {}).get("error", "no answer")
            raise LookupFailed(f"candidate search for {article.id} failed: {reason}")
        found[article.id] = [
            Stored(
                id=hit["_id"],
                cluster_id=hit["_source"][CLUSTER_ID],
                content_hash=hit["_source"].get(CONTENT_HASH, ""),
                shingles=shingle_hashes(hit["_source"].get(BODY, ""), shingle_words),
            )
            for hit in response["hits"]["hits"]
        ]
    return found


class IndexStore:
    """`CandidateStore` over an index or alias."""

    def __init__(
        self, client: OpenSearch, index: str, *, shingle_words: int = SHINGLE_WORDS
    ) -> None:
        self._client = client
        self._index = index
        self._shingle_words = shingle_words
        self.relabelled = 0

    def candidates(
        self, batch: Sequence[Fingerprint], *, outside: Mapping[str, str] | None = None
    ) -> dict[str, list[Stored]]:
        found: dict[str, list[Stored]] = {a.id: [] for a in batch}
        if not any(a.bands for a in batch):
            return found
        first = self._client.search(index=self._index, body=prefilter_body(batch))
        looking = meeting(batch, first, outside=outside)
        if looking:
            raw = self._client.msearch(
                body=msearch_lines(looking, outside=outside), index=self._index
            )
            found.update(parse_candidates(looking, raw, shingle_words=self._shingle_words))
        return found

    def relabel(self, merges: Mapping[str, str]) -> None:
        """Move the members of each old cluster to the one it joins. A member another writer
        changed since the search behind the update saw it (a version conflict) is not skipped:
        the update runs again over a refreshed index until none is left (the script only ever
        lowers a label, so running it twice changes nothing)."""
        by_target: dict[str, list[str]] = {}
        for old, target in merges.items():
            by_target.setdefault(target, []).append(old)
        for target, olds in sorted(by_target.items()):
            for _ in range(RELABEL_ATTEMPTS):
                done = self._client.update_by_query(
                    index=self._index,
                    body={
                        "query": {"terms": {CLUSTER_ID: sorted(olds)}},
                        "script": {
                            "source": RELABEL_SCRIPT,
                            "lang": "painless",
                            "params": {"to": target},
                        },
                    },
                    params={"conflicts": "proceed", "refresh": "true"},
                )
                self.relabelled += int(done.get("updated", 0))
                if not done.get("version_conflicts"):
                    break
                self.make_visible()
            else:
                raise LookupFailed(f"members of {olds} kept changing; not all moved to {target}")

    def make_visible(self) -> None:
        """What was written so far becomes searchable: the next lookups see it."""
        self._client.indices.refresh(index=self._index)
