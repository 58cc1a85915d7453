"""Search, and export of everything a search matches."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse
from pydantic import Field

from search.api.deps import ClientDep, ReadAccess, SettingsDep
from search.api.params import SearchParams, openapi_query, query_model
from search.query import service
from search.query.request import SearchRequest
from search.query.results import SearchResponse

router = APIRouter(tags=["search"], dependencies=[ReadAccess])
EXPORT_ROWS_PER_CHUNK = 500

EXPORT_COLUMNS = (
    "id", "published_at", "source", "title", "url", "language", "byline",
    "persons", "agencies", "locations", "countries", "dates_mentioned",
)  # fmt: skip


class ExportParams(SearchParams):
    format: Literal["csv", "ndjson"] = Field("csv", description="csv (with a header row) or ndjson")


@router.get("/search", response_model=SearchResponse, openapi_extra=openapi_query(SearchParams))
async def search_get(
    params: Annotated[SearchParams, Depends(query_model(SearchParams))],
    client: ClientDep,
    settings: SettingsDep,
) -> Response:
    """Search articles. `q` takes the newsroom syntax; facet filters repeat
    (`person=A&person=B` is A or B); `not_<facet>` excludes. Facet counts are multi-select:
    each facet ignores its own selection. Follow `next_cursor` for deep, stable paging."""
    return _json(await service.search(client, settings.index, params.to_request()))


@router.post("/search", response_model=SearchResponse)
async def search_post(req: SearchRequest, client: ClientDep, settings: SettingsDep) -> Response:
    """The same search with a JSON body: `filters` and `exclusions` map facet names to values."""
    return _json(await service.search(client, settings.index, req))


def _json(result: SearchResponse) -> Response:
    """Serialise once: returning the model would have FastAPI validate it a second time."""
    return Response(result.model_dump_json(), media_type="application/json")


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


async def _rows(
    hits: AsyncIterator[dict[str, Any]], fmt: Literal["csv", "ndjson"]
) -> AsyncIterator[str]:
    """Lines of the export, sent in blocks of rows: one chunk per row costs more than the rows."""
    block: list[str] = []
    if fmt == "csv":
        block.append(_csv_line(list(EXPORT_COLUMNS)))
    async for source in hits:
        row = {column: source.get(column) for column in EXPORT_COLUMNS}
        if fmt == "csv":
            block.append(_csv_line([_cell(row[c]) for c in EXPORT_COLUMNS]))
        else:
            block.append(json.dumps(row, ensure_ascii=False) + "\n")
        if len(block) >= EXPORT_ROWS_PER_CHUNK:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


@router.get(
    "/search/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
    openapi_extra=openapi_query(ExportParams),
)
async def export(
    params: Annotated[ExportParams, Depends(query_model(ExportParams))],
    client: ClientDep,
    settings: SettingsDep,
) -> StreamingResponse:
    """Stream every match of a search (up to NEWSROOM_EXPORT_MAX_ROWS), newest first unless
    `sort` says otherwise. CSV has a header row; dates are ISO 8601; lists are joined by '; '."""
    req = params.to_request()
    fmt = params.format
    total = await service.count(client, settings.index, req)
    limit = min(total, settings.export_max_rows)
    hits = service.export_hits(client, settings.index, req, limit=limit)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    headers = {
        "Content-Disposition": f'attachment; filename="newsroom-export.{fmt}"',
        "X-Total-Count": str(total),
        "X-Export-Rows": str(limit),
    }
    return StreamingResponse(_rows(hits, fmt), media_type=media, headers=headers)
