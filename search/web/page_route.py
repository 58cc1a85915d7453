"""How a page answers: errors as pages in the API's own words, blank form fields dropped.

Pages and editors' pages share this route class; a page says what the JSON would, because both
take their words from `search.http.errors.problem_for`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from search.http.errors import Problem, problem_for
from search.http.params import MAX_QUERY_CHARS
from search.query.results import SearchResponse
from search.web.templating import templates
from search.web.urls import PageParams, PageState


def search_context(
    state: PageState,
    result: SearchResponse | None,
    error: str | None,
    error_position: int | None,
    error_parameter: str | None = "q",
) -> dict[str, Any]:
    """What search.html shows; `error_parameter` names the field an error is about, so only
    the query box is marked invalid for a query's mistake (None: the query, as OpenSearch's
    refusals are)."""
    return {
        "state": state,
        "params": state.params,
        "result": result,
        "error": error,
        "error_position": error_position,
        "query_invalid": error is not None and error_parameter in (None, "q"),
        # The chart: bars, ticks, presets and the newest day they count from, set by the search
        # page from its calendar histogram (search.web.timelines).
        "bars": [],
        "interval": "",
        "ticks": [],
        "presets": [],
        "newest": None,
        # A signed-in editor's session (search.web.sessions), for "Save this search".
        "follower": None,
        # A signed-in editor's "Add to list" forms (search.web.collecting).
        "collect": None,
        "search_query": "",
        # Where an opened article's "Back to results" leads: this search (search.web.reading).
        "back_href": "/",
        # Set by the search page: mistyped dates (search.web.page_params), and for a search
        # that found nothing the query in plain words and a corrected spelling.
        "date_errors": {},
        "understood": None,
        # How the query was read (search.query.understood), under the box on every search.
        "reading": None,
        "did_you_mean": None,
    }


def error_page(request: Request, problem: Problem) -> Response:
    """An HTML answer to a failed page; on the search page, the form stays usable."""
    context: dict[str, Any] = {"title": problem.title, "detail": problem.detail}
    if request.url.path == "/":
        q = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
        context |= search_context(
            PageState(PageParams(q=q)), None, problem.detail, None, problem.parameter
        )
        name = "search.html"
    else:
        name = "error.html"
    return templates.TemplateResponse(
        request, name, context, status_code=problem.status, headers=problem.headers
    )


class PageRoute(APIRoute):
    """A route that answers errors with a page, where the API's handlers would send JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            given = request.query_params.multi_items()
            kept = [(name, value) for name, value in given if value.strip()]
            if len(kept) < len(given):
                # Blank form fields (an emptied date box) mean "not given": drop them from the
                # permalink rather than reject them.
                target = f"{request.url.path}?{urlencode(kept)}" if kept else request.url.path
                return RedirectResponse(target, status_code=303)
            try:
                return await handler(request)
            except Exception as exc:
                problem = problem_for(exc)
                if problem is None:
                    raise
                return error_page(request, problem)

        return page_handler
