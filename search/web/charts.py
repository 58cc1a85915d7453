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
    pad: bool = True,
) -> list[Bar]:
    """Equal-width bars scaled to the highest count, bottoms on the chart's baseline; with
    `pad`, a few buckets are widened with empty ones (`widen`)."""
    buckets = widen(buckets, interval) if pad else list(buckets)
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


# --- calendar charts: bars within a chosen range, ticks, presets --------------------------------

#: Tick labels on an axis, at most; a phone shows every other one.
MAX_TICKS: Final = 8
_TICK_STEPS: Final = (
    *(("day", 1), ("week", 1), ("month", 1), ("month", 3)),
    *(("year", step) for step in (1, 2, 5, 10, 20, 50)),
)


@dataclass(frozen=True)
class Tick:
    """A labelled date on a chart's axis, `x` in percent of the chart's width."""

    x: float
    day: date
    label: str


def clipped_ranges(
    buckets: Sequence[HistogramBucket], interval: str, start: date, end: date
) -> list[tuple[date, date]]:
    """Each calendar bucket's first and last day, cut to `start`..`end`: a bar never stands
    for a day outside the chosen range."""
    ends = bucket_ends(buckets, interval)
    return [
        (max(bucket.date, start), min(last, end))
        for bucket, last in zip(buckets, ends, strict=True)
        if bucket.date <= end and last >= start
    ]


def calendar_bars(
    buckets: Sequence[HistogramBucket],
    interval: str,
    start: date,
    end: date,
    *,
    width: float = CHART_WIDTH,
    height: float = CHART_HEIGHT,
) -> list[Bar]:
    """Bars of calendar buckets, the first and last clipped to the chosen days."""
    kept = [b for b in buckets if b.date <= end and bucket_ends([b], interval)[0] >= start]
    drawn = bars(kept, interval, width=width, height=height, pad=False)
    out: list[Bar] = []
    for bar, (first, last) in zip(drawn, clipped_ranges(kept, interval, start, end), strict=True):
        noun = "article" if bar.count == 1 else "articles"
        words = span_text(first, last, interval if (first, last) == (bar.start, bar.end) else "")
        label = f"{words}: {bar.count:,} {noun}"
        out.append(Bar(bar.x, bar.y, bar.width, bar.height, first, last, bar.count, label))
    return out


def _tick_days(start: date, end: date, unit: str, step: int) -> list[date]:
    days: list[date] = []
    if unit in ("day", "week"):
        day = start if unit == "day" else start + timedelta(days=-start.weekday() % 7)
        while day <= end:
            days.append(day)
            day += timedelta(days=step if unit == "day" else 7)
        return days
    months = step * (12 if unit == "year" else 1)
    day = date(start.year, start.month, 1)
    while day <= end:
        index = day.year * 12 + day.month - 1
        if day >= start and index % months == 0:
            days.append(day)
        day = _add_months(day, 1 if unit == "month" else 12 - day.month + 1)
    return days


def _tick_label(day: date, unit: str, first: bool) -> str:
    if unit == "year":
        return str(day.year)
    if unit == "month":
        month = _MONTHS[day.month - 1]
        return f"{month} {day.year}" if first or day.month == 1 else month
    return f"{day.day} {_MONTHS[day.month - 1]}" + (f" {day.year}" if first else "")


def ticks(chart: Sequence[Bar], max_ticks: int = MAX_TICKS) -> list[Tick]:
    """Labels at calendar boundaries (days, Mondays, months, quarters, years), the finest that
    fit `max_ticks`, each placed where its day falls within its bar."""
    if not chart:
        return []
    start, end = chart[0].start, chart[-1].end
    for unit, step in _TICK_STEPS:
        days = _tick_days(start, end, unit, step)
        if len(days) <= max_ticks:
            break
    out: list[Tick] = []
    for day in days:
        bar = next((b for b in chart if b.start <= day <= b.end), None)
        if bar is None:
            continue
        within = (day - bar.start).days / ((bar.end - bar.start).days + 1)
        x = (bar.x + within * bar.width) / CHART_WIDTH * 100
        out.append(Tick(round(x, 2), day, _tick_label(day, unit, not out)))
    return out


@dataclass(frozen=True)
class Preset:
    """A named date range offered as a plain link."""

    name: str
    start: date
    end: date


def presets(newest: date) -> list[Preset]:
    """Last 7 and 30 days, this month and this year, counted back from `newest`."""
    return [
        Preset("Last 7 days", newest - timedelta(days=6), newest),
        Preset("Last 30 days", newest - timedelta(days=29), newest),
        Preset("This month", newest.replace(day=1), newest),
        Preset("This year", date(newest.year, 1, 1), newest),
    ]
