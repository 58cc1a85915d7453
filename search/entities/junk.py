"""Spans that are no names at all: shortcuts, handles, time zones, headline fragments, shouting.

A researcher filtering by person or agency should never meet these as facet values, so the
normaliser drops a span as soon as one of these tests holds.
"""

from __future__ import annotations

import re
from typing import Final

from search.entities.keys import LEGAL_FORMS
from search.entities.spans import POSSESSIVE, folding_key, wordset

_KEYBOARD_KEYS: Final = wordset(
    """ctrl control alt shift cmd command option opt win windows meta super fn esc escape tab
    enter return del delete backspace space spacebar home end pgup pgdn insert ins"""
)
_MODIFIER_KEYS: Final = wordset("ctrl control alt shift cmd command option opt meta fn")
_TIME_ZONES: Final = wordset(
    "utc gmt bst cet cest eet eest msk kst jst est edt cst cdt mst mdt pst pdt aest aedt"
)
#: Function words that sit capitalised inside a name only in title-cased headlines.
_HEADLINE_WORDS: Final = wordset(
    """In Into On Of For To Is Are Was Were Be Been Could Would Will Can Should May Might Must
    Has Have Had As At By With From And Or But Not After Before Over Under Amid Against Than
    Says Said"""
)
#: Wire-copy abbreviations of figures and units ("Dlrs", "Revs", "Shr"): never a name, and cut
#: from the end of a span ("U.S. Dlrs" is "U.S.").
WIRE_ABBREVIATIONS: Final = wordset(
    """dlr dlrs rev revs avg shr shrs mln mlns bln bn pct qtr qtrs cts vs mths yr yrs bbl bpd"""
)
#: Heads of organisation names, and words that only modify one: "Bank", "Commission",
#: "International" alone name no agency. A span made only of these (and legal forms, wire
#: abbreviations and connectors: "Co Inc", "Securities and Exchange") is dropped.
GENERIC_HEADS: Final = wordset(
    """agency authority administration association bank banks board bureau center centre chamber
    commission committee community council court department directorate division exchange
    federal federation foundation fund government group holding holdings industries institute
    international league ministry national office organization organisation service services
    society trust union unit university corporation company enterprises partners"""
)
#: Words of place names that name no place alone: what a torn "United\nStates" leaves behind.
_PLACE_MODIFIERS: Final = wordset(
    """united states new west east north south northern southern western eastern central upper
    lower greater great saint st republic kingdom city county island islands"""
)
#: Currencies name no agency or person ("U.S. Dollar", "Yen"), whatever precedes them.
_CURRENCIES: Final = wordset(
    """dollar dollars yen mark marks deutschemark deutschemarks franc francs pound pounds sterling
    lira lire peseta pesetas guilder guilders krona kronor krone kroner escudo escudos rupee rupees
    ringgit baht peso pesos cruzado cruzados rand yuan renminbi won rouble ruble euro euros"""
)
_CONNECTOR_WORDS: Final = wordset("and of the for &")
_SLUG_DASH = re.compile(r"[ \t]+[-–—][ \t]+[A-Z0-9]")
_CONNECTOR_BEFORE = re.compile(r"(?:\band|&)\s+$")
_MAX_NAME_WORDS: Final = 8
_LETTER = re.compile(r"[^\W\d_]")
_NOT_IN_NAMES = re.compile(r"[@#\[\]{}|=<>]|https?:|www\.")
_CONTRACTION = re.compile(r"^I['’‘](?:m|ll|ve|d)\b|n['’‘]t\b")
_ADJECTIVE_PREFIX = re.compile(
    r"^(?:anti|pro|ex|intra|inter|non|post|pre|pan|trans|sub|neo|semi|mid|cross|multi)-", re.I
)
_JOB_TITLE_BEFORE = re.compile(r"(?:Secretary|Minister|Commissioner|Undersecretary)\s+of\s+$")
_JOB_TITLE_AFTER = re.compile(
    r"\s+(?:Minister|Ministers|Secretary|Undersecretary|Commissioner|Committee\s+Chairman)\b"
)


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
    if len(words) > _MAX_NAME_WORDS or is_generic(stripped):
        return True
    if len(words) > 1 and words[0] in ("A", "An", "Could", "Would", "Should", "Might", "Must"):
        return True  # "A Rapid Ceasefire": names do not start with an article or a modal verb
    return any(word in _HEADLINE_WORDS for word in words[1:])


def is_generic(surface: str) -> bool:
    """Nothing but generic words ("Bank", "Co Inc", "Dlrs", "West", "Exchange Commission"), or a
    currency ("U.S. Dollar")."""
    words = [folding_key(word) for word in surface.split()]
    words = [word for word in words if word]
    if not words:
        return True
    if len(words) == 1 and words[0] in _PLACE_MODIFIERS:
        return True
    if words[-1] in _CURRENCIES:
        return True
    return all(
        word in GENERIC_HEADS
        or word in LEGAL_FORMS
        or word in WIRE_ABBREVIATIONS
        or word in _CONNECTOR_WORDS
        for word in words
    )


def is_torn_possessive(text: str, start: int, end: int) -> bool:
    """ "Poor's Corp" after "Standard and": the possessive end of a longer name the model cut."""
    first = text[start:end].split(maxsplit=1)[0]
    return POSSESSIVE.search(first) is not None and bool(
        _CONNECTOR_BEFORE.search(text, max(0, start - 6), start)
    )


def is_topic_slug(text: str, start: int, end: int) -> bool:
    """ "SOCCER - ...", "MOTOR RACING - ...": the desk's topic word opening a capitals headline."""
    line_start = text.rfind("\n", 0, start) + 1
    return (
        text[start:end].isupper()
        and not text[line_start:start].strip()
        and _SLUG_DASH.match(text, end) is not None
    )


def in_shouting(text: str, start: int, end: int) -> bool:
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


def ends_a_job_title(text: str, start: int, end: int) -> bool:
    """ "Secretary of State": the one word after the title's "of" names an office, not an agency."""
    return " " not in text[start:end] and bool(
        _JOB_TITLE_BEFORE.search(text, max(0, start - 30), start)
    )


def starts_a_job_title(text: str, start: int, end: int) -> bool:
    """ "Finance Minister", "Commerce Secretary": one word read as an organisation before a job
    title names the office's field; the ministry itself is written out ("Finance Ministry")."""
    return " " not in text[start:end] and _JOB_TITLE_AFTER.match(text, end) is not None
