"""Reading a policy file: safe YAML to plain data, with a map back to the source.

HR staff edit policy files by hand, so this reader is strict and never
guesses. Every problem becomes a :class:`PolicySourceError` with a code and a
line and column; all that one pass can find are raised together as one
:class:`InvalidPolicy`, and nothing else ever escapes.

* Bytes: at most 1 MiB of strict UTF-8 (a leading BOM is dropped) in at most
  ``MAX_LINES`` lines; unclean
  characters (``core/_display.unclean``: C0 except TAB, LF, CR; DEL; C1; bidi
  controls; zero-width characters, a BOM inside the file among them;
  non-characters) are refused anywhere, comments included. These are checked
  here, before any parsing; the same rule is applied again to every key and
  value once YAML has read its escapes (``"\\x1b"``, ``"\\u200b"``, ``"\\ud800"``).
* The text is then read by :mod:`policyengine.read._safe_yaml`: one document, a
  mapping at the top, nested at most 64 levels, no anchors, aliases or tags,
  values built without YAML 1.1 guessing (numbers exact, never a float).
* The result is a :class:`~policyengine.read._source_map.Document`: the data, and
  where each value and key starts, keyed by RFC 6901 JSON pointer.

The words of every problem are in :mod:`policyengine.read._source_problems`.
"""

from __future__ import annotations

import hashlib
import os
import types
from typing import Any

from ..codes import ErrorCode
from ..core._display import UNCLEAN_TEXT, character_name
from ..core._reading import NotARegularFile, read_limited
from ..errors import InvalidPolicy, Location, PolicyError
from ._safe_yaml import YamlReader
from ._source_map import Document, Position
from ._source_problems import source_problem
from ._yaml_parsers import MAX_DEPTH, line_column

__all__ = [
    "MAX_BYTES",
    "MAX_CONTROL_REPORTS",
    "MAX_DEPTH",
    "MAX_LINES",
    "RECOVERABLE",
    "Document",
    "Position",
    "read_policy_bytes",
    "read_policy_file",
]

MAX_BYTES = 1024 * 1024
#: Lines of one file: the largest shipped policy has a few hundred. The YAML parser is pure
#: Python and costs microseconds a character; a file of 1 MiB of line breaks or blank
#: lines would take seconds, so more lines than a policy needs are refused before it.
MAX_LINES = 20_000
MAX_CONTROL_REPORTS = 20

_BOM = b"\xef\xbb\xbf"


def _fail(code: ErrorCode, file: str, **details: Any) -> InvalidPolicy:
    return InvalidPolicy([source_problem(code, Location(file), **details)], file=file)


def _decode(raw: bytes, file: str) -> str:
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        before = body[: error.start].decode("utf-8")
        line, column = line_column(before, len(before))
        where = Location(file, line, column)
        problem = source_problem("not-utf8", where, byte=f"{body[error.start]:02X}")
        raise InvalidPolicy([problem], file=file) from None
    found: list[PolicyError] = []
    for match in () if _clean(text) else UNCLEAN_TEXT.finditer(text):
        if len(found) == MAX_CONTROL_REPORTS:
            break
        where = Location(file, *line_column(text, match.start()))
        character, name = f"U+{ord(match[0]):04X}", character_name(match[0])
        found.append(source_problem("control-character", where, character=character, name=name))
    if found:
        raise InvalidPolicy(found, file=file)
    # Counted as the YAML parser counts lines (CRLF is one break), without a pass in Python.
    breaks = sum(text.count(c) for c in "\n\r\u2028\u2029") - text.count("\r\n")
    if breaks >= MAX_LINES:
        where = Location(file, MAX_LINES + 1, 1)
        raise InvalidPolicy([source_problem("too-many-lines", where, limit=MAX_LINES)], file=file)
    return text


def _clean(text: str) -> bool:
    """Whether ``text`` holds no unclean character, known without a search: nothing
    unclean is printable (see ``core/_display.unclean``), so text that is printable once
    its line breaks and tabs are set aside is clean. The search costs a tenth of a second
    a MiB; this, a few milliseconds."""
    return text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable()


#: Codes after which the document is still complete enough to check further.
RECOVERABLE: frozenset[ErrorCode] = frozenset(
    {
        "duplicate-key",
        "yaml-alias",
        "yaml-tag",
        "invalid-date",
        "too-many-digits",
        "complex-key",
        "control-character",
    }
)


def read_policy_bytes(raw: bytes, file: str) -> Document:
    """Read the bytes of one policy file.

    Raises :class:`InvalidPolicy` with every problem when the file cannot be
    read as a mapping at all; problems that leave a usable document (see
    ``RECOVERABLE``) are returned in ``Document.problems`` instead.
    """
    if len(raw) > MAX_BYTES:
        raise _fail("file-too-large", file, limit=MAX_BYTES)
    reader = YamlReader(file, _decode(raw, file))
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
        # One byte past the limit is enough to know the file is too large.
        raw = read_limited(path, MAX_BYTES)
    except FileNotFoundError:
        raise _fail("file-not-found", file, path=file) from None
    except IsADirectoryError:
        raise _fail("unreadable-file", file, path=file, reason="it is a folder") from None
    except NotARegularFile:
        raise _fail("unreadable-file", file, form="not-a-file", path=file) from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise _fail("unreadable-file", file, path=file, reason=reason) from None
    return read_policy_bytes(raw, file)
