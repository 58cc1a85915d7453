"""The pieces behind the pages' dead ends, without a server: the query in plain words, the
spelling correction, mistyped dates, who gets the HTML error page, the entity page's links."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from search.query.results import SearchResponse, Total
from search.query.syntax import parse
from search.query.understood import understood
from search.web.page_params import page_params
from search.web.page_route import search_context
from search.web.site import wants_page
from search.web.spelling import MAX_WORDS, checked_words, corrected_query, suggest_body
from search.web.templating import templates
from search.web.urls import PageParams, PageState, both_href
from tests.aio import run_apart

HOSTILE = "<script>window.__xss=1</script>"


def request(query: str = "", path: str = "/", accept: str = "") -> Request:
    headers = [(b"accept", accept.encode())] if accept else []
    scope = {"type": "http", "path": path, "query_string": query.encode(), "headers": headers}
    return Request(scope)


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("pyongyng troops", "pyongyng and troops"),
        ("title:ceasfire -russia", "ceasfire in the title, not russia"),
        ("sanct* OR kim~", "words starting with sanct or kim (or a near spelling)"),
        ("kim putin summit talks", "most of kim, putin, summit, talks"),
        ('(kim OR putin) "peace talks"', "(kim or putin) and the phrase “peace talks”"),
        ("person:zelensky -x -y", "zelensky as a person, not x, not y"),
    ],
)
def test_the_query_is_said_in_plain_words(q: str, words: str) -> None:
    assert understood(q) == words


def test_a_blank_or_broken_query_is_not_described() -> None:
    assert understood("  ") is None
    assert understood('"unclosed') is None


def test_only_words_meant_to_be_found_are_spell_checked() -> None:
    q = 'pyongyng "north korian" -rusia person:zelensky sanct* kim~ title:cesefire'
    words = [(w.text, w.start) for w in checked_words(parse(q), q)]
    assert words == [
        ("pyongyng", 0),
        ("north", q.index("north")),
        ("korian", q.index("korian")),
        ("cesefire", q.index("cesefire")),
    ]


def test_the_suggestion_request_is_bounded_and_asks_only_for_missing_words() -> None:
    q = " ".join(f"word{n}" for n in range(MAX_WORDS + 5))
    body = suggest_body(checked_words(parse(q), q))
    assert body["size"] == 0
    assert len(body["suggest"]) == MAX_WORDS * 2  # body.exact and title.exact
    fields = {s["term"]["field"] for s in body["suggest"].values()}
    assert fields == {"body.exact", "title.exact"}
    assert {s["term"]["suggest_mode"] for s in body["suggest"].values()} == {"missing"}


def entry(offset: int, length: int, *options: tuple[str, float, int]) -> list[dict[str, Any]]:
    found = [{"text": t, "score": s, "freq": f} for t, s, f in options]
    return [{"offset": offset, "length": length, "options": found}]


def test_a_correction_replaces_misspelt_words_in_place_and_keeps_the_syntax() -> None:
    q = 'Pyongyng -russia "north korian" troops'
    words = checked_words(parse(q), q)
    raw = {
        "suggest": {
            "w0_f0": entry(0, 8, ("pyongyang", 0.8, 1)),
            "w0_f1": entry(0, 8),
            "w2_f0": entry(0, 6, ("korean", 0.8, 20)),
            "w2_f1": entry(0, 6, ("korea", 0.6, 40)),
        }
    }
    assert corrected_query(q, words, raw) == 'Pyongyang -russia "north korean" troops'
    assert corrected_query(q, words, {"suggest": {}}) is None


def test_a_mistyped_date_is_set_aside_with_what_was_typed() -> None:
    read = run_apart(page_params(request("q=oil&date_from=2020-13-45&date_to=2021")))
    assert read.params.q == "oil"
    assert read.params.date_from is None
    assert read.params.date_to is not None
    assert list(read.date_errors) == ["date_from"]
    message = read.date_errors["date_from"].message
    assert message == "Date from: 2020-13-45 is not a date; write 2020, 2020-03 or 2020-03-15"


def test_other_bad_parameters_are_still_refused() -> None:
    with pytest.raises(RequestValidationError):
        run_apart(page_params(request("q=oil&page=0&date_from=x")))


@pytest.mark.parametrize(
    ("path", "accept", "page"),
    [
        ("/nonexistent", "text/html,application/xhtml+xml,*/*;q=0.8", True),
        ("/nonexistent", "application/json", False),
        ("/nonexistent", "*/*", False),
        ("/nonexistent", "", False),
        ("/nonexistent", "application/json, text/html;q=0.5", False),
        ("/v1/nonexistent", "text/html", False),
        ("/static/missing.css", "text/html", False),
    ],
)
def test_only_a_browser_asking_for_a_page_gets_the_html_error_page(
    path: str, accept: str, page: bool
) -> None:
    assert wants_page(request(path=path, accept=accept)) is page


def render_search(state: PageState, result: SearchResponse | None, **extra: Any) -> str:
    context = search_context(state, result, None, None) | extra
    return templates.env.get_template("search.html").render(context)


def test_a_mistyped_date_marks_only_its_box_and_keeps_the_typed_text() -> None:
    read = run_apart(page_params(request("q=oil&date_to=" + HOSTILE)))
    page = render_search(
        PageState(read.params),
        SearchResponse(total=Total(value=3), hits=[]),
        date_errors=read.date_errors,
    )
    assert 'id="date_to" name="date_to" type="text"' in page
    assert "<script>window" not in page
    assert 'aria-invalid="true"' in page.split('id="date_to"')[1].split(">")[0]
    assert 'id="q" name="q" type="search" value="oil"' in page
    assert page.count('aria-invalid="true"') == 1


def test_no_results_hide_the_export_and_say_what_to_try() -> None:
    state = PageState(PageParams(q=HOSTILE, source=["Reuters"]))
    empty = SearchResponse(total=Total(value=0), hits=[])
    page = render_search(state, empty, understood=HOSTILE, did_you_mean=HOSTILE + "x")
    assert "Export CSV" not in page
    assert "<script>" not in page
    assert "Did you mean" in page
    assert "Without source Reuters" in page
    assert "tolerates a typo" in page
    found = render_search(state, SearchResponse(total=Total(value=2), hits=[]))
    assert "Export CSV" in found


def query(link: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(link).query)


def test_a_name_alongside_leads_to_articles_naming_both() -> None:
    assert query(both_href("person", "Kim", "location", "Seoul")) == [
        ("person", "Kim"),
        ("location", "Seoul"),
    ]
    # Two values of one facet would mean either: the second is asked in the query.
    assert query(both_href("person", "Kim", "person", 'Moon "Jae" In')) == [
        ("q", 'person:"Moon Jae In"'),
        ("person", "Kim"),
    ]
