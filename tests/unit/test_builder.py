"""Request bodies, compared with no server: where filters go, what facets count, how pages turn."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from search.fields import LANGUAGE_TEXT_FIELDS
from search.query.builder import (
    EXTENT_AGG,
    aggregations,
    build_entity_body,
    build_entity_suggest_body,
    build_export_body,
    build_related_body,
    build_search_body,
    search_params,
    sort,
)
from search.query.cursor import InvalidCursor, decode_cursor, encode_cursor
from search.query.facets import FACETS, fold
from search.query.ranking import SHORT_STORY_WORDS
from search.query.request import InvalidRequestError, SearchRequest
from search.query.sampling import FACET_SAMPLE, SAMPLE_AGG, unsampled
from search.query.syntax import QuerySyntaxError

PERSON_SELECTION = {"terms": {"persons.folded": ["volodymyr zelensky", "joe biden"]}}
AGENCY_SELECTION = {"terms": {"agencies.folded": ["nato"]}}
ID_ASC = {"id": {"order": "asc"}}


def two_people_and_nato(**extra: Any) -> SearchRequest:
    return SearchRequest(
        q="summit",
        filters={"person": ["Volodymyr Zelensky", "Joe Biden"], "agency": ["NATO"]},
        **extra,
    )


def matching(body: dict[str, Any]) -> dict[str, Any]:
    """What decides which articles match: the body's query less its ranking."""
    query: dict[str, Any] = body["query"]
    return query["function_score"]["query"] if "function_score" in query else query


def facets_of(body: dict[str, Any]) -> dict[str, Any]:
    """The body's aggregations, a text search's facets lifted out of their sampler."""
    return unsampled(body["aggs"])


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a body."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# --- where selections, exclusions and dates go -------------------------------------------------


def test_facet_selections_narrow_hits_through_post_filter_only() -> None:
    body = build_search_body(two_people_and_nato())
    assert body["post_filter"] == {"bool": {"filter": [PERSON_SELECTION, AGENCY_SELECTION]}}
    assert "filter" not in matching(body)["bool"]
    assert "must_not" not in matching(body)["bool"]


def test_no_selection_means_no_post_filter() -> None:
    assert "post_filter" not in build_search_body(SearchRequest(q="summit"))


def test_selecting_two_people_keeps_other_people_counts() -> None:
    person = facets_of(build_search_body(two_people_and_nato()))["facet_person"]
    assert PERSON_SELECTION not in person["filter"]["bool"]["filter"]


def test_person_counts_respect_the_agency_selection() -> None:
    person = facets_of(build_search_body(two_people_and_nato()))["facet_person"]
    assert person["filter"] == {"bool": {"filter": [AGENCY_SELECTION]}}


def test_agency_counts_respect_the_person_selection_but_not_their_own() -> None:
    agency = facets_of(build_search_body(two_people_and_nato()))["facet_agency"]
    assert agency["filter"] == {"bool": {"filter": [PERSON_SELECTION]}}


def test_unselected_facets_count_under_every_selection() -> None:
    location = facets_of(build_search_body(two_people_and_nato()))["facet_location"]
    assert location["filter"] == {"bool": {"filter": [PERSON_SELECTION, AGENCY_SELECTION]}}


def test_facets_without_any_selection_count_everything_matched() -> None:
    aggs = facets_of(build_search_body(SearchRequest(q="summit")))
    assert aggs["facet_person"]["filter"] == {"match_all": {}}


def test_selected_values_are_counted_even_outside_the_top_values() -> None:
    person = facets_of(build_search_body(two_people_and_nato()))["facet_person"]["aggs"]
    assert person["selected"] == {
        "filters": {
            "filters": {
                "volodymyr zelensky": {"term": {"persons.folded": "volodymyr zelensky"}},
                "joe biden": {"term": {"persons.folded": "joe biden"}},
            }
        }
    }


def test_exclusions_narrow_hits_and_every_count() -> None:
    req = SearchRequest(q="summit", exclusions={"source": ["TASS", "RIA Novosti"]})
    body = build_search_body(req)
    assert matching(body)["bool"]["must_not"] == [
        {"terms": {"source.folded": ["tass", "ria novosti"]}}
    ]
    assert "post_filter" not in body


