"""A CSV facts file cut into byte ranges, each read on its own (by a cluster's workers).

A month's calls file is most of its bytes; read as ranges, it is parsed by
several processes at once. The ranges are cut only where a row surely ends:
the file is strict UTF-8 (a BOM allowed), holds no quote character (so no
cell spans lines) and no carriage return but in ``\\r\\n`` (so a line ends
where the reader's does); each range then ends just after a ``\\n``. A file
that cannot be cut so — quoted cells, another encoding, a single line — is
read whole, as one range of its own: cutting it could only guess.

Whatever the cut, the records, their lines and every problem are those of
reading the file whole (:mod:`~policyengine.facts._csv`): the client reads the
header (its problems are the file's first), each range is read by the same
row loop (:func:`~policyengine.facts._csv.read_rows`) with its lines counted
from the range's first line, and :func:`join` puts the ranges back in order,
the rows refused alone counted over the whole file (past ``MAX_BAD_ROWS`` the
file is refused with the first one's error, as before).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

import attrs

from ..model import Field
from ._csv import headed_file, read_header, read_rows
from ._file import BadRows, FactsFile, file_error, map_header
from ._inputs import record_bytes

#: The bytes of a range: large enough that a range's task costs more than its
#: scheduling, small enough that a month's calls file gives each worker several.
RANGE_BYTES = 8 * 2**20
#: The bytes decoded at a time when the client checks that a file is UTF-8.
_CHECKED_BYTES = 16 * 2**20

#: A range's rows: the records, each one's line in the file, every row refused alone as
#: (line, problem), and each record's canonical bytes (as the month's inputs hold it).
RangeRows = tuple[list[dict[str, Any]], list[int], list[tuple[int, dict[str, Any]]], list[bytes]]


@attrs.frozen
class CsvRanges:
    """How one CSV file is read in ranges: its header, the fields its columns name, and
    each range as (first byte, end byte, the line it starts on)."""

    file: str
    header: tuple[str, ...]
    names: tuple[str, ...]
    ranges: tuple[tuple[int, int, int], ...]


def plan_ranges(
    file: str, raw: bytes, fields: Mapping[str, Field], size: int = RANGE_BYTES
) -> CsvRanges | None:
    """The ranges of ``raw`` (the bytes of ``file``), each about ``size`` bytes; None when
    the file cannot be cut safely (see the module) or fits in one range: it is then read
    whole. The header's problems are raised here, as reading the file whole raises them."""
    return plan_stream(file, io.BytesIO(raw), len(raw), fields, size)


def plan_stream(
    file: str, stream: BinaryIO, total: int, fields: Mapping[str, Field], size: int = RANGE_BYTES
) -> CsvRanges | None:
    """:func:`plan_ranges` of the ``total`` bytes ``stream`` reads (a file on disk: read a
    block at a time, never whole in memory)."""
    first = _first_newline(stream)
    if first < 0 or first + 1 + size >= total:
        return None
    stream.seek(0)
    ranges = _scanned(stream, first + 1, total, size)
    if ranges is None:
        return None
    stream.seek(0)
    line_text = stream.read(first + 1).decode("utf-8-sig")
    if not line_text.strip():  # a blank first line: what reading it whole says decides
        return None
    header = read_header(file, csv.reader([line_text]))
    names = map_header(file, header, fields)
    return CsvRanges(file, tuple(header), tuple(names), tuple(ranges))


def _first_newline(stream: BinaryIO) -> int:
    """Where the first ``\n`` is (-1: none)."""
    at = 0
    while block := stream.read(_CHECKED_BYTES):
        found = block.find(b"\n")
        if found >= 0:
            return at + found
        at += len(block)
    return -1


