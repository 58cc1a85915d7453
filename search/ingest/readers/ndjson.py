"""NDJSON / JSON Lines reader: one article object per line, plain or gzip, any size of file.

Lines are read with a length cap, so a multi-GB file (or one absurd line) never has to fit in
memory. Field names vary between archives; a small mapping says which keys feed which field.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from search.ingest.readers import (
    DEFAULT_MAX_BYTES,
    ReadError,
    ReadResult,
    excerpt,
    looks_binary,
    open_binary,
)
from search.models import RawRecord

#: RawRecord field -> source keys tried in order. Covers the Reuters, Wikinews and BBC corpora.
DEFAULT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "guid", "uuid"),
    "url": ("url", "link", "canonical_url"),
    "source": ("source", "agency", "publisher", "sitename"),
    "title": ("title", "headline"),
    "byline": ("author", "byline", "authors"),
    "published_at": ("date", "published_at", "published", "pubdate"),
    "language": ("language", "lang"),
    "section": ("section", "category", "categories", "topics"),
    "body": ("body", "text", "content"),
}
_LIST_FIELDS = frozenset({"byline", "section"})
_SKIP_CHUNK = 1024 * 1024


def read(
    path: Path,
    *,
    fields: Mapping[str, Sequence[str]] | None = None,
    max_line_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ReadResult]:
    """Yield one `RawRecord` per JSON object line, or a `ReadError` for a line that is not one.

    `fields` overrides entries of `DEFAULT_FIELDS`, e.g. `{"body": ["story"]}`; a key that is
    not a record field raises ValueError at once.
    """
    mapping = {**DEFAULT_FIELDS, **{k: tuple(v) for k, v in (fields or {}).items()}}
    unknown = set(mapping) - set(DEFAULT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown record fields in the field mapping: {sorted(unknown)}")
    return _read_file(path, mapping, max_line_bytes)


def _read_file(
    path: Path, mapping: Mapping[str, tuple[str, ...]], max_line_bytes: int
) -> Iterator[ReadResult]:
    try:
        handle = open_binary(path)
    except OSError as exc:
        yield ReadError(str(path), f"The file could not be opened: {exc}.")
        return
    with handle:
        yield from _read_lines(handle, str(path), mapping, max_line_bytes)


def _read_lines(
    handle: BinaryIO, name: str, mapping: Mapping[str, tuple[str, ...]], max_line_bytes: int
) -> Iterator[ReadResult]:
    lineno = 0
    while True:
        lineno += 1
        location = f"{name}:{lineno}"
        try:
            line = handle.readline(max_line_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            yield ReadError(location, f"The file is damaged or truncated here: {exc}.")
            return
        if not line:
            return
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            yield ReadError(
                location,
                f"The line is longer than the limit of {max_line_bytes:,} bytes; it was skipped.",
                excerpt(line),
            )
            if not _skip_rest_of_line(handle):
                return
            continue
        if lineno == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if line.strip():
            yield parse_line(line, location, mapping)


def _skip_rest_of_line(handle: BinaryIO) -> bool:
    """Discard bytes up to the next newline in bounded chunks; False at end of file."""
    while True:
        chunk = handle.readline(_SKIP_CHUNK)
        if not chunk:
            return False
        if chunk.endswith(b"\n"):
            return True


def parse_line(
    line: bytes, location: str, mapping: Mapping[str, tuple[str, ...]] = DEFAULT_FIELDS
) -> ReadResult:
    """One line of bytes -> a record, or the reason it is not one."""
    if looks_binary(line):
        reason = "The line holds binary data (NUL bytes), not JSON."
        return ReadError(location, reason, excerpt(line))
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ReadError(
            location,
            f"The line is not valid UTF-8 (byte {line[exc.start]:#04x} at offset {exc.start}).",
            excerpt(line),
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return ReadError(
            location, f"The line is not valid JSON: {exc.msg} at column {exc.colno}.", excerpt(text)
        )
    except RecursionError:
        return ReadError(location, "The line nests JSON too deeply to read.", excerpt(text))
    if not isinstance(value, dict):
        return ReadError(
            location,
            f"The line holds a JSON {_json_kind(value)}, but each line must be one JSON object.",
            excerpt(text),
        )
    return record_from_object(value, location, mapping, raw=text)


def record_from_object(
    obj: Mapping[str, Any],
    location: str,
    mapping: Mapping[str, tuple[str, ...]] = DEFAULT_FIELDS,
    *,
    raw: str = "",
) -> ReadResult:
    """Pick each field from the first present key of the mapping; numbers become text.

    Empty strings count as absent (Reuters has 736 empty titles), except the body, which the
    pipeline judges.
    """
    values: dict[str, Any] = {"location": location}
    for field, keys in mapping.items():
        key, value = _first_present(obj, keys)
        if key is None:
            continue
        if field in _LIST_FIELDS:
            coerced: str | list[str] | None = _as_list(value)
        else:
            coerced = _as_text(value)
        if coerced is None:
            return ReadError(
                location,
                f"The key '{key}' holds a JSON {_json_kind(value)}, which cannot be the "
                f"article's {field}.",
                excerpt(raw or repr(obj)),
            )
        if coerced or field == "body":
            values[field] = coerced
    return RawRecord(**values)


def _first_present(obj: Mapping[str, Any], keys: Sequence[str]) -> tuple[str | None, Any]:
    for key in keys:
        if obj.get(key) is not None:
            return key, obj[key]
    return None, None


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    return None


def _as_list(value: Any) -> list[str] | None:
    """A list field accepts one string, a list of strings, or objects with a `name` (authors)."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict) and "name" in item:
            item = item["name"]
        text = _as_text(item)
        if text is None:
            return None
        if text:
            out.append(text)
    return out


def _json_kind(value: Any) -> str:
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (dict, "object"),
        (list, "array"),
        (str, "string"),
        (bool, "boolean"),
        ((int, float), "number"),
    ]
    for kind, name in kinds:
        if isinstance(value, kind):
            return name
    return "null"
