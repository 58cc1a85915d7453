"""NDJSON reader: field mapping, gzip by magic bytes, and one bad line never stopping the file."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from search.ingest.readers import ReadError
from search.ingest.readers.ndjson import read
from search.models import RawRecord

# English Wikinews, CC BY 2.5: "Escape room fire kills five teen girls in Koszalin, Poland".
LEDE = (
    "A fire yesterday afternoon killed five girls, all aged fifteen, at an escape room the group "
    "was visiting to celebrate a birthday in Koszalin, North Poland."
)
WIKINEWS = {
    "id": "en-vat-Escape_room_fire",
    "url": "https://en.wikinews.org/wiki/Escape_room_fire_kills_five_teen_girls_in_Koszalin,_Poland",
    "title": "Escape room fire kills five teen girls in Koszalin, Poland",
    "published_at": "2019-01-05",
    "language": "en",
    "body": LEDE,
    "categories": [],
    "source": "Wikinews",
}


def _write(path: Path, lines: Sequence[bytes | str | Mapping[str, object]]) -> Path:
    data = b"".join(
        (
            json.dumps(dict(line)).encode()
            if isinstance(line, Mapping)
            else line.encode()
            if isinstance(line, str)
            else line
        )
        + b"\n"
        for line in lines
    )
    path.write_bytes(data)
    return path


def test_wikinews_schema_maps_every_field(tmp_path: Path) -> None:
    [record] = read(_write(tmp_path / "wn.ndjson", [WIKINEWS]))
    assert isinstance(record, RawRecord)
    assert record.location == f"{tmp_path / 'wn.ndjson'}:1"
    assert record.id == WIKINEWS["id"]
    assert record.url == WIKINEWS["url"]
    assert record.title == WIKINEWS["title"]
    assert record.published_at == "2019-01-05"
    assert record.language == "en"
    assert record.source == "Wikinews"
    assert record.section == []
    assert record.body == LEDE


def test_reuters_schema_reads_date_author_and_topics(tmp_path: Path) -> None:
    line = {
        "id": "17",
        "title": "FIRE KILLS FIVE IN POLAND",
        "body": LEDE,
        "date": "1987-02-26T15:01:01.790",
        "author": "by Jan Kowalski, Reuters",
        "source": "Reuters",
        "topics": ["disasters"],
        "places": ["poland"],
    }
    [record] = read(_write(tmp_path / "r.ndjson", [line]))
    assert isinstance(record, RawRecord)
    assert record.published_at == "1987-02-26T15:01:01.790"
    assert record.byline == ["by Jan Kowalski, Reuters"]
    assert record.section == ["disasters"]


def test_bbc_schema_reads_category_as_section(tmp_path: Path) -> None:
    line = {"id": "business-001", "category": "business", "title": "A title", "body": LEDE}
    [record] = read(_write(tmp_path / "bbc.ndjson", [line]))
    assert isinstance(record, RawRecord)
    assert record.section == ["business"]
    assert record.id == "business-001"


def test_numbers_become_text_and_empty_strings_absent(tmp_path: Path) -> None:
    line = {"id": 42, "title": "", "body": LEDE, "authors": [{"name": "Ann"}, "Bo"]}
    [record] = read(_write(tmp_path / "n.ndjson", [line]))
    assert isinstance(record, RawRecord)
    assert record.id == "42"
    assert record.title is None
    assert record.byline == ["Ann", "Bo"]


def test_empty_body_is_kept_for_the_pipeline_to_judge(tmp_path: Path) -> None:
    [record] = read(_write(tmp_path / "e.ndjson", [{"id": "1", "title": "T", "body": ""}]))
    assert isinstance(record, RawRecord)
    assert record.body == ""


def test_field_mapping_can_be_overridden(tmp_path: Path) -> None:
    line = {"story": LEDE, "headline_text": "Fire in Koszalin"}
    path = _write(tmp_path / "m.ndjson", [line])
    [record] = read(path, fields={"body": ["story"], "title": ["headline_text"]})
    assert isinstance(record, RawRecord)
    assert (record.title, record.body) == ("Fire in Koszalin", LEDE)


def test_gzip_is_recognised_by_magic_bytes_not_name(tmp_path: Path) -> None:
    path = tmp_path / "looks_plain.ndjson"
    path.write_bytes(gzip.compress(json.dumps(WIKINEWS).encode() + b"\n"))
    [record] = read(path)
    assert isinstance(record, RawRecord)
    assert record.title == WIKINEWS["title"]


def test_bad_lines_become_errors_and_reading_goes_on(tmp_path: Path) -> None:
    lines: list[bytes | str | Mapping[str, object]] = [
        WIKINEWS,
        '{"id": "2", "title": "broken',
        "[1, 2, 3]",
        b'{"id": "4", "body": "caf\xe9"}',
        b"\x89PNG\x1a\x00\x00\x00\rIHDR\x00\x10",
        '{"id": "6", "body": {"nested": true}}',
        "",
        {**WIKINEWS, "id": "8"},
    ]
    results = list(read(_write(tmp_path / "mixed.ndjson", lines)))
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["RawRecord", *["ReadError"] * 5, "RawRecord"]
    errors = [r for r in results if isinstance(r, ReadError)]
    assert [e.location.rsplit(":", 1)[1] for e in errors] == ["2", "3", "4", "5", "6"]
    assert "not valid JSON" in errors[0].reason
    assert "JSON array" in errors[1].reason
    assert "not valid UTF-8" in errors[2].reason
    assert "binary data" in errors[3].reason
    assert "'body'" in errors[4].reason
    assert errors[0].raw.startswith('{"id": "2"')
    last = results[-1]
    assert isinstance(last, RawRecord)
    assert last.location.endswith(":8")


def test_overlong_line_is_skipped_without_losing_the_next(tmp_path: Path) -> None:
    huge = {"id": "big", "body": "x" * 200_000}
    results = list(read(_write(tmp_path / "big.ndjson", [huge, WIKINEWS]), max_line_bytes=10_000))
    error, record = results
    assert isinstance(error, ReadError)
    assert "longer than the limit" in error.reason
    assert len(error.raw) <= 2001
    assert isinstance(record, RawRecord)
    assert record.location.endswith(":2")


def test_byte_order_mark_on_first_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(WIKINEWS).encode() + b"\n")
    [record] = read(path)
    assert isinstance(record, RawRecord)


def test_truncated_gzip_keeps_earlier_records_then_reports(tmp_path: Path) -> None:
    blob = gzip.compress(
        b"".join(json.dumps({**WIKINEWS, "id": str(i)}).encode() + b"\n" for i in range(200))
    )
    path = tmp_path / "cut.ndjson.gz"
    path.write_bytes(blob[: len(blob) // 2])
    results = list(read(path))
    assert isinstance(results[0], RawRecord)
    assert isinstance(results[-1], ReadError)
    assert all(isinstance(r, RawRecord) for r in results[:-2])


def test_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    [error] = read(tmp_path / "absent.ndjson")
    assert isinstance(error, ReadError)
    assert "could not be opened" in error.reason


def test_mapping_to_an_unknown_field_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="headline"):
        read(tmp_path / "any.ndjson", fields={"headline": ["title"]})
