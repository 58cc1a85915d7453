"""An article's entity fields: the model call, then normalisation and date resolution, composed.

`Enricher` holds the loaded model and streams articles through it in batches; `build_enrichment`
is the pure part, so it can be tested with hand-made spans and no model. Both read the body as
`prepared_text` gives it (wraps undone, tables blanked, same length), so offsets stay those of the
stored body, and mention surfaces are always taken from the body itself.
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
from search.entities.normalize import (
    DATE_LABELS,
    NormalizedMention,
    load_tables,
    normalize_mentions,
)
from search.entities.wiretext import prepare_for_ner
from search.ingest.date_mentions import resolve_date_mention
from search.models import DateMention, EntitiesStatus, Entity, EntityType, Mention

log = logging.getLogger(__name__)

#: The model reads at most this much of a body: beyond it memory grows and news has said its
#: names long before (the longest interviews run to about 100,000 characters).
MAX_MODEL_CHARS = 300_000

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


def is_english(language: str | None) -> bool:
    """The model reads English only; an unknown language is tried, as most archives are English."""
    return language is None or language.lower().split("-")[0] == "en"


class Enricher:
    """Holds the model (loaded once per process) and enriches articles in order."""

    def __init__(self, *, batch_size: int = 32, n_process: int = 1) -> None:
        self.batch_size = batch_size
        self.n_process = n_process
        load_model()
        load_tables()

    def enrich_many(self, items: Iterable[EnrichInput]) -> Iterator[Enrichment]:
        """Enrich a stream of articles, yielding results in input order."""
        prepared = ((item, prepared_text(item)) for item in items)
        for_texts, for_results = itertools.tee(prepared)
        # Other languages still pass through the pipe, as empty text, to keep the order simple.
        texts = (text[:MAX_MODEL_CHARS] for _, text in for_texts)
        spans = extract(texts, batch_size=self.batch_size, n_process=self.n_process)
        for (item, text), found in zip(for_results, spans, strict=True):
            yield _enrich_safely(item, found, text)

    def enrich(self, item: EnrichInput) -> Enrichment:
        """Enrich one article (tests, single API uploads)."""
        return next(self.enrich_many([item]))


def prepared_text(item: EnrichInput) -> str:
    """What the model reads of an article: its body fit for NER; nothing for other languages."""
    return prepare_for_ner(item.text) if is_english(item.language) else ""


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
    if not is_english(item.language):
        return Enrichment(status="skipped_language")
    text = prepared_text(item) if prepared is None else prepared
    mentions = normalize_mentions(text, [(s.start, s.end, s.label) for s in spans])
    entities = group_entities(_in_body(item, mentions))
    date_mentions = resolve_dates(item.text, spans, item.published_at)
    return Enrichment(
        persons=_names(entities, "person"),
        agencies=_names(entities, "agency"),
        locations=_names(entities, "location"),
        countries=list(dict.fromkeys(e.country for e in entities if e.country)),
        groups=_names(entities, "group"),
        entities=entities,
        dates_mentioned=sorted({mention.date_from for mention in date_mentions}),
        date_mentions=date_mentions,
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
    text: str, spans: Iterable[RawEntity], published_at: datetime | None
) -> list[DateMention]:
    """Date phrases resolved against the publication day; without one, nothing can be anchored."""
    if published_at is None:
        return []
    published = published_at.date()
    mentions = []
    for span in spans:
        if span.label not in DATE_LABELS:
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
