"""Bar charts drawn on the server as plain numbers for inline SVG: no script needed to see them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from search.query.facets import HistogramBucket

#: Drawing size in SVG user units; the chart scales to its box through the viewBox.
CHART_WIDTH: Final = 800
CHART_HEIGHT: Final = 90
#: A bar with any articles stays visible (and clickable) however tall the highest one is.
MIN_BAR_HEIGHT: Final = 2.0
#: Fewer buckets than this are widened with empty ones around them.
MIN_BUCKETS: Final = 12
_INTERVAL: Final = re.compile(r"(?P<amount>[1-9][0-9]{0,3})(?P<unit>[dMy])")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


@dataclass(frozen=True)
class Bar:
    """One bucket of the chart: where to draw it and the dates it stands for (inclusive)."""

    x: float
    y: float
    width: float
    height: float
    start: date
    end: date
    count: int
    label: str


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _shift(start: date, interval: str, steps: int) -> date | None:
    """`start` moved by whole intervals: named widths ("week") or OpenSearch's ("5y", "10d")."""
    named = {"day": "1d", "week": "7d", "month": "1M", "quarter": "3M", "year": "1y"}
    match = _INTERVAL.fullmatch(named.get(interval, interval))
    if match is None:
        return None
    amount, unit = int(match["amount"]) * steps, match["unit"]
    try:
        if unit == "d":
            return start + timedelta(days=amount)
        return _add_months(start, amount * (12 if unit == "y" else 1))
    except (ValueError, OverflowError):  # before year 1 or after 9999
        return None


def bucket_ends(buckets: Sequence[HistogramBucket], interval: str) -> list[date]:
    """The last day each bucket covers: its width, else the day before the next bucket."""
    ends: list[date] = []
    for i, bucket in enumerate(buckets):
        after = _shift(bucket.date, interval, 1)
        if after is None and i + 1 < len(buckets):
            after = buckets[i + 1].date
        if after is None:
            width = (bucket.date - buckets[i - 1].date) if i > 0 else timedelta(days=1)
            after = bucket.date + width
        ends.append(max(after - timedelta(days=1), bucket.date))
    return ends


def widen(
    buckets: Sequence[HistogramBucket], interval: str, minimum: int = MIN_BUCKETS
) -> list[HistogramBucket]:
    """Empty buckets either side up to `minimum`, so that one month is not one huge bar."""
    out = list(buckets)
    if not out or len(out) >= minimum or _shift(out[0].date, interval, 1) is None:
        return out
    missing = minimum - len(out)
    before = [_shift(out[0].date, interval, -n) for n in range(missing // 2 + missing % 2, 0, -1)]
    after = [_shift(out[-1].date, interval, n) for n in range(1, missing // 2 + 1)]
    pad = [HistogramBucket(date=day, count=0) for day in before if day is not None]
    tail = [HistogramBucket(date=day, count=0) for day in after if day is not None]
    return [*pad, *out, *tail]


def day_text(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def span_text(start: date, end: date, interval: str) -> str:
    """The words for one bucket: "13 Jan 2025", "Jan 2025", "Q1 2025", "2025"."""
    if interval == "day" or start == end:
        return day_text(start)
    if interval == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if interval == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if interval == "year":
        return str(start.year)
    return f"{day_text(start)} – {day_text(end)}"


def bars(
    buckets: Sequence[HistogramBucket],
    interval: str,
    *,
    width: float = CHART_WIDTH,
    height: float = CHART_HEIGHT,
) -> list[Bar]:
    """Equal-width bars scaled to the highest count, bottoms on the chart's baseline."""
    buckets = widen(buckets, interval)
    if not buckets:
        return []
    highest = max(b.count for b in buckets) or 1
    step = width / len(buckets)
    gap = min(2.0, step * 0.2)
    out: list[Bar] = []
    for i, (bucket, end) in enumerate(zip(buckets, bucket_ends(buckets, interval), strict=True)):
        tall = height * bucket.count / highest
        if bucket.count:
            tall = max(tall, MIN_BAR_HEIGHT)
        noun = "article" if bucket.count == 1 else "articles"
        out.append(
            Bar(
                x=round(i * step + gap / 2, 2),
                y=round(height - tall, 2),
                width=round(step - gap, 2),
                height=round(tall, 2),
                start=bucket.date,
                end=end,
                count=bucket.count,
                label=f"{span_text(bucket.date, end, interval)}: {bucket.count:,} {noun}",
            )
        )
    return out
