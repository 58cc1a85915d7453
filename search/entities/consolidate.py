"""Archive-wide short forms: "Reagan" -> Ronald Reagan, "GM" -> General Motors, decided from
what the archive itself shows, never guessed.

Articles that name only "Reagan" may be ingested before any that say "Ronald Reagan", so an
entity for the bare surname exists until the archive links the two. The evidence is of two
kinds: *links* (articles in which coreference mapped the short form to the full name, counted
as the full entity's alias) and *shape* (a lone surname is the last word of a full name; an
acronym spells the initials of a name). A short form joins the one entity at least
`MIN_LINKS` articles link it to, or the one with `DOMINANT` times the links of any other; a
lone surname with no such link joins the only full name it is the surname of; an agency's
short form linked to nested names of one body ("Federal Reserve", "Federal Reserve Board")
joins them all. Where two or more distinct entities are so linked ("Baker": James Baker,
Howard Baker) it stays apart, with its candidates and the company each keeps recorded, and each
article is read by the names around it (`resolution._by_context`). Entities an editor touched
are left alone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from opensearchpy import OpenSearch

from search.entities import store
from search.entities.curation import Merge, apply
from search.entities.editing import RESOLVER, new_entry, record
from search.entities.gc_pause import gc_paused
from search.entities.incremental import Touched, load
from search.entities.keys import singular_key, spelling_of
from search.entities.naming import apply_renames, plan_renames
from search.entities.registry import DOMINANT, RegistryEntity, RegistryView
from search.entities.reresolve import reresolve_articles
from search.entities.resolution import ID_FIELDS, SMALL_WORDS, initials
from search.entities.same_name import alias_links, plan_numbers, plan_retypes, plan_spellings

#: Articles that must use a short form for an entity (coreference inside the article, an
#: acronym defined there) before the archive counts the entity as one it can stand for.
MIN_LINKS: Final = 3
#: With a single fit and fewer than MIN_LINKS links, the links needed as a share of the short
#: form's own articles.
SOLE_FIT_SHARE: Final = 0.05
#: Plans made and applied at most per consolidation: a merge can decide what its plan could not
#: ("ICO" fits two spellings of the coffee organisation alike until they are joined).
MAX_ROUNDS: Final = 4
#: Candidates recorded for an ambiguous short form, the best linked first.
MAX_CANDIDATES: Final = 5


@dataclass(frozen=True)
class Plan:
    merges: list[tuple[str, str, str]]  # (short form id, full entity id, evidence)
    ambiguous: dict[str, list[str]]  # short form id -> candidate ids


def _is_short_form(entity: RegistryEntity) -> bool:
    """One word ("Reagan", "GM", "Fed"), or an agency that a country qualifier lengthens in
    other stories ("Agriculture Department", "U.S. Agriculture Department")."""
    words = entity.key.split()
    if entity.type == "agency" and len(words) > 1:
        return True
    if len(words) != 1 or len(words[0]) < 2 or words[0].isdigit():
        return False
    return entity.type in ("person", "agency", "location")


def plan_merges(
    entities: Iterable[RegistryEntity],
    shorts: Collection[str] | None = None,
    retype_keys: Collection[str] | None = None,
) -> Plan:
    """Which one-word entities are short forms of one fuller entity (pure). `shorts` and
    `retype_keys` limit the decisions taken to those entities and keys (every fit of them must
    be among `entities`); None takes them all."""
    active = [e for e in entities if e.status == "active"]
    by_last: dict[str, list[RegistryEntity]] = defaultdict(list)
    by_initials: dict[str, list[RegistryEntity]] = defaultdict(list)
    by_alias: dict[str, list[RegistryEntity]] = defaultdict(list)
    for entity in active:
        words = entity.key.split()
        if len(words) > 1:
            if entity.type == "person":
                by_last[words[-1]].append(entity)
            elif len(words) <= 6:
                by_initials[initials(entity.key)].append(entity)
            for alias in entity.aliases:
                if alias.key != entity.key and alias.count > 0:
                    by_alias[alias.key].append(entity)
    merges: list[tuple[str, str, str]] = []
    ambiguous: dict[str, list[str]] = {}
    for short in active:
        if short.curated or not _is_short_form(short):
            continue
        if shorts is not None and short.id not in shorts:
            continue
        if " " in short.key:
            shaped = []
        elif short.type == "person":
            shaped = by_last[short.key]
        else:
            shaped = by_initials[short.key]
        fits = {e.id: e for e in (*shaped, *by_alias[short.key]) if e.answers_to(short.type)}
        fits.pop(short.id, None)
        if not fits:
            continue
        links = {i: alias_links(e, short.key) for i, e in fits.items()}
        ranked = sorted(fits, key=lambda i: (-links[i], i))
        joined = _decide(short, fits, links, ranked)
        if joined:
            merges.extend(joined)
        elif len(fits) > 1 and " " not in short.key:
            # A one-word name several entities answer to; a longer name that joined none is
            # a name of its own, not an ambiguous short form.
            ambiguous[short.id] = ranked[:MAX_CANDIDATES]
    retyped = [e for e in active if retype_keys is None or e.key in retype_keys]
    stems = None if retype_keys is None else {singular_key(k) for k in retype_keys}
    numbered = [e for e in active if stems is None or singular_key(e.key) in stems]
    spellings = None if retype_keys is None else {spelling_of(k) for k in retype_keys}
    spelled = [e for e in active if spellings is None or e.spelling in spellings]
    same_names = [*plan_retypes(retyped), *plan_numbers(numbered), *plan_spellings(spelled)]
    return Plan([*same_names, *merges], ambiguous)


def _decide(
    short: RegistryEntity,
    fits: dict[str, RegistryEntity],
    links: dict[str, int],
    ranked: list[str],
) -> list[tuple[str, str, str]]:
    """The merges one short form's evidence supports; none means it stays ambiguous."""
    # Linked to an entity less than a DOMINANT-th as often as to the best is noise.
    floor = max(MIN_LINKS, math.ceil(links[ranked[0]] / DOMINANT))
    known = [i for i in ranked if links[i] >= floor]
    if not known:
        if len(fits) == 1 and _sole_fit(short, fits[ranked[0]], links[ranked[0]]):
            return [(short.id, ranked[0], "the only entity it fits")]
        return []
    best = known[0]
    why = f"{links[best]} articles use it for this entity"
    if len(known) == 1 and " " in short.key:
        # Two full names of one body ("Federal Reserve", "U.S. Federal Reserve"): the one
        # more stories use is the name kept, so the other joins it.
        full = fits[best]
        if alias_links(short, short.key) >= alias_links(full, full.key) and not full.curated:
            return [(best, short.id, f"{why}; named as most stories name it")]
    if len(known) == 1:
        return [(short.id, best, f"{why}, under a {DOMINANT}th as many for any other")]
    if short.type == "agency" and all(_one_body(fits[best], fits[i]) for i in known[1:]):
        # "Fed" used for "Federal Reserve", "Federal Reserve Board" and "U.S. Federal
        # Reserve" alike: nested names of one body, joined with the short form.
        others = [
            (i, best, f"a longer or shorter name of it, both called {short.name}")
            for i in known[1:]
            if not fits[i].curated
        ]
        return [(short.id, best, f"{why} and its nested names"), *others]
    return []


