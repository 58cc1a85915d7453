"""Where a name starts and ends: spans the model ran together split apart, and each cut to the name.

Pure functions of the text and a span; the gazetteer is asked only whether a piece is a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from search.entities.gazetteer import is_location_alias, lookup_place
from search.entities.junk import WIRE_ABBREVIATIONS
from search.entities.spans import POSSESSIVE, Candidate, folding_key, wordset
from search.models import EntityType

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
        if lookup_place(prefix) or is_location_alias(prefix):
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


# --- Trimming ------------------------------------------------------------------------------------

_DETERMINERS: Final = frozenset({"the", "a", "an", "this", "that", "these", "those"})
_TITLES: Final = wordset(
    """mr mrs ms miss dr prof professor sir dame lord lady president vice prime minister premier
    chancellor secretary senator sen rep representative congressman congresswoman governor gov
    mayor judge justice general gen colonel col major maj captain capt lieutenant lt sergeant sgt
    admiral adm commander cmdr king queen prince princess emperor pope cardinal bishop archbishop
    rev reverend father sister brother sheikh ayatollah imam rabbi chairman chairwoman chief
    ambassador spokesman spokeswoman spokesperson leader coach st broadcaster journalist reporter
    correspondent columnist editor actor actress singer author writer director producer officer
    detective inspector constable commissioner superintendent deputy dean analyst lawyer attorney
    treasurer undersecretary"""
)
_NAME_PARTICLES: Final = wordset(
    "al el bin ibn bint da de del della der di du la le van von ter ten dos das abu"
)
_ABBREVIATIONS: Final = wordset("inc co corp ltd jr sr st bros plc llc ag sa nv")
_STRIP: Final = " \t\r\n\"'“”‘’«»()[]{}<>,.;:!?*_|/\\-–—•·"
_NUMBERISH = re.compile(r"^[\d.,:/%+-]+$")
_SCORE = re.compile(r"^(?:\d[\d.,:/%+-]+|[\d.,:/%+]*-[\d.,:/%+-]*)$")
_SENTENCE_ENDERS: Final = frozenset('\n.!?:;"“‘(')


def trim_span(
    text: str, start: int, end: int, type_: EntityType | None = None
) -> tuple[int, int] | None:
    """Cut what is not part of a name: punctuation, a possessive, a leading determiner or title,
    and trailing lower-case, numeric or figure words ("Tass news agency", "Kursk region", "Leeds
    312", "U.S. Dlrs").
    """
    previous = (-1, -1)
    while (start, end) != previous and start < end:
        previous = (start, end)
        possessive = POSSESSIVE.search(text, start, end)
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
        or folding_key(word(last)) in WIRE_ABBREVIATIONS
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
