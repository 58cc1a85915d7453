"""A journalist's query string -> AST -> OpenSearch query DSL, with positioned errors.

Grammar (precedence NOT > AND > OR; juxtaposition means AND)::

    query    := or_expr EOF | <blank>
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*
    unary    := ("NOT" | "-" | "+") unary | primary
    primary  := "(" or_expr ")" | FIELD ":" unary | WORD ["*" | "~" [digit]] | PHRASE ["~" digits]

We parse ourselves instead of passing text to `query_string`, so that every query we send is
one we built: bounded in size, with no leading wildcards, regexes or script-like surprises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from search.fields import BODY, DEFAULT_TEXT_FIELDS, EXACT, QUERY_FIELDS, TITLE

MAX_QUERY_LENGTH: Final = 1000
MAX_DEPTH: Final = 20
MAX_CLAUSES: Final = 100
MIN_PREFIX_LENGTH: Final = 2
MAX_FUZZINESS: Final = 2
MAX_SLOP: Final = 50
#: Terms a `prefix*` or `fuzzy~` may expand to, per field and shard: keeps one query cheap.
MAX_EXPANSIONS: Final = 50
#: Leading characters a fuzzy term must share; typos rarely hit the first letter and this
#: cuts the terms visited by an order of magnitude.
FUZZY_PREFIX_LENGTH: Final = 1

#: Fields analysed with stemming; phrases, prefixes and fuzzy terms use their `.exact` copy.
_STEMMED_FIELDS: Final = frozenset({TITLE, BODY})
#: A field prefix is letters then a colon (`title:`); digits (`10:30`) or `//` (URLs) are text.
_FIELD_RE: Final = re.compile(r"([^\W\d_]+):(?!//)")
_OPERATORS: Final = {"AND", "OR", "NOT"}


class QuerySyntaxError(Exception):
    """A query we cannot run, with the 0-based character offset of the problem."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"{message} (at character {position})")
        self.position = position
        self.message = message


# --- AST ---------------------------------------------------------------------------------------


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


# --- Tokenizer ---------------------------------------------------------------------------------


class _Kind(Enum):
    WORD = "word"
    PHRASE = "phrase"
    FIELD = "field"
    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    MINUS = "-"
    PLUS = "+"
    EOF = "end of query"


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str
    position: int
    slop: int | None = None


_STARTERS: Final = frozenset(
    {_Kind.WORD, _Kind.PHRASE, _Kind.FIELD, _Kind.LPAREN, _Kind.NOT, _Kind.MINUS, _Kind.PLUS}
)


def _known_fields() -> str:
    return ", ".join(QUERY_FIELDS)


