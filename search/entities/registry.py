"""The archive's entity identities as data, and the pure rule that maps a mention key to one.

One `RegistryEntity` per person, agency, location or group the archive names: its id, type,
canonical name, the aliases (folding keys of the names it was seen under, with counts) and its
status. Merges, blocks and retypes are state on the records (the judgements of editors and of
the resolver, kept as data in the manner of nomenklatura), so resolving a key is a lookup that
needs no model and no history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, Field, computed_field

from search.entities.keys import spelling_of
from search.models import EntityType

EntityStatus = Literal["active", "blocked", "merged"]

#: A learned (not curated) alias that is not the entity's own key resolves mentions at ingest
#: only after this many articles linked it to the entity: one slip of in-article coreference
#: must not send every bare "Bush" to the wrong Bush.
MIN_ALIAS_LINKS: Final = 2
#: A name several entities learned resolves to the one with this many times the links of any
#: other ("ICCO" for the International Cocoa Organization, not a rare spelling of it); the
#: consolidation merges a short form by the same measure.
DOMINANT: Final = 10
#: Aliases kept per entity: variants beyond these are rare spellings, not identities.
MAX_ALIASES: Final = 200
#: Written forms counted per alias key ("Li Ka-shing", "Li Ka-Shing"): the common ones.
MAX_SPELLINGS: Final = 8
_MAX_MERGE_HOPS: Final = 20


class Alias(BaseModel):
    """A name an entity goes by: its folding key, a display form, and how often it was seen.

    `curated` aliases were set by an editor and outrank every learned one.
    """

    key: str
    name: str
    count: int = 0
    curated: bool = False
    #: Articles per written form of the key; `name` is the most used (see `most_used`).
    spellings: dict[str, int] = Field(default_factory=dict)


class RegistryEntity(BaseModel):
    """One identity. `key` is the folding key of the name it was first extracted under."""

    id: str
    type: EntityType
    name: str
    key: str
    aliases: list[Alias] = Field(default_factory=list)
    country: str | None = None
    status: EntityStatus = "active"
    merged_into: str | None = None
    #: Types this entity was extracted as before an editor retyped or merged it: mentions
    #: extracted with those types still resolve here.
    retyped_from: list[EntityType] = Field(default_factory=list)
    #: For an ambiguous short form ("Baker"): the entities it may stand for. Never guessed.
    candidates: list[str] = Field(default_factory=list)
    #: Per candidate, the identities most often named beside it: an article naming the short
    #: form beside enough of one candidate's company is that candidate's.
    candidate_context: dict[str, list[str]] = Field(default_factory=dict)
    curated: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: Set when a revert wrote this record back: the `revision` of the state it restored, so
    #: the correction that produced that state can be reverted in turn.
    restored_from: datetime | None = None

    @property
    def revision(self) -> datetime | None:
        """Which corrected state this record is: two records with the same revision hold the
        same correction result, whatever ingests added to their alias counts since."""
        return self.restored_from or self.updated_at

    @computed_field  # type: ignore[prop-decorator]
    @property
    def alias_keys(self) -> list[str]:
        """Every key this entity answers to (stored, so the index can look keys up)."""
        return list(dict.fromkeys([self.key, *(a.key for a in self.aliases)]))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spelling(self) -> str:
        """The key's `spelling_of` (stored, so the other spellings of a name can be found)."""
        return spelling_of(self.key)

    def alias(self, key: str) -> Alias | None:
        for alias in self.aliases:  # a loop: resolution asks this for every holder of a key
            if alias.key == key:
                return alias
        return None

    def answers_to(self, type_: EntityType) -> bool:
        return self.type == type_ or type_ in self.retyped_from


def entity_id(type_: EntityType, key: str) -> str:
    """A stable, readable id: the same (type, key) gives the same id on every worker, so two
    ingest processes that meet a new name at once create one entity, not two."""
    slug = "-".join(key.split())[:48].strip("-") or "entity"
    digest = hashlib.sha1(f"{type_}\0{key}".encode(), usedforsecurity=False).hexdigest()[:6]
    return f"{slug}-{digest}"


