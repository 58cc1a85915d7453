"""Alias proposals across scripts: a name seen in Cyrillic whose transliteration is a registry
entity's name ("Володимир Зеленський" and "Volodymyr Zelensky"), for an editor to confirm.

Nothing here changes the registry: a proposal is confirmed through the ordinary add-alias
correction, and only then do later articles resolve the name to the entity. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from search.entities.registry import RegistryEntity
from search.entities.resolution import mention_key
from search.entities.spans import folding_key
from search.models import EntityType

#: Spellings that transliteration systems (and English and French press habits) write
#: differently for one sound; each is brought to one form, in this order.
_SOUNDS: Final = (
    ("sch", "sh"),
    ("kh", "h"),
    ("ch", "\0"),  # kept apart from the c of "ck", "cz"
    ("ck", "k"),
    ("tz", "z"),
    ("ts", "z"),
    ("ph", "f"),
    ("c", "k"),
    ("\0", "ch"),
    ("w", "v"),
    ("j", "i"),
    ("y", "i"),
)
#: Capitalised words in a cased script other than Latin (Cyrillic, Greek), one space apart:
#: how a name looks in such text.
_NAME_RUN: Final = re.compile(
    r"(?<![\w'’-])[\u0400-\u042f\u0490\u0386-\u03ab][\u0370-\u04ff'’-]+"
    r"(?: [\u0400-\u042f\u0490\u0386-\u03ab][\u0370-\u04ff'’-]+)+(?![\w'’-])"
)
#: Runs longer than this are headlines or lists, not one name.
_MAX_NAME_WORDS: Final = 3


def transliteration_key(name: str) -> str:
    """A key two transliterations of one name share: "Volodymyr Zelensky", "Volodimir
    Zelens'kiy" (anyascii of "Володимир Зеленський") and "Wolodymyr Selenskyj" do not all,
    but the first two do, as "volodimir zelenski"."""
    key = folding_key(name)
    for written, sound in _SOUNDS:
        key = key.replace(written, sound)
    return re.sub(r"(\w)\1+", r"\1", key)


def names_in(text: str) -> list[str]:
    """Runs of two or three capitalised Cyrillic or Greek words, and their two-word parts (a
    sentence's first word, "Президент", may lead a name): what may be a person's or an
    organisation's name in an article no model read."""
    found = []
    for match in _NAME_RUN.finditer(text):
        words = match.group().split()
        if len(words) > _MAX_NAME_WORDS or any(word.isupper() for word in words):
            continue  # a headline or a list, or words in capitals
        found.append(" ".join(words))
        if len(words) == _MAX_NAME_WORDS:
            found.extend([" ".join(words[:2]), " ".join(words[1:])])
    return found


@dataclass(frozen=True, slots=True)
class AliasProposal:
    """A name seen in articles that may be another spelling of a registry entity."""

    entity: str
    entity_name: str
    type: EntityType
    alias: str
    articles: int


def propose_aliases(
    entities: Iterable[RegistryEntity], seen: Mapping[str, int]
) -> list[AliasProposal]:
    """For each seen name (-> articles it was seen in), the one active entity whose name or
    alias has its transliteration key, unless the entity already answers to it; names whose
    key several entities share are left out. Most seen first."""
    holders: dict[str, set[str]] = {}
    by_id: dict[str, RegistryEntity] = {}
    for entity in entities:
        if entity.status != "active":
            continue
        by_id[entity.id] = entity
        for name in {entity.name, *(a.name for a in entity.aliases)}:
            holders.setdefault(transliteration_key(name), set()).add(entity.id)
    proposals = []
    for name, count in seen.items():
        ids = holders.get(transliteration_key(name), set())
        if len(ids) != 1:
            continue
        entity = by_id[next(iter(ids))]
        if mention_key(name, entity.type) in entity.alias_keys:
            continue
        proposals.append(AliasProposal(entity.id, entity.name, entity.type, name, count))
    return sorted(proposals, key=lambda p: (-p.articles, p.alias))
