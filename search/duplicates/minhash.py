"""MinHash signatures of shingle sets, and the band keys that make near copies meet in a lookup.

Two sets agree on one signature value with probability equal to their Jaccard similarity. The
signature is cut into `bands` of `rows` values; two articles share a band key when all rows of a
band agree, which for similarity s happens in at least one band with probability
1 - (1 - s^rows)^bands: the locality-sensitive lookup (an S-curve whose steep part sits near
(1/bands)^(1/rows)). Band keys are plain strings stored on the article, so finding the candidates
of a batch is one request to the index, whichever worker wrote them.

The permutations are derived from BLAKE2b of fixed names, not from a random generator whose
stream could change with a numpy release: band keys stored today must match those computed by
the next version.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from search.duplicates.shingles import Shingles

#: Multiply-add-shift hashing of 32-bit keys, ((a*x + b) mod 2^64) >> 32 with odd 64-bit a:
#: a universal family that numpy computes with wrapping uint64 arithmetic and a shift, about
#: twice as fast as the textbook (a*x + b) mod p.
_SHIFT: Final = np.uint64(32)
_LOW32: Final = np.uint64(0xFFFFFFFF)
#: Above every 32-bit hash value: the signature of an empty set.
_NONE: Final = np.uint64(1 << 32)
#: One character numbers the band in its key (so at most 64 bands).
_BAND_MARKS: Final = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
#: Shingles hashed per step: bounds memory (step x permutations x 8 bytes) on 100k-word bodies.
_STEP: Final = 4096

Signature = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class LshParams:
    """How signatures are cut into bands. Tuned on the labelled set (`newsroom eval
    duplicates`); stored band keys depend on these, so changing them calls for
    `newsroom dedupe --reindex`."""

    bands: int = 32
    rows: int = 2

    @property
    def permutations(self) -> int:
        return self.bands * self.rows

    @property
    def threshold(self) -> float:
        """Similarity at which a pair becomes a candidate with probability about one half."""
        return float((1 / self.bands) ** (1 / self.rows))

    def candidate_probability(self, similarity: float) -> float:
        """The chance that a pair of this Jaccard similarity shares at least one band key."""
        return float(1 - (1 - similarity**self.rows) ** self.bands)


DEFAULT_LSH: Final = LshParams()


def _coefficients(name: str, n: int) -> npt.NDArray[np.uint64]:
    values = []
    for i in range(n):
        digest = hashlib.blake2b(f"newsroom-minhash-{name}-{i}".encode(), digest_size=8).digest()
        values.append(int.from_bytes(digest, "big"))
    return np.array(values, dtype=np.uint64)


@cache
def permutations(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The `a` (odd, so never zero) and `b` coefficients of n hash functions, always the same."""
    return _coefficients("a", n) | np.uint64(1), _coefficients("b", n)


def signature(shingles: Shingles, n: int = DEFAULT_LSH.permutations) -> Signature:
    """n minimum hash values of the set (all 2^32, i.e. "no value", for an empty set)."""
    a, b = permutations(n)
    low = np.full(n, _NONE, dtype=np.uint64)
    # A 64-bit shingle hash folded to 32 bits, the key width the hash family is universal for;
    # collisions among a story's few hundred shingles are negligible.
    folded = (shingles ^ (shingles >> _SHIFT)) & _LOW32
    for start in range(0, folded.size, _STEP):
        chunk = folded[start : start + _STEP, np.newaxis]
        hashed = (chunk * a + b) >> _SHIFT
        low = np.minimum(low, hashed.min(axis=0))
    return low


def estimated_jaccard(a: Signature, b: Signature) -> float:
    """The share of agreeing signature values: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / a.size if a.size else 0.0


def band_keys(sig: Signature, params: LshParams = DEFAULT_LSH) -> list[str]:
    """One key per band: a character for its number and a 40-bit hash of its rows in base64,
    e.g. `"3kZ1f_Qa"`. The band number is part of the key, so equal rows in different bands
    never meet.

    Eight characters, because every article stores 32 of them: 14-character hexadecimal keys
    cost 840 bytes per article in the index (+35%), these 610. Two unrelated articles share a
    40-bit band hash once in 10^12 pairs: on a million articles, a spurious candidate for
    about one article in 30,000, which the copy rule then turns down.
    """
    if sig.size != params.permutations:
        raise ValueError(f"a signature of {sig.size} values for {params.permutations}")
    if params.bands > len(_BAND_MARKS):
        raise ValueError(f"at most {len(_BAND_MARKS)} bands")
    if bool((sig == _NONE).all()):
        return []  # an empty text: nothing to compare, a cluster of its own
    keys = []
    for band in range(params.bands):
        rows = sig[band * params.rows : (band + 1) * params.rows]
        digest = hashlib.blake2b(rows.astype("<u8").tobytes(), digest_size=5).digest()
        keys.append(_BAND_MARKS[band] + base64.urlsafe_b64encode(digest).decode().rstrip("="))
    return keys
