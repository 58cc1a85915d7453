"""The slice of the registry an ingest run can have changed the short-form evidence of, so the
consolidation after a run reads that slice instead of the whole registry.

A short form's decision (see consolidate) reads the short form, every entity it fits (a full
name it is the surname of, a name it spells the initials of, a name the archive linked it to)
and their link counts; a two-type reading reads the entities sharing one key, a spelling
those sharing its `spelling_of`. A run changes the decision only if it touched one of those,
so the slice is: what the run touched (created, counted, or corrected while it ran), the short
forms those entities can be a fit of, every fit of those short forms, and the other spellings
of the touched names. Planning the short forms over that slice gives the merges a pass over
the whole registry would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from opensearchpy import OpenSearch

from search.entities import store
from search.entities.keys import number_keys
from search.entities.registry import RegistryEntity, RegistryView
from search.entities.resolution import SMALL_WORDS, initials

#: Above this share of the registry touched, reading it whole costs less than the slice.
FULL_SHARE: Final = 0.25
#: Lucene's default `index.max_regex_length` is 1000; one expression stays well under it.
MAX_PATTERN: Final = 800


@dataclass(frozen=True)
class Touched:
    """What one ingest run changed: the entities it created or counted, and when it started
    (an entity an editor corrected since then counts as touched too)."""

    ids: frozenset[str]
    since: datetime
    #: Entities two writers created at once: articles of one may carry the other's name.
    contested: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Scope:
    """The entities to plan over, and which decisions to take again."""

    view: RegistryView
    shorts: frozenset[str]  # ids of the entities whose short-form decision is taken again
    retype_keys: frozenset[str]  # keys whose types, numbers and spellings are weighed again


def evidence_keys(entity: RegistryEntity) -> set[str]:
    """Keys of the short forms whose decision reads `entity`: its own (it may be one), a
    group's other number, and, for a name of several words, its surname (a person) or initials
    (anything else, up to six words) and the short names the archive linked to it. Mirrors
    `plan_merges`' indexes."""
    keys = {entity.key}
    if entity.type == "group":
        keys |= number_keys(entity.key)
    words = entity.key.split()
    if len(words) > 1:
        if entity.type == "person":
            keys.add(words[-1])
        elif len(words) <= 6:
            keys.add(initials(entity.key))
        keys |= {a.key for a in entity.aliases if a.key != entity.key and a.count > 0}
    return keys


def _literal(text: str) -> str:
    """`text` as a Lucene regular expression matching it alone."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\{c}" for c in text)


def last_word_patterns(words: Iterable[str]) -> list[str]:
    """Lucene regular expressions that together match every key of two or more words ending
    in one of `words` ("ronald reagan" for "reagan"); one expression per MAX_PATTERN chars."""
    patterns: list[str] = []
    group: list[str] = []
    for word in sorted(set(words)):
        group.append(_literal(word))
        if sum(len(w) + 1 for w in group) > MAX_PATTERN:
            patterns.append(f".* ({'|'.join(group)})")
            group = []
    if group:
        patterns.append(f".* ({'|'.join(group)})")
    return patterns


_SMALL: Final = "(" + "|".join(_literal(w) for w in sorted(SMALL_WORDS)) + ")"


def initials_pattern(short: str) -> str:
    """A Lucene regular expression matching every key whose `initials` are `short` ("usda":
    "us department of agriculture", "u s department of agriculture"), and some keys that are
    not: callers check each match with `initials`."""

    def rest(letters: str) -> str:
        gap = f"( {_SMALL})*"
        return "".join(f"{gap} {_literal(c)}[^ ]*" for c in letters) + gap

    ways = [f"{_literal(short[0])}[^ ]*{rest(short[1:])}"]
    if len(short) > 1:  # a two-letter first word counts letter by letter ("us")
        ways.append(f"{_literal(short[:2])}{rest(short[2:])}")
    return f"({_SMALL} )*({'|'.join(ways)})"


def load(client: OpenSearch, registry: str, touched: Touched) -> Scope | None:
    """The slice `touched` can have changed, or None when the registry should be read whole:
    it was never consolidated (an archive from before this rule), or the run touched a large
    share of it. Corrections since the last consolidation count as touched, so an editor's
    merge between two runs still moves the short forms around it."""
    last = store.consolidated_at(client, registry)
    if last is None:
        return None
    ids = set(touched.ids) | store.ids_updated_since(client, registry, min(last, touched.since))
    if len(ids) > FULL_SHARE * store.count(client, registry):
        return None
    changed = store.fetch_ids(client, registry, ids)
    keys = {k for entity in changed for k in evidence_keys(entity)}
    view = store.view_for_keys(client, registry, keys)
    # The other spellings of the changed names (same_name.plan_spellings).
    for entity in store.fetch_by_keys(client, registry, {e.spelling for e in changed}, "spelling"):
        view.put(entity)
    shorts = {e.id for e in view.by_id.values() if e.key in keys}
    for entity in store.fetch_by_patterns(client, registry, _shape_patterns(view, shorts)):
        view.put(entity)
    store.complete_merges(client, registry, view)
    return Scope(view, frozenset(shorts), frozenset(e.key for e in changed))


def _shape_patterns(view: RegistryView, shorts: Iterable[str]) -> list[str]:
    """What finds every full name a one-word short form fits by shape: the names a person's
    surname ends, the names an agency or place spells the initials of."""
    one_word = [
        e
        for e in (view.by_id[i] for i in shorts)
        if " " not in e.key and len(e.key) > 1 and not e.key.isdigit()
    ]
    surnames = {e.key for e in one_word if e.type == "person"}
    spelled = {e.key for e in one_word if e.type in ("agency", "location")}
    return [*last_word_patterns(surnames), *(initials_pattern(k) for k in sorted(spelled))]
