"""Publication dates as found in feeds: ISO 8601, RFC 2822, Reuters SGML, epoch seconds and
whatever dateutil reads with a year in it. Dates the text mentions are in `date_mentions`.

Everything here is pure and total: a string that cannot be read gives None, never an exception,
because one odd date must not dead-letter an article.
"""

from __future__ import annotations

import calendar
import re
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Final

from dateutil import parser as dateutil_parser
from dateutil.tz import gettz

#: Month names and abbreviations (English, lower case) to their numbers; shared with
#: `date_mentions`, which reads the same names in running text.
MONTH_NUMBERS: Final[dict[str, int]] = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTH_NUMBERS["sept"] = 9

#: Abbreviations dateutil does not know; the US ones are what English-language feeds use.
_TZ_ABBREVIATIONS: Final[dict[str, int]] = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 3600, "IST": 19800, "CET": 3600,
    "CEST": 7200, "EET": 7200, "EEST": 10800, "MSK": 10800, "KST": 32400, "JST": 32400,
    "HKT": 28800, "SGT": 28800, "AEST": 36000, "AEDT": 39600, "EST": -18000, "EDT": -14400,
    "CST": -21600, "CDT": -18000, "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
}  # fmt: skip
_TZINFOS: Final[dict[str, tzinfo]] = {
    name: timezone(timedelta(seconds=offset), name) for name, offset in _TZ_ABBREVIATIONS.items()
}

_REUTERS = re.compile(
    r"^(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
)
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_HAS_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)|\b\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2}\b")
_MIN_YEAR, _MAX_YEAR = 1800, 2200


def parse_published_at(raw: str) -> datetime | None:
    """Read a publication date in any common feed format; timezone-aware, UTC when none is given."""
    text = raw.strip()
    if not text or len(text) > 100:
        return None
    for reader in (_from_epoch, _from_reuters, _from_iso, _from_rfc2822, _from_dateutil):
        found = reader(text)
        if found is not None:
            if not _MIN_YEAR <= found.year <= _MAX_YEAR:
                return None
            return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
    return None


def _from_epoch(text: str) -> datetime | None:
    if not _EPOCH.match(text):
        return None
    seconds = float(text)
    if len(text.split(".")[0]) > 11:  # milliseconds, as JavaScript writes them
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_reuters(text: str) -> datetime | None:
    found = _REUTERS.match(text)
    if not found:
        return None
    day, month_name, year, hour, minute, second, fraction = found.groups()
    month = MONTH_NUMBERS.get(month_name.lower())
    if month is None:
        return None
    micro = int((fraction or "0").ljust(6, "0"))
    try:
        return datetime(
            int(year), month, int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC
        )
    except ValueError:
        return None


def _from_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _from_rfc2822(text: str) -> datetime | None:
    if not _RFC2822.match(text):  # the email parser is lenient enough to misread other formats
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _from_dateutil(text: str) -> datetime | None:
    # dateutil fills missing parts from its default, so a string without a year would silently
    # become "this year"; such strings are refused instead.
    if not _HAS_YEAR.search(text):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = dateutil_parser.parse(
                text, default=datetime(2000, 1, 1), tzinfos=_lookup_tz, fuzzy=False
            )
        except (ValueError, OverflowError, TypeError):
            return None
    return found


def _lookup_tz(name: str | None, offset: int | None) -> tzinfo | None:
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    if not name:
        return None
    return _TZINFOS.get(name.upper()) or gettz(name)
