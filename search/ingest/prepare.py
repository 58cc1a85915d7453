"""From a raw record to an article ready for enrichment: validate, clean, date, hash, name it.

Pure: the same record always gives the same article (bar `ingested_at`) or the same rejection.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from search.ingest.boilerplate import clean
from search.ingest.dates import parse_published_at
from search.ingest.language import detect_language
from search.models import Article, RawRecord

_MAX_ID_CHARS = 200
#: Longer titles and metadata values are cut: a 5 MB "title" would ride along in every hit.
MAX_TITLE_CHARS = 1000
MAX_VALUE_CHARS = 500
MAX_URL_CHARS = 4000
_SLUG = re.compile(r"[^a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class Defaults:
    """Values the command line fills in for records that lack them (a plain text file has none)."""

    source: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class Rejection:
    kind: str
    reason: str


@dataclass(frozen=True)
class Prepared:
    article: Article
    warnings: list[str] = field(default_factory=list)


def content_hash(title: str, body: str) -> str:
    """Identity of the text itself: two copies of a story hash alike whatever their ids."""
    folded = " ".join(f"{title}\n{body}".split()).casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def article_id(raw: RawRecord, source: str | None, digest: str) -> str:
    """Stable id: the source's own id, else the URL, else the text; re-ingesting adds nothing."""
    if raw.id:
        prefix = _SLUG.sub("-", (source or "").lower()).strip("-")
        candidate = f"{prefix}-{raw.id}" if prefix else raw.id
        if len(candidate) <= _MAX_ID_CHARS and candidate.isprintable():
            return candidate
        return "id-" + hashlib.sha256(candidate.encode()).hexdigest()[:32]
    if raw.url:
        return "url-" + hashlib.sha256(raw.url.strip().encode()).hexdigest()[:32]
    return "text-" + digest[:32]


def _control_ratio(text: str) -> float:
    sample = text[:5000]
    bad = sum(
        1 for ch in sample if unicodedata.category(ch) in {"Cc", "Cs", "Co"} and ch not in "\n\r\t"
    )
    return bad / max(len(sample), 1)


def summary_of(body: str, limit: int = 400) -> str:
    """The first paragraph, cut at a sentence or word boundary."""
    first = next((p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()), "")
    if len(first) <= limit:
        return first
    cut = first[:limit]
    sentences = _SENTENCE_END.split(cut)
    if len(sentences) > 1:
        return " ".join(sentences[:-1])
    return cut.rsplit(" ", 1)[0] + "…"


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _title(raw: RawRecord, body: str) -> str:
    if raw.title and raw.title.strip():
        return _cut(" ".join(raw.title.split()), MAX_TITLE_CHARS)
    first = summary_of(body, 120)
    return first or "(untitled)"


def _language_code(given: str | None) -> str | None:
    """'en-US', 'EN', 'en_GB' -> 'en'; anything that is not a two-letter code is ignored."""
    code = (given or "").strip().replace("_", "-").split("-")[0].lower()
    return code if len(code) == 2 and code.isalpha() else None


def _values(values: list[str]) -> list[str]:
    return [_cut(v.strip(), MAX_VALUE_CHARS) for v in values if v.strip()][:50]


def _metadata_warnings(raw: RawRecord) -> list[str]:
    warnings = []
    if raw.title and len(raw.title) > MAX_TITLE_CHARS:
        warnings.append("title_truncated")
    if raw.url and len(raw.url) > MAX_URL_CHARS:
        warnings.append("url_dropped")
    fields = [raw.source or "", *raw.byline, *raw.section]
    if any(len(v) > MAX_VALUE_CHARS for v in fields):
        warnings.append("metadata_truncated")
    return warnings


def prepare(
    raw: RawRecord, defaults: Defaults, *, max_body_bytes: int, now: datetime
) -> Prepared | Rejection:
    """Validate and clean one record; a rejection says, in a sentence, what was wrong."""
    size = len(raw.body.encode("utf-8", errors="replace"))
    if size > max_body_bytes:
        return Rejection(
            "body_too_large",
            f"The body is {size / 1e6:.1f} MB, over the limit of {max_body_bytes / 1e6:.1f} MB.",
        )
    if _control_ratio(raw.body) > 0.05:
        return Rejection("binary_body", "The body looks like binary data, not text.")
    cleaned = clean(raw.body, title=raw.title)
    body = cleaned.text.strip()
    if not body:
        kind = "empty_body"
        reason = "The record has no body text" + (
            " left after boilerplate removal." if raw.body.strip() else "."
        )
        return Rejection(kind, reason)
    warnings = _metadata_warnings(raw)
    raw_date = raw.published_at or defaults.published_at
    published = parse_published_at(raw_date) if raw_date else None
    if raw_date and published is None:
        warnings.append("unparseable_date")
    title = _title(raw, body)
    digest = content_hash(title, body)
    source = raw.source or defaults.source
    source = _cut(source.strip(), MAX_VALUE_CHARS) if source else None
    article = Article(
        id=article_id(raw, source, digest),
        url=raw.url if raw.url and len(raw.url) <= MAX_URL_CHARS else None,
        source=source,
        title=title,
        byline=_values(raw.byline),
        published_at=published,
        published_at_raw=raw_date if published is None else None,
        language=_language_code(raw.language) or detect_language(f"{title}\n{body}"),
        section=_values(raw.section),
        body=body,
        summary=summary_of(body),
        word_count=len(body.split()),
        content_hash=digest,
        ingested_at=now,
        removed=cleaned.removed,
    )
    return Prepared(article, warnings)
