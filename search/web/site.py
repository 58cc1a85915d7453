"""The journalists' site: the pages, the editors' pages, their assets, and the error page a
browser gets for a path nothing answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from search.http.errors import Problem
from search.web import collecting, compare, editor, following, routes
from search.web.page_route import error_page
from search.web.templating import STATIC_DIR

#: Paths whose answers are always the API's problem+json, whatever the client accepts.
API_PREFIXES = ("/v1/", "/static/")
MAX_PATH_SHOWN = 200


def _quality(accept: str, media_type: str) -> float:
    """How much an Accept header wants `media_type` exactly (wildcards do not count)."""
    for part in accept.split(","):
        kind, *options = (piece.strip() for piece in part.split(";"))
        if kind.lower() != media_type:
            continue
        for option in options:
            name, _, value = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value)
                except ValueError:
                    return 0.0
        return 1.0
    return 0.0


def wants_page(request: Request) -> bool:
    """A browser asking for a page: HTML named in Accept, and preferred to JSON. Outside /v1,
    since an API client that sends a browser's Accept still expects the API's answers."""
    if request.url.path.startswith(API_PREFIXES) or request.url.path == "/v1":
        return False
    accept = request.headers.get("accept", "")
    html = _quality(accept, "text/html")
    json = max(_quality(accept, "application/json"), _quality(accept, "application/problem+json"))
    return html > 0 and html >= json


def install_not_found_page(app: FastAPI) -> None:
    """Answer a browser's unknown path (and other HTTP errors outside a route) with the site's
    error page, keeping the status; API clients keep the handler `search.http.errors` set."""
    # search.http.errors registers async handlers of HTTP requests.
    api_handler = cast(
        Callable[[Request, Exception], Awaitable[Response]] | None,
        app.exception_handlers.get(StarletteHTTPException),
    )

    async def page_or_problem(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StarletteHTTPException) and wants_page(request):
            titles = {404: "Page not found", 405: "Method not allowed"}
            title = titles.get(exc.status_code, "Error")
            detail = (
                f"Nothing lives at {request.url.path[:MAX_PATH_SHOWN]}. "
                "It may have moved, or the link was mistyped."
                if exc.status_code == 404
                else str(exc.detail or title)
            )
            headers = dict(exc.headers or {})
            return error_page(request, Problem(exc.status_code, title, detail, headers=headers))
        if api_handler is None:
            raise exc
        return await api_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, page_or_problem)


def install(app: FastAPI) -> None:
    """Serve the pages at the site root, the editors' pages, and the assets from /static."""
    app.include_router(routes.router)
    app.include_router(compare.router)
    app.include_router(editor.router)
    app.include_router(following.router)
    app.include_router(collecting.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_not_found_page(app)
