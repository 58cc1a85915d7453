"""What every reader shares: the error value it yields and bounded, gzip-transparent file reads.

Readers never raise for bad input: a record they cannot read becomes a `ReadError` in the
stream, so one broken line or entry never stops the rest of the file.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from search.models import RawRecord

#: Longest excerpt of offending input a `ReadError` carries.
EXCERPT_CHARS = 2000
#: Default ceiling for one record (a line, a page, a feed): larger input is refused, not read.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ReadError:
    """A record that could not be read: where it is, why, and what it looked like."""

    location: str
    reason: str
    raw: str = ""


ReadResult = RawRecord | ReadError


def excerpt(data: bytes | str, limit: int = EXCERPT_CHARS) -> str:
    """A printable, truncated piece of the offending input for a person to look at."""
    if isinstance(data, bytes):
        data = data[: limit * 4].decode("utf-8", errors="replace")
    return data if len(data) <= limit else data[:limit] + "…"


def is_gzip(path: Path) -> bool:
    """Gzip is recognised by its magic bytes, whatever the file is called."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> BinaryIO:
    """Open a file for reading bytes, decompressing it on the fly when it is gzip."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_limited(path: Path, max_bytes: int) -> bytes | ReadError:
    """The whole (decompressed) file, or a `ReadError` if it is unreadable or over `max_bytes`."""
    try:
        with open_binary(path) as handle:
            data = handle.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return ReadError(str(path), f"The file could not be read: {exc}.")
    if len(data) > max_bytes:
        return ReadError(
            str(path),
            f"The file is larger than the limit of {max_bytes:,} bytes and was not read.",
            excerpt(data),
        )
    return data


def decode_text(data: bytes) -> str:
    """Text as a person wrote it: UTF-8 (BOM dropped), else Windows-1252 as old archives use."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def looks_binary(data: bytes) -> bool:
    """NUL bytes never occur in text, JSON, HTML or XML; they mark images, archives and the like."""
    return b"\x00" in data


def single_error(error: ReadError) -> Iterator[ReadResult]:
    """A reader's whole output when the file as a whole cannot be read."""
    yield error
