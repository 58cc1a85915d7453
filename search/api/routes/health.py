"""Liveness and backend health, for operators and load balancers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError
from pydantic import BaseModel

from search.http.deps import ClientDep, SettingsDep

router = APIRouter(tags=["health"])


class BackendHealth(BaseModel):
    status: Literal["green", "yellow", "red", "unreachable"]
    version: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    opensearch: BackendHealth
    index: str


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "OpenSearch is unreachable or red"}},
)
async def health(client: ClientDep, settings: SettingsDep) -> JSONResponse:
    """Whether the service can answer searches: 200 while OpenSearch is green or yellow."""
    try:
        info = await client.info()
        cluster = await client.cluster.health()
        backend = BackendHealth(status=cluster["status"], version=info["version"]["number"])
    except (OSConnectionError, ConnectionTimeout, TransportError):
        backend = BackendHealth(status="unreachable")
    ok = backend.status in ("green", "yellow")
    body = Health(status="ok" if ok else "degraded", opensearch=backend, index=settings.index)
    headers = {} if ok else {"Retry-After": "5"}
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503, headers=headers)
