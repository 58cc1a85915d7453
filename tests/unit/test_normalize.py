"""Name normalisation: trimming, junk, type fixes, short names, acronyms, keys and countries."""

from __future__ import annotations

import pytest

from search.ingest.normalize import (
    Candidate,
    NormalizedMention,
    apply_acronyms,
    canonical_place,
    find_acronyms,
    fix_type,
    folding_key,
    is_junk,
    lookup_alias,
    lookup_place,
    normalize_mentions,
    split_span,
    trim_span,
)


def span_of(text: str, surface: str, label: str, occurrence: int = 0) -> tuple[int, int, str]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface), label


def trimmed(text: str, type_: str | None = None) -> str | None:
    span = trim_span(text, 0, len(text), type_)  # type: ignore[arg-type]
    return None if span is None else text[span[0] : span[1]]


def by_text(mentions: list[NormalizedMention]) -> dict[str, NormalizedMention]:
    return {m.text: m for m in mentions}


# --- Folding key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Kim Jong-un", "Kim Jong Un"),
        ("Kim Jong-un", "KIM JONG UN"),
        ("U.S.", "US"),
        ("Zelenskyy", "ZELENSKYY"),
        ("Recep Tayyip Erdoğan", "Recep Tayyip Erdogan"),
        ("São Paulo", "Sao Paulo"),
        ("O'Brien", "OBrien"),
        ("Seoul’s", "Seouls"),
    ],
)
def test_spelling_variants_share_a_folding_key(one: str, other: str) -> None:
    assert folding_key(one) == folding_key(other)


def test_folding_key_is_lower_case_ascii_words() -> None:
    assert folding_key("  Koo Byoung-sam ") == "koo byoung sam"
    assert folding_key("Köln/Bonn") == "koln bonn"


# --- Trimming ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("North Korea’s", "North Korea"),
        ("Ukraine's", "Ukraine"),
        ("the Security Service of Ukraine", "Security Service of Ukraine"),
        ("The Security Service of Ukraine", "Security Service of Ukraine"),
        ("“Kyiv”", "Kyiv"),
        ("(NIS)", "NIS"),
        ("  AP News, ", "AP News"),
        ("U.S.", "U.S."),
        ("Acme Inc.", "Acme Inc."),
        ("Interfax news agency", "Interfax"),
        ("Kursk region", "Kursk"),
        ("Tactical Group of", "Tactical Group"),
        ("G. Kersey 63", "G. Kersey"),
        ("Channel 4", "Channel 4"),
        ("Brothers'", "Brothers"),
    ],
)
def test_trimming_keeps_only_the_name(raw: str, expected: str) -> None:
    assert trimmed(raw) == expected


def test_titles_are_trimmed_from_person_names_only() -> None:
    assert trimmed("President Volodymyr Zelensky", "person") == "Volodymyr Zelensky"
    assert trimmed("President Hotel", "agency") == "President Hotel"


def test_the_stays_inside_a_name_mid_sentence() -> None:
    text = "Judges met at The Hague on Friday."
    start = text.index("The Hague")
    assert trim_span(text, start, start + len("The Hague")) == (start, start + len("The Hague"))


def test_trimming_punctuation_only_leaves_nothing() -> None:
    assert trimmed("’s") is None
    assert trimmed(" , ") is None


# --- Junk ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "surface",
    [
        "Ctrl + Enter",
        "Alt+F4",
        "Cmd + Shift + P",
        "Enter",
        "X",
        "42",
        "1996-08-30",
        "president",
        "A Rapid Ceasefire",
        "Rapid Ceasefire In Ukraine",
        "Could Lead Trump",
        "@Kyivpost_official",
        "https://example.org",
        "GMT",
        "UTC",
        "I]t",
        "intra-Africa",
        "ex-England",
    ],
)
def test_junk_values_are_recognised(surface: str) -> None:
    assert is_junk(surface)


