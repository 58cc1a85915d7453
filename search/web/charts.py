"""Bar charts drawn on the server as plain numbers for inline SVG: no script needed to see them."""

from __future__ import annotations

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


def _span_end(start: date, interval: str) -> date | None:
    """Last day of a bucket of a known width; None for widths OpenSearch may add later."""
    steps = {"day": 0, "week": 6}
    if interval in steps:
        return start + timedelta(days=steps[interval])
    months = {"month": 1, "quarter": 3, "year": 12}.get(interval)
    return None if months is None else _add_months(start, months) - timedelta(days=1)


def bucket_ends(buckets: Sequence[HistogramBucket], interval: str) -> list[date]:
    """The last day each bucket covers: its width, else the day before the next bucket."""
    ends: list[date] = []
    for i, bucket in enumerate(buckets):
        end = _span_end(bucket.date, interval)
        if end is None and i + 1 < len(buckets):
            end = buckets[i + 1].date - timedelta(days=1)
        if end is None:
            width = (bucket.date - buckets[i - 1].date) if i > 0 else timedelta(days=1)
            end = bucket.date + width - timedelta(days=1)
        ends.append(max(end, bucket.date))
    return ends


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
