"""HTML reader: main text and metadata of a saved page; page furniture stays out."""

from __future__ import annotations

from pathlib import Path

from search.ingest.readers import ReadError
from search.ingest.readers.html import html_to_text, parse_html, read
from search.models import RawRecord
from tests.conftest import FIXTURES

PAGE = FIXTURES / "article.html"
URL = (
    "https://en.wikinews.org/wiki/SpaceX_Crew_Dragon_capsule_docks_with_International_Space_Station"
)


def _page() -> RawRecord:
    [record] = read(PAGE)
    assert isinstance(record, RawRecord)
    return record


def test_metadata_comes_from_the_page() -> None:
    record = _page()
    assert record.title == "SpaceX Crew Dragon capsule docks with International Space Station"
    assert record.url == URL
    assert record.source == "Wikinews"
    assert record.byline == ["Wikinews contributors"]
    assert record.published_at == "2019-03-05T09:30:00+00:00"
    assert record.language == "en"
    assert record.section == ["Science and technology"]
    assert record.location == str(PAGE)


def test_body_is_the_article_in_paragraphs() -> None:
    paragraphs = _page().body.split("\n\n")
    assert len(paragraphs) == 10
    assert paragraphs[0].startswith("On Sunday, the SpaceX Crew Dragon capsule successfully docked")
    assert paragraphs[-1] == (
        "Last year, SpaceX tested its Falcon Heavy rocket by launching company founder Elon "
        "Musk's personal Tesla convertible into space."
    )


def test_navigation_share_buttons_and_footer_are_left_out() -> None:
    body = _page().body
    for furniture in (
        "Share on Facebook",
        "Sign up for our newsletter",
        "Privacy policy",
        "Search the archive",
        "Opinion",
        "Related stories",
        "Advertisement",
    ):
        assert furniture not in body
    assert not body.startswith("SpaceX Crew Dragon capsule docks")  # the h1 is the title


def test_crawl_url_and_date_fill_gaps_only() -> None:
    undated = (FIXTURES / "undated_article.html").read_bytes()
    record = parse_html(
        undated,
        location="crawl#7",
        url="https://example.org/a",
        fallback_date="2019-01-15T10:20:30Z",
    )
    assert isinstance(record, RawRecord)
    assert record.url == "https://example.org/a"
    assert record.published_at == "2019-01-15T10:20:30Z"
    dated = parse_html(PAGE.read_bytes(), location="crawl#3", fallback_date="2020-01-01")
    assert isinstance(dated, RawRecord)
    assert dated.published_at == "2019-03-05T09:30:00+00:00"


def test_page_without_article_text_is_an_error() -> None:
    result = parse_html(
        b"<html><body><nav><a href='/'>Home</a></nav></body></html>", location="empty.html"
    )
    assert isinstance(result, ReadError)
    assert "No article text" in result.reason


def test_binary_data_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    [error] = read(path)
    assert isinstance(error, ReadError)
    assert "binary" in error.reason


def test_html_to_text_keeps_paragraphs_and_line_breaks() -> None:
    markup = (
        "<p>One &amp; two<br/>three</p><script>track()</script>"
        "<ul><li>first</li><li>second <b>bold</b></li></ul>tail<div><p>nested</p></div>"
    )
    assert html_to_text(markup) == "One & two\nthree\n\nfirst\n\nsecond bold\n\ntail\n\nnested"


def test_html_to_text_of_plain_or_empty_input() -> None:
    assert html_to_text("") == ""
    assert html_to_text("just   words") == "just words"