@pytest.mark.parametrize(
    "surface",
    [
        "Volodymyr Zelensky",
        "NIS",
        "AP News",
        "al-Qaeda",
        "Security Service of Ukraine",
        "eBay",
        "UN",
    ],
)
def test_real_names_are_not_junk(surface: str) -> None:
    assert not is_junk(surface)


# --- Splitting -----------------------------------------------------------------------------------


def test_a_place_possessive_before_an_agency_splits_into_place_and_agency() -> None:
    text = "Seoul’s National Intelligence Service said"
    pieces = split_span(text, Candidate(0, len("Seoul’s National Intelligence Service"), "agency"))
    assert [(text[p.start : p.end], p.type) for p in pieces] == [
        ("Seoul", "location"),
        ("National Intelligence Service", "agency"),
    ]


def test_a_possessive_that_is_no_place_stays_in_the_name() -> None:
    text = "McDonald’s Corporation said"
    pieces = split_span(text, Candidate(0, len("McDonald’s Corporation"), "agency"))
    assert [(p.start, p.end) for p in pieces] == [(0, len("McDonald’s Corporation"))]


def test_spans_across_lines_and_spaced_dashes_split() -> None:
    text = "Romania - Cosmin Contra\nLondon"
    pieces = split_span(text, Candidate(0, len(text), "agency"))
    assert [text[p.start : p.end] for p in pieces] == ["Romania", "Cosmin Contra", "London"]


# --- Gazetteer and aliases -----------------------------------------------------------------------


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


# --- Type fixes ----------------------------------------------------------------------------------


def test_a_known_city_read_as_a_person_is_a_location() -> None:
    assert fix_type("Kyiv", "person", set()) == "location"


def test_a_city_that_is_also_a_person_in_the_article_stays_a_person() -> None:
    assert fix_type("Washington", "person", {"washington"}) == "person"


def test_a_country_read_as_an_organisation_or_group_is_a_location() -> None:
    assert fix_type("Moldova", "agency", set()) == "location"
    assert fix_type("Tajikistan", "group", set()) == "location"


def test_an_unknown_demonym_read_as_a_place_is_a_group() -> None:
    assert fix_type("Ukrainian", "location", set()) == "group"


def test_a_place_the_model_called_a_product_is_rescued_and_others_dropped() -> None:
    assert fix_type("Kursk", None, set()) == "location"
    assert fix_type("iPhone", None, set()) is None


# --- Acronyms ------------------------------------------------------------------------------------


def test_acronyms_defined_after_an_entity_map_to_it() -> None:
    text = "The Security Service of Ukraine (SBU) said so. Later the SBU added more."
    expansion = span_of(text, "Security Service of Ukraine", "ORG")
    definitions = find_acronyms(text, [Candidate(expansion[0], expansion[1], "agency")])
    assert set(definitions) == {"SBU"}
    found = apply_acronyms(text, [Candidate(expansion[0], expansion[1], "agency")], definitions)
    names = {(text[c.start : c.end], c.name) for c in found}
    assert ("SBU", "Security Service of Ukraine") in names
    assert len([c for c in found if text[c.start : c.end] == "SBU"]) == 2


def test_an_acronym_of_an_untagged_organisation_is_found_by_its_head_word() -> None:
    text = "the 84th Tactical Group of Ukraine’s Special Operation Forces (SSO), and more"
    definitions = find_acronyms(text, [])
    assert "SSO" in definitions
    definition = definitions["SSO"]
    assert text[definition.start : definition.end] == "Special Operation Forces"


def test_parentheses_that_do_not_abbreviate_the_name_before_are_ignored() -> None:
    text = "DPRK (North Korean) troops and SEOUL, South Korea (AP) reported"
    assert find_acronyms(text, []) == {}


# --- The whole article ---------------------------------------------------------------------------


