"""Which articles are copies of which, and the cluster each one belongs to: pure decisions.

**A copy** is an article whose body shares most of its word shingles with another's:
Jaccard similarity of the two shingle sets at least `COPY_JACCARD`, or, for a cut version, at
least `COPY_CONTAINMENT` of the shorter text's shingles found in the longer one. Both are exact
figures, computed from the shingle sets themselves (a candidate's stored body is read anyway), so
MinHash serves only to find candidates. A short text (a dividend notice, a price line) shares
most of its few shingles with every notice of the same template, so below `MIN_SHINGLES` only a
near-exact match counts. The figures were tuned on the labelled set of `newsroom eval
duplicates` (README: "Near-duplicate clusters").

**A cluster** is the articles linked by copy relations, at ingest, in any order. Its id is a
label, not a fact about its members: the smallest id among the articles that founded it, kept
as others join. When one batch links articles of several clusters they become one, under the
smallest label (`Decision.merges`). The minimum is commutative and idempotent, so ingests that
discover the same links in any order, or at once, agree on the label. What a cluster shows (its
size, outlets, first and last publication) is stored with its members (`summaries`), its lead
found from the members when asked (`GET /v1/articles/{id}/copies`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from search.duplicates.minhash import DEFAULT_LSH, LshParams, band_keys, signature
from search.duplicates.shingles import SHINGLE_WORDS, Shingles, shingle_hashes

#: Jaccard similarity from which two bodies are copies (measured: see the module docstring).
COPY_JACCARD: Final = 0.5
#: Share of the shorter body's shingles found in the longer one from which it is a cut copy.
COPY_CONTAINMENT: Final = 0.8
#: Below this many shingles (about as many words), only a near-exact match is a copy.
MIN_SHINGLES: Final = 40
SHORT_TEXT_JACCARD: Final = 0.9


@dataclass(frozen=True)
class Fingerprint:
    """What clustering needs of one article: its shingles and the band keys to look them up."""

    id: str
    content_hash: str
    shingles: Shingles = field(repr=False, compare=False)
    bands: tuple[str, ...]


def fingerprint(
    article_id: str,
    content_hash: str,
    body: str,
    *,
    params: LshParams = DEFAULT_LSH,
    shingle_words: int = SHINGLE_WORDS,
) -> Fingerprint:
    shingles = shingle_hashes(body, shingle_words)
    bands = band_keys(signature(shingles, params.permutations), params)
    return Fingerprint(article_id, content_hash, shingles, tuple(bands))


@dataclass(frozen=True)
class Stored:
    """A candidate already in the index: an article sharing a band key with one of the batch."""

    id: str
    cluster_id: str
    content_hash: str
    shingles: Shingles = field(repr=False, compare=False)


@dataclass(frozen=True)
class CopyRule:
    """The verification thresholds, one object so the evaluation can sweep them."""

    jaccard: float = COPY_JACCARD
    containment: float = COPY_CONTAINMENT
    min_shingles: int = MIN_SHINGLES
    short_jaccard: float = SHORT_TEXT_JACCARD

    def similarity(self, a: Shingles, b: Shingles) -> float | None:
        """The pair's Jaccard similarity if they are copies, else None."""
        if a.size == 0 or b.size == 0:
            return None
        shared = np.intersect1d(a, b, assume_unique=True).size
        jaccard = shared / (a.size + b.size - shared)
        if min(a.size, b.size) < self.min_shingles:
            return jaccard if jaccard >= self.short_jaccard else None
        if jaccard >= self.jaccard or shared / min(a.size, b.size) >= self.containment:
            return jaccard
        return None


DEFAULT_RULE: Final = CopyRule()


@dataclass(frozen=True)
class Match:
    """An article of the batch found to be a copy of an article seen before it."""

    id: str
    copy_of: str
    similarity: float
    exact: bool


@dataclass
class Decision:
    """The cluster of each article of the batch, and the clusters to fold into another."""

    labels: dict[str, str] = field(default_factory=dict)
    #: old cluster id -> the cluster id its members take
    merges: dict[str, str] = field(default_factory=dict)
    #: each article's best match among those seen before it (earlier in the index or batch)
    matches: dict[str, Match] = field(default_factory=dict)


