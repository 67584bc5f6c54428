"""Facts files in, results out: JSON, JSONL and CSV.

Numbers in JSON are read as Decimal (never float). CSV cells are text; the
declared field types turn them into numbers, dates and flags, and an empty
cell counts as a field left out. A header may use a field's name or its
``title`` (so a CSV with Chinese headers maps onto the fields).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .errors import FactsFileError, Location
from .model import Field
from .suggest import did_you_mean

FORMATS = (".json", ".jsonl", ".csv")


@attrs.frozen
class FactsFile:
    """The records of one facts file, with the line each record starts on."""

    file: str
    records: tuple[dict[str, Any], ...]
    lines: tuple[int, ...]


def _fail(
    file: str,
    message: str,
    line: int | None = None,
    code: str = "unreadable-facts",
    hint: str | None = None,
    column: int | None = None,
) -> FactsFileError:
    return FactsFileError(
        message, code=code, location=Location(file=file, line=line, column=column), hint=hint
    )


def read_facts(
    path: str | os.PathLike[str], fields: Mapping[str, Field] | None = None
) -> FactsFile:
    """Read the records of a JSON, JSONL or CSV file; raises FactsFileError, located."""
    file = str(path)
    suffix = Path(file).suffix.lower()
    if suffix not in FORMATS:
        raise _fail(
            file,
            f"cannot read '{suffix or file}' files",
            code="unknown-format",
            hint="use .json, .jsonl or .csv",
        )
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError as exc:
        raise _fail(file, "no such file", code="file-not-found") from exc
    except OSError as exc:
        raise _fail(file, f"cannot read the file: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            file,
            "the file is not UTF-8 text",
            line,
            code="not-utf8",
            hint="save it as UTF-8 (in Excel: CSV UTF-8)",
        ) from exc
    if not text.strip():
        raise _fail(file, "the file is empty", code="empty-file")
    if suffix == ".csv":
        return _csv(file, text, fields or {})
    if suffix == ".jsonl":
        return _jsonl(file, text)
    return _json(file, text)


def _loads(file: str, text: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _fail(
            file,
            f"not valid JSON: {exc.msg}",
            exc.lineno + line_offset,
            code="invalid-json",
            column=exc.colno,
        ) from exc
    except ValueError as exc:
        raise _fail(file, str(exc), code="invalid-json") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a policy can use")


def _json(file: str, text: str) -> FactsFile:
    data = _loads(file, text)
    if isinstance(data, Mapping) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise _fail(
            file, 'expected a list of records (or {"records": [...]})', code="not-a-record-list"
        )
    return FactsFile(file, tuple(data), tuple(0 for _ in data))


def _jsonl(file: str, text: str) -> FactsFile:
    records: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            records.append(_loads(file, line, number - 1))
            lines.append(number)
    return FactsFile(file, tuple(records), tuple(lines))


def _csv(file: str, text: str, fields: Mapping[str, Field]) -> FactsFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise _fail(file, f"not valid CSV: {exc}", 1, code="invalid-csv") from exc
    names = _map_header(file, header, fields)
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) != len(names):
                raise _fail(
                    file,
                    f"the row has {len(row)} cells but the header has {len(names)}",
                    line,
                    code="ragged-row",
                )
            records.append({n: cell for n, cell in zip(names, row, strict=True) if cell.strip()})
            lines.append(line)
    except csv.Error as exc:
        raise _fail(file, f"not valid CSV: {exc}", reader.line_num, code="invalid-csv") from exc
    return FactsFile(file, tuple(records), tuple(lines))


def _map_header(file: str, header: list[str], fields: Mapping[str, Field]) -> list[str]:
    by_title = {f.title: f.name for f in fields.values() if f.title}
    names: list[str] = []
    for column, cell in enumerate(header, start=1):
        label = cell.strip()
        name = label if label in fields or not fields else by_title.get(label)
        if name is None:
            raise _fail(
                file,
                f"unknown column '{label}'",
                1,
                code="unknown-column",
                column=column,
                hint=did_you_mean(label, [*fields, *by_title]),
            )
        if name in names:
            raise _fail(
                file, f"column '{label}' appears twice", 1, code="duplicate-column", column=column
            )
        names.append(name)
    return names


def read_bundle_facts(
    path: str | os.PathLike[str], fields: Mapping[str, Mapping[str, Field]]
) -> dict[str, FactsFile]:
    """A month's facts by record kind: a folder of ``<kind>.csv|.json|.jsonl`` files, or
    one JSON file ``{"<kind>": [records], …}``. ``fields`` gives each kind's known fields
    (for CSV headers written with field titles)."""
    source = Path(path)
    if source.is_dir():
        found: dict[str, FactsFile] = {}
        for entry in sorted(source.iterdir()):
            if entry.suffix.lower() not in FORMATS:
                continue
            kind = entry.stem
            if kind in found:
                raise _fail(
                    str(entry), f"two files hold the records of '{kind}'", code="duplicate-kind"
                )
            found[kind] = read_facts(entry, fields.get(kind, {}))
        if not found:
            raise _fail(
                str(source),
                "the folder holds no .csv, .json or .jsonl facts files",
                code="empty-file",
            )
        return found
    file = str(source)
    if source.suffix.lower() != ".json":
        raise _fail(
            file,
            "facts for several kinds come as a folder or one .json file",
            code="unknown-format",
            hint='{"rep": [...], "call": [...]}',
        )
    try:
        data = _loads(file, source.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise _fail(file, "no such file", code="file-not-found") from exc
    if not isinstance(data, Mapping) or not all(isinstance(v, list) for v in data.values()):
        raise _fail(file, 'expected {"<kind>": [records], ...}', code="not-a-record-list")
    return {str(k): FactsFile(file, tuple(v), tuple(0 for _ in v)) for k, v in data.items()}
