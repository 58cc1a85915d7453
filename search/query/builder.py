"""SearchRequest -> OpenSearch request bodies, one small pure function per clause.

Where each restriction goes decides what the facet counts mean:

* text, dates and exclusions (`not_person=...`) go in `query`: they narrow the hits *and*
  every count, because a journalist who drops an outlet does not want it counted either;
* facet selections go in `post_filter`: they narrow the hits, and each facet's counts are
  computed under every *other* selection, so picking one person still shows how many
  articles the other people have (multi-select);
* a facet asked for all of its values (`all_of`) goes in `query`, one clause per value: its
  counts, like every other, are then within the narrowed hits;
* the histograms sit under all selections, so they describe exactly the hits shown.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Final

from search.fields import (
    BODY,
    BYLINE,
    CONTENT_HASH,
    DATES_MENTIONED,
    ENTITY_ID_FIELDS,
    EXACT,
    ID,
    PUBLISHED_AT,
    SECTION,
    SOURCE,
    TITLE,
)
from search.languages import suffixes
from search.query import grouping
from search.query.compiler import compile_query
from search.query.cursor import START, SortValue, decode_cursor
from search.query.facets import (
    ENTITY_FACETS,
    FACETS,
    HISTOGRAMS,
    facet_agg_name,
    histogram_agg_name,
)

# Re-exported: the related and suggestion bodies live in modules of their own but belong to
# the builder's set.
from search.query.hits import HIT_FIELDS as HIT_FIELDS
from search.query.hits import source as source
from search.query.language_groups import only_groups
from search.query.ranking import ranked
from search.query.related import build_related_body as build_related_body
from search.query.request import (
    InvalidRequestError,
    SearchRequest,
    as_utc,
    facet,
    lower_bound,
    upper_bound,
)
from search.query.sampling import FACET_SAMPLE, sampled
from search.query.suggest import build_entity_suggest_body as build_entity_suggest_body

#: How long a point in time outlives its last page (also the ledger's expiry).
PIT_KEEP_ALIVE_S: Final = 120
PIT_KEEP_ALIVE: Final = f"{PIT_KEEP_ALIVE_S // 60}m"
SNIPPET_LENGTH: Final = 160
SNIPPETS_PER_HIT: Final = 3
MAX_EXPORT_BATCH: Final = 10_000
#: The aggregation of the first and last publication day of the matches (`extent`).
EXTENT_AGG: Final = "published_range"
#: Hits a grouped cursor page reads per batch while looking for clusters not yet shown.
MAX_GROUPED_BATCH: Final = 200
ENTITY_LATEST: Final = 10
ENTITY_RELATED: Final = 10

EXPORT_FIELDS: Final = (*HIT_FIELDS, BYLINE, SECTION, DATES_MENTIONED, CONTENT_HASH)
_DATE_FORMAT: Final = "strict_date_optional_time"


# --- clauses of a search -----------------------------------------------------------------------


def text_query(req: SearchRequest, groups: Collection[str] | None = None) -> dict[str, Any]:
    """The journalist's query, over the language `groups` the index holds (None: every one);
    raises QuerySyntaxError."""
    query = compile_query(req.q)
    return query if groups is None else only_groups(query, groups)


def filters(req: SearchRequest) -> list[dict[str, Any]]:
    """Non-scoring restrictions on every count: the publication date range."""
    bounds: dict[str, str] = {}
    if req.date_from is not None:
        bounds["gte"] = lower_bound(req.date_from).isoformat()
    if isinstance(req.date_to, datetime):
        bounds["lte"] = as_utc(req.date_to).isoformat()
    elif req.date_to is not None:  # a date includes its whole day
        bounds["lt"] = upper_bound(req.date_to).isoformat()
    if not bounds:
        return []
    return [{"range": {PUBLISHED_AT: {**bounds, "format": _DATE_FORMAT}}}]


def exclusions(req: SearchRequest) -> list[dict[str, Any]]:
    return [facet(name).filter(values) for name, values in req.exclusions.items()]


def required_values(req: SearchRequest) -> list[dict[str, Any]]:
    """Facets asked for all of their values (`all_of`): one clause per value. They narrow the
    hits and every count, their own facet's too: its counts are within the narrowed hits."""
    return [
        clause
        for name, values in req.filters.items()
        if req.requires_all(name)
        for clause in facet(name).filter_all(values)
    ]


def main_query(req: SearchRequest, groups: Collection[str] | None = None) -> dict[str, Any]:
    clauses: dict[str, Any] = {"must": [text_query(req, groups)]}
    if restricted := [*filters(req), *required_values(req)]:
        clauses["filter"] = restricted
    if excluded := exclusions(req):
        clauses["must_not"] = excluded
    return {"bool": clauses}


