"""Names from a non-English model's spans: trimmed, typed and named, without the English rules.

`normalize_mentions` carries rules learnt on English wire copy (trailing lower-case words cut,
"Duff and Phelps" joined into one firm), which break names such as "Assemblée nationale" or
"ministère de l'Intérieur". Here a span is only cut to its name, typed by the model table,
a short person name joined to the article's full one, and a place named as the archive files
it (a country through its name in the article's language, a city through the gazetteer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from search.entities.entity_types import short_person_names
from search.entities.gazetteer import canonical_place, lookup_alias, lookup_place
from search.entities.junk import is_junk
from search.entities.keys import entity_key
from search.entities.languages import LanguageModel
from search.entities.normalize import NormalizedMention, canonical_person
from search.entities.place_names import exonym
from search.entities.spans import Candidate, folding_key
from search.models import EntityType

_STRIP: Final = " \t\r\n\"'“”‘’«»()[]{}<>,.;:!?*_|/\\-–—•·"
#: An elided article or preposition before a name: "l'Élysée", "d'Ukraine".
_ELIDED: Final = re.compile(r"^[a-z]['’](?=\w)")
#: A title abbreviated with a dot before a person's name: "M. Macron", "Dr. Dupont".
_TITLE: Final = re.compile(r"^\w{1,3}\.\s+(?=\w)")
_LEADING_WORD: Final = re.compile(r"^(\S+)\s+")
#: Articles and prepositions are short ("la", "des", "aux"); a longer lower-case first word
#: belongs to the name ("ministère de l'Intérieur").
MAX_ARTICLE: Final = 3


def normalize_plain(
    text: str, spans: Iterable[tuple[int, int, str]], model: LanguageModel
) -> list[NormalizedMention]:
    """From a model's (start, end, label) spans to typed, named, keyed mentions, in text order."""
    candidates = []
    for start, end, label in spans:
        type_ = model.labels.get(label)
        if type_ is None:
            continue
        for piece_start, piece_end in _lines(text, start, end):
            span = trim_plain(text, piece_start, piece_end, type_)
            if span is not None and not is_junk(text[span[0] : span[1]]):
                candidates.append(Candidate(span[0], span[1], _retyped(text, span, type_)))
    short_to_full = short_person_names(text, candidates)
    return [
        _named(text, c, short_to_full, model.language)
        for c in sorted(_people_named_twice(text, candidates, short_to_full), key=_start)
    ]


def _lines(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """A span the model ran across a line break is two."""
    for found in re.finditer(r"[^\n]+", text[start:end]):
        yield start + found.start(), start + found.end()


def trim_plain(
    text: str, start: int, end: int, type_: EntityType | None = None
) -> tuple[int, int] | None:
    """Cut punctuation, an elided article, a dotted title, and short lower-case leading words
    (articles, prepositions); for a place also a capitalised article the gazetteer does not
    know as part of the name ("La France" is France, "Le Havre" stays). A person's or place's
    name keeps no lower-case word before it (an institution's does: "ministère de
    l'Intérieur"): "président Obama" is Obama, and "président de la République", a title with
    no name, is none."""
    if type_ in ("person", "location"):
        named_from = _after_title(text, start, end)
        if named_from is None:
            return None
        start = named_from
    previous = (-1, -1)
    while (start, end) != previous and start < end:
        previous = (start, end)
        while start < end and text[start] in _STRIP:
            start += 1
        while end > start and text[end - 1] in _STRIP:
            end -= 1
        surface = text[start:end]
        cut = _ELIDED.match(surface) or _TITLE.match(surface)
        leading = _LEADING_WORD.match(surface)
        if cut is None and leading is not None:
            rest = surface[leading.end() :]
            word = leading.group(1)
            if (word.islower() and len(word) <= MAX_ARTICLE) or (
                type_ == "location" and _article_of_place(surface, rest)
            ):
                cut = leading
        if cut is not None:
            start += cut.end()
    return (start, end) if start < end else None


def _after_title(text: str, start: int, end: int) -> int | None:
    """Where a person's name starts after lower-case title words ("le président Obama"); None
    for a title phrase, whose words after the first include a particle ("président de la
    République"), or a span with no capitalised word."""
    words = list(re.finditer(r"\S+", text[start:end]))
    n = 0
    while n < len(words) and words[n].group().islower():
        n += 1
    if n == 0:
        return start
    if n == len(words) or any(len(w.group()) <= MAX_ARTICLE for w in words[1:n]):
        return None
    return start + words[n].start()


def _retyped(text: str, span: tuple[int, int], type_: EntityType) -> EntityType:
    """A place the gazetteer does not know, written in capitals ("CERN", "LHC"), is a body."""
    surface = text[span[0] : span[1]]
    if type_ == "location" and surface.isupper() and not lookup_place(surface):
        return "agency"
    return type_


def _article_of_place(surface: str, rest: str) -> bool:
    return (
        len(surface.split()[0]) <= MAX_ARTICLE
        and not lookup_place(surface)
        and bool(lookup_place(rest))
    )


def _people_named_twice(
    text: str, candidates: list[Candidate], short_to_full: dict[str, str]
) -> list[Candidate]:
    """A one-word place or organisation that is a word of the article's one full person name
    ("Macron" beside "Emmanuel Macron"), and no known place, is that person."""
    out = []
    for c in candidates:
        surface = text[c.start : c.end]
        if (
            c.type != "person"
            and " " not in surface
            and folding_key(surface) in short_to_full
            and not lookup_place(surface)
        ):
            c = c.typed("person")
        out.append(c)
    return out


def _named(
    text: str, c: Candidate, short_to_full: dict[str, str], language: str
) -> NormalizedMention:
    surface = text[c.start : c.end]
    name, country = surface, None
    if c.type == "person":
        name = canonical_person(surface, short_to_full)
    elif c.type == "location":
        name, country = exonym(surface, language) or canonical_place(surface, frozenset())
    else:
        alias = lookup_alias(surface)
        if alias is not None and alias.type == c.type:
            name = alias.name
    type_ = c.type or "agency"
    return NormalizedMention(c.start, c.end, surface, type_, name, entity_key(name, type_), country)


def _start(candidate: Candidate) -> int:
    return candidate.start
