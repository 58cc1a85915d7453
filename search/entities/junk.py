"""Spans that are no names at all: shortcuts, handles, time zones, headline fragments, shouting.

A researcher filtering by person or agency should never meet these as facet values, so the
normaliser drops a span as soon as one of these tests holds.
"""

from __future__ import annotations

import re
from typing import Final

from search.entities.spans import wordset

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
_MAX_NAME_WORDS: Final = 8
_LETTER = re.compile(r"[^\W\d_]")
_NOT_IN_NAMES = re.compile(r"[@#\[\]{}|=<>]|https?:|www\.")
_CONTRACTION = re.compile(r"^I['’‘](?:m|ll|ve|d)\b|n['’‘]t\b")
_ADJECTIVE_PREFIX = re.compile(
    r"^(?:anti|pro|ex|intra|inter|non|post|pre|pan|trans|sub|neo|semi|mid|cross|multi)-", re.I
)
_JOB_TITLE_BEFORE = re.compile(r"(?:Secretary|Minister|Commissioner|Undersecretary)\s+of\s+$")


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
