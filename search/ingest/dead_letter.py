"""The dead-letter file: each record the indexer could not take, with the reason and its place."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

Stage = Literal["read", "validate", "enrich", "index"]
EXCERPT_CHARS = 2000
RECENT_KEPT = 1000


class DeadLetters:
    """Appends one JSON line per rejected record; opened lazily, so a clean run writes no file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.by_reason: Counter[str] = Counter()
        #: The first entries of this run, for callers that report them directly (the HTTP API).
        self.recent: list[dict[str, str]] = []
        self._file: IO[str] | None = None

    def add(
        self, *, stage: Stage, location: str, reason: str, kind: str, excerpt: str = ""
    ) -> None:
        """Record one rejection; `kind` is a short stable label used to count reasons."""
        self.extend(
            [
                {
                    "at": datetime.now(UTC).isoformat(),
                    "stage": stage,
                    "kind": kind,
                    "location": location,
                    "reason": reason,
                    "excerpt": excerpt[:EXCERPT_CHARS],
                }
            ]
        )

    def extend(self, entries: Iterable[dict[str, str]]) -> None:
        """Record entries as `add` makes them (the ones a worker process collected)."""
        for entry in entries:
            self._write(entry)
            self.by_reason[entry["kind"]] += 1
            if len(self.recent) < RECENT_KEPT:
                self.recent.append({k: entry[k] for k in ("stage", "kind", "location", "reason")})

    def _write(self, entry: dict[str, str]) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> DeadLetters:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
