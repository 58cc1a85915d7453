"""Highlighter fragments -> escaped snippets whose only markup is `<mark>`. Pure.

The text query searches the stemmed fields, their `.exact` copies and the article's language
fields (`body_ko` ...), and a highlighter marks only its own field's matches, so all are
highlighted and their fragments merged here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from search.fields import BODY, EXACT, TITLE
from search.query.builder import SNIPPET_LENGTH, SNIPPETS_PER_HIT

_MARK_RE: Final = re.compile(r"(</?mark>)")


@dataclass
class _Marked:
    """Plain (unescaped) text with the character spans to wrap in `<mark>`."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)


def _parse_marked(fragment: str) -> _Marked:
    """Read a highlighted fragment. Everything between the mark tags is unescaped here and
    escaped again on output, so text OpenSearch failed to escape cannot become markup."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    opened: int | None = None
    # The pattern captures its tags, so they fall at the odd places of the split.
    for place, part in enumerate(_MARK_RE.split(fragment)):
        if place % 2 == 0:
            if part:
                plain = html.unescape(part) if "&" in part else part
                pieces.append(plain)
                at += len(plain)
        elif part == "<mark>":
            opened = at if opened is None else opened
        else:
            if opened is not None and opened < at:
                spans.append((opened, at))
            opened = None
    if opened is not None and opened < at:
        spans.append((opened, at))
    return _Marked("".join(pieces), spans)


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(marked: _Marked) -> str:
    out: list[str] = []
    at = 0
    for start, end in _union(marked.spans):
        out.append(html.escape(marked.text[at:start]))
        out.append(f"<mark>{html.escape(marked.text[start:end])}</mark>")
        at = end
    out.append(html.escape(marked.text[at:]))
    return "".join(out)


def _merge_fragments(fragments: Sequence[str]) -> list[_Marked]:
    """Fragments of one field from its stemmed and exact highlights: the same passage (or
    one inside another) becomes one, with the marks of both."""
    merged: list[_Marked] = []
    for fragment in fragments:
        new = _parse_marked(fragment)
        if not new.text.strip():
            continue
        for i, old in enumerate(merged):
            if (at := old.text.find(new.text)) >= 0:
                old.spans.extend((s + at, e + at) for s, e in new.spans)
                break
            if (at := new.text.find(old.text)) >= 0:
                new.spans.extend((s + at, e + at) for s, e in old.spans)
                merged[i] = new
                break
        else:
            merged.append(new)
    return merged


def _fragments(highlight: Mapping[str, Sequence[str]], base: str) -> list[str]:
    """The fragments of a text field, its exact copy and its language fields, in that order."""
    own = [*highlight.get(f"{base}.{EXACT}", []), *highlight.get(base, [])]
    prefix = f"{base}_"
    return own + [f for name, found in highlight.items() if name.startswith(prefix) for f in found]


def snippets(highlight: Mapping[str, Sequence[str]], fallback: str = "") -> list[str]:
    """Body snippets, best first; without any marked passage, the lead (or `fallback`)."""
    fragments = _fragments(highlight, BODY)
    passages = _merge_fragments(fragments)
    marked = [p for p in passages if p.spans]
    if marked:
        marked.sort(key=lambda p: -len(_union(p.spans)))
        return [_render(p) for p in marked[:SNIPPETS_PER_HIT]]
    if passages:
        return [_render(passages[0])]
    lead = _shorten(fallback)
    return [html.escape(lead)] if lead else []


def title_html(highlight: Mapping[str, Sequence[str]], title: str) -> str:
    passages = _merge_fragments(_fragments(highlight, TITLE))
    marked = [p for p in passages if p.spans]
    return _render((marked or passages)[0]) if passages else html.escape(title)


def _shorten(text: str, limit: int = 2 * SNIPPET_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + " …"
