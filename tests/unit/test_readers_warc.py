"""WARC reader: HTML responses become articles, other records are skipped, truncation reported."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

from search.ingest.readers import ReadError
from search.ingest.readers.warc import read
from search.models import RawRecord
from tests.conftest import FIXTURES

CRAWL = FIXTURES / "crawl.warc.gz"
SPACEX_URL = (
    "https://en.wikinews.org/wiki/SpaceX_Crew_Dragon_capsule_docks_with_International_Space_Station"
)
KARAJ_URL = "https://en.wikinews.org/wiki/Iranian_cargo_plane_crashes_into_Karaj_houses"


def test_only_the_two_html_responses_become_articles() -> None:
    results = list(read(CRAWL))
    assert all(isinstance(r, RawRecord) for r in results)
    assert [r.location for r in results] == [f"{CRAWL}#3", f"{CRAWL}#7"]
    assert [getattr(r, "url", None) for r in results] == [SPACEX_URL, KARAJ_URL]


def test_page_date_wins_and_warc_date_fills_in() -> None:
    spacex, karaj = list(read(CRAWL))
    assert isinstance(spacex, RawRecord)
    assert isinstance(karaj, RawRecord)
    assert spacex.published_at == "2019-03-05T09:30:00+00:00"
    assert karaj.published_at == "2019-01-15T10:20:30Z"
    assert karaj.title == "Iranian cargo plane crashes into Karaj houses"
    assert karaj.body.startswith("A Boeing 707 cargo plane")
    assert "Main page" not in karaj.body


def test_uncompressed_warc_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(gzip.decompress(CRAWL.read_bytes()))
    assert [getattr(r, "title", None) for r in read(path)] == [
        getattr(r, "title", None) for r in read(CRAWL)
    ]


def test_truncated_archive_reports_after_the_earlier_records(tmp_path: Path) -> None:
    data = CRAWL.read_bytes()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:-500])
    first, last = list(read(path))
    assert isinstance(first, RawRecord)
    assert first.url == SPACEX_URL
    assert isinstance(last, ReadError)
    assert last.location == f"{path}#7"
    assert "truncated" in last.reason


def test_archive_cut_inside_a_header_is_reported(tmp_path: Path) -> None:
    raw = gzip.decompress(CRAWL.read_bytes())
    cut = raw.index(b"WARC/1.0", raw.index(b"application/json")) + 40
    path = tmp_path / "cut.warc"
    path.write_bytes(raw[:cut])
    results = list(read(path))
    assert isinstance(results[0], RawRecord)
    assert isinstance(results[-1], ReadError)
    assert "truncated" in results[-1].reason


def test_a_file_that_is_not_a_warc_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_bytes(b"WARC/1.0\r\nthis is not a header\r\n")
    results = list(read(path))
    assert len(results) == 1
    assert isinstance(results[0], ReadError)


def test_fixture_archive_matches_its_build_script(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_warc", FIXTURES / "make_warc.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = tmp_path / "crawl.warc.gz"
    module.build(rebuilt)
    assert rebuilt.read_bytes() == CRAWL.read_bytes()
