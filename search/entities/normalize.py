"""Names as a newsroom wants them: trimmed, typed, merged within an article and keyed across it.

The entry point of name normalisation: `normalize_mentions` runs the steps in their order, each
in its own module (trimming, junk, entity_types, acronyms, missed_names, gazetteer). Everything
is a pure function of the text and the model's spans; the gazetteers and the alias table load
once per process, on first use or through `load_tables`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from search.entities.acronyms import apply_acronyms, find_acronyms
from search.entities.entity_types import (
    fix_types,
    person_tokens,
    retype_competitors,
    retype_firms,
    retype_person_words,
    short_person_names,
    vote_types,
)
from search.entities.gazetteer import canonical_place, load_tables, lookup_alias, lookup_place
from search.entities.junk import (
    ends_a_job_title,
    in_shouting,
    is_junk,
    is_topic_slug,
    is_torn_possessive,
    starts_a_job_title,
)
from search.entities.keys import entity_key, is_legal_form
from search.entities.languages import MODELS
from search.entities.missed_names import find_missed, mark_datelines
from search.entities.spans import Candidate, folding_key
from search.entities.trimming import split_span, trim_span
from search.models import EntityType

__all__ = [
    "LABEL_TYPES",
    "RESCUABLE_LABELS",
    "NormalizedMention",
    "canonical_person",
    "folding_key",
    "load_tables",
    "normalize_mentions",
]

#: spaCy's English labels the project keeps, and the type each becomes (see `languages`).
LABEL_TYPES: Final[Mapping[str, EntityType]] = MODELS["en"].labels
#: Labels of dates: no names, but a date after a place in capitals makes a dateline.
DATE_LABELS: Final = MODELS["en"].date_labels
#: Labels dropped unless the gazetteer knows the name as a place ("Kursk" read as a PRODUCT).
RESCUABLE_LABELS: Final = frozenset({"PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})


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


def normalize_mentions(text: str, spans: Iterable[tuple[int, int, str]]) -> list[NormalizedMention]:
    """From the model's (start, end, label) spans to typed, named, keyed mentions, in text order."""
    spans = list(spans)
    date_starts = frozenset(start for start, _, label in spans if label in DATE_LABELS)
    candidates = [
        Candidate(start, end, LABEL_TYPES.get(label))
        for start, end, label in spans
        if label in LABEL_TYPES or label in RESCUABLE_LABELS
    ]
    candidates = [piece for c in candidates for piece in split_span(text, c)]
    candidates = _trimmed(text, candidates)
    candidates = mark_datelines(text, candidates, date_starts)
    candidates = fix_types(text, candidates, set(person_tokens(text, candidates)))
    candidates = retype_firms(text, candidates)
    candidates = retype_competitors(text, candidates)
    candidates = retype_person_words(text, candidates, short_person_names(text, candidates))
    candidates = vote_types(text, candidates)
    candidates = without_determined_persons(text, candidates)
    candidates = joined_firm_names(text, candidates)
    candidates = apply_acronyms(text, candidates, find_acronyms(text, candidates))
    # Titles of works, events and laws the model recognised keep the names inside them
    # ("U.S. Open") from being searched for again.
    blockers = [
        Candidate(start, end, None) for start, end, label in spans if label in RESCUABLE_LABELS
    ]
    candidates = find_missed(text, candidates, blockers)
    return _named(text, candidates)


#: An article just before a name, whatever the case ("The Louvre accord" opening a sentence).
_DETERMINER_BEFORE: Final = re.compile(r"\b(?:the|an?)\s+$", re.IGNORECASE)