def selection_filters(req: SearchRequest, *, exclude: str | None = None) -> list[dict[str, Any]]:
    """One terms filter per facet selected as "any of", leaving out `exclude`'s own ("all of"
    selections are in the main query)."""
    return [
        facet(name).filter(values)
        for name, values in req.filters.items()
        if name != exclude and not req.requires_all(name)
    ]


def _all_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def post_filter(req: SearchRequest) -> dict[str, Any] | None:
    selections = selection_filters(req)
    return _all_of(selections) if selections else None


def match_query(req: SearchRequest) -> dict[str, Any]:
    """The whole search as one query, selections included: a saved search's percolator."""
    clauses: dict[str, Any] = {"must": [main_query(req)]}
    if selected := selection_filters(req):
        clauses["filter"] = selected
    return {"bool": clauses}


def aggregations(req: SearchRequest) -> dict[str, Any]:
    """Each facet under every other selection (multi-select); histograms under all of them."""
    aggs: dict[str, Any] = {}
    for name in req.facets:
        aggs[facet_agg_name(name)] = {
            "filter": _all_of(selection_filters(req, exclude=name)),
            "aggs": facet(name).aggregation(
                req.facet_size, req.filters.get(name, []), req.facet_contains
            ),
        }
    if req.histogram:
        everything = _all_of(selection_filters(req))
        for histogram_name, histogram in HISTOGRAMS.items():
            aggs[histogram_agg_name(histogram_name)] = {
                "filter": everything,
                "aggs": {"values": histogram.aggregation()},
            }
    if req.extent:
        aggs[EXTENT_AGG] = extent_aggregation(req)
    return aggs


def extent_aggregation(req: SearchRequest) -> dict[str, Any]:
    """The first and last publication time of the articles matching `req` with its selections
    (results.day_range reads it)."""
    span = {"first": {"min": {"field": PUBLISHED_AT}}, "last": {"max": {"field": PUBLISHED_AT}}}
    return {"filter": _all_of(selection_filters(req)), "aggs": span}


def highlight(req: SearchRequest, groups: Collection[str] | None = None) -> dict[str, Any] | None:
    """Snippets with `<mark>`; `encoder: html` makes OpenSearch escape the article text.

    The text query searches the stemmed fields, their `.exact` copies and the language fields
    (`body_ko` ...); a highlighter marks its own field's matches only, so all are highlighted
    and the shaper merges them. `highlight_query`: facet filters must not mark words.
    """
    if not req.q.strip():
        return None
    body_options = {"fragment_size": SNIPPET_LENGTH, "number_of_fragments": SNIPPETS_PER_HIT}
    whole = {"number_of_fragments": 0}
    named = suffixes() if groups is None else [s for s in suffixes() if s in groups]
    return {
        "type": "unified",
        "encoder": "html",
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "order": "score",
        "highlight_query": text_query(req, groups),
        "fields": {
            **dict.fromkeys((TITLE, f"{TITLE}.{EXACT}", *(f"{TITLE}_{s}" for s in named)), whole),
            BODY: {**body_options, "no_match_size": SNIPPET_LENGTH},
            **dict.fromkeys((f"{BODY}.{EXACT}", *(f"{BODY}_{s}" for s in named)), body_options),
        },
    }


_NEWEST: Final = {PUBLISHED_AT: {"order": "desc", "missing": "_last"}}
_OLDEST: Final = {PUBLISHED_AT: {"order": "asc", "missing": "_last"}}
#: Unique per article, so equal scores and dates still page deterministically.
_TIEBREAKER: Final = {ID: {"order": "asc"}}


def sort(req: SearchRequest) -> list[dict[str, Any]]:
    order = req.effective_sort
    if order == "relevance":
        return [{"_score": {"order": "desc"}}, _NEWEST, _TIEBREAKER]
    return [_NEWEST if order == "newest" else _OLDEST, _TIEBREAKER]


def _pit(pit_id: str) -> dict[str, str]:
    return {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE}


# --- whole bodies ------------------------------------------------------------------------------


#: Query-string parameters asking OpenSearch to keep an answer in its shard request cache, which
#: it fills only with `size: 0` answers unless asked. Entries live until the index changes.
REQUEST_CACHE: Final = {"request_cache": "true"}


def search_params(req: SearchRequest) -> dict[str, str]:
    """Query-string parameters for a search. Browse pages (no query text; not a cursor page)
    are the same request for every visitor and aggregate over everything they match, so
    they go through the request cache; bench.tuning measured the landing page at 100k articles
    at 17.5 ms p50 without it and 1.1 ms with it. Text searches vary too much to be worth it."""
    return dict(REQUEST_CACHE) if not req.q.strip() and req.cursor is None else {}


