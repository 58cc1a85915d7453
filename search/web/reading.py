"""Reading an article found by a search: the way back to that search, and the query carried.

A result links to `/articles/{id}?q=<query>&from=<the search's own address>`; the article page
marks the query's words, fills the header's search box with it and offers "Back to results".
Only an address on this site (a path, no scheme or host) is taken as the way back, so the
link can never lead elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from search.query.results import RelatedEntity
from search.web.urls import article_href

#: Characters of a "back" address kept; a longer one is dropped, not cut.
MAX_BACK_CHARS: Final = 4000
MAX_QUERY_CHARS: Final = 1000


def safe_back(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/?q=troops"); otherwise None."""
    if not target or len(target) > MAX_BACK_CHARS:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target


def query_of(back: str | None) -> str:
    """The `q` of a search page's address, if any."""
    if not back:
        return ""
    pairs = parse_qsl(urlsplit(back).query)
    return next((value for name, value in pairs if name == "q"), "")


def reading_href(article_id: str, q: str = "", back: str = "") -> str:
    """An article's link from a list of results: with the query and the way back."""
    pairs: list[tuple[str, str]] = []
    if q.strip() and len(q) <= MAX_QUERY_CHARS:
        pairs.append(("q", q))
    if safe_back(back):
        pairs.append(("from", back))
    base = article_href(article_id)
    return f"{base}?{urlencode(pairs)}" if pairs else base


#: The entity page's two orders of the names alongside it, as links.
ORDER_QUERY: Final = {"telling": "", "frequent": "?order=frequent"}


@dataclass(frozen=True)
class RelatedRow:
    """A name alongside an entity, with how telling it is relative to the most telling one
    (100), so the figure shown agrees with the order."""

    entity: RelatedEntity
    telling: int | None


def ordered_rows(rows: list[RelatedEntity], order: str) -> list[RelatedRow]:
    """Most telling first (significance, as given), or most frequent first (articles naming
    both); with scores, each row's significance as a share of the highest."""
    top = max((row.score or 0.0 for row in rows), default=0.0)
    shown = [
        RelatedRow(row, round(100 * (row.score or 0.0) / top) if top > 0 else None) for row in rows
    ]
    if order == "frequent":
        shown.sort(key=lambda r: -r.entity.count)
    return shown
