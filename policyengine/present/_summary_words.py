"""The words of the printed summary of a month, in every language the messages exist in.

``policyengine run`` and ``demo`` print a summary (:mod:`policyengine.present._summary`):
its lines and the headers of its tables are written here once, in English, each a
catalogue entry with the context ``summary:<name>`` (``tools/messages.py`` collects them;
tests/test_locale.py checks each has its Chinese). The summary is said in the language of
the catalogue it is given (the command's, ``--lang``); without one, in English, as it
always was, byte for byte.
"""

from __future__ import annotations

from typing import Final

from ..core._messages import Words

#: name -> the English words, ``{placeholders}`` filled in where they are said; msgctxt
#: ``summary:<name>``.
SUMMARY_WORDS: Final = Words(
    "summary:",
    {
        "versions": "{period}: versions in force: {versions}",
        "none": "none",
        "known-at": "  as known at: {known}; bundle {bundle}, inputs {inputs}, engine {engine}",
        "every-version": "every version on disk",
        "draft": "draft",
        "column-policy": "policy",
        "column-version": "version",
        "column-title": "title",
        "column-sha256": "sha256",
        "column-published": "published",
        "records": "records: {counts}",
        "record-count": "{kind} {given}",
        "record-count-failed": "{kind} {given} ({failed} with errors)",
        "numbers": (
            "number outputs over the records that have them, shown at their places; amounts "
            "and counts totalled (a total lacking records says how many), rates and scores not:"
        ),
        "column-output": "output",
        "column-kind": "kind",
        "column-records": "records",
        "column-total": "total",
        "column-min": "min",
        "column-median": "median",
        "column-max": "max",
        "column-true": "true",
        "incomplete": " (incomplete: {lacking} lacking)",
        "flags": "yes/no outputs, records where true:",
        "flag-count": "{yes} of {count}",
        "texts": "text and list outputs, records per value:",
        "text-line": "  {label} ({kind}): {tally}",
        "list-line": "  {label} ({kind}): {having} of {count} records; {tally}",
        "empty-text": "(empty)",
        "more-values": "… {count} more values",
        "errors-none": "errors: none",
        "errors": "errors: {count} — {codes}",
        "root-causes-one": (
            " ({roots} root cause: {codes}; the other {others} records are left out with it)"
        ),
        "root-causes-many": (
            " ({roots} root causes: {codes}; the other {others} records are left out with them)"
        ),
        "more-causes": "  … and {count} more root causes (every one is listed on standard error)",
        "took-along-one": "and {counted} record left out with it ({code}): {records}",
        "took-along-many": "and {counted} records left out with it ({code}): {records}",
        "missing-too": (
            "and {count} more fields are missing in this row: {fields}"
            " (a total or notes row? delete it from the file)"
        ),
    },
)
#: The summary's words ``name`` in ``catalogue``'s language, filled in with ``values``:
#: ``said(name, catalogue=None, /, **values)``.
said: Final = SUMMARY_WORDS.said
