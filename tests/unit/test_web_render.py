"""The web pages' pure parts: marked bodies, safe links, URL state, charts, templates."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.models import Article, Entity, Mention
from search.query.facets import FacetValue, Histogram, HistogramBucket
from search.query.results import Hit, SearchResponse, Total
from search.web import charts
from search.web.page_route import search_context
from search.web.render import (
    MARKED_TYPES,
    MENTION_STYLES,
    marked_paragraphs,
    mention_spans,
    safe_url,
)
from search.web.routes import _entities_by_type
from search.web.templating import templates
from search.web.urls import PageParams, PageState, article_href, entity_href, href, query_pairs

HOSTILE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
TAG = re.compile(r"<[^>]*>")


def person(name: str, *spans: tuple[int, int], body: str) -> Entity:
    mentions = [Mention(start=s, end=e, text=body[s:e]) for s, e in spans]
    return Entity(type="person", name=name, key=name.lower(), mentions=mentions)


def plain(paragraphs: Sequence[str]) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return "\n".join(html.unescape(TAG.sub("", p)) for p in paragraphs)


# --- marking mentions ---------------------------------------------------------------------------


def test_a_mention_becomes_a_typed_link_to_its_entity_page() -> None:
    body = "Ukrainian President Volodymyr Zelensky spoke in Kyiv."
    start = body.index("Volodymyr")
    zelensky = person("Volodymyr Zelensky", (start, start + len("Volodymyr Zelensky")), body=body)
    kyiv = Entity(
        type="location",
        name="Kyiv",
        key="kyiv",
        mentions=[Mention(start=body.index("Kyiv"), end=body.index("Kyiv") + 4, text="Kyiv")],
    )
    [paragraph] = marked_paragraphs(body, [zelensky, kyiv])
    assert (
        '<a class="mention mention-person" data-type="person" '
        'href="/entities/person/Volodymyr%20Zelensky" title="Person: Volodymyr Zelensky" '
        'aria-label="Volodymyr Zelensky (person)">Volodymyr Zelensky</a>'
    ) in paragraph
    assert 'class="mention mention-location"' in paragraph
    assert 'aria-label="Kyiv (location)"' in paragraph
    assert plain([paragraph]) == body


def test_markup_in_the_body_and_in_mentions_stays_text() -> None:
    body = f"Before {HOSTILE} <b>Kim</b> after & more"
    start = body.index("<b>Kim</b>")
    entity = person('Kim "<b>"', (start, start + len("<b>Kim</b>")), body=body)
    [paragraph] = marked_paragraphs(body, [entity])
    assert "<script" not in paragraph
    assert "<img" not in paragraph
    assert "<b>" not in paragraph
    assert "&lt;script&gt;" in paragraph
    assert "&amp; more" in paragraph
    assert 'title="Person: Kim &#34;&lt;b&gt;&#34;"' in paragraph
    assert 'href="/entities/person/Kim%20%22%3Cb%3E%22"' in paragraph
    assert plain([paragraph]) == body


def test_overlapping_mentions_keep_the_first_and_longest() -> None:
    body = "Volodymyr Zelensky and Zelensky"
    full = person("Volodymyr Zelensky", (0, 18), body=body)
    inner = person("Zelensky", (10, 18), body=body)
    crossing = person("Zelensky and", (10, 22), body=body)
    [paragraph] = marked_paragraphs(body, [inner, crossing, full])
    assert paragraph.count("<a ") == 1
    assert ">Volodymyr Zelensky</a>" in paragraph
    assert plain([paragraph]) == body


def test_offsets_past_the_end_or_not_matching_the_text_are_left_unmarked() -> None:
    body = "Short text about Kim."
    beyond = Entity(
        type="person", name="Kim", key="kim", mentions=[Mention(start=17, end=90, text="Kim.")]
    )
    stale = Entity(
        type="person", name="Putin", key="putin", mentions=[Mention(start=0, end=5, text="Putin")]
    )
    empty = Entity(
        type="person", name="Nobody", key="n", mentions=[Mention(start=3, end=3, text="")]
    )
    backwards = Entity(
        type="person", name="Back", key="b", mentions=[Mention(start=9, end=4, text="")]
    )
    assert mention_spans(body, [beyond, stale, empty, backwards]) == []
    assert marked_paragraphs(body, [beyond, stale, empty, backwards]) == [body]


def test_groups_are_not_marked() -> None:
    body = "Hamas said"
    group = Entity(
        type="group", name="Hamas", key="hamas", mentions=[Mention(start=0, end=5, text="Hamas")]
    )
    assert marked_paragraphs(body, [group]) == ["Hamas said"]


def test_lines_become_paragraphs_and_a_mention_across_a_line_break_stays_one_link() -> None:
    body = "First line\n\n  \nSecond Kim\nJong-un line"
    start = body.index("Kim")
    kim = person("Kim Jong-un", (start, start + len("Kim\nJong-un")), body=body)
    paragraphs = marked_paragraphs(body, [kim])
    assert len(paragraphs) == 2
    assert paragraphs[0] == "First line"
    assert ">Kim Jong-un</a> line" in paragraphs[1]


@given(
    body=st.text(alphabet=st.sampled_from("ab <>&\"'\n/=é"), max_size=60),
    spans=st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70)), max_size=8),
)
def test_any_offsets_keep_the_text_and_add_only_mention_links(
    body: str, spans: list[tuple[int, int]]
) -> None:
    entities = [
        Entity(
            type="person",
            name=body[s:e] or "x",
            key="k",
            mentions=[Mention(start=s, end=e, text=body[s:e])],
        )
        for s, e in spans
    ]
    paragraphs = marked_paragraphs(body, entities)
    for paragraph in paragraphs:
        tags = TAG.findall(paragraph)
        assert all(t == "</a>" or t.startswith('<a class="mention mention-person"') for t in tags)
        assert paragraph.count("<a ") == paragraph.count("</a>")
    lines = [" ".join(line.split()) for line in body.split("\n")]
    shown = [" ".join(line.split()) for line in plain(paragraphs).split("\n")]
    assert " ".join(shown).split() == " ".join(lines).split()


# --- links --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:window.__xss=1",
        " JavaScript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "http:/no-host",
        "",
        None,
        "http://[bad",
    ],
)
def test_only_http_urls_with_a_host_become_links(url: str | None) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize("url", ["https://www.kyivpost.com/post/1", "HTTP://example.org/a?b=1"])
def test_web_urls_are_kept(url: str) -> None:
    assert safe_url(url) == url


def test_entity_and_article_links_escape_path_separators() -> None:
    assert entity_href("agency", "AC/DC ?&#") == "/entities/agency/AC%2FDC%20%3F%26%23"
    assert article_href("a/b?c") == "/articles/a%2Fb%3Fc"


# --- the page state as a URL --------------------------------------------------------------------


def params(**values: object) -> PageParams:
    return PageParams.model_validate(values)


def qs(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_defaults_are_left_out_of_the_url() -> None:
    assert href(PageParams()) == "/"
    assert query_pairs(params(q="kim", person=["A", "B"], page=2, histogram=False)) == [
        ("q", "kim"),
        ("person", "A"),
        ("person", "B"),
        ("page", "2"),
        ("histogram", "false"),
    ]


def test_ticking_a_value_adds_it_and_unticking_removes_it_whatever_the_case() -> None:
    state = PageState(params(q="troops", person=["Kim Jong-un"], page=3))
    added = qs(state.toggle_href("person", "Volodymyr Zelensky"))
    assert added == [("q", "troops"), ("person", "Kim Jong-un"), ("person", "Volodymyr Zelensky")]
    removed = qs(state.toggle_href("person", "KIM JONG-UN"))
    assert removed == [("q", "troops")]
    assert state.selected("person", "kim jong-un")


def test_chips_remove_one_filter_each() -> None:
    state = PageState(
        params(person=["A", "B"], not_source=["Tass"], date_from="2025-01-01", sort="oldest")
    )
    chips = {(c.label, c.value, c.negated): qs(c.remove_href) for c in state.chips()}
    assert chips[("person", "A", False)] == [
        ("person", "B"),
        ("not_source", "Tass"),
        ("date_from", "2025-01-01"),
        ("sort", "oldest"),
    ]
    assert ("not_source", "Tass") not in chips[("source", "Tass", True)]
    assert ("date_from", "2025-01-01") not in chips[("published", "from 1 Jan 2025", False)]
    both = PageState(params(date_from="2025-01-01", date_to="2025-01-31"))
    [chip] = list(both.chips())
    assert (chip.value, chip.remove_href) == ("1 Jan 2025 – 31 Jan 2025", "/")
    assert qs(state.clear_href()) == [("sort", "oldest")]


def test_export_carries_the_filters_and_the_grouping_but_not_the_page() -> None:
    state = PageState(params(q="oil", source=["Reuters"], page=4, size=20, facet_size=30))
    expected = [("format", "csv"), ("q", "oil"), ("source", "Reuters"), ("group", "duplicates")]
    assert qs(state.export_href()) == expected
    assert urlsplit(state.export_href()).path == "/v1/search/export"
    every_copy = PageState(params(q="oil", group="none"))
    assert ("group", "none") in qs(every_copy.export_href())


def test_copies_come_grouped_on_the_page_and_the_toggle_lists_every_copy() -> None:
    state = PageState(params(q="oil", page=3))
    assert "group" not in dict(qs(state.url()))  # grouped is the page's default
    assert qs(state.group_href("none")) == [("q", "oil"), ("group", "none")]
    listed = PageState(params(q="oil", group="none"))
    assert qs(listed.group_href("duplicates")) == [("q", "oil")]


def test_page_links_are_bounded_by_the_result_window() -> None:
    state = PageState(params(q="x", page=7))
    pages = state.pages(total=1_000_000)
    numbers = [p.number for p in pages]
    assert numbers == [1, None, 5, 6, 7, 8, 9, None, 1000]
    assert [p.number for p in pages if p.current] == [7]
    assert state.last_page(0) == 1
    assert [p.number for p in PageState(params(page=2)).pages(total=25)] == [1, 2, 3]


def test_show_more_raises_the_facet_size_up_to_its_ceiling() -> None:
    assert ("facet_size", "30") in qs(PageState(params(facet_size=10)).more_href())
    assert ("facet_size", "100") in qs(PageState(params(facet_size=95)).more_href())


def test_a_date_range_replaces_the_dates_and_starts_at_page_one() -> None:
    state = PageState(params(q="x", date_from="2020-01-01", page=5))
    url = state.dates_href(date(2025, 1, 6), date(2025, 1, 12))
    assert qs(url) == [("q", "x"), ("date_from", "2025-01-06"), ("date_to", "2025-01-12")]
    assert qs(state.dates_base_href()) == [("q", "x")]


# --- charts -------------------------------------------------------------------------------------


def buckets(*days: tuple[str, int]) -> list[HistogramBucket]:
    return [HistogramBucket(date=date.fromisoformat(d), count=n) for d, n in days]


def test_buckets_end_where_their_interval_ends() -> None:
    months = buckets(("2024-11-01", 1), ("2024-12-01", 0), ("2025-01-01", 4))
    assert charts.bucket_ends(months, "month") == [
        date(2024, 11, 30),
        date(2024, 12, 31),
        date(2025, 1, 31),
    ]
    weeks = buckets(("2025-01-06", 2))
    assert charts.bucket_ends(weeks, "week") == [date(2025, 1, 12)]
    odd = buckets(("2020-01-01", 2), ("2025-01-01", 3))
    assert charts.bucket_ends(odd, "5y") == [date(2024, 12, 31), date(2029, 12, 31)]


def test_bars_scale_to_the_highest_and_keep_small_counts_visible() -> None:
    days = [
        (f"2025-01-{d:02}", n) for d, n in zip(range(1, 13), [1000, 1, 0] + [5] * 9, strict=True)
    ]
    drawn = charts.bars(buckets(*days), "day")
    assert drawn[0].height == charts.CHART_HEIGHT
    assert drawn[0].y == 0
    assert drawn[1].height == charts.MIN_BAR_HEIGHT
    assert drawn[2].height == 0
    assert drawn[1].label == "2 Jan 2025: 1 article"
    assert charts.bars([], "day") == []


def test_a_short_series_is_widened_with_empty_buckets_around_it() -> None:
    one_month = charts.widen(buckets(("2025-01-01", 2)), "month", minimum=4)
    assert [(b.date.isoformat(), b.count) for b in one_month] == [
        ("2024-11-01", 0),
        ("2024-12-01", 0),
        ("2025-01-01", 2),
        ("2025-02-01", 0),
    ]
    assert charts.widen(buckets(("0001-01-01", 1)), "year", minimum=3)[-1].count == 0
    assert len(charts.bars(buckets(("2025-01-13", 3)), "day")) == charts.MIN_BUCKETS


# --- templates ----------------------------------------------------------------------------------


def hostile_response() -> SearchResponse:
    hit = Hit(
        id="evil/1",
        title=HOSTILE,
        title_html=html.escape(HOSTILE).replace("window", "<mark>window</mark>", 1),
        source=HOSTILE,
        url="javascript:window.__xss=1",
        published_at=datetime(2025, 1, 13, tzinfo=UTC),
        snippets=[html.escape(HOSTILE)],
        persons=[HOSTILE],
    )
    return SearchResponse(
        total=Total(value=1),
        hits=[hit],
        facets={"person": [FacetValue(value=HOSTILE, count=1, selected=True)]},
        histogram={
            "published_at": Histogram(
                interval="day", buckets=[HistogramBucket(date=date(2025, 1, 13), count=1)]
            )
        },
    )


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


#: The app's own script tags, the only ones a page may hold.
OWN_SCRIPTS = [
    {"src": f"/static/{name}.js", "defer": None} for name in ("app", "reading", "compare")
]


def injected_tags(page: str) -> list[str]:
    """Elements and attributes that can run script, other than the app's own script tag."""
    parser = _Elements()
    parser.feed(page)
    bad: list[str] = []
    for tag, attrs in parser.found:
        values = dict(attrs)
        if tag == "script" and values not in OWN_SCRIPTS:
            bad.append(f"<script {values}>")
        if tag in ("img", "iframe", "object", "embed"):
            bad.append(f"<{tag}>")
        bad += [f"{tag} {name}" for name, _ in attrs if name.startswith("on") or name == "style"]
        href = (values.get("href") or "").strip().lower()
        if href.startswith(("javascript:", "data:")):
            bad.append(f"{tag} href={href}")
    return bad


