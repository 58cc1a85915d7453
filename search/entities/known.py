"""Names editors confirmed, found in text where the statistical model missed them.

Every curated name of an active entity (its canonical name and the aliases an editor added) is
looked for as a whole word, case as written, in any script: a Korean name also before a
particle ("서울에서"), a Cyrillic one also declined ("Зеленського"), see `name_matching`. A span
the model already took is left to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from search.entities.name_matching import cyrillic_bases, cyrillic_stems, name_pattern, script_of
from search.entities.registry import RegistryEntity
from search.entities.resolution import mention_key
from search.models import Entity, Mention

#: Shorter names ("EC", "UN") are too often other words' letters to be looked for blindly.
MIN_NAME_CHARS: Final = 3


class KnownNames:
    """A matcher over the curated names of a registry, built once per ingest run."""

    def __init__(self, entities: Iterable[RegistryEntity]) -> None:
        self._owner: dict[str, RegistryEntity] = {}
        #: Stems of the Cyrillic names -> the name (declined forms are keyed by it).
        self._stems: dict[str, str] = {}
        for entity in entities:
            if entity.status != "active" or not entity.curated:
                continue
            names = [entity.name, *(a.name for a in entity.aliases if a.curated)]
            for name in names:
                if len(name) >= MIN_NAME_CHARS:
                    self._owner.setdefault(name, entity)
        for name in self._owner:
            if script_of(name) == "cyrillic":
                self._stems.update(dict.fromkeys(cyrillic_stems(name), name))
        self._pattern = _pattern(sorted(self._owner, key=len, reverse=True))

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
            name = self._name_of(match.group())
            owner = self._owner[name]
            mention = Mention(start=match.start(), end=match.end(), text=match.group())
            slot = f"{owner.id}:{name}"
            if slot in found:
                found[slot].mentions.append(mention)
                continue
            found[slot] = Entity(
                type=owner.type,
                name=owner.name,
                key=mention_key(name, owner.type),
                mentions=[mention],
            )
        return list(found.values())

    def _name_of(self, surface: str) -> str:
        """The curated name a match is: itself, or the Cyrillic name it declines."""
        if surface in self._owner:
            return surface
        bases = [surface, *cyrillic_bases(surface)]
        return next(self._stems[stem] for stem in bases if stem in self._stems)


def _pattern(names: list[str]) -> re.Pattern[str] | None:
    """One expression for all names, longest first; names whose script inflects carry their
    endings (see `name_matching.name_pattern`)."""
    if not names:
        return None
    plain = "|".join(re.escape(name) for name in names if script_of(name) == "other")
    inflected = [name_pattern(name) for name in names if script_of(name) != "other"]
    alternatives = [f"(?:{plain})(?!\\w)"] if plain else []
    return re.compile(rf"(?<!\w)(?:{'|'.join([*alternatives, *inflected])})")
