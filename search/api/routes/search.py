"""Search, and export of everything a search matches."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from anyascii import anyascii
from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse
from pydantic import Field
from starlette.types import Receive, Scope, Send

from search.http.csv_cells import FORMULA_STARTS as FORMULA_STARTS
from search.http.csv_cells import UTF8_BOM as UTF8_BOM
from search.http.csv_cells import csv_cell as csv_cell
from search.http.deps import (
    CallerDep,
    ClientDep,
    PitsDep,
    ReadAccess,
    Searching,
    SearchingDep,
    SettingsDep,
)
from search.http.export_rows import EXPORT_COLUMNS as EXPORT_COLUMNS
from search.http.export_rows import EXPORT_MEDIA, ExportFormat, export_line, header
from search.http.params import FilterParams, SearchParams, openapi_query, query_model
from search.query import service
from search.query.request import SearchRequest
from search.query.results import SearchResponse

router = APIRouter(tags=["search"], dependencies=[ReadAccess])
EXPORT_ROWS_PER_CHUNK = 500


class ExportParams(FilterParams):
    format: ExportFormat = Field("csv", description="csv (with a header row) or ndjson")


@router.get("/search", response_model=SearchResponse, openapi_extra=openapi_query(SearchParams))
async def search_get(
    params: Annotated[SearchParams, Depends(query_model(SearchParams))],
    searching: SearchingDep,
) -> Response:
    """Search articles. `q` takes the newsroom syntax; facet filters repeat
    (`person=A&person=B` is A or B; with `all_of=person`, A and B); `not_<facet>` excludes.
    Facet counts are multi-select: each facet ignores its own selection, but for a facet in
    `all_of`, whose counts are within the narrowed hits. `facets=person&facet_contains=pel`
    counts the people whose name contains "pel" under the same search. For deep, stable
    paging ask for `cursor=*` and follow `next_cursor`: every page reads one snapshot of the
    index."""
    req = params.to_request()
    return _json(await _search(searching, req))


@router.post("/search", response_model=SearchResponse)
async def search_post(
    req: SearchRequest,
    searching: SearchingDep,
) -> Response:
    """The same search with a JSON body: `filters` and `exclusions` map facet names to values."""
    return _json(await _search(searching, req))


async def _search(searching: Searching, req: SearchRequest) -> SearchResponse:
    return await service.search(
        searching.client,
        searching.index,
        req,
        pits=searching.pits,
        owner=searching.caller,
        languages=searching.languages,
    )


def _json(result: SearchResponse) -> Response:
    """Serialise once: returning the model would have FastAPI validate it a second time."""
    return Response(result.model_dump_json(), media_type="application/json")


async def _rows(hits: AsyncIterator[dict[str, Any]], fmt: ExportFormat) -> AsyncIterator[str]:
    """Lines of the export, sent in blocks of rows: one chunk per row costs more than the rows."""
    block: list[str] = [header(fmt)] if fmt == "csv" else []
    async for source in hits:
        block.append(export_line(source, fmt))
        if len(block) >= EXPORT_ROWS_PER_CHUNK:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


def export_filename(req: SearchRequest, fmt: str) -> str:
    """`newsroom-<query and filters>.<fmt>` in plain ASCII: 'Sinn Féin' -> sinn-fein."""
    words = [req.q, *(value for values in req.filters.values() for value in values)]
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(" ".join(words)).lower()).strip("-")
    return f"newsroom-{slug[:60].rstrip('-') or 'all'}.{fmt}"


class ExportResponse(StreamingResponse):
    """A streamed export that closes its point in time however the stream ends: finished,
    failed, or cut off by the client."""

    def __init__(self, export: service.Export, content: AsyncIterator[str], **kwargs: Any):
        super().__init__(content, **kwargs)
        self.export = export

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.export.close()


@router.get(
    "/search/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every match, streamed.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        },
    },
    openapi_extra=openapi_query(ExportParams),
)
async def export(
    params: Annotated[ExportParams, Depends(query_model(ExportParams))],
    client: ClientDep,
    settings: SettingsDep,
    pits: PitsDep,
    caller: CallerDep,
) -> StreamingResponse:
    """Stream every match of a search (up to NEWSROOM_EXPORT_MAX_ROWS), newest first unless
    `sort` says otherwise. CSV starts with a byte-order mark and a header row; dates are ISO
    8601; lists are joined by '; '; a cell starting with = + - or @ gets a leading `'`.
    `X-Total-Count` counts the matches in the export's own snapshot. A failure before the
    first row is a problem answer, never a truncated 200."""
    req = params.to_request()
    fmt = params.format
    job = await service.start_export(
        client, settings.index, req, limit=settings.export_max_rows, pits=pits, owner=caller
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{export_filename(req, fmt)}"',
        "X-Total-Count": str(job.total),
        "X-Export-Rows": str(min(job.limit, job.total)),
    }
    return ExportResponse(
        job, _rows(job.rows(), fmt), media_type=EXPORT_MEDIA[fmt], headers=headers
    )
