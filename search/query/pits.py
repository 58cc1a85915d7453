"""The points in time this service holds open: who opened each, until when, and the caps.

A point in time pins an index snapshot on the node, which allows only so many at once
(`search.max_open_pit_context`, 300 by default) for every user of the cluster. Cursor paging
and exports open one each; the ledger refuses to open more than `per_client` for one client
or `total` for the whole process, so one client paging in a loop cannot break paging and
export for everyone. An entry leaves the ledger when its point in time is closed (the last
page of a cursor, the end of an export) or when its keep-alive has run out unused.

The ledger is per process: with several workers each keeps its own caps, so set `total` to
the node's limit divided by the number of workers.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass


class TooManyOpenCursors(Exception):
    """A client (or the service as a whole) already holds as many points in time as allowed."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_s = retry_after_s


@dataclass
class _Held:
    owner: str
    expires_at: float


class PitLedger:
    """Open points in time by key (their id, or a reservation while one is being opened)."""

    def __init__(
        self,
        *,
        per_client: int,
        total: int,
        keep_alive_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_client = per_client
        self.total = total
        self.keep_alive_s = keep_alive_s
        self._clock = clock
        self._held: dict[str, _Held] = {}
        self._tickets = itertools.count(1)

    def _prune(self, now: float) -> None:
        for key in [key for key, held in self._held.items() if held.expires_at <= now]:
            del self._held[key]

    def open_count(self, owner: str | None = None) -> int:
        """Points in time still alive, of one owner or of everyone."""
        self._prune(self._clock())
        return sum(1 for held in self._held.values() if owner is None or held.owner == owner)

    def reserve(self, owner: str) -> str:
        """A key counted against the caps at once (before the point in time exists, so that
        concurrent requests cannot all pass the check); raises TooManyOpenCursors."""
        now = self._clock()
        self._prune(now)
        mine = [held.expires_at for held in self._held.values() if held.owner == owner]
        if len(mine) >= self.per_client:
            raise TooManyOpenCursors(
                f"This client already holds {self.per_client} open cursors or exports; "
                "follow a cursor to its last page, or wait for an unused one to expire",
                min(mine) - now,
            )
        if len(self._held) >= self.total:
            soonest = min(held.expires_at for held in self._held.values())
            raise TooManyOpenCursors(
                "The service holds as many open cursors and exports as it allows; try shortly",
                soonest - now,
            )
        key = f"reserved:{next(self._tickets)}"
        self._held[key] = _Held(owner, now + self.keep_alive_s)
        return key

    def bind(self, key: str, pit_id: str) -> None:
        """The reservation `key` is now the open point in time `pit_id`."""
        held = self._held.pop(key, None)
        if held is not None:
            self._held[pit_id] = _Held(held.owner, self._clock() + self.keep_alive_s)

    def touch(self, pit_id: str, owner: str) -> None:
        """A page was read in `pit_id`: its keep-alive starts again. A point in time this
        process did not open (another worker, a restart) is counted from now on."""
        held = self._held.get(pit_id)
        self._held[pit_id] = _Held(
            held.owner if held is not None else owner, self._clock() + self.keep_alive_s
        )

    def release(self, key: str) -> None:
        self._held.pop(key, None)
