"""Dates a story mentions ("last Tuesday", "early March", "the 1990s"), resolved to the days
they cover the way a journalist reads them, relative to the publication day.

Everything here is pure and total: a phrase that cannot be read gives None, never an exception,
because one odd date must not dead-letter an article.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Final

from search.ingest.dates import MONTH_NUMBERS as _MONTHS

DateRange = tuple[date, date]

_WEEKDAYS: Final[dict[str, int]] = {calendar.day_name[i].lower(): i for i in range(7)}
_NUMBER_WORDS: Final[dict[str, int]] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1, "a few": 3, "few": 3,
    "several": 3, "a couple of": 2, "couple of": 2,
}  # fmt: skip

_LEADING_WORDS = re.compile(
    r"^(?:(?:on|in|since|by|until|till|from|during|of|at|as of|about|around|for|"
    r"through|throughout|starting|the|this past)\s+)+"
)
_DAY_PARTS = r"(?:\s+(?:morning|afternoon|evening|night|overnight))?"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]{3,9})\.?"
_PART = r"(early|mid|late|start of|beginning of|end of|middle of)"


_SPACES = re.compile(r"\s+")
_LEADING_WEEKDAY = re.compile(r"^(?:" + "|".join(_WEEKDAYS) + r"),\s+(?=\S)")


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fullmatch(pattern: str, phrase: str) -> re.Match[str] | None:
    """`re.fullmatch` with the compiled patterns kept for good: phrases are many, patterns few."""
    return _compiled(pattern).fullmatch(phrase)


def resolve_date_mention(text: str, published: date) -> DateRange | None:
    """Turn a date phrase into the days it covers, reading relative phrases as a journalist would.

    A weekday alone is the publication day itself or the most recent one before it; a day or month
    without a year is the nearest such date, preferring the past.
    """
    phrase = _clean_phrase(text)
    if not phrase:
        return None
    for resolver in _RESOLVERS:
        try:
            found = resolver(phrase, published)
        except (ValueError, OverflowError):  # e.g. "February 30"
            return None
        if found is not None:
            return found
    return None


def _clean_phrase(text: str) -> str:
    phrase = text.lower().replace("’", "'").replace("\u2013", "-").replace("\u2014", "-")
    phrase = _SPACES.sub(" ", phrase).strip(" ,.;:()[]\"'")
    phrase = _LEADING_WORDS.sub("", phrase.removesuffix("'s"))
    # "Monday, Jan. 13" names the same day twice; the calendar date is the more precise.
    phrase = _LEADING_WEEKDAY.sub("", phrase)
    return phrase.strip(" ,")


def _relative_day(phrase: str, published: date) -> DateRange | None:
    offsets = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
    found = _fullmatch(r"(today|tonight|yesterday|tomorrow)" + _DAY_PARTS, phrase)
    if found:
        day = published + timedelta(days=offsets[found.group(1)])
        return day, day
    if _fullmatch(r"(?:earlier |later )?(?:this (?:morning|afternoon|evening)|today)", phrase):
        return published, published
    if phrase == "day before yesterday":
        day = published - timedelta(days=2)
        return day, day
    return None


def _weekday(phrase: str, published: date) -> DateRange | None:
    found = _fullmatch(r"(?:(last|this|next|this coming|coming) )?([a-z]+)" + _DAY_PARTS, phrase)
    if not found or found.group(2) not in _WEEKDAYS:
        return None
    qualifier, target = found.group(1), _WEEKDAYS[found.group(2)]
    back = (published.weekday() - target) % 7
    if qualifier == "last":
        back = back or 7
    elif qualifier in ("next", "coming", "this coming"):
        ahead = (target - published.weekday()) % 7 or 7
        day = published + timedelta(days=ahead)
        return day, day
    elif qualifier == "this":
        day = published - timedelta(days=published.weekday()) + timedelta(days=target)
        return day, day
    day = published - timedelta(days=back)
    return day, day


def _relative_period(phrase: str, published: date) -> DateRange | None:
    # A leading "the" is already gone: "the weekend" and "the week" are the current ones.
    found = _fullmatch(r"(earlier |later )?(?:(last|this|next) )?(week|weekend|month|year)", phrase)
    if not found:
        return None
    when, which, unit = found.groups()
    step = {"last": -1, "next": 1}.get(which or "this", 0)
    if unit == "weekend":
        return _weekend(published, step)
    start, end = _period_around(published, unit, step)
    if when == "earlier ":
        return start, min(end, published)
    if when == "later ":
        return max(start, published), end
    return start, end


def _weekend(published: date, step: int) -> DateRange:
    saturday = published - timedelta(days=(published.weekday() - 5) % 7)
    saturday += timedelta(days=7 * step)
    return saturday, saturday + timedelta(days=1)


def _period_around(published: date, unit: str, step: int) -> DateRange:
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        year, month = divmod(published.year * 12 + published.month - 1 + step, 12)
        return _month_range(year, month + 1)
    return date(published.year + step, 1, 1), date(published.year + step, 12, 31)


def _ago(phrase: str, published: date) -> DateRange | None:
    number = r"(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
    found = _fullmatch(number + r" (day|week|month|year)s? ago", phrase)
    if found:
        count, unit = _count(found.group(1)), found.group(2)
        if unit == "day":
            day = published - timedelta(days=count)
            return day, day
        return _period_around(published, unit, -count)
    found = _fullmatch(r"(?:last|past) (?:" + number + r" )?(day|week|month|year)s?", phrase)
    if found:
        count, unit = _count(found.group(1) or "1"), found.group(2)
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
        return published - timedelta(days=days), published
    return None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _full_date(phrase: str, published: date) -> DateRange | None:
    found = _fullmatch(r"(\d{4})-(\d{2})-(\d{2})", phrase)
    if found:
        day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        return day, day
    patterns = (
        (_MONTH + " " + _ORDINAL + r",? (\d{4})", (2, 1, 3)),
        (_ORDINAL + r"(?: of)? " + _MONTH + r",? (\d{4})", (1, 2, 3)),
        (_MONTH + " " + _ORDINAL, (2, 1, 0)),
        (_ORDINAL + r"(?: of)? " + _MONTH, (1, 2, 0)),
    )
    for pattern, (day_at, month_at, year_at) in patterns:
        found = _fullmatch(pattern, phrase)
        if not found or found.group(month_at) not in _MONTHS:
            continue
        month, day_number = _MONTHS[found.group(month_at)], int(found.group(day_at))
        if year_at:
            day = date(int(found.group(year_at)), month, day_number)
            return day, day
        return _nearest(published, _one_day(month, day_number))
    return _day_span(phrase, published)


def _one_day(month: int, day: int) -> Callable[[int], DateRange]:
    def in_year(year: int) -> DateRange:
        return date(year, month, day), date(year, month, day)

    return in_year


def _day_span(phrase: str, published: date) -> DateRange | None:
    """ "Jan. 9-11" and "9-11 January", a run of days inside one month."""
    found = _fullmatch(_MONTH + r" (\d{1,2})-(\d{1,2})(?:,? (\d{4}))?", phrase)
    order = (2, 3, 1)
    if not found:
        found = _fullmatch(r"(\d{1,2})-(\d{1,2}) " + _MONTH + r"(?:,? (\d{4}))?", phrase)
        order = (1, 2, 3)
    if not found:
        return None
    first, last, month_name = (found.group(i) for i in order)
    if month_name not in _MONTHS or int(first) > int(last):
        return None
    month = _MONTHS[month_name]
    if found.group(4):
        year = int(found.group(4))
        return date(year, month, int(first)), date(year, month, int(last))
    return _nearest(published, lambda y: (date(y, month, int(first)), date(y, month, int(last))))


def _month(phrase: str, published: date) -> DateRange | None:
    found = _fullmatch(r"(?:" + _PART + r"[ -])?" + _MONTH + r"(?:,? (\d{4}))?", phrase)
    if not found or found.group(2) not in _MONTHS:
        return None
    part, month, year = found.group(1), _MONTHS[found.group(2)], found.group(3)
    if year:
        start, end = _month_range(int(year), month)
    else:
        start, end = _nearest(published, lambda y: _month_range(y, month))
    return _part_of(start, end, part, thirds=((1, 10), (11, 20), (21, 31)))


def _year(phrase: str, published: date) -> DateRange | None:
    found = _fullmatch(r"(?:" + _PART + r"[ -])?(\d{4})", phrase)
    if found and _plausible_year(int(found.group(2))):
        year = int(found.group(2))
        start, end = date(year, 1, 1), date(year, 12, 31)
        return _part_of(start, end, found.group(1), thirds=((1, 4), (5, 8), (9, 12)), months=True)
    found = _fullmatch(r"(\d{4}) ?(?:-|to|and) ?(\d{2}|\d{4})", phrase)
    if found:
        first = int(found.group(1))
        last_text = found.group(2)
        last = int(last_text) if len(last_text) == 4 else first // 100 * 100 + int(last_text)
        if _plausible_year(first) and first < last <= first + 100:
            return date(first, 1, 1), date(last, 12, 31)
    return None


def _decade(phrase: str, published: date) -> DateRange | None:
    found = _fullmatch(r"(?:" + _PART + r"[ -])?(\d{3}0)'?s", phrase)
    if not found or not _plausible_year(int(found.group(2))):
        return None
    start_year = int(found.group(2))
    part = found.group(1)
    first, last = start_year, start_year + 9
    if part == "early":
        last = start_year + 3
    elif part in ("mid", "middle of"):
        first, last = start_year + 4, start_year + 6
    elif part in ("late", "end of"):
        first = start_year + 7
    return date(first, 1, 1), date(last, 12, 31)


def _quarter(phrase: str, published: date) -> DateRange | None:
    words = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4}
    found = _fullmatch(
        r"(first|second|third|fourth|final|last) quarter(?: of)?(?: (\d{4}))?", phrase
    )
    if found:
        number, year_text = words[found.group(1)], found.group(2)
    else:
        found = _fullmatch(r"q([1-4])(?: (\d{4}))?", phrase)
        if not found:
            return None
        number, year_text = int(found.group(1)), found.group(2)
    first_month = 3 * number - 2

    def quarter_of(year: int) -> DateRange:
        return _month_range(year, first_month)[0], _month_range(year, first_month + 2)[1]

    return quarter_of(int(year_text)) if year_text else _nearest(published, quarter_of)


def _season(phrase: str, published: date) -> DateRange | None:
    starts = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
    found = _fullmatch(
        r"(?:(last|this|next) )?(spring|summer|autumn|fall|winter)(?: (?:of )?(\d{4}))?", phrase
    )
    if not found:
        return None
    which, season, year_text = found.groups()
    first_month = starts[season]

    def season_of(year: int) -> DateRange:
        start = date(year, first_month, 1)
        end_year, end_month = divmod(year * 12 + first_month - 1 + 2, 12)
        return start, _month_range(end_year, end_month + 1)[1]

    if year_text:
        return season_of(int(year_text))
    around = [season_of(year) for year in range(published.year - 2, published.year + 2)]
    if which == "last":
        return [period for period in around if period[1] < published][-1]
    if which == "next":
        return next(period for period in around if period[0] > published)
    return _nearest(published, season_of)


def _plausible_year(year: int) -> bool:
    return 1000 <= year <= 2200


def _month_range(year: int, month: int) -> DateRange:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _part_of(
    start: date,
    end: date,
    part: str | None,
    thirds: tuple[tuple[int, int], ...],
    months: bool = False,
) -> DateRange:
    """Narrow a month (by day) or a year (by month) to its early, middle or late third."""
    if part is None:
        return start, end
    index = {"early": 0, "start of": 0, "beginning of": 0, "mid": 1, "middle of": 1}
    first, last = thirds[index.get(part, 2)]
    if months:
        return date(start.year, first, 1), _month_range(start.year, last)[1]
    return start.replace(day=first), start.replace(day=min(last, end.day))


def _nearest(published: date, period_of: Callable[[int], DateRange]) -> DateRange:
    """The occurrence (last, this or next year) closest to publication; the future counts double."""

    def distance(period: DateRange) -> int:
        start, end = period
        if start <= published:
            return (published - min(end, published)).days
        return 2 * (start - published).days

    candidates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(period_of(year))
        except ValueError:  # 29 February outside a leap year
            continue
    if not candidates:
        raise ValueError("no such date in any nearby year")
    return min(candidates, key=distance)


_RESOLVERS = (
    _relative_day,
    _weekday,
    _relative_period,
    _ago,
    _full_date,
    _month,
    _year,
    _decade,
    _quarter,
    _season,
)