def _tokenize(q: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(_Token(_Kind.LPAREN if c == "(" else _Kind.RPAREN, c, i))
            i += 1
        elif c == '"':
            token, i = _read_phrase(q, i)
            tokens.append(token)
        elif c in "+-":
            if i + 1 >= n or q[i + 1].isspace() or q[i + 1] == ")":
                what = "exclude" if c == "-" else "require"
                raise QuerySyntaxError(
                    i,
                    f"'{c}' must be directly followed by the word, phrase or group to {what}; "
                    f"remove the space after it, or quote the text to search for it literally",
                )
            tokens.append(_Token(_Kind.MINUS if c == "-" else _Kind.PLUS, c, i))
            i += 1
        elif (m := _FIELD_RE.match(q, i)) is not None:
            name = m.group(1)
            if name.lower() not in QUERY_FIELDS:
                raise QuerySyntaxError(
                    i,
                    f"Unknown field '{name}:'; known fields are {_known_fields()}. "
                    f"To search for the text itself, put it in quotes",
                )
            tokens.append(_Token(_Kind.FIELD, name.lower(), i))
            i = m.end()
        else:
            word, i = _read_word(q, i)
            if word is not None:
                tokens.append(word)
    tokens.append(_Token(_Kind.EOF, "", n))
    return tokens


def _read_phrase(q: str, start: int) -> tuple[_Token, int]:
    end = q.find('"', start + 1)
    if end < 0:
        raise QuerySyntaxError(start, 'Unclosed quote: add a closing " or remove this one')
    text = q[start + 1 : end]
    if not any(ch.isalnum() for ch in text):
        raise QuerySyntaxError(start, "Empty phrase: put at least one word between the quotes")
    i = end + 1
    slop: int | None = None
    if i < len(q) and q[i] == "~":
        digits_end = i + 1
        while digits_end < len(q) and q[digits_end] in "0123456789":
            digits_end += 1
        if digits_end == i + 1:
            raise QuerySyntaxError(
                i, 'Write the distance after ~, e.g. "kim putin"~10 (words in between)'
            )
        slop = min(int(q[i + 1 : digits_end]), MAX_SLOP)
        i = digits_end
    return _Token(_Kind.PHRASE, text, start, slop), i


def _read_word(q: str, start: int) -> tuple[_Token | None, int]:
    i = start
    while i < len(q) and not q[i].isspace() and q[i] not in '()"':
        i += 1
    word = q[start:i]
    if word in _OPERATORS:
        return _Token(_Kind(word), word, start), i
    if not any(ch.isalnum() for ch in word) and not any(ch in "*~" for ch in word):
        return None, i  # punctuation such as "&" or "—" would analyse to nothing
    return _Token(_Kind.WORD, word, start), i


# --- Parser ------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._at = 0
        self._depth = 0
        self._leaves = 0
        self._field: str | None = None

    def peek(self) -> _Token:
        return self._tokens[self._at]

    def take(self) -> _Token:
        token = self._tokens[self._at]
        self._at += 1
        return token

    @contextmanager
    def nested(self, token: _Token) -> Iterator[None]:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise QuerySyntaxError(
                token.position, f"The query is nested too deeply (more than {MAX_DEPTH} levels)"
            )
        try:
            yield
        finally:
            self._depth -= 1

    def query(self) -> Node:
        if self.peek().kind is _Kind.EOF:
            return MatchAll()
        node = self.or_expr()
        token = self.peek()
        if token.kind is _Kind.RPAREN:
            raise QuerySyntaxError(token.position, "Unmatched ')': there is no '(' to close")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek().kind is _Kind.OR:
            operator = self.take()
            self._expect_operand(operator)
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        token = self.peek()
        if token.kind in (_Kind.AND, _Kind.OR):
            raise QuerySyntaxError(
                token.position, f"{token.text} needs a word, phrase or group before it"
            )
        parts = [self.unary()]
        while True:
            token = self.peek()
            if token.kind is _Kind.AND:
                self.take()
                self._expect_operand(token)
            elif token.kind not in _STARTERS:
                break
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        if token.kind not in (_Kind.NOT, _Kind.MINUS, _Kind.PLUS):
            return self.primary()
        self.take()
        self._expect_operand(token)
        with self.nested(token):
            child = self.unary()
        if token.kind is _Kind.PLUS:
            return child if isinstance(child, Required) else Required(child)
        return child.child if isinstance(child, Not) else Not(child)

    def primary(self) -> Node:
        token = self.take()
        if token.kind is _Kind.LPAREN:
            return self.group(token)
        if token.kind is _Kind.FIELD:
            return self.fielded(token)
        if token.kind is _Kind.PHRASE:
            self._count_leaf(token)
            return Phrase(token.text, self._field, token.slop, token.position)
        if token.kind is _Kind.WORD:
            self._count_leaf(token)
            return self.word(token)
        if token.kind is _Kind.RPAREN:
            raise QuerySyntaxError(token.position, "Unmatched ')': there is no '(' to close")
        raise QuerySyntaxError(token.position, "The query ends where a word was expected")

    def group(self, opening: _Token) -> Node:
        if self.peek().kind is _Kind.RPAREN:
            raise QuerySyntaxError(opening.position, "Empty parentheses: put a word inside")
        if self.peek().kind is _Kind.EOF:
            raise QuerySyntaxError(opening.position, "Unclosed '(': add a ')'")
        with self.nested(opening):
            node = self.or_expr()
        if self.peek().kind is not _Kind.RPAREN:
            raise QuerySyntaxError(opening.position, "Unclosed '(': add a ')'")
        self.take()
        return node

    def fielded(self, token: _Token) -> Node:
        if self._field is not None:
            raise QuerySyntaxError(
                token.position,
                f"'{token.text}:' cannot stand inside '{self._field}:'; use one field per term",
            )
        if self.peek().kind not in _STARTERS:
            raise QuerySyntaxError(
                token.position, f"'{token.text}:' needs a word, phrase or group right after it"
            )
        self._field = token.text
        try:
            with self.nested(token):
                return self.unary()
        finally:
            self._field = None

    def word(self, token: _Token) -> Node:
        text, at = token.text, token.position
        star = text.find("*")
        tilde = text.find("~")
        if star >= 0 and (star != len(text) - 1 or tilde >= 0):
            raise QuerySyntaxError(at + star, "A * is only allowed at the end of a word")
        if star >= 0:
            stem = text[:-1]
            if sum(ch.isalnum() for ch in stem) < MIN_PREFIX_LENGTH:
                raise QuerySyntaxError(
                    at, f"Write at least {MIN_PREFIX_LENGTH} letters before the * (e.g. zel*)"
                )
            return Prefix(stem, self._field, at)
        if tilde >= 0:
            return self.fuzzy(token, tilde)
        return Term(text, self._field, at)

    def fuzzy(self, token: _Token, tilde: int) -> Node:
        stem, distance = token.text[:tilde], token.text[tilde + 1 :]
        if not any(ch.isalnum() for ch in stem):
            raise QuerySyntaxError(token.position, "Write the word before the ~ (e.g. zelensky~)")
        if distance and not (distance.isascii() and distance.isdigit()):
            raise QuerySyntaxError(
                token.position + tilde + 1, "After ~ write 1 or 2: the number of typos to allow"
            )
        fuzziness = min(int(distance), MAX_FUZZINESS) if distance else None
        return Fuzzy(stem, self._field, fuzziness, token.position)

    def _expect_operand(self, operator: _Token) -> None:
        if self.peek().kind not in _STARTERS:
            raise QuerySyntaxError(
                operator.position, f"{operator.text} needs a word, phrase or group after it"
            )

    def _count_leaf(self, token: _Token) -> None:
        self._leaves += 1
        if self._leaves > MAX_CLAUSES:
            raise QuerySyntaxError(
                token.position, f"Too many terms: a query may hold at most {MAX_CLAUSES}"
            )


def parse(q: str) -> Node:
    """Parse a query string; blank means MatchAll. Raises QuerySyntaxError."""
    if len(q) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            MAX_QUERY_LENGTH,
            f"The query is {len(q)} characters long; the limit is {MAX_QUERY_LENGTH}",
        )
    return _Parser(_tokenize(q)).query()


