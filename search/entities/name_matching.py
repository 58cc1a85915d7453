"""Known names found in text of any script: whole words, with the endings grammar adds.

Korean writes a particle onto the noun ("서울에서", "서울의"); Ukrainian and Russian decline a
name ("Києві", "Киеве", "Москвы"). A name here is matched whole, followed either by nothing
that continues the word or by such an ending, so "서울대학교" is no mention of Seoul. Pure rules
and one dictionary-backed index; no model.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Generic, Literal, TypeVar

from search.entities.spans import wordset

T = TypeVar("T")

Script = Literal["hangul", "cyrillic", "other"]

#: Korean case and topic particles (postpositions), which attach to the noun before them.
HANGUL_PARTICLES: Final = tuple(
    sorted(
        wordset(
            """은 는 이 가 을 를 의 에 에서 에게 께 께서 와 과 도 만 로 으로 까지 부터 보다 처럼
        한테 이나 나 랑 이랑 에는 에서는 에서도 에도 으로는 로는 과의 와의 에서의 으로의 로의
        이다 이며 이고 에의 만의 측 쪽"""
        ),
        key=lambda particle: (-len(particle), particle),
    )
)
#: Particles that follow only a syllable ending in a consonant (이, 은, 을, 과, 으로...), and
#: only one ending in a vowel (가, 는, 를, 와...); "로" also follows a final ㄹ.
_AFTER_CONSONANT: Final = wordset("이 은 을 과 으로 이나 이랑 이다 이며 이고 과의 으로는 으로의")
_AFTER_VOWEL: Final = wordset("가 는 를 와 로 나 랑 와의 로는 로의")
_FINAL_RIEUL: Final = 8


def particles_after(syllable: str) -> tuple[str, ...]:
    """The particles Korean grammar lets follow this syllable: "사나이" is no "사나" + "이"."""
    final = (ord(syllable) - 0xAC00) % 28 if "\uac00" <= syllable <= "\ud7a3" else 0
    if final == 0:
        return tuple(p for p in HANGUL_PARTICLES if p not in _AFTER_CONSONANT)
    return tuple(
        p
        for p in HANGUL_PARTICLES
        if p not in _AFTER_VOWEL or (final == _FINAL_RIEUL and p.startswith("로"))
    )


#: Case endings of Ukrainian and Russian nouns, and of the adjectives many surnames are
#: ("Зеленський" -> "Зеленського"), added to a name's stem.
CYRILLIC_ENDINGS: Final = tuple(
    sorted(
        wordset(
            """а я у ю е є і и ы о ом ем єм ой ей ою ею ів ов ах ях ам ям ами ями ові еві єві
        ого его ому ему им ым ім ій ої ую ая яя ий ый"""
        ),
        key=lambda ending: (-len(ending), ending),
    )
)
#: A stem shorter than this plus an ending is too often some other word.
MIN_STEM: Final = 4
_CYRILLIC_VOWELS: Final = "аеєиіїоуюяыэь"
#: Ukrainian closed-syllable і alternates with о/е in open syllables: Львів -> Львова,
#: Харків -> Харкова, Київ -> Києва.
_UKRAINIAN_ALTERNATION: Final = {"і": "ое", "ї": "є"}
_CLOSED_I: Final = re.compile(rf"([іїІЇ])([^\W\d_{_CYRILLIC_VOWELS}])$")
_TOKEN: Final = re.compile(r"\w+(?:[-'’]\w+)*")
#: Names of more words than this are not looked for (no place or person name runs longer).
MAX_WORDS: Final = 5


def script_of(name: str) -> Script:
    """The script whose grammar decides how `name` may end in text: its last letter's."""
    last = name.rstrip()[-1:]
    if "\uac00" <= last <= "\ud7a3":
        return "hangul"
    if "\u0400" <= last <= "\u04ff":
        return "cyrillic"
    return "other"


def cyrillic_stems(name: str) -> frozenset[str]:
    """Forms of a Cyrillic name that a case ending may follow: the name itself; without its
    final vowels, soft sign or й ("Москва" -> "Москв", "Зеленський" -> "Зеленськ"); with a
    Ukrainian alternating і/ї ("Київ" -> "Києв"). Stems shorter than MIN_STEM are left out."""
    stems = {name}
    stem = name
    while len(stems) <= 2 and stem[-1:].lower() in _CYRILLIC_VOWELS + "й":
        stem = stem[:-1]
        stems.add(stem)
    closed = _CLOSED_I.search(name)
    if closed is not None:
        vowel = closed.group(1)
        for other in _UKRAINIAN_ALTERNATION[vowel.lower()]:
            other = other.upper() if vowel.isupper() else other
            stems.add(name[: closed.start()] + other + closed.group(2))
    return frozenset(s for s in stems if s == name or len(s) >= MIN_STEM)


