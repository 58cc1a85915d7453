"""What a hit carries (enough to list it), shared by every body that returns articles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from search.fields import (
    AGENCIES,
    CLUSTER_ID,
    COPIES,
    COUNTRIES,
    ID,
    LANGUAGE,
    LOCATIONS,
    PERSONS,
    PUBLISHED_AT,
    SOURCE,
    SUMMARY,
    TITLE,
    URL,
)

#: What a hit carries: enough to list it, never the body (large, and the snippets cover it).
HIT_FIELDS: Final = (
    ID,
    TITLE,
    SOURCE,
    URL,
    PUBLISHED_AT,
    LANGUAGE,
    SUMMARY,
    PERSONS,
    AGENCIES,
    LOCATIONS,
    COUNTRIES,
    CLUSTER_ID,
    COPIES,
)


def source(fields: Sequence[str] = HIT_FIELDS) -> dict[str, Any]:
    return {"includes": list(fields)}