def _one_body(a: RegistryEntity, b: RegistryEntity) -> bool:
    """Two agencies one of whose well-used names stands whole in one of the other's, or
    says the same words in another order ("U.S. Agriculture Department", "U.S. Department
    of Agriculture")."""
    names_a = [k.split() for k in _used_keys(a)]
    names_b = [k.split() for k in _used_keys(b)]
    return any(_nested(x, y) or _same_words(x, y) for x in names_a for y in names_b)


def _same_words(a: list[str], b: list[str]) -> bool:
    return sorted(w for w in a if w not in SMALL_WORDS) == sorted(
        w for w in b if w not in SMALL_WORDS
    )


def _used_keys(entity: RegistryEntity) -> list[str]:
    return [entity.key, *(a.key for a in entity.aliases if a.count >= MIN_LINKS and " " in a.key)]


def _nested(a: list[str], b: list[str]) -> bool:
    """One word sequence stands whole inside the other."""
    short, long = sorted((a, b), key=len)
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def _sole_fit(short: RegistryEntity, full: RegistryEntity, links: int) -> bool:
    """A surname joins the only full name it ends. An acronym that spells the only name it
    fits joins it once an article links the two; any other short form needs MIN_LINKS. Both
    need links in proportion to the short form's own use: one story that defines "FED" as
    something obscure does not claim two hundred stories about the Fed."""
    own = alias_links(short, short.key)
    if short.type == "person" and full.key.split()[-1] == short.key:
        # ... provided the full name is no stray of a single story beside a much-used word.
        return alias_links(full, full.key) >= math.ceil(SOLE_FIT_SHARE * 2 * own)
    floor = 1 if initials(full.key) == short.key else min(MIN_LINKS, own)
    return links >= max(floor, math.ceil(SOLE_FIT_SHARE * own))


