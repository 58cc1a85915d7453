"""The query AST -> OpenSearch query DSL: one small function per kind of node."""

from __future__ import annotations

from typing import Any, Final

from search.fields import (
    BODY,
    DEFAULT_TEXT_FIELDS,
    EXACT,
    LANGUAGE_TEXT_FIELDS,
    QUERY_FIELDS,
    TITLE,
)
from search.query.parser import parse
from search.query.syntax_tree import (
    And,
    Fuzzy,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Required,
    Term,
)

#: Terms a `prefix*` or `fuzzy~` may expand to, per field and shard: keeps one query cheap.
MAX_EXPANSIONS: Final = 50
#: Leading characters a fuzzy term must share; typos rarely hit the first letter and this
#: cuts the terms visited by an order of magnitude.
FUZZY_PREFIX_LENGTH: Final = 1
#: Free words: all of one or two, three quarters of more (rounded down), so a long query still
#: finds the story that says "Canada" where the journalist typed "canadian". Measured with
#: bench/relevance.py: held-out P@10 0.77 -> 0.81 against every word required.
ALL_WORDS_UP_TO: Final = 2
WORDS_MINIMUM_MATCH: Final = f"{ALL_WORDS_UP_TO}<75%"
#: A word in both title and body counts in both: with 0, the title match was the whole score
#: and one-line price reports tied with the stories about the market.
FIELDS_TIE_BREAKER: Final = 1.0
#: Fields analysed with stemming; phrases, prefixes and fuzzy terms use their `.exact` copy.
_STEMMED_FIELDS: Final = frozenset({TITLE, BODY})


def _exact(field: str) -> str:
    """`title^3` -> `title.exact^3`; unstemmed fields (the names' `.text`) stay as they are."""
    name, _, boost = field.partition("^")
    exact = f"{name}.{EXACT}" if name in _STEMMED_FIELDS else name
    return f"{exact}^{boost}" if boost else exact


def _fields(field: str | None, *, exact: bool, languages: bool = True) -> list[str]:
    """The fields a term searches. Without `languages`, the language fields are left out:
    prefixes and typos are matched on the `.exact` copies, which hold every article's words
    split and folded whatever its language, not on stems."""
    fields = DEFAULT_TEXT_FIELDS if field is None else QUERY_FIELDS[field]
    if not languages:
        fields = tuple(f for f in fields if f.partition("^")[0] not in LANGUAGE_TEXT_FIELDS)
    return [_exact(f) for f in fields] if exact else list(fields)


def _match(
    fields: list[str], params: dict[str, Any], *, single: str, multi_type: str
) -> dict[str, Any]:
    """`single` query on one field, else `multi_match` of `multi_type` over all of them."""
    if len(fields) == 1:
        return {single: {fields[0]: params}}
    return {"multi_match": {**params, "fields": fields, "type": multi_type}}


def _words_query(text: str, field: str | None, *, strict: bool = False) -> dict[str, Any]:
    """Words searched together. Free words are one cross_fields query: a word may be in the
    title and another in the body ("kim putin"), and the body's score adds to the title's
    (`FIELDS_TIE_BREAKER`). Up to two words must all match, of more `WORDS_MINIMUM_MATCH`
    (counted after stop words), unless `strict` (`+word`, `a AND b`): every one."""
    if field is not None:
        params: dict[str, Any] = {"query": text, "operator": "and"}
        return _match(_fields(field, exact=False), params, single="match", multi_type="best_fields")
    params = {"query": text, "tie_breaker": FIELDS_TIE_BREAKER}
    if strict:
        params["operator"] = "and"
    else:
        params["minimum_should_match"] = WORDS_MINIMUM_MATCH
    return _match(_fields(None, exact=False), params, single="match", multi_type="cross_fields")


def _phrase_query(node: Phrase) -> dict[str, Any]:
    if node.slop:
        return _proximity_query(node.text, node.slop, _fields(node.field, exact=True))
    params: dict[str, Any] = {"query": node.text}
    return _match(
        _fields(node.field, exact=True), params, single="match_phrase", multi_type="phrase"
    )


def _proximity_query(text: str, distance: int, fields: list[str]) -> dict[str, Any]:
    """`"kim putin"~10`: the words in any order with at most `distance` words between them.

    An intervals query, not a sloppy phrase: a phrase's slop counts moves, so a reversed
    pair costs two more and `"trump iran"~5` missed what `"iran trump"~5` found.
    """
    queries = []
    for field in fields:
        name, _, boost = field.partition("^")
        rule: dict[str, Any] = {"match": {"query": text, "max_gaps": distance, "mode": "unordered"}}
        if boost:
            rule["boost"] = float(boost)
        queries.append({"intervals": {name: rule}})
    return queries[0] if len(queries) == 1 else {"dis_max": {"queries": queries}}


def _prefix_query(node: Prefix) -> dict[str, Any]:
    # phrase_prefix analyses the stem (lower-case, folded) and bounds expansions, unlike `prefix`.
    params = {"query": node.text, "max_expansions": MAX_EXPANSIONS}
    fields = _fields(node.field, exact=True, languages=False)
    return _match(fields, params, single="match_phrase_prefix", multi_type="phrase_prefix")


def _fuzzy_query(node: Fuzzy) -> dict[str, Any]:
    params: dict[str, Any] = {
        "query": node.text,
        "fuzziness": "AUTO" if node.fuzziness is None else node.fuzziness,
        "prefix_length": FUZZY_PREFIX_LENGTH,
        "max_expansions": MAX_EXPANSIONS,
        "operator": "and",
    }
    fields = _fields(node.field, exact=True, languages=False)
    return _match(fields, params, single="match", multi_type="best_fields")


def _and_query(children: tuple[Node, ...]) -> dict[str, Any]:
    free_words: list[str] = []
    required_words: list[str] = []
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for raw_child in children:
        required = isinstance(raw_child, Required)
        child = raw_child.child if isinstance(raw_child, Required) else raw_child
        if isinstance(child, Term) and child.field is None:
            (required_words if required else free_words).append(child.text)
        elif isinstance(child, Not):
            must_not.append(to_query(child.child))
        else:
            must.append(to_query(child))
    if required_words:
        must.insert(0, _words_query(" ".join(required_words), None, strict=True))
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
