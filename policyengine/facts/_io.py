"""Facts files in: the readers by suffix, a month's folder by kind, problems located.

:func:`read_facts` reads one file with the reader its suffix names in
:data:`READERS`; each format is its own module (``facts_csv.py``,
``facts_json.py``, ``facts_xlsx.py``), which says how its cells become
values. Numbers are never read as a binary float. A header may use a field's
name or its ``title``. Adding a format is a module holding a
:class:`~policyengine.facts_file.FactsReader` and one line in
:data:`READERS`: :func:`read_facts`, a month's folder, the hints that list
the formats and the command line's help all follow it.

Every problem names the file, the row (line) and column; :class:`FactsIndex`
finds the row and column of a record's problem reported later (a malformed
number, a date in the wrong form) from the record and field it names.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..core._messages import Catalogue, frame
from ..core._reading import NotARegularFile, read_limited
from ..errors import FactError, FactsFileError, InvalidPolicy, PolicyError
from ..model import Field
from ._csv import READER as CSV_READER
from ._file import (
    MAX_FACTS_BYTES,
    FactsFile,
    FactsReader,
    cell_name,
    decoded_text,
    file_error,
    refuse_all,
)
from ._json import JSON_READER, JSONL_READER, loads
from ._xlsx import READER as XLSX_READER

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "READERS",
    "FactsFile",
    "FactsIndex",
    "FactsReader",
    "Place",
    "cell_name",
    "listed",
    "read_bundle_facts",
    "read_facts",
]


def listed(choices: Iterable[str]) -> str:
    """Choices as a hint names them: ``a, b or c``."""
    items = list(choices)
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


#: The facts readers, by the suffix each reads (in lower case), in the order hints
#: name them. A new format is one more reader here.
READERS: Mapping[str, FactsReader] = {
    reader.suffix: reader for reader in (JSON_READER, JSONL_READER, CSV_READER, XLSX_READER)
}
FORMATS = tuple(READERS)
#: The formats, as a hint names them.
FORMAT_NAMES = listed(FORMATS)


#: Reads a facts file some other way (in ranges, on a cluster), before its bytes are read:
#: given the file's path and its fields, the file as its reader would give it, or None to
#: leave it to the reader (which refuses a missing, special or too large file).
Splitter = Callable[[str, Mapping[str, Field]], FactsFile | None]


def read_facts(
    path: str | os.PathLike[str],
    fields: Mapping[str, Field] | None = None,
    split: Splitter | None = None,
) -> FactsFile:
    """Read the records of a facts file (a suffix of :data:`FORMATS`); raises
    FactsFileError, located. ``split``, when given, is offered the file first
    (:mod:`policyengine.run._dask_read` reads a large CSV's ranges on a cluster)."""
    file = str(path)
    suffix = Path(file).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise file_error(
            file, "unknown-format", form="file", suffix=suffix or file, formats=FORMAT_NAMES
        )
    read = split(file, fields or {}) if split is not None else None
    return read if read is not None else reader.read(file, _read_bytes(file), fields or {})


def _read_bytes(file: str) -> bytes:
    """The bytes of the facts file ``file``, refused (located) when it is missing, not a
    regular file (a pipe or a device is never waited on nor read without end) or larger
    than :data:`MAX_FACTS_BYTES`."""
    try:
        _check_size(file, Path(file).stat().st_size)
        raw = read_limited(file, MAX_FACTS_BYTES)
    except FileNotFoundError as exc:
        raise file_error(file, "file-not-found", form="facts") from exc
    except NotARegularFile as exc:
        raise file_error(file, "unreadable-facts", form="not-a-file") from exc
    except OSError as exc:
        raise file_error(file, "unreadable-facts", form="os", reason=exc.strerror) from exc
    _check_size(file, len(raw))  # a file that grew while it was read
    return raw


def _check_size(file: str, size: int) -> None:
    """Refuse a facts file over :data:`MAX_FACTS_BYTES`, before it is read."""
    if size > MAX_FACTS_BYTES:
        limit = MAX_FACTS_BYTES // 2**20
        raise file_error(file, "file-too-large", form="facts", size=size, limit=limit)


def read_bundle_facts(
    path: str | os.PathLike[str],
    fields: Mapping[str, Mapping[str, Field]],
    split: Splitter | None = None,
) -> dict[str, FactsFile]:
    """A month's facts by record kind: a folder of ``<kind>.<suffix>`` files (a suffix of
    :data:`FORMATS`), or one JSON file ``{"<kind>": [records], …}``. ``fields`` gives each
    kind's known fields (for headers written with field titles); ``split``: see
    :func:`read_facts`."""
    source = Path(path)
    if source.is_dir():
        return _read_folder(source, fields, split)
    file = str(source)
    if not source.exists():  # a mistyped folder is not a file of the wrong format
        raise file_error(file, "file-not-found", form="month")
    if source.suffix.lower() != ".json":
        raise file_error(file, "unknown-format", form="by-kind")
    data = loads(file, decoded_text(file, _read_bytes(file)))
    if not isinstance(data, Mapping) or not all(isinstance(v, list) for v in data.values()):
        raise file_error(file, "not-a-record-list", form="by-kind")
    return {str(k): FactsFile(file, tuple(v), tuple(0 for _ in v)) for k, v in data.items()}


#: Spreadsheets a month's folder may hold that no reader reads: a kind's records saved
#: as one would be left out silently (its kind "no records"), so each is refused by name.
SPREADSHEETS = frozenset({".xls", ".xlsm", ".xlsb", ".xltx", ".ods", ".et", ".numbers", ".tsv"})


def _spreadsheet(entry: Path) -> FactsFileError:
    return file_error(
        str(entry), "unknown-format", form="spreadsheet", suffix=entry.suffix, formats=FORMAT_NAMES
    )


def _read_folder(
    source: Path, fields: Mapping[str, Mapping[str, Field]], split: Splitter | None
) -> dict[str, FactsFile]:
    """Each ``<kind>.<suffix>`` file of a folder, by kind; other files are not facts.
    Every file is read before any is refused: each refused file is reported, at once (one
    error, or :class:`InvalidPolicy` holding each), so that HR corrects them in one go."""
    found: dict[str, FactsFile] = {}
    refused: list[PolicyError] = []
    seen: set[str] = set()
    for entry in sorted(source.iterdir()):
        if entry.name.startswith(("~$", ".")):
            continue  # Excel's lock file of an open workbook, hidden files
        if entry.suffix.lower() not in READERS:
            if entry.suffix.lower() in SPREADSHEETS:  # a kind's records no reader reads
                refused.append(_spreadsheet(entry))
            continue  # else notes, a README: not facts
        kind = entry.stem
        if kind in seen:
            refused.append(file_error(str(entry), "duplicate-kind", kind=kind))
            continue
        seen.add(kind)
        try:
            found[kind] = read_facts(entry, fields.get(kind, {}), split)
        except FactsFileError as exc:
            refused.append(exc)
        except InvalidPolicy as exc:  # a file's several problems (its header's)
            refused.extend(exc.problems)
    refuse_all(refused, str(source))
    if not found:
        raise file_error(str(source), "empty-file", form="folder", formats=FORMAT_NAMES)
    return found


# --- where a record's problem is in its file ----------------------------------------


@attrs.frozen
class Place:
    """Where a record (and a field of it) is written in its facts file."""

    file: str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None

    @property
    def cell(self) -> str | None:
        """The spreadsheet cell (``B3``) of an XLSX place with a row and a column."""
        if self.sheet is None or self.line is None or self.column is None:
            return None
        return cell_name(self.line, self.column)

    def __str__(self) -> str:
        text = self.file
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        if self.sheet is not None:
            text += f" (sheet '{self.sheet}'" + (f", cell {self.cell})" if self.cell else ")")
        return text


class FactsIndex:
    """Finds the file, row and column of a record's problem, from the kind, record and field
    the problem names (a check of the typed record knows nothing of files)."""

    def __init__(self, files: Mapping[str, FactsFile], keys: Mapping[str, str]) -> None:
        self._files = dict(files)
        self._keys = dict(keys)
        self._positions: dict[str, dict[str, int]] = {}
        #: kind -> each record's key, in order, when all are clean text (see _text_keys):
        #: made into positions only when a problem is first located.
        self._texts: dict[str, list[str]] = {}
        self._counts = {kind: len(f.records) for kind, f in self._files.items()}

    def detached(self) -> FactsIndex:
        """The same index, holding no record, so the records themselves can be let go (a
        month's calls are most of its memory). Keys written as clean text are kept as a
        list, and indexed only when a problem is first located: a month without one
        never builds the index of its millions of calls."""
        for kind, facts in self._files.items():
            key = self._keys.get(kind)
            texts = _text_keys(facts.records, key) if key else None
            if texts is not None:
                self._texts[kind] = texts
            else:
                self._positions_of(kind)
        self._files = {kind: attrs.evolve(f, records=()) for kind, f in self._files.items()}
        return self

    def kept(self, kind: str, texts: list[str]) -> None:
        """Each record's key as written, in order, for a kind whose records the client
        never held (typed on a cluster's workers, ``run._dask_kept``): they locate its
        problems as the records themselves would."""
        self._counts[kind] = len(texts)
        self._positions.pop(kind, None)
        if list(map(str.strip, texts)) == texts:
            self._texts[kind] = texts
            return
        found: dict[str, int] = {}
        for index, value in enumerate(texts):
            found.setdefault(value.strip(), index)
            found.setdefault(value, index)
        self._positions[kind] = found

    def _positions_of(self, kind: str) -> dict[str, int]:
        if kind not in self._positions:
            key = self._keys.get(kind)
            records = self._files[kind].records
            texts = self._texts.pop(kind, None)
            if texts is None and key:
                texts = _text_keys(records, key)
            if texts is not None:
                found = _first_positions(texts)
                self._positions[kind] = found
                return found
            found = {}
            for index, raw in enumerate(records):
                value = raw.get(key) if isinstance(raw, Mapping) and key else None
                if value is not None and not isinstance(value, bool):
                    text = value.strip() if isinstance(value, str) else str(value)
                    found.setdefault(text, index)
                    found.setdefault(str(value), index)
            self._positions[kind] = found
        return self._positions[kind]

    def _position(self, kind: str, record: int | str) -> int | None:
        if isinstance(record, int):
            return record if 0 <= record < self._counts[kind] else None
        return self._positions_of(kind).get(record)

    def place(self, error: PolicyError) -> Place | None:
        """Where the record (and field) an error names is written; None when unknown."""
        kind = error.details.get("kind")
        record = error.location.record
        if not isinstance(kind, str) or kind not in self._files:
            return None
        facts = self._files[kind]
        if record is None:  # the whole file's (a kind no entities.yaml declares): its file
            return Place(facts.file, sheet=facts.sheet)
        index = self._position(kind, record)
        if index is None:
            return Place(facts.file, sheet=facts.sheet)
        line = facts.lines[index] if index < len(facts.lines) else 0
        field = error.location.field
        column = facts.columns.get(field) if field else None
        return Place(facts.file, line or None, column if line else None, facts.sheet)

    def render(self, error: PolicyError, catalogue: Catalogue | None = None) -> str:
        """The error's line in ``catalogue``'s words (English without one), led by the file,
        row and column of its record when known, its field named by its column header too."""
        place = self.place(error)
        shown = self.headed(self._by_rows(error))
        if place is None:
            return shown.render(catalogue)
        if error.location.file is None:
            located = shown.at(file=place.file, line=place.line, column=place.column)
            text = located.render(catalogue)
            if place.sheet is not None:
                cell = place.cell
                where = (
                    frame("sheet-cell", catalogue, sheet=place.sheet, cell=cell)
                    if cell
                    else frame("sheet", catalogue, sheet=place.sheet)
                )
                text = text.replace(f"{error.code}: ", f"{error.code}: {where}: ", 1)
            return text
        return f"{place}: {shown.render(catalogue)}"

    def _by_rows(self, error: PolicyError) -> PolicyError:
        """A key given twice said by the rows its records stand on in their file, not by
        their positions counting from 0, which only a program counts in (the stored
        error keeps the positions)."""
        kind, positions = error.details.get("kind"), error.details.get("positions")
        facts = self._files.get(kind) if isinstance(kind, str) else None
        if (error.code, error.form) != ("duplicate-key", "facts") or facts is None:
            return error
        lines = facts.lines
        if not isinstance(positions, list) or not all(
            isinstance(p, int) and 0 <= p < len(lines) and lines[p] for p in positions
        ):
            return error  # a JSON file's records have no line of their own
        where = error.location
        rows = ", ".join(str(lines[p]) for p in positions)
        words = {"kind": kind, "field": where.field, "record": where.record, "rows": rows}
        return FactError.from_template(
            "duplicate-key", form="facts-rows", location=where, details=error.details, words=words
        )

    def headed(self, error: PolicyError) -> PolicyError:
        """``error`` with its field's column header in its location (and its problems'),
        when the facts file heads that column otherwise than by the field's name."""
        kind = error.details.get("kind")
        facts = self._files.get(kind) if isinstance(kind, str) else None
        if facts is None or not facts.headers:
            return error
        each = getattr(error, "each", None)
        if each is not None:  # a record with several problems: each is located in it
            headed: PolicyError = each(lambda problem: _headed(problem, facts.headers))
            return headed
        return _headed(error, facts.headers)


def _headed(error: PolicyError, headers: Mapping[str, str]) -> PolicyError:
    header = headers.get(error.location.field or "")
    return error if header is None else error.at(header=header)


def _text_keys(records: tuple[Any, ...], key: str) -> list[str] | None:
    """Each record's key, when every record is a dict whose key is written as text with
    no spaces around it (a CSV's, mostly); None otherwise. Read in C: a month has
    millions of calls."""
    if set(map(type, records)) - {dict}:
        return None
    values = list(map(operator.methodcaller("get", key), records))
    if set(map(type, values)) - {str} or list(map(str.strip, values)) != values:
        return None
    return values


def _first_positions(values: list[str]) -> dict[str, int]:
    """Each key's first position. Built from the last record to the first, so the first
    position of a key stays."""
    return dict(zip(reversed(values), range(len(values) - 1, -1, -1), strict=True))
