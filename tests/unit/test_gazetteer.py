"""Gazetteer and aliases: places, curated spellings, and the country each place rolls up to."""

from __future__ import annotations

from search.entities.gazetteer import canonical_place, lookup_alias, lookup_place


def test_country_aliases_fold_to_the_name_journalists_use() -> None:
    for variant in ("DPRK", "Democratic People's Republic of Korea", "North Korea"):
        assert canonical_place(variant, frozenset()) == ("North Korea", "North Korea")
    for variant in ("US", "U.S.", "USA", "United States of America"):
        assert canonical_place(variant, frozenset())[0] == "United States"
    for variant in ("UK", "Britain", "Great Britain"):
        assert canonical_place(variant, frozenset())[0] == "United Kingdom"


def test_country_display_names_are_common_names_not_official_ones() -> None:
    assert lookup_place("Korea, Democratic People's Republic of")[0].name == "North Korea"
    assert lookup_place("Russian Federation")[0].name == "Russia"
    assert lookup_place("Iran, Islamic Republic of")[0].name == "Iran"
    assert lookup_place("Korea, Republic of")[0].name == "South Korea"


def test_cities_roll_up_to_their_country() -> None:
    assert canonical_place("Kyiv", frozenset()) == ("Kyiv", "Ukraine")
    assert canonical_place("Kiev", frozenset()) == ("Kyiv", "Ukraine")
    assert canonical_place("Kursk", frozenset()) == ("Kursk", "Russia")
    assert canonical_place("Seoul", frozenset()) == ("Seoul", "South Korea")
    assert canonical_place("Texas", frozenset()) == ("Texas", "United States")


def test_a_small_namesake_does_not_beat_a_capital() -> None:
    assert canonical_place("Moscow", frozenset({"United States"})) == ("Moscow", "Russia")


def test_administrative_wording_around_a_place_folds_to_the_place() -> None:
    assert canonical_place("State of Virginia", frozenset())[0] == "Virginia"


def test_person_aliases_fold_spelling_variants() -> None:
    for variant in ("Zelensky", "Zelenskyy", "Zelenskiy", "Volodymyr Zelenskyy"):
        alias = lookup_alias(variant)
        assert alias is not None
        assert (alias.type, alias.name) == ("person", "Volodymyr Zelensky")


def test_news_style_state_abbreviations_name_the_state() -> None:
    assert canonical_place("Calif.", frozenset()) == ("California", "United States")
    assert canonical_place("N.J.", frozenset()) == ("New Jersey", "United States")


def test_a_state_sharing_a_country_name_follows_the_article_country() -> None:
    assert canonical_place("Georgia", frozenset({"United States"})) == ("Georgia", "United States")
    assert canonical_place("Georgia", frozenset()) == ("Georgia", "Georgia")
