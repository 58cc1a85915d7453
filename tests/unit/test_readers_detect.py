"""Format detection and folder walking: the right reader for each file, in a stable order."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from search.ingest.readers import ReadError
from search.ingest.readers.detect import (
    count_records,
    detect_format,
    format_from_name,
    read_paths,
)
from search.models import RawRecord
from tests.conftest import FIXTURES


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("wire.ndjson", "ndjson"),
        ("wire.jsonl", "ndjson"),
        ("wire.json.gz", "ndjson"),
        ("wire.NDJSON.GZ", "ndjson"),
        ("story.txt", "text"),
        ("page.html", "html"),
        ("page.htm", "html"),
        ("feed.xml", "feed"),
        ("feed.rss", "feed"),
        ("feed.atom", "feed"),
        ("crawl.warc", "warc"),
        ("crawl.warc.gz", "warc"),
        ("photo.jpg", None),
        ("README", None),
    ],
)
def test_extension_names_the_format(name: str, fmt: str | None) -> None:
    assert format_from_name(name) == fmt


@pytest.mark.parametrize(
    ("source", "fmt"),
    [
        ("crawl.warc.gz", "warc"),
        ("article.html", "html"),
        ("wikinews_rss.xml", "feed"),
        ("wikinews_atom.xml", "feed"),
    ],
)
def test_first_bytes_name_the_format_when_the_name_does_not(
    tmp_path: Path, source: str, fmt: str
) -> None:
    target = tmp_path / "download"
    shutil.copy(FIXTURES / source, target)
    assert detect_format(target) == fmt


def test_gzipped_json_lines_without_extension_are_sniffed(tmp_path: Path) -> None:
    target = tmp_path / "export"
    target.write_bytes(gzip.compress(b'{"id": "1", "title": "T", "body": "B"}\n'))
    assert detect_format(target) == "ndjson"


def test_unknown_file_is_an_error_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("# Notes\n\nNot an article.\n")
    [error] = read_paths([target])
    assert isinstance(error, ReadError)
    assert error.location == str(target)
    assert "'notes.md'" in error.reason


def test_folders_are_walked_sorted_and_hidden_files_skipped(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".cache").mkdir()
    shutil.copy(FIXTURES / "seed_article.txt", tmp_path / "b" / "2.txt")
    shutil.copy(FIXTURES / "seed_article.txt", tmp_path / "b" / "1.txt")
    shutil.copy(FIXTURES / "wikinews_atom.xml", tmp_path / "a" / "feed.xml")
    shutil.copy(FIXTURES / "seed_article.txt", tmp_path / ".cache" / "3.txt")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    locations = [r.location for r in read_paths(tmp_path)]
    assert locations == [
        f"{tmp_path / 'a' / 'feed.xml'}#1",
        f"{tmp_path / 'a' / 'feed.xml'}#2",
        str(tmp_path / "b" / "1.txt"),
        str(tmp_path / "b" / "2.txt"),
    ]


def test_every_fixture_format_reads_through_one_entry_point() -> None:
    paths = [
        FIXTURES / n
        for n in ("article.html", "wikinews_rss.xml", "crawl.warc.gz", "seed_article.txt")
    ]
    results = list(read_paths(paths))
    assert all(isinstance(r, RawRecord) for r in results)
    assert len(results) == 1 + 3 + 2 + 1


def test_explicit_format_overrides_detection(tmp_path: Path) -> None:
    target = tmp_path / "story.dat"
    shutil.copy(FIXTURES / "seed_article.txt", target)
    [record] = read_paths([target], fmt="text")
    assert isinstance(record, RawRecord)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    [error] = read_paths(tmp_path / "nowhere")
    assert isinstance(error, ReadError)
    assert "no such file" in error.reason


def test_unknown_format_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown format"):
        read_paths([FIXTURES], fmt="pdf")


def test_records_are_counted_ahead_where_that_is_cheap(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_text('{"body": "one"}\n\n{"body": "two"}\n', encoding="utf-8")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as packed:
        packed.write('{"body": "three"}\n')
    (tmp_path / "c.txt").write_text("Four.", encoding="utf-8")
    assert count_records([tmp_path]) == 4 == len(list(read_paths([tmp_path])))
    (tmp_path / "d.rss").write_text("<rss><channel></channel></rss>", encoding="utf-8")
    assert count_records([tmp_path]) is None  # a feed holds an unknown number
