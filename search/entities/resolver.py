"""Ingest-time resolution: each batch's extracted entities mapped to registry identities, new
names registered, and the aliases each article shows learned, in two OpenSearch calls a batch."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from opensearchpy import OpenSearch

from search.entities import store
from search.entities.gc_pause import gc_paused
from search.entities.incremental import Touched
from search.entities.known import KnownNames
from search.entities.registry import (
    Blocked,
    RegistryEntity,
    RegistryView,
    Resolution,
    learned,
    new_entity,
)
from search.entities.resolution import (
    Sighting,
    alias_observations,
    entity_fields,
    fold_partial_names,
    resolve_entities,
    short_form_links,
    sightings,
)
from search.models import Article, Entity, EntityType

#: Batches between writes of the alias counts the run has gathered.
FLUSH_BATCHES = 20


class Resolver:
    """Resolves batches of articles against the registry of one articles alias.

    The view it keeps grows with the run, so a name met in every batch is fetched once; what
    it has not seen is looked up by key. Editors' corrections made while a run goes on reach
    the run's later batches only for names it had not met yet; the consolidation after the
    run, which counts them as touched (see incremental), settles the rest.
    """

    def __init__(self, client: OpenSearch, articles_alias: str) -> None:
        self._client = client
        self._alias = store.registry_alias(articles_alias)
        store.ensure_registry(client, articles_alias)
        self._view = RegistryView()
        self._looked_up: set[str] = set()
        self._known = KnownNames(store.scan_curated(client, self._alias))
        self._pending: dict[str, dict[str, dict[str, int]]] = {}
        self._batches = 0
        self._started = datetime.now(UTC)
        # Ids only: even a whole archive's entities fit in memory as strings.
        self._touched: set[str] = set()
        self._contested: set[str] = set()

    def touched(self) -> Touched:
        """What this run created or counted, for the consolidation that follows it."""
        return Touched(frozenset(self._touched), self._started, frozenset(self._contested))

    def resolve_articles(self, articles: Sequence[Article]) -> list[Article]:
        """The articles with entities resolved and their flat entity fields rewritten; names
        editors confirmed are added where the model missed them."""
        with gc_paused():
            return self._resolve_articles(articles)

    def _resolve_articles(self, articles: Sequence[Article]) -> list[Article]:
        extracted = [fold_partial_names(a.entities) for a in articles]
        if len(self._known):
            extracted = [
                [*found, *self._known.find(a.body, found)]
                for a, found in zip(articles, extracted, strict=True)
            ]
        seen = [sightings(found) for found in extracted]
        self._load({s.key for found in seen for s in found})
        links = [link for found in seen for link in short_form_links(found)]
        created = self._register([s for found in seen for s in found], links)
        # New entities are written at once, and before the articles naming their ids leave
        # here; the request runs on a thread while this one resolves the articles.
        counts = {i: self._pending.pop(i, {}) for i in created}
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry") as pool:
            writing = pool.submit(store.create_entities, self._client, self._alias, created, counts)
            resolved = [
                with_entities(a, resolve_entities(found, self._view))
                for a, found in zip(articles, extracted, strict=True)
            ]
            self._contested |= writing.result()
        # Alias counts of known entities are only evidence: they gather in memory and go out
        # every FLUSH_BATCHES.
        self._batches += 1
        if self._batches % FLUSH_BATCHES == 0:
            self.flush()
        return resolved

    def _load(self, keys: set[str]) -> None:
        unknown = keys - self._looked_up
        if not unknown:
            return
        view = store.view_for_keys(self._client, self._alias, unknown)
        for entity in view.by_id.values():
            self._view.put(entity)
        self._looked_up |= unknown

    def _register(
        self, found: list[Sighting], links: list[tuple[Sighting, str, str]]
    ) -> dict[str, RegistryEntity]:
        """Add what is new to the view and what each article taught about aliases; returns
        the new entities, to be written."""
        named = {(s.type, s.key) for s in found} | {(f.type, f.key) for f, _, _ in links}
        resolved = {name: self._view.resolve(*name) for name in named}
        created = self._new_entities(found, resolved)
        observed: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
        for sighting in found:
            target = resolved[(sighting.type, sighting.key)]
            if target is None or isinstance(target, Blocked):
                continue
            for key, (name, count) in alias_observations(sighting).items():
                _count(observed[target.id], key, name, count)
        for full, key, name in links:
            target = resolved[(full.type, full.key)]
            if isinstance(target, RegistryEntity) and key not in target.alias_keys[:1]:
                _count(observed[target.id], key, name, 1)
        self._touched.update(created, observed)
        for entity_id, counts in observed.items():
            entity = learned(self._view.by_id[entity_id], counts)
            self._view.put(entity)
            if entity_id in created:
                created[entity_id] = entity
            pending = self._pending.setdefault(entity_id, {})
            for key, forms in counts.items():
                for name, count in forms.items():
                    _count(pending, key, name, count)
        return created

    def _new_entities(
        self, found: list[Sighting], resolved: dict[tuple[EntityType, str], Resolution]
    ) -> dict[str, RegistryEntity]:
        """An entity for each name nothing resolves, put in the view; `resolved` updated."""
        now = datetime.now(UTC)
        new: dict[tuple[EntityType, str], list[Sighting]] = defaultdict(list)
        for sighting in found:
            if resolved[(sighting.type, sighting.key)] is None:
                new[(sighting.type, sighting.key)].append(sighting)
        created = {}
        replaced = False
        for (type_, key), group in new.items():
            entity = new_entity(type_, key, *_naming(group), now)
            replaced = replaced or entity.id in self._view.by_id
            self._view.put(entity)
            created[entity.id] = entity
        # A new entity answers only to its own key and type, so other names resolve as they
        # did; unless it took the id of one the view held (a name several entities share),
        # which may move any of that one's names.
        again = resolved.keys() if replaced else new.keys()
        resolved.update({name: self._view.resolve(*name) for name in again})
        return created

    def flush(self) -> None:
        """Write the alias counts gathered since the last flush (the end of a run calls it)."""
        if self._pending:
            entities = {i: self._view.by_id[i] for i in self._pending}
            store.learn(self._client, self._alias, entities, self._pending)
            self._pending = {}


def _naming(group: list[Sighting]) -> tuple[str, str | None]:
    """The name and country most of a new entity's sightings give it."""
    if len(group) == 1:  # the common case, without two Counters
        return group[0].name, group[0].country
    name = Counter(s.name for s in group).most_common(1)[0][0]
    countries = Counter(s.country for s in group if s.country)
    return name, countries.most_common(1)[0][0] if countries else None


def _count(counts: dict[str, dict[str, int]], key: str, name: str, n: int) -> None:
    forms = counts.setdefault(key, {})
    forms[name] = forms.get(name, 0) + n


def with_entities(article: Article, entities: list[Entity]) -> Article:
    """`article` carrying `entities` and the flat fields derived from them."""
    return article.model_copy(update={"entities": entities, **entity_fields(entities)})
