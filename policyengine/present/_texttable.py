"""Plain-text tables that line up with Chinese text (wide characters count double)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from ..core._display import short_text


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns separated by two spaces, each padded to its widest cell."""
    table = [list(header), *(list(row) for row in rows)]
    widths = [max(width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for row in table:
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def cell(value: Any) -> str:
    """A value as one table cell: exact digits, true/false, lists by commas, "-" for none."""
    return short_text(value, "-")
