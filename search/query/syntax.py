"""The query syntax in one name: `syntax_tree` (the nodes and the positioned error), `parser`
(string -> tree) and `compiler` (tree -> OpenSearch DSL). Import from here or from those."""

from search.query.compiler import MAX_EXPANSIONS, compile_query, to_query
from search.query.parser import (
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_FUZZINESS,
    MAX_QUERY_LENGTH,
    MAX_SLOP,
    MIN_PREFIX_LENGTH,
    parse,
)
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

__all__ = [
    "MAX_CLAUSES",
    "MAX_DEPTH",
    "MAX_EXPANSIONS",
    "MAX_FUZZINESS",
    "MAX_QUERY_LENGTH",
    "MAX_SLOP",
    "MIN_PREFIX_LENGTH",
    "And",
    "Fuzzy",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "QuerySyntaxError",
    "Required",
    "Term",
    "compile_query",
    "parse",
    "to_query",
]
