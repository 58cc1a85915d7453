"""Query comparison: two or three queries, the same filters and dates, counted over time.

`/compare?q=a&q=b` draws one line per query over the same calendar buckets (server-side SVG,
with the same numbers as a table), and `/compare.csv` with the same parameters downloads
exactly those numbers. Each count is what `/v1/search` reports for that query, the filters
and the bucket's first and last day.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from search.http.csv_cells import UTF8_BOM, csv_cell
from search.http.deps import ClientDep, ReadAccess, SettingsDep
from search.http.params import read_query
from search.query.timeline import calendar_interval, day_of, extent, timeline
from search.web import charts
from search.web.page_route import PageRoute
from search.web.templating import templates
from search.web.urls import PageParams, href, query_pairs

MAX_QUERIES: Final = 3
CHART_HEIGHT: Final = 240
#: How each line looks besides its colour: the legend says it in words.
SERIES_STYLES: Final = (
    "solid line, round points",
    "dashed line, square points",
    "dotted line, diamond points",
)

router = APIRouter(route_class=PageRoute, dependencies=[ReadAccess], include_in_schema=False)


@dataclass(frozen=True)
class Series:
    """One query's counts, its line's points and the search each count links to."""

    number: int
    q: str
    counts: list[int]
    points: list[tuple[float, float]]
    hrefs: list[str]
    style: str

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass(frozen=True)
class Comparison:
    interval: str
    start: date
    end: date
    periods: list[tuple[date, date]]
    series: list[Series]
    ticks: list[charts.Tick]

    def rows(self) -> list[tuple[date, date, list[tuple[int, str]]]]:
        return [
            (first, last, [(s.counts[i], s.hrefs[i]) for s in self.series])
            for i, (first, last) in enumerate(self.periods)
        ]


def points(
    counts: list[int], highest: int, *, width: float, height: float
) -> list[tuple[float, float]]:
    """Each count at the middle of its slot, scaled to the highest count of every line."""
    step = width / max(len(counts), 1)
    top = highest or 1
    return [
        (round((i + 0.5) * step, 2), round(height - height * count / top, 2))
        for i, count in enumerate(counts)
    ]


def read_compare(request: Request) -> tuple[list[str], PageParams]:
    """The queries (blank ones dropped, at most MAX_QUERIES) and the shared filters."""
    given = request.query_params
    queries = [q.strip() for q in given.getlist("q") if q.strip()][:MAX_QUERIES]
    rest = QueryParams([(name, value) for name, value in given.multi_items() if name != "q"])
    try:
        params = read_query(PageParams, rest, ignore_unknown=True)
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    return queries, params


async def compare(
    client: Any, index: str, queries: list[str], params: PageParams
) -> Comparison | None:
    """The counts of each query over the same calendar buckets, or None if nothing matched."""
    asked = [params.model_copy(update={"q": q}).to_request() for q in queries]
    start, end = day_of(params.date_from), day_of(params.date_to)
    if start is None or end is None:
        found = await extent(client, index, asked)
        if found is None:
            return None
        start, end = start or found[0], end or found[1]
    if end < start:
        return None
    interval = calendar_interval(start, end)
    lines = [await timeline(client, index, req, start, end, interval) for req in asked]
    base = charts.calendar_bars(lines[0].buckets, interval, start, end)
    periods = [(bar.start, bar.end) for bar in base]
    by_day = [{b.date: b.count for b in line.buckets} for line in lines]
    ends = charts.bucket_ends(lines[0].buckets, interval)
    keys = [
        b.date
        for b, last in zip(lines[0].buckets, ends, strict=True)
        if b.date <= end and last >= start
    ]
    counts = [[found.get(key, 0) for key in keys] for found in by_day]
    highest = max((c for row in counts for c in row), default=0)
    series = [
        Series(
            number=n + 1,
            q=q,
            counts=row,
            points=points(row, highest, width=charts.CHART_WIDTH, height=CHART_HEIGHT),
            hrefs=[
                href(params.model_copy(update={"q": q, "date_from": a, "date_to": b, "page": 1}))
                for a, b in periods
            ],
            style=SERIES_STYLES[n],
        )
        for n, (q, row) in enumerate(zip(queries, counts, strict=True))
    ]
    return Comparison(interval, start, end, periods, series, charts.ticks(base))


def csv_text(result: Comparison) -> str:
    """The chart's numbers: one row per bucket, one column per query."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["period_start", "period_end", *(csv_cell(s.q) for s in result.series)])
    for first, last, cells in result.rows():
        writer.writerow([first.isoformat(), last.isoformat(), *(count for count, _ in cells)])
    return UTF8_BOM + buffer.getvalue()


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    queries: Annotated[tuple[list[str], PageParams], Depends(read_compare)],
    client: ClientDep,
    settings: SettingsDep,
) -> Response:
    """Two or three queries counted over time on one chart, with the same filters."""
    asked, params = queries
    result = await compare(client, settings.index, asked, params) if len(asked) >= 2 else None
    kept = query_pairs(params, drop=("q", "page", "cursor"))
    context = {
        "queries": asked,
        "boxes": [*asked, *[""] * (MAX_QUERIES - len(asked))],
        "kept": kept,
        "params": params,
        "result": result,
        "chart_height": CHART_HEIGHT,
        "csv_href": "/compare.csv?" + request.url.query,
        "header_q": asked[0] if asked else "",
    }
    return templates.TemplateResponse(request, "compare.html", context)


@router.get("/compare.csv")
async def compare_csv(
    queries: Annotated[tuple[list[str], PageParams], Depends(read_compare)],
    client: ClientDep,
    settings: SettingsDep,
) -> Response:
    """The comparison chart's numbers as CSV."""
    asked, params = queries
    result = await compare(client, settings.index, asked, params) if asked else None
    text = csv_text(result) if result else UTF8_BOM + "period_start,period_end\r\n"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="comparison.csv"'},
    )
