"""Which language groups an index holds, so a search names only those (`language_groups`).

Asked at most once per `ttl_s` per index, from the request cache. A language ingested meanwhile
matches by its English analysis (whole words) until the next ask.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import TransportError

from search.fields import LANGUAGE
from search.languages import field_suffix

#: Seconds a list of the index's languages is trusted.
PRESENT_TTL_S: Final = 30.0
#: Languages asked for at most; an archive in more is searched in every group.
MAX_LANGUAGES: Final = 200


def groups_of(codes: Mapping[str, Any]) -> frozenset[str] | None:
    """The groups of a terms aggregation over `language`; None when it did not count every
    language (more than `MAX_LANGUAGES`): then every group is searched."""
    if codes.get("sum_other_doc_count", 0):
        return None
    found = {field_suffix(str(bucket["key"])) for bucket in codes.get("buckets", [])}
    return frozenset(group for group in found if group is not None)


class PresentLanguages:
    """Which language groups each index holds, asked again after `ttl_s` seconds."""

    def __init__(
        self, ttl_s: float = PRESENT_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s, self._clock = ttl_s, clock
        self._known: dict[str, tuple[float, frozenset[str]]] = {}

    async def groups(self, client: AsyncOpenSearch, index: str) -> frozenset[str] | None:
        """The groups of `index`; None (search them all) when the index cannot say."""
        now = self._clock()
        known = self._known.get(index)
        if known is not None and now - known[0] < self._ttl_s:
            return known[1]
        body = {"size": 0, "aggs": {"codes": {"terms": {"field": LANGUAGE, "size": MAX_LANGUAGES}}}}
        try:
            raw = await client.search(index=index, body=body, params={"request_cache": "true"})
        except TransportError:
            return None  # the search itself reports what is wrong
        groups = groups_of(raw.get("aggregations", {}).get("codes", {}))
        if groups is None:
            return None
        self._known[index] = (now, groups)
        return groups