@dataclass(frozen=True, slots=True)
class Blocked:
    """The mention names an entity an editor blocked: it is not an entity of the article."""

    entity_id: str


Resolution = RegistryEntity | Blocked | None


class RegistryView:
    """An in-memory slice of the registry (the entities a batch of articles can resolve to)."""

    def __init__(self, entities: Iterable[RegistryEntity] = ()) -> None:
        self.by_id: dict[str, RegistryEntity] = {}
        self.by_alias: dict[str, list[str]] = {}
        for entity in entities:
            self.put(entity)

    def put(self, entity: RegistryEntity) -> None:
        """Add or replace one entity, keeping the alias index in step."""
        old = self.by_id.get(entity.id)
        if old is not None:
            for key in old.alias_keys:
                ids = self.by_alias.get(key, [])
                if entity.id in ids:
                    ids.remove(entity.id)
        self.by_id[entity.id] = entity
        for key in entity.alias_keys:
            self.by_alias.setdefault(key, []).append(entity.id)

    def final(self, entity_id: str) -> RegistryEntity | None:
        """The entity an id stands for now, following merges (bounded, in case of a cycle)."""
        entity = self.by_id.get(entity_id)
        for _ in range(_MAX_MERGE_HOPS):
            if entity is None or entity.status != "merged" or entity.merged_into is None:
                return entity
            entity = self.by_id.get(entity.merged_into)
        return None

    def resolve(self, type_: EntityType, key: str) -> Resolution:
        """The entity a mention extracted as `type_` with folding key `key` belongs to.

        In order: an alias an editor curated; an entity whose own key it is; a learned alias
        that exactly one entity holds with enough links. None means unknown (the caller may
        create it). Merges are followed; a blocked entity yields `Blocked`.
        """
        holders = [self.by_id[i] for i in self.by_alias.get(key, ())]
        fitting = [h for h in holders if h.answers_to(type_) or _merged_fits(self, h, type_)]
        if not fitting:  # most often a name nobody holds yet: every batch asks for many
            return None
        named = [(h, h.alias(key)) for h in fitting]
        for tier, learned in _tiers(named, key):
            finals = self._finals(tier)
            if len(finals) > 1:
                finals = self._preferred(tier, finals, type_, key if learned else None)
            if len(finals) == 1:
                final = next(iter(finals.values()))
                return Blocked(final.id) if final.status == "blocked" else final
            if len(finals) > 1:
                return None
        return None

    def _finals(self, holders: list[RegistryEntity]) -> dict[str, RegistryEntity]:
        """The identities the holders stand for now: holders a merge made one count once."""
        return {f.id: f for h in holders if (f := self.final(h.id)) is not None}

    def _preferred(
        self,
        tier: list[RegistryEntity],
        finals: dict[str, RegistryEntity],
        type_: EntityType,
        learned_key: str | None,
    ) -> dict[str, RegistryEntity]:
        """Several identities hold a name alike. Of those whose own name it is, the one
        extracted as the mention's own type outranks those that answer to it only through a
        retype or a merge (the agency "SOYBEANS" beside a group retyped from agency). Of those
        that learned it, where a type says little (a party the model reads as a person), the
        one with DOMINANT times the links of every other wins. Else `finals`: undecided."""
        if learned_key is None:
            exact = self._finals([h for h in tier if h.type == type_])
            return exact if len(exact) == 1 else finals
        links: dict[str, int] = {}
        for holder in tier:
            alias, final = holder.alias(learned_key), self.final(holder.id)
            if alias is not None and final is not None:
                links[final.id] = links.get(final.id, 0) + alias.count
        best, *others = sorted(links, key=lambda i: (-links[i], i))
        if others and links[best] >= DOMINANT * links[others[0]]:
            return {best: finals[best]}
        return finals


