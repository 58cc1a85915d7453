"""Entities per language, no server: the model table, the label mapping, French names without
the English rules, known names matched in Korean and Cyrillic text, transliteration keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from search.entities.extraction import RawEntity
from search.entities.known import KnownNames
from search.entities.languages import (
    ENGLISH_LABELS,
    METHOD_STATUS,
    MODELS,
    WIKINER_LABELS,
    method_for,
    model_for,
)
from search.entities.name_matching import NameIndex, cyrillic_stems, particles_after
from search.entities.place_names import known_place_mentions, usable
from search.entities.plain_names import normalize_plain
from search.entities.registry import Alias, RegistryEntity
from search.entities.resolution import mention_key
from search.entities.transliteration import names_in, propose_aliases, transliteration_key
from search.ingest.enrich import EnrichInput, build_enrichment
from search.models import EntitiesStatus

# --- The model table and its labels --------------------------------------------------------------


def test_each_language_finds_its_own_model_and_region_tags_do_not_matter() -> None:
    assert model_for("fr-CA") is MODELS["fr"]
    assert model_for("EN_gb") is MODELS["en"]
    assert model_for(None) is MODELS["en"]
    assert model_for("ko") is None


def test_languages_without_a_model_are_matched_unless_written_without_spaces() -> None:
    assert [method_for(code) for code in ("en", "fr", "ko", "uk", "ru", "de", "zh", "ja")] == [
        "model", "model", "match", "match", "match", "match", "skip", "skip",
    ]  # fmt: skip
    statuses: set[EntitiesStatus] = set(METHOD_STATUS.values())
    assert statuses == {"extracted", "matched_known", "skipped_language"}


def test_french_labels_map_to_the_project_types_and_misc_is_dropped() -> None:
    assert MODELS["fr"].labels is WIKINER_LABELS
    assert dict(WIKINER_LABELS) == {"PER": "person", "ORG": "agency", "LOC": "location"}
    assert ENGLISH_LABELS["GPE"] == "location"
    assert ENGLISH_LABELS["NORP"] == "group"
    text = "Emmanuel Macron a vu la Coupe du monde."
    spans = [(0, 15, "PER"), (24, 38, "MISC")]
    assert [m.type for m in normalize_plain(text, spans, MODELS["fr"])] == ["person"]


def test_french_dates_are_not_resolved_by_the_english_rules() -> None:
    text = "Le 3 mars, Emmanuel Macron était à Paris."
    spans = [RawEntity(3, 9, "DATE"), RawEntity(11, 26, "PER"), RawEntity(35, 40, "LOC")]
    published = datetime(2024, 3, 5, tzinfo=UTC)
    found = build_enrichment(EnrichInput(text, language="fr", published_at=published), spans)
    assert found.status == "extracted"
    assert found.date_mentions == []
    assert found.persons == ["Emmanuel Macron"]


# --- French names ---------------------------------------------------------------------------------


def _french(text: str, marked: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Normalise spans given as (surface, label); returns surface -> (type, name)."""
    spans = [(text.index(s), text.index(s) + len(s), label) for s, label in marked]
    return {m.text: (m.type, m.name) for m in normalize_plain(text, spans, MODELS["fr"])}


def test_french_institutions_keep_their_lower_case_words() -> None:
    text = "L'Assemblée nationale et le ministère de l'Intérieur ont répondu."
    found = _french(text, [("Assemblée nationale", "ORG"), ("ministère de l'Intérieur", "ORG")])
    assert found == {
        "Assemblée nationale": ("agency", "Assemblée nationale"),
        "ministère de l'Intérieur": ("agency", "ministère de l'Intérieur"),
    }


def test_french_places_are_filed_under_the_english_name_of_the_country() -> None:
    text = "La France, les Etats-Unis et la Corée du Sud ; Séoul et Le Havre."
    found = _french(
        text,
        [
            ("La France", "LOC"),
            ("Etats-Unis", "LOC"),
            ("Corée du Sud", "LOC"),
            ("Séoul", "LOC"),
            ("Le Havre", "LOC"),
        ],
    )
    assert found["France"] == ("location", "France")
    assert found["Etats-Unis"] == ("location", "United States")
    assert found["Corée du Sud"] == ("location", "South Korea")
    assert found["Séoul"] == ("location", "Seoul")
    assert found["Le Havre"] == ("location", "Le Havre")


def test_a_french_title_is_cut_and_a_short_name_joins_the_full_one() -> None:
    text = "Emmanuel Macron parle. Le président Macron répond. Le président de la République."
    found = _french(
        text,
        [
            ("Emmanuel Macron", "PER"),
            ("président Macron", "LOC"),
            ("président de la République", "PER"),
        ],
    )
    assert found == {
        "Emmanuel Macron": ("person", "Emmanuel Macron"),
        "Macron": ("person", "Emmanuel Macron"),
    }


def test_a_french_person_beside_a_party_stays_two_names() -> None:
    text = "Marine Le Pen du Rassemblement national était à Lyon."
    found = _french(
        text, [("Marine Le Pen", "PER"), ("Rassemblement national", "ORG"), ("Lyon", "LOC")]
    )
    assert found["Marine Le Pen"] == ("person", "Marine Le Pen")
    assert found["Rassemblement national"] == ("agency", "Rassemblement national")


# --- Known names in Korean and Cyrillic text ------------------------------------------------------


def _matches(index: NameIndex[str], text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.value) for f in index.find(text)]


