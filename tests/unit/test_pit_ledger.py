"""The ledger of open points in time: caps per client and in all, expiry, and release."""

from __future__ import annotations

import pytest

from search.query.builder import build_search_body
from search.query.pits import PitLedger, TooManyOpenCursors
from search.query.request import SearchRequest


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _ledger(clock: Clock, per_client: int = 2, total: int = 3) -> PitLedger:
    return PitLedger(per_client=per_client, total=total, keep_alive_s=120, clock=clock)


def test_a_client_past_its_cap_is_told_when_a_place_frees() -> None:
    clock = Clock()
    ledger = _ledger(clock)
    ledger.bind(ledger.reserve("a"), "pit-1")
    clock.now += 30
    ledger.bind(ledger.reserve("a"), "pit-2")
    with pytest.raises(TooManyOpenCursors) as refused:
        ledger.reserve("a")
    assert refused.value.retry_after_s == pytest.approx(90)
    ledger.reserve("b")  # another client is not held back


def test_the_whole_process_has_a_cap_too() -> None:
    clock = Clock()
    ledger = _ledger(clock, per_client=5, total=3)
    for owner in ("a", "b", "c"):
        ledger.reserve(owner)
    with pytest.raises(TooManyOpenCursors, match="service"):
        ledger.reserve("d")


def test_a_reservation_counts_before_its_point_in_time_exists() -> None:
    ledger = _ledger(Clock(), per_client=1)
    ledger.reserve("a")
    with pytest.raises(TooManyOpenCursors):
        ledger.reserve("a")


def test_closing_or_expiry_frees_the_place() -> None:
    clock = Clock()
    ledger = _ledger(clock, per_client=1)
    ledger.bind(ledger.reserve("a"), "pit-1")
    ledger.release("pit-1")
    ledger.bind(ledger.reserve("a"), "pit-2")
    assert ledger.open_count("a") == 1
    clock.now += 121
    assert ledger.open_count("a") == 0
    ledger.reserve("a")


def test_reading_a_page_starts_the_keep_alive_again() -> None:
    clock = Clock()
    ledger = _ledger(clock, per_client=1)
    ledger.bind(ledger.reserve("a"), "pit-1")
    clock.now += 100
    ledger.touch("pit-1", "a")
    clock.now += 100
    assert ledger.open_count("a") == 1


def test_a_point_in_time_from_elsewhere_is_counted_once_seen() -> None:
    ledger = _ledger(Clock(), per_client=1)
    ledger.touch("pit-from-another-worker", "a")
    with pytest.raises(TooManyOpenCursors):
        ledger.reserve("a")


def test_the_first_cursor_page_reads_the_point_in_time_with_facets_and_no_search_after() -> None:
    req = SearchRequest(q="summit", cursor="*")
    body = build_search_body(req, pit_id="pit-1")
    assert body["pit"]["id"] == "pit-1"
    assert body["from"] == 0
    assert "aggs" in body
    assert "search_after" not in body