# --- Compiler ----------------------------------------------------------------------------------


def _exact(field: str) -> str:
    """`title^3` -> `title.exact^3`; unstemmed fields (the names' `.text`) stay as they are."""
    name, _, boost = field.partition("^")
    exact = f"{name}.{EXACT}" if name in _STEMMED_FIELDS else name
    return f"{exact}^{boost}" if boost else exact


def _fields(field: str | None, *, exact: bool) -> list[str]:
    fields = DEFAULT_TEXT_FIELDS if field is None else QUERY_FIELDS[field]
    return [_exact(f) for f in fields] if exact else list(fields)


def _match(
    fields: list[str], params: dict[str, Any], *, single: str, multi_type: str
) -> dict[str, Any]:
    """`single` query on one field, else `multi_match` of `multi_type` over all of them."""
    if len(fields) == 1:
        return {single: {fields[0]: params}}
    return {"multi_match": {**params, "fields": fields, "type": multi_type}}


def _words_query(text: str, field: str | None) -> dict[str, Any]:
    # cross_fields with AND: each word must occur somewhere in title or body, so "kim putin"
    # finds Kim in the title and Putin in the body.
    kind = "cross_fields" if field is None else "best_fields"
    params = {"query": text, "operator": "and"}
    return _match(_fields(field, exact=False), params, single="match", multi_type=kind)


def _phrase_query(node: Phrase) -> dict[str, Any]:
    params: dict[str, Any] = {"query": node.text}
    if node.slop:
        params["slop"] = node.slop
    return _match(
        _fields(node.field, exact=True), params, single="match_phrase", multi_type="phrase"
    )


def _prefix_query(node: Prefix) -> dict[str, Any]:
    # phrase_prefix analyses the stem (lower-case, folded) and bounds expansions, unlike `prefix`.
    params = {"query": node.text, "max_expansions": MAX_EXPANSIONS}
    fields = _fields(node.field, exact=True)
    return _match(fields, params, single="match_phrase_prefix", multi_type="phrase_prefix")


def _fuzzy_query(node: Fuzzy) -> dict[str, Any]:
    params: dict[str, Any] = {
        "query": node.text,
        "fuzziness": "AUTO" if node.fuzziness is None else node.fuzziness,
        "prefix_length": FUZZY_PREFIX_LENGTH,
        "max_expansions": MAX_EXPANSIONS,
        "operator": "and",
    }
    return _match(_fields(node.field, exact=True), params, single="match", multi_type="best_fields")


def _and_query(children: tuple[Node, ...]) -> dict[str, Any]:
    free_words: list[str] = []
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for raw_child in children:
        child = raw_child.child if isinstance(raw_child, Required) else raw_child
        if isinstance(child, Term) and child.field is None:
            free_words.append(child.text)
        elif isinstance(child, Not):
            must_not.append(to_query(child.child))
        else:
            must.append(to_query(child))
    if free_words:
        must.insert(0, _words_query(" ".join(free_words), None))
    if len(must) == 1 and not must_not:
        return must[0]
    clauses: dict[str, Any] = {}
    if must:
        clauses["must"] = must
    if must_not:
        clauses["must_not"] = must_not
    return {"bool": clauses}


def _or_query(children: tuple[Node, ...]) -> dict[str, Any]:
    required = [to_query(c.child) for c in children if isinstance(c, Required)]
    optional = [to_query(c) for c in children if not isinstance(c, Required)]
    if required:  # Lucene's reading of `a OR +b`: b must match, a only adds to the score
        return {"bool": {"must": required, "should": optional}}
    return {"bool": {"should": optional, "minimum_should_match": 1}}


def to_query(node: Node) -> dict[str, Any]:
    """Compile an AST into the OpenSearch query DSL."""
    match node:
        case MatchAll():
            return {"match_all": {}}
        case Term(text=text, field=field):
            return _words_query(text, field)
        case Phrase():
            return _phrase_query(node)
        case Prefix():
            return _prefix_query(node)
        case Fuzzy():
            return _fuzzy_query(node)
        case Not(child=child):
            return {"bool": {"must_not": [to_query(child)]}}
        case Required(child=child):
            return to_query(child)
        case And(children=children):
            return _and_query(children)
        case Or(children=children):
            return _or_query(children)
    raise TypeError(f"not a query node: {node!r}")  # pragma: no cover - exhaustive above


def compile_query(q: str) -> dict[str, Any]:
    """Query string -> OpenSearch query. Raises QuerySyntaxError with a position."""
    return to_query(parse(q))