def without_determined_persons(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """People are not "the Smith": a one-word person name a story writes only ever after an
    article names a thing or a prize ("the Louvre accord", "an Oscar"). A name the story also
    writes bare ("Reagan said ... the Reagan administration") stays a person; so does a full
    name, which a story often writes after "the" as the name of a case or an inquiry ("the
    Stephen Lawrence inquiry")."""
    determined: dict[str, bool] = {}
    for c in candidates:
        surface = text[c.start : c.end]
        if c.type != "person" or c.name is not None or " " in surface.strip():
            continue
        after = _DETERMINER_BEFORE.search(text, max(0, c.start - 8), c.start) is not None
        determined[surface] = determined.get(surface, True) and after
    dropped = {surface for surface, always in determined.items() if always}
    return [c for c in candidates if not (c.type == "person" and text[c.start : c.end] in dropped)]


#: What joins the parts of one firm's name that the model read as separate names: "Duff and
#: Phelps", "Banco do Brasil", "L.F. Rothschild, Unterberg, Towbin Inc".
_JOINER: Final = re.compile(r"\s*(?:and|&|do|da|de|dos|das|del|della|di|du|y)\s+|,\s*")


def joined_firm_names(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Adjacent person and agency spans joined only by "and", "&", a name particle, or
    (ending in a legal form) commas, are one firm: "Duff and Phelps", not the agency "Duff"
    and the person "Phelps". A person the story also names elsewhere stays a person, so
    "Congress and Reagan" in a story about Reagan is two names."""
    ordered = sorted(candidates, key=lambda c: c.start)
    groups: list[list[Candidate]] = []
    for c in ordered:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and c.type in ("person", "agency")
            and last.type in ("person", "agency")
            and _JOINER.fullmatch(text, last.end, c.start)
        ):
            groups[-1].append(c)
        else:
            groups.append([c])
    mixed = [g for g in groups if len(g) > 1 and {c.type for c in g} == {"person", "agency"}]
    free = {
        text[c.start : c.end] for g in groups if g not in mixed for c in g if c.type == "person"
    }
    out: list[Candidate] = []
    for group in groups:
        if group in mixed and _one_firm(text, group, free):
            out.append(Candidate(group[0].start, group[-1].end, "agency", None, group[0].sure))
        else:
            out.extend(group)
    return out


def _one_firm(text: str, group: list[Candidate], free: set[str]) -> bool:
    gaps = [text[a.end : b.start] for a, b in itertools.pairwise(group)]
    last_word = text[group[-1].start : group[-1].end].split()[-1]
    if any("," in gap for gap in gaps) and not is_legal_form(last_word):
        return False
    return not any(text[c.start : c.end] in free for c in group if c.type == "person")


def _trimmed(text: str, candidates: Iterable[Candidate]) -> list[Candidate]:
    """Each candidate cut to its name; junk, shouting and offices in job titles dropped."""
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
            or in_shouting(text, start, end)
            or ends_a_job_title(text, start, end)
            or (candidate.type == "agency" and starts_a_job_title(text, start, end))
            or is_torn_possessive(text, start, end)
            or (is_topic_slug(text, start, end) and not lookup_place(text[start:end]))
        ):
            continue
        kept.append(candidate.moved(start, end))
    return kept


def _named(text: str, candidates: list[Candidate]) -> list[NormalizedMention]:
    """Typed candidates in text order, each with its canonical name, key and country."""
    short_to_full = short_person_names(text, candidates)
    context = _country_context(text, [c for c in candidates if c.type == "location"])
    mentions = []
    for c in sorted(candidates, key=lambda c: c.start):
        if c.type is None:
            continue
        surface = text[c.start : c.end]
        name, country = c.name or surface, None
        if c.type == "person":
            name = canonical_person(name, short_to_full)
        elif c.type == "location":
            name, country = canonical_place(name, context.get(folding_key(name), frozenset()))
        else:
            alias = lookup_alias(name)
            if alias is not None and alias.type == c.type:
                name = alias.name
        mentions.append(
            NormalizedMention(
                c.start, c.end, surface, c.type, name, entity_key(name, c.type), country
            )
        )
    return mentions


def _country_context(text: str, located: list[Candidate]) -> dict[str, frozenset[str]]:
    """Per place name, the countries the article's *other* places lie in: "Georgia" beside
    "Atlanta" or "Texas" is the US state, beside "Tbilisi" the country."""
    countries: dict[str, set[str]] = {}
    for c in located:
        surface = text[c.start : c.end]
        found = countries.setdefault(folding_key(surface), set())
        for place in lookup_place(surface)[:1]:
            if place.country is not None:
                found.add(place.country)
    return {
        key: frozenset(
            country for other, found in countries.items() if other != key for country in found
        )
        for key in countries
    }


def canonical_person(surface: str, short_to_full: dict[str, str]) -> str:
    """The full name a short mention abbreviates, then the curated spelling."""
    name = short_to_full.get(folding_key(surface), surface)
    alias = lookup_alias(name)
    return alias.name if alias is not None and alias.type == "person" else name
