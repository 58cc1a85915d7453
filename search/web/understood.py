"""A parsed query in plain words ("pyongyng and troops, not russia"), shown when nothing
matched, so a journalist can see whether the search read the query as they meant it."""

from __future__ import annotations

from typing import Final

from search.query.compiler import ALL_WORDS_UP_TO
from search.query.syntax import (
    And,
    Fuzzy,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Required,
    Term,
    parse,
)

#: How a field prefix reads after the words it applies to.
FIELD_WORDS: Final[dict[str, str]] = {
    "title": "in the title",
    "body": "in the text",
    "person": "as a person",
    "agency": "as an agency",
    "location": "as a place",
    "source": "as the source",
}


def _in(field: str | None) -> str:
    return f" {FIELD_WORDS.get(field, f'in {field}')}" if field else ""


def _leaf(node: Node) -> str:
    if isinstance(node, Term):
        return f"{node.text}{_in(node.field)}"
    if isinstance(node, Phrase):
        slop = f" (within {node.slop} words)" if node.slop else ""
        return f"the phrase “{node.text}”{slop}{_in(node.field)}"
    if isinstance(node, Prefix):
        return f"words starting with {node.text}{_in(node.field)}"
    if isinstance(node, Fuzzy):
        return f"{node.text} (or a near spelling){_in(node.field)}"
    return "every article"


def _grouped(node: Node) -> str:
    text = describe(node)
    return f"({text})" if isinstance(node, And | Or) else text


def _free(node: Node) -> bool:
    return isinstance(node, Term) and node.field is None


def _and(children: tuple[Node, ...]) -> str:
    """Words joined by "and", free words kept together where the first one stands."""
    free = [c.text for c in children if isinstance(c, Term) and c.field is None]
    first_free = next((i for i, c in enumerate(children) if _free(c)), -1)
    parts: list[str] = []
    for i, child in enumerate(children):
        if i == first_free and len(free) > ALL_WORDS_UP_TO:
            parts.append("most of " + ", ".join(free))
        elif i == first_free:
            parts.extend(free)
        elif not _free(child) and not isinstance(child, Not):
            parts.append(_grouped(child))
    excluded = [_grouped(c.child) for c in children if isinstance(c, Not)]
    text = " and ".join(parts) or "every article"
    return ", not ".join([text, *excluded])


def describe(node: Node) -> str:
    """The query as the search reads it."""
    if isinstance(node, Required):
        return describe(node.child)
    if isinstance(node, Not):
        return f"every article but {_grouped(node.child)}"
    if isinstance(node, Or):
        return " or ".join(_grouped(c) for c in node.children)
    if isinstance(node, And):
        return _and(node.children)
    if isinstance(node, MatchAll):
        return "every article"
    return _leaf(node)


def understood(q: str) -> str | None:
    """`q` in plain words; None for a blank or unparsable query."""
    if not q.strip():
        return None
    try:
        return describe(parse(q))
    except QuerySyntaxError:
        return None
