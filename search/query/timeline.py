"""Articles over time in calendar buckets between two chosen days, for charts people click.

The search response's own histogram (`auto_date_histogram`) lets OpenSearch pick a width and
starts its weeks at the first hit; a chart whose bars become date filters needs bars that
start on calendar boundaries (Monday weeks, first of the month) and that cover exactly the
days asked for. So the pages ask again, with `date_histogram`'s `calendar_interval` and
`extended_bounds` (an empty bucket is still a bucket), over the same query and filters; the
charts clip the first and last bucket to the range (`search.web.charts.calendar_bars`).
One request also brings the newest publication date in the archive (a `global` aggregation),
which the date presets count back from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from opensearchpy import AsyncOpenSearch

from search.fields import PUBLISHED_AT
from search.query.builder import EXTENT_AGG, extent_aggregation, main_query, selection_filters
from search.query.facets import HISTOGRAM_DATE_FORMAT, HistogramBucket
from search.query.identities import canonical_selections
from search.query.request import SearchRequest
from search.query.results import DayRange, day_range

#: Calendar widths, finest first, with the longest range (in days) each is chosen for.
INTERVALS: Final = (("day", 62), ("week", 371), ("month", 6 * 366), ("quarter", 20 * 366))
LONGEST: Final = "year"
TIMELINE_AGG: Final = "timeline"
NEWEST_AGG: Final = "newest"


@dataclass(frozen=True)
class Timeline:
    """Counts per calendar bucket from `start` to `end` (both included); `newest` is the
    newest publication day in the whole archive, not after today."""

    interval: str
    start: date
    end: date
    buckets: list[HistogramBucket]
    newest: date | None


def calendar_interval(start: date, end: date) -> str:
    """The finest calendar width that keeps the chart to some 60 bars at most."""
    days = (end - start).days + 1
    return next((name for name, longest in INTERVALS if days <= longest), LONGEST)


def day_of(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    return value


def build_timeline_body(
    req: SearchRequest, start: date, end: date, interval: str
) -> dict[str, Any]:
    """The request's matches counted per calendar `interval` from `start` to `end`."""
    query = main_query(req)
    bounds = {"gte": start.isoformat(), "lt": (end + timedelta(days=1)).isoformat()}
    query["bool"]["filter"] = [
        *query["bool"].get("filter", []),
        *selection_filters(req),
        {"range": {PUBLISHED_AT: {**bounds, "format": "strict_date"}}},
    ]
    return {
        "size": 0,
        "track_total_hits": False,
        "query": query,
        "aggs": {
            TIMELINE_AGG: {
                "date_histogram": {
                    "field": PUBLISHED_AT,
                    "calendar_interval": interval,
                    "format": HISTOGRAM_DATE_FORMAT,
                    "min_doc_count": 0,
                    "extended_bounds": {"min": start.isoformat(), "max": end.isoformat()},
                }
            },
            NEWEST_AGG: {"global": {}, "aggs": {"day": {"max": {"field": PUBLISHED_AT}}}},
        },
    }


def parse_timeline(raw: dict[str, Any], start: date, end: date, interval: str) -> Timeline:
    aggs = raw.get("aggregations", {})
    buckets = [
        HistogramBucket(date=date.fromisoformat(str(b["key_as_string"])[:10]), count=b["doc_count"])
        for b in aggs.get(TIMELINE_AGG, {}).get("buckets", [])
    ]
    newest_ms = aggs.get(NEWEST_AGG, {}).get("day", {}).get("value")
    newest = None
    if newest_ms is not None:
        found = datetime.fromtimestamp(float(newest_ms) / 1000, tz=UTC).date()
        newest = min(found, datetime.now(UTC).date())
    return Timeline(interval, start, end, buckets, newest)


async def timeline(
    client: AsyncOpenSearch,
    index: str,
    req: SearchRequest,
    start: date,
    end: date,
    interval: str | None = None,
) -> Timeline:
    """Counts of `req`'s matches per calendar bucket between `start` and `end`."""
    interval = interval or calendar_interval(start, end)
    req = await canonical_selections(client, index, req)
    raw = await client.search(index=index, body=build_timeline_body(req, start, end, interval))
    return parse_timeline(raw, start, end, interval)


async def extent(
    client: AsyncOpenSearch, index: str, requests: list[SearchRequest]
) -> tuple[date, date] | None:
    """The first and last publication day over the matches of all `requests`."""
    spans: list[DayRange] = []
    for req in requests:
        req = await canonical_selections(client, index, req)
        body = {
            "size": 0,
            "track_total_hits": False,
            "query": main_query(req),
            "aggs": {EXTENT_AGG: extent_aggregation(req)},
        }
        aggs = (await client.search(index=index, body=body)).get("aggregations", {})
        if (span := day_range(aggs.get(EXTENT_AGG, {}))) is not None:
            spans.append(span)
    if not spans:
        return None
    return min(s.first for s in spans), max(s.last for s in spans)
