"""A month's facts files as read, before its evaluation takes their records over.

:class:`MonthFacts` is :func:`policyengine.month.read_month`'s result (and is named
there): the files by kind, their records, and what a person should know of how they
were read (an encoding, a column left to its default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .core._text_templates import said_text
from .facts._io import FactsFile, FactsIndex
from .run._dask_kept import KeptFile
from .run._repository import Repository

__all__ = ["MonthFacts", "column_notes"]


@attrs.define
class MonthFacts:
    """A month's facts files by kind, and their records.

    :func:`evaluate_month` takes the records over (:meth:`take`): a month's
    calls are most of its memory, and once typed and hashed they are let go.
    What is left says where each record was (for locating problems) and how
    many there were.
    """

    files: dict[str, FactsFile]
    #: For a file read in ranges on a cluster, by kind: each record's canonical bytes, in
    #: the records' order (encoded by the workers; the month's inputs are joined from them).
    items: dict[str, list[bytes]] = attrs.field(factory=dict)
    #: Files whose rows stay with the cluster's workers, by kind (their file holds no
    #: record): :func:`evaluate_month` has them typed there, or fetches them.
    kept: dict[str, KeptFile] = attrs.field(factory=dict)
    #: Records by kind when the files were read (still true once they are taken).
    counts: dict[str, int] = attrs.field(init=False)
    #: Whether a month's evaluation took the records over (a second would be empty).
    used: bool = attrs.field(init=False, default=False)
    #: The columns a headed file leaves out, as notes (name, words): a field with a
    #: default, which every record then takes (no error: a column may be left out on
    #: purpose, but a deleted one changed pay silently); a field every record needs, whose
    #: records are each refused (said once for the file, beside their errors).
    column_notes: tuple[tuple[str, dict[str, Any]], ...] = ()

    def __attrs_post_init__(self) -> None:
        self.counts = {kind: len(f.records) for kind, f in self.files.items()}

    @property
    def records(self) -> dict[str, list[Any]]:
        return {kind: list(f.records) for kind, f in self.files.items()}

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    @property
    def notes(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """What a person should know of how the files were read, as (name, words) of
        core/_text_templates.py: a CSV in an encoding other than UTF-8 (saved by Chinese
        Excel as plain CSV) says which; a column left out, that its default was taken."""
        found = [
            ("note-encoding", {"file": f.file, "encoding": f.encoding})
            for _, f in sorted(self.files.items())
            if f.encoding is not None
        ]
        return (*found, *self.column_notes)

    @property
    def notices(self) -> tuple[str, ...]:
        """:attr:`notes` in English."""
        return tuple(said_text(name, None, **words) for name, words in self.notes)

    def take(self, keys: Mapping[str, str]) -> tuple[dict[str, list[Any]], FactsIndex]:
        """The records by kind, handed over, and the index that locates their problems
        (``keys``: each kind's key field); the files keep everything but the records."""
        records = self.records
        index = FactsIndex(self.files, keys).detached()
        self.files = {kind: attrs.evolve(f, records=()) for kind, f in self.files.items()}
        return records, index


def column_notes(
    repository: Repository, files: Mapping[str, FactsFile]
) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Each headed file's (CSV, XLSX) fields no column gives, as notes: a field with a
    default (taken by every record), a field without (every record refused)."""
    kinds = repository.entities.kinds if repository.entities is not None else {}
    notes: list[tuple[str, dict[str, Any]]] = []
    for kind, f in sorted(files.items()):
        if not f.columns or not f.records or kind not in kinds:
            continue
        for name, field in kinds[kind].fields.items():
            if name in f.columns:
                continue
            words: dict[str, Any] = {"file": f.file, "field": field.title or name}
            if field.has_default:
                notes.append(("note-defaulted", {**words, "default": str(field.default)}))
            else:
                notes.append(("note-missing-column", words))
    return tuple(notes)
