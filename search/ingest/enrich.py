"""An article's entity fields: the model call, then normalisation and date resolution, composed.

`Enricher` holds the loaded models and streams articles through them in batches, each language
through its own model (`search.entities.languages`); languages without one get the names the
gazetteers know in every script. `build_enrichment` is the pure part, so it can be tested with
hand-made spans and no model. Both read the body as `prepared_text` gives it (wraps undone,
tables blanked, same length), so offsets stay those of the stored body, and mention surfaces are
always taken from the body itself.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from search.entities.extraction import RawEntity, extract, load_model
from search.entities.keys import entity_key
from search.entities.languages import METHOD_STATUS, base_language, method_for, model_for
from search.entities.normalize import (
    DATE_LABELS,
    NormalizedMention,
    load_tables,
    normalize_mentions,
)
from search.entities.place_names import known_place_mentions
from search.entities.plain_names import normalize_plain
from search.entities.wiretext import prepare_for_ner
from search.ingest.date_mentions import resolve_date_mention
from search.models import DateMention, EntitiesStatus, Entity, EntityType, Mention

log = logging.getLogger(__name__)

#: The model reads at most this much of a body: beyond it memory grows and news has said its
#: names long before (the longest interviews run to about 100,000 characters).
MAX_MODEL_CHARS = 300_000
#: Articles read per round: each language's share of a round goes through its model in one
#: `pipe` call, so order is kept without sending any article through a model not its own.
CHUNK = 1024

_CLOCK_AFTER = re.compile(r"\s*(?:UTC|GMT|Z\b|hours\b|hrs\b|h\b|local\b|[A-Z]{2}T\b|[A-Z]ST\b)")


@dataclass(frozen=True)
class EnrichInput:
    """What enrichment needs of an article: the clean body (offsets refer to it) and its context."""

    text: str
    title: str = ""
    language: str | None = "en"
    published_at: datetime | None = None
    #: The publisher ("Reuters", "Wikinews"): its own name is no entity of its articles.
    source: str | None = None


@dataclass(frozen=True)
class Enrichment:
    """The Article's entity and date fields, ready to copy onto it."""

    persons: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    dates_mentioned: list[date] = field(default_factory=list)
    date_mentions: list[DateMention] = field(default_factory=list)
    status: EntitiesStatus = "extracted"


class Enricher:
    """Holds the models (each loaded once per process, on first use) and enriches in order."""

    def __init__(self, *, batch_size: int = 32, n_process: int = 1) -> None:
        self.batch_size = batch_size
        self.n_process = n_process
        load_model("en")
        load_tables()

    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]:
        """Enrich a stream of articles, yielding results in input order."""
        iterator = iter(items)
        while chunk := list(itertools.islice(iterator, CHUNK)):
            yield from self._enrich_chunk(chunk)

    def enrich(self, item: EnrichInput) -> Enrichment:
        """Enrich one article (tests, single API uploads)."""
        return next(self.enrich_many([item]))

    def _enrich_chunk(self, chunk: list[EnrichInput]) -> Iterator[Enrichment]:
        prepared = [prepared_text(item) for item in chunk]
        by_language: dict[str, list[int]] = {}
        for n, item in enumerate(chunk):
            if method_for(item.language) == "model":
                by_language.setdefault(base_language(item.language), []).append(n)
        spans: dict[int, list[RawEntity]] = {}
        for language, positions in by_language.items():
            texts = (prepared[n][:MAX_MODEL_CHARS] for n in positions)
            found = extract(
                texts, language=language, batch_size=self.batch_size, n_process=self.n_process
            )
            spans.update(zip(positions, found, strict=True))
        for n, item in enumerate(chunk):
            yield _enrich_safely(item, spans.get(n, []), prepared[n])


def prepared_text(item: EnrichInput) -> str:
    """What the model or the name matcher reads of an article: its body fit for NER; nothing
    where no method applies."""
    return "" if method_for(item.language) == "skip" else prepare_for_ner(item.text)


def _enrich_safely(item: EnrichInput, spans: Sequence[RawEntity], prepared: str) -> Enrichment:
    try:
        return build_enrichment(item, spans, prepared)
    except Exception:  # one odd article must not stop an ingest; its status says so
        log.exception("entity normalisation failed")
        return Enrichment(status="failed")


