"""A read policy file and its source map: where each value and key starts.

Every problem found after reading (a schema violation, an unknown name, a
bad test) is reported at a line and column of the file the person edited,
though the checks that find it see only plain data. The reader records, for
every value and key, where it starts, keyed by RFC 6901 JSON pointer; a
check names the pointer of what it found wrong and :meth:`Document.locate`
turns it into a :class:`~policyengine.errors.Location`.

Positions are 1-based lines and columns counted in characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..errors import Location, PolicyError


def pointer_part(key: str) -> str:
    """``key`` as one part of a JSON pointer: ``~`` and ``/`` escaped (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def holding(pointers: Iterable[str]) -> frozenset[str]:
    """Every pointer that is one of ``pointers`` or holds one (its ancestors): whether a
    part of the file holds a broken part is then one lookup, not a scan of them all."""
    found: set[str] = set()
    for pointer in pointers:
        probe = pointer
        while probe not in found:
            found.add(probe)
            if not probe:
                break
            probe = probe.rpartition("/")[0]
    return frozenset(found)


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
