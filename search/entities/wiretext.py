"""Wire copy made fit for the model: hard line wraps undone, tables and sign-offs blanked.

Agency copy is wrapped at a fixed width, so a name can be torn across lines ("Finance Minister
Gerhard" / "Stoltenberg") and the model reads two names; earnings tables ("Shr 1.23 dlrs vs
1.10 dlrs") read as prose give "Shr" and "Dlrs" as people. `prepare_for_ner` returns a text of
the same length as the body, with wrap newlines turned into spaces and table rows, bylines and
sign-offs turned into spaces, so every offset the model reports is still an offset into the
stored body, which stays as written and fully searchable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from search.entities.spans import wordset

#: Hard-wrapped copy is set at a fixed width well under this; longer lines mean one paragraph per
#: line, where a newline always ends something.
MAX_WRAP_WIDTH: Final = 100

#: Figure words of agency tables: "Shr 1.23 dlrs vs 1.10 dlrs", "Revs 12.3 mln vs 10.2 mln".
WIRE_FIGURE_WORDS: Final = wordset(
    """vs v shr shrs rev revs avg mln bln dlr dlrs ct cts pct qtr pts net oper"""
)
#: A table row has at least this share of figures among its words.
_TABLE_SHARE: Final = 0.5

_DIGIT = re.compile(r"\d")
#: Words with a letter or digit, so a lone dash or bracket is no word.
_TOKEN = re.compile(r"\S*[^\W_]\S*")
_NUMBER = re.compile(r"\S*\d\S*")
_VERSUS = re.compile(r"(?i)(?<!\S)vs\.?(?!\S)")
_FIGURE_WORD = re.compile(
    r"(?i)(?<![^\s(])(?:" + "|".join(sorted(WIRE_FIGURE_WORDS)) + r")\.?(?![^\s),;:])"
)
_LIST_MARKER = re.compile(r"[-*•·–—]\s|\(?[0-9a-zA-Z]{1,2}[.)]\s")
_BYLINE = re.compile(
    r"(?i:by)\s+[A-Z][\w.'’-]*(?:\s+(?:and\s+)?[A-Z][\w.'’-]*){0,4}(?:\s*,\s*[A-Z][\w .'’-]*)?"
)
_SIGN_OFF = re.compile(
    r"(?:--|[–—])\s*\S"
    r"|\(?(?:(?:additional\s+)?reporting|editing|writing|compiled|edited)\s+by\b"
    r"|(?:tel|phone|fax|e-?mail|contact)\s*:",
    re.IGNORECASE,
)
_PHONE = re.compile(r"\+\d{1,3}[\s\d()-]{6,}\d")
#: Sign-offs and bylines are short lines; a long one is a sentence that happens to start so.
_SHORT_LINE_WORDS: Final = 12


def prepare_for_ner(text: str) -> str:
    """The body as the model and normalisation should read it; same length, same offsets."""
    lines = text.split("\n")
    wraps = wrap_newlines(lines)
    out: list[str] = []
    for first, last in _logical_lines(len(lines), wraps):
        logical = " ".join(lines[first : last + 1])
        out.append(" " * len(logical) if is_kept_out(logical) else logical)
    return "\n".join(out)


def _logical_lines(count: int, wraps: list[bool]) -> Iterator[tuple[int, int]]:
    """(first, last) physical line numbers of each run of lines joined by wraps."""
    first = 0
    for index in range(count):
        if index == count - 1 or not wraps[index]:
            yield first, index
            first = index + 1


def wrap_newlines(lines: list[str]) -> list[bool]:
    """For each line, whether the newline after it is a wrap inside a paragraph.

    A newline can only be a wrap between two lines with text when the next line neither starts
    indented nor with a list marker. The text must look hard-wrapped: no line longer than
    `MAX_WRAP_WIDTH`, and most breaks "full", i.e. the next line's first word would not have fit
    on the line (the test any fixed-width wrapper applies). Then a break is a wrap when it is full,
    when the next line starts in lower case, or, in copy that marks paragraphs by indenting, always.
    """
    breaks = [_may_wrap(lines, index) for index in range(len(lines))]
    candidates = [index for index, possible in enumerate(breaks) if possible]
    width = max((len(line.rstrip()) for line in lines), default=0)
    if not candidates or width > MAX_WRAP_WIDTH:
        return [False] * len(lines)
    full = {index for index in candidates if _is_full(lines[index], lines[index + 1], width)}
    if len(full) < 2 or 2 * len(full) < len(candidates):
        return [False] * len(lines)
    indented = any(line[:1] in (" ", "\t") and line.strip() for line in lines[1:])
    wraps = [False] * len(lines)
    for index in candidates:
        next_line = lines[index + 1]
        wraps[index] = index in full or indented or next_line[:1].islower()
    return wraps


def _may_wrap(lines: list[str], index: int) -> bool:
    if index + 1 >= len(lines) or not lines[index].strip():
        return False
    following = lines[index + 1]
    return (
        bool(following.strip())
        and following[:1] not in (" ", "\t")
        and not (_LIST_MARKER.match(following))
    )


def _is_full(line: str, following: str, width: int) -> bool:
    first_word = following.split(maxsplit=1)[0]
    return len(line.rstrip()) + 1 + len(first_word) > width


# --- Lines kept from the model -------------------------------------------------------------------


def is_kept_out(line: str) -> bool:
    """Tables, bylines and sign-offs: no prose the model should read for names."""
    return is_table_row(line) or is_byline(line) or is_sign_off(line)


def is_table_row(line: str) -> bool:
    """A row of figures: half its words are numbers or wire figure words, with two numbers at
    least, or a "figure vs figure" comparison of an earnings table; or a header of columns.

    Regular expressions count the words, as this runs on every line of every article.
    """
    if _DIGIT.search(line) is None:
        return _is_column_header(line)
    words = len(_TOKEN.findall(line))
    if words < 2:
        return False
    if words <= 2 * _SHORT_LINE_WORDS and _VERSUS.search(line):
        return True
    numbers = len(_NUMBER.findall(line))
    if numbers < 2:
        return False
    needed = _TABLE_SHARE * words
    return numbers >= needed or numbers + len(_FIGURE_WORD.findall(line)) >= needed


def _is_column_header(line: str) -> bool:
    """ "W L PCT GB": a row of short capitalised abbreviations heads a table's columns."""
    if len(line) > 6 * _SHORT_LINE_WORDS:
        return False
    words = line.split()
    return len(words) >= 3 and all(len(w) <= 3 and w.isupper() for w in words)


def is_byline(line: str) -> bool:
    """ "By Jane Doe, Staff Reporter": the writer is not a person of the story."""
    stripped = line.strip()
    if stripped[:3].lower() != "by " or _BYLINE.fullmatch(stripped) is None:
        return False
    return len(stripped.split()) <= _SHORT_LINE_WORDS


def is_sign_off(line: str) -> bool:
    """ "-- Gdansk Newsroom +48 58 ...", "(Reporting by ...)", "Tel: ...": the desk, not news."""
    stripped = line.strip()
    if _SIGN_OFF.match(stripped) is None and ("+" not in stripped or not _PHONE.search(stripped)):
        return False
    return len(stripped.split()) <= _SHORT_LINE_WORDS
