"""The "related articles" body: more_like_this over the article's own words. Pure."""

from __future__ import annotations

from typing import Any

from search.fields import BODY, CLUSTER_ID, CONTENT_HASH, TITLE
from search.languages import field_suffix
from search.query.hits import source


def build_related_body(
    article_id: str,
    index: str,
    *,
    content_hash: str | None = None,
    cluster_id: str | None = None,
    cluster_size: int = 1,
    size: int = 10,
    language: str | None = None,
) -> dict[str, Any]:
    """Articles like this one (more_like_this on title and body), minus itself and its copies.

    An article in a language of its own analysis is compared on its language's fields: words as
    that language inflects them are one term there, and only articles in it carry those fields.

    `content_hash` and `cluster_id` (from the article being shown) also drop re-publications
    of the same text and its near copies. A term only the story's own copies use says nothing
    about other stories, yet its rarity would make it the most telling: a term counts only
    when more articles than three times the copies have it. A copy's superseded versions count
    in term statistics until segments merge, and a copy has up to two: from before its summary
    was written, and from before the registry joined two of its names (consolidation).
    A quarter of its 25 most telling terms must match: at a third, a story found no neighbour
    once rewritten copies (entity corrections) shifted the statistics before segments merged.
    """
    excluded: list[dict[str, Any]] = [{"ids": {"values": [article_id]}}]
    if content_hash:
        excluded.append({"term": {CONTENT_HASH: content_hash}})
    if cluster_id:
        excluded.append({"term": {CLUSTER_ID: cluster_id}})
    like = {
        "more_like_this": {
            "fields": [f"{TITLE}_{lang}", f"{BODY}_{lang}"]
            if (lang := field_suffix(language))
            else [TITLE, BODY],
            "like": [{"_index": index, "_id": article_id}],
            "min_term_freq": 2,
            "min_doc_freq": 3 * cluster_size + 1 if cluster_size > 1 else 2,
            "max_query_terms": 25,
            "minimum_should_match": "25%",
        }
    }
    return {
        "query": {"bool": {"must": [like], "must_not": excluded}},
        "_source": source(),
        "size": max(1, min(size, 50)),
        "track_total_hits": False,
    }