def test_selection_values_are_folded_like_the_index_normalizer() -> None:
    req = SearchRequest(filters={"person": ["ZELÉNSKY", "Łukasz O’Brien"]})
    assert build_search_body(req)["post_filter"]["bool"]["filter"] == [
        {"terms": {"persons.folded": ["zelensky", "lukasz o'brien"]}}
    ]


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Zelensky", "zelensky"),
        ("ZELENSKY", "zelensky"),
        ("Zélensky", "zelensky"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Ærø", "aero"),
        ("O’Brien", "o'brien"),
        ("Зеленський", "зеленський"),
        ("서울", "서울"),
        ("İstanbul", "istanbul"),
    ],
)
def test_folding_matches_lowercase_plus_asciifolding(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_values_that_fold_alike_are_sent_once() -> None:
    req = SearchRequest(filters={"person": ["Zelensky", " ZELENSKY ", "", "zelénsky"]})
    assert req.filters == {"person": ["Zelensky"]}


def test_date_only_bounds_cover_whole_utc_days() -> None:
    body = build_search_body(SearchRequest(date_from="2024-02-01", date_to="2024-02-29"))
    assert body["query"]["bool"]["filter"] == [
        {
            "range": {
                "published_at": {
                    "gte": "2024-02-01T00:00:00+00:00",
                    "lt": "2024-03-01T00:00:00+00:00",
                    "format": "strict_date_optional_time",
                }
            }
        }
    ]


def test_datetime_bounds_are_inclusive_and_naive_ones_read_as_utc() -> None:
    cet = timezone(timedelta(hours=1))
    req = SearchRequest(
        date_from=datetime(2024, 2, 1, 8, 30), date_to=datetime(2024, 2, 1, 18, tzinfo=cet)
    )
    bounds = build_search_body(req)["query"]["bool"]["filter"][0]["range"]["published_at"]
    assert bounds["gte"] == "2024-02-01T08:30:00+00:00"
    assert bounds["lte"] == "2024-02-01T18:00:00+01:00"


def test_one_day_range_is_valid() -> None:
    SearchRequest(date_from=date(2024, 2, 1), date_to=date(2024, 2, 1))


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        ("2024-03-01", "2024-02-01"),
        ("2024-02-02", "2024-02-01"),
        ("2024-02-01T10:00:00Z", "2024-02-01T09:59:59Z"),
    ],
)
def test_date_from_after_date_to_is_refused(date_from: str, date_to: str) -> None:
    with pytest.raises(ValidationError, match="date_from must not be later than date_to"):
        SearchRequest(date_from=date_from, date_to=date_to)


def test_equal_datetimes_make_a_valid_instant() -> None:
    SearchRequest(date_from="2024-02-01T10:00:00Z", date_to="2024-02-01T10:00:00Z")


# --- facets and histograms are bounded ---------------------------------------------------------


def test_every_terms_aggregation_has_a_hard_size() -> None:
    bodies = [
        build_search_body(two_people_and_nato(histogram=True, facet_size=25)),
        build_entity_body("person", "Volodymyr Zelensky"),
        build_entity_suggest_body("person", "zel"),
    ]
    sized = 0
    for node in (n for body in bodies for n in walk(body)):
        for kind in ("terms", "significant_terms"):
            if isinstance(node.get(kind), dict) and "field" in node[kind]:
                assert 1 <= node[kind]["size"] <= 100, node
                sized += 1
    assert sized >= 6 + 7 + 1


def test_facet_size_sets_the_number_of_values() -> None:
    aggs = build_search_body(SearchRequest(facet_size=25))["aggs"]
    assert aggs["facet_source"]["aggs"]["values"]["terms"] == {"field": "source", "size": 25}


@pytest.mark.parametrize("facet_size", [0, 101])
def test_facet_size_outside_1_to_100_is_refused(facet_size: int) -> None:
    with pytest.raises(ValidationError):
        SearchRequest(facet_size=facet_size)


