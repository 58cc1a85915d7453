"""Clustering as a step of the ingest: label a batch before it is written, reconcile after.

Per batch: one candidate search before writing (labels, and merges of clusters the batch
links), then, once the batch is written, one refresh and one more search for copies that
another ingest wrote meanwhile (`batches.reconcile`), and the summaries of the clusters the
batch touched written to their members (`summaries`: one aggregation, one update-by-query). The
refresh also lets the next batch of this run find this one. A failure of any of these never
holds articles back: they are written as clusters of their own (with their band keys, so later
copies still find them) and the run records a warning; `newsroom dedupe --reindex` clusters them
later, `newsroom dedupe --summaries` summarises again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

from search.duplicates.batches import cluster_batch, reconcile
from search.duplicates.clusters import (
    DEFAULT_RULE,
    CopyRule,
    Decision,
    Fingerprint,
    fingerprint,
    founding_label,
)
from search.duplicates.lookup import IndexStore, LookupFailed
from search.duplicates.minhash import DEFAULT_LSH, LshParams
from search.duplicates.summaries import summarise
from search.models import Article

log = logging.getLogger(__name__)
_FAILURES = (OSConnectionError, TransportError, LookupFailed)
#: Examples of copies kept for the run's summary.
EXAMPLES = 50


@dataclass
class ClusterTally:
    """What clustering did in a run, for the ingest summary."""

    exact: int = 0
    near: int = 0
    merged: int = 0
    unclustered: int = 0
    unreconciled: int = 0
    unsummarised: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Labelled:
    """A batch ready to write: articles with their cluster, and each one's band keys."""

    articles: list[Article]
    prints: dict[str, Fingerprint]


class CopyClusterer:
    """Clusters the batches of one run into one index or alias."""

    def __init__(
        self,
        client: OpenSearch,
        index: str,
        *,
        params: LshParams = DEFAULT_LSH,
        rule: CopyRule = DEFAULT_RULE,
    ) -> None:
        self._store = IndexStore(client, index)
        self._params = params
        self._rule = rule
        self._client = client
        self._index = index
        #: Clusters an article of the batch left or entered as its text changed: the one left
        #: has shrunk, and the article still holds the summary of the one it left.
        self._moved: set[str] = set()
        #: Clusters of the batch that may hold more than one article: those an article joined
        #: or linked, and those of articles whose text changed. The rest founded clusters of
        #: one, which store no summary, so a batch without copies costs no request for them.
        self._grown: set[str] = set()
        self.tally = ClusterTally()

    def label(
        self,
        articles: Sequence[Article],
        refs: Sequence[str] = (),
        *,
        text_changed: Collection[str] = (),
    ) -> Labelled:
        """Each article with its `cluster_id`. For the articles in `text_changed` (stored
        before with another text), `article.cluster_id` on the way in is their old label."""
        prints = [fingerprint(a.id, a.content_hash, a.body, params=self._params) for a in articles]
        previous = {a.id: a.cluster_id if a.id in text_changed else None for a in articles}
        try:
            decision = cluster_batch(self._store, prints, previous_labels=previous, rule=self._rule)
        except _FAILURES as exc:
            log.warning("copies not clustered for %d articles: %s", len(articles), exc)
            self.tally.unclustered += len(articles)
            decision = Decision(labels={p.id: founding_label(p, previous[p.id]) for p in prints})
        self._count(decision, dict(zip((a.id for a in articles), refs, strict=False)))
        self._moved = set()
        for article_id, old in previous.items():
            if old is not None and old != decision.labels[article_id]:
                self._moved.update((old, decision.labels[article_id]))
        grown = (*decision.matches, *text_changed)
        self._grown = {decision.labels[i] for i in grown if i in decision.labels}
        self._grown |= set(decision.merges.values())
        labelled = [a.model_copy(update={"cluster_id": decision.labels[a.id]}) for a in articles]
        return Labelled(labelled, {p.id: p for p in prints})

    def reconcile(self, written: Sequence[Article], prints: dict[str, Fingerprint]) -> None:
        """After the batch is written: make it visible, join copies written meanwhile, and
        store the summaries of the clusters it touched."""
        batch = [prints[a.id] for a in written if a.id in prints]
        if not batch:
            return
        labels = {a.id: str(a.cluster_id) for a in written if a.id in prints}
        try:
            self._store.make_visible()
            merges = reconcile(self._store, batch, labels, rule=self._rule)
        except _FAILURES as exc:
            log.warning("copies written meanwhile not checked for %d articles: %s", len(batch), exc)
            self.tally.unreconciled += len(batch)
            merges = {}
        self.tally.merged += len(merges)
        self._summarise({*self._grown, *merges.values()}, relabelled=bool(merges))

    def _summarise(self, clusters: set[str], *, relabelled: bool) -> None:
        moved, self._moved, self._grown = self._moved, set(), set()
        if not clusters and not moved:
            return
        try:
            if relabelled:  # the members reconcile moved must be visible to the count
                self._store.make_visible()
            summarise(self._client, self._index, clusters, shrink=moved)
        except (OSConnectionError, TransportError) as exc:
            log.warning("summaries of %d clusters not stored: %s", len(clusters), exc)
            self.tally.unsummarised += len(clusters)

    def _count(self, decision: Decision, refs: dict[str, str]) -> None:
        self.tally.merged += len(decision.merges)
        for match in decision.matches.values():
            if match.exact:
                self.tally.exact += 1
            else:
                self.tally.near += 1
            if len(self.tally.examples) < EXAMPLES:
                self.tally.examples.append(
                    {
                        "id": match.id,
                        "duplicate_of": match.copy_of,
                        "cluster_id": decision.labels[match.id],
                        "exact": match.exact,
                        "similarity": round(match.similarity, 3),
                        "location": refs.get(match.id, ""),
                    }
                )
