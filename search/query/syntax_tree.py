"""The query syntax tree: the nodes a parsed query is made of, and the positioned error."""

from __future__ import annotations

from dataclasses import dataclass


class QuerySyntaxError(Exception):
    """A query we cannot run, with the 0-based character offset of the problem."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"{message} (at character {position})")
        self.position = position
        self.message = message


@dataclass(frozen=True)
class MatchAll:
    """The blank query: every article (the caller sorts newest first)."""


@dataclass(frozen=True)
class Term:
    """One word; `field` is a key of QUERY_FIELDS, or None for title and body."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Phrase:
    """Words in this order on the unstemmed fields; `slop` > 0 allows words in between."""

    text: str
    field: str | None = None
    slop: int | None = None
    position: int = 0


@dataclass(frozen=True)
class Prefix:
    """`stem*`: words starting with `text`, expansions bounded."""

    text: str
    field: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Fuzzy:
    """`word~` or `word~N`: words within N edits; None means OpenSearch's AUTO distance."""

    text: str
    field: str | None = None
    fuzziness: int | None = None
    position: int = 0


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Required:
    """`+x`: a no-op under AND (the default) but makes `x` mandatory inside an OR group."""

    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = MatchAll | Term | Phrase | Prefix | Fuzzy | Not | Required | And | Or
