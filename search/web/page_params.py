"""The search page's parameters read from its URL, a mistyped date set aside rather than
refused: the page then names the date box to fix and keeps what was typed in it, instead of
losing the whole form to one bad value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from search.http.params import read_query
from search.web.urls import PageParams

#: The date boxes, as their labels name them.
DATE_FIELDS: Final[dict[str, str]] = {"date_from": "Date from", "date_to": "Date to"}
DATE_HINT: Final = "write 2020, 2020-03 or 2020-03-15"
#: Characters of a mistyped date repeated back, at most.
SHOWN_CHARS: Final = 40


@dataclass(frozen=True)
class DateError:
    """A date box whose value is not a date, with what was typed in it."""

    name: str
    typed: str

    @property
    def label(self) -> str:
        return DATE_FIELDS[self.name]

    @property
    def problem(self) -> str:
        return f"{self.typed[:SHOWN_CHARS]} is not a date; {DATE_HINT}"

    @property
    def message(self) -> str:
        return f"{self.label}: {self.problem}"


@dataclass(frozen=True)
class ReadParams:
    params: PageParams
    date_errors: dict[str, DateError] = field(default_factory=dict)


def _refused(exc: ValidationError) -> RequestValidationError:
    """As `search.http.params.query_model` reports it, so the page route words it alike."""
    return RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in exc.errors()])


async def page_params(request: Request) -> ReadParams:
    """The parameters, without any date that is not one; other mistakes are refused (400)."""
    query = request.query_params
    try:
        return ReadParams(read_query(PageParams, query, ignore_unknown=True))
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"] and e["loc"][0] in DATE_FIELDS}
        if not bad:
            raise _refused(exc) from None
    kept = QueryParams([(name, value) for name, value in query.multi_items() if name not in bad])
    try:
        params = read_query(PageParams, kept, ignore_unknown=True)
    except ValidationError as exc:
        raise _refused(exc) from None
    errors = {name: DateError(name, query.getlist(name)[-1]) for name in DATE_FIELDS if name in bad}
    return ReadParams(params, errors)
