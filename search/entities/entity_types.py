"""The type each name gets: the model's label corrected by the gazetteer, the alias table and the
article's own person names, then one type per name by vote.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Final

from search.entities.gazetteer import (
    NOTABLE_CITY,
    Place,
    is_notable_place,
    lookup_alias,
    lookup_place,
    not_names,
)
from search.entities.junk import GENERIC_HEADS
from search.entities.keys import is_legal_form
from search.entities.spans import Candidate, folding_key
from search.models import EntityType

_DEMONYM_ENDINGS: Final = ("ian", "ean", "ese", "ish", "ians", "eans")
#: After a person's name, words that make it a firm's: "S.G. Warburg and Co", "Brandt Holdings".
_COMPANY_AFTER = re.compile(
    r"\s*(?:,\s*)?(?:and|&)\s+(?:Co|Sons|Partners)\b"
    r"|\s+(?:Inc|Corp|Co|Ltd|Plc|PLC|plc|Holdings|Securities|Bank|Group|Brothers)\b"
    r"|\s+(?:newspaper|daily|weekly|magazine|company|group|bank)\b"
)
#: Before a name, a common noun that makes it an organisation's: "the state oil company Zephyra".
_COMPANY_BEFORE = re.compile(
    r"\b(?:company|firm|group|newspaper|daily|magazine|agency|bank|carrier|airline|maker|"
    r"producer|broker|brokerage|insurer|retailer|conglomerate|subsidiary|unit)\s+$"
)
#: After a name, a country in brackets: "Anna Petrov ( Ukraine )" in a list of results.
_COUNTRY_IN_BRACKETS = re.compile(r"\s*\(\s*([A-Z][\w.'’ -]{1,40}?)\s*\)")
#: After the bracket, a legal form: "Tollard Coal (Canada) Ltd" is a firm's registered name.
_LEGAL_FORM_AFTER = re.compile(
    r"\s*,?\s*(?:Inc|Corp|Co|Ltd|Limited|Plc|PLC|plc|AG|SA|NV|BV|GmbH)\b"
)
#: Names so marked that make a list of competitors.
_LIST_LENGTH: Final = 2
_INITIALS = re.compile(r"(?:[A-Z]\.)+(?:\s+(?:[A-Z]\.)+)*")


# --- The article's person names ------------------------------------------------------------------


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


def short_person_names(text: str, candidates: Iterable[Candidate]) -> dict[str, str]:
    """Folded single words -> the one full person name of the article containing them."""
    return {
        key: next(iter(names))
        for key, names in person_tokens(text, candidates).items()
        if len(names) == 1
    }


# --- Fixing one span's type ----------------------------------------------------------------------


def fix_type(surface: str, type_: EntityType | None, person_words: set[str]) -> EntityType | None:
    """The type a span should have, given what the gazetteers, the aliases and the article's own
    person names say; None drops it.

    A known place read as a person becomes a location unless the article names a person with that
    word ("Washington" beside "Grace Washington"); a country read as an organisation is the
    country; a location nobody knows that reads like a demonym ("Ukrainian") is a group.
    """
    alias = lookup_alias(surface)
    if alias is not None:
        return alias.type
    if folding_key(surface) in not_names():
        return None
    places = lookup_place(surface)
    if type_ is None or type_ == "group":
        # Demonyms are not place names, so a "group" naming a country is the country.
        if places and is_notable_place(places[0]):
            return "location"
        return type_
    key = folding_key(surface)
    if type_ == "person" and not places:
        # "Bangalore": a large city known by an older spelling is a place all the same.
        places = lookup_place(surface, alternates=True)
    if places and key not in person_words:
        best = places[0]
        if best.kind == "country" or (
            type_ == "person" and is_notable_place(best) and not _only_folded(surface, best)
        ):
            return "location"
    if type_ == "location" and not places and _looks_like_demonym(surface):
        return "group"
    if type_ == "person" and _INITIALS.fullmatch(surface):
        return None  # "N.Z.", "H.K.": a place's or a currency's initials, never a person alone
    if type_ == "person" and is_legal_form(surface.split()[-1]):
        return "agency"  # "Courier Corp"
    return type_


#: A city a one-word span names only with its accents dropped must be this large to outweigh
#: the model's reading of a person: five times `NOTABLE_CITY`, since the weaker match needs the
#: likelier place ("Montreal" is Montréal, "Bush" is not Būsh, a town of 136,000).
FOLDED_NOTABLE_CITY: Final = 5 * NOTABLE_CITY


def _only_folded(surface: str, place: Place) -> bool:
    """Whether a one-word span matches the city's own name only once accents are folded away
    ("Bush" and "Būsh"), and the city is too small for that to outweigh a person's reading: so
    many surnames fold onto some town. A longer name ("Bahia Blanca") is no accident, and a
    name the gazetteer lists as written ("Cologne" for Köln) is no folding."""
    return (
        place.kind == "city"
        and place.population < FOLDED_NOTABLE_CITY
        and len(folding_key(surface).split()) == 1
        and folding_key(surface) == folding_key(place.name)
        and surface.casefold() != place.name.casefold()
    )


def _looks_like_demonym(surface: str) -> bool:
    last = surface.split()[-1]
    return last[:1].isupper() and last.lower().endswith(_DEMONYM_ENDINGS)


# --- Whole-article passes ------------------------------------------------------------------------


def fix_types(
    text: str, candidates: Iterable[Candidate], person_words: set[str]
) -> list[Candidate]:
    """`fix_type` on every candidate, dropping those it rejects."""
    kept = []
    for candidate in candidates:
        type_ = fix_type(text[candidate.start : candidate.end], candidate.type, person_words)
        if type_ is not None:
            kept.append(candidate.typed(type_))
    return kept


def retype_firms(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """A person's name the article also writes as a firm's ("J.R. Tollard and Co", "the oil
    company Zephyra", "the Zephyra newspaper") is the firm, in every mention: banks and brokers
    carry their founders' names, and the model reads many one-word brands as people."""
    firms = {
        folding_key(text[c.start : c.end])
        for c in candidates
        if c.type == "person"
        and (
            _COMPANY_AFTER.match(text, c.end)
            or _COMPANY_BEFORE.search(text, max(0, c.start - 20), c.start)
        )
    }
    if not firms:
        return candidates
    return [
        c.typed("agency")
        if c.type == "person" and folding_key(text[c.start : c.end]) in firms
        else c
        for c in candidates
    ]


def retype_competitors(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """In a list of results or a line-up, a name of two words or more followed by a country in
    brackets is a person, in every mention: such lists give each competitor's nationality ("Anna
    Petrov (Ukraine) beat ..."), and the model, reading a list and not a sentence, often calls
    them firms. A list means two names so marked at least; one firm's country of registration
    ("Tollard Finance (Jersey) Ltd") is no list. Names with a place, a legal form or an
    organisation's head word stay as they are ("Dinamo Kyiv (Ukraine)")."""
    listed = [c for c in candidates if _with_country_after(text, c)]
    if len({folding_key(text[c.start : c.end]) for c in listed}) < _LIST_LENGTH:
        return candidates
    competitors = {
        folding_key(text[c.start : c.end])
        for c in listed
        if c.type in ("agency", "location") and not c.sure and _may_be_person(text, c)
    }
    return [
        Candidate(c.start, c.end, "person", c.name, sure=True)
        if folding_key(text[c.start : c.end]) in competitors
        else c
        for c in candidates
    ]


def _with_country_after(text: str, candidate: Candidate) -> bool:
    found = _COUNTRY_IN_BRACKETS.match(text, candidate.end)
    return (
        found is not None
        and len(text[candidate.start : candidate.end].split()) >= 2
        and _LEGAL_FORM_AFTER.match(text, found.end()) is None
        and any(place.kind == "country" for place in lookup_place(found.group(1)))
    )


def _may_be_person(text: str, candidate: Candidate) -> bool:
    return not any(
        folding_key(word) in GENERIC_HEADS
        or is_legal_form(word)
        or any(is_notable_place(place) for place in lookup_place(word))
        for word in text[candidate.start : candidate.end].split()
    )


def retype_person_words(
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


def vote_types(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Give every mention of the same name one type: the one strong evidence gave, else the
    reading `_settle` prefers when people compete with places or organisations, else the type
    most of its mentions have."""
    votes: dict[str, Counter[EntityType]] = defaultdict(Counter)
    winners: dict[str, EntityType] = {}
    surfaces: dict[str, str] = {}
    for candidate in candidates:
        if candidate.type is not None:
            surface = text[candidate.start : candidate.end]
            key = folding_key(surface)
            votes[key][candidate.type] += 1
            surfaces.setdefault(key, surface)
            if candidate.sure:
                winners[key] = candidate.type
    lone_people = {key for key, counts in votes.items() if " " not in key and counts["person"]}
    for key, counts in votes.items():
        if key in winners:
            continue
        settled = _settle(surfaces[key], counts, lone_people)
        ranked = counts.most_common(2)
        if settled is not None:
            winners[key] = settled
        elif len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            winners[key] = ranked[0][0]
    return [c.typed(winners.get(folding_key(text[c.start : c.end]), c.type)) for c in candidates]


def _settle(surface: str, counts: Counter[EntityType], lone_people: set[str]) -> EntityType | None:
    """A person reading against another, by evidence as well as by count.

    People are named again by their surname alone, organisations and parties by their full name:
    so a name whose last word the article also uses alone for a person is a person ("Nicola
    Sturgeon" read once as an organisation), and one without is, on a tie, the organisation or
    group the model also saw ("Sinn Féin", "Liberal Democrats"); a single word keeps the majority.
    Against a place the gazetteer knows only as a small town, the person wins ("Obama").
    """
    if not counts["person"] or len(counts) < 2:
        return None
    others = [type_ for type_, _ in counts.most_common() if type_ != "person"]
    if "location" in others:
        places = lookup_place(surface)
        return "person" if places and not is_notable_place(places[0]) else None
    words = surface.split()
    if len(words) < 2:
        return None
    if folding_key(words[-1]) in lone_people:
        return "person"
    return others[0] if counts[others[0]] >= counts["person"] else None