def build_enrichment(
    item: EnrichInput, spans: Sequence[RawEntity], prepared: str | None = None
) -> Enrichment:
    """Turn one article's model spans into its entity and date fields.

    `prepared` is the text the model read (`prepared_text`, computed here when not given): names
    come from it, so a name torn across a wrapped line reads whole; surfaces come from the body.
    """
    method = method_for(item.language)
    if method == "skip":
        return Enrichment(status="skipped_language")
    text = prepared_text(item) if prepared is None else prepared
    model = model_for(item.language)
    triples = [(s.start, s.end, s.label) for s in spans]
    if model is None:
        mentions = known_place_mentions(text, base_language(item.language))
    elif model.normaliser == "english":
        mentions = normalize_mentions(text, triples)
    else:
        mentions = normalize_plain(text, triples, model)
    entities = group_entities(_in_body(item, mentions))
    date_labels = model.date_labels if model is not None else frozenset()
    date_mentions = resolve_dates(item.text, spans, item.published_at, date_labels)
    return Enrichment(
        persons=_names(entities, "person"),
        agencies=_names(entities, "agency"),
        locations=_names(entities, "location"),
        countries=list(dict.fromkeys(e.country for e in entities if e.country)),
        groups=_names(entities, "group"),
        entities=entities,
        dates_mentioned=sorted({mention.date_from for mention in date_mentions}),
        date_mentions=date_mentions,
        status=METHOD_STATUS[method],
    )


def _in_body(item: EnrichInput, mentions: Iterable[NormalizedMention]) -> list[NormalizedMention]:
    """Mentions with their surface as the body writes it, less the publisher's own name."""
    publisher = _publisher_keys(item.source)
    return [
        NormalizedMention(
            m.start, m.end, item.text[m.start : m.end], m.type, m.name, m.key, m.country
        )
        for m in mentions
        if m.key not in publisher
    ]


def _publisher_keys(source: str | None) -> frozenset[str]:
    """Keys a publisher's name takes in its copy: "Reuters", and the wire's old "Reuter"."""
    if not source:
        return frozenset()
    key = entity_key(source, "agency")
    return frozenset({key, key.removesuffix("s"), f"{key}s"}) - {""}


def group_entities(mentions: Iterable[NormalizedMention]) -> list[Entity]:
    """One Entity per (type, folding key), in order of first mention; the display name is the
    form most mentions resolved to."""
    groups: dict[tuple[EntityType, str], list[NormalizedMention]] = {}
    for mention in mentions:
        groups.setdefault((mention.type, mention.key), []).append(mention)
    entities = []
    for (type_, key), members in groups.items():
        countries = Counter(m.country for m in members if m.country)
        entities.append(
            Entity(
                type=type_,
                name=Counter(m.name for m in members).most_common(1)[0][0],
                key=key,
                country=countries.most_common(1)[0][0] if countries else None,
                mentions=[Mention(start=m.start, end=m.end, text=m.text) for m in members],
            )
        )
    return entities


def resolve_dates(
    text: str,
    spans: Iterable[RawEntity],
    published_at: datetime | None,
    labels: frozenset[str] = DATE_LABELS,
) -> list[DateMention]:
    """Date phrases resolved against the publication day; without one, nothing can be anchored.
    Only spans of `labels`, the date labels of a model whose phrases `date_mentions` reads
    (English): another language's dates are left out rather than resolved wrong."""
    if published_at is None:
        return []
    published = published_at.date()
    mentions = []
    for span in spans:
        if span.label not in labels:
            continue
        phrase = text[span.start : span.end]
        if _CLOCK_AFTER.match(text, span.end) and phrase.strip().isdigit():
            continue  # "(1620 UTC)" is a time of day, not the year 1620
        resolved = resolve_date_mention(" ".join(phrase.split()), published)
        if resolved is not None:
            mentions.append(
                DateMention(
                    text=phrase,
                    start=span.start,
                    end=span.end,
                    date_from=resolved[0],
                    date_to=resolved[1],
                )
            )
    return mentions


def _names(entities: Iterable[Entity], type_: EntityType) -> list[str]:
    return list(dict.fromkeys(entity.name for entity in entities if entity.type == type_))
