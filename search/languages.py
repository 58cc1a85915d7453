"""The languages the index analyses in their own right: one line each, read by the mapping, the
ingest (which fields an article's text goes into), the query compiler and the pages.

Every article keeps `title` and `body` with today's English analysis, so English searches and
everything built on those fields (snippets, copies, related stories) stay as they are. An article
in a language of this table also carries its title and body in `title_<code>` and `body_<code>`,
analysed for that language; an article in any other detected language carries them in
`title_other`/`body_other`, split into words and folded but not stemmed. A free-text query is
matched in every group, so "대통령" finds 대통령은 and 대통령의 in Korean articles while
"elections" still finds "election" in English ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class Language:
    """One language: its ISO 639-1 code, its name in itself, the analyzer of its own fields."""

    code: str
    name: str
    #: A built-in analyzer of OpenSearch (analysis-common) or of a language plugin.
    analyzer: str


#: English is analysed by the main `title`/`body` fields (the custom `news_english` analyzer).
ENGLISH: Final = Language("en", "English", "news_english")
#: Analyzers from `analysis-common`, then those of the plugins the local node installs
#: (`search.localnode.provision.LANGUAGE_PLUGINS`) and the Docker image carries.
LANGUAGES: Final[tuple[Language, ...]] = (
    Language("fr", "Français", "french"),
    Language("de", "Deutsch", "german"),
    Language("es", "Español", "spanish"),
    Language("it", "Italiano", "italian"),
    Language("pt", "Português", "portuguese"),
    Language("nl", "Nederlands", "dutch"),
    Language("sv", "Svenska", "swedish"),
    Language("da", "Dansk", "danish"),
    Language("no", "Norsk", "norwegian"),
    Language("fi", "Suomi", "finnish"),
    Language("tr", "Türkçe", "turkish"),
    Language("ru", "Русский", "russian"),
    Language("ar", "العربية", "arabic"),
    Language("uk", "Українська", "ukrainian"),
    Language("ko", "한국어", "nori"),
    Language("ja", "日本語", "kuromoji"),
    Language("zh", "中文", "smartcn"),
)
#: The group of every other detected language: words split and folded, no stemming.
OTHER: Final = "other"
OTHER_ANALYZER: Final = "news_exact"

_BY_CODE: Final = {lang.code: lang for lang in LANGUAGES}
#: Names of languages outside the table, for the language facet and filter.
_MORE_NAMES: Final = {
    "pl": "Polski", "cs": "Čeština", "sk": "Slovenčina", "hu": "Magyar", "ro": "Română",
    "bg": "Български", "el": "Ελληνικά", "he": "עברית", "fa": "فارسی", "hi": "हिन्दी",
    "id": "Bahasa Indonesia", "vi": "Tiếng Việt", "th": "ไทย", "hr": "Hrvatski", "sr": "Српски",
    "ca": "Català", "lt": "Lietuvių", "lv": "Latviešu", "et": "Eesti", "sl": "Slovenščina",
}  # fmt: skip


def field_suffix(code: str | None) -> str | None:
    """Which language group an article's text joins: a table code, `other`, or None for
    English and for text whose language could not be told (English analysis serves both)."""
    if code is None or code == ENGLISH.code:
        return None
    return code if code in _BY_CODE else OTHER


def language_fields(code: str | None, title: str, body: str) -> dict[str, str]:
    """The extra fields an article in language `code` carries: its text under its own analysis."""
    suffix = field_suffix(code)
    if suffix is None:
        return {}
    return {f"title_{suffix}": title, f"body_{suffix}": body}


def suffixes() -> tuple[str, ...]:
    """Every language group's field suffix, in table order, `other` last."""
    return (*(lang.code for lang in LANGUAGES), OTHER)


def text_fields(title_boost: float) -> tuple[str, ...]:
    """The language groups' title and body fields as a query names them, title boosted."""
    boost = f"^{title_boost:g}"
    return tuple(f for s in suffixes() for f in (f"title_{s}{boost}", f"body_{s}"))


def mapping_properties() -> dict[str, Any]:
    """The mapping of every language group's fields (offsets stored for fast highlighting)."""
    analyzers = {**{lang.code: lang.analyzer for lang in LANGUAGES}, OTHER: OTHER_ANALYZER}
    properties: dict[str, Any] = {}
    for suffix, analyzer in analyzers.items():
        spec = {"type": "text", "analyzer": analyzer, "index_options": "offsets"}
        properties[f"title_{suffix}"] = dict(spec)
        properties[f"body_{suffix}"] = dict(spec)
    return properties


def display_name(code: str) -> str:
    """The language's name in itself ("한국어", "Français"); the code when it is unknown."""
    if code == ENGLISH.code:
        return ENGLISH.name
    found = _BY_CODE.get(code)
    return found.name if found else _MORE_NAMES.get(code, code)
