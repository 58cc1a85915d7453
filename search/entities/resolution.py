"""An article's extracted entities mapped onto registry identities: pure, so ingest and every
editor's correction re-resolve articles the same way, from stored mentions and no model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pycountry

from search.entities.keys import entity_key
from search.entities.registry import Blocked, RegistryEntity, RegistryView, most_used
from search.fields import IDENTITY_SEPARATOR
from search.models import Entity, EntityType

#: Article fields holding names and ids per entity type, in the facets' order.
NAME_FIELDS: Final[dict[EntityType, str]] = {
    "person": "persons",
    "agency": "agencies",
    "location": "locations",
    "group": "groups",
}
ID_FIELDS: Final[dict[EntityType, str]] = {
    "person": "person_ids",
    "agency": "agency_ids",
    "location": "location_ids",
    "group": "group_ids",
}


#: What entity facets count: identity and canonical name in one value (see search.fields).
FACET_FIELDS: Final[dict[EntityType, str]] = {
    "person": "person_facets",
    "agency": "agency_facets",
    "location": "location_facets",
    "group": "group_facets",
}


def mention_key(name: str, type_: EntityType) -> str:
    """The key a name of this type resolves by: the same function extraction keys with."""
    return entity_key(name, type_)


def origin(entity: Entity) -> EntityType:
    """The type extraction gave, which is what the registry resolves by."""
    return entity.extracted_type or entity.type


def resolve_entities(entities: Sequence[Entity], view: RegistryView) -> list[Entity]:
    """Each entity as the registry names it: canonical name, current type and id.

    Blocked entities are kept, marked, so a revert can restore them, and count nowhere; two
    extracted entities that are one identity (a merge, or "GM" and "General Motors" in one
    story) become one, their mentions joined. An entity the view does not resolve has no id
    and is named as the article wrote it (`as_written`).
    """
    resolved: dict[str, Entity] = {}
    for entity in entities:
        found = view.resolve(origin(entity), entity.key)
        if isinstance(found, Blocked):
            slot = f"blocked:{origin(entity)}:{entity.key}"
            resolved[slot] = entity.model_copy(update={"id": found.entity_id, "blocked": True})
            continue
        if found is None:
            slot = f"unresolved:{origin(entity)}:{entity.key}"
            resolved[slot] = entity.model_copy(update={"id": None, "name": as_written(entity)})
            continue
        kept = resolved.get(found.id)
        if kept is not None:
            resolved[found.id] = kept.model_copy(
                update={"mentions": sorted([*kept.mentions, *entity.mentions], key=_start)}
            )
            continue
        resolved[found.id] = entity.model_copy(
            update={
                "blocked": False,
                "id": found.id,
                "name": found.name,
                "type": found.type,
                "extracted_type": origin(entity) if origin(entity) != found.type else None,
                "country": found.country if found.type == "location" else None,
            }
        )
    return _disambiguated(list(resolved.values()), view)


def as_written(entity: Entity) -> str:
    """The name of an entity no identity claims: the form the article wrote it in. The name
    an earlier resolution gave it may say more than the article ("Mike Moore" for a bare
    "Moore" that two people in the archive now answer to)."""
    forms = Counter(" ".join(m.text.split()) for m in entity.mentions)
    own = {f: n for f, n in forms.items() if mention_key(f, origin(entity)) == entity.key}
    return most_used(own) if own else entity.name


#: Identities an article must share with one candidate's usual company (and with no other
#: candidate as many) for a short form to be read as that candidate.
MIN_SHARED_CONTEXT: Final = 2


def _disambiguated(entities: list[Entity], view: RegistryView) -> list[Entity]:
    """Ambiguous short forms ("Baker") read by the company they keep in this article."""
    out: dict[str, Entity] = {}
    for entity in entities:
        short = view.by_id.get(entity.id) if entity.id else None
        chosen = _by_context(short, entities, view) if short else None
        if chosen is not None:
            entity = entity.model_copy(update={"id": chosen.id, "name": chosen.name})
        slot = entity.id or f"unresolved:{origin(entity)}:{entity.key}"
        kept = out.get(slot)
        if kept is not None:
            mentions = sorted([*kept.mentions, *entity.mentions], key=_start)
            entity = kept.model_copy(update={"mentions": mentions})
        out[slot] = entity
    return list(out.values())


def _by_context(
    short: RegistryEntity, entities: list[Entity], view: RegistryView
) -> RegistryEntity | None:
    if len(short.candidate_context) < 2:  # one candidate is no choice to make
        return None
    here = {e.id for e in entities if e.id and e.id != short.id}
    scores = {c: len(here & set(ids)) for c, ids in short.candidate_context.items()}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best, top = ranked[0]
    if top < MIN_SHARED_CONTEXT or (len(ranked) > 1 and ranked[1][1] == top):
        return None
    final = view.final(best)
    return final if final is not None and final.status == "active" else None


def _start(mention: Any) -> int:
    return int(mention.start)


def entity_fields(entities: Iterable[Entity]) -> dict[str, list[str]]:
    """The article's flat entity fields (names, ids, countries, keys) from its entity list."""
    entities = list(entities)
    keys = list(dict.fromkeys(e.key for e in entities))
    entities = [e for e in entities if not e.blocked]
    fields: dict[str, list[str]] = {}
    for type_, name_field in NAME_FIELDS.items():
        of_type = [e for e in entities if e.type == type_]
        fields[name_field] = list(dict.fromkeys(e.name for e in of_type))
        fields[ID_FIELDS[type_]] = list(dict.fromkeys(e.id for e in of_type if e.id))
        fields[FACET_FIELDS[type_]] = list(
            dict.fromkeys(f"{e.id or ''}{IDENTITY_SEPARATOR}{e.name}" for e in of_type)
        )
    fields["countries"] = list(dict.fromkeys(e.country for e in entities if e.country))
    fields["entity_keys"] = keys
    return fields