def build_search_body(
    req: SearchRequest,
    *,
    pit_id: str | None = None,
    search_after: Sequence[SortValue] | None = None,
    groups: Collection[str] | None = None,
    facet_sample: int = FACET_SAMPLE,
) -> dict[str, Any]:
    """The body of one search page, over the language `groups` the index holds (None: all);
    a text search counts its facets over its `facet_sample` best matches (search.query.sampling).

    Without `pit_id` and `search_after`, `req.cursor` (if any but `*`, which starts cursor
    paging at the first page) supplies them; raises InvalidCursor or QuerySyntaxError. A
    body with `pit` must be sent without an index. Pages after the first of a cursor
    (`search_after` set) carry no aggregations: the facets came with the first page and
    would cost the same again for nothing new.
    """
    if req.cursor not in (None, START) and pit_id is None and search_after is None:
        cursor = decode_cursor(req.cursor, req)
        pit_id, search_after = cursor.pit_id, cursor.search_after
    query = main_query(req, groups)
    body: dict[str, Any] = {
        "query": ranked(query) if req.q.strip() and req.effective_sort == "relevance" else query,
        "sort": sort(req),
        "_source": source(),
        "track_total_hits": True,
        "size": req.size,
    }
    if (selected := post_filter(req)) is not None:
        body["post_filter"] = selected
    if (marks := highlight(req, groups)) is not None:
        body["highlight"] = marks
    if search_after is None:
        body["from"] = req.offset
        if aggs := aggregations(req):
            body["aggs"] = sampled(aggs, facet_sample) if req.q.strip() else aggs
        if req.group == "duplicates":
            # Collapsing cannot follow a search_after here: later pages are grouped by the
            # service (search.query.grouping).
            body["collapse"] = grouping.collapse()
            if req.count_groups:  # a distinct count over every match: a fifth more time
                body.setdefault("aggs", {})[grouping.GROUPS_AGG] = grouping.group_count(
                    selection_filters(req)
                )
    else:
        body["search_after"] = list(search_after)
    if pit_id is not None:
        body["pit"] = _pit(pit_id)
    return body


def build_export_body(
    req: SearchRequest,
    pit_id: str | None,
    search_after: Sequence[SortValue] | None,
    size: int,
    *,
    include_body: bool = False,
    count_total: bool = False,
) -> dict[str, Any]:
    """One batch of an export: every match in the request's order, no facets, no snippets.

    Selections join the query's filters here: with no aggregations, post_filter buys nothing.
    `count_total` (the first batch) counts every match in the same snapshot.
    """
    if not 1 <= size <= MAX_EXPORT_BATCH:
        raise InvalidRequestError(f"An export batch holds 1 to {MAX_EXPORT_BATCH} articles")
    query = main_query(req)
    query["bool"]["filter"] = [*query["bool"].get("filter", []), *selection_filters(req)]
    if not query["bool"]["filter"]:
        del query["bool"]["filter"]
    body: dict[str, Any] = {
        "query": query,
        "sort": sort(req),
        "_source": source((*EXPORT_FIELDS, BODY) if include_body else EXPORT_FIELDS),
        "track_total_hits": count_total,
        "size": size,
    }
    if search_after is not None:
        body["search_after"] = list(search_after)
    if pit_id is not None:
        body["pit"] = _pit(pit_id)
    return body


def build_entity_body(
    facet_name: str,
    value: str,
    *,
    entity_id: str | None = None,
    latest: int = ENTITY_LATEST,
    related: int = ENTITY_RELATED,
) -> dict[str, Any]:
    """Everything an entity page shows, in one request over the articles naming the entity.

    Co-occurring entities are asked for twice: `significant_terms` (names unusually common
    alongside this one, against the whole archive) and plain `terms` (most frequent). The
    shaper uses the significant ones when there are enough articles for significance to mean
    anything and falls back to frequency otherwise. One extra bucket each, because an
    entity co-occurs with itself.
    """
    aggs: dict[str, Any] = {
        "first_seen": {"min": {"field": PUBLISHED_AT}},
        "last_seen": {"max": {"field": PUBLISHED_AT}},
        "by_month": {
            "date_histogram": {
                "field": PUBLISHED_AT,
                "calendar_interval": "month",
                "format": "yyyy-MM-dd",
                "min_doc_count": 0,
            }
        },
        "top_sources": {"terms": {"field": SOURCE, "size": related}},
    }
    for other in ENTITY_FACETS:
        field = FACETS[other].count_field or FACETS[other].field
        aggs[f"significant_{other}"] = {
            "significant_terms": {"field": field, "size": related + 1, "min_doc_count": 2}
        }
        aggs[f"frequent_{other}"] = {"terms": {"field": field, "size": related + 1}}
    # By identity when the registry knows it; by name for facets without one (source).
    chosen = {"term": {ENTITY_ID_FIELDS[facet_name]: entity_id}} if entity_id else None
    return {
        "query": {"bool": {"filter": [chosen or facet(facet_name).filter([value])]}},
        "sort": [_NEWEST, _TIEBREAKER],
        "_source": source(),
        "size": latest,
        "track_total_hits": True,
        "aggs": aggs,
    }