def consolidate(
    client: OpenSearch, articles_alias: str, touched: Touched | None = None
) -> dict[str, int]:
    """Plan, apply the merges as the resolver, record the ambiguous. Without `touched` the
    plan covers the whole registry (`newsroom entities consolidate`); with an ingest run's, only
    the decisions that run can have changed (see incremental), which is the same plan for a
    fraction of the reading and of the significant-terms searches."""
    with gc_paused():
        return _consolidate(client, articles_alias, touched)


def _consolidate(
    client: OpenSearch, articles_alias: str, touched: Touched | None
) -> dict[str, int]:
    registry = store.registry_alias(articles_alias)
    started = datetime.now(UTC)
    client.indices.refresh(index=registry)
    scope = load(client, registry, touched) if touched is not None else None
    if scope is None:
        view = RegistryView(store.scan_all(client, registry))
        planned: Collection[str] = view.by_id.keys()
    else:
        view, planned = scope.view, scope.shorts
    # A view of the whole registry also serves the articles' re-resolution.
    whole = view if scope is None else None
    shorts, retype_keys = (scope.shorts, scope.retype_keys) if scope else (None, None)
    merged = 0
    for _ in range(MAX_ROUNDS):
        plan = plan_merges(view.by_id.values(), shorts, retype_keys)
        made = _apply_merges(client, articles_alias, view, plan.merges, whole)
        merged += made
        if not made:
            break
    renames = plan_renames(view.by_id.values())
    renamed = apply_renames(client, articles_alias, view, renames, whole)
    # Articles a worker named before it found another had created the entity: a rename has
    # rewritten them already; the rest are brought in line with the stored name.
    if stale := (touched.contested if touched else frozenset()) - {i for i, _ in renames}:
        reresolve_articles(client, articles_alias, stale, (), registry_now=whole)
    _flag_ambiguous(client, articles_alias, view, plan.ambiguous, planned, whole)
    store.mark_consolidated(client, registry, started)
    return {"merged": merged, "renamed": renamed, "ambiguous": len(plan.ambiguous)}


def _apply_merges(
    client: OpenSearch,
    articles_alias: str,
    view: RegistryView,
    merges: list[tuple[str, str, str]],
    whole: RegistryView | None,
) -> int:
    """Apply the planned merges to `view` and the registry, audited as the resolver's;
    returns how many were made."""
    now = datetime.now(UTC)
    changes = []
    # A merge moves the short form's names to the full entity, whose id, name, type and own
    # names stay as they were: only stories naming the short form can read differently.
    moved: tuple[set[str], set[str]] = (set(), set())
    for short_id, full_id, why in merges:
        # An earlier merge of this plan may have moved the target on, or taken the short form.
        target = view.final(full_id)
        if target is None or target.id == short_id or view.by_id[short_id].status != "active":
            continue
        moved[0].add(short_id)
        moved[1].update(view.by_id[short_id].alias_keys)
        change = apply(Merge(entity=short_id, into=target.id, reason=why), view, now)
        for entity in change.after.values():
            # The resolver's merge makes nothing an editor's; what an editor made stays so
            # (a target an editor named keeps its name through later renames).
            was = change.before.get(entity.id)
            view.put(entity.model_copy(update={"curated": bool(was and was.curated)}))
        changes.append((new_entry("merge", RESOLVER, why, change, now), change))
    for entry, change in changes:
        for entity_id in change.after:
            change.after[entity_id] = view.by_id[entity_id]
        entry.after = [s.model_copy(update={"entity": view.by_id[s.id]}) for s in entry.after]
    written = record(client, articles_alias, changes, whole, moved) if changes else []
    return len(written)


