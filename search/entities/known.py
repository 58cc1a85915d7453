"""Names editors confirmed, found in text where the statistical model missed them.

Every curated name of an active entity (its canonical name and the aliases an editor added) is
looked for as a whole word, case as written; a span the model already took is left to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from search.entities.registry import RegistryEntity
from search.entities.resolution import mention_key
from search.models import Entity, Mention

#: Shorter names ("EC", "UN") are too often other words' letters to be looked for blindly.
MIN_NAME_CHARS: Final = 3


class KnownNames:
    """A matcher over the curated names of a registry, built once per ingest run."""

    def __init__(self, entities: Iterable[RegistryEntity]) -> None:
        self._owner: dict[str, RegistryEntity] = {}
        for entity in entities:
            if entity.status != "active" or not entity.curated:
                continue
            names = [entity.name, *(a.name for a in entity.aliases if a.curated)]
            for name in names:
                if len(name) >= MIN_NAME_CHARS:
                    self._owner.setdefault(name, entity)
        ordered = sorted(self._owner, key=len, reverse=True)
        alternatives = "|".join(re.escape(name) for name in ordered)
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if ordered else None

    def __len__(self) -> int:
        return len(self._owner)

    def find(self, text: str, taken: Sequence[Entity]) -> list[Entity]:
        """Entities for curated names in `text` outside every span already taken."""
        if self._pattern is None:
            return []
        covered = bytearray(len(text))
        for entity in taken:
            for m in entity.mentions:
                covered[m.start : m.end] = b"\x01" * (m.end - m.start)
        found: dict[str, Entity] = {}
        for match in self._pattern.finditer(text):
            if covered.find(1, match.start(), match.end()) != -1:
                continue
            owner = self._owner[match.group()]
            mention = Mention(start=match.start(), end=match.end(), text=match.group())
            slot = f"{owner.id}:{match.group()}"
            if slot in found:
                found[slot].mentions.append(mention)
                continue
            found[slot] = Entity(
                type=owner.type,
                name=owner.name,
                key=mention_key(match.group(), owner.type),
                mentions=[mention],
            )
        return list(found.values())
