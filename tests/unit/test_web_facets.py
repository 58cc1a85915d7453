"""The search page's facet links, with no server: any of / all of, exclusion, the chips that say
how values combine, the filter box's lookup address and the page size."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from search.web.urls import PAGE_SIZES, PageParams, PageState


def qs(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


TWO_PEOPLE = PageState(
    PageParams.model_validate({"q": "oil", "person": ["A", "B"], "source": ["Reuters"], "page": 3})
)


def test_logic_switches_between_any_and_all_from_page_one() -> None:
    assert TWO_PEOPLE.logic("person") == "any of"
    to_all = TWO_PEOPLE.logic_href("person", True)
    assert qs(to_all) == [
        ("q", "oil"),
        ("person", "A"),
        ("person", "B"),
        ("source", "Reuters"),
        ("all_of", "person"),
    ]
    all_state = PageState(TWO_PEOPLE.params.model_copy(update={"all_of": ["person"]}))
    assert all_state.logic("person") == "all of"
    assert ("all_of", "person") not in qs(all_state.logic_href("person", False))


def test_exclude_unticks_the_value_and_leaves_it_out() -> None:
    pairs = qs(TWO_PEOPLE.exclude_href("person", "a"))
    assert ("person", "A") not in pairs
    assert ("person", "B") in pairs
    assert ("not_person", "a") in pairs
    assert ("page", "3") not in pairs


def test_chips_say_how_values_combine_and_not() -> None:
    state = PageState(
        PageParams.model_validate(
            {"person": ["A", "B"], "all_of": ["person"], "agency": ["NATO"], "not_source": ["T"]}
        )
    )
    logic = {(c.label, c.value): c.logic for c in state.chips()}
    assert logic == {
        ("person", "A"): "all of",
        ("person", "B"): "all of",
        ("agency", "NATO"): "",  # one value: nothing to combine
        ("source", "T"): "not",
    }
    assert state.filter_count() == 4
    any_of = {c.value: c.logic for c in TWO_PEOPLE.chips()}
    assert any_of == {"A": "any of", "B": "any of", "Reuters": ""}


def test_the_lookup_asks_the_api_for_one_facet_under_the_same_search() -> None:
    url = TWO_PEOPLE.lookup_href("person")
    assert url.startswith("/v1/search?")
    assert qs(url) == [
        ("q", "oil"),
        ("person", "A"),
        ("person", "B"),
        ("source", "Reuters"),
        ("facets", "person"),
        ("facet_size", "20"),
        ("size", "1"),
        ("histogram", "false"),
    ]


def test_page_sizes_are_within_the_api_bounds_and_kept_in_links() -> None:
    assert PAGE_SIZES == (10, 25, 50, 100)
    state = PageState(PageParams.model_validate({"q": "oil", "size": 50}))
    assert ("size", "50") in qs(state.page_href(2))
    assert ("size", "50") in qs(state.clear_href())
    assert ("size", "50") in qs(state.toggle_href("person", "A"))
