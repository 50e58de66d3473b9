"""CSV the hub writes, safe to open in a spreadsheet (issue 12, item 7).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by spreadsheet
programs (CSV injection). Such a text cell gets a leading apostrophe, which spreadsheets show as text and do not
evaluate (the OWASP advice). Every CSV the hub produces goes through `to_csv`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with a leading apostrophe when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A header line and one line per row, every cell escaped. Lines end in CRLF (RFC 4180), so that a cell
    holding a carriage return or line feed is quoted and stays one cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({name: safe_cell(value) for name, value in row.items()} for row in rows)
    return buffer.getvalue()
