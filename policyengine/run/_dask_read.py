"""A month's large CSV files read in byte ranges by a Dask cluster's workers.

The client reads a file's bytes, checks that it can be cut safely and reads its
header (:func:`~policyengine.facts._csv_ranges.plan_ranges`); each range is then a
task of its own whose data is the range's bytes (so a range lost with its worker is
read again from them, wherever the cluster runs: no shared folder is needed), and
the ranges' rows are joined in order into the file as reading it whole gives it. A
file that cannot be cut, or fits in one range, is read whole by the client.

The workers also encode each record's canonical bytes (what the month's inputs and
their hash are made of): the client keeps them beside the file (:attr:`RangedReader.items`)
and only joins them (``facts._inputs.pack_inputs``'s ``items``).
"""

from __future__ import annotations

import collections
import pickle
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..facts import _csv_ranges
from ..facts._csv_ranges import RangeRows, join, plan_ranges, read_range
from ..facts._io import FactsFile
from ..model import Field
from ._dask_run import RETRIES, dumps, submitter


class RangedReader:
    """Reads a CSV file in ranges of ``size`` bytes (``RANGE_BYTES`` when None) on
    ``client``'s workers, as ``facts._io.read_facts``'s ``split``; other files, one that
    fits in a range or cannot be cut, and every file when the cluster has a single
    worker, are left to their reader (in the client)."""

    def __init__(self, client: Any, size: int | None = None, retries: int = RETRIES) -> None:
        self._submit = submitter(client, retries)
        self._client = client
        self._size = size or _csv_ranges.RANGE_BYTES
        #: The canonical bytes of each record of each file read in ranges, by file name.
        self.items: dict[str, list[bytes]] = {}

    def __call__(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile | None:
        if Path(file).suffix.lower() != ".csv" or self._workers() < 2:
            # One worker reads no faster than the client, which would wait for it.
            return None
        plan = plan_ranges(file, raw, fields, self._size)
        if plan is None:
            return None
        futures = collections.deque(
            self._submit(_read_packed, file, raw[start:end], line, plan.names)
            for start, end, line in plan.ranges
        )
        read, self.items[file] = join(plan, _in_order(futures))
        return read

    def _workers(self) -> int:
        return len(self._client.scheduler_info().get("workers", {}))


def _in_order(futures: collections.deque[Any]) -> Iterator[RangeRows]:
    """The ranges' rows in order, each let go by the cluster once it is taken: the
    pickled ranges of a month's calls never all sit in the client at once."""
    while futures:
        rows: RangeRows = pickle.loads(futures.popleft().result())
        yield rows


def _read_packed(file: str, chunk: bytes, line: int, names: tuple[str, ...]) -> bytes:
    """A range's rows, pickled by the worker: Dask would otherwise walk the lists of a
    range's records one by one to serialise them, several times slower."""
    return dumps(read_range(file, chunk, line, names))
