"""Dependencies the routes declare: settings, the OpenSearch client, and key checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from opensearchpy import AsyncOpenSearch, OpenSearch
from starlette.concurrency import run_in_threadpool

from search.http.security import require_key
from search.index.client import sync_client
from search.query.pits import PitLedger
from search.query.present_languages import PresentLanguages
from search.settings import Settings

T = TypeVar("T")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_client(request: Request) -> AsyncOpenSearch:
    client: AsyncOpenSearch = request.app.state.opensearch
    return client


async def get_pits(request: Request) -> PitLedger:
    pits: PitLedger = request.app.state.pits
    return pits


async def get_languages(request: Request) -> PresentLanguages:
    languages: PresentLanguages = request.app.state.languages
    return languages


async def get_caller(request: Request) -> str:
    """Who is asking, for per-client caps: the client address, as for the rate limit."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True, slots=True)
class Searching:
    """What a search needs from the app, as one dependency: FastAPI resolves each dependency
    of a route on its own, and the five a search used to take cost it about 0.1 ms more than
    this one, timed in the server under the benchmark's load."""

    client: AsyncOpenSearch
    index: str
    pits: PitLedger
    languages: PresentLanguages
    caller: str


async def get_searching(request: Request) -> Searching:
    state = request.app.state
    return Searching(
        client=state.opensearch,
        index=state.settings.index,
        pits=state.pits,
        languages=state.languages,
        caller=await get_caller(request),
    )


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClientDep = Annotated[AsyncOpenSearch, Depends(get_client)]
PitsDep = Annotated[PitLedger, Depends(get_pits)]
LanguagesDep = Annotated[PresentLanguages, Depends(get_languages)]
CallerDep = Annotated[str, Depends(get_caller)]
SearchingDep = Annotated[Searching, Depends(get_searching)]


async def read_access(
    settings: SettingsDep, x_api_key: Annotated[str | None, Header()] = None
) -> None:
    """Reads are open unless NEWSROOM_PROTECT_READS is set."""
    if settings.protect_reads:
        require_key(x_api_key, settings, action="Reading")


async def write_access(
    settings: SettingsDep, x_api_key: Annotated[str | None, Header()] = None
) -> None:
    require_key(x_api_key, settings, action="Writing")


ReadAccess = Depends(read_access)
WriteAccess = Depends(write_access)


def _with_client(settings: Settings, work: Callable[..., T], *args: Any) -> T:
    client: OpenSearch = sync_client(settings)
    try:
        return work(client, settings.index, *args)
    finally:
        client.close()


async def in_thread(settings: Settings, work: Callable[..., T], *args: Any) -> T:
    """`work(client, index alias, *args)` with a sync client of its own, closed afterwards,
    in a worker thread: for stores written against the sync client (collections)."""
    return await run_in_threadpool(_with_client, settings, work, *args)
