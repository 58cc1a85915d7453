"""A parsed query as the search reads it, so a journalist can see whether it was read as meant.

Two forms from one parse: a sentence in plain words ("pyongyng and troops, not russia"), said
when nothing matched, and a compact line of labelled parts ("all of: oil, prices · phrase:
“central bank” · not: opec"), shown under the search box and answered by `/v1/query/explain`,
so the page and the API never disagree. Both follow the compiler: more than `ALL_WORDS_UP_TO`
free words read as "most of" them, because that is how they are searched."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field

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


class ReadingPart(BaseModel):
    """Values read the same way, e.g. `not`: [opec, iran]."""

    label: str = Field(
        description="How the values are read: word, all of, most of, any of, phrase, not, "
        "starting with, near spelling of, or a field such as `in the title`."
    )
    values: list[str] = Field(description="The words, phrases or groups read that way.")


class QueryReading(BaseModel):
    """How the search reads a query, parsed exactly as `/v1/search` parses it."""

    q: str = Field(description="The query as given.")
    summary: str = Field(
        description="The compact line the search page shows under its box: the parts, "
        "each `label: values`, joined by ' · '."
    )
    sentence: str = Field(description="The same reading in plain words.")
    parts: list[ReadingPart] = Field(description="The reading, part by part, in query order.")


def _labelled(label: str, field: str | None) -> str:
    return f"{label}{_in(field)}"


def _part(node: Node) -> tuple[str, list[str]]:
    """(label, values) of one clause of a query's top level."""
    if isinstance(node, Required):
        return _part(node.child)
    if isinstance(node, Not):
        return "not", [describe(node.child)]
    if isinstance(node, Term):
        return (_in(node.field).strip() or "word"), [node.text]
    if isinstance(node, Phrase):
        slop = f" (within {node.slop} words)" if node.slop else ""
        return _labelled("phrase", node.field), [f"“{node.text}”{slop}"]
    if isinstance(node, Prefix):
        return _labelled("starting with", node.field), [node.text]
    if isinstance(node, Fuzzy):
        return _labelled("near spelling of", node.field), [node.text]
    if isinstance(node, Or):
        return "any of", [_grouped(c) for c in node.children]
    if isinstance(node, And):
        return "all of", [describe(node)]
    return "every article", []


def reading_parts(node: Node) -> list[ReadingPart]:
    """The top level of a parsed query as labelled parts; values read alike are merged."""
    children = node.children if isinstance(node, And) else (node,)
    free = [c.text for c in children if isinstance(c, Term) and c.field is None]
    merged: dict[str, list[str]] = {}
    for child in children:
        if _free(child) and len(free) > 1:
            label, values = ("most of" if len(free) > ALL_WORDS_UP_TO else "all of"), free
        else:
            label, values = _part(child)
        kept = merged.setdefault(label, [])
        kept.extend(value for value in values if value not in kept)
    return [ReadingPart(label=label, values=values) for label, values in merged.items()]


def read_query(q: str) -> QueryReading:
    """How the search reads `q`; raises QuerySyntaxError as the search would."""
    node = parse(q) if q.strip() else MatchAll()
    parts = reading_parts(node)
    line = " · ".join(f"{p.label}: {', '.join(p.values)}" if p.values else p.label for p in parts)
    return QueryReading(q=q, summary=line, sentence=describe(node), parts=parts)


def query_reading(q: str) -> QueryReading | None:
    """The reading a page shows: None for a blank or unparsable query (the page says why)."""
    if not q.strip():
        return None
    try:
        return read_query(q)
    except QuerySyntaxError:
        return None
