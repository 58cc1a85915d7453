"""Facets as small classes with one interface: the aggregation to ask for, the filter a
selection makes, and how to read the buckets back. One registry drives builder and shaper."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

from search.fields import (
    DATES_MENTIONED,
    FACET_COUNT_FIELDS,
    FACET_FIELDS,
    FOLDED,
    IDENTITY_SEPARATOR,
    PUBLISHED_AT,
    QUERY_FIELDS,
    TEXT,
)
from search.languages import display_name

#: Characters Lucene's ASCIIFoldingFilter folds that have no Unicode decomposition.
_FOLD_EXTRA: Final[dict[str, str]] = {
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ħ": "h",
    "ı": "i",
    "ŀ": "l",
    "ŧ": "t",
    "ĸ": "q",
    "ſ": "s",
    "ə": "e",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
}


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _FOLD_EXTRA:
        return _FOLD_EXTRA[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    # Like asciifolding, only fold to ASCII: "é" -> "e", but Cyrillic "й" and Hangul stay.
    return base if base and base.isascii() else ch


def fold(value: str) -> str:
    """Lower-case and ASCII-fold like the index's `folded` normalizer, so filters on
    `<field>.folded` match "Zelensky", "ZELENSKY" and "Zelénsky" alike."""
    if value.isascii():  # most names; every facet bucket of every response passes here
        return value.lower()
    return _fold_unicode(value)


@lru_cache(maxsize=16_384)
def _fold_unicode(value: str) -> str:
    # Per character, as Lucene lowercases code points (no final-sigma rule; "İ" -> "i").
    return "".join(_fold_char(ch.lower()[0]) for ch in value)


class FacetValue(BaseModel):
    """One row of a facet: what to show, how many hits it has, whether it is selected."""

    model_config = ConfigDict(frozen=True)

    value: str
    count: int
    selected: bool
    id: str | None = None
    #: How to show the value where it is a code: a language's name in itself ("한국어" for ko).
    label: str | None = None


#: A facet's rows validated in one call: seventy `FacetValue(...)` a search cost twice as much.
_VALUE_LIST: Final = TypeAdapter(list[FacetValue])


class HistogramBucket(BaseModel):
    model_config = ConfigDict(frozen=True)

    date: date
    count: int


_BUCKET_LIST: Final = TypeAdapter(list[HistogramBucket])


class Histogram(BaseModel):
    """Articles over time; `interval` names the bucket width OpenSearch chose."""

    interval: str
    buckets: list[HistogramBucket]


@dataclass(frozen=True)
class TermsFacet:
    """A keyword facet: counted on its display form, filtered on its folded form.

    Entity facets count on `count_field`, whose values are "<identity>|<canonical name>":
    one bucket per registry identity, with the name to show in it.
    """

    name: str
    field: str
    count_field: str | None = None

    @property
    def folded_field(self) -> str:
        return f"{self.field}.{FOLDED}"

    @property
    def text_field(self) -> str | None:
        """The word-analysed sub-field, when the mapping has one (names do, language not)."""
        text = f"{self.field}.{TEXT}"
        return text if any(text in fields for fields in QUERY_FIELDS.values()) else None

    def aggregation(
        self, size: int, selected: Sequence[str] = (), contains: str | None = None
    ) -> dict[str, Any]:
        """Sub-aggregations: the top `size` values (only those containing `contains`, if
        given), and the exact count of each selected value, which may lie outside the top."""
        counted = self.count_field or self.field
        terms: dict[str, Any] = {"field": counted, "size": size}
        if contains:
            terms["include"] = contains_pattern(contains, identified=self.count_field is not None)
        aggs: dict[str, Any] = {"values": {"terms": terms}}
        keys = _folded_unique(selected)
        if keys:
            filters = {key: {"term": {self.folded_field: key}} for key in keys}
            aggs["selected"] = {"filters": {"filters": filters}}
        return aggs

    def filter(self, values: Sequence[str]) -> dict[str, Any]:
        """Articles having any of `values`, case- and accent-insensitively."""
        return {"terms": {self.folded_field: _folded_unique(values)}}

    def filter_all(self, values: Sequence[str]) -> list[dict[str, Any]]:
        """Articles having every one of `values`: one clause per value, all required."""
        return [{"term": {self.folded_field: key}} for key in _folded_unique(values)]

    def parse(self, raw: Mapping[str, Any], selected: Sequence[str]) -> list[FacetValue]:
        """Read the aggregation built by `aggregation()`: top values in count order, then
        any selected value that is not among them, so a selection never disappears."""
        wanted = {fold(v): v for v in reversed(selected)}
        selected_counts = {
            str(key): int(bucket.get("doc_count", 0))
            for key, bucket in raw.get("selected", {}).get("buckets", {}).items()
        }
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        # Folded only when something is selected: seventy folds a search, for nothing.
        for bucket in raw.get("values", {}).get("buckets", []):
            identity, value = self.identity(str(bucket["key"]))
            chosen = False
            if wanted:
                key = fold(value)
                seen.add(key)
                chosen = key in wanted
            rows.append(
                {
                    "value": value,
                    "count": int(bucket["doc_count"]),
                    "selected": chosen,
                    "id": identity,
                    "label": self.label(value),
                }
            )
        for key in _folded_unique(selected):
            if key not in seen:
                value = wanted[key]
                count = selected_counts.get(key, 0)
                rows.append(
                    {"value": value, "count": count, "selected": True, "label": self.label(value)}
                )
        return _VALUE_LIST.validate_python(rows)

    def label(self, value: str) -> str | None:
        """The readable form of a coded value (languages), None where the value reads as is."""
        return display_name(value) if self.name == LANGUAGE_FACET else None

    def identity(self, key: str) -> tuple[str | None, str]:
        """(registry id, name) of a bucket key; plain facets have no id."""
        if self.count_field is None or IDENTITY_SEPARATOR not in key:
            return None, key
        identity, _, name = key.partition(IDENTITY_SEPARATOR)
        return identity or None, name


def _folded_unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(fold(v) for v in values))


#: Longest text a facet value lookup takes (`facet_contains`).
MAX_CONTAINS_CHARS: Final = 100


def _letter_variants() -> dict[str, str]:
    """Each ASCII letter -> itself, its capital and every Latin letter that folds to it."""
    variants: dict[str, set[str]] = {c: {c, c.upper()} for c in "abcdefghijklmnopqrstuvwxyz"}
    for code in range(0xC0, 0x250):
        ch = chr(code)
        folded = fold(ch)
        if folded in variants:
            variants[folded].add(ch)
    return {letter: "".join(sorted(chars)) for letter, chars in variants.items()}


_VARIANTS: Final = _letter_variants()


def _pattern_char(ch: str) -> str:
    if ch in _VARIANTS:
        return f"[{_VARIANTS[ch]}]"
    if ch.isalnum():
        both = dict.fromkeys((ch, ch.upper(), ch.lower()))
        return f"[{''.join(both)}]" if len(both) > 1 else ch
    return "\\" + ch  # every other character is escaped: Lucene gives many a meaning


def contains_pattern(text: str, *, identified: bool = False) -> str:
    """A Lucene regular expression (a terms aggregation's `include`) matching the values that
    contain `text`, ignoring case and accents as `fold` does. Keys of `identified` facets are
    "<identity>|<name>": the text is looked for in the name only."""
    needle = "".join(_pattern_char(ch) for ch in " ".join(fold(text).split()))
    return f"[^|]*\\|.*{needle}.*" if identified else f".*{needle}.*"


#: Interval strings auto_date_histogram reports -> the words the API shows.
_INTERVAL_NAMES: Final = {"1d": "day", "7d": "week", "1M": "month", "3M": "quarter", "1y": "year"}
HISTOGRAM_DATE_FORMAT: Final = "yyyy-MM-dd"


@dataclass(frozen=True)
class DateHistogramFacet:
    """Articles over time, as `auto_date_histogram`.

    OpenSearch picks the bucket width from the data actually matched (day, week, month,
    quarter, year, 5 years ...) so that at most `target_buckets` come back: roughly day up to
    two months, week up to a year, month up to five years. One request, no min/max round trip,
    and it works for `dates_mentioned`, whose range the request's dates do not bound.
    """

    name: str
    field: str
    target_buckets: int = 60

    def aggregation(self) -> dict[str, Any]:
        return {
            "auto_date_histogram": {
                "field": self.field,
                "buckets": self.target_buckets,
                "minimum_interval": "day",
                "format": HISTOGRAM_DATE_FORMAT,
            }
        }

    def parse(self, raw: Mapping[str, Any]) -> Histogram:
        interval = str(raw.get("interval", "1d"))
        # One validation call for all buckets (25 years by month is 300 of them): a model
        # built one by one cost more than anything else in shaping a search response.
        buckets = _BUCKET_LIST.validate_python(
            [
                {"date": _bucket_date(bucket), "count": bucket["doc_count"]}
                for bucket in raw.get("buckets", [])
            ]
        )
        return Histogram(interval=_INTERVAL_NAMES.get(interval, interval), buckets=buckets)


def _bucket_date(bucket: Mapping[str, Any]) -> date:
    text = bucket.get("key_as_string")
    if isinstance(text, str):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    return datetime.fromtimestamp(int(bucket["key"]) / 1000, tz=UTC).date()


HistogramName = Literal["published_at", "dates_mentioned"]
LANGUAGE_FACET: Final = "language"

#: Every keyword facet, in display order; keys are the names the API and the UI use.
FACETS: Final[dict[str, TermsFacet]] = {
    name: TermsFacet(name, field, FACET_COUNT_FIELDS.get(name))
    for name, field in FACET_FIELDS.items()
}
#: Facets whose values are named entities, for entity pages and co-occurrence.
ENTITY_FACETS: Final = ("person", "agency", "location")
HISTOGRAMS: Final[dict[str, DateHistogramFacet]] = {
    "published_at": DateHistogramFacet("published_at", PUBLISHED_AT),
    "dates_mentioned": DateHistogramFacet("dates_mentioned", DATES_MENTIONED),
}


def facet_agg_name(name: str) -> str:
    """Name of a facet's aggregation in the request and response bodies."""
    return f"facet_{name}"


def histogram_agg_name(name: str) -> str:
    return f"histogram_{name}"
