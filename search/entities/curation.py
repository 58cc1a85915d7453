"""Editors' corrections as data: merge, split, rename, retype, block, add an alias.

Each correction is a small pydantic model (the API's request body and the audit log's record)
and `apply` turns it, with a view of the entities it touches, into the registry records before
and after: pure, so the rules are tested without a server and a revert is writing `before` back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from search.entities.registry import Alias, RegistryEntity, RegistryView, joined, new_entity
from search.entities.resolution import mention_key
from search.models import EntityType

_NAME = Field(min_length=1, max_length=300)
_ID = Field(min_length=1, max_length=200, description="A registry entity id.")


class _Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: str = _ID
    reason: str = Field("", max_length=2000, description="Why: kept in the audit log.")


class Merge(_Correction):
    """`entity` becomes a name of `into`: its aliases and articles move there."""

    action: Literal["merge"] = "merge"
    into: str = _ID


class Split(_Correction):
    """One alias of `entity` is another entity: an existing one (`into`) or a new one
    (named `name`, of `type`; by default the alias itself, of the same type)."""

    action: Literal["split"] = "split"
    alias: str = _NAME
    into: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=300)
    type: EntityType | None = None


class Rename(_Correction):
    action: Literal["rename"] = "rename"
    name: str = _NAME


class Retype(_Correction):
    action: Literal["retype"] = "retype"
    type: EntityType


class Block(_Correction):
    """Never a facet value again ("Revs" as a person; the publisher's own name)."""

    action: Literal["block"] = "block"


class AddAlias(_Correction):
    """Mentions of `alias` resolve to `entity` from now on, whoever held the name before."""

    action: Literal["add_alias"] = "add_alias"
    alias: str = _NAME


Correction = Annotated[
    Merge | Split | Rename | Retype | Block | AddAlias, Field(discriminator="action")
]


class CorrectionError(ValueError):
    """A correction that cannot apply as asked; the message says what to change."""


@dataclass(frozen=True)
class Change:
    """Registry records a correction touches: as they were (None: did not exist) and after."""

    before: dict[str, RegistryEntity | None]
    after: dict[str, RegistryEntity]

    def keys(self) -> set[str]:
        """Alias keys whose mentions may resolve differently now."""
        entities = [*self.after.values(), *(e for e in self.before.values() if e)]
        return {k for e in entities for k in e.alias_keys}


def _entity(view: RegistryView, entity_id: str) -> RegistryEntity:
    found = view.by_id.get(entity_id)
    if found is None:
        raise CorrectionError(f"No entity has the id '{entity_id}'.")
    if found.status == "merged":
        raise CorrectionError(
            f"Entity '{entity_id}' was merged into '{found.merged_into}'; correct that one."
        )
    return found


def _touched(entity: RegistryEntity, now: datetime, **update: object) -> RegistryEntity:
    return entity.model_copy(
        update={**update, "curated": True, "updated_at": now, "restored_from": None}
    )


def apply(correction: Correction, view: RegistryView, now: datetime) -> Change:
    """The registry records before and after `correction`; raises CorrectionError."""
    entity = _entity(view, correction.entity)
    after: dict[str, RegistryEntity]
    if isinstance(correction, Merge):
        after = _merge(entity, _entity(view, correction.into), now)
    elif isinstance(correction, Rename):
        alias = Alias(key=mention_key(correction.name, entity.type), name=correction.name)
        after = _with_curated_alias(view, entity, alias, now, name=correction.name)
    elif isinstance(correction, Retype):
        retyped = list(dict.fromkeys([*entity.retyped_from, entity.type]))
        after = {entity.id: _touched(entity, now, type=correction.type, retyped_from=retyped)}
    elif isinstance(correction, Block):
        after = {entity.id: _touched(entity, now, status="blocked")}
    elif isinstance(correction, AddAlias):
        alias = Alias(key=mention_key(correction.alias, entity.type), name=correction.alias)
        after = _with_curated_alias(view, entity, alias, now)
    else:
        after = _split(view, entity, correction, now)
    return Change(before={i: view.by_id.get(i) for i in after}, after=after)


def _merge(
    source: RegistryEntity, target: RegistryEntity, now: datetime
) -> dict[str, RegistryEntity]:
    if source.id == target.id:
        raise CorrectionError("An entity cannot be merged into itself.")
    if target.status == "blocked":
        raise CorrectionError(f"'{target.name}' is blocked; unblock it (revert) before merging.")
    types = [*target.retyped_from, *source.retyped_from]
    if source.type != target.type:
        types.append(source.type)
    aliases = {a.key: a for a in target.aliases}
    for alias in source.aliases:
        kept = aliases.get(alias.key)
        aliases[alias.key] = alias if kept is None else joined(kept, alias)
    if source.key not in aliases:
        aliases[source.key] = Alias(key=source.key, name=source.name, curated=True)
    return {
        source.id: _touched(source, now, status="merged", merged_into=target.id),
        target.id: _touched(
            target,
            now,
            aliases=list(aliases.values()),
            retyped_from=[t for t in dict.fromkeys(types) if t != target.type],
        ),
    }


def _with_curated_alias(
    view: RegistryView,
    entity: RegistryEntity,
    alias: Alias,
    now: datetime,
    *,
    name: str | None = None,
) -> dict[str, RegistryEntity]:
    """`entity` holding `alias` as curated; any other entity loses it as a curated alias."""
    after: dict[str, RegistryEntity] = {}
    for holder_id in view.by_alias.get(alias.key, ()):
        holder = view.by_id[holder_id]
        old = holder.alias(alias.key)
        if holder.id != entity.id and old is not None and old.curated:
            kept = [a for a in holder.aliases if a.key != alias.key]
            after[holder.id] = _touched(holder, now, aliases=kept)
    aliases = [a for a in entity.aliases if a.key != alias.key]
    previous = entity.alias(alias.key)
    # Counts and forms the entity had under this key, and any `alias` brings (a split moves
    # them along); the editor's name is the alias's name either way.
    both = joined(previous, alias) if previous else alias
    aliases.append(both.model_copy(update={"curated": True, "name": alias.name}))
    update: dict[str, object] = {"aliases": aliases}
    if name is not None:
        update["name"] = name
    after[entity.id] = _touched(entity, now, **update)
    return after


def _split(
    view: RegistryView, entity: RegistryEntity, split: Split, now: datetime
) -> dict[str, RegistryEntity]:
    key = mention_key(split.alias, entity.type)
    found = entity.alias(key)
    if found is None and entity.key != key:
        names = ", ".join(a.name for a in entity.aliases[:20])
        raise CorrectionError(f"'{entity.name}' has no alias '{split.alias}'; it has: {names}.")
    if entity.key == key:
        raise CorrectionError(
            f"'{split.alias}' is the name '{entity.name}' was created under; rename the entity "
            "or merge it instead."
        )
    if split.into is not None:
        target = _entity(view, split.into)
    else:
        type_ = split.type or entity.type
        target = new_entity(type_, key, split.name or split.alias, entity.country, now)
        if target.id in view.by_id:
            target = view.by_id[target.id]
    moved = found or Alias(key=key, name=split.alias)
    alias = moved.model_copy(update={"name": split.alias, "curated": True})
    source = _touched(entity, now, aliases=[a for a in entity.aliases if a.key != key])
    after = {source.id: source}
    after.update(_with_curated_alias(view, target, alias, now))
    after[source.id] = after.get(source.id, source).model_copy(update={"aliases": source.aliases})
    # Names merged into `entity` under this key now follow the alias to its new home.
    for holder_id in view.by_alias.get(key, ()):
        holder = view.by_id[holder_id]
        if holder.status == "merged" and holder.merged_into == entity.id and holder.id != target.id:
            after[holder.id] = _touched(holder, now, merged_into=target.id)
        elif holder.id == target.id and holder.status == "merged":
            after[holder.id] = _touched(after[holder.id], now, status="active", merged_into=None)
    return after
