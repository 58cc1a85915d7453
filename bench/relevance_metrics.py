"""Relevance judgments from Reuters TOPICS and the ranking metrics bench.relevance reports.

Pure functions over story ids, so the figures can be checked by hand and do not depend on the
node: P@10, graded nDCG@10 and recall@100, per query and as a mean.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Every HELD_OUT_EVERY-th query (3rd, 6th ...) is kept aside while tuning.
HELD_OUT_EVERY = 3
CUTOFF = 10
RECALL_DEPTH = 100


@dataclass(frozen=True)
class Query:
    """A journalist's query and the labels that make a story relevant to it."""

    q: str
    topics: frozenset[str]
    places: frozenset[str] = field(default_factory=frozenset)
    held_out: bool = False


@dataclass(frozen=True)
class Story:
    """What judging needs of a story: its TOPICS (in source order) and PLACES."""

    topics: tuple[str, ...]
    places: frozenset[str]


def load_queries(path: Path) -> list[Query]:
    """The query file, split deterministically by position (see HELD_OUT_EVERY)."""
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Query(
            q=entry["q"],
            topics=frozenset(entry["topics"]),
            places=frozenset(entry.get("places", ())),
            held_out=(n + 1) % HELD_OUT_EVERY == 0,
        )
        for n, entry in enumerate(data["query"])
    ]


def grade(query: Query, story: Story) -> int:
    """2 when the query's topic is the story's main (first) topic, 1 when a later one, else 0."""
    if query.places and not query.places & story.places:
        return 0
    if not query.topics.intersection(story.topics):
        return 0
    return 2 if story.topics[0] in query.topics else 1


def judgments(query: Query, stories: Mapping[str, Story]) -> dict[str, int]:
    """Story id -> grade, for every story the query finds relevant."""
    graded = {sid: grade(query, story) for sid, story in stories.items()}
    return {sid: g for sid, g in graded.items() if g > 0}


def precision_at(ranking: Sequence[str], relevant: Mapping[str, int], k: int = CUTOFF) -> float:
    return sum(1 for sid in ranking[:k] if sid in relevant) / k


def _dcg(grades: Sequence[int]) -> float:
    return sum(((1 << g) - 1) / math.log2(rank + 2) for rank, g in enumerate(grades))


def ndcg_at(ranking: Sequence[str], relevant: Mapping[str, int], k: int = CUTOFF) -> float:
    """Graded nDCG, against the best ranking of every relevant story in the corpus."""
    ideal = _dcg(sorted(relevant.values(), reverse=True)[:k])
    return _dcg([relevant.get(sid, 0) for sid in ranking[:k]]) / ideal if ideal else 0.0


def recall_at(ranking: Sequence[str], relevant: Mapping[str, int], k: int = RECALL_DEPTH) -> float:
    """Share of all relevant stories in the top k; capped below 1 when more than k exist."""
    return sum(1 for sid in ranking[:k] if sid in relevant) / len(relevant) if relevant else 0.0


def scores(ranking: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    return {
        "p@10": precision_at(ranking, relevant),
        "ndcg@10": ndcg_at(ranking, relevant),
        "recall@100": recall_at(ranking, relevant),
    }


METRICS = ("p@10", "ndcg@10", "recall@100")


def mean_scores(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Arithmetic mean of each metric over the queries, rounded for the tables."""
    if not per_query:
        return dict.fromkeys(METRICS, math.nan)
    return {m: round(sum(s[m] for s in per_query) / len(per_query), 4) for m in METRICS}
