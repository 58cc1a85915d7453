"""Pure parts of issue 17: calendar buckets cut to a range, ticks, presets; the query's marks
read back from a highlight; every mention linked; the way back; the comparison's numbers."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from search.models import Entity, Mention
from search.query.facets import HistogramBucket
from search.query.reading import build_marks_body, marked_ranges, merge_ranges
from search.query.request import SearchRequest
from search.query.results import RelatedEntity
from search.query.timeline import build_timeline_body, calendar_interval, parse_timeline
from search.web import charts
from search.web.compare import Comparison, Series, csv_text, points
from search.web.reading import ordered_rows, reading_href, safe_back
from search.web.render import every_mention, marked_paragraphs


def weeks(first: date, count: int) -> list[HistogramBucket]:
    return [HistogramBucket(date=first + timedelta(weeks=n), count=n) for n in range(count)]


# --- calendar buckets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "interval"),
    [
        (date(2025, 4, 1), date(2025, 4, 30), "day"),
        (date(2025, 4, 1), date(2025, 6, 30), "week"),
        (date(2025, 1, 1), date(2025, 12, 31), "week"),
        (date(2020, 1, 1), date(2025, 12, 31), "month"),
        (date(2000, 1, 1), date(2015, 12, 31), "quarter"),
        (date(1987, 1, 1), date(2025, 1, 14), "year"),
    ],
)
def test_the_width_is_the_finest_calendar_unit_that_fits(
    start: date, end: date, interval: str
) -> None:
    assert calendar_interval(start, end) == interval


def test_weekly_bars_are_cut_to_the_chosen_range() -> None:
    start, end = date(2025, 4, 1), date(2025, 6, 30)  # a Tuesday to a Monday
    buckets = weeks(date(2025, 3, 31), 14)  # OpenSearch's Monday weeks, the first before April
    drawn = charts.calendar_bars(buckets, "week", start, end)
    assert (drawn[0].start, drawn[0].end) == (date(2025, 4, 1), date(2025, 4, 6))
    assert (drawn[-1].start, drawn[-1].end) == (date(2025, 6, 30), date(2025, 6, 30))
    assert all(start <= bar.start <= bar.end <= end for bar in drawn)
    assert [bar.count for bar in drawn] == list(range(14))
    assert drawn[0].label == "1 Apr 2025 – 6 Apr 2025: 0 articles"
    assert drawn[1].label == "7 Apr 2025 – 13 Apr 2025: 1 article"
    for before, after in itertools.pairwise(drawn):
        assert after.start == before.end + timedelta(days=1)


def test_buckets_wholly_outside_the_range_are_not_drawn_and_nothing_is_padded() -> None:
    buckets = weeks(date(2025, 3, 24), 3)
    drawn = charts.calendar_bars(buckets, "week", date(2025, 4, 1), date(2025, 4, 8))
    assert [(b.start, b.end) for b in drawn] == [
        (date(2025, 4, 1), date(2025, 4, 6)),
        (date(2025, 4, 7), date(2025, 4, 8)),
    ]


def test_the_timeline_request_asks_for_calendar_buckets_over_the_whole_range() -> None:
    req = SearchRequest(q="troops")
    body = build_timeline_body(req, date(2025, 4, 1), date(2025, 6, 30), "week")
    histogram = body["aggs"]["timeline"]["date_histogram"]
    assert histogram["calendar_interval"] == "week"
    assert histogram["min_doc_count"] == 0
    assert histogram["extended_bounds"] == {"min": "2025-04-01", "max": "2025-06-30"}
    bounds = body["query"]["bool"]["filter"][-1]["range"]["published_at"]
    assert (bounds["gte"], bounds["lt"]) == ("2025-04-01", "2025-07-01")
    assert body["size"] == 0


def test_the_timeline_answer_is_read_with_the_newest_day_no_later_than_today() -> None:
    raw = {
        "aggregations": {
            "timeline": {"buckets": [{"key_as_string": "2025-03-31", "doc_count": 4}]},
            "newest": {"day": {"value": 4102444800000.0}},  # 2100-01-01
        }
    }
    found = parse_timeline(raw, date(2025, 4, 1), date(2025, 4, 6), "week")
    assert found.buckets == [HistogramBucket(date=date(2025, 3, 31), count=4)]
    assert found.newest is not None
    assert found.newest <= date.today()


def test_ticks_fall_on_calendar_boundaries_within_the_range() -> None:
    drawn = charts.calendar_bars(
        weeks(date(2025, 3, 31), 14), "week", date(2025, 4, 1), date(2025, 6, 30)
    )
    ticks = charts.ticks(drawn)
    assert [(t.day, t.label) for t in ticks] == [
        (date(2025, 4, 1), "Apr 2025"),
        (date(2025, 5, 1), "May"),
        (date(2025, 6, 1), "Jun"),
    ]
    assert [t.x for t in ticks] == sorted(t.x for t in ticks)
    assert all(0 <= t.x <= 100 for t in ticks)


def test_ticks_over_decades_are_years_and_few() -> None:
    years = [HistogramBucket(date=date(y, 1, 1), count=1) for y in range(1987, 2026)]
    ticks = charts.ticks(charts.calendar_bars(years, "year", date(1987, 2, 26), date(2025, 1, 14)))
    assert [t.label for t in ticks] == [
        "1990",
        "1995",
        "2000",
        "2005",
        "2010",
        "2015",
        "2020",
        "2025",
    ]
    assert len(ticks) <= charts.MAX_TICKS


def test_ticks_over_a_fortnight_are_days() -> None:
    days = [HistogramBucket(date=date(2025, 4, 1) + timedelta(n), count=1) for n in range(7)]
    ticks = charts.ticks(charts.calendar_bars(days, "day", date(2025, 4, 1), date(2025, 4, 7)))
    assert [t.label for t in ticks] == [
        "1 Apr 2025",
        "2 Apr",
        "3 Apr",
        "4 Apr",
        "5 Apr",
        "6 Apr",
        "7 Apr",
    ]
    assert charts.ticks([]) == []


def test_presets_count_back_from_the_newest_day() -> None:
    found = {p.name: (p.start, p.end) for p in charts.presets(date(2025, 3, 14))}
    assert found == {
        "Last 7 days": (date(2025, 3, 8), date(2025, 3, 14)),
        "Last 30 days": (date(2025, 2, 13), date(2025, 3, 14)),
        "This month": (date(2025, 3, 1), date(2025, 3, 14)),
        "This year": (date(2025, 1, 1), date(2025, 3, 14)),
    }


# --- the query's words in the article ---------------------------------------------------------


def test_a_whole_body_highlight_is_read_back_as_ranges_of_the_body() -> None:
    body = 'Troops & "tanks" <moved>; the troop left.'
    highlighted = (
        "<mark>Troops</mark> &amp; &quot;tanks&quot; &lt;moved&gt;; the <mark>troop</mark> left."
    )
    ranges = marked_ranges(highlighted, body)
    assert [body[s:e] for s, e in ranges] == ["Troops", "troop"]


def test_a_highlight_of_other_text_marks_nothing() -> None:
    assert marked_ranges("<mark>Troops</mark> left", "Troops stayed") == []
    assert marked_ranges("<mark>Troops</mark>", "Troops stayed") == []


def test_ranges_from_several_fields_merge() -> None:
    assert merge_ranges([(5, 9), (0, 3), (2, 4), (9, 10)]) == [(0, 4), (5, 10)]


def test_the_marks_request_highlights_the_whole_body_fields_only() -> None:
    body = build_marks_body("a1", "troops")
    assert body["query"] == {"ids": {"values": ["a1"]}}
    fields = body["highlight"]["fields"]
    assert "body" in fields
    assert "body.exact" in fields
    assert all(name.startswith("body") for name in fields)
    assert all(options == {"number_of_fragments": 0} for options in fields.values())
    assert body["highlight"]["encoder"] == "html"


def person(name: str, body: str, at: str) -> Entity:
    start = body.index(at)
    return Entity(
        type="person",
        name=name,
        key=name.lower(),
        mentions=[Mention(start=start, end=start + len(at), text=at)],
    )


def test_every_mention_of_a_tagged_name_is_linked_but_not_inside_other_words() -> None:
    body = "Koo Byoung-sam spoke. Later Koo said no. Kookaburra Koo!"
    at = body.index("Koo said")
    koo = Entity(
        type="person", name="Koo", key="koo", mentions=[Mention(start=at, end=at + 3, text="Koo")]
    )
    entities = [person("Koo Byoung-sam", body, "Koo Byoung-sam"), koo]
    spans = every_mention(body, entities)
    assert [body[s.start : s.end] for s in spans] == ["Koo Byoung-sam", "Koo", "Koo"]


def test_marks_and_mention_links_nest_and_stay_escaped() -> None:
    body = "Zelensky met <troops>. Zelensky left."
    zelensky = person("Volodymyr Zelensky", body, "Zelensky")
    start = body.index("troops")
    [paragraph] = marked_paragraphs(body, [zelensky], [(start, start + 6), (0, 3)])
    assert paragraph.count('<a class="mention mention-person"') == 2
    assert "&lt;<mark>troops</mark>&gt;" in paragraph
    assert "><mark>Zel</mark>ensky</a>" in paragraph


# --- the way back -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/?q=troops&person=Kim", True),
        ("/", True),
        ("https://example.org/", False),
        ("//example.org/", False),
        ("/\\example.org", False),
        ("javascript:alert(1)", False),
        ("/?q=a\nb", False),
        ("", False),
        (None, False),
        ("/" + "x" * 5000, False),
    ],
)
def test_only_a_path_on_this_site_is_a_way_back(target: str | None, kept: bool) -> None:
    assert safe_back(target) == (target if kept else None)


def test_a_result_link_carries_the_query_and_the_search() -> None:
    link = reading_href("a/1", "troops", "/?q=troops&page=2")
    parts = urlsplit(link)
    assert parts.path == "/articles/a%2F1"
    assert parse_qsl(parts.query) == [("q", "troops"), ("from", "/?q=troops&page=2")]
    assert reading_href("a1") == "/articles/a1"
    assert reading_href("a1", "", "https://evil.example/") == "/articles/a1"


# --- entity page orders -----------------------------------------------------------------------


def test_names_alongside_show_a_figure_that_agrees_with_the_order() -> None:
    rows = [
        RelatedEntity(value="A", count=3, score=0.9),
        RelatedEntity(value="B", count=12, score=0.45),
        RelatedEntity(value="C", count=5, score=0.09),
    ]
    telling = ordered_rows(rows, "telling")
    assert [(r.entity.value, r.telling) for r in telling] == [("A", 100), ("B", 50), ("C", 10)]
    frequent = ordered_rows(rows, "frequent")
    assert [r.entity.count for r in frequent] == [12, 5, 3]
    plain = ordered_rows([RelatedEntity(value="A", count=3)], "telling")
    assert plain[0].telling is None


# --- comparison -------------------------------------------------------------------------------


def test_points_share_one_scale() -> None:
    assert points([0, 5, 10], 20, width=300, height=100) == [
        (50.0, 100.0),
        (150.0, 75.0),
        (250.0, 50.0),
    ]
    assert points([0, 0], 0, width=100, height=10) == [(25.0, 10.0), (75.0, 10.0)]


def test_the_csv_holds_the_charts_numbers_with_spreadsheet_safe_headers() -> None:
    periods = [(date(2025, 4, 1), date(2025, 4, 6)), (date(2025, 4, 7), date(2025, 4, 13))]
    series = [
        Series(1, "oil", [3, 4], [], ["", ""], ""),
        Series(2, "=HYPERLINK(1)", [0, 7], [], ["", ""], ""),
    ]
    result = Comparison("week", periods[0][0], periods[-1][1], periods, series, [])
    text = csv_text(result)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        ["period_start", "period_end", "oil", "'=HYPERLINK(1)"],
        ["2025-04-01", "2025-04-06", "3", "0"],
        ["2025-04-07", "2025-04-13", "4", "7"],
    ]
