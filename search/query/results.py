"""OpenSearch responses -> the API's models; in snippets `<mark>` is the only markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from search.duplicates.summaries import Copies, alone, stored
from search.fields import (
    AGENCIES,
    CLUSTER_ID,
    ID,
    LANGUAGE,
    LOCATIONS,
    PERSONS,
    PUBLISHED_AT,
    SOURCE,
    SUMMARY,
    TITLE,
    URL,
)
from search.query import grouping
from search.query.builder import EXTENT_AGG
from search.query.cursor import encode_cursor
from search.query.facets import (
    ENTITY_FACETS,
    FACETS,
    HISTOGRAMS,
    FacetValue,
    Histogram,
    HistogramBucket,
    facet_agg_name,
    fold,
    histogram_agg_name,
)
from search.query.request import SearchRequest
from search.query.sampling import counted_over, facet_results
from search.query.snippets import snippets, title_html

#: Below this many articles, "significant" co-occurrence is noise; plain frequency is shown
#: (also for a facet where nothing stood out).
MIN_ARTICLES_FOR_SIGNIFICANCE: Final = 10


class Total(BaseModel):
    value: int
    relation: Literal["eq", "gte"] = "eq"


class Hit(BaseModel):
    """One article in a result list. `title` is plain text (escape it when rendering);
    `title_html` and `snippets` are escaped HTML whose only tags are `<mark>` and `</mark>`."""

    id: str
    title: str
    title_html: str
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    snippets: list[str] = Field(default_factory=list)
    persons: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    score: float | None = None
    cluster_id: str | None = Field(None, description="Its cluster of near-duplicate copies.")
    copies: Copies | None = Field(
        None,
        description="With group=duplicates: the cluster's copies, every member counted "
        "(count 1 for an article without copies).",
    )


class DayRange(BaseModel):
    first: date
    last: date


class SearchResponse(BaseModel):
    total: Total
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    facets_counted: int | None = Field(
        None,
        description=(
            "Set when a text search matched more articles than its facets count: the facet "
            "counts are then over this many best-scoring matches (search.query.sampling), "
            "not over all `total`. Absent when they count every match."
        ),
    )
    histogram: dict[str, Histogram] = Field(default_factory=dict)
    published: DayRange | None = Field(
        None, description="With extent: the first and last publication day of the matches."
    )
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for the next page.")
    groups: int | None = Field(
        None, description="With group=duplicates: clusters matching (`total` counts articles)."
    )
    took_ms: int = 0
    page: int = 1
    size: int = 10


class ClusterCopies(BaseModel):
    """An article's copies: the members of its near-duplicate cluster, lead first."""

    cluster_id: str
    count: int = Field(description="Members of the cluster, the article itself included.")
    outlets: list[str] = Field(description="Sources of the members listed, the lead's first.")
    copies: list[Hit] = Field(description="Earliest published first; the first is the lead.")


RelatedBy = Literal["significance", "frequency"]


class RelatedEntity(BaseModel):
    value: str
    count: int
    id: str | None = Field(None, description="Registry identity, for person/agency/location.")
    score: float | None = Field(None, description="Significance, when chosen by significance.")


class EntityPage(BaseModel):
    facet: str
    name: str
    id: str | None = Field(None, description="Registry identity (absent for sources).")
    aliases: list[str] = Field(default_factory=list, description="Other names it goes by.")
    candidates: list[str] = Field(
        default_factory=list,
        description="For an ambiguous short form: ids of the entities it may stand for.",
    )
    total: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    by_month: list[HistogramBucket] = Field(default_factory=list)
    related_by: dict[str, RelatedBy] = Field(
        default_factory=dict, description="Per facet: how `related` was chosen."
    )
    related: dict[str, list[RelatedEntity]] = Field(default_factory=dict)
    top_sources: list[RelatedEntity] = Field(default_factory=list)
    latest: list[Hit] = Field(default_factory=list)


class Suggestion(BaseModel):
    value: str
    count: int


# --- hits --------------------------------------------------------------------------------------


def _datetime(value: object) -> datetime | None:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return None


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [] if value is None else [str(value)]


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def shape_hit(raw: Mapping[str, Any], *, grouped: bool = False) -> Hit:
    """One hit; `grouped` adds its cluster's summary (stored with the members, see
    search.duplicates.summaries)."""
    src: Mapping[str, Any] = raw.get("_source", {})
    marks: Mapping[str, Sequence[str]] = raw.get("highlight", {})
    title = str(src.get(TITLE) or "")
    score = raw.get("_score")
    hit = Hit(
        id=str(src.get(ID) or raw.get("_id", "")),
        title=title,
        title_html=title_html(marks, title),
        source=_optional_str(src.get(SOURCE)),
        url=_optional_str(src.get(URL)),
        published_at=_datetime(src.get(PUBLISHED_AT)),
        language=_optional_str(src.get(LANGUAGE)),
        snippets=snippets(marks, str(src.get(SUMMARY) or "")),
        persons=_strings(src.get(PERSONS)),
        agencies=_strings(src.get(AGENCIES)),
        locations=_strings(src.get(LOCATIONS)),
        score=float(score) if isinstance(score, int | float) else None,
        cluster_id=_optional_str(src.get(CLUSTER_ID)),
    )
    if grouped:
        hit.copies = stored(src) or alone(hit.source, hit.published_at)
    return hit


def shape_hits(raw: Mapping[str, Any], *, grouped: bool = False) -> list[Hit]:
    return [shape_hit(hit, grouped=grouped) for hit in raw.get("hits", {}).get("hits", [])]


def _total(raw: Mapping[str, Any]) -> Total:
    total = raw.get("hits", {}).get("total", 0)
    if isinstance(total, int):
        return Total(value=total)
    return Total(value=int(total.get("value", 0)), relation=total.get("relation", "eq"))


