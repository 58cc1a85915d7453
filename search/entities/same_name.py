"""One name the archive made into several entities: read as two types ("Labour" an agency and
a person), or a group in both numbers ("Tory" and "Tories"). Pure planning: consolidate
applies these merges with those of the short forms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Final

from search.entities.keys import singular_key
from search.entities.registry import RegistryEntity

#: A name read as two types takes the one with this many times the articles of the other.
TYPE_DOMINANT: Final = 3


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
