"""Enrichment of wire copy: wrapped names read whole, tables and the publisher left out."""

from __future__ import annotations

from search.entities.extraction import RawEntity
from search.ingest.enrich import EnrichInput, build_enrichment, prepared_text

WRAPPED = (
    "The talks were led by Economy Minister Walter\n"
    "Brandhorst, who told reporters in Bonn that the\n"
    "currency would be watched closely by the bank, Zeitung\n"
    "reported.\n"
    "    Shr 1.23 dlrs vs 1.10 dlrs\n"
)


def span(text: str, surface: str, label: str) -> RawEntity:
    start = text.index(surface)
    return RawEntity(start, start + len(surface), label)


def test_a_name_torn_by_a_wrap_is_one_person_and_mentions_quote_the_body() -> None:
    prepared = prepared_text(EnrichInput(text=WRAPPED))
    assert len(prepared) == len(WRAPPED)
    spans = [span(prepared, "Walter Brandhorst", "PERSON"), span(prepared, "Bonn", "GPE")]
    found = build_enrichment(EnrichInput(text=WRAPPED), spans, prepared)
    assert found.persons == ["Walter Brandhorst"]
    (walter,) = [e for e in found.entities if e.type == "person"]
    (mention,) = walter.mentions
    assert mention.text == WRAPPED[mention.start : mention.end] == "Walter\nBrandhorst"


def test_table_rows_never_reach_the_model() -> None:
    prepared = prepared_text(EnrichInput(text=WRAPPED))
    assert "Shr" not in prepared
    assert "dlrs" not in prepared
    assert "Shr 1.23 dlrs" in WRAPPED


def test_the_publishers_own_name_is_no_entity_of_its_articles() -> None:
    text = "Zeitung reported that Zeitungs staff met Walter Brandhorst."
    spans = [span(text, "Zeitung", "ORG"), span(text, "Walter Brandhorst", "PERSON")]
    found = build_enrichment(EnrichInput(text=text, source="Zeitungs"), spans)
    assert found.agencies == []
    assert found.persons == ["Walter Brandhorst"]
    assert build_enrichment(EnrichInput(text=text), spans).agencies == ["Zeitung"]
