"""A journalist's query string -> AST, with positioned errors (the compiler turns the AST into
the OpenSearch DSL).

Grammar (precedence NOT > AND > OR; juxtaposed words need most of them, `AND` and `+` all)::

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
from typing import Final

from search.fields import QUERY_FIELDS
from search.query.syntax_tree import (
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
)

MAX_QUERY_LENGTH: Final = 1000
MAX_DEPTH: Final = 20
MAX_CLAUSES: Final = 100
MIN_PREFIX_LENGTH: Final = 2
MAX_FUZZINESS: Final = 2
MAX_SLOP: Final = 50
#: A field prefix is letters then a colon (`title:`); digits (`10:30`) or `//` (URLs) are text.
_FIELD_RE: Final = re.compile(r"([^\W\d_]+):(?!//)")
_OPERATORS: Final = {"AND", "OR", "NOT"}
#: Lucene's `word^2` boost: a word would lose it silently (the analyser drops the ^ and keeps
#: the number as a second word), so it is refused instead.
_BOOST_RE: Final = re.compile(r"\^[\d.]*$")
#: Control characters other than tabs and line breaks: nothing a person types.
_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        slop = int(q[i + 1 : digits_end])
        if slop > MAX_SLOP:
            raise QuerySyntaxError(
                i + 1, f"Write a distance of at most {MAX_SLOP} after ~ (words in between)"
            )
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
                # An explicit AND requires both sides, as `+` does: juxtaposed words need
                # only most of them once there are more than two.
                parts[-1] = _required(parts[-1])
                parts.append(_required(self.unary()))
                continue
            if token.kind not in _STARTERS:
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
            return _required(child)
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
        if (boost := _BOOST_RE.search(text)) is not None:
            raise QuerySyntaxError(
                at + boost.start(),
                f"Boosting ({boost.group()}) is not supported: remove it, or quote the text "
                "to search for it literally",
            )
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
        if distance and int(distance) > MAX_FUZZINESS:
            raise QuerySyntaxError(
                token.position + tilde + 1,
                f"After ~ write 1 or 2: the number of typos to allow ({MAX_FUZZINESS} at most)",
            )
        fuzziness = int(distance) if distance else None
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
    if (control := _CONTROL_RE.search(q)) is not None:
        code = f"U+{ord(control.group()):04X}"
        raise QuerySyntaxError(control.start(), f"The query holds a control character ({code})")
    tokens = _tokenize(q)
    if len(tokens) == 1 and q.strip():
        start = len(q) - len(q.lstrip())
        raise QuerySyntaxError(
            start, "Nothing to search for: write at least one word (letters or digits)"
        )
    return _Parser(tokens).query()


def _required(node: Node) -> Node:
    """`node` as a required operand; an exclusion stays one (`a AND NOT b`)."""
    return node if isinstance(node, Required | Not) else Required(node)
