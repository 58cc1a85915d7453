"""Every error as application/problem+json (RFC 9457): what went wrong, what to fix; no traces."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from search.collections.models import CollectionError
from search.query import service
from search.query.cursor import InvalidCursor
from search.query.pits import TooManyOpenCursors
from search.query.request import InvalidRequestError
from search.query.syntax_tree import QuerySyntaxError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER_S = 5
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class Problem(Exception):
    """A domain error the API reports as is: status, short title, a detail that says what to fix."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.parameter = parameter
        self.headers = headers or {}
        self.extra = extra


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    slug = problem.title.lower().replace(" ", "-")
    body: dict[str, Any] = {
        "type": f"/docs/errors#{slug}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if problem.parameter is not None:
        body["parameter"] = problem.parameter
    body.update(problem.extra)
    return JSONResponse(
        body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path: a 405's Allow header. The router reports
    only the first route whose path matched, which for /v1/articles/{id} forgets GET or DELETE."""
    probe = {
        "type": "http",
        "path": request.url.path,
        "root_path": request.scope.get("root_path", ""),
        "headers": [],
        "query_string": b"",
    }
    routes = [route for route in request.app.router.routes if not isinstance(route, Mount)]
    return [
        method
        for method in _METHODS
        if any(route.matches({**probe, "method": method})[0] is Match.FULL for route in routes)
    ]


def _validation_problem(exc: RequestValidationError) -> Problem:
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = [str(part) for part in first.get("loc", ()) if part not in ("query", "body", "path")]
    parameter = ".".join(loc) or None
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    detail = f"{parameter}: {message}" if parameter else str(message)
    shown = [
        {
            "parameter": ".".join(
                str(p) for p in e.get("loc", ()) if p not in ("query", "body", "path")
            ),
            "message": str(e.get("msg", "")).removeprefix("Value error, "),
        }
        for e in errors[:10]
    ]
    return Problem(400, "Invalid parameter", detail, parameter=parameter, errors=shown)


def unavailable(exc: Exception) -> Problem:
    return Problem(
        503,
        "Search backend unavailable",
        "OpenSearch is not reachable right now; the service retries by itself. Try again shortly.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def from_transport_error(exc: TransportError) -> Problem:
    """OpenSearch said no: a rejected query is the caller's to fix (400), anything else is ours."""
    status = exc.status_code if isinstance(exc.status_code, int) else 502
    info = exc.info if isinstance(exc.info, dict) else {}
    error = info.get("error", {}) if isinstance(info.get("error"), dict) else {}
    cause = (
        (error.get("root_cause") or [{}])[0] if isinstance(error.get("root_cause"), list) else {}
    )
    reason = cause.get("reason") or error.get("reason") or str(exc.error)
    if status in (400,):
        return Problem(400, "Query rejected", f"OpenSearch rejected the query: {reason}")
    if status in (429, 503):
        return Problem(
            503,
            "Search backend busy",
            f"OpenSearch is overloaded: {reason}",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return Problem(502, "Search backend error", f"OpenSearch answered {status}: {reason}")


def _domain_problem(exc: Exception) -> Problem | None:
    """Errors of the query path, in the words of the parameter that caused them."""
    if isinstance(exc, QuerySyntaxError):
        return Problem(400, "Invalid query", exc.message, parameter="q", position=exc.position)
    if isinstance(exc, InvalidCursor):
        return Problem(400, "Invalid cursor", exc.message, parameter="cursor")
    if isinstance(exc, TooManyOpenCursors):
        wait = str(max(1, round(exc.retry_after_s)))
        return Problem(
            429,
            "Too many open cursors",
            exc.message,
            parameter="cursor",
            headers={"Retry-After": wait},
        )
    if isinstance(exc, InvalidRequestError):
        return Problem(400, "Invalid parameter", exc.message)
    if isinstance(exc, service.ArticleNotFound):
        return Problem(
            404, "Not found", f"No article has the id '{exc.article_id}'.", parameter="article_id"
        )
    if isinstance(exc, CollectionError):
        return Problem(exc.status, exc.title, exc.message, parameter=exc.parameter)
    if isinstance(exc, service.EntityNotFound):
        return Problem(
            404, "Not found", f"No article mentions the {exc.facet} '{exc.name}'.", parameter="name"
        )
    return None


def _backend_problem(exc: Exception) -> Problem | None:
    """OpenSearch down, slow, missing its index, or refusing: what the caller can do about it."""
    if isinstance(exc, OSConnectionError | ConnectionTimeout):
        return unavailable(exc)
    if isinstance(exc, NotFoundError):
        return Problem(
            503,
            "Index missing",
            "The article index does not exist yet; run `newsroom index create` "
            "or ingest some articles.",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    if isinstance(exc, TransportError):
        return from_transport_error(exc)
    return None


#: Exceptions `problem_for` knows, for the handlers to register.
KNOWN_ERRORS: tuple[type[Exception], ...] = (
    Problem,
    RequestValidationError,
    QuerySyntaxError,
    InvalidCursor,
    InvalidRequestError,
    TooManyOpenCursors,
    service.ArticleNotFound,
    service.EntityNotFound,
    CollectionError,
    TransportError,  # and its kinds: connection errors, timeouts, a missing index
)


def problem_for(exc: Exception) -> Problem | None:
    """The one mapping from what went wrong to what the caller reads, JSON or page alike;
    None for an exception nobody expected (logged and answered as a 500)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, RequestValidationError):
        return _validation_problem(exc)
    return _domain_problem(exc) or _backend_problem(exc)


def install(app: FastAPI) -> None:
    """Register the handlers: one place turns every exception into problem+json."""

    async def _known(request: Request, exc: Exception) -> JSONResponse:
        problem = problem_for(exc)
        if problem is None:
            return await _unexpected(request, exc)
        return problem_response(problem, request)

    for known in KNOWN_ERRORS:
        app.add_exception_handler(known, _known)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
        title = titles.get(exc.status_code, "HTTP error")
        detail = str(exc.detail) if exc.detail else title
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
        return problem_response(Problem(exc.status_code, title, detail, headers=headers), request)

    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        problem = Problem(500, "Internal error", "Something went wrong on our side; it was logged.")
        return problem_response(problem, request)

    app.add_exception_handler(Exception, _unexpected)