def _next_cursor(raw: Mapping[str, Any], req: SearchRequest) -> str | None:
    """A cursor after a full page of cursor paging: search_after the last hit, in the same
    point in time. A numbered page offers none."""
    hits = raw.get("hits", {}).get("hits", [])
    if req.cursor is None or len(hits) < req.size or not hits[-1].get("sort"):
        return None
    return encode_cursor(req, list(hits[-1]["sort"]), raw.get("pit_id"))


def day_range(agg: Mapping[str, Any]) -> DayRange | None:
    """Days (UTC) of the `extent` aggregation; None when no match has a date."""
    first, last = (_datetime(agg.get(end, {}).get("value")) for end in ("first", "last"))
    if first is None or last is None:
        return None
    return DayRange(first=first.date(), last=last.date())


def shape_search_response(raw: Mapping[str, Any], req: SearchRequest) -> SearchResponse:
    """Read a response to `build_search_body(req)`. Facets absent from it (cursor pages)
    are left out rather than shown as empty."""
    raw_aggs: Mapping[str, Any] = raw.get("aggregations", {})
    aggs = facet_results(raw_aggs)
    total = _total(raw)
    facets = {
        name: FACETS[name].parse(aggs[facet_agg_name(name)], req.filters.get(name, []))
        for name in req.facets
        if facet_agg_name(name) in aggs
    }
    histograms = {
        name: histogram.parse(aggs[histogram_agg_name(name)].get("values", {}))
        for name, histogram in HISTOGRAMS.items()
        if histogram_agg_name(name) in aggs
    }
    return SearchResponse(
        total=total,
        hits=shape_hits(raw, grouped=req.group == "duplicates"),
        facets=facets,
        facets_counted=counted_over(raw_aggs, total.value) if facets else None,
        histogram=histograms,
        published=day_range(raw_aggs.get(EXTENT_AGG, {})),
        next_cursor=_next_cursor(raw, req),
        groups=grouping.read_group_count(aggs) if req.group == "duplicates" else None,
        took_ms=int(raw.get("took", 0)),
        page=req.page,
        size=req.size,
    )


# --- entity pages and suggestions --------------------------------------------------------------


def _display_name(hits: Sequence[Mapping[str, Any]], field_name: str, value: str) -> str:
    """The form the archive writes a name in: the first stored value folding like `value`."""
    key = fold(value)
    for hit in hits:
        for candidate in _strings(hit.get("_source", {}).get(field_name)):
            if fold(candidate) == key:
                return candidate
    return value


def _buckets(
    agg: Mapping[str, Any], own: str | None, facet_name: str | None = None
) -> list[RelatedEntity]:
    """Rows of a terms aggregation, leaving out `own` (an id, or a folded name)."""
    rows = []
    for b in agg.get("buckets", []):
        identity, value = (
            FACETS[facet_name].identity(str(b["key"])) if facet_name else (None, str(b["key"]))
        )
        if own is not None and own in (identity, fold(value)):
            continue
        score = float(b["score"]) if "score" in b else None
        rows.append(RelatedEntity(value=value, count=int(b["doc_count"]), score=score, id=identity))
    return rows


def _metric_datetime(agg: Mapping[str, Any]) -> datetime | None:
    if isinstance(agg.get("value_as_string"), str):
        return _datetime(agg["value_as_string"])
    return _datetime(agg.get("value"))


def shape_entity_page(
    raw: Mapping[str, Any],
    facet_name: str,
    value: str,
    *,
    related: int = 10,
    entity_id: str | None = None,
) -> EntityPage:
    """Read a response to `build_entity_body(facet_name, value, entity_id=...)`."""
    aggs: Mapping[str, Any] = raw.get("aggregations", {})
    hits = raw.get("hits", {}).get("hits", [])
    total = _total(raw).value
    own = entity_id or fold(value)
    related_by: dict[str, RelatedBy] = {}
    related_entities: dict[str, list[RelatedEntity]] = {}
    for other in ENTITY_FACETS:
        skip = own if other == facet_name else None
        rows = _buckets(aggs.get(f"significant_{other}", {}), skip, other)
        related_by[other] = "significance"
        if total < MIN_ARTICLES_FOR_SIGNIFICANCE or not rows:
            rows = _buckets(aggs.get(f"frequent_{other}", {}), skip, other)
            related_by[other] = "frequency"
        related_entities[other] = rows[:related]
    by_month = HISTOGRAMS["published_at"].parse(aggs.get("by_month", {})).buckets
    return EntityPage(
        facet=facet_name,
        name=value if entity_id else _display_name(hits, FACETS[facet_name].field, value),
        id=entity_id,
        total=total,
        first_seen=_metric_datetime(aggs.get("first_seen", {})),
        last_seen=_metric_datetime(aggs.get("last_seen", {})),
        by_month=by_month,
        related_by=related_by,
        related=related_entities,
        top_sources=_buckets(aggs.get("top_sources", {}), None),
        latest=shape_hits(raw),
    )


def shape_suggestions(raw: Mapping[str, Any], facet_name: str) -> list[Suggestion]:
    """Read a response to `build_entity_suggest_body(facet_name, ...)`, most frequent first."""
    field_name = FACETS[facet_name].field
    out: list[Suggestion] = []
    for bucket in raw.get("aggregations", {}).get("suggestions", {}).get("buckets", []):
        key = str(bucket["key"])
        top = bucket.get("display", {}).get("hits", {}).get("hits", [])
        out.append(
            Suggestion(value=_display_name(top, field_name, key), count=int(bucket["doc_count"]))
        )
    return out
