"""Which reader reads a file: by extension first, by its first bytes when the name says nothing.

`read_paths` is the readers' single entry point for the pipeline and the CLI: it walks folders
in sorted order (so two runs see files in the same order) and turns every file it cannot read
into a `ReadError` naming it, never an exception.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from search.ingest.readers import (
    ReadError,
    ReadResult,
    excerpt,
    feeds,
    html,
    ndjson,
    open_binary,
    text,
    warc,
)

Format = Literal["auto", "ndjson", "text", "html", "feed", "warc"]
Reader = Callable[[Path], Iterator[ReadResult]]

READERS: dict[str, Reader] = {
    "ndjson": ndjson.read,
    "text": text.read,
    "html": html.read,
    "feed": feeds.read,
    "warc": warc.read,
}
#: Last suffix (after dropping a final `.gz`) -> format.
EXTENSIONS = {
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "ndjson",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
}
SNIFF_BYTES = 4096
# The first element's name, past any `<?xml ...?>`, comment or DOCTYPE.
_FIRST_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?([A-Za-z][\w.-]*)")
_HTML_DOCTYPE = re.compile(rb"<!doctype\s+html", re.IGNORECASE)
_FEED_ROOTS = {b"rss", b"feed", b"rdf"}
_HTML_ROOTS = {b"html", b"head", b"body"}


def read_paths(
    paths: Iterable[Path | str] | Path | str, fmt: Format | str = "auto"
) -> Iterator[ReadResult]:
    """Every record in the given files and folders (recursively), in a deterministic order.

    With `fmt="auto"` each file's reader is chosen by `detect_format`; otherwise every file is
    read with the named reader. Hidden files and folders (names starting with '.') are skipped.
    An unknown `fmt` raises ValueError at once, before any file is touched.
    """
    if fmt != "auto" and fmt not in READERS:
        raise ValueError(f"Unknown format {fmt!r}; expected auto, {', '.join(READERS)}.")
    return _read_all(paths, fmt)


def count_records(
    paths: Iterable[Path | str] | Path | str, fmt: Format | str = "auto"
) -> int | None:
    """How many records `read_paths` will yield, when that is cheap to know (a line count of
    NDJSON, one per text or HTML file); None when a file holds an unknown number (feeds, WARC)
    or cannot be read. For a progress bar's ETA: one quick pass over the bytes."""
    total = 0
    for path in _files(paths):
        if isinstance(path, ReadError):
            continue
        chosen = fmt if fmt != "auto" else detect_format(path)
        if chosen in ("text", "html"):
            total += 1
        elif chosen == "ndjson":
            try:
                with open_binary(path) as handle:
                    total += sum(1 for line in handle if line.strip())
            except (OSError, EOFError, zlib.error):
                return None
        else:
            return None
    return total


def _read_all(paths: Iterable[Path | str] | Path | str, fmt: str) -> Iterator[ReadResult]:
    for path in _files(paths):
        if isinstance(path, ReadError):
            yield path
            continue
        chosen = fmt if fmt != "auto" else detect_format(path)
        if isinstance(chosen, ReadError):
            yield chosen
            continue
        yield from READERS[chosen](path)


def _files(paths: Iterable[Path | str] | Path | str) -> Iterator[Path | ReadError]:
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    for item in items:
        path = Path(item)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        else:
            yield ReadError(str(path), "There is no such file or folder, or it cannot be read.")


def _walk(folder: Path) -> Iterator[Path]:
    """Files under `folder`, sorted by name at each level; symlinked folders are not followed."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def detect_format(path: Path) -> str | ReadError:
    """The reader for a file: its extension when it names a known format, else its first bytes."""
    by_name = format_from_name(path.name)
    if by_name is not None:
        return by_name
    try:
        with open_binary(path) as handle:
            head = handle.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        return ReadError(str(path), f"The file could not be read: {exc}.")
    sniffed = format_from_bytes(head)
    if sniffed is None:
        return ReadError(
            str(path),
            f"'{path.name}' is not in a format Newsroom Search reads (NDJSON, text, HTML, "
            "RSS/Atom, WARC); give it a known extension or choose the format explicitly.",
            excerpt(head),
        )
    return sniffed


def format_from_name(name: str) -> str | None:
    """`.ndjson`, `.jsonl`, `.json`, `.txt`, `.html`, `.htm`, `.xml`, `.rss`, `.atom`, `.warc`,
    each also with `.gz` appended."""
    lowered = name.lower().removesuffix(".gz")
    return EXTENSIONS.get(os.path.splitext(lowered)[1])


def format_from_bytes(head: bytes) -> str | None:
    """Recognise a format from the first (decompressed) bytes; None if nothing fits.

    Plain text is never guessed: any file decodes as text, so only `.txt` or an explicit
    format selects that reader.
    """
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"WARC/"):
        return "warc"
    if start.startswith(b"{"):
        return "ndjson"
    if not start.startswith(b"<") or b"\x00" in head:
        return None
    if _HTML_DOCTYPE.match(start):
        return "html"
    first = _FIRST_ELEMENT.search(start)
    root = first.group(1).lower() if first else b""
    if root in _FEED_ROOTS:
        return "feed"
    if root in _HTML_ROOTS:
        return "html"
    return None