def test_short_person_mentions_resolve_to_the_one_full_name_they_abbreviate() -> None:
    text = "Koo Byoung-sam spoke. Later Koo said more. Volodymyr Zelensky agreed, Zelensky said."
    spans = [
        span_of(text, "Koo Byoung-sam", "PERSON"),
        span_of(text, "Koo", "PERSON", 1),
        span_of(text, "Volodymyr Zelensky", "PERSON"),
        span_of(text, "Zelensky", "PERSON", 1),
    ]
    names = [(m.text, m.name) for m in normalize_mentions(text, spans)]
    assert ("Koo", "Koo Byoung-sam") in names
    assert ("Zelensky", "Volodymyr Zelensky") in names


def test_a_short_name_shared_by_two_people_is_left_alone() -> None:
    text = "Lee Jae-myung and Lee Seong-kweun met. Lee said nothing."
    spans = [
        span_of(text, "Lee Jae-myung", "PERSON"),
        span_of(text, "Lee Seong-kweun", "PERSON"),
        span_of(text, "Lee", "PERSON", 2),
    ]
    mentions = normalize_mentions(text, spans)
    assert ("Lee", "Lee") in [(m.text, m.name) for m in mentions]


def test_mentions_keep_offsets_into_the_text() -> None:
    text = "Seoul’s National Intelligence Service (NIS) said North Korea’s troops left Kyiv."
    spans = [
        span_of(text, "Seoul’s National Intelligence Service", "ORG"),
        span_of(text, "NIS", "ORG"),
        span_of(text, "North Korea’s", "GPE"),
        span_of(text, "Kyiv", "PERSON"),
    ]
    mentions = normalize_mentions(text, spans)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    found = by_text(mentions)
    assert (found["Seoul"].type, found["Seoul"].country) == ("location", "South Korea")
    assert found["NIS"].name == "National Intelligence Service"
    assert found["North Korea"].name == "North Korea"
    assert found["Kyiv"].type == "location"


def test_a_name_the_model_found_once_is_found_again() -> None:
    text = "Alexander Lebed arrived. Officials said Lebed would stay in Grozny."
    spans = [span_of(text, "Alexander Lebed", "PERSON"), span_of(text, "Grozny", "GPE")]
    found = by_text(normalize_mentions(text, spans))
    assert found["Lebed"].name == "Alexander Lebed"


def test_a_dateline_names_a_place_even_when_the_model_saw_a_person() -> None:
    text = "TAVILDARA, Tajikistan 1996-08-30\nTroops took Tavildara on Friday."
    spans = [span_of(text, "TAVILDARA", "PERSON"), span_of(text, "Tavildara", "PERSON", 0)]
    mentions = normalize_mentions(text, spans)
    assert {m.type for m in mentions if folding_key(m.text) == "tavildara"} == {"location"}


def test_words_of_an_all_caps_line_are_not_names() -> None:
    text = "JOIN US ON TELEGRAM\nThe US said so."
    spans = [span_of(text, "US", "GPE"), span_of(text, "US", "GPE", 1)]
    mentions = normalize_mentions(text, spans)
    assert [m.start for m in mentions] == [text.index("US", text.index("\n"))]


def test_parentheses_inside_a_span_separate_a_name_from_its_acronym() -> None:
    text = "the World Health Organization (WHO said"
    end = text.index(" said")
    pieces = split_span(text, Candidate(4, end, "agency"))
    assert [text[p.start : p.end] for p in pieces] == ["World Health Organization", "WHO"]


def test_topics_the_model_takes_for_names_are_dropped() -> None:
    assert fix_type("COVID-19", "person", set()) is None
    assert fix_type("Brexit", "agency", set()) is None


def test_the_office_in_a_job_title_is_not_an_agency() -> None:
    text = "US Secretary of State Mike Pompeo spoke."
    spans = [span_of(text, "State", "ORG"), span_of(text, "Mike Pompeo", "PERSON")]
    assert [m.text for m in normalize_mentions(text, spans)] == ["Mike Pompeo"]
