"""The typed search request: what the API and the web page ask, validated once, before any query."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from search.fields import MULTI_VALUED, FacetName
from search.query.facets import FACETS, MAX_CONTAINS_CHARS, TermsFacet, fold

SortOrder = Literal["relevance", "newest", "oldest"]
#: `duplicates`: one hit per near-duplicate cluster (search.query.grouping).
Grouping = Literal["none", "duplicates"]

#: The index's `max_result_window` (index_mappings/articles.json): deepest from+size.
MAX_RESULT_WINDOW: Final = 10_000
MAX_PAGE_SIZE: Final = 100
#: Values per facet in one request: keeps the terms filters and the `selected` counts small.
MAX_VALUES_PER_FACET: Final = 50
MAX_VALUE_LENGTH: Final = 300
FACET_NAMES: Final[tuple[FacetName, ...]] = get_args(FacetName)


class InvalidRequestError(Exception):
    """A request the builder cannot turn into a query (unknown facet, bad export size ...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def facet(name: str) -> TermsFacet:
    """The facet called `name`; an unknown name is the caller's mistake."""
    try:
        return FACETS[name]
    except KeyError:
        known = ", ".join(FACETS)
        raise InvalidRequestError(f"Unknown facet '{name}'; known facets are {known}") from None


def _clean_values(facet: str, values: list[str]) -> list[str]:
    """Strip, drop blanks, and drop values that fold to one already given."""
    cleaned: dict[str, str] = {}
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        if len(value) > MAX_VALUE_LENGTH:
            raise ValueError(f"a {facet} value is longer than {MAX_VALUE_LENGTH} characters")
        cleaned.setdefault(fold(value), value)
    if len(cleaned) > MAX_VALUES_PER_FACET:
        raise ValueError(f"at most {MAX_VALUES_PER_FACET} {facet} values may be given at once")
    return list(cleaned.values())


DATE_FORMS: Final = (
    "a year (2020), a month (2020-01), a day (2020-01-31) or an ISO 8601 date-time "
    "(2020-01-31T12:00:00Z)"
)
_PARTIAL_DATE: Final = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_DATE_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


def read_date_bound(value: object, *, end: bool) -> date | datetime | None:
    """A date bound as a journalist writes it: a year or a month means all of it, so as an
    end it is its last day. Numbers are refused rather than read as epoch seconds."""
    if value is None or isinstance(value, date):  # a datetime is a date too
        return value
    text = value.strip() if isinstance(value, str) else None
    if not text:
        raise ValueError(f"give {DATE_FORMS}")
    try:
        if _DATE_TIME.fullmatch(text):
            return datetime.fromisoformat(text.replace("z", "Z"))
        if (parts := _PARTIAL_DATE.fullmatch(text)) is None:
            raise ValueError(text)
        year, month, day = parts.groups()
        if day is not None:
            return date(int(year), int(month), int(day))
        if not end:
            return date(int(year), int(month or 1), 1)
        if month is None:
            return date(int(year), 12, 31)
        last = calendar.monthrange(int(year), int(month))[1]
        return date(int(year), int(month), last)
    except ValueError:
        raise ValueError(f"'{text[:40]}' is not a date: give {DATE_FORMS}") from None


def date_from_value(value: object) -> date | datetime | None:
    return read_date_bound(value, end=False)


def date_to_value(value: object) -> date | datetime | None:
    return read_date_bound(value, end=True)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are read as UTC, like the dates in the index."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def lower_bound(value: date | datetime) -> datetime:
    """First instant a `date_from` includes: a date means from its UTC midnight."""
    if isinstance(value, datetime):
        return as_utc(value)
    return datetime.combine(value, time.min, tzinfo=UTC)


def upper_bound(value: date | datetime) -> datetime:
    """First instant a `date_to` excludes: a date includes the whole UTC day."""
    if isinstance(value, datetime):
        return as_utc(value) + timedelta(microseconds=1)
    return datetime.combine(value + timedelta(days=1), time.min, tzinfo=UTC)


class SearchRequest(BaseModel):
    """One search: text, facet selections and exclusions, dates, order, and paging.

    Facet `filters` narrow the hits but not the counts of their own facet (multi-select);
    `exclusions` and dates narrow everything. Page with `page` up to MAX_RESULT_WINDOW
    results deep, or with the opaque `cursor` of the previous response beyond that.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    q: str = Field("", description="Query in the newsroom syntax; blank lists everything.")
    filters: dict[FacetName, list[str]] = Field(
        default_factory=dict, description="Facet -> values to keep (any of them)."
    )
    exclusions: dict[FacetName, list[str]] = Field(
        default_factory=dict, description="Facet -> values to drop (not_person=... and so on)."
    )
    all_of: list[FacetName] = Field(
        default_factory=list,
        description="Facets whose selected values are all required (AND); the others keep "
        "articles with any of their values (OR).",
    )
    date_from: date | datetime | None = Field(None, description="Published on or after.")
    date_to: date | datetime | None = Field(None, description="Published on or before.")
    sort: SortOrder | None = Field(None, description="Default: relevance with q, else newest.")
    page: int = Field(1, ge=1)
    size: int = Field(10, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    facet_size: int = Field(10, ge=1, le=100, description="Values per facet.")
    facets: list[FacetName] = Field(
        default_factory=lambda: list(FACET_NAMES), description="Facets to count."
    )
    facet_contains: str | None = Field(
        None,
        max_length=MAX_CONTAINS_CHARS,
        description="Count only facet values containing this text (case and accents aside).",
    )
    histogram: bool = Field(False, description="Also count articles over time.")
    extent: bool = Field(
        False, description="Also give the first and last publication day of the matches."
    )
    group: Grouping = Field("none", description="`duplicates`: one hit per cluster of copies.")
    count_groups: bool = Field(
        False, description="With group=duplicates, also count the clusters matching (`groups`)."
    )

    @field_validator("filters", "exclusions")
    @classmethod
    def _clean(cls, selections: dict[FacetName, list[str]]) -> dict[FacetName, list[str]]:
        cleaned = {name: _clean_values(name, values) for name, values in selections.items()}
        return {name: values for name, values in cleaned.items() if values}

    _date_from = field_validator("date_from", mode="before")(date_from_value)
    _date_to = field_validator("date_to", mode="before")(date_to_value)

    @field_validator("facets")
    @classmethod
    def _unique_facets(cls, facets: list[FacetName]) -> list[FacetName]:
        return list(dict.fromkeys(facets))

    @field_validator("all_of")
    @classmethod
    def _several_values(cls, facets: list[FacetName]) -> list[FacetName]:
        single = [name for name in facets if name not in MULTI_VALUED]
        if single:
            raise ValueError(
                f"{single[0]} has one value per article, so all of two never matches; "
                f"all_of takes {', '.join(MULTI_VALUED)}"
            )
        return list(dict.fromkeys(facets))

    @field_validator("facet_contains")
    @classmethod
    def _blank_contains_is_none(cls, text: str | None) -> str | None:
        return " ".join(text.split()) or None if text is not None else None

    @field_validator("cursor")
    @classmethod
    def _blank_cursor_is_none(cls, cursor: str | None) -> str | None:
        if cursor is None or not cursor.strip():
            return None
        return cursor.strip()

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        start, end = self.date_from, self.date_to
        if start is not None and end is not None and lower_bound(start) >= upper_bound(end):
            raise ValueError("date_from must not be later than date_to")
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise ValueError(
                f"page {self.page} of size {self.size} goes past result {MAX_RESULT_WINDOW}; "
                "to read further, follow next_cursor from the previous response"
            )
        if self.cursor is not None and self.page != 1:
            raise ValueError("give either page or cursor, not both")
        return self

    @property
    def effective_sort(self) -> SortOrder:
        """The order actually used: relevance needs text to be relevant to."""
        if self.sort is not None:
            return self.sort
        return "relevance" if self.q.strip() else "newest"

    def requires_all(self, name: str) -> bool:
        """Whether the facet's selection needs every value (AND) rather than any (OR)."""
        return name in self.all_of and name in self.filters

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size
