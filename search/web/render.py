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


def mention_link(text: str, entity: Entity) -> Markup:
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
        text=_WHITESPACE.sub(" ", text),
    )


def marked_paragraphs(body: str, entities: Sequence[Entity]) -> list[Markup]:
    """The body as paragraphs of escaped text and mention links; blank lines are dropped."""
    paragraphs: list[list[Markup]] = [[]]

    def add_text(text: str) -> None:
        for i, line in enumerate(text.split("\n")):
            if i:
                paragraphs.append([])
            paragraphs[-1].append(escape(line))

    at = 0
    for span in mention_spans(body, entities):
        add_text(body[at : span.start])
        paragraphs[-1].append(mention_link(body[span.start : span.end], span.entity))
        at = span.end
    add_text(body[at:])
    joined = (Markup("").join(pieces) for pieces in paragraphs)
    return [paragraph for paragraph in joined if paragraph.strip()]
