"""A saved search's matches as an Atom feed (RFC 4287), for any feed reader. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from search.alerts.saved import SavedSearch, SavedSearchMatch

ATOM_TYPE = "application/atom+xml; charset=utf-8"


def _when(moment: datetime | None) -> str:
    found = moment or datetime(1970, 1, 1, tzinfo=UTC)
    return found.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def render(saved: SavedSearch, matches: Sequence[SavedSearchMatch], base_url: str) -> str:
    """The feed: newest match first; each entry links to the article's page on this site."""
    base = base_url.rstrip("/")
    updated = max((m.matched_at for m in matches), default=saved.created_at)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <id>urn:newsroom-search:saved-search:{escape(saved.id)}</id>",
        f"  <title>{escape(saved.name)} – Newsroom Search</title>",
        f'  <link rel="self" href="{_attribute(base + saved.feed)}"/>',
        f"  <updated>{_when(updated)}</updated>",
        "  <generator>Newsroom Search</generator>",
    ]
    for match in matches:
        href = f"{base}/articles/{quote(match.article_id, safe='')}"
        lines += [
            "  <entry>",
            f"    <id>urn:newsroom-search:match:{escape(saved.id)}:{escape(match.cluster_id)}</id>",
            f"    <title>{escape(match.title or match.article_id)}</title>",
            f'    <link href="{_attribute(href)}"/>',
            f"    <updated>{_when(match.matched_at)}</updated>",
            f"    <published>{_when(match.published_at or match.matched_at)}</published>",
            f"    <author><name>{escape(match.source or 'unknown source')}</name></author>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