def test_only_the_requested_facets_are_counted() -> None:
    aggs = aggregations(SearchRequest(facets=["person", "source"]))
    assert set(aggs) == {"facet_person", "facet_source"}


def test_every_facet_is_counted_by_default() -> None:
    aggs = aggregations(SearchRequest())
    assert set(aggs) == {f"facet_{name}" for name in FACETS}


def test_histograms_come_only_when_asked() -> None:
    assert "histogram_published_at" not in aggregations(SearchRequest())
    assert "histogram_published_at" in aggregations(SearchRequest(histogram=True))


def test_histograms_describe_exactly_the_hits_shown() -> None:
    aggs = build_search_body(two_people_and_nato(histogram=True))["aggs"]
    for name, field in (("published_at", "published_at"), ("dates_mentioned", "dates_mentioned")):
        histogram = aggs[f"histogram_{name}"]
        assert histogram["filter"] == {"bool": {"filter": [PERSON_SELECTION, AGENCY_SELECTION]}}
        auto = histogram["aggs"]["values"]["auto_date_histogram"]
        assert auto["field"] == field
        assert auto["minimum_interval"] == "day"
        assert auto["buckets"] <= 100


# --- order and paging --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (
            "relevance",
            [
                {"_score": {"order": "desc"}},
                {"published_at": {"order": "desc", "missing": "_last"}},
                ID_ASC,
            ],
        ),
        (
            "newest",
            [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}],
        ),
        (
            "oldest",
            [{"published_at": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
        ),
    ],
)
def test_every_order_ends_with_the_id_tiebreaker(order: str, expected: list[Any]) -> None:
    assert sort(SearchRequest.model_validate({"q": "x", "sort": order})) == expected


def test_default_order_is_relevance_with_text_and_newest_without() -> None:
    assert SearchRequest(q="summit").effective_sort == "relevance"
    assert SearchRequest(q="  ").effective_sort == "newest"


def test_page_turns_into_from_and_size() -> None:
    body = build_search_body(SearchRequest(q="x", page=3, size=20))
    assert (body["from"], body["size"]) == (40, 20)


def test_last_page_inside_the_result_window_is_allowed() -> None:
    SearchRequest(page=100, size=100)


def test_paging_past_the_result_window_points_to_the_cursor() -> None:
    with pytest.raises(ValidationError, match="next_cursor"):
        SearchRequest(page=101, size=100)


@pytest.mark.parametrize("size", [0, 101])
def test_page_size_outside_1_to_100_is_refused(size: int) -> None:
    with pytest.raises(ValidationError):
        SearchRequest(size=size)


def test_hits_leave_the_body_behind_and_totals_are_exact() -> None:
    body = build_search_body(SearchRequest(q="x"))
    assert "body" not in body["_source"]["includes"]
    assert {"id", "title", "summary", "published_at"} <= set(body["_source"]["includes"])
    assert body["track_total_hits"] is True


def test_bad_query_syntax_surfaces_from_the_builder() -> None:
    with pytest.raises(QuerySyntaxError):
        build_search_body(SearchRequest(q="kim AND"))


# --- highlighting ------------------------------------------------------------------------------


def test_highlight_escapes_text_and_marks_only_the_text_query() -> None:
    body = build_search_body(two_people_and_nato())
    marks = body["highlight"]
    assert marks["encoder"] == "html"
    assert marks["type"] == "unified"
    assert (marks["pre_tags"], marks["post_tags"]) == (["<mark>"], ["</mark>"])
    assert marks["highlight_query"] == matching(body)["bool"]["must"][0]
    assert set(marks["fields"]) == {
        *("title", "title.exact", "body", "body.exact"),
        *LANGUAGE_TEXT_FIELDS,  # every group's `title_ko`, `body_fr` ... unless told which
    }


def test_body_snippets_are_short_few_and_present_without_a_match() -> None:
    fields = build_search_body(SearchRequest(q="x"))["highlight"]["fields"]
    assert fields["body"] == {"fragment_size": 160, "number_of_fragments": 3, "no_match_size": 160}
    assert fields["title"] == {"number_of_fragments": 0}


