"""Word shingles of an article's body, as a set of 64-bit hashes: what two copies share.

The body alone is shingled, not the title: a syndicated copy under another headline is the same
text. Hashes are deterministic across processes (CRC-32 of each word, combined with numpy), never
Python's `hash`, because band keys built from them are stored in the index and compared between
ingest workers and runs.
"""

from __future__ import annotations

import re
import zlib
from typing import Final

import numpy as np
import numpy.typing as npt

#: Words per shingle. Measured on the labelled set (`newsroom eval duplicates`): 5 keeps
#: unrelated stories on one topic apart (their shared phrases rarely run to five words) while a
#: copy with a rewritten lead or a cut ending keeps most of its shingles.
SHINGLE_WORDS: Final = 5
_WORD = re.compile(r"\w+")
#: Odd 64-bit multipliers: each word's place in the shingle gets its own, so "a b" and "b a"
#: hash apart.
_MIX: Final = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
    dtype=np.uint64,
)  # fmt: skip

Shingles = npt.NDArray[np.uint64]


def words(text: str) -> list[str]:
    """The text's words, case-folded: punctuation, spacing and case do not tell copies apart."""
    return _WORD.findall(text.casefold())


def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> Shingles:
    """The sorted, distinct hashes of the text's runs of `size` consecutive words.

    A text shorter than `size` words is one shingle of all its words, so a two-word brief still
    has a fingerprint; an empty text has none.
    """
    if not 1 <= size <= len(_MIX):
        raise ValueError(f"shingle size must be 1 to {len(_MIX)} words")
    found = words(text)
    if not found:
        return np.empty(0, dtype=np.uint64)
    word_hashes = np.fromiter(
        (zlib.crc32(w.encode("utf-8")) for w in found), dtype=np.uint64, count=len(found)
    )
    width = min(size, len(found))
    count = len(found) - width + 1
    combined = np.zeros(count, dtype=np.uint64)
    for place in range(width):
        combined ^= word_hashes[place : place + count] * _MIX[place]
        combined = (combined << np.uint64(7)) | (combined >> np.uint64(57))
    return np.unique(combined)


def jaccard(a: Shingles, b: Shingles) -> float:
    """|a ∩ b| / |a ∪ b| of two sorted, distinct hash arrays; 0.0 when both are empty."""
    if a.size == 0 or b.size == 0:
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / (a.size + b.size - shared)
