"""The pure query path: request -> query syntax -> request body -> response. No client calls."""

from search.query.builder import (
    build_entity_body,
    build_entity_suggest_body,
    build_export_body,
    build_related_body,
    build_search_body,
)
from search.query.compiler import compile_query
from search.query.cursor import Cursor, InvalidCursor, decode_cursor, encode_cursor
from search.query.facets import FACETS, HISTOGRAMS, FacetValue, Histogram, fold
from search.query.parser import parse
from search.query.request import InvalidRequestError, SearchRequest
from search.query.results import (
    EntityPage,
    Hit,
    SearchResponse,
    Suggestion,
    shape_entity_page,
    shape_hits,
    shape_search_response,
    shape_suggestions,
)
from search.query.syntax_tree import QuerySyntaxError

__all__ = [
    "FACETS",
    "HISTOGRAMS",
    "Cursor",
    "EntityPage",
    "FacetValue",
    "Histogram",
    "Hit",
    "InvalidCursor",
    "InvalidRequestError",
    "QuerySyntaxError",
    "SearchRequest",
    "SearchResponse",
    "Suggestion",
    "build_entity_body",
    "build_entity_suggest_body",
    "build_export_body",
    "build_related_body",
    "build_search_body",
    "compile_query",
    "decode_cursor",
    "encode_cursor",
    "fold",
    "parse",
    "shape_entity_page",
    "shape_hits",
    "shape_search_response",
    "shape_suggestions",
]