def test_blank_query_asks_for_no_highlight() -> None:
    assert "highlight" not in build_search_body(SearchRequest())


# --- cursors and points in time ----------------------------------------------------------------


def test_point_in_time_page_names_the_pit_and_continues_after_the_last_hit() -> None:
    req = SearchRequest(q="summit")
    body = build_search_body(req, pit_id="pit-1", search_after=[3.2, 1700000000000, "a1"])
    assert body["pit"] == {"id": "pit-1", "keep_alive": "2m"}
    assert body["search_after"] == [3.2, 1700000000000, "a1"]
    assert "from" not in body
    assert "aggs" not in body


def test_first_point_in_time_page_still_counts_facets() -> None:
    body = build_search_body(SearchRequest(q="summit"), pit_id="pit-1")
    assert body["from"] == 0
    assert "facet_person" in facets_of(body)


def test_cursor_in_the_request_drives_the_body() -> None:
    first = SearchRequest(q="summit", filters={"agency": ["NATO"]})
    token = encode_cursor(first, [1.5, 1700000000000, "a9"], "pit-7")
    body = build_search_body(first.model_copy(update={"cursor": token}))
    assert body["pit"]["id"] == "pit-7"
    assert body["search_after"] == [1.5, 1700000000000, "a9"]


def test_cursor_round_trips_its_position() -> None:
    req = SearchRequest(q="summit", sort="newest")
    token = encode_cursor(req, [1700000000000, "a9"], "pit-7")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    cursor = decode_cursor(token, req)
    assert (cursor.pit_id, cursor.search_after) == ("pit-7", [1700000000000, "a9"])


def test_cursor_survives_a_different_page_size_and_facet_choice() -> None:
    token = encode_cursor(SearchRequest(q="summit", size=10), [1.0, 2, "a"])
    decode_cursor(token, SearchRequest(q="summit ", size=50, facets=[], histogram=True))


@pytest.mark.parametrize(
    "changed",
    [
        {"q": "summit talks"},
        {"filters": {"agency": ["UN"]}},
        {"exclusions": {"source": ["TASS"]}},
        {"date_from": "2024-01-01"},
        {"sort": "oldest"},
    ],
)
def test_cursor_replayed_with_another_search_is_refused(changed: dict[str, Any]) -> None:
    original = SearchRequest(q="summit", filters={"agency": ["NATO"]})
    token = encode_cursor(original, [1.0, 2, "a"], "pit")
    other = SearchRequest.model_validate({**original.model_dump(), **changed})
    with pytest.raises(InvalidCursor, match="different search"):
        decode_cursor(token, other)


def _forge(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "not a cursor!",
        "%%%%",
        _forge([1, 2, 3]),
        _forge({"v": 99, "a": [1], "p": None, "h": "x"}),
        _forge({"v": 1, "a": "not-a-list", "p": None, "h": "x"}),
        _forge({"v": 1, "a": [], "p": None, "h": "x"}),
        _forge({"v": 1, "a": [{"script": "boom"}], "p": None, "h": "x"}),
        _forge({"v": 1, "a": [1], "p": 42, "h": "x"}),
        "A" * 10_000,
        base64.urlsafe_b64encode(b"[" * 5000).decode(),
    ],
)
def test_damaged_cursor_is_a_domain_error(token: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(token, SearchRequest(q="summit"))


def test_cursor_with_a_tampered_hash_is_refused() -> None:
    req = SearchRequest(q="summit")
    payload = json.loads(base64.urlsafe_b64decode(encode_cursor(req, [1.0, 2, "a"]) + "=="))
    payload["h"] = "0" * 16
    with pytest.raises(InvalidCursor, match="different search"):
        decode_cursor(_forge(payload), req)


def test_cursor_with_a_later_page_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="either page or cursor"):
        SearchRequest(cursor="abc", page=2)


# --- other bodies ------------------------------------------------------------------------------


