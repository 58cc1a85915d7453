"""Spans of article text on their way to becoming mentions, and the folding key that names them.

The vocabulary every normalisation step shares: the `Candidate` span, the key under which two
spellings of a name are one, and where a name recurs in the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from anyascii import anyascii

from search.models import EntityType

#: A trailing possessive: "Korea’s", "Brothers'".
POSSESSIVE: Final = re.compile(r"(?:['’]s|(?<=s)['’])$")


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


@functools.lru_cache(maxsize=65_536)
def folding_key(name: str) -> str:
    """Corpus-wide identity of a name: ASCII, lower case, no dots or apostrophes, words spaced.

    "Kim Jong-un", "Kim Jong Un" and "KIM JONG UN" share a key, as do "U.S." and "US".
    """
    folded = anyascii(name).lower()
    folded = re.sub(r"['`.]", "", folded)
    folded = re.sub(r"[^a-z0-9]+", " ", folded)
    return folded.strip()


def wordset(words: str) -> frozenset[str]:
    """A word list written as one whitespace-separated string, for the long curated lists."""
    return frozenset(words.split())


def occurrences(text: str, surface: str) -> Iterable[int]:
    """Whole-word occurrences; `str.find` because compiling a pattern per name costs more."""
    start = text.find(surface)
    while start != -1:
        end = start + len(surface)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in ".'’-") and not (after.isalnum() or after in "'-"):
            yield start
        start = text.find(surface, end)


def coverage(length: int, candidates: Iterable[Candidate]) -> bytearray:
    """One byte per character of the text, 1 where a candidate already takes it.

    Steps that add mentions test `covered.find(1, start, end) == -1` before taking a span.
    """
    covered = bytearray(length)
    for c in candidates:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    return covered
