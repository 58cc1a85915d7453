"""Ingest-time resolution: each batch's extracted entities mapped to registry identities, new
names registered, and the aliases each article shows learned, in two OpenSearch calls a batch."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from opensearchpy import OpenSearch

from search.entities import store
from search.entities.known import KnownNames
from search.entities.registry import Blocked, RegistryEntity, RegistryView, learned, new_entity
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
    the run's later batches only for names it had not met yet; `newsroom entities
    consolidate` (run after every ingest) settles the rest.
    """

    def __init__(self, client: OpenSearch, articles_alias: str) -> None:
        self._client = client
        self._alias = store.registry_alias(articles_alias)
        store.ensure_registry(client, articles_alias)
        self._view = RegistryView()
        self._looked_up: set[str] = set()
        self._known = KnownNames(store.scan_curated(client, self._alias))
        self._pending: dict[str, dict[str, tuple[str, int]]] = {}
        self._batches = 0

    def resolve_articles(self, articles: Sequence[Article]) -> list[Article]:
        """The articles with entities resolved and their flat entity fields rewritten; names
        editors confirmed are added where the model missed them."""
        articles = [with_entities(a, fold_partial_names(a.entities)) for a in articles]
        if len(self._known):
            articles = [self._with_known(a) for a in articles]
        seen = [sightings(a.entities) for a in articles]
        self._load({s.key for found in seen for s in found})
        links = [link for found in seen for link in short_form_links(found)]
        self._register([s for found in seen for s in found], links)
        return [with_entities(a, resolve_entities(a.entities, self._view)) for a in articles]

    def _with_known(self, article: Article) -> Article:
        found = self._known.find(article.body, article.entities)
        if not found:
            return article
        return with_entities(article, [*article.entities, *found])

    def _load(self, keys: set[str]) -> None:
        unknown = keys - self._looked_up
        if not unknown:
            return
        view = store.view_for_keys(self._client, self._alias, unknown)
        for entity in view.by_id.values():
            self._view.put(entity)
        self._looked_up |= unknown

    def _register(self, found: list[Sighting], links: list[tuple[Sighting, str, str]]) -> None:
        """Create what is new and add what each article taught about aliases."""
        now = datetime.now(UTC)
        new: dict[tuple[EntityType, str], list[Sighting]] = defaultdict(list)
        for sighting in found:
            if self._view.resolve(sighting.type, sighting.key) is None:
                new[(sighting.type, sighting.key)].append(sighting)
        new_entities = []
        for (type_, key), group in new.items():
            name = Counter(s.name for s in group).most_common(1)[0][0]
            countries = Counter(s.country for s in group if s.country)
            country = countries.most_common(1)[0][0] if countries else None
            entity = new_entity(type_, key, name, country, now)
            self._view.put(entity)
            new_entities.append(entity)
        observed: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
        for sighting in found:
            target = self._view.resolve(sighting.type, sighting.key)
            if target is None or isinstance(target, Blocked):
                continue
            for key, (name, count) in alias_observations(sighting).items():
                _count(observed[target.id], key, name, count)
        for full, key, name in links:
            target = self._view.resolve(full.type, full.key)
            if isinstance(target, RegistryEntity) and key not in target.alias_keys[:1]:
                _count(observed[target.id], key, name, 1)
        created = {e.id: e for e in new_entities}
        for entity_id, counts in observed.items():
            entity = learned(self._view.by_id[entity_id], counts)
            self._view.put(entity)
            if entity_id in created:
                created[entity_id] = entity
            pending = self._pending.setdefault(entity_id, {})
            for key, (name, count) in counts.items():
                _count(pending, key, name, count)
        # New entities are written at once (articles name their ids); alias counts of known
        # ones are only evidence, so they gather in memory and go out every FLUSH_BATCHES.
        store.learn(
            self._client, self._alias, created, {i: self._pending.pop(i, {}) for i in created}
        )
        self._batches += 1
        if self._batches % FLUSH_BATCHES == 0:
            self.flush()

    def flush(self) -> None:
        """Write the alias counts gathered since the last flush (the end of a run calls it)."""
        if self._pending:
            entities = {i: self._view.by_id[i] for i in self._pending}
            store.learn(self._client, self._alias, entities, self._pending)
            self._pending = {}


def _count(counts: dict[str, tuple[str, int]], key: str, name: str, n: int) -> None:
    old = counts.get(key)
    counts[key] = (old[0] if old else name, (old[1] if old else 0) + n)


def with_entities(article: Article, entities: list[Entity]) -> Article:
    """`article` carrying `entities` and the flat fields derived from them."""
    return article.model_copy(update={"entities": entities, **entity_fields(entities)})