def _flag_ambiguous(
    client: OpenSearch,
    articles_alias: str,
    view: RegistryView,
    ambiguous: dict[str, list[str]],
    planned: Collection[str],
    whole: RegistryView | None,
) -> None:
    """Record each ambiguous short form's candidates and the company each keeps; clear them
    from the planned short forms the archive no longer finds ambiguous."""
    named = {c: view.by_id[c].key for cs in ambiguous.values() for c in cs}
    context = company(client, articles_alias, named)
    flagged = []
    for short_id, candidates in ambiguous.items():
        known = {c: [i for i in context.get(c, []) if i != short_id] for c in candidates}
        short = view.by_id[short_id]
        if short.candidates != candidates or short.candidate_context != known:
            flagged.append(
                short.model_copy(update={"candidates": candidates, "candidate_context": known})
            )
    # Short forms the archive no longer finds ambiguous (one joined, or the evidence moved).
    flagged += [
        e.model_copy(update={"candidates": [], "candidate_context": {}})
        for e in view.by_id.values()
        if e.candidates and e.status == "active" and e.id not in ambiguous and e.id in planned
    ]
    store.write_entities(client, store.registry_alias(articles_alias), flagged)
    for entity in flagged:
        view.put(entity)
    if flagged:
        # By key too: stories a short form was read in by its company carry the reading now.
        reresolve_articles(
            client,
            articles_alias,
            {e.id for e in flagged},
            {e.key for e in flagged},
            registry_now=whole,
        )


#: Stories an identity needs before the company it keeps can decide a short form.
MIN_CONTEXT_ARTICLES: Final = 5
#: Identities kept per candidate as the company it keeps.
CONTEXT_SIZE: Final = 30
_SEARCHES_PER_CALL: Final = 100


def company(client: OpenSearch, articles_alias: str, ids: dict[str, str]) -> dict[str, list[str]]:
    """For each identity, those named unusually often in the same articles, against the whole
    archive (significant terms, one msearch per 100 identities). "United States" beside
    everyone tells nothing; an identity seen in fewer than MIN_CONTEXT_ARTICLES stories has no
    company worth reading a short form by. Only stories that name the identity in full (by its
    own key) count, so a reading made by company never feeds the company it was read by."""
    ordered = sorted(ids)
    out: dict[str, list[str]] = {}
    for start in range(0, len(ordered), _SEARCHES_PER_CALL):
        chunk = ordered[start : start + _SEARCHES_PER_CALL]
        lines: list[dict[str, Any]] = []
        for entity_id in chunk:
            lines.append({"index": articles_alias})
            lines.append(_company_body(entity_id, ids[entity_id]))
        answers = client.msearch(body=lines)["responses"]
        for entity_id, answer in zip(chunk, answers, strict=True):
            if int(answer.get("hits", {}).get("total", {}).get("value", 0)) < MIN_CONTEXT_ARTICLES:
                out[entity_id] = []
                continue
            buckets = [
                (b["key"], b["doc_count"])
                for agg in answer.get("aggregations", {}).values()
                for b in agg["buckets"]
                if b["key"] != entity_id
            ]
            buckets.sort(key=lambda kv: (-kv[1], kv[0]))
            out[entity_id] = [key for key, _ in buckets[:CONTEXT_SIZE]]
    return out


def _company_body(entity_id: str, key: str) -> dict[str, Any]:
    fields = list(ID_FIELDS.values())
    named = {"bool": {"should": [{"term": {f: entity_id}} for f in fields]}}
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": [named, {"term": {"entity_keys": key}}]}},
        "aggs": {
            f: {"significant_terms": {"field": f, "size": CONTEXT_SIZE, "min_doc_count": 2}}
            for f in fields
        },
    }