def test_the_search_page_escapes_everything_but_the_marks() -> None:
    state = PageState(params(q=HOSTILE, person=[HOSTILE]))
    page = templates.env.get_template("search.html").render(
        search_context(state, hostile_response(), None, None)
    )
    assert injected_tags(page) == []
    assert "<mark>window</mark>" in page


def test_a_query_error_is_shown_beside_the_query_box() -> None:
    state = PageState(params(q='"unclosed <b>'))
    page = templates.env.get_template("search.html").render(
        search_context(state, None, "Unclosed quote", 0)
    )
    assert 'id="query-error"' in page
    assert 'aria-invalid="true"' in page
    assert "<b>" not in page
    assert '<mark class="query-caret">&#34;</mark>' in page


def test_the_article_page_shows_a_javascript_url_as_text() -> None:
    body = f"{HOSTILE} said Kim."
    start = body.index("Kim")
    article = Article(
        id="x1",
        url="javascript:window.__xss=1",
        title=HOSTILE,
        body=body,
        content_hash="h",
        ingested_at=datetime(2025, 1, 13, tzinfo=UTC),
        byline=[HOSTILE],
        entities=[person("Kim", (start, start + 3), body=body)],
    )
    page = templates.env.get_template("article.html").render(
        article=article,
        paragraphs=marked_paragraphs(article.body, article.entities),
        entities=_entities_by_type(article.entities),
        marked_types=MARKED_TYPES,
        mention_styles=MENTION_STYLES,
        original_url=safe_url(article.url),
        related=[],
        related_note=None,
        copies=None,
    )
    assert injected_tags(page) == []
    assert "javascript:window.__xss=1" in page
    assert 'class="mention mention-person"' in page
