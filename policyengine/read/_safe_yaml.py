"""The safe YAML reader: the parser's events to plain data and a source map.

The YAML library's own loaders build values by YAML 1.1's guesses (``no`` is
false, ``010`` is eight, ``1e3`` a float) and expand anchors and tags; a pay
policy must never mean something its author did not write. So only the
parser's events are used, and this reader builds every value itself:

* Anchors, aliases and explicit tags (``&a``, ``*a``, ``!!str``, ``!foo``) are
  refused, so nothing can expand or build objects. ``<<`` is an ordinary key.
* Quoted and block scalars are text. A plain scalar is None for ``~``,
  ``null`` or nothing; a bool only for ``true``/``false`` (three spellings);
  an ``int`` for ``12``, ``-3`` (no leading zeros); a :class:`~decimal.Decimal`
  (never a float) for ``1.50``, ``.5``, ``-0.25``, with at most as many digits
  as the engine computes exactly; a ``datetime.date`` for ``YYYY-MM-DD`` (an
  impossible day is an error). Anything else (``yes``, ``007``, ``1e3``,
  ``.inf``, ``3.5%``, a date with a time) stays text.
* Keys are always text (the key ``1:`` gives ``"1"``), once per mapping.
* One document, whose top level is a mapping, nested at most ``MAX_DEPTH``
  levels: the tree is built with an explicit stack, never by recursion.
* Every key and value, once YAML has read its escapes, is clean text
  (``core/_display.unclean``): ``"\\x1b"``, ``"\\u202e"`` or ``"\\ud800"`` in quotes is
  refused as the same character written raw would be. A key (a name) may not hold
  a tab or a line break either.
* Bounded work: the parser is pure Python, so reading stops at ``MAX_VALUES``
  keys and values (``too-many-values``) and at the ``MAX_ALIASES``-th anchor or
  alias (``too-many-aliases``); no alias is ever expanded. Together with the size
  limit this keeps a file's reading well under a second.

Problems that leave the value usable (a duplicate key, an alias, a tag, an
impossible date, an over-long number) are collected, and reading goes on.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, Protocol, cast

import attrs
import yaml

from ..codes import ErrorCode
from ..core import _number_text as number_text
from ..core._display import character_name, unclean
from ..core._numbers import CONTEXT
from ..errors import Location, PolicyError
from ._source_map import Position, pointer_part
from ._source_problems import full_width_hint, source_problem, syntax_hint

MAX_DEPTH = 64
#: Keys and values (scalars, lists and mappings) of one file: the largest shipped policy
#: holds under 1,000, and reading 20,000 takes about half a second.
MAX_VALUES = 20_000
#: Anchors and aliases reported before reading stops: each is refused already, and a file
#: made of them (262,000 fit in 1 MiB) would otherwise take many seconds to read.
MAX_ALIASES = 20
#: The hint of a character that an escape in quotes has put in the text.
_ESCAPED = (
    "write the text without it: in double quotes, an escape such as \\x1b, \\u200b "
    "or \\ud800 puts an invisible character in the text"
)
_ONE_LINE = "a key is one name: write it on one line, without tabs"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# [0-9], not \d: \d also accepts the digits of other scripts.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# The line breaks the YAML scanner counts, so that lines found before parsing
# agree with the lines it reports (its NEL, U+0085, is refused before parsing).
LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_YAML_TAG = "tag:yaml.org,2002:"
_FILE_START = yaml.Mark("", 0, 0, 0, "", 0)


def line_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of ``text[index]``, counted as the YAML parser counts."""
    line, start = 1, 0
    for match in LINE_BREAKS.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return line, index - start + 1


class _TooDeep(Exception):
    """Reading stops: going on would only walk deeper into the same mistake."""


class _TooMany(Exception):
    """Reading stops: the file holds more than a policy file may (its problem is reported)."""


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


#: A group of three digits after a thousands separator (the last may have decimals).
_GROUP = re.compile(r"[0-9]{3}(?:\.[0-9]+)?")


@attrs.define
class _Written:
    """A whole number just read as a member's value inside braces, as written so far."""

    text: str
    start: Any  # the marks where it starts and ends
    end: Any
    pointer: str | None
    problem: int | None = None  # its thousands problem's place among the problems


@attrs.define
class _Frame:
    pointer: str | None  # None inside something that is dropped (a complex key)
    value: dict[str, Any] | list[Any]
    first_lines: dict[str, int] = attrs.field(factory=dict)
    has_key: bool = False
    key: str | None = None  # the pending member; None drops its value
    flow: bool = False  # written inside braces: a comma there ends a member
    #: The last member's whole-number value, while a ``,000`` may still follow it.
    number: _Written | None = None
    tail: bool = False  # the pending key is a ``000`` of that number: its value is dropped


