"""Publication-date parsing and mentioned-date resolution, read the way a newsroom reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.ingest.date_mentions import resolve_date_mention
from search.ingest.dates import parse_published_at

MONDAY = date(2025, 1, 13)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-01-13T10:00:00Z", datetime(2025, 1, 13, 10, tzinfo=UTC)),
        ("2025-01-13T10:00:00+02:00", datetime(2025, 1, 13, 8, tzinfo=UTC)),
        ("2025-01-13", datetime(2025, 1, 13, tzinfo=UTC)),
        ("20250113", datetime(2025, 1, 13, tzinfo=UTC)),
        ("Mon, 13 Jan 2025 10:00:00 +0200", datetime(2025, 1, 13, 8, tzinfo=UTC)),
        ("Mon, 13 Jan 2025 10:00:00 GMT", datetime(2025, 1, 13, 10, tzinfo=UTC)),
        ("13 January 2025", datetime(2025, 1, 13, tzinfo=UTC)),
        ("Jan. 13, 2025", datetime(2025, 1, 13, tzinfo=UTC)),
        ("January 13, 2025 10:00 PM EST", datetime(2025, 1, 14, 3, tzinfo=UTC)),
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)),
        ("1987-02-26T15:01:01.790", datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)),
        ("1736762400", datetime(2025, 1, 13, 10, tzinfo=UTC)),
        ("1736762400000", datetime(2025, 1, 13, 10, tzinfo=UTC)),
    ],
)
def test_publication_dates_in_common_feed_formats_are_read(raw: str, expected: datetime) -> None:
    assert parse_published_at(raw) == expected


def test_a_date_without_a_time_zone_is_taken_as_utc() -> None:
    parsed = parse_published_at("2025-01-13 10:00")
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(0)


def test_the_offset_given_is_kept() -> None:
    parsed = parse_published_at("Mon, 13 Jan 2025 10:00:00 +0200")
    assert parsed is not None
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == timezone(timedelta(hours=2)).utcoffset(None)


@pytest.mark.parametrize(
    "raw", ["", "   ", "garbage", "Monday", "32 January 2025", "Sat, 32 Jan 2025 00:00 +0000", "0"]
)
def test_unreadable_publication_dates_give_none(raw: str) -> None:
    assert parse_published_at(raw) is None


@given(st.text(max_size=60))
def test_parsing_never_raises_and_is_always_aware(raw: str) -> None:
    parsed = parse_published_at(raw)
    assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("on Monday", MONDAY, MONDAY),
        ("Monday", MONDAY, MONDAY),
        ("Sunday", date(2025, 1, 12), date(2025, 1, 12)),
        ("Saturday", date(2025, 1, 11), date(2025, 1, 11)),
        ("Tuesday", date(2025, 1, 7), date(2025, 1, 7)),
        ("last Monday", date(2025, 1, 6), date(2025, 1, 6)),
        ("next Friday", date(2025, 1, 17), date(2025, 1, 17)),
        ("Sunday night", date(2025, 1, 12), date(2025, 1, 12)),
        ("today", MONDAY, MONDAY),
        ("yesterday", date(2025, 1, 12), date(2025, 1, 12)),
        ("tomorrow", date(2025, 1, 14), date(2025, 1, 14)),
        ("Jan. 9", date(2025, 1, 9), date(2025, 1, 9)),
        ("January 9", date(2025, 1, 9), date(2025, 1, 9)),
        ("9 January", date(2025, 1, 9), date(2025, 1, 9)),
        ("Dec. 26", date(2024, 12, 26), date(2024, 12, 26)),
        ("Feb. 20", date(2025, 2, 20), date(2025, 2, 20)),
        ("January 9, 2024", date(2024, 1, 9), date(2024, 1, 9)),
        ("9th of January 2024", date(2024, 1, 9), date(2024, 1, 9)),
        ("2024-05-01", date(2024, 5, 1), date(2024, 5, 1)),
        ("Monday, Jan. 13", MONDAY, MONDAY),
        ("Jan. 9-11", date(2025, 1, 9), date(2025, 1, 11)),
        ("late December", date(2024, 12, 21), date(2024, 12, 31)),
        ("early January 2025", date(2025, 1, 1), date(2025, 1, 10)),
        ("mid-March", date(2025, 3, 11), date(2025, 3, 20)),
        ("the end of December", date(2024, 12, 21), date(2024, 12, 31)),
        ("January 2025", date(2025, 1, 1), date(2025, 1, 31)),
        ("in December", date(2024, 12, 1), date(2024, 12, 31)),
        ("late 2024", date(2024, 9, 1), date(2024, 12, 31)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("in 2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("1950-53", date(1950, 1, 1), date(1953, 12, 31)),
        ("the 1990s", date(1990, 1, 1), date(1999, 12, 31)),
        ("the late 1990s", date(1997, 1, 1), date(1999, 12, 31)),
        ("last week", date(2025, 1, 6), date(2025, 1, 12)),
        ("this week", MONDAY, date(2025, 1, 19)),
        ("this year", date(2025, 1, 1), date(2025, 12, 31)),
        ("last year", date(2024, 1, 1), date(2024, 12, 31)),
        ("last month", date(2024, 12, 1), date(2024, 12, 31)),
        ("earlier this month", date(2025, 1, 1), MONDAY),
        ("the weekend", date(2025, 1, 11), date(2025, 1, 12)),
        ("three days ago", date(2025, 1, 10), date(2025, 1, 10)),
        ("two years ago", date(2023, 1, 1), date(2023, 12, 31)),
        ("the past two weeks", date(2024, 12, 30), MONDAY),
        ("first quarter", date(2025, 1, 1), date(2025, 3, 31)),
        ("Q3 2024", date(2024, 7, 1), date(2024, 9, 30)),
        ("last summer", date(2024, 6, 1), date(2024, 8, 31)),
    ],
)
def test_date_phrases_resolve_against_the_publication_day(
    phrase: str, start: date, end: date
) -> None:
    assert resolve_date_mention(phrase, MONDAY) == (start, end)


def test_a_weekday_named_on_that_weekday_is_the_same_day() -> None:
    for offset in range(7):
        published = MONDAY + timedelta(days=offset)
        resolved = resolve_date_mention(published.strftime("%A"), published)
        assert resolved == (published, published)


def test_a_weekday_is_never_after_publication() -> None:
    for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        resolved = resolve_date_mention(name, MONDAY)
        assert resolved is not None
        assert MONDAY - timedelta(days=6) <= resolved[0] <= MONDAY


@pytest.mark.parametrize(
    "phrase",
    ["", "recent years", "decades", "20-year-old", "February 30", "the season", "Q5", "some time"],
)
def test_unresolvable_phrases_give_none(phrase: str) -> None:
    assert resolve_date_mention(phrase, MONDAY) is None


@given(st.text(max_size=40), st.dates())
def test_resolution_never_raises_and_ranges_are_ordered(phrase: str, published: date) -> None:
    resolved = resolve_date_mention(phrase, published)
    assert resolved is None or resolved[0] <= resolved[1]
