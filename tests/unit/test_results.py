"""Shaping OpenSearch responses: safe snippets, honest facets, histograms and the next cursor."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from search.query.builder import EXTENT_AGG
from search.query.cursor import decode_cursor
from search.query.facets import FacetValue, HistogramBucket
from search.query.request import SearchRequest
from search.query.results import (
    DayRange,
    Suggestion,
    shape_entity_page,
    shape_hit,
    shape_search_response,
    shape_suggestions,
)
from search.query.sampling import SAMPLE_AGG
from search.query.snippets import snippets, title_html

REQUEST = SearchRequest(
    q='summit "peace talks"',
    filters={"person": ["Volodymyr Zelensky", "Ursula von der Leyen"]},
    size=2,
    histogram=True,
    cursor="*",
)

# What OpenSearch 3 answers to build_search_body(REQUEST, pit_id=...), trimmed to two hits.
RAW: dict[str, Any] = {
    "pit_id": "pit-after-page-1",
    "took": 37,
    "timed_out": False,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {
        "total": {"value": 1843, "relation": "eq"},
        "max_score": 12.4,
        "hits": [
            {
                "_index": "articles-v1",
                "_id": "reu-2024-0001",
                "_score": 12.4,
                "_source": {
                    "id": "reu-2024-0001",
                    "title": "Zelensky heads to <Geneva> summit & peace talks",
                    "source": "Reuters",
                    "url": "https://example.org/world/zelensky-geneva",
                    "published_at": "2024-03-02T09:15:00Z",
                    "language": "en",
                    "summary": "Ukraine's president travels to Geneva.",
                    "persons": ["Volodymyr Zelensky", "Joe Biden"],
                    "agencies": ["NATO"],
                    "locations": ["Geneva"],
                    "countries": ["Switzerland"],
                },
                "highlight": {
                    "title": [
                        "Zelensky heads to &lt;Geneva&gt; <mark>summit</mark> &amp; peace talks"
                    ],
                    "title.exact": [
                        "Zelensky heads to &lt;Geneva&gt; summit &amp; <mark>peace</mark> "
                        "<mark>talks</mark>"
                    ],
                    "body": [
                        "Leaders met for the <mark>summit</mark> on Friday. "
                        "&lt;script&gt;alert(1)&lt;&#x2F;script&gt; was posted too.",
                        "A second <mark>summit</mark> is planned.",
                    ],
                    "body.exact": [
                        "Leaders met for the summit on Friday.",
                        "The <mark>peace</mark> <mark>talks</mark> resume in May.",
                    ],
                },
                "sort": [12.4, 1709370900000, "reu-2024-0001"],
            },
            {
                "_index": "articles-v1",
                "_id": "afp-2024-0420",
                "_score": 9.1,
                "_source": {
                    "id": "afp-2024-0420",
                    "title": "EU leaders gather",
                    "source": "AFP",
                    "url": None,
                    "published_at": "2024-03-01T17:00:00+01:00",
                    "summary": "Leaders <b>gather</b> in Brussels.",
                    "persons": ["Ursula von der Leyen"],
                    "agencies": [],
                    "locations": ["Brussels"],
                },
                "highlight": {
                    "body": ["European leaders gathered in Brussels on Friday for the meeting"]
                },
                "sort": [9.1, 1709308800000, "afp-2024-0420"],
            },
        ],
    },
    "aggregations": {
        "facet_person": {
            "doc_count": 5210,
            "values": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 8001,
                "buckets": [
                    {"key": "Volodymyr Zelensky", "doc_count": 1500},
                    {"key": "Joe Biden", "doc_count": 900},
                    {"key": "Emmanuel Macron", "doc_count": 400},
                ],
            },
            "selected": {
                "buckets": {
                    "volodymyr zelensky": {"doc_count": 1500},
                    "ursula von der leyen": {"doc_count": 12},
                }
            },
        },
        "facet_agency": {
            "doc_count": 1843,
            "values": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [{"key": "NATO", "doc_count": 700}],
            },
        },
        "histogram_published_at": {
            "doc_count": 1843,
            "values": {
                "buckets": [
                    {"key_as_string": "2024-02-26", "key": 1708905600000, "doc_count": 800},
                    {"key_as_string": "2024-03-04", "key": 1709510400000, "doc_count": 1043},
                ],
                "interval": "7d",
            },
        },
        "histogram_dates_mentioned": {
            "doc_count": 1843,
            "values": {
                "buckets": [{"key": 1704067200000, "doc_count": 5}],
                "interval": "1M",
            },
        },
    },
}


@pytest.fixture
def response() -> Any:
    return shape_search_response(copy.deepcopy(RAW), REQUEST)


def test_total_paging_and_timing_are_carried_over(response: Any) -> None:
    assert response.total.value == 1843
    assert response.total.relation == "eq"
    assert (response.page, response.size, response.took_ms) == (1, 2, 37)


def test_hit_fields_come_from_the_source(response: Any) -> None:
    hit = response.hits[0]
    assert hit.id == "reu-2024-0001"
    assert hit.title == "Zelensky heads to <Geneva> summit & peace talks"
    assert hit.source == "Reuters"
    assert hit.url == "https://example.org/world/zelensky-geneva"
    assert hit.published_at == datetime(2024, 3, 2, 9, 15, tzinfo=UTC)
    assert hit.persons == ["Volodymyr Zelensky", "Joe Biden"]
    assert hit.agencies == ["NATO"]
    assert hit.locations == ["Geneva"]
    assert hit.score == 12.4
    assert response.hits[1].url is None


def test_snippets_keep_escaped_script_text_and_only_mark_tags(response: Any) -> None:
    for snippet in response.hits[0].snippets:
        without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
        assert not {"<", ">"} & set(without_marks)
    joined = " ".join(response.hits[0].snippets)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined


def test_unescaped_markup_from_the_engine_is_escaped_anyway() -> None:
    hostile = {"body": ["<mark>summit</mark> <script>alert(1)</script> <img src=x onerror=y>"]}
    assert snippets(hostile) == [
        "<mark>summit</mark> &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=y&gt;"
    ]


def test_stray_or_unclosed_mark_tags_stay_balanced() -> None:
    assert snippets({"body": ["a </mark>b <mark>c"]}) == ["a b <mark>c</mark>"]


def test_marks_from_stemmed_and_exact_highlights_of_one_passage_are_merged() -> None:
    marks = {
        "body": ["The <mark>summit</mark> and the peace talks"],
        "body.exact": ["The summit and the <mark>peace</mark> <mark>talks</mark>"],
    }
    assert snippets(marks) == [
        "The <mark>summit</mark> and the <mark>peace</mark> <mark>talks</mark>"
    ]


def test_a_passage_inside_a_longer_one_is_merged_into_it() -> None:
    marks = {
        "body.exact": ["<mark>peace</mark> talks"],
        "body": ["They began <mark>peace</mark> <mark>talks</mark> today."],
    }
    assert snippets(marks) == ["They began <mark>peace</mark> <mark>talks</mark> today."]


def test_best_marked_passages_come_first_and_at_most_three(response: Any) -> None:
    first = response.hits[0].snippets
    assert len(first) == 3
    assert first[0] == "The <mark>peace</mark> <mark>talks</mark> resume in May."
    assert all("<mark>" in s for s in first)


def test_unmarked_lead_is_dropped_when_a_passage_is_marked() -> None:
    marks = {"body": ["Lead of the article."], "body.exact": ["The <mark>talks</mark> resume."]}
    assert snippets(marks) == ["The <mark>talks</mark> resume."]


def test_hit_without_body_match_shows_the_lead(response: Any) -> None:
    assert response.hits[1].snippets == [
        "European leaders gathered in Brussels on Friday for the meeting"
    ]


def test_hit_without_highlight_shows_the_escaped_summary() -> None:
    raw = copy.deepcopy(RAW["hits"]["hits"][1])
    del raw["highlight"]
    assert shape_hit(raw).snippets == ["Leaders &lt;b&gt;gather&lt;/b&gt; in Brussels."]


def test_long_summary_fallback_is_shortened_at_a_word() -> None:
    raw = {"_id": "x", "_source": {"title": "t", "summary": "word " * 200}}
    (snippet,) = shape_hit(raw).snippets
    assert len(snippet) <= 330
    assert snippet.endswith("word …")


def test_title_html_merges_marks_from_both_title_fields(response: Any) -> None:
    assert response.hits[0].title_html == (
        "Zelensky heads to &lt;Geneva&gt; <mark>summit</mark> &amp; "
        "<mark>peace</mark> <mark>talks</mark>"
    )


def test_title_without_highlight_is_escaped_plain_title() -> None:
    assert title_html({}, "A <b> & B") == "A &lt;b&gt; &amp; B"


def test_facet_rows_flag_selections_and_keep_one_outside_the_top(response: Any) -> None:
    assert response.facets["person"] == [
        FacetValue(value="Volodymyr Zelensky", count=1500, selected=True),
        FacetValue(value="Joe Biden", count=900, selected=False),
        FacetValue(value="Emmanuel Macron", count=400, selected=False),
        FacetValue(value="Ursula von der Leyen", count=12, selected=True),
    ]


def test_selected_value_with_no_articles_is_listed_with_zero() -> None:
    raw = copy.deepcopy(RAW)
    raw["aggregations"]["facet_person"]["selected"]["buckets"].pop("ursula von der leyen")
    rows = shape_search_response(raw, REQUEST).facets["person"]
    assert rows[-1] == FacetValue(value="Ursula von der Leyen", count=0, selected=True)


def test_facet_selection_matches_buckets_case_and_accent_insensitively() -> None:
    req = REQUEST.model_copy(update={"filters": {"person": ["VOLODYMYR ZELÉNSKY"]}})
    rows = shape_search_response(copy.deepcopy(RAW), req).facets["person"]
    assert rows[0] == FacetValue(value="Volodymyr Zelensky", count=1500, selected=True)
    assert len(rows) == 3


def test_facets_missing_from_the_response_are_left_out(response: Any) -> None:
    assert set(response.facets) == {"person", "agency"}


def test_histogram_states_its_interval_and_buckets(response: Any) -> None:
    published = response.histogram["published_at"]
    assert published.interval == "week"
    assert published.buckets == [
        HistogramBucket(date=date(2024, 2, 26), count=800),
        HistogramBucket(date=date(2024, 3, 4), count=1043),
    ]
    mentioned = response.histogram["dates_mentioned"]
    assert mentioned.interval == "month"
    assert mentioned.buckets == [HistogramBucket(date=date(2024, 1, 1), count=5)]


def test_full_page_gives_a_cursor_after_its_last_hit_in_the_same_pit(response: Any) -> None:
    cursor = decode_cursor(response.next_cursor, REQUEST)
    assert cursor.pit_id == "pit-after-page-1"
    assert cursor.search_after == [9.1, 1709308800000, "afp-2024-0420"]


def test_page_without_pit_gives_a_cursor_without_pit() -> None:
    raw = copy.deepcopy(RAW)
    del raw["pit_id"]
    token = shape_search_response(raw, REQUEST).next_cursor
    assert token is not None
    assert decode_cursor(token, REQUEST).pit_id is None


def test_a_numbered_page_offers_no_cursor() -> None:
    numbered = REQUEST.model_copy(update={"cursor": None})
    assert shape_search_response(copy.deepcopy(RAW), numbered).next_cursor is None


def test_short_page_is_the_last_and_has_no_cursor() -> None:
    raw = copy.deepcopy(RAW)
    raw["hits"]["hits"].pop()
    assert shape_search_response(raw, REQUEST).next_cursor is None


def test_total_given_as_a_number_is_read_too() -> None:
    raw = copy.deepcopy(RAW)
    raw["hits"]["total"] = 7
    assert shape_search_response(raw, REQUEST).total.value == 7


# --- entity pages and suggestions --------------------------------------------------------------


def _entity_raw(total: int) -> dict[str, Any]:
    zelensky_hit = {
        "_id": "a1",
        "_source": {"id": "a1", "title": "t", "persons": ["Joe Biden", "Volodymyr Zelensky"]},
    }
    return {
        "took": 5,
        "hits": {"total": {"value": total, "relation": "eq"}, "hits": [zelensky_hit]},
        "aggregations": {
            "first_seen": {"value": 1.6409952e12, "value_as_string": "2022-01-01T00:00:00.000Z"},
            "last_seen": {"value": 1.7093e12, "value_as_string": "2024-03-01T13:46:40.000Z"},
            "by_month": {
                "buckets": [{"key_as_string": "2022-01-01", "key": 1640995200000, "doc_count": 3}]
            },
            "top_sources": {"buckets": [{"key": "Reuters", "doc_count": 40}]},
            "significant_person": {
                "doc_count": total,
                "bg_count": 90000,
                "buckets": [
                    {
                        "key": "Volodymyr Zelensky",
                        "doc_count": total,
                        "score": 90.0,
                        "bg_count": 60,
                    },
                    {"key": "Andriy Yermak", "doc_count": 30, "score": 12.5, "bg_count": 31},
                ],
            },
            "frequent_person": {
                "buckets": [
                    {"key": "Volodymyr Zelensky", "doc_count": total},
                    {"key": "Joe Biden", "doc_count": 35},
                ]
            },
            "significant_agency": {"buckets": []},
            "frequent_agency": {"buckets": [{"key": "NATO", "doc_count": 20}]},
            "significant_location": {"buckets": []},
            "frequent_location": {"buckets": []},
        },
    }


def test_entity_page_with_many_articles_shows_significant_co_occurrences() -> None:
    page = shape_entity_page(_entity_raw(60), "person", "volodymyr zelensky")
    assert page.name == "Volodymyr Zelensky"
    assert page.total == 60
    assert page.first_seen == datetime(2022, 1, 1, tzinfo=UTC)
    assert page.last_seen == datetime(2024, 3, 1, 13, 46, 40, tzinfo=UTC)
    assert page.by_month == [HistogramBucket(date=date(2022, 1, 1), count=3)]
    assert page.related_by["person"] == "significance"
    assert [(r.value, r.score) for r in page.related["person"]] == [("Andriy Yermak", 12.5)]


def test_entity_page_facet_where_nothing_stands_out_shows_the_most_frequent() -> None:
    page = shape_entity_page(_entity_raw(60), "person", "Volodymyr Zelensky")
    assert page.related_by["agency"] == "frequency"
    assert [(r.value, r.count, r.score) for r in page.related["agency"]] == [("NATO", 20, None)]
    assert page.top_sources[0].value == "Reuters"
    assert [hit.id for hit in page.latest] == ["a1"]


def test_entity_page_with_few_articles_falls_back_to_frequency() -> None:
    page = shape_entity_page(_entity_raw(4), "person", "Volodymyr Zelensky")
    assert page.related_by == {
        "person": "frequency",
        "agency": "frequency",
        "location": "frequency",
    }
    assert [r.value for r in page.related["person"]] == ["Joe Biden"]
    assert [r.value for r in page.related["agency"]] == ["NATO"]


def test_suggestions_show_the_display_form_of_each_folded_name() -> None:
    raw = {
        "aggregations": {
            "suggestions": {
                "buckets": [
                    {
                        "key": "volodymyr zelensky",
                        "doc_count": 1500,
                        "display": {
                            "hits": {
                                "hits": [
                                    {"_source": {"persons": ["Joe Biden", "Volodymyr Zelensky"]}}
                                ]
                            }
                        },
                    },
                    {"key": "zelda fitzgerald", "doc_count": 2, "display": {"hits": {"hits": []}}},
                ]
            }
        }
    }
    assert shape_suggestions(raw, "person") == [
        Suggestion(value="Volodymyr Zelensky", count=1500),
        Suggestion(value="zelda fitzgerald", count=2),
    ]


def _sampled_raw(counted: int) -> dict[str, Any]:
    """RAW as a text search's facets come back: under the sampler, over `counted` matches."""
    raw = copy.deepcopy(RAW)
    aggs = raw["aggregations"]
    facets = {name: aggs.pop(name) for name in list(aggs) if name.startswith("facet_")}
    aggs[SAMPLE_AGG] = {"doc_count": counted, **facets}
    return raw


