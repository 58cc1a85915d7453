"""How a free-text search orders its hits beyond BM25, measured with `bench/relevance.py`
(Reuters-21578 stories judged by their human TOPICS labels). Pure.

One-line items (price ticks such as "NY COCOA 12:30", table headers, schedule notes) name a
query's word in a title of three words and win every length normalisation; for `cocoa` they
took seven of the top ten. Stories shorter than `SHORT_STORY_WORDS` keep `SHORT_STORY_WEIGHT`
of their score, so a story about the market ranks above its price ticks without hiding them.
Recency is never a factor: it is a sort order a journalist picks.
"""

from __future__ import annotations

from typing import Any, Final

from search.fields import WORD_COUNT

SHORT_STORY_WORDS: Final = 60
SHORT_STORY_WEIGHT: Final = 0.75


def ranked(query: dict[str, Any]) -> dict[str, Any]:
    """`query` with very short items demoted; only for searches ordered by relevance."""
    short = {"range": {WORD_COUNT: {"lt": SHORT_STORY_WORDS}}}
    return {
        "function_score": {
            "query": query,
            "functions": [{"filter": short, "weight": SHORT_STORY_WEIGHT}],
            "boost_mode": "multiply",
        }
    }
