"""Opaque paging cursors: where the last page ended, bound to the search that produced it.

Paging starts with `cursor=*`. A cursor is urlsafe base64 of compact JSON: the point-in-time id, the
`search_after` sort values of the last hit, and a short hash of the normalised request. The
hash stops a cursor being replayed with other text, filters, dates or order, which would
silently skip or repeat articles. It is a consistency check, not a signature: a cursor
carries nothing secret, and a forged one can only page through results its bearer may read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

from search.query.facets import fold
from search.query.request import SearchRequest, lower_bound, upper_bound

SortValue = str | int | float | bool | None

#: `cursor=*` asks for the first page of cursor paging (Solr's `cursorMark=*`): that page
#: already reads a point in time, so paging holds still from page 1.
START: Final = "*"
CURSOR_VERSION: Final = 2
MAX_CURSOR_LENGTH: Final = 8192
_MAX_SORT_VALUES: Final = 4


class InvalidCursor(Exception):
    """A cursor that is malformed, from another search, or from another version."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Cursor:
    search_after: list[SortValue]
    pit_id: str | None = None


def request_fingerprint(req: SearchRequest) -> str:
    """Hash of everything that decides which articles come in which order (not page size)."""
    normalised: dict[str, object] = {
        "q": " ".join(req.q.split()),
        "filters": {k: sorted(fold(v) for v in vs) for k, vs in sorted(req.filters.items())},
        "exclusions": {k: sorted(fold(v) for v in vs) for k, vs in sorted(req.exclusions.items())},
        "from": lower_bound(req.date_from).isoformat() if req.date_from else None,
        "to": upper_bound(req.date_to).isoformat() if req.date_to else None,
        "sort": req.effective_sort,
        "group": req.group,
    }
    if req.all_of:  # left out when empty, so cursors from before it stay valid
        normalised["all_of"] = sorted(req.all_of)
    canonical = json.dumps(normalised, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def encode_cursor(
    req: SearchRequest, search_after: list[SortValue], pit_id: str | None = None
) -> str:
    payload = {"v": CURSOR_VERSION, "a": search_after, "p": pit_id, "h": request_fingerprint(req)}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _load(token: str) -> dict[str, Any]:
    if len(token) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("The cursor is too long to be one of ours")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise InvalidCursor("The cursor is not valid: pass next_cursor back unchanged") from exc
    if not isinstance(payload, dict):
        raise InvalidCursor("The cursor is not valid: pass next_cursor back unchanged")
    return payload


def _is_sort_value(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= 1000
    return value is None or isinstance(value, int | float | bool)


def decode_cursor(token: str, req: SearchRequest) -> Cursor:
    """Read a cursor for `req`; raises InvalidCursor if it is damaged or from another search."""
    payload = _load(token)
    if payload.get("v") != CURSOR_VERSION:
        raise InvalidCursor("The cursor comes from another version of the service: search again")
    search_after, pit_id = payload.get("a"), payload.get("p")
    if (
        not isinstance(search_after, list)
        or not 1 <= len(search_after) <= _MAX_SORT_VALUES
        or not all(_is_sort_value(v) for v in search_after)
        or not (pit_id is None or (isinstance(pit_id, str) and pit_id))
    ):
        raise InvalidCursor("The cursor is not valid: pass next_cursor back unchanged")
    if payload.get("h") != request_fingerprint(req):
        raise InvalidCursor(
            "The cursor belongs to a different search (query, filters, dates or sort changed): "
            "start again from the first page"
        )
    return Cursor(search_after=search_after, pit_id=pit_id)
