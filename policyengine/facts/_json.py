"""Facts in JSON (a list of records, or ``{"records": [...]}``) and JSONL (a record a line).

Numbers are read as Decimal, never as a binary float, so an amount keeps its
exact digits; ``NaN`` and ``Infinity`` are refused. Values nest at most
:data:`MAX_DEPTH` levels (a record in a list is two): deeper JSON is
``too-deep``, never a ``RecursionError`` here or later. The field types are
applied when the record is checked, not here: a record holds what the file
says.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any

from ..core import _number_text as number_text
from ..model import Field
from ._file import FactsFile, decoded_text, file_error


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
            raise file_error(file, "not-a-record-list", form="json")
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


#: How deep facts JSON may nest: a document, its kinds, their lists, a record, a list
#: field and its items are six; the rest is room, far below Python's recursion limit.
MAX_DEPTH = 32


def loads(file: str, text: str, line_offset: int = 0) -> Any:
    """JSON ``text`` with its numbers as Decimal; an error names the line of ``file``."""
    try:
        data = json.loads(
            text,
            parse_float=number_text.json_number,
            parse_int=number_text.json_int,
            parse_constant=_no_constant,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        line = exc.lineno + line_offset
        raise file_error(file, "invalid-json", line, exc.colno, problem=exc.msg) from exc
    except _Repeated as exc:
        at = line_offset + 1 if line_offset else None  # a JSON Lines file's line
        raise file_error(file, "invalid-json", at, form="repeated-name", name=exc.name) from exc
    except ValueError as exc:
        raise file_error(file, "invalid-json", form="value", problem=str(exc)) from exc
    except RecursionError:
        data = None  # far too deep for the parser: reported as too deep, below
        _too_deep(file, line_offset)
    if _depth(data) > MAX_DEPTH:
        _too_deep(file, line_offset)
    return data


def _too_deep(file: str, line_offset: int) -> None:
    line = line_offset + 1 if line_offset else None
    raise file_error(file, "too-deep", line, form="json", limit=MAX_DEPTH)


def _depth(data: Any) -> int:
    """How deep ``data`` nests (a value alone is 0), without recursion. A list of flat
    records (a month's) is told from the kinds of its values alone, in C."""
    if type(data) is dict and not set(map(type, data.values())) & {list, dict}:
        return 1  # a record of a JSON Lines file
    if isinstance(data, list) and all(type(r) is dict for r in data):
        kinds = set(map(type, itertools.chain.from_iterable(map(dict.values, data))))
        if not kinds & {list, dict}:
            return 2 if data else 1
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            level += 1
            if level > MAX_DEPTH:
                return level
            deepest = max(deepest, level)
            stack.extend((v, level) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


class _Repeated(ValueError):
    """An object gives one name twice (``{"base": 1, "base": 9}``)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refused when it names a key twice: Python's JSON reader
    would keep the last value silently, and a base salary given twice would be paid at
    whichever came second (YAML policies and CSV headers refuse the same)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _Repeated(name)
            seen.add(name)
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a policy can use")
