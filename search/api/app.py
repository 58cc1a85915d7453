"""The app factory: one FastAPI app serving the /v1 API and the journalists' web pages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from search import __version__
from search.api import errors
from search.api.routes import articles, entities, health
from search.api.routes import search as search_routes
from search.api.security import GuardMiddleware
from search.index.client import async_client
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
* Write endpoints need an `X-API-Key`.
"""


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
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(GuardMiddleware, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    for router in (health.router, search_routes.router, articles.router, entities.router):
        app.include_router(router, prefix="/v1")
    install_web(app)
    return app
