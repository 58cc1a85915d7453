"""Python's cyclic garbage collector held off while a step builds many short-lived objects.

Resolving a batch and consolidating the registry each allocate a few hundred thousand small
containers (models, their dicts, lists) that reference counting frees again, and none of them
in cycles. With the collector on, every 700 of them alive at once start a collection that
promotes them, so a run with resolution made twice the collections and over twice the full
ones of a run without (each a quarter of a second beside the loaded spaCy model: a second a
run, most of it charged to NER). Paused, the step triggers one collection when it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic collection inside the block; the collector's state is restored after it
    (a caller that had it off keeps it off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
