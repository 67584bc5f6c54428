"""The two YAML parsers the reader runs on, and when the fast one's reading is kept.

PyYAML's own parser is pure Python and costs about a microsecond a character:
a policy file of 1 MiB takes over half a second to parse. When PyYAML is built
with libyaml (``yaml.__with_libyaml__``; it is optional), its C parser gives
the same events about fifty times faster, and the reader
(:mod:`policyengine.read._safe_yaml`) builds the data, the source map and
every problem from them the same way. Where the two parsers differ, the file
is read again by the Python parser, so that what a file gives never depends
on how PyYAML was built:

* Text that is not YAML: libyaml words its errors differently, and its
  look-ahead meets a too-deep nesting at another place. A file the C parser
  refuses, or that nests too deep, is read again (reading stops at the first
  such problem).
* What libyaml reads where the Python parser refuses, or places otherwise
  (:class:`FastCheck` looks at every node): a tab outside a quoted or block
  value (``a:<TAB>b``; libyaml takes it for a space), a block value's first
  line (``|#``), a tag or an anchor (refused either way, but libyaml takes
  spellings the Python parser does not), ``?`` in a plain value (inside
  brackets the Python parser ends the value there), an empty value inside
  braces (``{a: }``), and a value at the end of a text whose last line has no
  line break. A file with any of them is read again.
* A plain value's style is ``''`` from libyaml and ``None`` from the Python
  parser: the reader tests it for truth, never against None.

Files read again are rare (the shipped policies never are) and are files with
a mistake in them or an unusual spelling; each is read at most twice.

``tests/test_yaml_parsers.py`` reads generated YAML both ways and compares
data, positions and problems.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import yaml

__all__ = [
    "FAST_PARSER",
    "LINE_BREAKS",
    "MAX_DEPTH",
    "Events",
    "FastCheck",
    "PythonParser",
    "ReadAgain",
    "TooDeep",
    "line_column",
]

#: Nesting levels of a file (the reader stops there; the Python parser's scanner too).
MAX_DEPTH = 64
# The line breaks the YAML scanner counts, so that lines found before parsing
# agree with the lines it reports (its NEL, U+0085, is refused before parsing).
LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")


def line_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of ``text[index]``, counted as the YAML parser counts."""
    line, start = 1, 0
    for match in LINE_BREAKS.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return line, index - start + 1


class TooDeep(Exception):
    """Reading stops: going on would only walk deeper into the same mistake."""


class ReadAgain(Exception):
    """libyaml's reading is not kept: the Python parser reads the file (see the module)."""


class Events(Protocol):
    """The parser's event interface, typed (the library leaves it untyped)."""

    def get_event(self) -> Any: ...
    def peek_event(self) -> Any: ...
    def check_event(self, *choices: type[Any]) -> bool: ...


class PythonParser(yaml.SafeLoader):
    """PyYAML's pure-Python parser: the reference, and the parser without libyaml."""

    # The scanner reads far ahead of the parser, and with thousands of open
    # brackets on one line its look-ahead is slow: stop it at the limit.
    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise TooDeep(self.get_mark(), None)
        super().fetch_flow_collection_start(TokenClass)


#: The C parser, or None when PyYAML has no libyaml (it is optional: every file then takes
#: the Python parser; tests set it to None to force that).
FAST_PARSER: Any = None
try:
    from yaml._yaml import CParser

    FAST_PARSER = CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    pass
_QUOTED_OR_BLOCK = frozenset("'\"|>")
_BREAKS = ("\n", "\r", "\u2028", "\u2029")
_BLOCK = frozenset("|>")
#: A block value's first line as the Python parser takes it: its indicators, then only
#: spaces and a comment after a space (libyaml also takes ``|#`` and a tab).
_BLOCK_HEADER = re.compile(
    r"[|>](?:[+-][1-9]?|[1-9][+-]?)?(?: +#[^\n\r\u2028\u2029]*| *)(?:[\n\r\u2028\u2029]|\Z)"
)


def _marked(event: Any) -> bool:
    """Whether the node has an anchor, is an alias or has a tag. Each is refused either way,
    but libyaml takes spellings the Python parser refuses as no YAML at all (``!~!a``, a
    tab after ``&a``): the words must be the Python parser's."""
    return getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None


def _plain_differs(text: str, event: Any) -> bool:
    """Whether the two parsers may read this plain value differently."""
    if event.value:
        # Inside brackets the Python parser ends a plain value at ``?`` (``[a ?b]``,
        # ``{a?b: 1}`` are no YAML to it); libyaml reads on, one value ``a ?b``.
        return True
    # An empty value is placed after its ``:`` or ``-`` by both, except inside braces
    # (``{a: }``), where libyaml places it at what follows.
    start = event.start_mark.index
    return start == 0 or text[start - 1] not in ":-"


class FastCheck:
    """Whether the C parser's reading of one text can be kept: it is shown every scalar
    event the reader builds from, and says at the end (see the module)."""

    def __init__(self, text: str) -> None:
        self.text = text
        #: Tabs of the text not yet found inside a quoted or block value.
        self.tabs = text.count("\t")
        #: The line (0-based) libyaml gives the end of a text that does not end with a line
        #: break: one past the last, where the Python parser says the last line's end. A
        #: value placed there (an empty value at the very end, as after a lone ``?``) is
        #: located differently by the two; None when the text ends with a break.
        self.end_line = None
        if text and not text.endswith(_BREAKS):
            breaks = sum(text.count(c) for c in _BREAKS) - text.count("\r\n")
            self.end_line = breaks + 1
        self.doubtful = False

    def node(self, event: Any) -> None:
        """Look at the event that starts a node (a value or a key), before it is used."""
        if event.start_mark.line == self.end_line or _marked(event):
            self.doubtful = True
        style = getattr(event, "style", None)  # a scalar's; None for other nodes
        if style == "" and ("?" in event.value or not event.value):
            self.doubtful |= _plain_differs(self.text, event)
        elif style in _QUOTED_OR_BLOCK:
            start = event.start_mark.index
            self.tabs -= self.text.count("\t", start, event.end_mark.index)
            if style in _BLOCK and not _BLOCK_HEADER.match(self.text, start):
                self.doubtful = True

    def kept(self) -> bool:
        """Whether the reading can be kept: every tab was inside a quoted or block value,
        and nothing was placed at the end of a text that lacks a last line break."""
        return not self.tabs and not self.doubtful
