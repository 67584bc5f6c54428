"""Facts in JSON (a list of records, or ``{"records": [...]}``) and JSONL (a record a line).

Numbers are read as Decimal, never as a binary float, so an amount keeps its
exact digits; ``NaN`` and ``Infinity`` are refused. The field types are
applied when the record is checked, not here: a record holds what the file
says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core import _number_text as number_text
from ..model import Field
from ._file import FactsFile, decoded_text, facts_error


class JsonReader:
    """Reads ``.json`` facts files: a list of records, or ``{"records": [...]}``."""

    suffix = ".json"
    name = "JSON"

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        """The records of a JSON file's bytes."""
        data = loads(file, decoded_text(file, raw))
        if isinstance(data, Mapping) and isinstance(data.get("records"), list):
            data = data["records"]
        if not isinstance(data, list):
            raise facts_error(
                file,
                'expected a list of records (or {"records": [...]})',
                code="not-a-record-list",
            )
        return FactsFile(file, tuple(data), tuple(0 for _ in data))


class JsonlReader:
    """Reads ``.jsonl`` facts files: one JSON record a line, blank lines skipped."""

    suffix = ".jsonl"
    name = "JSON Lines"

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        """The records of a JSONL file's bytes, each with its line."""
        records: list[Any] = []
        lines: list[int] = []
        text = decoded_text(file, raw)
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                records.append(loads(file, line, number - 1))
                lines.append(number)
        return FactsFile(file, tuple(records), tuple(lines))


JSON_READER = JsonReader()
JSONL_READER = JsonlReader()


def loads(file: str, text: str, line_offset: int = 0) -> Any:
    """JSON ``text`` with its numbers as Decimal; an error names the line of ``file``."""
    try:
        return json.loads(
            text,
            parse_float=number_text.json_number,
            parse_int=number_text.json_int,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        raise facts_error(
            file,
            f"not valid JSON: {exc.msg}",
            exc.lineno + line_offset,
            code="invalid-json",
            column=exc.colno,
        ) from exc
    except ValueError as exc:
        raise facts_error(file, str(exc), code="invalid-json") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a policy can use")
