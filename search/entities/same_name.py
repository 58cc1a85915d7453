"""One name the archive made into several entities: read as two types ("Labour" an agency and
a person), a group in both numbers ("Tory" and "Tories"), or one name spelled two ways
("Inter-American" and "InterAmerican", "Organisation" and "Organization"). Pure planning:
consolidate applies these merges with those of the short forms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Final

from search.entities.keys import singular_key, spelling_of
from search.entities.registry import RegistryEntity

#: A name read as two types takes the one with this many times the articles of the other.
TYPE_DOMINANT: Final = 3
#: Letters a name needs before its spellings are joined: shorter ones are mostly initials.
MIN_SPELLING_LETTERS: Final = 4


def alias_links(entity: RegistryEntity, key: str) -> int:
    """Articles that name `entity` by `key`."""
    alias = entity.alias(key)
    return alias.count if alias is not None else 0


def _ranked_groups(
    active: Iterable[RegistryEntity], key_of: Callable[[RegistryEntity], str | None]
) -> Iterator[list[RegistryEntity]]:
    """Active entities sharing a key (None: none), two or more, the most used under its own
    name first."""
    groups: dict[str, list[RegistryEntity]] = defaultdict(list)
    for entity in active:
        if entity.status == "active" and (key := key_of(entity)) is not None:
            groups[key].append(entity)
    for group in groups.values():
        if len(group) > 1:
            yield sorted(group, key=lambda e: (-alias_links(e, e.key), e.id))


def _group_stem(entity: RegistryEntity) -> str | None:
    return singular_key(entity.key) if entity.type == "group" else None


def plan_numbers(active: Iterable[RegistryEntity]) -> list[tuple[str, str, str]]:
    """A group the archive names in the singular and the plural ("Tory" and "Tories",
    "Democrat" and "Democrats") is one group: the form fewer articles use joins the other,
    so ticking either finds every story."""
    return [
        (other.id, top.id, f"another number of {top.name}")
        for top, *others in _ranked_groups(active, _group_stem)
        for other in others
        if not other.curated
    ]


def plan_retypes(active: Iterable[RegistryEntity]) -> list[tuple[str, str, str]]:
    """One name extracted as two types: the archive's majority reading wins when it has
    TYPE_DOMINANT times the articles of the other ("Labour" an agency in 159 stories and a
    person in 30). The minority joins it, so its articles and later mentions follow."""
    merges = []
    for top, *others in _ranked_groups(active, lambda e: e.key):
        mine = alias_links(top, top.key)
        for other in others:
            theirs = alias_links(other, other.key)
            if other.curated or other.type == top.type or mine < TYPE_DOMINANT * max(theirs, 1):
                continue
            why = f"a {top.type} in {mine} articles, a {other.type} in {theirs}"
            merges.append((other.id, top.id, why))
    return merges


def spelling_key(entity: RegistryEntity) -> str | None:
    """What two spellings of one name of one type share (`spelling_of`): people's names do
    not follow "-ise"/"-ize" (Denise is not Denize), and places must be in one country
    (Georgetown in Guyana is not George Town in Malaysia). Names of under
    MIN_SPELLING_LETTERS letters have none: mostly initials ("MS" and "M&S")."""
    joined = spelling_of(entity.key, british=entity.type != "person")
    if len(joined) < MIN_SPELLING_LETTERS:
        return None
    country = entity.country if entity.type == "location" else None
    return f"{entity.type}:{country}:{joined}"


def _word_starts(key: str) -> tuple[set[int], set[int]]:
    """Where the key's words start in its letters, and of those the words that follow an
    initial ("f" in "david f laroche" ends at the start of "laroche")."""
    starts, after_initial, at = set(), set(), 0
    words = key.split()
    for i, word in enumerate(words):
        starts.add(at)
        if i and len(words[i - 1]) == 1 and len(word) > 1:
            after_initial.add(at)
        at += len(word)
    return starts, after_initial


def _same_spelling(a: str, b: str) -> bool:
    """Two keys of one spelling key are one name unless an initial of one is the start of a
    word of the other ("g ross" and "gross"); initials may close up ("e f hutton", "ef
    hutton")."""
    (starts_a, initial_a), (starts_b, initial_b) = _word_starts(a), _word_starts(b)
    return initial_a <= starts_b and initial_b <= starts_a


def plan_spellings(active: Iterable[RegistryEntity]) -> list[tuple[str, str, str]]:
    """One name of one type spelled two ways is one entity: the spelling fewer articles use
    joins the other."""
    return [
        (other.id, top.id, f"another spelling of {top.name}")
        for top, *others in _ranked_groups(active, spelling_key)
        for other in others
        if not other.curated and _same_spelling(other.key, top.key)
    ]
