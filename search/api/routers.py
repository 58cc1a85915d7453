"""The /v1 API: its routers, its description, and what it adds to the app (docs, contract)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from search.api import contract, docs
from search.api.routes import (
    articles,
    collections,
    entities,
    feeds,
    health,
    ingest_runs,
    query,
    saved_searches,
)
from search.api.routes import search as search_routes
from search.http.deps import write_access
from search.http.security import KeyedOperation

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
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    search_routes.router,
    query.router,
    articles.router,
    entities.router,
    ingest_runs.router,
    saved_searches.router,
    collections.router,
    feeds.router,
)


def keyed_operations() -> list[KeyedOperation]:
    """Routes that take a write key, for the guard to check it before the body is read."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and any(
                dependency.call is write_access for dependency in route.dependant.dependencies
            ):
                pattern, _, _ = compile_path(PREFIX + route.path)
                found.append(KeyedOperation(pattern, frozenset(route.methods or ())))
    return found


def install(app: FastAPI) -> None:
    """Serve the API under /v1, its offline /docs, and the OpenAPI document it promises."""
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX)
    docs.install(app)
    contract.install(app)
