"""The app factory: one FastAPI app serving the /v1 API and the journalists' web pages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from search import __version__
from search.api import contract, docs, errors
from search.api.deps import write_access
from search.api.routes import articles, entities, health
from search.api.routes import search as search_routes
from search.api.security import (
    API_KEY_HEADER,
    EXPOSED_HEADERS,
    REQUEST_ID_HEADER,
    GuardMiddleware,
    KeyedOperation,
    RequestIdMiddleware,
)
from search.index.client import async_client
from search.query.builder import PIT_KEEP_ALIVE_S
from search.query.pits import PitLedger
from search.settings import Settings
from search.web.routes import install as install_web

log = logging.getLogger(__name__)

DESCRIPTION = """
Full-text and faceted search over news archives.

* Query syntax: words, `"phrases"`, `AND`/`OR`/`NOT`, `-exclusion`, `(groups)`, field prefixes
  (`title:`, `body:`, `person:`, `agency:`, `location:`, `source:`), `prefix*`, `fuzzy~`,
  proximity `"kim putin"~10`.
* Facets count with multi-select semantics: a facet's counts ignore its own selection.
* Errors are `application/problem+json`; OpenSearch being down is a 503 with `Retry-After`.
* Write endpoints need an `X-API-Key`, checked before the body is read.
* Every answer carries `X-Request-ID` (yours if sane, else a new one) and, but for health, the
  `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers.
* An article answers with an `ETag`; send it back in `If-None-Match` for a 304.
"""
PREFIX = "/v1"
#: How long a browser may reuse a CORS preflight answer, in seconds.
CORS_MAX_AGE_S = 600


def _keyed_operations(routers: tuple[APIRouter, ...]) -> list[KeyedOperation]:
    """Routes that take a write key, for the guard to check it before the body is read."""
    found = []
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and any(
                dependency.call is write_access for dependency in route.dependant.dependencies
            ):
                pattern, _, _ = compile_path(PREFIX + route.path)
                found.append(KeyedOperation(pattern, frozenset(route.methods or ())))
    return found


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.opensearch = async_client(settings)
        try:
            yield
        finally:
            await app.state.opensearch.close()

    app = FastAPI(
        title="Newsroom Search",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/v1/openapi.json",
        docs_url=None,  # served by search.api.docs, without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.pits = PitLedger(
        per_client=settings.cursors_per_client,
        total=settings.cursors_total,
        keep_alive_s=PIT_KEEP_ALIVE_S,
    )
    errors.install(app)
    routers = (health.router, search_routes.router, articles.router, entities.router)
    for router in routers:
        app.include_router(router, prefix=PREFIX)
    # Outermost last: the request id on every answer, CORS on the guard's answers too (a 429
    # a browser script can read), preflights answered before the rate limit.
    app.add_middleware(GuardMiddleware, settings=settings, keyed=_keyed_operations(routers))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=[API_KEY_HEADER, REQUEST_ID_HEADER, "Content-Type", "If-None-Match"],
            expose_headers=list(EXPOSED_HEADERS),
            max_age=CORS_MAX_AGE_S,
        )
    app.add_middleware(RequestIdMiddleware)
    install_web(app)
    docs.install(app)
    contract.install(app)
    return app
