"""WARC / WARC.gz reader: every successful HTML response in a crawl becomes an article.

Other records (requests, warcinfo, revisits, images, JSON, redirects, error pages) are skipped
silently: a crawl is mostly not articles. warcio returns a cut-off record without complaint,
so each record is read to its declared end here, and a short one is reported as truncated.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from search.ingest.readers import (
    DEFAULT_MAX_BYTES,
    ReadError,
    ReadResult,
    excerpt,
    open_binary,
)
from search.ingest.readers.html import parse_html

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# warcio reports damage with its own exceptions, and a cut-off header with plain ones
# (AttributeError on a missing URI, IndexError on a short status line).
_DAMAGE = (
    ArchiveLoadFailed,
    ChunkedDataException,
    StatusAndHeadersParserException,
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    AttributeError,
    IndexError,
    KeyError,
)
_DRAIN_CHUNK = 1024 * 1024
_WARC_MAGIC = b"WARC/"


def read(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadResult]:
    """Yield one result per HTML response (`crawl.warc.gz#3` is the archive's third record)."""
    name = str(path)
    try:
        with open_binary(path) as probe:
            start = probe.read(len(_WARC_MAGIC))
        handle = path.open("rb")
    except (OSError, EOFError, zlib.error) as exc:
        yield ReadError(name, f"The file could not be opened: {exc}.")
        return
    if start != _WARC_MAGIC:
        handle.close()
        yield ReadError(name, "The file is not a WARC archive (it does not start with 'WARC/').")
        return
    with handle:
        yield from _read_records(handle, name, path.stat().st_size, max_bytes)


def _read_records(handle: BinaryIO, name: str, size: int, max_bytes: int) -> Iterator[ReadResult]:
    records = ArchiveIterator(handle)
    number = 0
    complete_up_to = 0  # file offset where the last complete record (and its padding) ends
    while True:
        location = f"{name}#{number + 1}"
        try:
            record = next(records, None)
            if record is None:
                break
            number += 1
            result = _article(record, location, max_bytes)
            truncated = _drain(record)
            records.read_to_end()
            complete_up_to = records.offset
        except _DAMAGE as exc:
            yield ReadError(location, f"The archive is damaged here and cannot be read on: {exc}")
            return
        if truncated:
            reason = "The archive ends in the middle of this record (the file is truncated)."
            yield ReadError(location, reason)
            return
        if result is not None:
            yield result
    if complete_up_to < size:
        # warcio stops quietly when a record's header is cut off; the unread rest betrays it.
        yield ReadError(
            f"{name}#{number + 1}",
            "The archive ends in the middle of a record header, or holds data that is not "
            "a WARC record (the file is truncated or not a WARC file).",
        )


def _article(record: Any, location: str, max_bytes: int) -> ReadResult | None:
    """The article in one record, or None when the record is not an HTML page to read."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if not status.startswith("2") or not content_type.startswith(_HTML_TYPES):
        return None
    data = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        return ReadError(
            location, f"The page is larger than the limit of {max_bytes:,} bytes.", excerpt(data)
        )
    return parse_html(
        _decode(data, content_type),
        location=location,
        url=record.rec_headers.get_header("WARC-Target-URI"),
        fallback_date=record.rec_headers.get_header("WARC-Date"),
    )


def _decode(data: bytes, content_type: str) -> bytes | str:
    """Use the charset the server declared; without one, leave detection to the HTML parser."""
    _, _, charset = content_type.partition("charset=")
    charset = charset.split(";")[0].strip(" \"'")
    if not charset:
        return data
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data


def _drain(record: Any) -> bool:
    """Read the record to its declared end; True if its length is missing or the file ran out."""
    if record.rec_headers.get_header("Content-Length") is None:
        return True
    stream = record.raw_stream
    while stream.read(_DRAIN_CHUNK):
        pass
    return bool(getattr(stream, "limit", 0))
