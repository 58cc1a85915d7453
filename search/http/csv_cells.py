"""CSV cells a spreadsheet shows as text: the API's export and the pages' downloads share it."""

from __future__ import annotations

from typing import Any

#: Cells a spreadsheet would read as a formula (OWASP: CSV injection): = + - @, tab, return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel on Windows reads a CSV as UTF-8 only when it starts with a byte-order mark.
UTF8_BOM = "\ufeff"


def csv_cell(value: Any) -> str:
    """A value as a CSV cell; one that starts like a formula gets a leading `'`, so a title or
    a name from a feed is shown as text rather than run (OWASP's advice)."""
    if isinstance(value, list):
        text = "; ".join(str(v) for v in value)
    else:
        text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