def test_a_korean_name_is_found_before_its_particles_and_not_inside_a_longer_word() -> None:
    index = NameIndex({"서울": "Seoul", "부산": "Busan"})
    text = "서울에서 열린 회의. 서울의 날씨. 부산은 맑다. 서울대학교 학생. 서울"
    assert _matches(index, text) == [
        ("서울", "Seoul"),
        ("서울", "Seoul"),
        ("부산", "Busan"),
        ("서울", "Seoul"),
    ]


def test_a_particle_counts_only_where_korean_grammar_allows_it() -> None:
    # "이" follows a final consonant: "사나이" ("a man") is no "사나" + particle.
    assert "이" not in particles_after("나")
    assert "가" in particles_after("나")
    assert "이" in particles_after("산")
    index = NameIndex({"사나": "Sanaa"})
    assert _matches(index, "진짜 사나이는 사나가 좋다") == [("사나", "Sanaa")]


def test_cyrillic_names_are_found_in_their_case_forms() -> None:
    index = NameIndex({"Київ": "Kyiv", "Киев": "Kyiv", "Москва": "Moscow", "Львів": "Lviv"})
    text = "У Києві та Львові; до Києва. В Киеве и в Москве. Москва."
    assert [value for _, value in _matches(index, text)] == [
        "Kyiv", "Lviv", "Kyiv", "Kyiv", "Moscow", "Moscow",
    ]  # fmt: skip
    assert "Києв" in cyrillic_stems("Київ")
    assert "Москв" in cyrillic_stems("Москва")


def test_a_longer_cyrillic_word_is_no_declined_name() -> None:
    index = NameIndex({"Київ": "Kyiv"})
    assert _matches(index, "Київський університет і Київщина") == []


def test_short_lower_case_and_stop_word_names_are_not_matched() -> None:
    assert not usable("Уфа")  # three letters
    assert not usable("москва")  # lower case in a cased script
    assert not usable("Будет", frozenset({"будет"}))
    assert usable("서울")
    assert not usable("서울", longer=1)  # a foreign town's two-syllable name


def test_places_in_korean_and_ukrainian_text_are_filed_under_their_english_names() -> None:
    korean = known_place_mentions("서울에서 미국과 대한민국이 합의했다.", "ko")
    assert [(m.text, m.name, m.key) for m in korean] == [
        ("서울", "Seoul", "seoul"),
        ("미국", "United States", "united states"),
        ("대한민국", "South Korea", "south korea"),
    ]
    ukrainian = known_place_mentions("Делегація прибула до Києва, у Київ.", "uk")
    assert [(m.text, m.name, m.country) for m in ukrainian] == [
        ("Києва", "Kyiv", "Ukraine"),
        ("Київ", "Kyiv", "Ukraine"),
    ]


def test_articles_without_a_model_say_names_were_matched() -> None:
    found = build_enrichment(EnrichInput("서울의 시장이 말했다.", language="ko"), [])
    assert (found.status, found.locations, found.countries) == (
        "matched_known",
        ["Seoul"],
        ["South Korea"],
    )
    skipped = build_enrichment(EnrichInput("北京是中国的首都。", language="zh"), [])
    assert (skipped.status, skipped.entities) == ("skipped_language", [])


def _zelensky(*aliases: str) -> RegistryEntity:
    return RegistryEntity(
        id="zelensky",
        type="person",
        name="Volodymyr Zelensky",
        key="volodymyr zelensky",
        aliases=[Alias(key=mention_key(a, "person"), name=a, curated=True) for a in aliases],
        curated=True,
    )


def test_curated_names_in_cyrillic_and_hangul_are_found_declined_or_with_particles() -> None:
    known = KnownNames([_zelensky("Володимир Зеленський", "젤렌스키")])
    text = "Зустріч з Володимиром Зеленським? Ні: Володимир Зеленського. 젤렌스키는 말했다."
    found = known.find(text, [])
    surfaces = sorted(m.text for e in found for m in e.mentions)
    assert surfaces == ["Володимир Зеленського", "젤렌스키"]
    assert {e.name for e in found} == {"Volodymyr Zelensky"}
    # Keyed by the curated name, not the declined form, so the curated alias resolves it.
    assert {e.key for e in found} == {
        mention_key(n, "person") for n in ("Володимир Зеленський", "젤렌스키")
    }


# --- Cross-script alias proposals ----------------------------------------------------------------


def test_transliteration_keys_meet_across_scripts_and_systems() -> None:
    assert transliteration_key("Володимир Зеленський") == transliteration_key("Volodymyr Zelensky")
    assert transliteration_key("Олаф Шольц") == transliteration_key("Olaf Scholz")
    assert transliteration_key("Харків") == transliteration_key("Kharkiv")
    assert transliteration_key("Олаф Шольц") != transliteration_key("Olaf Palme")


def test_names_seen_in_cyrillic_are_proposed_for_the_one_entity_they_transliterate_to() -> None:
    seen = dict.fromkeys(names_in("Президент Володимир Зеленський прибув. Олаф Шольц теж."), 1)
    entities = [
        _zelensky(),
        RegistryEntity(id="scholz", type="person", name="Olaf Scholz", key="olaf scholz"),
    ]
    proposals = propose_aliases(entities, seen)
    assert {(p.entity, p.alias) for p in proposals} == {
        ("zelensky", "Володимир Зеленський"),
        ("scholz", "Олаф Шольц"),
    }
    already = propose_aliases([_zelensky("Володимир Зеленський")], seen)
    assert already == []


@pytest.mark.parametrize("text", ["Київ", "київ готується", "ПРИВІТ"])
def test_no_name_runs_in_single_or_lower_case_words(text: str) -> None:
    assert names_in(text) == []
