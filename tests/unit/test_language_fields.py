"""The language table: which fields an article's text goes into, their analysis, their names."""

from __future__ import annotations

import pytest

from search import languages
from search.index.schema import index_body
from search.localnode.maven import Artifact, fetch_pom
from search.query.facets import FACETS


def test_english_and_undetected_text_need_no_field_of_their_own() -> None:
    assert languages.language_fields("en", "T", "B") == {}
    assert languages.language_fields(None, "T", "B") == {}


@pytest.mark.parametrize("language", languages.LANGUAGES, ids=lambda lang: lang.code)
def test_an_article_in_a_table_language_carries_its_text_in_that_languages_fields(
    language: languages.Language,
) -> None:
    fields = languages.language_fields(language.code, "Title", "Body")
    assert fields == {f"title_{language.code}": "Title", f"body_{language.code}": "Body"}
    mapping = languages.mapping_properties()
    for name in fields:
        assert mapping[name]["analyzer"] == language.analyzer


def test_a_language_outside_the_table_goes_to_the_unstemmed_group() -> None:
    assert languages.language_fields("pl", "T", "B") == {"title_other": "T", "body_other": "B"}
    assert languages.mapping_properties()["body_other"]["analyzer"] == languages.OTHER_ANALYZER


def test_the_article_and_saved_search_mappings_carry_every_language_field() -> None:
    wanted = languages.mapping_properties()
    for definition in ("articles", "saved_searches"):
        properties = index_body(definition)["mappings"]["properties"]
        assert {name: properties[name] for name in wanted} == wanted
    analysis = index_body("articles")["settings"]["analysis"]["analyzer"]
    assert languages.OTHER_ANALYZER in analysis  # a custom analyzer: it must be defined


def test_query_fields_name_every_group_with_the_title_boosted() -> None:
    fields = languages.text_fields(title_boost=3)
    assert len(fields) == 2 * len(languages.suffixes())
    assert "title_ko^3" in fields
    assert "body_ko" in fields
    assert "body_other" in fields


def test_languages_are_named_in_themselves_and_unknown_codes_stay_codes() -> None:
    assert languages.display_name("ko") == "한국어"
    assert languages.display_name("fr") == "Français"
    assert languages.display_name("en") == "English"
    assert languages.display_name("pl") == "Polski"
    assert languages.display_name("xx") == "xx"
    assert FACETS["language"].label("uk") == "Українська"
    assert FACETS["person"].label("Ko") is None


def test_codes_are_unique_and_english_is_not_in_the_table() -> None:
    codes = [lang.code for lang in languages.LANGUAGES]
    assert len(codes) == len(set(codes))
    assert languages.ENGLISH.code not in codes
    assert languages.OTHER not in codes


def test_plugins_are_fetched_with_their_dependencies_modules_without() -> None:
    artifact = Artifact("org.opensearch.plugin", "analysis-nori", "3.8.0")
    assert "<exclusions>" in fetch_pom([artifact])
    assert "<exclusions>" not in fetch_pom([artifact], transitive=True)
