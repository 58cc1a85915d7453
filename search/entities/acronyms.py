"""Acronyms an article defines as "Full Name (FN)", and every later use of them named in full.

Wire copy spells a name out once and abbreviates it after; without this the facet would list
"SBU" and "Security Service of Ukraine" as two agencies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from search.entities.spans import Candidate, coverage, occurrences, wordset
from search.models import EntityType

_ACRONYM_IN_PARENS = re.compile(r"\(\s*([A-Z][A-Za-z&.\d-]{1,9})\s*\)")
_CONNECTORS: Final = frozenset({"of", "for", "and", "on", "the", "de", "du", "des", "&"})
_ORGANISATION_HEADS: Final = wordset(
    """agency authority administration army association bank board bureau center centre chamber
    command commission committee company corporation council court department directorate
    federation force forces foundation front fund group guard institute league ministry movement
    network office organization organisation party police programme program regiment service
    society union university"""
)


@dataclass(frozen=True, slots=True)
class AcronymDefinition:
    """ "Security Service of Ukraine (SBU)": the expansion's span and the type it carries."""

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
    return AcronymDefinition(candidate.start, candidate.end, candidate.type)


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
    return AcronymDefinition(offset + run[0].start(), offset + run[-1].end(), "agency")


def apply_acronyms(
    text: str, candidates: list[Candidate], acronyms: dict[str, AcronymDefinition]
) -> list[Candidate]:
    """Every use of a defined acronym, tagged or not, names its expansion; the expansion itself
    becomes a mention when the model missed it."""
    if not acronyms:
        return candidates
    kept = [c for c in candidates if text[c.start : c.end] not in acronyms]
    covered = coverage(len(text), kept)
    added: list[Candidate] = []
    for acronym, definition in acronyms.items():
        expansion = text[definition.start : definition.end]
        if covered.find(1, definition.start, definition.end) == -1:
            added.append(Candidate(definition.start, definition.end, definition.type))
            covered[definition.start : definition.end] = b"\x01" * (
                definition.end - definition.start
            )
        for start in occurrences(text, acronym):
            if covered.find(1, start, start + len(acronym)) == -1:
                added.append(Candidate(start, start + len(acronym), definition.type, expansion))
    return kept + added
