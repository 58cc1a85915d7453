"""The Jinja environment of the pages: autoescaping on, strict about missing names."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.templating import Jinja2Templates

from search.fields import MULTI_VALUED
from search.query.facets import FACETS
from search.web import charts, reading, timelines, urls

WEB_DIR: Final = Path(__file__).resolve().parent
TEMPLATES_DIR: Final = WEB_DIR / "templates"
STATIC_DIR: Final = WEB_DIR / "static"

#: Facet names as the sidebar and the chips spell them.
FACET_LABELS: Final[dict[str, str]] = {
    "person": "People",
    "agency": "Agencies",
    "location": "Locations",
    "groups": "Groups",
    "country": "Countries",
    "source": "Sources",
    "language": "Languages",
}
#: One value of a facet: the entity page's heading says "Person" above one person.
SINGULAR_LABELS: Final[dict[str, str]] = {
    "person": "Person",
    "agency": "Agency",
    "location": "Location",
    "groups": "Group",
    "country": "Country",
    "source": "Source",
    "language": "Language",
    "published": "Published",
}
SORT_LABELS: Final[dict[str, str]] = {
    "relevance": "Relevance",
    "newest": "Newest",
    "oldest": "Oldest",
}


def nice_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return charts.day_text(value.date() if isinstance(value, datetime) else value)


def iso_date(value: date | datetime | None) -> str:
    return "" if value is None else value.isoformat()


def number(value: int) -> str:
    """Thousands with a thin space: 12 345, as a newsroom style guide would."""
    return f"{value:,}".replace(",", "\u202f")


def value_text(value: str, facet: str) -> str:
    """A facet value as a reader knows it: "한국어" for the language code ko."""
    found = FACETS.get(facet)
    return (found.label(value) if found else None) or value


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(nice_date=nice_date, iso_date=iso_date, number=number, value_text=value_text)
    env.globals.update(
        facet_labels=FACET_LABELS,
        singular_labels=SINGULAR_LABELS,
        facet_names=list(FACETS),
        sort_labels=SORT_LABELS,
        page_sizes=urls.PAGE_SIZES,
        multi_valued=MULTI_VALUED,
        article_href=urls.article_href,
        reading_href=reading.reading_href,
        compare_href=timelines.compare_href,
        entity_href=urls.entity_href,
        filter_href=urls.filter_href,
        both_href=urls.both_href,
    )
    return env


templates: Final = Jinja2Templates(env=_environment())
