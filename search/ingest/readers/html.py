"""HTML reader: the article text and metadata of a saved news page, via trafilatura.

Also home of `html_to_text`, which turns an HTML fragment (a feed entry's content) into plain
text: there the whole fragment is the article, so nothing may be judged boilerplate and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import trafilatura
from lxml import etree
from trafilatura.settings import Document

from search.ingest.readers import (
    DEFAULT_MAX_BYTES,
    ReadError,
    ReadResult,
    excerpt,
    looks_binary,
    read_limited,
)
from search.models import RawRecord

# Page metadata that carries the publication time, not only the day (trafilatura gives the day).
_PUBLISHED_XPATH = (
    "//meta[@property='article:published_time' or @property='og:published_time'"
    " or @name='article:published_time' or @itemprop='datePublished'"
    " or @name='pubdate' or @name='publishdate' or @name='dc.date.issued'"
    " or @name='DC.date.issued' or @name='parsely-pub-date' or @name='sailthru.date']/@content"
    " | //time[@itemprop='datePublished' or @pubdate]/@datetime"
    " | //article//time/@datetime"
)
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody"),
        *("thead", "tr", "ul"),
    }
)
_SKIPPED_TAGS = frozenset(
    {
        *("script", "style", "noscript", "template", "iframe", "object", "embed", "svg"),
        *("math", "form", "button", "select", "textarea", "head", "title"),
    }
)
_PARAGRAPH = "\x00P"
_LINE = "\x00L"


def read(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadResult]:
    """Yield the page's one article, or a `ReadError` saying why there is none."""
    data = read_limited(path, max_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    yield parse_html(data, location=str(path))


def parse_html(
    data: bytes | str,
    *,
    location: str,
    url: str | None = None,
    fallback_date: str | None = None,
) -> ReadResult:
    """Extract one article from a page; `url` and `fallback_date` come from a crawl record.

    `url` (where the page was fetched) wins over the page's canonical link; `fallback_date`
    is used only when the page states no date of its own.
    """
    if isinstance(data, bytes) and looks_binary(data[:4096]):
        reason = "The page holds binary data (NUL bytes), not HTML."
        return ReadError(location, reason, excerpt(data))
    try:
        tree = trafilatura.load_html(data)
    except (ValueError, etree.LxmlError) as exc:
        return ReadError(location, f"The page could not be parsed as HTML: {exc}.", excerpt(data))
    if tree is None:
        return ReadError(location, "The page could not be parsed as HTML.", excerpt(data))
    published = _published_time(tree)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    body = render_body(document.body) if isinstance(document, Document) else ""
    if not isinstance(document, Document) or not body.strip():
        return ReadError(location, "No article text could be found in the page.", excerpt(data))
    title = _text_or_none(document.title)
    body = _drop_leading_title(body, title)
    return RawRecord(
        location=location,
        url=url or _text_or_none(document.url),
        source=_text_or_none(document.sitename),
        title=title,
        byline=_split_authors(document.author),
        published_at=published or _text_or_none(document.date) or fallback_date,
        language=_text_or_none(document.language) or _page_language(tree),
        section=[c for c in (document.categories or []) if c.strip()],
        body=body,
    )


def _published_time(tree: Any) -> str | None:
    for value in tree.xpath(_PUBLISHED_XPATH):
        text = str(value).strip()
        if text:
            return text
    return None


def _page_language(tree: Any) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    return str(lang).strip() or None if lang else None


def _text_or_none(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _split_authors(author: str | None) -> list[str]:
    """trafilatura joins several authors with '; '."""
    return [name.strip() for name in (author or "").split(";") if name.strip()]


def _drop_leading_title(body: str, title: str | None) -> str:
    """The page's h1 usually repeats the title as the first block; the body starts after it."""
    first, _, rest = body.partition("\n\n")
    if title and first.strip().casefold() == title.casefold():
        return rest
    return body


def render_body(body: Any) -> str:
    """trafilatura's extracted XML -> text: one block per paragraph, blank lines between."""
    if body is None:
        return ""
    blocks: list[str] = []
    for element in body:
        if element.tag == "list":
            lines = [_inline_text(item) for item in element.iter("item")]
            block = "\n".join(line for line in lines if line)
        elif element.tag == "table":
            rows = [
                " | ".join(_inline_text(cell) for cell in row.iter("cell"))
                for row in element.iter("row")
            ]
            block = "\n".join(row for row in rows if row.strip(" |"))
        else:
            block = _inline_text(element)
        if block:
            blocks.append(block)
    return "\n\n".join(blocks)


def _inline_text(element: Any) -> str:
    """Text of one block, with `<lb/>` as a line break and runs of spaces collapsed."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag in ("list", "item"):
            parts.append("\n" + _inline_text(child))
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    lines = ("".join(parts)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def html_to_text(markup: str) -> str:
    """An HTML fragment as plain text, keeping paragraph breaks (blank lines) and `<br>` lines."""
    if not markup.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(f"<html><body>{markup}</body></html>")
    except (ValueError, etree.LxmlError):
        return " ".join(markup.split())
    pieces: list[str] = []
    _walk(root, pieces)
    return _assemble(pieces)


def _walk(element: Any, pieces: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    skipped = tag in _SKIPPED_TAGS or not isinstance(element.tag, str)
    if tag in _BLOCK_TAGS:
        pieces.append(_PARAGRAPH)
    if tag == "br":
        pieces.append(_LINE)
    if not skipped:
        pieces.append(element.text or "")
        for child in element:
            _walk(child, pieces)
    if tag in _BLOCK_TAGS:
        pieces.append(_PARAGRAPH)
    pieces.append(element.tail or "")


def _assemble(pieces: list[str]) -> str:
    text = "".join(pieces)
    paragraphs = []
    for paragraph in re.split(f"(?:{_PARAGRAPH})+", text):
        lines = [" ".join(line.split()) for line in paragraph.split(_LINE)]
        block = "\n".join(line for line in lines if line)
        if block:
            paragraphs.append(block)
    return "\n\n".join(paragraphs)