def _tiers(
    named: list[tuple[RegistryEntity, Alias | None]], key: str
) -> Iterator[tuple[list[RegistryEntity], bool]]:
    """The holders of `key` in the order `resolve` consults them, each tier built only if the
    one before decided nothing, and whether the tier is of learned aliases."""
    yield [h for h, a in named if a is not None and a.curated], False
    yield [h for h, _ in named if h.key == key], False
    yield [h for h, a in named if a is not None and a.count >= MIN_ALIAS_LINKS], True


def _merged_fits(view: RegistryView, entity: RegistryEntity, type_: EntityType) -> bool:
    final = view.final(entity.id) if entity.status == "merged" else None
    return final is not None and final.answers_to(type_)


def new_entity(
    type_: EntityType, key: str, name: str, country: str | None, now: datetime
) -> RegistryEntity:
    return RegistryEntity(
        id=entity_id(type_, key),
        type=type_,
        name=name,
        key=key,
        country=country,
        created_at=now,
        updated_at=now,
    )


def most_used(spellings: Mapping[str, int]) -> str:
    """The form most articles wrote. A tie goes to the form with fewer capitals (headlines
    capitalise every word: "Li Ka-Shing"), then to the one with more letters beyond ASCII
    (seven-bit wire copy dropped accents: "Francois"), then to the first in code-point order:
    so the name never depends on the order the archive was read in."""
    return min(spellings, key=lambda form: (-spellings[form], *form_style(form), form))


def form_style(form: str) -> tuple[int, int]:
    """(capitals, -letters beyond ASCII): lower is the likelier careful spelling."""
    return sum(ch.isupper() for ch in form), -sum(ord(ch) > 127 for ch in form)


#: One batch's observations of an entity: alias key -> written form -> articles.
Seen = Mapping[str, Mapping[str, int]]


def _forms(alias: Alias) -> dict[str, int]:
    """The alias's counted forms; one stored before forms were counted has its name's."""
    return dict(alias.spellings) or ({alias.name: alias.count} if alias.count else {})


def in_order(forms: Mapping[str, int]) -> list[tuple[str, int]]:
    """A batch's forms the commonest first: the order both counters add them in."""
    return sorted(forms.items(), key=lambda item: (-item[1], item[0]))


def _add_forms(spellings: dict[str, int], forms: Mapping[str, int]) -> None:
    """Forms added to `spellings`, at most MAX_SPELLINGS of them. When full, the least
    counted gives way and its count carries over to the newcomer (the space-saving counter):
    a form many stories use gets in and leads whatever the order the rare ones came in."""
    for form, n in in_order(forms):
        if form in spellings or len(spellings) < MAX_SPELLINGS:
            spellings[form] = spellings.get(form, 0) + n
        else:
            least = min(spellings, key=lambda f: (spellings[f], f))
            spellings[form] = spellings.pop(least) + n


def joined(kept: Alias, added: Alias) -> Alias:
    """One alias from two of the same key (an entity merged into another): counts and forms
    added; an editor's name stays, else the most used form names it."""
    spellings = _forms(kept)
    _add_forms(spellings, _forms(added))
    curated = next((a for a in (kept, added) if a.curated), None)
    return Alias(
        key=kept.key,
        name=curated.name if curated else most_used(spellings) if spellings else kept.name,
        count=kept.count + added.count,
        curated=curated is not None,
        spellings=spellings,
    )


def learned(entity: RegistryEntity, seen: Seen) -> RegistryEntity:
    """`entity` with the alias counts of one batch added; each learned alias is named by its
    most used form (store._LEARN_SCRIPT does the same at the node)."""
    aliases = {a.key: a for a in entity.aliases}
    for key, forms in seen.items():
        old = aliases.get(key)
        if old is None and len(aliases) >= MAX_ALIASES:
            continue
        batch = Alias(key=key, name="", count=sum(forms.values()), spellings=dict(forms))
        aliases[key] = joined(old or Alias(key=key, name=""), batch)
    return entity.model_copy(update={"aliases": list(aliases.values())})