def name_pattern(name: str) -> str:
    """A regular-expression fragment matching `name` and its grammatical endings (the caller
    puts `(?<!\\w)` before the alternation); `cyrillic_bases` maps a match back to a stem."""
    script = script_of(name)
    if script == "hangul":
        first = "|".join(particles_after(name[-1]))
        return rf"{re.escape(name)}(?=(?:(?:{first})(?:{'|'.join(HANGUL_PARTICLES)})?)?(?!\w))"
    if script == "cyrillic":
        stems = "|".join(re.escape(s) for s in sorted(cyrillic_stems(name), key=len, reverse=True))
        return rf"(?:{stems})(?:{'|'.join(CYRILLIC_ENDINGS)})?(?!\w)"
    return rf"{re.escape(name)}(?!\w)"


def cyrillic_bases(surface: str) -> Iterator[str]:
    """The stems a declined Cyrillic word may be: the word less each case ending it ends in,
    longest ending first ("Києві" -> "Києв")."""
    for ending in CYRILLIC_ENDINGS:
        if surface.endswith(ending) and len(surface) - len(ending) >= MIN_STEM:
            yield surface[: -len(ending)]


def strip_particles(word: str) -> Iterator[str]:
    """A Hangul word less the particles at its end (one, or two stacked: "에서는"), where
    grammar lets the first follow the noun: "서울에서" -> "서울"."""
    for particle in HANGUL_PARTICLES:
        if not word.endswith(particle) or len(word) <= len(particle):
            continue
        inner = word[: -len(particle)]
        yield from _if_fits(inner, particle)
        for first in HANGUL_PARTICLES:
            if inner.endswith(first) and len(inner) > len(first):
                yield from _if_fits(inner[: -len(first)], first)


def _if_fits(noun: str, particle: str) -> Iterator[str]:
    if particle in particles_after(noun[-1]):
        yield noun


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    """One match: `text[start:end]` is the name as written (a Korean particle left out)."""

    start: int
    end: int
    value: T


class NameIndex(Generic[T]):
    """Many names (a gazetteer's, in every script), found by dictionary lookups per word, which
    stays fast where one regular expression over a hundred thousand names would not."""

    def __init__(self, names: Mapping[str, T]) -> None:
        self._exact = dict(names)
        self._stems: dict[str, T] = {}
        for name, value in names.items():
            if script_of(name) == "cyrillic":
                for stem in cyrillic_stems(name):
                    self._stems.setdefault(stem, value)
        self._max_words = min(MAX_WORDS, max((len(n.split()) for n in names), default=1))
        #: First words of the names of several words: a sequence starting otherwise is none.
        self._firsts = frozenset(n.split()[0] for n in names if " " in n)

    def find(self, text: str) -> list[Found[T]]:
        """Every known name in `text`, longest first at each position, none overlapping."""
        words = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        found: list[Found[T]] = []
        i = 0
        while i < len(words):
            hit = self._longest_at(text, words, i)
            if hit is None:
                i += 1
                continue
            found.append(hit[0])
            i += hit[1]
        return found

    def _longest_at(
        self, text: str, words: list[tuple[int, int]], i: int
    ) -> tuple[Found[T], int] | None:
        start = words[i][0]
        longest = self._max_words if text[start : words[i][1]] in self._firsts else 1
        for n in range(min(longest, len(words) - i), 0, -1):
            end = words[i + n - 1][1]
            if n > 1 and not _spaced(text, words[i : i + n]):
                continue
            hit = self._lookup(text[start:end])
            if hit is not None:
                surface, value = hit
                return Found(start, start + len(surface), value), n
        return None

    def _lookup(self, surface: str) -> tuple[str, T] | None:
        """The name a word sequence is, and the part of it that is the name."""
        value = self._exact.get(surface)
        if value is not None:
            return surface, value
        script = script_of(surface)
        if script == "hangul":
            for inner in strip_particles(surface):
                value = self._exact.get(inner)
                if value is not None:
                    return inner, value
        elif script == "cyrillic":
            for stem in cyrillic_bases(surface):
                value = self._stems.get(stem)
                if value is not None:
                    return surface, value
        return None


def _spaced(text: str, words: list[tuple[int, int]]) -> bool:
    """Words of one name stand one space apart, with no punctuation between."""
    return all(text[a[1] : b[0]] == " " for a, b in itertools.pairwise(words))
