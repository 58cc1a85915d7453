"""Plain-text reader: one article per file, with or without a header block.

Three shapes are recognised, in this order:
1. a header block (`Title:`, `Source:`, `Date:`, `URL:`, `Author:` ... lines, then a blank line);
2. a short first line without final punctuation: the headline, the rest is the body;
3. anything else starts straight with its lede: the title is made from the first sentence and
   the body keeps every line, the first included, so no text is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from search.ingest.readers import (
    DEFAULT_MAX_BYTES,
    ReadError,
    ReadResult,
    decode_text,
    excerpt,
    looks_binary,
    read_limited,
)
from search.models import RawRecord

#: Header label (lower case) -> RawRecord field.
HEADER_FIELDS = {
    "title": "title",
    "headline": "title",
    "source": "source",
    "date": "published_at",
    "published": "published_at",
    "url": "url",
    "link": "url",
    "author": "byline",
    "authors": "byline",
    "byline": "byline",
    "language": "language",
    "section": "section",
    "category": "section",
    "id": "id",
}
# "Author: Ann Lee and Bo Chan" names two people; "Section: Science and technology" is one.
_LIST_SEPARATORS = {"byline": r";|\band\b", "section": r"[;,]"}
HEADLINE_MAX_CHARS = 120
TITLE_MAX_CHARS = 100
_HEADER_LINE = re.compile(r"([A-Za-z]+):[ \t]*(.*)")
_SENTENCE_END_CHARS = '.!?”"…:;,'
# A sentence ends at . ! ? (and closing quotes) before a space and a capital, quote or digit.
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
# Abbreviations whose period does not end a sentence ("Jan. 9", "U.S. President").
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Maj|Jr|Sr|Inc|Corp|"
    r"Ltd|Co|No|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|est))\.$"
)


def read(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadResult]:
    """Yield the file's one article, or a `ReadError` if it is not readable text."""
    data = read_limited(path, max_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    if looks_binary(data):
        reason = "The file holds binary data (NUL bytes), not text."
        yield ReadError(str(path), reason, excerpt(data))
        return
    yield parse_text(decode_text(data), location=str(path))


def parse_text(text: str, *, location: str) -> RawRecord:
    """Split an article's text into header fields, title and body (see the module docstring)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    header = _header_block(lines)
    if header is not None:
        fields, rest = header
        body = _join_body(rest)
        derived = title_from_lede(body) if "title" not in fields else None
        return _record(location, fields | ({"title": derived} if derived else {}), body)
    if lines and _is_headline(lines[0]):
        return _record(location, {"title": lines[0].strip()}, _join_body(lines[1:]))
    body = _join_body(lines)
    derived = title_from_lede(body)
    return _record(location, {"title": derived} if derived else {}, body)


def _header_block(lines: list[str]) -> tuple[dict[str, str | list[str]], list[str]] | None:
    """Fields of a leading `Label: value` block closed by a blank line, and the lines after it."""
    fields: dict[str, str | list[str]] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            return (fields, lines[index + 1 :]) if fields else None
        match = _HEADER_LINE.fullmatch(line.strip())
        field = HEADER_FIELDS.get(match.group(1).lower()) if match else None
        if match is None or field is None:
            return None
        value = match.group(2).strip()
        if field in _LIST_SEPARATORS:
            parts = re.split(_LIST_SEPARATORS[field], value)
            fields[field] = [part.strip() for part in parts if part.strip()]
        elif value:
            fields[field] = value
    return None


def _is_headline(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) < HEADLINE_MAX_CHARS and not stripped.endswith(
        tuple(_SENTENCE_END_CHARS)
    )


def _join_body(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def title_from_lede(body: str) -> str | None:
    """A title made from the first sentence, cut at a word boundary with an ellipsis if long."""
    paragraph = " ".join(body.strip().split("\n\n", 1)[0].split()) if body.strip() else ""
    if not paragraph:
        return None
    sentence = _first_sentence(paragraph)
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence.removesuffix(".")
    cut = sentence[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–—-") + "…"


def _first_sentence(paragraph: str) -> str:
    for match in _SENTENCE_END.finditer(paragraph):
        if not _ABBREVIATION.search(paragraph[: match.start() + 1]):
            return paragraph[: match.end()]
    return paragraph


def _record(location: str, fields: dict[str, str | list[str]], body: str) -> RawRecord:
    return RawRecord.model_validate({"location": location, **fields, "body": body})
