"""Field and facet names: the one Python source of truth beside index_mappings/articles.json."""

from __future__ import annotations

from typing import Final, Literal

from search.languages import suffixes, text_fields

ID: Final = "id"
URL: Final = "url"
SOURCE: Final = "source"
TITLE: Final = "title"
BYLINE: Final = "byline"
PUBLISHED_AT: Final = "published_at"
LANGUAGE: Final = "language"
WORD_COUNT: Final = "word_count"
SECTION: Final = "section"
BODY: Final = "body"
SUMMARY: Final = "summary"
PERSONS: Final = "persons"
AGENCIES: Final = "agencies"
LOCATIONS: Final = "locations"
COUNTRIES: Final = "countries"
GROUPS: Final = "groups"
DATES_MENTIONED: Final = "dates_mentioned"
CONTENT_HASH: Final = "content_hash"
#: The near-duplicate cluster an article belongs to (its own id when it has no copies).
CLUSTER_ID: Final = "cluster_id"
#: The MinHash band keys an article's copies find it by (search.duplicates.minhash).
MINHASH_BANDS: Final = "minhash_bands"
#: A cluster's summary, kept on each member of a cluster with copies (duplicates.summaries).
COPIES: Final = "copies"

#: Sub-field holding the lower-cased, accent-folded copy used for filtering.
FOLDED: Final = "folded"
#: Sub-field with an unstemmed analyzer, for phrase-precise matching.
EXACT: Final = "exact"
#: Sub-field of keyword facets analysed as text, so `person:zelensky` finds the full name.
TEXT: Final = "text"

FacetName = Literal["person", "agency", "location", "groups", "country", "source", "language"]
#: Facets an article can carry several values of: only these can require all of their values.
MULTI_VALUED: Final[tuple[str, ...]] = ("person", "agency", "location", "groups", "country")

#: Facet name as the API, the UI and the query syntax spell it -> keyword field behind it.
FACET_FIELDS: Final[dict[str, str]] = {
    "person": PERSONS,
    "agency": AGENCIES,
    "location": LOCATIONS,
    # Entities of the type "group" (parties, movements, nationalities); not `group`, which
    # the search parameters use for grouping copies.
    "groups": GROUPS,
    "country": COUNTRIES,
    "source": SOURCE,
    "language": LANGUAGE,
}

#: Entity facets count identities: "<registry id>|<canonical name>" per entity, so a bucket
#: carries the identity and the name to show, and no second lookup is needed. Re-resolution
#: after a correction rewrites these with the names, so one identity is one bucket.
FACET_COUNT_FIELDS: Final[dict[str, str]] = {
    "person": "person_facets",
    "agency": "agency_facets",
    "location": "location_facets",
    "groups": "group_facets",
}
IDENTITY_SEPARATOR: Final = "|"
#: The registry ids of an article's entities, per type: what an entity page filters on.
ENTITY_ID_FIELDS: Final[dict[str, str]] = {
    "person": "person_ids",
    "agency": "agency_ids",
    "location": "location_ids",
    "group": "group_ids",
}

#: Field prefixes a journalist may type in a query (`title:`, `person:` ...) -> fields searched.
QUERY_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "title": (TITLE, *(f"{TITLE}_{s}" for s in suffixes())),
    "body": (BODY, *(f"{BODY}_{s}" for s in suffixes())),
    "person": (f"{PERSONS}.{TEXT}",),
    "agency": (f"{AGENCIES}.{TEXT}",),
    "location": (f"{LOCATIONS}.{TEXT}", f"{COUNTRIES}.{TEXT}"),
    "source": (f"{SOURCE}.{TEXT}",),
}

#: Free text (no field prefix) searches these, with boosts.
#: The per-language title and body fields (`title_ko`, `body_fr` ...), of every language group.
LANGUAGE_TEXT_FIELDS: Final = frozenset(
    f"{base}_{s}" for base in (TITLE, "body") for s in suffixes()
)
#: Each language group (`search.languages`) is its own analyzer group in a cross_fields query:
#: every word must match in one group, English (`title`, `body`) or the article's language.
DEFAULT_TEXT_FIELDS: Final[tuple[str, ...]] = (f"{TITLE}^3", BODY, *text_fields(title_boost=3))
