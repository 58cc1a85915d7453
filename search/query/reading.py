"""The words of a search marked in one article's whole body, as OpenSearch analyses them.

The article page asks OpenSearch to highlight the article's body for the query that found it,
with `number_of_fragments: 0` (the whole field), on the stemmed body, its `.exact` copy and the
language fields, so "troops" marks "troop" as the search matched it. The answer is read back
into character ranges of the stored body (`marked_ranges`), never shown as HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any, Final

from opensearchpy import AsyncOpenSearch

from search.fields import BODY, EXACT
from search.languages import suffixes
from search.query.compiler import compile_query

PRE_TAG: Final = "<mark>"
POST_TAG: Final = "</mark>"
_TAGS: Final = re.compile(f"({re.escape(PRE_TAG)}|{re.escape(POST_TAG)})")
#: Characters of a query the article page reads; longer ones are not marked.
MAX_QUERY_CHARS: Final = 1000


def body_fields() -> list[str]:
    return [BODY, f"{BODY}.{EXACT}", *(f"{BODY}_{s}" for s in suffixes())]


def build_marks_body(article_id: str, q: str) -> dict[str, Any]:
    """One article, its whole body highlighted for `q` (raises QuerySyntaxError)."""
    return {
        "size": 1,
        "_source": False,
        "query": {"ids": {"values": [article_id]}},
        "highlight": {
            "type": "unified",
            "encoder": "html",
            "pre_tags": [PRE_TAG],
            "post_tags": [POST_TAG],
            "highlight_query": compile_query(q),
            "fields": {name: {"number_of_fragments": 0} for name in body_fields()},
        },
    }


def marked_ranges(highlighted: str, body: str) -> list[tuple[int, int]]:
    """The [start, end) ranges of `body` that `highlighted` (escaped text with `<mark>` tags)
    marks; nothing when the text read back is not exactly the body."""
    ranges: list[tuple[int, int]] = []
    at = 0
    start: int | None = None
    for piece in _TAGS.split(highlighted):
        if piece == PRE_TAG:
            start = at
        elif piece == POST_TAG:
            if start is not None and at > start:
                ranges.append((start, at))
            start = None
        else:
            text = html.unescape(piece)
            if body[at : at + len(text)] != text:
                return []
            at += len(text)
    return ranges if at == len(body) else []


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ranges joined, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def ranges_from_answer(raw: dict[str, Any], body: str) -> list[tuple[int, int]]:
    hits = raw.get("hits", {}).get("hits", [])
    found: list[tuple[int, int]] = []
    for hit in hits[:1]:
        for texts in hit.get("highlight", {}).values():
            for text in texts[:1]:
                found.extend(marked_ranges(str(text), body))
    return merge_ranges(found)


async def body_marks(
    client: AsyncOpenSearch, index: str, article_id: str, q: str, body: str
) -> list[tuple[int, int]]:
    """Where the query's words are in the article's body; none for a blank query."""
    if not q.strip() or len(q) > MAX_QUERY_CHARS or not body:
        return []
    raw = await client.search(index=index, body=build_marks_body(article_id, q))
    return ranges_from_answer(raw, body)
