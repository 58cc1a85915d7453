"""How far an ingest has come: a bar on a terminal, a log line now and then elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

log = logging.getLogger(__name__)


class Progress:
    """A bar on a terminal (rate, and with a known `total` the ETA), a log line every few
    seconds elsewhere."""

    def __init__(self, enabled: bool, total: int | None = None) -> None:
        self._bar: Any = None
        self._last = time.monotonic()
        self._count = 0
        if enabled and self.on_terminal():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=" docs", desc="ingest", file=sys.stderr)

    @staticmethod
    def on_terminal() -> bool:
        return sys.stderr.isatty()

    def advance(self, n: int) -> None:
        self._count += n
        if self._bar is not None:
            self._bar.update(n)
        elif time.monotonic() - self._last > 10:
            self._last = time.monotonic()
            log.info("ingest: %d records processed", self._count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
