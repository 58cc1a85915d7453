"""The project's vocabulary: articles and their entities, as indexed and as the API shows them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EntityType = Literal["person", "agency", "location", "group"]
#: How an article's entities were found: "extracted" by a language model, "matched_known" by
#: matching names the registry and the gazetteers know (languages without a model),
#: "skipped_language" where neither can be done (scripts without word spaces).
EntitiesStatus = Literal["pending", "extracted", "matched_known", "skipped_language", "failed"]


class Mention(BaseModel):
    """Where a name stands in the clean body: `body[start:end] == text`."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Entity(BaseModel):
    """One canonical entity of an article, with every mention that resolved to it."""

    type: EntityType
    name: str = Field(description="Canonical display form, e.g. 'Volodymyr Zelensky'.")
    key: str = Field(description="Folding key of the extracted name: what the registry resolves.")
    id: str | None = Field(None, description="The registry identity this entity resolved to.")
    extracted_type: EntityType | None = Field(
        None, description="The type extraction gave, when an editor's correction changed it."
    )
    blocked: bool = Field(
        False, description="An editor blocked it: kept so a revert can restore it, shown nowhere."
    )
    country: str | None = Field(None, description="For locations: the country they lie in.")
    mentions: list[Mention] = Field(default_factory=list)


class DateMention(BaseModel):
    """A date the text mentions, resolved against the publication date."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    date_from: date
    date_to: date


class RawRecord(BaseModel):
    """What a reader yields: fields as found, plus where they were found (for error reports)."""

    location: str = Field(description="file:line or file#record, for dead letters.")
    id: str | None = None
    url: str | None = None
    source: str | None = None
    title: str | None = None
    byline: list[str] = Field(default_factory=list)
    published_at: str | None = None
    language: str | None = None
    section: list[str] = Field(default_factory=list)
    body: str = ""


class Article(BaseModel):
    """An article as indexed: clean text, metadata, canonical entities and resolved dates."""

    id: str
    url: str | None = None
    source: str | None = None
    title: str
    byline: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    published_at_raw: str | None = Field(None, description="The date as found, when unparseable.")
    language: str | None = Field(None, description="ISO 639-1 code.")
    section: list[str] = Field(default_factory=list)
    body: str
    summary: str = ""
    word_count: int = 0
    content_hash: str
    cluster_id: str | None = Field(
        None, description="Its near-duplicate cluster (search.duplicates); None until clustered."
    )
    ingested_at: datetime
    persons: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    person_ids: list[str] = Field(default_factory=list)
    agency_ids: list[str] = Field(default_factory=list)
    location_ids: list[str] = Field(default_factory=list)
    group_ids: list[str] = Field(default_factory=list)
    person_facets: list[str] = Field(default_factory=list)
    agency_facets: list[str] = Field(default_factory=list)
    location_facets: list[str] = Field(default_factory=list)
    group_facets: list[str] = Field(default_factory=list)
    entity_keys: list[str] = Field(
        default_factory=list, description="Extracted name keys, to find what a correction touches."
    )
    dates_mentioned: list[date] = Field(default_factory=list)
    date_mentions: list[DateMention] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    entities_status: EntitiesStatus = "pending"
    removed: list[str] = Field(
        default_factory=list, description="Lines the boilerplate step dropped, kept for inspection."
    )
