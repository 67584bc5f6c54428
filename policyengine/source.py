"""Reading a policy file: safe YAML to plain data, with a map back to the source.

HR staff edit policy files by hand, so this reader is strict and never
guesses. Every problem becomes a :class:`PolicySourceError` with a code and a
line and column; all that one pass can find are raised together as one
:class:`InvalidPolicy`, and nothing else ever escapes.

* Bytes: at most 1 MiB of strict UTF-8 (a leading BOM is dropped); control
  characters (C0 except TAB, LF, CR; DEL; C1) are refused.
* One document, whose top level is a mapping, nested at most 64 levels.
* Anchors, aliases and explicit tags (``&a``, ``*a``, ``!!str``, ``!foo``) are
  refused, so nothing can expand or build objects. ``<<`` is an ordinary key.
* Values are built here from the parser's events, without YAML 1.1 guessing.
  Quoted and block scalars are text. A plain scalar is None for ``~``,
  ``null`` or nothing; a bool only for ``true``/``false`` (three spellings);
  an ``int`` for ``12``, ``-3`` (no leading zeros); a :class:`~decimal.Decimal`
  (never a float) for ``1.50``, ``.5``, ``-0.25``, with at most as many digits
  as the engine computes exactly; a ``datetime.date`` for ``YYYY-MM-DD`` (an
  impossible day is an error). Anything else (``yes``, ``007``, ``1e3``,
  ``.inf``, ``3.5%``, a date with a time) stays text.
* Keys are always text (the key ``1:`` gives ``"1"``), once per mapping.

Positions are 1-based lines and columns counted in characters, keyed by
RFC 6901 JSON pointer.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import types
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol, cast

import attrs
import yaml

from policyengine.codes import ErrorCode
from policyengine.errors import InvalidPolicy, Location, PolicyError, PolicySourceError
from policyengine.numbers import CONTEXT

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_CONTROL_REPORTS = 20

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# [0-9], not \d: \d also accepts the digits of other scripts.
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# The line breaks the YAML scanner counts, so that lines found before parsing
# agree with the lines it reports (its NEL, U+0085, is refused before parsing).
_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")
_BOM = b"\xef\xbb\xbf"
_YAML_TAG = "tag:yaml.org,2002:"
_FILE_START = yaml.Mark("", 0, 0, 0, "", 0)

# code -> (message, hint); both are formatted with the problem's details.
# fmt: off
_TEXT: dict[ErrorCode, tuple[str, str]] = {
    "file-not-found": ("there is no file '{path}'", "check the folder and the file name"),
    "unreadable-file": ("'{path}' cannot be read: {reason}", "name a policy file you may read"),
    "file-too-large": ("the file is larger than 1 MiB ({limit:,} bytes), the most a policy file "
                       "may be", "split the policy into smaller files"),
    "not-utf8": ("the file is not UTF-8 text: the byte 0x{byte} here cannot be read",
                 "save the file with the encoding 'UTF-8' (not GBK, GB2312 or UTF-16)"),
    "control-character": ("the file contains the invisible control character {character}",
                          "delete it (it often comes with text copied from another program); "
                          "if there are many, the file may be UTF-16: save it as UTF-8"),
    "empty-document": ("the file has no content, only blank lines or comments",
                       "write the policy as 'key: value' lines"),
    "not-a-mapping": ("the top level of a policy file must be 'key: value' lines, but this is "
                      "{found}", "start the file with 'key: value' lines at the left margin"),
    "multiple-documents": ("a second document starts here, but a policy file holds exactly one",
                           "a line of only '---' or '...' separates documents: remove it, "
                           "or put each policy in its own file"),
    "too-deep": ("the document is nested more than {limit} levels deep", "no policy needs so "
                 "many levels: look for a bracket '[' or '{{' that is never closed"),
    "yaml-alias": ("'{name}' {does}, but policy files do not allow anchors (&) or aliases (*)",
                   "write each value out in full where it is needed"),
    "yaml-tag": ("the tag '{tag}' is not allowed in a policy file",
                 "remove it; to make a value text, put the value in quotes"),
    "complex-key": ("a key must be a single name, not a list or a mapping",
                    "look for '?', '[' or '{{' before the colon"),
    "duplicate-key": ("the key '{key}' is given twice in the same mapping; the first is on line "
                      "{first_line}", "keep one: a second entry would silently replace the first"),
    "invalid-date": ("'{text}' is written as a date (year-month-day), but there is no such day",
                     "check the month (01-12) and the day; to keep it as text, put it in quotes"),
    "too-many-digits": ("the number has {digits} digits, but at most {limit} can be calculated "
                        "exactly", "shorten it; if it is a code, not an amount, put it in quotes"),
    "yaml-syntax": ("{problem}", ""),
}

_SYNTAX_HINTS = (
    ("could not find expected ':'", "each entry needs 'key: value' with a space after the "
     "colon: look here and on the line above for a missing colon or an unclosed quote"),
    ("mapping values are not allowed", "text containing ': ' must be put in quotes, "
     "and the keys of one mapping must start in the same column"),
    ("end of stream", "a quote or a bracket is opened but never closed"),
    ("expected <block end>", "check the indentation: entries at one level start in one column"),
    ("expected ',' or", "check that every '[' has its ']' and every '{' its '}'"),
    ("unknown escape", "in double quotes '\\' starts an escape: write '\\\\' or use single quotes"),
    ("cannot start any token", "text that starts with this character must be put in quotes"),
    ("tag handle", "tags are not allowed in a policy file; put text in quotes instead"),
    ("<document start>", "a line of only '...' ends the document: remove it"),
)
# fmt: on


def _problem(
    code: ErrorCode, where: Location, hint: str | None = None, **details: Any
) -> PolicyError:
    message, advice = _TEXT[code]
    return PolicySourceError(
        message.format(**details),
        code=code,
        location=where,
        hint=hint or advice.format(**details) or None,
        details=details,
    )


def _fail(code: ErrorCode, file: str, **details: Any) -> InvalidPolicy:
    return InvalidPolicy([_problem(code, Location(file), **details)], file=file)


@attrs.frozen
class Position:
    """Where something starts in a policy file."""

    line: int  # 1-based
    column: int  # 1-based, in characters


@attrs.frozen
class Document:
    """A policy file read into plain data, with where each value and key starts."""

    file: str
    raw: bytes
    sha256: str
    # The data and the maps derive from raw, so equality and hashing use raw.
    data: dict[str, Any] = attrs.field(eq=False)
    positions: Mapping[str, Position] = attrs.field(eq=False)
    key_positions: Mapping[str, Position] = attrs.field(eq=False)
    #: Problems that still left a usable document (a duplicate key, an alias, a
    #: tag, an impossible date, an over-long number): the builder reports them
    #: together with its own, so one run shows every mistake in the file.
    problems: tuple[PolicyError, ...] = attrs.field(eq=False, default=())

    def locate(self, pointer: str, *, key: bool = False) -> Location:
        """The location of ``pointer``, or of its nearest ancestor in the map."""
        probe = pointer
        while True:
            found = (self.key_positions.get(probe) if key else None) or self.positions.get(probe)
            if found is not None:
                return Location(self.file, found.line, found.column, pointer=pointer)
            if not probe:
                return Location(self.file, pointer=pointer)
            probe = probe.rpartition("/")[0]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _line_column(text: str, index: int) -> tuple[int, int]:
    line, start = 1, 0
    for match in _BREAK.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return line, index - start + 1


class _TooDeep(Exception):
    """Reading stops: going on would only walk deeper into the same mistake."""


class _Loader(yaml.SafeLoader):
    # The scanner reads far ahead of the parser, and with thousands of open
    # brackets on one line its look-ahead is slow: stop it at the limit.
    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(self.get_mark(), None)
        super().fetch_flow_collection_start(TokenClass)


class _Events(Protocol):
    # The parser's event interface, typed (the library leaves it untyped).
    def get_event(self) -> Any: ...
    def peek_event(self) -> Any: ...
    def check_event(self, *choices: type[Any]) -> bool: ...


@attrs.define
class _Frame:
    pointer: str | None  # None inside something that is dropped (a complex key)
    value: dict[str, Any] | list[Any]
    first_lines: dict[str, int] = attrs.field(factory=dict)
    has_key: bool = False
    key: str | None = None  # the pending member; None drops its value


class _Reader:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.problems: list[PolicyError] = []
        self.positions: dict[str, Position] = {}
        self.key_positions: dict[str, Position] = {}

    def problem(
        self, code: ErrorCode, mark: Any, pointer: str | None = None, **details: Any
    ) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        where = Location(self.file, line, column, pointer=pointer)
        self.problems.append(_problem(code, where, **details))

    def read(self) -> dict[str, Any] | None:
        loader = _Loader(self.text)
        events = cast(_Events, loader)
        try:
            events.get_event()
            if events.check_event(yaml.StreamEndEvent):
                self.problem("empty-document", _FILE_START, "")
                return None
            events.get_event()
            first = events.peek_event()
            root = self.tree(events)
            events.get_event()
            if events.check_event(yaml.DocumentStartEvent):
                self.problem("multiple-documents", events.peek_event().start_mark)
        except _TooDeep as stop:
            self.problem("too-deep", *stop.args, limit=MAX_DEPTH)
            return None
        except yaml.MarkedYAMLError as error:
            self.syntax(error)
            return None
        except yaml.YAMLError as error:
            self.problem("yaml-syntax", None, problem=str(error))
            return None
        finally:
            loader.dispose()
        if isinstance(first, yaml.ScalarEvent) and root is None and first.value == "":
            self.problem("empty-document", _FILE_START, "")
        elif not isinstance(root, dict):
            if isinstance(first, yaml.ScalarEvent):
                found = f"the single value {first.value[:40]!r}"
            else:
                found = "a list" if isinstance(root, list) else "an alias"
            self.problem("not-a-mapping", first.start_mark, "", found=found)
        return root if isinstance(root, dict) else None

    def tree(self, events: _Events) -> Any:
        # A loop over an explicit stack, not recursion: depth never reaches the
        # interpreter's limit, and the limit here is checked before descending.
        stack: list[_Frame] = []
        while True:
            event = events.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop().value
                if not stack:
                    return done
                self.attach(stack[-1], done, None)
                continue
            parent = stack[-1] if stack else None
            is_key = parent is not None and isinstance(parent.value, dict) and not parent.has_key
            pointer = self.slot(parent, event, is_key)
            mark = event.start_mark
            value: Any = None
            if isinstance(event, yaml.AliasEvent):
                self.problem("yaml-alias", mark, pointer, name=f"*{event.anchor}",
                             does="repeats a value marked elsewhere")  # fmt: skip
            else:
                self.properties(event, pointer)
                if isinstance(event, yaml.ScalarEvent):
                    value = event.value if is_key else self.scalar(event, pointer)
                else:
                    if parent is not None and is_key:
                        self.problem("complex-key", mark, parent.pointer)
                        pointer = None
                    if len(stack) >= MAX_DEPTH:
                        raise _TooDeep(mark, pointer)
                    if pointer is not None:
                        self.positions[pointer] = Position(mark.line + 1, mark.column + 1)
                    mapping = isinstance(event, yaml.MappingStartEvent)
                    stack.append(_Frame(pointer, {} if mapping else []))
                    continue
            if not is_key and pointer is not None:
                self.positions[pointer] = Position(mark.line + 1, mark.column + 1)
            if parent is None:
                return value
            self.attach(parent, value, mark if is_key else None)

    @staticmethod
    def slot(parent: _Frame | None, event: Any, is_key: bool) -> str | None:
        """The pointer of the node ``event`` starts (for a key: of its member)."""
        if parent is None:
            return ""
        if parent.pointer is None:
            return None
        if isinstance(parent.value, list):
            return f"{parent.pointer}/{len(parent.value)}"
        if is_key:
            scalar = isinstance(event, yaml.ScalarEvent)
            return f"{parent.pointer}/{_escape(event.value)}" if scalar else None
        return None if parent.key is None else f"{parent.pointer}/{_escape(parent.key)}"

    def attach(self, frame: _Frame, value: Any, key_mark: Any) -> None:
        if isinstance(frame.value, list):
            frame.value.append(value)
            return
        if frame.has_key:
            frame.has_key = False
            if frame.key is not None:
                frame.value[frame.key] = value
            return
        frame.has_key = True
        # An alias or a complex key is reported already; its value is dropped.
        frame.key = value if isinstance(value, str) and key_mark is not None else None
        if frame.key is None:
            return
        member = None if frame.pointer is None else f"{frame.pointer}/{_escape(frame.key)}"
        first = frame.first_lines.get(frame.key)
        if first is not None:
            self.problem("duplicate-key", key_mark, member, key=frame.key, first_line=first)
            frame.key = None
            return
        frame.first_lines[frame.key] = key_mark.line + 1
        if member is not None:
            self.key_positions[member] = Position(key_mark.line + 1, key_mark.column + 1)

    def properties(self, event: Any, pointer: str | None) -> None:
        if event.anchor is not None:
            self.problem("yaml-alias", event.start_mark, pointer, name=f"&{event.anchor}",
                         does="marks a value for reuse")  # fmt: skip
        if event.tag is not None:
            tag: str = event.tag
            tag = "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag
            self.problem("yaml-tag", event.start_mark, pointer, tag=tag)

    def scalar(self, event: Any, pointer: str | None) -> Any:
        text: str = event.value
        if event.style is not None:
            return text
        if text in _NULLS:
            return None
        if text in _BOOLS:
            return _BOOLS[text]
        is_int = _INT.fullmatch(text) is not None
        if is_int or _DECIMAL.fullmatch(text):
            number = Decimal(text)
            digits = len(number.as_tuple().digits)
            # More digits than the arithmetic context keeps would be rounded
            # silently at the first calculation.
            if digits > CONTEXT.prec:
                self.problem("too-many-digits", event.start_mark, pointer, digits=digits,
                             limit=CONTEXT.prec)  # fmt: skip
                return text
            return int(text) if is_int else number
        date = _DATE.fullmatch(text)
        if date:
            try:
                return datetime.date(*(int(part) for part in date.groups()))
            except ValueError:
                self.problem("invalid-date", event.start_mark, pointer, text=text)
        return text

    def syntax(self, error: yaml.MarkedYAMLError) -> None:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "the text is not valid YAML"
        line = _BREAK.split(self.text)[mark.line] if mark is not None else ""
        hints = [_syntax_hint(problem, line)]
        if error.context and error.context_mark is not None:
            hints.append(f"{error.context} that starts on line {error.context_mark.line + 1}")
        hint = "; ".join(h for h in hints if h) or None
        self.problem("yaml-syntax", mark, hint=hint, problem=problem)


def _syntax_hint(problem: str, line: str) -> str | None:
    if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
        return "indent with spaces: tab characters cannot be used for indentation"
    if "'\\t'" in problem:
        return "write spaces instead of the tab, or put the text in quotes"
    return next((hint for needle, hint in _SYNTAX_HINTS if needle in problem), None)


def _decode(raw: bytes, file: str) -> str:
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        before = body[: error.start].decode("utf-8")
        line, column = _line_column(before, len(before))
        where = Location(file, line, column)
        problem = _problem("not-utf8", where, byte=f"{body[error.start]:02X}")
        raise InvalidPolicy([problem], file=file) from None
    found: list[PolicyError] = []
    for match in _CONTROL.finditer(text):
        if len(found) == MAX_CONTROL_REPORTS:
            break
        where = Location(file, *_line_column(text, match.start()))
        found.append(_problem("control-character", where, character=f"U+{ord(match[0]):04X}"))
    if found:
        raise InvalidPolicy(found, file=file)
    return text


#: Codes after which the document is still complete enough to check further.
RECOVERABLE: frozenset[ErrorCode] = frozenset(
    {"duplicate-key", "yaml-alias", "yaml-tag", "invalid-date", "too-many-digits", "complex-key"}
)


def read_policy_bytes(raw: bytes, file: str) -> Document:
    """Read the bytes of one policy file.

    Raises :class:`InvalidPolicy` with every problem when the file cannot be
    read as a mapping at all; problems that leave a usable document (see
    ``RECOVERABLE``) are returned in ``Document.problems`` instead.
    """
    if len(raw) > MAX_BYTES:
        raise _fail("file-too-large", file, limit=MAX_BYTES)
    reader = _Reader(file, _decode(raw, file))
    try:
        data = reader.read()
    except RecursionError:  # a last resort: the reader itself does not recurse
        reader.problem("too-deep", None, limit=MAX_DEPTH)
        data = None
    except MemoryError:
        reader.problem("file-too-large", None, limit=MAX_BYTES)
        data = None
    if data is None or any(p.code not in RECOVERABLE for p in reader.problems):
        raise InvalidPolicy(reader.problems, file=file)
    return Document(
        file=file,
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        data=data,
        positions=types.MappingProxyType(reader.positions),
        key_positions=types.MappingProxyType(reader.key_positions),
        problems=tuple(reader.problems),
    )


def read_policy_file(path: str | os.PathLike[str]) -> Document:
    """Read one policy file from disk; raise :class:`InvalidPolicy` when it cannot be read."""
    file = str(path)
    try:
        with open(path, "rb") as stream:
            # One byte past the limit is enough to know the file is too large.
            raw = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _fail("file-not-found", file, path=file) from None
    except IsADirectoryError:
        raise _fail("unreadable-file", file, path=file, reason="it is a folder") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise _fail("unreadable-file", file, path=file, reason=reason) from None
    return read_policy_bytes(raw, file)
