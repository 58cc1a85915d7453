"""The app factory: one FastAPI app serving the /v1 API and the journalists' web pages.

It sits above both: `search.api` and `search.web` each build on `search.http` and never on
each other, so a page and an API route can change without the other noticing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from search import __version__
from search.api import routers as api
from search.http import errors
from search.http.security import (
    API_KEY_HEADER,
    EXPOSED_HEADERS,
    REQUEST_ID_HEADER,
    GuardMiddleware,
    RequestIdMiddleware,
)
from search.index.client import async_client
from search.ingest.background import IngestQueue
from search.query.builder import PIT_KEEP_ALIVE_S
from search.query.pits import PitLedger
from search.query.present_languages import PresentLanguages
from search.settings import Settings
from search.web import site

#: How long a browser may reuse a CORS preflight answer, in seconds.
CORS_MAX_AGE_S = 600


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.opensearch = async_client(settings)
        app.state.ingest_queue = IngestQueue(settings)
        try:
            yield
        finally:
            app.state.ingest_queue.close()
            await app.state.opensearch.close()

    app = FastAPI(
        title="Newsroom Search",
        version=__version__,
        description=api.DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/v1/openapi.json",
        docs_url=None,  # served by search.api.docs, without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.languages = PresentLanguages()
    app.state.pits = PitLedger(
        per_client=settings.cursors_per_client,
        total=settings.cursors_total,
        keep_alive_s=PIT_KEEP_ALIVE_S,
    )
    errors.install(app)
    # Outermost last: the request id on every answer, CORS on the guard's answers too (a 429
    # a browser script can read), preflights answered before the rate limit.
    app.add_middleware(GuardMiddleware, settings=settings, keyed=api.keyed_operations())
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[API_KEY_HEADER, REQUEST_ID_HEADER, "Content-Type", "If-None-Match"],
            expose_headers=list(EXPOSED_HEADERS),
            max_age=CORS_MAX_AGE_S,
        )
    app.add_middleware(RequestIdMiddleware)
    api.install(app)
    site.install(app)
    return app
