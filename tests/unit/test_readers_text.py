"""Plain-text reader: header block, headline line, or a lede from which the title is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.ingest.readers import ReadError
from search.ingest.readers.text import parse_text, read, title_from_lede
from search.models import RawRecord
from tests.conftest import FIXTURES

SEED = FIXTURES / "seed_article.txt"
# English Wikinews (CC BY 2.5), "Pioneering oceanographer Walter Munk dies of pneumonia in
# California".
MUNK = (
    "The death of pioneering oceanographer Walter Munk was announced on Friday by the University "
    "of California, San Diego. He was 101 and died of pneumonia in La Jolla, California."
)


def _only(path: Path) -> RawRecord:
    [record] = read(path)
    assert isinstance(record, RawRecord)
    return record


def test_seed_article_title_comes_from_its_first_sentence() -> None:
    record = _only(SEED)
    assert record.title == (
        "The two North Korean troops captured by Ukraine expressed no desire to seek asylum in "
        "South Korea…"
    )
    assert len(record.title) <= 100


def test_seed_article_body_keeps_every_line_including_the_first() -> None:
    record = _only(SEED)
    assert record.body.split("\n") == SEED.read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert record.location == str(SEED)


def test_header_block_fills_fields(tmp_path: Path) -> None:
    path = tmp_path / "munk.txt"
    path.write_text(
        "Title: Pioneering oceanographer Walter Munk dies of pneumonia in California\n"
        "Source: Wikinews\n"
        "Date: 2019-02-11\n"
        "URL: https://en.wikinews.org/wiki/Pioneering_oceanographer_Walter_Munk\n"
        "Author: Wikinews contributors and Jane Editor\n"
        "Section: Science and technology; Obituaries\n"
        "\n"
        f"{MUNK}\n",
        encoding="utf-8",
    )
    record = _only(path)
    assert record.title == "Pioneering oceanographer Walter Munk dies of pneumonia in California"
    assert record.source == "Wikinews"
    assert record.published_at == "2019-02-11"
    assert record.url == "https://en.wikinews.org/wiki/Pioneering_oceanographer_Walter_Munk"
    assert record.byline == ["Wikinews contributors", "Jane Editor"]
    assert record.section == ["Science and technology", "Obituaries"]
    assert record.body == MUNK


def test_header_block_without_title_derives_one() -> None:
    record = parse_text(f"Source: Wikinews\nDate: 2019-02-11\n\n{MUNK}", location="x.txt")
    assert record.title == (
        "The death of pioneering oceanographer Walter Munk was announced on Friday by the "
        "University of…"
    )
    assert record.source == "Wikinews"


def test_short_unpunctuated_first_line_is_the_headline() -> None:
    record = parse_text(f"Walter Munk dies at 101\n\n{MUNK}\n", location="x.txt")
    assert record.title == "Walter Munk dies at 101"
    assert record.body == MUNK


def test_a_label_line_that_is_not_a_header_stays_in_the_body() -> None:
    text = f"Note: this story was updated.\n\n{MUNK}"
    record = parse_text(text, location="x.txt")
    assert record.body == text


@pytest.mark.parametrize(
    ("lede", "title"),
    [
        (
            "Kyiv said on Jan. 9 that U.S. officials agreed. More followed.",
            "Kyiv said on Jan. 9 that U.S. officials agreed",
        ),
        ("“We are ready,” he said. Then he left.", "“We are ready,” he said"),
        ("Is this the end? Nobody knows.", "Is this the end?"),
        ("No final stop at all", "No final stop at all"),
    ],
)
def test_first_sentence_respects_abbreviations_and_quotes(lede: str, title: str) -> None:
    assert title_from_lede(lede) == title


def test_empty_file_gives_a_record_without_title(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    record = _only(path)
    assert (record.title, record.body) == (None, "")


def test_windows_1252_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Prices\n\nThe ticket costs £5 – or €6.\n".encode("cp1252"))
    assert _only(path).body == "The ticket costs £5 – or €6."


def test_binary_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    [error] = read(path)
    assert isinstance(error, ReadError)
    assert "binary" in error.reason


def test_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(MUNK * 10, encoding="utf-8")
    [error] = read(path, max_bytes=100)
    assert isinstance(error, ReadError)
    assert "larger than the limit" in error.reason
