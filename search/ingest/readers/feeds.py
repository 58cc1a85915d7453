"""RSS 2.0 / Atom reader: one article per feed entry, full content when the feed carries it.

Feeds that declare their own XML entities are refused before parsing: feedparser's fallback
parser expands such entities without limit, so a 100 KB "quadratic blowup" feed becomes
gigabytes of text (measured with feedparser 6.0). Real news feeds do not declare entities.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import feedparser

from search.ingest.readers import (
    DEFAULT_MAX_BYTES,
    ReadError,
    ReadResult,
    excerpt,
    looks_binary,
    read_limited,
)
from search.ingest.readers.html import html_to_text
from search.models import RawRecord

_FIRST_ELEMENT = re.compile(rb"<[A-Za-z]")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadResult]:
    """Yield one `RawRecord` per entry (`feed.xml#3` is the third), or why the feed is unusable."""
    name = str(path)
    data = read_limited(path, max_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    yield from parse_feed(data, name)


def parse_feed(data: bytes, name: str) -> Iterator[ReadResult]:
    """The entries of a feed's bytes (a file's, or a watched feed's answer)."""
    refusal = _refusal(data, name)
    if refusal is not None:
        yield refusal
        return
    # A stream, not bytes or a path: feedparser would otherwise try to open a short string as
    # a file name or URL.
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if problem else ""
        yield ReadError(name, f"The file is not an RSS or Atom feed{detail}.", excerpt(data))
        return
    channel = parsed.get("feed", {})
    for index, entry in enumerate(parsed.entries, start=1):
        yield entry_record(entry, channel, location=f"{name}#{index}")


def _refusal(data: bytes, name: str) -> ReadError | None:
    if looks_binary(data):
        return ReadError(name, "The file holds binary data (NUL bytes), not XML.", excerpt(data))
    first = _FIRST_ELEMENT.search(data)
    prolog = data[: first.start()] if first else data
    if _ENTITY_DECLARATION.search(prolog):
        return ReadError(
            name,
            "The feed declares its own XML entities; such feeds are refused because expanding "
            "them can exhaust memory (the 'billion laughs' attack).",
            excerpt(prolog),
        )
    return None


def entry_record(
    entry: Mapping[str, Any], channel: Mapping[str, Any], *, location: str
) -> ReadResult:
    """One feed entry as a record: full content if present, else the summary, as plain text."""
    try:
        body = _entry_text(entry)
        return RawRecord(
            location=location,
            id=_text(entry.get("id")) or _text(entry.get("link")),
            url=_text(entry.get("link")),
            source=_text(channel.get("title")),
            title=_title(entry),
            byline=_authors(entry),
            published_at=_text(entry.get("published")) or _text(entry.get("updated")),
            language=_language(entry) or _text(channel.get("language")),
            section=[t for t in (_text(tag.get("term")) for tag in entry.get("tags", [])) if t],
            body=body,
        )
    except (TypeError, ValueError, AttributeError) as exc:
        reason = f"The feed entry could not be read: {exc}."
        return ReadError(location, reason, excerpt(repr(entry)))


def _entry_text(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content") or []
    detail = contents[0] if contents else entry.get("summary_detail")
    if not detail:
        return _text(entry.get("summary")) or ""
    value = str(detail.get("value") or "")
    if detail.get("type") in _HTML_TYPES:
        return html_to_text(value)
    return value.strip()


def _title(entry: Mapping[str, Any]) -> str | None:
    detail = entry.get("title_detail") or {}
    if detail.get("type") in _HTML_TYPES:
        return _text(html_to_text(str(entry.get("title") or "")))
    return _text(entry.get("title"))


def _authors(entry: Mapping[str, Any]) -> list[str]:
    names = [_text(author.get("name")) for author in entry.get("authors", []) if author]
    found = [name for name in names if name]
    if not found and _text(entry.get("author")):
        found = [str(entry["author"]).strip()]
    return found


def _language(entry: Mapping[str, Any]) -> str | None:
    for detail in [*(entry.get("content") or []), entry.get("summary_detail") or {}]:
        language = _text(detail.get("language"))
        if language:
            return language
    return None


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value else None