class YamlReader:
    """One file's text read into plain data and its positions, problems collected on the way."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.problems: list[PolicyError] = []
        self.positions: dict[str, Position] = {}
        self.key_positions: dict[str, Position] = {}
        self.values = 0
        self.aliases = 0

    def problem(
        self,
        code: ErrorCode,
        mark: Any,
        pointer: str | None = None,
        hint: str | None = None,
        **details: Any,
    ) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        where = Location(self.file, line, column, pointer=pointer)
        self.problems.append(source_problem(code, where, hint, **details))

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
        except _TooMany:
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
            self.count(event, pointer)
            value: Any = None
            if isinstance(event, yaml.AliasEvent):
                self.problem("yaml-alias", mark, pointer, name=f"*{event.anchor}",
                             does="repeats a value marked elsewhere")  # fmt: skip
            else:
                self.properties(event, pointer)
                if isinstance(event, yaml.ScalarEvent):
                    self.clean(event, pointer, is_key)
                    value = event.value if is_key else self.scalar(event, pointer)
                    if (
                        parent is not None
                        and parent.flow
                        and self.thousands(parent, event, is_key, value, pointer)
                    ):
                        value = None  # a group of digits is dropped, as its (empty) value is
                else:
                    if parent is not None and is_key:
                        self.problem("complex-key", mark, parent.pointer)
                        pointer = None
                    if len(stack) >= MAX_DEPTH:
                        raise _TooDeep(mark, pointer)
                    if pointer is not None:
                        self.positions[pointer] = Position(mark.line + 1, mark.column + 1)
                    mapping = isinstance(event, yaml.MappingStartEvent)
                    flow = mapping and bool(event.flow_style)
                    stack.append(_Frame(pointer, {} if mapping else [], flow=flow))
                    continue
            if not is_key and pointer is not None:
                self.positions[pointer] = Position(mark.line + 1, mark.column + 1)
            if parent is None:
                return value
            self.attach(parent, value, mark if is_key else None)

    def thousands(
        self, frame: _Frame, event: Any, is_key: bool, value: Any, pointer: str | None
    ) -> bool:
        """Whether ``event``, in a mapping written inside braces, is a ``000`` group of the
        number before it: ``{from: 80,000}`` reads as ``from: 80`` and a key ``000``, as
        YAML ends a member at a comma there. Said once per number, as written, at its
        start; the groups are dropped, so nothing else is said of them."""
        if not is_key:
            if frame.tail:  # the empty value of a dropped group
                frame.tail = False
                return True
            plain = event.style is None and isinstance(value, int) and not isinstance(value, bool)
            frame.number = (
                _Written(event.value, event.start_mark, event.end_mark, pointer) if plain else None
            )
            return False
        written, text = frame.number, event.value
        if written is None or event.style is not None or not _GROUP.fullmatch(text):
            frame.number = None
            return False
        if self.text[written.end.index : event.start_mark.index] != ",":
            frame.number = None
            return False
        written.text, written.end, frame.tail = f"{written.text},{text}", event.end_mark, True
        digits = written.text.replace(",", "")
        line, column = written.start.line + 1, written.start.column + 1
        problem = source_problem(
            "not-a-number",
            Location(self.file, line, column, pointer=written.pointer),
            form="thousands",
            number=written.text,
            plain=digits,
        )
        if written.problem is None:
            written.problem = len(self.problems)
            self.problems.append(problem)
        else:
            self.problems[written.problem] = problem
        return True

    def count(self, event: Any, pointer: str | None) -> None:
        """Count the node ``event`` starts; stop reading past the limits (see the module)."""
        self.values += 1
        if self.values > MAX_VALUES:
            self.problem("too-many-values", event.start_mark, pointer, limit=MAX_VALUES)
            raise _TooMany
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                self.problem("too-many-aliases", event.start_mark, pointer, limit=MAX_ALIASES)
                raise _TooMany

    def clean(self, event: Any, pointer: str | None, is_key: bool) -> None:
        """Report a key or value holding a character no text may hold (after YAML's escapes)."""
        found = unclean(event.value, lines=not is_key)
        if found is None:
            return
        character = found[0]
        # Written raw, the character was refused before parsing: here it came from an
        # escape, or it is a tab or line break in a key.
        hint = _ESCAPED if character not in "\t\n\r" else _ONE_LINE
        code, name = f"U+{ord(character):04X}", character_name(character)
        self.problem(
            "control-character", event.start_mark, pointer, hint, character=code, name=name
        )

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
            return f"{parent.pointer}/{pointer_part(event.value)}" if scalar else None
        return None if parent.key is None else f"{parent.pointer}/{pointer_part(parent.key)}"

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
        member = None if frame.pointer is None else f"{frame.pointer}/{pointer_part(frame.key)}"
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
        number = number_text.parse(text, number_text.YAML)  # an int or a Decimal
        if number is not None:
            digits = len(Decimal(number).as_tuple().digits)
            # More digits than the arithmetic context keeps would be rounded
            # silently at the first calculation.
            if digits > CONTEXT.prec:
                self.problem("too-many-digits", event.start_mark, pointer, digits=digits,
                             limit=CONTEXT.prec)  # fmt: skip
                return text
            return number
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
        lines = LINE_BREAKS.split(self.text)
        line = lines[mark.line] if mark is not None else ""
        hints = [syntax_hint(problem, line)]
        # The parser often stops a line after the slip: a full-width colon or comma typed
        # by a Chinese input method is looked for there and on the line the entry began,
        # and said at that line.
        begun = error.context_mark
        for at, text in ((mark, line), (begun, lines[begun.line] if begun else "")):
            wide = full_width_hint(text)
            if wide is not None and at is not None:
                mark, hints = at, [wide]
                break
        if error.context and error.context_mark is not None:
            hints.append(f"{error.context} that starts on line {error.context_mark.line + 1}")
        hint = "; ".join(h for h in hints if h) or None
        self.problem("yaml-syntax", mark, hint=hint, problem=problem)