def _scanned(
    stream: BinaryIO, start: int, total: int, size: int
) -> list[tuple[int, int, int]] | None:
    """One pass over the file a block at a time: whether every ``\n`` ends a row (no quote
    character, no carriage return alone, strict UTF-8: checked without a copy of the
    text) and the ranges, each ending just after the first ``\n`` at or past ``size``
    bytes from its start, with the line it starts on; None when it cannot be cut."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    ranges: list[tuple[int, int, int]] = []
    line, target = 2, start + size - 1
    returns = pairs = 0
    # The \n before the block, and before the range's start (the header's own).
    newlines, at_start = 0, 1
    offset, last = 0, b""
    while block := stream.read(_CHECKED_BYTES):
        if b'"' in block:
            return None
        returns += block.count(b"\r")
        pairs += block.count(b"\r\n") + (last == b"\r" and block[:1] == b"\n")
        try:
            decoder.decode(block)
        except UnicodeDecodeError:
            return None
        while target < offset + len(block):
            cut = block.find(b"\n", max(target - offset, 0))
            if cut < 0:
                break
            through = newlines + block.count(b"\n", 0, cut + 1)
            ranges.append((start, offset + cut + 1, line))
            line += through - at_start
            at_start, start = through, offset + cut + 1
            target = start + size - 1
        newlines += block.count(b"\n")
        offset, last = offset + len(block), block[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if returns != pairs:
        return None
    if start < total:
        ranges.append((start, total, line))
    return ranges


class _Kept:
    """The rows of a range refused alone, kept to be counted with the other ranges'."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, dict[str, Any]]] = []

    def add(self, line: int, problem: Mapping[str, Any]) -> None:
        self.rows.append((line, dict(problem)))


#: Where a worker finds a range's bytes: the bytes themselves (workers on other machines),
#: or, for workers on the client's machine, the file's path, the range's first and end
#: byte and the SHA-256 of its bytes as the client planned them (a range's bytes in its
#: task would be held by a local cluster's scheduler, in the client's own process).
RangeSource = bytes | tuple[str, int, int, str]


def range_bytes(file: str, source: RangeSource) -> bytes:
    """A range's bytes (see :data:`RangeSource`); read again from the disk, refused as
    ``unreadable-facts`` form ``changed`` when they are no longer those planned."""
    if isinstance(source, bytes):
        return source
    path, start, end, digest = source
    try:
        with open(path, "rb") as stream:
            stream.seek(start)
            chunk = stream.read(end - start)
    except OSError as exc:
        raise file_error(file, "unreadable-facts", form="changed") from exc
    if hashlib.sha256(chunk).hexdigest() != digest:
        raise file_error(file, "unreadable-facts", form="changed")
    return chunk


def read_range(file: str, source: RangeSource, line: int, names: tuple[str, ...]) -> RangeRows:
    """The rows of one range (its bytes, from ``source``, starting on ``line`` of ``file``),
    located in the file, and each record's canonical bytes (encoded here, by the worker:
    the client then only joins them into the month's inputs and their hash). A pure
    function of its arguments, so a range read again gives the same."""
    chunk = range_bytes(file, source)
    text = io.TextIOWrapper(io.BytesIO(chunk), "utf-8", newline="")
    kept = _Kept()
    records, lines = read_rows(csv.reader(text), list(names), kept)
    shift = line - 1
    refused = [(at + shift, p) for at, p in kept.rows]
    return records, [at + shift for at in lines], refused, list(map(record_bytes, records))


def join(plan: CsvRanges, parts: Iterable[RangeRows]) -> tuple[FactsFile, list[bytes]]:
    """The file as reading it whole gives it, from its ranges' rows in order, and each
    record's canonical bytes in the same order."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    items: list[bytes] = []
    bad = BadRows(plan.file)
    for found, where, refused, encoded in parts:
        records.extend(found)
        lines.extend(where)
        items.extend(encoded)
        for at, problem in refused:
            bad.add(at, problem)
    bad.check()
    read = headed_file(plan.file, list(plan.header), list(plan.names), records, lines)
    return read, items