@dataclass(frozen=True, slots=True)
class Sighting:
    """One article's evidence about one extracted entity: how it was typed, keyed and named,
    and the surface forms its mentions took (the aliases the registry learns)."""

    type: EntityType
    key: str
    name: str
    country: str | None
    surfaces: tuple[str, ...]


def fold_partial_names(entities: Sequence[Entity]) -> list[Entity]:
    """A "person" whose name stands whole inside an organisation's name in the same story is
    that organisation cut short ("Phelps" beside "Duff and Phelps", "Brasil" beside "Banco
    do Brasil", "L.F. Rothschild" beside "L.F. Rothschild, Unterberg, Towbin"): its mentions
    join the organisation."""
    agencies = [e for e in entities if e.type == "agency" and " " in e.key]
    folded: dict[int, Entity] = {}  # position of a person -> the organisation it names
    for n, entity in enumerate(entities):
        whole = next((a for a in agencies if entity.type == "person" and _inside(entity, a)), None)
        if whole is not None:
            folded[n] = whole
    if not folded:
        return list(entities)
    extra: dict[str, list[Any]] = {}
    for n, whole in folded.items():
        extra.setdefault(whole.key, []).extend(entities[n].mentions)
    out = []
    for n, entity in enumerate(entities):
        if n in folded:
            continue
        if entity.type == "agency" and entity.key in extra:
            joined = sorted([*entity.mentions, *extra.pop(entity.key)], key=_start)
            entity = entity.model_copy(update={"mentions": joined})
        out.append(entity)
    return out


def _inside(person: Entity, agency: Entity) -> bool:
    words, whole = person.key.split(), agency.key.split()
    return 0 < len(words) < len(whole) and any(
        whole[i : i + len(words)] == words for i in range(len(whole) - len(words) + 1)
    )