def test_export_batch_filters_in_the_query_and_reads_in_a_point_in_time() -> None:
    req = two_people_and_nato(exclusions={"source": ["TASS"]}, date_from="2024-01-01")
    body = build_export_body(req, "pit-9", [1.0, 5, "a"], 1000)
    query = body["query"]["bool"]
    assert query["filter"][1:] == [PERSON_SELECTION, AGENCY_SELECTION]
    assert query["must_not"] == [{"terms": {"source.folded": ["tass"]}}]
    assert not {"post_filter", "aggs", "highlight"} & set(body)
    assert body["pit"] == {"id": "pit-9", "keep_alive": "2m"}
    assert body["search_after"] == [1.0, 5, "a"]
    assert body["size"] == 1000
    assert body["sort"][-1] == {"id": {"order": "asc"}}
    assert "body" not in body["_source"]["includes"]


def test_export_can_include_the_article_body() -> None:
    body = build_export_body(SearchRequest(), None, None, 10, include_body=True)
    assert "body" in body["_source"]["includes"]
    assert not {"search_after", "pit"} & set(body)


@pytest.mark.parametrize("size", [0, 10_001])
def test_export_batch_size_is_bounded(size: int) -> None:
    with pytest.raises(InvalidRequestError):
        build_export_body(SearchRequest(), "pit", None, size)


def test_related_articles_exclude_the_article_and_its_copies() -> None:
    body = build_related_body("a1", "articles", content_hash="h1", size=5)
    bool_query = body["query"]["bool"]
    mlt = bool_query["must"][0]["more_like_this"]
    assert mlt["fields"] == ["title", "body"]
    assert mlt["like"] == [{"_index": "articles", "_id": "a1"}]
    assert bool_query["must_not"] == [{"ids": {"values": ["a1"]}}, {"term": {"content_hash": "h1"}}]
    assert body["size"] == 5


def test_entity_page_reads_articles_naming_the_entity_in_any_spelling() -> None:
    body = build_entity_body("person", "Volodymyr ZELENSKY")
    assert body["query"] == {
        "bool": {"filter": [{"terms": {"persons.folded": ["volodymyr zelensky"]}}]}
    }
    assert body["size"] == 10
    assert body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}
    aggs = body["aggs"]
    assert aggs["first_seen"] == {"min": {"field": "published_at"}}
    assert aggs["last_seen"] == {"max": {"field": "published_at"}}
    assert aggs["by_month"]["date_histogram"]["calendar_interval"] == "month"
    assert aggs["top_sources"]["terms"]["field"] == "source"
    # Co-occurring entities are counted by identity, "<id>|<canonical name>".
    for name in ("person", "agency", "location"):
        field = f"{name}_facets"
        assert aggs[f"significant_{name}"]["significant_terms"]["field"] == field
        assert aggs[f"frequent_{name}"]["terms"]["field"] == field


def test_entity_page_by_identity_filters_on_the_registry_id() -> None:
    body = build_entity_body("agency", "General Motors", entity_id="general-motors-6f8150")
    assert body["query"] == {
        "bool": {"filter": [{"term": {"agency_ids": "general-motors-6f8150"}}]}
    }
    groups = build_entity_body("group", "Soviet", entity_id="soviet-6a37ac")
    assert groups["query"]["bool"]["filter"] == [{"term": {"group_ids": "soviet-6a37ac"}}]


def test_unknown_facet_is_a_request_error_naming_the_known_ones() -> None:
    with pytest.raises(InvalidRequestError, match="known facets are person"):
        build_entity_body("planet", "Mars")


def test_suggestions_count_folded_names_and_fetch_their_display_form() -> None:
    body = build_entity_suggest_body("person", "Zél", size=7)
    terms = body["aggs"]["suggestions"]["terms"]
    assert terms["field"] == "persons.folded"
    assert terms["size"] == 7
    display = body["aggs"]["suggestions"]["aggs"]["display"]["top_hits"]
    assert display == {"size": 1, "_source": {"includes": ["persons"]}}
    assert body["query"] == {"bool": {"filter": [{"prefix": {"persons.text": "zel"}}]}}
    assert body["size"] == 0


