"""Mentions the model skipped: datelines, names it found elsewhere in the article, a person's
surname after the full name, and unambiguous place names in untagged text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from search.entities.entity_types import person_tokens
from search.entities.gazetteer import is_scannable, lookup_place, scan_starts
from search.entities.spans import POSSESSIVE, Candidate, coverage, folding_key, occurrences, wordset
from search.models import EntityType

_CAPITALISED_RUN = re.compile(r"[A-Z][\w.&-]*(?:['’]s)?(?:[ ]+(?:of[ ]+)?[A-Z][\w.&-]*(?:['’]s)?)*")
_WORD = re.compile(r"\S+")
_DATELINE = re.compile(
    r"(?m)^[ \t]*([A-Z][A-Z.'-]+(?:[ ][A-Z][A-Z.'-]+){0,3})[ \t]*"
    r"(?:,[ \t]*([A-Z][\w.]*(?:[ ][A-Z][\w.]*){0,2}))?[ \t]*"
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
#: What follows a dateline's place: a comma, a credit in parentheses, a dash, or a date, written
#: ("March 3", "3 March") or in figures in any order ("3/3/87", "1987-03-03", "03.03.1987").
_AFTER_DATELINE = re.compile(
    r"[,(\-–—]"
    rf"|{_MONTH} \d|\d{{1,2}} {_MONTH}(?!\w)"
    r"|\d{1,4}([-/.])\d{1,2}\1\d{1,4}(?![\w/.-])"
)
_NOT_SURNAMES: Final = frozenset(
    folding_key(word)
    for word in wordset("""January February March April May June July August September October
    November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday The This That His
    Her Their Mr Mrs Ms Dr President Minister King Queen Prince Saint""")
)


def mark_datelines(
    text: str, candidates: list[Candidate], date_starts: frozenset[int] = frozenset()
) -> list[Candidate]:
    """A line opening "SEOUL, South Korea (AP) -" or "OSLO, March 3 -" names a place first,
    even one the gazetteer does not know, as long as the state or country after it is known.

    The place in capitals must be followed by a comma, a credit, a dash, or a date: one written
    out, or any the model found (`date_starts`, where its date spans begin).
    """
    datelines: dict[tuple[int, int], Candidate] = {}
    for found in _DATELINE.finditer(text):
        if not (_AFTER_DATELINE.match(text, found.end()) or found.end() in date_starts):
            continue
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


def find_missed(
    text: str, candidates: list[Candidate], blockers: Iterable[Candidate] = ()
) -> list[Candidate]:
    """Repeats of names the model found elsewhere in the article, a person's surname after the
    full name and unambiguous place names; never inside a span already taken or inside one of
    `blockers`."""
    covered = coverage(len(text), [*candidates, *blockers])
    added: list[Candidate] = []

    def add(start: int, end: int, type_: EntityType, name: str | None = None) -> None:
        if start < end and covered.find(1, start, end) == -1:
            added.append(Candidate(start, end, type_, name))
            covered[start:end] = b"\x01" * (end - start)

    for surface, (type_, name) in _repeatable(text, candidates).items():
        for start in occurrences(text, surface):
            add(start, start + len(surface), type_, name)
    for start, end in _scan_places(text):
        add(start, end, "location")
    return candidates + added


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
    starts = scan_starts()
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
                end = start + len(POSSESSIVE.sub("", text[start:end]).rstrip(".,"))
                places = lookup_place(text[start:end])
                if places and is_scannable(places[0]) and end - start > 3:
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