def sightings(entities: Iterable[Entity]) -> list[Sighting]:
    return [
        Sighting(
            origin(e),
            e.key,
            e.name,
            e.country,
            tuple(dict.fromkeys(" ".join(m.text.split()) for m in e.mentions)),
        )
        for e in entities
    ]


def alias_observations(sighting: Sighting) -> dict[str, tuple[str, int]]:
    """The alias keys one article gives its entity (once per article): its own key and every
    surface form the mentions took, e.g. "Reagan" beside "Ronald Reagan"."""
    seen: dict[str, tuple[str, int]] = {sighting.key: (sighting.name, 1)}
    for surface in sighting.surfaces:
        key = mention_key(surface, sighting.type)
        if key and key not in seen:
            seen[key] = (surface, 1)
    return seen


def short_form_links(found: Sequence[Sighting]) -> list[tuple[Sighting, str, str]]:
    """Evidence one article gives that an agency's shorter name stands for a fuller one beside
    it: its initials in order or not ("GM" beside "General Motors", "USDA" beside "U.S.
    Agriculture Department"), a clipped first word ("Fed" beside "Federal Reserve"), the
    possessive or head word of a firm ("Moody" beside "Moody's Investors Service", "Ford"
    beside "Ford Motor Co"), or the name without its country ("Senate" beside "U.S. Senate").
    Returned as (the full sighting, short key, short name); the registry counts them as links,
    and only the archive's count decides (see consolidate)."""
    agencies = [s for s in found if s.type == "agency"]
    fulls = [s for s in agencies if len(s.key.split()) > 1]
    links = [(f, s.key, s.name) for f in fulls for s in agencies if _qualifies(f.key, s.key)]
    shorts = [s for s in agencies if len(s.key) >= 2 and " " not in s.key]
    for short in shorts:
        # An acronym starts longer names of other bodies ("EC Commission", "IBM Japan"): only
        # its letters link it; a word ("Ford", "Moody") may also head or own a firm's name.
        spelled_only = short.name.replace(".", "").isupper()
        for full in fulls:
            if _shortens(short.key, full.key, spelled_only=spelled_only):
                links.append((full, short.key, short.name))
    return links


def _shortens(short: str, full: str, *, spelled_only: bool = False) -> bool:
    first = full.split()[0]
    clipped = (
        MIN_CLIPPED <= len(short) <= MAX_CLIPPED
        and first.startswith(short)
        and len(first) >= len(short) + 3
    )
    spelled = initials(full)
    reordered = len(short) >= MIN_CLIPPED and sorted(spelled) == sorted(short)
    if short == spelled or reordered:
        return True
    return not spelled_only and (clipped or first in (short, f"{short}s"))


#: Country codes as a folding key writes them ("U.S." -> "us"), which wire copy puts before an
#: institution's name in one story and leaves out in the next.
COUNTRY_QUALIFIERS: Final = frozenset(
    {c.alpha_2.lower() for c in pycountry.countries} | {"uk", "eu"}
)
#: A clipped form is a few letters of a longer word ("Fed", "Treas"), not a word of its own
#: that happens to start another ("Congress" in "Congressional").
MIN_CLIPPED: Final = 3
MAX_CLIPPED: Final = 5
SMALL_WORDS: Final = frozenset({"of", "the", "and", "for", "de", "du", "la", "le", "et", "&"})


def _qualifies(full: str, short: str) -> bool:
    """ "us agriculture department" is "agriculture department" with a country qualifier."""
    qualifier, _, rest = full.partition(" ")
    return rest == short and qualifier in COUNTRY_QUALIFIERS


def initials(key: str) -> str:
    """ "securities and exchange commission" -> "sec"; "us department of agriculture" ->
    "usda" (a two-letter first word such as "us" counts letter by letter)."""
    words = [w for w in key.split() if w not in SMALL_WORDS]
    return "".join(w if len(w) == 2 and i == 0 else w[0] for i, w in enumerate(words))


def most_common_name(names: Iterable[str]) -> str:
    return Counter(names).most_common(1)[0][0]
