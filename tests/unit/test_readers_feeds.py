"""RSS and Atom reader: one article per entry, full content as text, hostile feeds refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from search.ingest.readers import ReadError
from search.ingest.readers.feeds import read
from search.models import RawRecord
from tests.conftest import FIXTURES

RSS = FIXTURES / "wikinews_rss.xml"
ATOM = FIXTURES / "wikinews_atom.xml"
HOSTILE = FIXTURES / "hostile"
DORIAN_URL = (
    "https://en.wikinews.org/wiki/Hurricane_Dorian_leaves_trail_of_destruction_in_the_Bahamas"
)


def _records(path: Path) -> list[RawRecord]:
    results = list(read(path))
    assert all(isinstance(r, RawRecord) for r in results)
    return [r for r in results if isinstance(r, RawRecord)]


def test_rss_entries_carry_their_metadata() -> None:
    first, second, third = _records(RSS)
    assert [r.location for r in (first, second, third)] == [f"{RSS}#1", f"{RSS}#2", f"{RSS}#3"]
    assert first.title == "Hurricane Dorian leaves trail of destruction in the Bahamas"
    assert first.url == DORIAN_URL
    assert first.id == DORIAN_URL
    assert first.published_at == "Thu, 05 Sep 2019 12:00:00 +0000"
    assert first.byline == ["Wikinews contributors"]
    assert first.section == ["Weather"]
    assert first.source == "Wikinews"
    assert first.language == "en"
    assert third.section == ["Internet"]


def test_rss_full_content_wins_over_the_description() -> None:
    first = _records(RSS)[0]
    paragraphs = first.body.split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[-1] == "Dorian was northbound as it left the Bahamas."
    assert "<p>" not in first.body


def test_rss_description_is_used_when_there_is_no_content() -> None:
    third = _records(RSS)[2]
    paragraphs = third.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("According to a report on Wednesday by UpGuard")
    assert '"Amazon S3 Buckets"' in third.body


def test_atom_html_and_xhtml_content_become_paragraphs() -> None:
    munk, escape_room = _records(ATOM)
    assert munk.published_at == "2019-02-11T12:00:00Z"
    assert munk.section == ["Science and technology", "Obituaries"]
    assert munk.language == "en"
    assert len(munk.body.split("\n\n")) == 7
    assert munk.body.endswith('His legacy will be his passion for the ocean, which was endless."')
    assert escape_room.title == "Escape room fire kills five teen girls in Koszalin, Poland"
    assert len(escape_room.body.split("\n\n")) == 5
    assert "Interior Minister Joachim Brudziński" in escape_room.body


@pytest.mark.parametrize(
    "name", ["billion_laughs.xml", "quadratic_blowup.xml", "external_entity.xml"]
)
def test_feeds_declaring_entities_are_refused_quickly(name: str) -> None:
    started = time.monotonic()
    results = list(read(HOSTILE / name))
    assert time.monotonic() - started < 2
    [error] = results
    assert isinstance(error, ReadError)
    assert "entities" in error.reason
    assert error.location == str(HOSTILE / name)


def test_xml_that_is_not_a_feed_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text('<?xml version="1.0"?><urlset><url><loc>https://a.org/</loc></url></urlset>')
    [error] = read(path)
    assert isinstance(error, ReadError)
    assert "not an RSS or Atom feed" in error.reason


def test_broken_feed_still_yields_the_entries_it_has(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_text(
        '<rss version="2.0"><channel><title>T</title>'
        "<item><title>One &amp; only</title><description>Body &nbsp; text</description></item>"
        "<item><title>Two</title><description>Cut off"
    )
    results = list(read(path))
    assert next(r.title for r in results if isinstance(r, RawRecord)) == "One & only"