class _Components:
    """Union-find over article and cluster nodes."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        parent = self._parent.setdefault(node, node)
        while parent != node:
            grand = self._parent[parent]
            self._parent[node] = grand
            node, parent = parent, grand
        return node

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for node in list(self._parent):
            out[self.find(node)].append(node)
        return out


def _article(article_id: str) -> str:
    return f"a\x00{article_id}"


def _cluster(label: str) -> str:
    return f"c\x00{label}"


def founding_label(article: Fingerprint, previous_label: str | None) -> str:
    """The label an article gives a cluster it founds: its id, unless it already names a
    cluster (it founded one before, then its text changed and it no longer belongs there),
    where the id may still label the copies it left."""
    if previous_label == article.id:
        return f"{article.id}~{article.content_hash[:12]}"
    return article.id


def _note(decision: Decision, match: Match) -> None:
    best = decision.matches.get(match.id)
    if best is None or (match.similarity, match.exact) > (best.similarity, best.exact):
        decision.matches[match.id] = match


def _link_stored(
    batch: Sequence[Fingerprint],
    candidates: Mapping[str, Sequence[Stored]],
    components: _Components,
    decision: Decision,
    rule: CopyRule,
) -> None:
    for article in batch:
        node = _article(article.id)
        for stored in candidates.get(article.id, ()):
            if stored.id == article.id:
                continue  # its own earlier version
            if components.find(node) == components.find(_cluster(stored.cluster_id)):
                continue
            similarity = rule.similarity(article.shingles, stored.shingles)
            if similarity is not None:
                components.union(node, _cluster(stored.cluster_id))
                exact = stored.content_hash == article.content_hash
                _note(decision, Match(article.id, stored.id, similarity, exact))


def _link_batch(
    batch: Sequence[Fingerprint], components: _Components, decision: Decision, rule: CopyRule
) -> None:
    """Copies within the batch, found through shared band keys as in the index."""
    position = {a.id: n for n, a in enumerate(batch)}
    buckets: dict[str, list[Fingerprint]] = defaultdict(list)
    for article in batch:
        for key in article.bands:
            buckets[key].append(article)
    for members in buckets.values():
        for i, later in enumerate(members):
            for earlier in members[:i]:
                if earlier.id == later.id:
                    continue
                a, b = _article(earlier.id), _article(later.id)
                if components.find(a) == components.find(b):
                    continue
                similarity = rule.similarity(earlier.shingles, later.shingles)
                if similarity is None:
                    continue
                components.union(a, b)
                first, second = sorted((earlier, later), key=lambda f: position[f.id])
                exact = first.content_hash == second.content_hash
                _note(decision, Match(second.id, first.id, similarity, exact))


def decide(
    batch: Sequence[Fingerprint],
    candidates: Mapping[str, Sequence[Stored]],
    *,
    joined: Mapping[str, str] | None = None,
    previous_labels: Mapping[str, str | None] | None = None,
    rule: CopyRule = DEFAULT_RULE,
) -> Decision:
    """Cluster the batch against the stored candidates of each of its articles.

    `joined` ties articles to clusters they already belong to (the check after writing, when
    a copy written by another ingest meanwhile may have come to light); `previous_labels` are
    the labels articles carried before this version of their text (see `founding_label`).
    """
    components = _Components()
    decision = Decision()
    for article in batch:
        components.find(_article(article.id))
    for article_id, label in (joined or {}).items():
        components.union(_article(article_id), _cluster(label))
    _link_stored(batch, candidates, components, decision, rule)
    _link_batch(batch, components, decision, rule)
    previous = previous_labels or {}
    by_id = {a.id: a for a in batch}
    for nodes in components.groups().values():
        labels = sorted(n.split("\x00", 1)[1] for n in nodes if n.startswith("c\x00"))
        ids = [n.split("\x00", 1)[1] for n in nodes if n.startswith("a\x00")]
        if labels:
            target = labels[0]
            decision.merges.update(dict.fromkeys(labels[1:], target))
        else:
            target = min(founding_label(by_id[i], previous.get(i)) for i in ids)
        decision.labels.update(dict.fromkeys(ids, target))
    return decision


def pairs(clusters: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    """Every unordered pair of members of the same cluster (for pairwise precision and recall)."""
    out: set[tuple[str, str]] = set()
    for members in clusters:
        ordered = sorted(set(members))
        out.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])
    return out