def test_facets_counted_over_the_best_matches_say_over_how_many(response: Any) -> None:
    sampled = shape_search_response(_sampled_raw(1000), REQUEST)
    assert sampled.facets_counted == 1000
    assert sampled.facets == response.facets  # the same buckets, read from under the sampler
    assert sampled.histogram == response.histogram
    assert response.facets_counted is None


def test_a_sample_holding_every_match_is_an_exact_count() -> None:
    assert shape_search_response(_sampled_raw(1843), REQUEST).facets_counted is None


def test_the_extent_is_read_as_utc_days_and_absent_without_dates() -> None:
    raw = copy.deepcopy(RAW)
    first = datetime(2024, 2, 26, 23, 30, tzinfo=UTC).timestamp() * 1000
    last = datetime(2024, 3, 9, 0, 15, tzinfo=UTC).timestamp() * 1000
    raw["aggregations"][EXTENT_AGG] = {
        "doc_count": 1843,
        "first": {"value": first, "value_as_string": "2024-02-26T23:30:00.000Z"},
        "last": {"value": last, "value_as_string": "2024-03-09T00:15:00.000Z"},
    }
    shaped = shape_search_response(raw, REQUEST)
    assert shaped.published == DayRange(first=date(2024, 2, 26), last=date(2024, 3, 9))
    raw["aggregations"][EXTENT_AGG] = {"doc_count": 0, "first": {"value": None}, "last": {}}
    assert shape_search_response(raw, REQUEST).published is None
    assert shape_search_response(copy.deepcopy(RAW), REQUEST).published is None