def test_suggestions_narrow_multi_word_prefixes_word_by_word() -> None:
    body = build_entity_suggest_body("person", "Vladimir  Pu")
    assert body["query"]["bool"]["filter"] == [
        {"match": {"persons.text": {"query": "vladimir", "operator": "and"}}},
        {"prefix": {"persons.text": "pu"}},
    ]


def test_suggestions_for_a_facet_without_words_match_the_whole_value() -> None:
    body = build_entity_suggest_body("language", "EN")
    assert body["query"]["bool"]["filter"] == [{"prefix": {"language.folded": "en"}}]


@pytest.mark.parametrize(
    ("prefix", "name", "matches"),
    [
        ("zel", "volodymyr zelensky", True),
        ("zel", "zelensky", True),
        ("volodymyr zel", "volodymyr zelensky", True),
        ("assad", "bashar al-assad", True),
        ("zel", "gazelle", False),
        ("zel", "vladimir putin", False),
        ("u.s", "u.s. army", True),
        ("u.s", "ubs", False),
        ("a+b", "a+b group", True),
    ],
)
def test_suggestion_regex_matches_names_with_a_word_starting_with_the_prefix(
    prefix: str, name: str, matches: bool
) -> None:
    include = build_entity_suggest_body("agency", prefix)["aggs"]["suggestions"]["terms"]["include"]
    # Lucene regexes match the whole term, like fullmatch; these constructs mean the same in both.
    assert bool(re.fullmatch(include, name)) is matches


@pytest.mark.parametrize("prefix", ["", " ", "z", "x" * 101])
def test_suggestion_prefix_must_have_2_to_100_characters(prefix: str) -> None:
    with pytest.raises(InvalidRequestError):
        build_entity_suggest_body("person", prefix)


def test_only_browse_pages_ask_for_the_request_cache() -> None:
    assert search_params(SearchRequest()) == {"request_cache": "true"}
    assert search_params(SearchRequest(filters={"person": ["Kim Jong Un"]})) == {
        "request_cache": "true"
    }
    assert search_params(SearchRequest(q="troops")) == {}
    assert search_params(SearchRequest(cursor="abc")) == {}


def test_a_search_by_relevance_demotes_very_short_items_and_no_other_order_does() -> None:
    by_relevance = build_search_body(SearchRequest(q="cocoa"))
    scoring = by_relevance["query"]["function_score"]
    assert scoring["query"] == build_search_body(SearchRequest(q="cocoa", sort="newest"))["query"]
    assert scoring["functions"] == [
        {"filter": {"range": {"word_count": {"lt": SHORT_STORY_WORDS}}}, "weight": 0.75}
    ]
    assert scoring["boost_mode"] == "multiply"
    assert "function_score" not in build_search_body(SearchRequest(q=""))["query"]


# --- facets of very broad text searches ----------------------------------------------------------


def test_a_text_search_counts_its_facets_over_its_best_matches_and_dates_over_all() -> None:
    body = build_search_body(two_people_and_nato(histogram=True))
    sample = body["aggs"][SAMPLE_AGG]
    assert sample["sampler"] == {"shard_size": FACET_SAMPLE}
    assert set(sample["aggs"]) == {f"facet_{name}" for name in SearchRequest().facets}
    histograms = [name for name in body["aggs"] if name.startswith("histogram_")]
    assert histograms
    assert not [name for name in body["aggs"] if name.startswith("facet_") and name != SAMPLE_AGG]


def test_browse_pages_count_every_article() -> None:
    body = build_search_body(SearchRequest(filters={"agency": ["NATO"]}))
    assert SAMPLE_AGG not in body["aggs"]
    assert "facet_person" in body["aggs"]


def test_the_extent_of_the_hits_shown_comes_only_when_asked() -> None:
    assert EXTENT_AGG not in aggregations(SearchRequest(histogram=True))
    extent = build_search_body(two_people_and_nato(extent=True))["aggs"][EXTENT_AGG]
    assert extent["filter"] == {"bool": {"filter": [PERSON_SELECTION, AGENCY_SELECTION]}}
    assert extent["aggs"] == {
        "first": {"min": {"field": "published_at"}},
        "last": {"max": {"field": "published_at"}},
    }
