"""Enrichment of whole articles: the seed article's acceptance test, and the pure composition."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from search.entities.extraction import RawEntity, load_model
from search.entities.normalize import NormalizedMention, normalize_mentions
from search.ingest.enrich import (
    Enricher,
    EnrichInput,
    Enrichment,
    build_enrichment,
    resolve_dates,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PUBLISHED = datetime(2025, 1, 13, 9, 30, tzinfo=UTC)  # a Monday

#: Lines the boilerplate step removes from the seed article before enrichment.
BOILERPLATE = {
    "JOIN US ON TELEGRAM",
    "Follow our coverage of the war on the @Kyivpost_official.",
    "A Rapid Ceasefire in Ukraine Could Lead Trump into a Russian Trap",
    "You can also highlight the text and press Ctrl + Enter",
}


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher(batch_size=8)


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = FIXTURES / "seed_article.txt"
    if not path.exists():
        pytest.skip("seed article fixture not present")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(enricher: Enricher, seed_text: str) -> tuple[str, Enrichment]:
    body = "\n".join(line for line in seed_text.splitlines() if line.strip() not in BOILERPLATE)
    return body, enricher.enrich(EnrichInput(text=body, language="en", published_at=PUBLISHED))


def test_seed_article_persons_are_exactly_the_four_people(seed: tuple[str, Enrichment]) -> None:
    _, found = seed
    assert set(found.persons) == {
        "Volodymyr Zelensky",
        "Kim Jong-un",
        "Koo Byoung-sam",
        "Lee Seong-kweun",
    }


def test_seed_article_agencies(seed: tuple[str, Enrichment]) -> None:
    _, found = seed
    assert {
        "National Intelligence Service",
        "Security Service of Ukraine",
        "Unification Ministry",
        "AP News",
    } <= set(found.agencies)
    assert not {"A Rapid Ceasefire", "Rapid Ceasefire", "Telegram", "Ctrl + Enter"} & set(
        found.agencies
    )


def test_seed_article_locations_and_countries(seed: tuple[str, Enrichment]) -> None:
    _, found = seed
    assert {
        "Ukraine",
        "North Korea",
        "South Korea",
        "Russia",
        "Kursk",
        "Kyiv",
        "Seoul",
        "Moscow",
        "Pyongyang",
        "Tuva",
    } <= set(found.locations)
    assert {"Ukraine", "North Korea", "South Korea", "Russia"} <= set(found.countries)
    kyiv = next(e for e in found.entities if e.name == "Kyiv")
    assert (kyiv.type, kyiv.country) == ("location", "Ukraine")


def test_seed_article_no_person_is_a_place_shortcut_or_headline(
    seed: tuple[str, Enrichment],
) -> None:
    _, found = seed
    assert not set(found.persons) & set(found.locations)
    for name in found.persons:
        assert not any(word in name for word in ("Ctrl", "Enter", "Ceasefire"))


def test_seed_article_short_names_and_acronyms_join_their_full_names(
    seed: tuple[str, Enrichment],
) -> None:
    _, found = seed
    mentions = {e.name: {m.text for m in e.mentions} for e in found.entities}
    assert "Koo" in mentions["Koo Byoung-sam"]
    assert "Zelensky" in mentions["Volodymyr Zelensky"]
    assert "Lee" in mentions["Lee Seong-kweun"]
    assert "NIS" in mentions["National Intelligence Service"]
    assert "SBU" in mentions["Security Service of Ukraine"]
    assert "DPRK" in mentions["North Korea"]


def test_seed_article_dates_resolve_against_monday(seed: tuple[str, Enrichment]) -> None:
    _, found = seed
    assert {date(2025, 1, 9), date(2025, 1, 11), date(2025, 1, 12), date(2025, 1, 13)} <= set(
        found.dates_mentioned
    )
    late_december = next(m for m in found.date_mentions if m.text == "late December")
    assert (late_december.date_from, late_december.date_to) == (
        date(2024, 12, 21),
        date(2024, 12, 31),
    )


def test_seed_article_offsets_point_into_the_clean_body(seed: tuple[str, Enrichment]) -> None:
    body, found = seed
    for entity in found.entities:
        for mention in entity.mentions:
            assert body[mention.start : mention.end] == mention.text
    for date_mention in found.date_mentions:
        assert body[date_mention.start : date_mention.end] == date_mention.text
    assert found.status == "extracted"


def test_boilerplate_left_in_gives_no_junk_entities(enricher: Enricher, seed_text: str) -> None:
    found = enricher.enrich(EnrichInput(text=seed_text, published_at=PUBLISHED))
    names = set(found.persons) | set(found.agencies) | set(found.locations)
    assert not {"Ctrl + Enter", "A Rapid Ceasefire", "Rapid Ceasefire"} & names
    assert not any("Kyivpost" in name for name in names)
    us = next((e for e in found.entities if e.name == "United States"), None)
    assert us is None, "the 'US' of 'JOIN US ON TELEGRAM' is not a country"


def test_each_language_goes_to_its_own_method_in_order(enricher: Enricher) -> None:
    items = [
        EnrichInput(text="Volodymyr Zelensky visited Kyiv.", language="en"),
        EnrichInput(text="Emmanuel Macron est à Paris avec Olaf Scholz.", language="fr"),
        EnrichInput(text="Kim Jong-un met Vladimir Putin in Moscow.", language="en-GB"),
        EnrichInput(text="서울에서 회의가 열렸다.", language="ko"),
        EnrichInput(text="北京是中国的首都。", language="zh"),
    ]
    results = list(enricher.enrich_many(items))
    assert [r.status for r in results] == [
        "extracted", "extracted", "extracted", "matched_known", "skipped_language",
    ]  # fmt: skip
    assert "Volodymyr Zelensky" in results[0].persons
    assert {"Emmanuel Macron", "Olaf Scholz"} <= set(results[1].persons)
    assert "Paris" in results[1].locations
    assert "Vladimir Putin" in results[2].persons
    assert results[3].locations == ["Seoul"]
    assert results[4] == Enrichment(status="skipped_language")


def test_an_english_archive_never_loads_another_model(enricher: Enricher) -> None:
    load_model.cache_clear()
    list(enricher.enrich_many([EnrichInput(text="Joe Biden spoke in Berlin.", language="en")]))
    assert load_model.cache_info().currsize == 1


def test_order_is_kept_across_batches(enricher: Enricher) -> None:
    names = ["Angela Merkel", "Emmanuel Macron", "Joe Biden", "Narendra Modi"] * 5
    items = [EnrichInput(text=f"{name} spoke in Berlin on Monday.") for name in names]
    results = list(enricher.enrich_many(items))
    assert [r.persons for r in results] == [[name] for name in names]


# --- Pure composition, no model ------------------------------------------------------------------


def test_entities_group_mentions_and_lists_follow_first_mention() -> None:
    text = "Koo Byoung-sam met Seoul officials. Koo left Seoul for Kyiv."
    spans = [
        RawEntity(0, 14, "PERSON"),
        RawEntity(19, 24, "GPE"),
        RawEntity(36, 39, "PERSON"),
        RawEntity(45, 50, "GPE"),
        RawEntity(55, 59, "PERSON"),
    ]
    found = build_enrichment(EnrichInput(text=text, published_at=PUBLISHED), spans)
    assert found.persons == ["Koo Byoung-sam"]
    assert found.locations == ["Seoul", "Kyiv"]
    assert found.countries == ["South Korea", "Ukraine"]
    seoul = next(e for e in found.entities if e.name == "Seoul")
    assert [m.start for m in seoul.mentions] == [19, 45]
    assert seoul.key == "seoul"


def test_dates_need_a_publication_date() -> None:
    text = "It happened on Monday."
    spans = [RawEntity(15, 21, "DATE")]
    assert resolve_dates(text, spans, None) == []
    mentions = resolve_dates(text, spans, PUBLISHED)
    assert [(m.text, m.date_from) for m in mentions] == [("Monday", date(2025, 1, 13))]


def test_a_clock_time_is_not_a_year() -> None:
    text = "The fire started at 19:00 local time (1700 UTC)."
    spans = [RawEntity(text.index("1700"), text.index("1700") + 4, "DATE")]
    assert resolve_dates(text, spans, PUBLISHED) == []


def test_unresolvable_dates_are_left_out() -> None:
    text = "For decades, nothing changed."
    assert resolve_dates(text, [RawEntity(4, 11, "DATE")], PUBLISHED) == []


def test_a_failing_article_is_marked_failed_and_the_stream_goes_on(
    enricher: Enricher, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fragile(text: str, spans: Iterable[tuple[int, int, str]]) -> list[NormalizedMention]:
        if "explode" in text:
            raise ValueError("odd article")
        return normalize_mentions(text, spans)

    monkeypatch.setattr("search.ingest.enrich.normalize_mentions", fragile)
    items = [
        EnrichInput(text="Please explode, Angela Merkel."),
        EnrichInput(text="Joe Biden spoke."),
    ]
    results = list(enricher.enrich_many(items))
    assert [r.status for r in results] == ["failed", "extracted"]
    assert results[1].persons == ["Joe Biden"]


def test_very_long_bodies_are_read_only_up_to_the_model_limit(
    enricher: Enricher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("search.ingest.enrich.MAX_MODEL_CHARS", 40)
    text = "Angela Merkel visited Paris on Monday. " + "Filler words go here. " * 20
    found = enricher.enrich(EnrichInput(text=text))
    assert found.persons == ["Angela Merkel"]
    for entity in found.entities:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text
