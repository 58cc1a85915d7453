"""Query-string parameters of the search endpoints, and their translation to a SearchRequest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import QueryParams

from search.fields import FacetName
from search.http.errors import Problem
from search.query.facets import MAX_CONTAINS_CHARS
from search.query.request import (
    DATE_FORMS,
    FACET_NAMES,
    Grouping,
    SearchRequest,
    SortOrder,
    date_from_value,
    date_to_value,
)

MAX_QUERY_CHARS = 1000


class FilterParams(BaseModel):
    """Which articles: the query, repeatable facet filters and exclusions, dates, order."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=MAX_QUERY_CHARS, examples=['"north korean" troops -russia'])
    person: list[str] = Field([], examples=[["Volodymyr Zelensky"]])
    agency: list[str] = []
    location: list[str] = []
    groups: list[str] = Field(
        [], description="Groups named: parties, movements, nationalities.", examples=[["Kurds"]]
    )
    country: list[str] = []
    source: list[str] = []
    language: list[str] = []
    not_person: list[str] = []
    not_agency: list[str] = []
    not_location: list[str] = []
    not_groups: list[str] = []
    not_country: list[str] = []
    not_source: list[str] = []
    not_language: list[str] = []
    all_of: list[FacetName] = Field(
        [],
        description="Facets whose values given must all be named (AND: `person=A&person=B"
        "&all_of=person` is A and B); a facet not listed keeps articles with any of its values "
        "(OR), and its counts are multi-select. The counts of a facet listed are within the "
        "narrowed hits. Repeatable; person, agency, location, groups or country (source and "
        "language have one value per article).",
        examples=[["person"]],
    )
    date_from: date | datetime | None = Field(
        None, description=f"Published on or after: {DATE_FORMS}.", examples=["2025-01"]
    )
    date_to: date | datetime | None = Field(
        None, description=f"Published on or before: {DATE_FORMS}.", examples=["2025"]
    )
    sort: SortOrder | None = None
    group: Grouping = Field(
        "none",
        description="`duplicates`: one hit per near-duplicate cluster, carrying `copies` "
        "(how many, in which outlets, first and last published). Facet counts stay per article.",
    )

    _date_from = field_validator("date_from", mode="before")(date_from_value)
    _date_to = field_validator("date_to", mode="before")(date_to_value)

    def to_request(self) -> SearchRequest:
        data = self.model_dump()
        filters = {name: data[name] for name in FACET_NAMES if data[name]}
        exclusions = {name: data[f"not_{name}"] for name in FACET_NAMES if data[f"not_{name}"]}
        paging = {name: data[name] for name in PAGING if name in data}
        if data.get("facets"):
            paging["facets"] = data["facets"]
        return build_request(
            q=self.q,
            filters=filters,
            exclusions=exclusions,
            all_of=self.all_of,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,
            group=self.group,
            **paging,
        )


PAGING = (
    "page",
    "size",
    "cursor",
    "facet_size",
    "facet_contains",
    "histogram",
    "extent",
    "count_groups",
)


class SearchParams(FilterParams):
    """`GET /v1/search?q=...&person=...&person=...&not_source=...`; every filter repeats."""

    page: int = Field(1, ge=1, le=1000)
    size: int = Field(10, ge=1, le=100)
    cursor: str | None = Field(
        None,
        description="`*` for the first page of cursor paging, then `next_cursor` of the previous "
        "page: stable, deep paging over one snapshot of the index.",
    )
    facet_size: int = Field(10, ge=1, le=100)
    facets: list[FacetName] = Field(
        [],
        description="Facets to count (repeatable); every facet when not given. With "
        "`facet_contains`, a lookup of one facet's values under the search.",
    )
    facet_contains: str | None = Field(
        None,
        max_length=MAX_CONTAINS_CHARS,
        description="Count only the facet values containing this text, case and accents "
        "aside (`pelosi` finds Nancy Pelosi): the same counts as without it, for values "
        "beyond the top `facet_size`. Values with no article in the results are not listed.",
        examples=["pelosi"],
    )
    histogram: bool = True
    extent: bool = Field(
        False,
        description="Also give `published`, the first and last publication day of the matches: "
        "where only the span is wanted, far cheaper than `histogram` (a third of a broad "
        "search's time at a million articles).",
    )
    count_groups: bool = Field(
        False,
        description="With group=duplicates, also count the clusters that match (`groups`); "
        "a distinct count over every match, which makes a search about a fifth slower.",
    )


def build_request(**fields: object) -> SearchRequest:
    """A SearchRequest, or a 400 naming the parameter to fix."""
    try:
        return SearchRequest.model_validate(fields)
    except ValidationError as exc:
        raise validation_problem(exc) from None


def validation_problem(exc: ValidationError) -> Problem:
    first = exc.errors()[0]
    parameter = ".".join(str(p) for p in first["loc"]) or None
    message = str(first["msg"]).removeprefix("Value error, ")
    detail = f"{parameter}: {message}" if parameter else message
    return Problem(400, "Invalid parameter", detail, parameter=parameter)


ModelT = TypeVar("ModelT", bound=BaseModel)


def query_model(
    model: type[ModelT], *, ignore_unknown: bool = False
) -> Callable[[Request], Awaitable[ModelT]]:
    """A dependency validating the query string straight into `model`.

    FastAPI's own query-model path (`Annotated[Model, Query()]`) spent a fifth of the API's CPU
    per search; this does the same in one pydantic call. List fields take every value of a
    repeated parameter, other fields the last one, as FastAPI does. Errors are FastAPI's, so the
    problem+json handler reports them alike. Pair it with `openapi_query(model)` for the docs.
    `ignore_unknown` is for pages people reach from outside, whose links carry `utm_source`
    and the like; the API keeps naming an unknown parameter, since there it is a typo.
    """

    async def dependency(request: Request) -> ModelT:
        try:
            return read_query(model, request.query_params, ignore_unknown=ignore_unknown)
        except ValidationError as exc:
            errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
            raise RequestValidationError(errors) from None

    return dependency


@cache
def _fields(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """The model's list fields (every value of a repeated parameter) and all its fields."""
    repeated = frozenset(
        name for name, field in model.model_fields.items() if get_origin(field.annotation) is list
    )
    return repeated, frozenset(model.model_fields)


def read_query(model: type[ModelT], query: QueryParams, *, ignore_unknown: bool = False) -> ModelT:
    """A query string validated into `model` (see `query_model`); raises ValidationError."""
    repeated, known = _fields(model)
    data = {
        name: query.getlist(name) if name in repeated else query.getlist(name)[-1]
        for name in query
        if not ignore_unknown or name in known
    }
    return model.model_validate(data)


def openapi_query(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` declaring each field of `model` as a query parameter, for routes that
    read their parameters through `query_model`."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameters.append(parameter)
    return {"parameters": parameters}
