"""The search page's date chart: calendar bars within the chosen dates, ticks, and presets.

Bars start on calendar boundaries (days, Monday weeks, months, quarters, years) and the first
and last are cut to the chosen range, so a bar's link never widens the search. With no dates
chosen, the range is that of the matches (the search's `extent`, a min and a max: the search
asks no histogram, which cost it a third of its time on a large archive). Presets (last
7 and 30 days, this month, this year) count back from the newest article in the archive, which
the page names, because a news archive's newest day is rarely today.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from opensearchpy import AsyncOpenSearch

from search.query.request import SearchRequest
from search.query.results import DayRange
from search.query.timeline import Timeline, day_of, timeline
from search.web import charts
from search.web.urls import PageState


@dataclass(frozen=True)
class PresetLink:
    name: str
    href: str
    current: bool
    start_text: str
    end_text: str


async def search_timeline(
    client: AsyncOpenSearch, index: str, asked: SearchRequest, published: DayRange | None
) -> Timeline | None:
    """Calendar counts for the chosen dates, else for the days the matches span."""
    if published is None:
        return None
    start = day_of(asked.date_from) or published.first
    end = day_of(asked.date_to) or published.last
    if end < start:
        return None
    return await timeline(client, index, asked, start, end)


def timeline_context(state: PageState, found: Timeline | None) -> dict[str, Any]:
    """What the histogram block of search.html shows: bars and their links, ticks, presets."""
    if found is None:
        return {"ticks": [], "presets": [], "newest": None}
    bars = charts.calendar_bars(found.buckets, found.interval, found.start, found.end)
    chosen = (day_of(state.params.date_from), day_of(state.params.date_to))
    presets = [
        PresetLink(
            p.name,
            state.dates_href(p.start, p.end),
            chosen == (p.start, p.end),
            charts.day_text(p.start),
            charts.day_text(p.end),
        )
        for p in (charts.presets(found.newest) if found.newest else [])
    ]
    return {
        "bars": [(bar, state.dates_href(bar.start, bar.end)) for bar in bars],
        "interval": found.interval,
        "ticks": charts.ticks(bars),
        "presets": presets,
        "newest": found.newest,
    }


def compare_href(q: str, kept: list[tuple[str, str]]) -> str:
    """The comparison page starting from this search's query and filters."""
    pairs = [("q", q)] if q.strip() else []
    return f"/compare?{urlencode([*pairs, *kept])}"
