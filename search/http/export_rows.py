"""Rows of an export of articles, as CSV or NDJSON: a search's export and a collection's share
the columns and the spreadsheet-safe cells (search.http.csv_cells)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, Final, Literal

from search.http.csv_cells import UTF8_BOM, csv_cell

ExportFormat = Literal["csv", "ndjson"]

EXPORT_COLUMNS: Final = (
    "id", "published_at", "source", "title", "url", "language", "byline",
    "persons", "agencies", "locations", "countries", "dates_mentioned", "cluster_id",
)  # fmt: skip
EXPORT_MEDIA: Final[dict[str, str]] = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
}


def csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def header(fmt: ExportFormat) -> str:
    """What an export starts with: a byte-order mark and the header row for CSV, else nothing."""
    return UTF8_BOM + csv_line(list(EXPORT_COLUMNS)) if fmt == "csv" else ""


def export_line(source: dict[str, Any], fmt: ExportFormat) -> str:
    """One article's row: its export columns, as a CSV line or a JSON line."""
    row = {column: source.get(column) for column in EXPORT_COLUMNS}
    if fmt == "csv":
        return csv_line([csv_cell(row[c]) for c in EXPORT_COLUMNS])
    return json.dumps(row, ensure_ascii=False) + "\n"


def export_text(sources: Iterable[dict[str, Any]], fmt: ExportFormat) -> str:
    """A small export whole (a collection's): header and every row."""
    return header(fmt) + "".join(export_line(source, fmt) for source in sources)
