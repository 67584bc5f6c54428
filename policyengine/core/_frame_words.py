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
    # what to do about the YAML parser's messages (read/_source_problems.py)
    "yaml-missing-colon": "each entry needs 'key: value' with a space after the colon: look here and on the line above for a missing colon or an unclosed quote",
    "yaml-mapping-values": "text containing ': ' must be put in quotes, and the keys of one mapping must start in the same column",
    "yaml-end-of-stream": "a quote or a bracket is opened but never closed",
    "yaml-block-end": "check the indentation: entries at one level start in one column",
    "yaml-flow": "check that every '[' has its ']' and every '{{' its '}}'",
    "yaml-escape": "in double quotes '\\' starts an escape: write '\\\\' or use single quotes",
    "yaml-token": "text that starts with this character must be put in quotes",
    "yaml-tag": "tags are not allowed in a policy file; put text in quotes instead",
    "yaml-document": "a line of only '...' ends the document: remove it",
    "yaml-tab-indent": "indent with spaces: tab characters cannot be used for indentation",
    "yaml-tab": "write spaces instead of the tab, or put the text in quotes",
    "yaml-wide-colon": "the full-width '：' is not YAML's colon: write ': ' (ASCII, then a space)",
    "yaml-wide-comma": "the full-width '，' is not YAML's comma: write ', ' between the entries",
}

#: The names of :data:`FRAME_WORDS` that are hints computed where a problem is found but
#: the same words each time: said again in another language by name.
FIXED_HINTS: Final = (
    "right-file",
    "yaml-missing-colon",
    "yaml-mapping-values",
    "yaml-end-of-stream",
    "yaml-block-end",
    "yaml-flow",
    "yaml-escape",
    "yaml-token",
    "yaml-tag",
    "yaml-document",
    "yaml-tab-indent",
    "yaml-tab",
    "yaml-wide-colon",
    "yaml-wide-comma",
)
