"""The body of an entity autocomplete: canonical names with a word starting with a prefix."""

from __future__ import annotations

import re
from typing import Any, Final

from search.query.facets import fold
from search.query.request import InvalidRequestError, facet

MAX_SUGGESTIONS: Final = 50
MAX_SUGGEST_PREFIX: Final = 100
MIN_SUGGEST_PREFIX: Final = 2


def _lucene_regex_literal(text: str) -> str:
    """Escape everything but letters and digits: Lucene regexes reserve most punctuation."""
    return "".join(ch if ch.isalnum() else "\\" + ch for ch in text)


def _suggest_words(prefix: str) -> list[str]:
    # Roughly the standard tokenizer's words: apostrophes and dots stay inside a word.
    words = re.split(r"[^\w'.]+", prefix)
    return [w.strip("'.") for w in words if w.strip("'.")]


def build_entity_suggest_body(facet_name: str, prefix: str, size: int = 10) -> dict[str, Any]:
    """Canonical names with a word starting with `prefix`, case- and accent-insensitive.

    Buckets come from the folded sub-field, kept by an `include` regex anchored at a word
    start ("zel" finds "Volodymyr Zelensky"); the query only narrows the documents visited.
    A folded bucket has no display form, so one hit per bucket brings the names back and the
    shaper picks the one that folds to the bucket.
    """
    entity = facet(facet_name)
    folded = " ".join(fold(prefix).split())
    if not MIN_SUGGEST_PREFIX <= len(folded) <= MAX_SUGGEST_PREFIX:
        raise InvalidRequestError(
            f"A suggestion prefix has {MIN_SUGGEST_PREFIX} to {MAX_SUGGEST_PREFIX} characters"
        )
    words = _suggest_words(folded)
    narrowing: list[dict[str, Any]]
    if entity.text_field is not None and words:
        last, complete = words[-1], words[:-1]
        narrowing = [{"prefix": {entity.text_field: last}}]
        if complete:
            query = {"query": " ".join(complete), "operator": "and"}
            narrowing.insert(0, {"match": {entity.text_field: query}})
    else:
        narrowing = [{"prefix": {entity.folded_field: folded}}]
    literal = _lucene_regex_literal(folded)
    include = f"{literal}.*|.* {literal}.*|.*\\-{literal}.*"
    terms = {
        "field": entity.folded_field,
        "size": max(1, min(size, MAX_SUGGESTIONS)),
        "include": include,
    }
    return {
        "query": {"bool": {"filter": narrowing}},
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "suggestions": {
                "terms": terms,
                "aggs": {
                    "display": {"top_hits": {"size": 1, "_source": {"includes": [entity.field]}}}
                },
            }
        },
    }
