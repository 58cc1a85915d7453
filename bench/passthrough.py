"""The API's stack with none of its work: the floor bench.query measures the API against.

One route, `POST /_search`, hands the body it is given to the configured index through the
project's own OpenSearch client, and answers OpenSearch's JSON read and written again. It runs
as the API does (uvicorn, uvloop, httptools, FastAPI, opensearch-py on the API's own
connection, orjson), so what it adds to a direct search is what any API in Python on this
stack adds before doing anything of its own: an extra process, two more loopback hops, an HTTP
server and client, and JSON decoded and encoded once. The API's own work is what it adds on
top of this.

`uvicorn bench.passthrough:create_app --factory`, with NEWSROOM_OPENSEARCH_URL and NEWSROOM_INDEX.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

from search.index.client import async_client
from search.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    path = f"/{settings.index}/_search"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.opensearch = async_client(settings)
        try:
            yield
        finally:
            await app.state.opensearch.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/_search")
    async def search(request: Request) -> Response:
        answer = await request.app.state.opensearch.transport.perform_request(
            "POST", path, params=dict(request.query_params), body=await request.body()
        )
        return Response(orjson.dumps(answer), media_type="application/json")

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
