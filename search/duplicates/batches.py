"""One batch clustered against what is already stored, wherever that is: the index at ingest,
a dictionary in the evaluation and the unit tests. Both answer the same two questions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from search.duplicates.clusters import DEFAULT_RULE, CopyRule, Decision, Fingerprint, Stored, decide

#: Clusters looked at per article: each by its member sharing the most band keys with it.
CLUSTERS_PER_ARTICLE = 10


class CandidateStore(Protocol):
    def candidates(
        self, batch: Sequence[Fingerprint], *, outside: Mapping[str, str] | None = None
    ) -> dict[str, list[Stored]]:
        """Per article, stored articles sharing a band key with it, at most one per cluster
        (the one sharing the most), skipping the cluster `outside` names for the article."""
        ...

    def relabel(self, merges: Mapping[str, str]) -> None:
        """Move the members of each old cluster to the cluster it joins."""
        ...


def cluster_batch(
    store: CandidateStore,
    batch: Sequence[Fingerprint],
    *,
    previous_labels: Mapping[str, str | None] | None = None,
    rule: CopyRule = DEFAULT_RULE,
) -> Decision:
    """Labels for a batch about to be written; clusters it links are merged at once."""
    decision = decide(batch, store.candidates(batch), previous_labels=previous_labels, rule=rule)
    if decision.merges:
        store.relabel(decision.merges)
    return decision


def reconcile(
    store: CandidateStore,
    batch: Sequence[Fingerprint],
    labels: Mapping[str, str],
    *,
    rule: CopyRule = DEFAULT_RULE,
) -> dict[str, str]:
    """After the batch is written and visible: copies another ingest wrote meanwhile, in
    another cluster, are joined now. Returns the merges made.

    Why it suffices: two ingests each write, make their writes visible, then look. If the one
    that looks first misses the other's copy, that copy was written after its own write became
    visible, so the other ingest, looking later, finds it.
    """
    candidates = store.candidates(batch, outside=labels)
    if not any(candidates.values()):
        return {}
    decision = decide(batch, candidates, joined=labels, rule=rule)
    if decision.merges:
        store.relabel(decision.merges)
    return decision.merges


@dataclass
class MemoryStore:
    """The index's part in clustering, in a dictionary: for the evaluation and unit tests."""

    clusters_per_article: int = CLUSTERS_PER_ARTICLE
    articles: dict[str, Stored] = field(default_factory=dict)
    _bands: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _article_bands: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, article: Fingerprint, cluster_id: str) -> None:
        for key in self._article_bands.get(article.id, ()):
            self._bands[key].discard(article.id)
        self.articles[article.id] = Stored(
            article.id, cluster_id, article.content_hash, article.shingles
        )
        self._article_bands[article.id] = article.bands
        for key in article.bands:
            self._bands[key].add(article.id)

    def remove(self, article_id: str) -> None:
        """A takedown."""
        self.articles.pop(article_id, None)
        for key in self._article_bands.pop(article_id, ()):
            self._bands[key].discard(article_id)

    def candidates(
        self, batch: Sequence[Fingerprint], *, outside: Mapping[str, str] | None = None
    ) -> dict[str, list[Stored]]:
        found: dict[str, list[Stored]] = {}
        for article in batch:
            shared: dict[str, int] = defaultdict(int)
            for key in article.bands:
                for other in self._bands.get(key, ()):
                    if other != article.id:
                        shared[other] += 1
            best: dict[str, tuple[int, str]] = {}
            skip = (outside or {}).get(article.id)
            for other, count in shared.items():
                label = self.articles[other].cluster_id
                if label != skip and (label not in best or (-count, other) < best[label]):
                    best[label] = (-count, other)
            ranked = sorted(best.values())[: self.clusters_per_article]
            found[article.id] = [self.articles[other] for _, other in ranked]
        return found

    def relabel(self, merges: Mapping[str, str]) -> None:
        for article_id, stored in list(self.articles.items()):
            if stored.cluster_id in merges:
                target = merges[stored.cluster_id]
                self.articles[article_id] = Stored(
                    stored.id, target, stored.content_hash, stored.shingles
                )

    def clusters(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for stored in self.articles.values():
            out[stored.cluster_id].append(stored.id)
        return dict(out)
