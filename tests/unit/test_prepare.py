"""From raw record to article: rejections that say why, stable ids, and bounded metadata."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from search.ingest.prepare import (
    MAX_TITLE_CHARS,
    Defaults,
    Prepared,
    Rejection,
    article_id,
    content_hash,
    prepare,
    summary_of,
)
from search.models import RawRecord

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BODY = "Ferry crews in Helsinki went on strike on Tuesday over pay and hours."


def _prepare(defaults: Defaults | None = None, **fields: object) -> Prepared | Rejection:
    raw = RawRecord.model_validate({"location": "test:1", **fields})
    return prepare(raw, defaults or Defaults(), max_body_bytes=1000, now=NOW)


def _ok(**fields: object) -> Prepared:
    outcome = _prepare(**fields)
    assert isinstance(outcome, Prepared), outcome
    return outcome


def test_a_body_over_the_limit_is_rejected_with_its_size() -> None:
    outcome = _prepare(body="x" * 2000)
    assert isinstance(outcome, Rejection)
    assert outcome.kind == "body_too_large"
    assert "over the limit" in outcome.reason


def test_binary_data_is_rejected() -> None:
    outcome = _prepare(body="\x00\x01\x02\x03" * 50)
    assert isinstance(outcome, Rejection)
    assert outcome.kind == "binary_body"


def test_a_body_that_is_only_boilerplate_is_rejected_as_empty() -> None:
    outcome = _prepare(body="JOIN US ON TELEGRAM")
    assert isinstance(outcome, Rejection)
    assert outcome.kind == "empty_body"
    assert "after boilerplate removal" in outcome.reason


def test_ids_prefer_the_source_id_then_the_url_then_the_text() -> None:
    digest = content_hash("t", "b")
    with_id = RawRecord(location="x", id="42", source="Kyiv Post")
    with_url = RawRecord(location="x", url="https://example.org/a")
    bare = RawRecord(location="x")
    assert article_id(with_id, "Kyiv Post", digest) == "kyiv-post-42"
    assert article_id(with_url, None, digest).startswith("url-")
    assert article_id(bare, None, digest) == "text-" + digest[:32]


def test_the_same_text_hashes_alike_whatever_its_spacing_and_case() -> None:
    assert content_hash("Title", "Some  body\ntext") == content_hash("title", "some body text")
    assert content_hash("Title", "Some body") != content_hash("Title", "Other body")


def test_command_line_defaults_fill_what_the_record_lacks() -> None:
    outcome = prepare(
        RawRecord(location="x", body=BODY),
        Defaults(source="Desk", published_at="2025-01-13"),
        max_body_bytes=1000,
        now=NOW,
    )
    assert isinstance(outcome, Prepared)
    assert outcome.article.source == "Desk"
    assert outcome.article.published_at == datetime(2025, 1, 13, tzinfo=UTC)


def test_an_unreadable_date_is_kept_raw_with_a_warning() -> None:
    prepared = _ok(body=BODY, published_at="sometime soon")
    assert prepared.article.published_at is None
    assert prepared.article.published_at_raw == "sometime soon"
    assert prepared.warnings == ["unparseable_date"]


def test_a_huge_title_is_cut_and_said_so() -> None:
    prepared = _ok(body=BODY, title="word " * 5000)
    assert len(prepared.article.title) <= MAX_TITLE_CHARS + 1
    assert "title_truncated" in prepared.warnings


@pytest.mark.parametrize(("given", "expected"), [("en-US", "en"), ("FR", "fr"), ("english", "en")])
def test_language_codes_are_normalised_or_detected(given: str, expected: str) -> None:
    assert _ok(body=BODY, language=given).article.language == expected


def test_summary_is_the_first_paragraph_cut_at_a_sentence() -> None:
    body = "First sentence here. Second one follows.\n\nAnother paragraph."
    assert summary_of(body) == "First sentence here. Second one follows."
    assert summary_of("A. " + "b" * 500, limit=100) == "A."
