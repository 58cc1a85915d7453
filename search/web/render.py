"""An article body as HTML with its entity mentions marked, built so no text can become markup.

The body is split at mention offsets and every piece is escaped on its own; only the `<a>`
wrappers written here are markup. Offsets come from the index and may be stale or wrong, so a
mention that overlaps another, runs past the body or does not match its text is left unmarked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from search.models import Entity
from search.web.urls import entity_href

#: Entity types marked in the text, with the word a reader sees and hears for each.
MARKED_TYPES: Final[dict[str, str]] = {
    "person": "person",
    "agency": "agency",
    "location": "location",
}
#: How each type looks besides its colour, for the legend above the text.
MENTION_STYLES: Final[dict[str, str]] = {
    "person": "solid line",
    "agency": "dashed line",
    "location": "dotted line",
}
_SAFE_SCHEMES: Final = frozenset({"http", "https"})
_WHITESPACE: Final = re.compile(r"\s+")
#: A name this short recurring in the text is not marked again ("US" stays as tagged).
MIN_REPEATED_CHARS: Final = 3


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: Entity


def safe_url(url: str | None) -> str | None:
    """The URL if it may become a link (http or https with a host); else None, show it as text."""
    if not url:
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return text


def mention_spans(body: str, entities: Iterable[Entity]) -> list[Span]:
    """Valid, non-overlapping mentions in text order; at a tie the longer one wins."""
    candidates = [
        Span(m.start, m.end, entity)
        for entity in entities
        if entity.type in MARKED_TYPES
        for m in entity.mentions
        if 0 <= m.start < m.end <= len(body) and body[m.start : m.end] == m.text
    ]
    candidates.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in candidates:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def _occurrences(body: str, text: str) -> Iterable[tuple[int, int]]:
    """Where `text` stands in `body` as whole words."""
    if len(text.strip()) < MIN_REPEATED_CHARS:
        return
    for found in re.finditer(rf"(?<!\w){re.escape(text)}(?!\w)", body):
        yield found.start(), found.end()


def every_mention(body: str, entities: Iterable[Entity]) -> list[Span]:
    """The mentions the index holds and every other place their words recur in the body
    (extraction often tags a name once), non-overlapping; a stored mention wins a tie."""
    found = mention_spans(body, entities)
    texts: dict[str, Entity] = {}
    for span in found:
        texts.setdefault(body[span.start : span.end], span.entity)
    ranked = [(s.start, -(s.end - s.start), 0, i, s) for i, s in enumerate(found)]
    for order, (text, entity) in enumerate(texts.items()):
        for start, end in _occurrences(body, text):
            ranked.append((start, start - end, 1, order, Span(start, end, entity)))
    ranked.sort(key=lambda row: row[:4])
    kept: list[Span] = []
    for *_, span in ranked:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def with_marks(text: str, offset: int, marks: Sequence[tuple[int, int]]) -> Markup:
    """`text` (found at `offset` of the body) escaped, the parts within `marks` in `<mark>`."""
    pieces: list[Markup] = []
    at = 0
    for start, end in marks:
        start, end = max(start - offset, at), min(end - offset, len(text))
        if start >= end:
            continue
        pieces += [escape(text[at:start]), Markup("<mark>"), escape(text[start:end])]
        pieces.append(Markup("</mark>"))
        at = end
    pieces.append(escape(text[at:]))
    return Markup("").join(pieces)


def mention_link(text: str, entity: Entity, inner: Markup | None = None) -> Markup:
    """One marked mention: the type is in its class, `data-type`, title and accessible name."""
    kind = MARKED_TYPES[entity.type]
    return Markup(
        '<a class="mention mention-{type}" data-type="{type}" href="{href}" title="{title}"'
        ' aria-label="{label}">{text}</a>'
    ).format(
        type=entity.type,
        href=entity_href(entity.type, entity.name),
        title=f"{kind.capitalize()}: {entity.name}",
        label=f"{text} ({kind})",
        text=inner if inner is not None else _WHITESPACE.sub(" ", text),
    )


def marked_paragraphs(
    body: str, entities: Sequence[Entity], marks: Sequence[tuple[int, int]] = ()
) -> list[Markup]:
    """The body as paragraphs of escaped text and mention links, every mention of a name
    linked and the ranges `marks` (the search's words) in `<mark>`; blank lines are dropped."""
    paragraphs: list[list[Markup]] = [[]]

    def add_text(start: int, end: int) -> None:
        for i, line in enumerate(body[start:end].split("\n")):
            if i:
                paragraphs.append([])
            paragraphs[-1].append(with_marks(line, start, marks))
            start += len(line) + 1

    at = 0
    for span in every_mention(body, entities):
        add_text(at, span.start)
        text = body[span.start : span.end]
        inner = None
        if any(s < span.end and e > span.start for s, e in marks):
            inner = with_marks(text, span.start, marks)
        paragraphs[-1].append(mention_link(text, span.entity, inner))
        at = span.end
    add_text(at, len(body))
    joined = (Markup("").join(pieces) for pieces in paragraphs)
    return [paragraph for paragraph in joined if paragraph.strip()]
