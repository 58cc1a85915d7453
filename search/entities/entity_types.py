"""The type each name gets: the model's label corrected by the gazetteer, the alias table and the
article's own person names, then one type per name by vote.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Final

from search.entities.gazetteer import is_notable_place, lookup_alias, lookup_place, not_names
from search.entities.spans import Candidate, folding_key
from search.models import EntityType

_DEMONYM_ENDINGS: Final = ("ian", "ean", "ese", "ish", "ians", "eans")


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
    word ("Washington" beside "Malivai Washington"); a country read as an organisation is the
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
