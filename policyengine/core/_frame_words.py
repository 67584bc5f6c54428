"""The words around a problem, by name: its line's parts, a location's, a sheet's.

Data for :data:`policyengine.core._messages.FRAMES` (a ``Words`` of them): how a problem's
line is put together around its message (``file:line:col: code: message (hint)``), the
parts of a location without a line, and the few words that lead or end a message or
make a hint the same way each time. Each is a catalogue entry too (msgctxt
``frame:<name>``; no code has a colon), so that another language puts its own brackets
and words around a problem.
"""

from __future__ import annotations

from typing import Final

# ruff: noqa: E501
FRAME_WORDS: Final = {
    "line": "{where}: {text}",
    "text": "{code}: {message}",
    "text-hint": "{code}: {message} ({hint})",
    "record": "record {record}",
    "rule": "rule '{rule_id}'",
    "field": "field '{field}'",
    "pointer": "at {pointer}",
    "joiner": ", ",
    "did-you-mean": "did you mean '{name}'?",
    "sheet": "sheet '{sheet}'",
    "sheet-cell": "sheet '{sheet}', cell {cell}",
    "in-sheet": "sheet '{sheet}': {message}",
    "in-sheet-cell": "sheet '{sheet}', cell {cell}: {message}",
    "in-sheet-row": "sheet '{sheet}', row {row}: {message}",
    "in-kind": "{kind}: {message}",
    "too-many-bad-rows": "{message} (and {more:,} more rows that cannot be read: over {limit:,}, so the file is refused)",
    "right-file": "check that it is the right file, saved as CSV UTF-8 or an Excel workbook",
    "header": "column '{header}'",
    "record-problems-one": "{count} problem in the record: {lines}",
    "record-problems-many": "{count} problems in the record: {lines}",
    "problems-joiner": "; ",
    "or": " or ",
    "problems-one": "{count} problem",
    "problems-many": "{count} problems",
    "problems-found-one": "{count} problem found",
    "problems-found-many": "{count} problems found",
}

#: The names of :data:`FRAME_WORDS` that are hints computed where a problem is found but
#: the same words each time: said again in another language by name.
FIXED_HINTS: Final = ("right-file",)
