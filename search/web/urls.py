"""The search page's state as a URL, and the links that change one thing about it.

Everything a page shows is in its query string, so a link is a permalink and the back button
is the undo. Parameters equal to their defaults are left out to keep the links short.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import quote, urlencode

from search.http.params import SearchParams
from search.query.facets import FACETS, fold
from search.query.request import MAX_RESULT_WINDOW, Grouping
from search.web.charts import day_text


class PageParams(SearchParams):
    """The search page's parameters: as the API's, but copies come grouped unless asked not
    to be, since ten copies of one wire story should not fill a page a journalist reads."""

    group: Grouping = "duplicates"
    count_groups: bool = True  # the pager counts stories, not articles


DEFAULTS: Final = PageParams()
#: How far "show more" raises the number of values per facet, and its ceiling (SearchParams).
FACET_STEP: Final = 20
MAX_FACET_SIZE: Final = 100
#: Page links either side of the current one.
PAGE_WINDOW: Final = 2
#: Results per page the page offers (the API takes 1 to 100).
PAGE_SIZES: Final = (10, 25, 50, 100)
#: Values a facet's filter box lists at most.
LOOKUP_SIZE: Final = 20
ANY_OF: Final = "any of"
ALL_OF: Final = "all of"
#: Parameters an export ignores: it streams every match, not one page.
NOT_EXPORTED: Final = ("page", "size", "cursor", "facet_size", "histogram", "extent")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _day(value: date | datetime | None) -> str:
    """A date as a reader writes it; a datetime as given (it was typed deliberately)."""
    if isinstance(value, datetime) or value is None:
        return _text(value)
    return day_text(value)


def query_pairs(params: PageParams, *, drop: Collection[str] = ()) -> list[tuple[str, str]]:
    """The parameters as (name, value) pairs, lists repeated, defaults left out."""
    pairs: list[tuple[str, str]] = []
    for name in SearchParams.model_fields:
        value: Any = getattr(params, name)
        if name in drop or value == getattr(DEFAULTS, name):
            continue
        values = value if isinstance(value, list) else [value]
        pairs.extend((name, _text(v)) for v in values)
    return pairs


def href(params: PageParams, *, path: str = "/", drop: Collection[str] = ()) -> str:
    pairs = query_pairs(params, drop=drop)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def entity_href(facet: str, name: str) -> str:
    """The page of one person, agency, location, country or source."""
    return f"/entities/{quote(facet, safe='')}/{quote(name, safe='')}"


def article_href(article_id: str) -> str:
    return f"/articles/{quote(article_id, safe='')}"


def filter_href(
    facet: str, name: str, date_from: date | None = None, date_to: date | None = None
) -> str:
    """A fresh search for everything naming `name`, between two dates if given."""
    params = PageParams.model_validate({facet: [name]})
    return href(params.model_copy(update={"date_from": date_from, "date_to": date_to}))


def both_href(facet: str, name: str, other_facet: str, other: str) -> str:
    """A search for the articles naming both `name` and `other`. Two facets combine with AND;
    two values of one facet would mean either, so the second one is asked in the query
    (`person:"..."`) instead."""
    if other_facet != facet:
        return href(PageParams.model_validate({facet: [name], other_facet: [other]}))
    phrase = " ".join(other.replace('"', " ").split())
    return href(PageParams.model_validate({facet: [name], "q": f'{other_facet}:"{phrase}"'}))


def _has(values: list[str], value: str) -> bool:
    key = fold(value)
    return any(fold(v) == key for v in values)


def _without(values: list[str], value: str) -> list[str]:
    key = fold(value)
    return [v for v in values if fold(v) != key]


@dataclass(frozen=True)
class Chip:
    """A selected filter shown above the results, with the link that removes it."""

    label: str
    value: str
    remove_href: str
    negated: bool = False
    #: How the facet's values combine: "any of", "all of" (when it has several), or "not".
    logic: str = ""


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap ("…") between page numbers
    href: str = ""
    current: bool = False


@dataclass(frozen=True)
class PageState:
    """The current search parameters and every link the page offers from them."""

    params: PageParams

    def with_changes(self, **changes: Any) -> PageParams:
        """New parameters; any change but paging itself starts again at page 1."""
        changes.setdefault("page", 1)
        return self.params.model_copy(update={**changes, "cursor": None})

    def url(self, **changes: Any) -> str:
        return href(self.with_changes(**changes))

    def selected(self, facet: str, value: str) -> bool:
        return _has(getattr(self.params, facet), value)

    def toggle_href(self, facet: str, value: str) -> str:
        """Tick or untick one facet value; other values of the facet stay selected."""
        values: list[str] = getattr(self.params, facet)
        changed = _without(values, value) if _has(values, value) else [*values, value]
        return self.url(**{facet: changed})

    def more_href(self) -> str:
        size = min(self.params.facet_size + FACET_STEP, MAX_FACET_SIZE)
        return href(self.params.model_copy(update={"facet_size": size}))

    def sort_href(self, order: str) -> str:
        return self.url(sort=order)

    def dates_href(self, date_from: date | None, date_to: date | None) -> str:
        return self.url(date_from=date_from, date_to=date_to)

    def dates_base_href(self) -> str:
        """This search without dates: the histogram's script appends the range it selects."""
        return href(self.with_changes(date_from=None, date_to=None))

    def export_href(self) -> str:
        # What the page shows: grouped or not is said outright (the API's default differs).
        shown = query_pairs(self.params, drop=(*NOT_EXPORTED, "group"))
        pairs = [("format", "csv"), *shown, ("group", self.params.group)]
        return f"/v1/search/export?{urlencode(pairs)}"

    def hidden_fields(self, *excluded: str) -> list[tuple[str, str]]:
        """What a form must carry along so that submitting it changes only its own fields."""
        return query_pairs(self.params, drop={"page", "cursor", *excluded})

    def requires_all(self, facet: str) -> bool:
        return facet in self.params.all_of

    def logic(self, facet: str) -> str:
        """How the ticked values of a facet combine, in words."""
        return ALL_OF if self.requires_all(facet) else ANY_OF

    def logic_href(self, facet: str, require_all: bool) -> str:
        """Switch a facet between any of its ticked values (OR) and all of them (AND)."""
        others = [name for name in self.params.all_of if name != facet]
        return self.url(all_of=[*others, facet] if require_all else others)

    def exclude_href(self, facet: str, value: str) -> str:
        """Leave out the articles naming `value` (and untick it)."""
        negated = f"not_{facet}"
        return self.url(
            **{
                facet: _without(self._list(facet), value),
                negated: [*_without(self._list(negated), value), value],
            }
        )

    def lookup_href(self, facet: str) -> str:
        """The API's count of one facet's values under this search: the facet's filter box
        adds `facet_contains` and lists what it answers."""
        drop = (*NOT_EXPORTED, "group", "count_groups", "facets", "facet_contains")
        pairs = [
            *query_pairs(self.params, drop=drop),
            ("facets", facet),
            ("facet_size", str(LOOKUP_SIZE)),
            ("size", "1"),
            ("histogram", "false"),
        ]
        return f"/v1/search?{urlencode(pairs)}"

    def chips(self) -> Iterator[Chip]:
        for facet in FACETS:
            chosen = self._list(facet)
            logic = self.logic(facet) if len(chosen) > 1 else ""
            for value in chosen:
                yield Chip(facet, value, self.url(**{facet: _without(chosen, value)}), logic=logic)
            negated = f"not_{facet}"
            for value in getattr(self.params, negated):
                remove = self.url(**{negated: _without(self._list(negated), value)})
                yield Chip(facet, value, remove, True, "not")
        start, end = self.params.date_from, self.params.date_to
        if start is not None or end is not None:
            if start is None:
                words = f"until {_day(end)}"
            elif end is None:
                words = f"from {_day(start)}"
            else:
                words = _day(start) if start == end else f"{_day(start)} – {_day(end)}"
            yield Chip("published", words, self.url(date_from=None, date_to=None))

    def clear_href(self) -> str:
        """Keep the query text, the order and the page size, drop every filter."""
        return href(PageParams(q=self.params.q, sort=self.params.sort, size=self.params.size))

    def filter_count(self) -> int:
        """Filters in force: the number the phone's "Filters (n)" shows."""
        return sum(1 for _ in self.chips())

    def _list(self, name: str) -> list[str]:
        values: list[str] = getattr(self.params, name)
        return values

    def last_page(self, total: int) -> int:
        """Pages there are, but no deeper than the index lets `page` go."""
        size = self.params.size
        return max(1, min(math.ceil(total / size), MAX_RESULT_WINDOW // size))

    def pages(self, total: int) -> list[PageLink]:
        """First, last and a window around the current page, with gaps between."""
        last = self.last_page(total)
        current = min(self.params.page, last)
        wanted = {1, last, *range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1)}
        links: list[PageLink] = []
        previous = 0
        for number in sorted(n for n in wanted if 1 <= n <= last):
            if number > previous + 1:
                links.append(PageLink(None))
            links.append(PageLink(number, self.url(page=number), number == self.params.page))
            previous = number
        return links

    def group_href(self, group: Grouping) -> str:
        """Copies grouped under one hit, or every copy listed."""
        return self.url(group=group)

    def page_href(self, number: int) -> str:
        return self.url(page=number)
