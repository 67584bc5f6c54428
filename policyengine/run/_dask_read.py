"""A month's large CSV files read in byte ranges by a Dask cluster's workers.

The client reads a file a block at a time from the disk, checks that it can be cut
safely and reads its header (:func:`~policyengine.facts._csv_ranges.plan_stream`),
never holding it whole; each range is then a task of its own whose data is the
range's bytes, read from the disk as it is submitted (so a range lost with its worker
is read again from them, wherever the cluster runs: no shared folder is needed) or,
when every worker is on the client's machine, where to read them and their SHA-256
(:data:`~policyengine.facts._csv_ranges.RangeSource`: a local cluster's scheduler,
in the client's process, would otherwise hold every range's bytes); and the ranges'
rows are joined in order into the file as reading it whole gives it. A
file that cannot be cut, or fits in one range, is read whole by the client, and so is
every file when too few workers have cores of their own (:data:`MIN_READERS`).

The workers also encode each record's canonical bytes (what the month's inputs and
their hash are made of): the client keeps them beside the file (:attr:`RangedReader.items`)
and only joins them (``facts._inputs.pack_inputs``'s ``items``).
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import os
import pickle
import socket
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ..facts import _csv_ranges
from ..facts._csv import headed_file
from ..facts._csv_ranges import RangeRows, RangeSource, join, plan_stream, read_range
from ..facts._file import MAX_FACTS_BYTES, file_error
from ..facts._io import FactsFile
from ..model import Field
from ._dask_kept import KeptFile, check_refused, read_kept
from ._dask_run import RETRIES, distributed, dumps, submitter

#: The fewest workers (with cores of their own: :func:`spare_workers`) for which a file is
#: cut. A file cut is read, typed and kept by the workers, and the client holds its
#: records packed (run/_held_records.py): a month of 2,000,000 calls run by 2 local
#: workers on 2 cores took 54 s and 936 MiB of the client cut, against 60 s and
#: 2,025 MiB read by the client. When the rows came back to the client to be typed,
#: cutting cost more than it saved, and two workers of their own were asked for. A
#: machine whose cores all go to the client (one core) still reads the file itself.
MIN_READERS = 1


class RangedReader:
    """Reads a CSV file in ranges of ``size`` bytes (``RANGE_BYTES`` when None) on
    ``client``'s workers, as ``facts._io.read_facts``'s ``split``; other files, one that
    fits in a range or cannot be cut, and every file when the cluster has fewer than
    :data:`MIN_READERS` workers with cores of their own, are left to their reader (in
    the client)."""

    def __init__(
        self, client: Any, size: int | None = None, retries: int = RETRIES, keep: bool = False
    ) -> None:
        distributed()  # the extra's absence is said before any file is read
        self._submit = submitter(client, retries)
        self._client = client
        self._size = size or _csv_ranges.RANGE_BYTES
        #: The canonical bytes of each record of each file read in ranges, by file name.
        self.items: dict[str, list[bytes]] = {}
        #: With ``keep``: each file read in ranges whose rows stay with the workers, by
        #: file name (its file as returned holds no record until it is joined).
        self.keep = keep
        self.kept: dict[str, KeptFile] = {}

    def __call__(self, file: str, fields: Mapping[str, Field]) -> FactsFile | None:
        if Path(file).suffix.lower() != ".csv" or spare_workers(self._client) < MIN_READERS:
            return None
        try:
            before = os.stat(file)
        except OSError:  # missing, or unreadable: the file's reader says so
            return None
        if not stat.S_ISREG(before.st_mode) or before.st_size > MAX_FACTS_BYTES:
            return None  # refused by the file's reader, as when read whole
        # Planned and cut a block at a time from the disk: the client never holds the
        # file whole, and each range's bytes only until its task is submitted; workers on
        # this machine read them from the disk themselves (RangeSource).
        local = os.path.abspath(file) if _all_local(self._client) else None
        with open(file, "rb") as stream:
            plan = plan_stream(file, stream, before.st_size, fields, self._size)
            if plan is None:
                return None
            task = read_kept if self.keep else _read_packed
            futures = collections.deque(
                self._submit(task, file, _source(stream, local, at), at[2], plan.names)
                for at in plan.ranges
            )
        _unchanged(file, before)
        if self.keep:
            self.kept[file] = kept = KeptFile(plan, list(futures))
            check_refused(self._client, kept)
            return headed_file(file, list(plan.header), list(plan.names), [], [])
        read, self.items[file] = join(plan, _in_order(futures))
        return read


def _source(stream: BinaryIO, local: str | None, at: tuple[int, int, int]) -> RangeSource:
    """A range's bytes, or where a worker on this machine reads them (``local``: the
    file's path) with their SHA-256."""
    start, end, _ = at
    stream.seek(start)
    chunk = stream.read(end - start)
    if local is None:
        return chunk
    return local, start, end, hashlib.sha256(chunk).hexdigest()


def _all_local(client: Any) -> bool:
    """Whether every worker of ``client`` runs on this machine (and reads its disk)."""
    workers, local = _workers_here(client)
    return 0 < workers == local


def _unchanged(file: str, before: os.stat_result) -> None:
    """Refuse a file written to while its ranges were read: its records would be a mix
    of two versions of it (read whole, the file is one read; in ranges, several)."""
    try:
        after = os.stat(file)
    except OSError as exc:
        raise file_error(file, "unreadable-facts", form="changed") from exc
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise file_error(file, "unreadable-facts", form="changed")


def spare_workers(client: Any) -> int:
    """The worker processes that read while the client waits for them: every one on
    another machine, and on the client's own machine as many as it has cores beside the
    client's (a local cluster's workers otherwise take their cores from the client)."""
    workers, local = _workers_here(client)
    return workers - local + min(local, (os.cpu_count() or 1) - 1)


def _workers_here(client: Any) -> tuple[int, int]:
    """``client``'s workers, and how many of them run on this machine."""
    workers = client.scheduler_info().get("workers", {}).values()
    here = _local_hosts()
    return len(workers), sum(1 for worker in workers if worker.get("host") in here)


def _local_hosts() -> set[str]:
    names = {"127.0.0.1", "::1", "localhost", socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):  # a machine whose own name does not resolve
        names.add(socket.gethostbyname(socket.gethostname()))
    return names


def _in_order(futures: collections.deque[Any]) -> Iterator[RangeRows]:
    """The ranges' rows in order, each let go by the cluster once it is taken: the
    pickled ranges of a month's calls never all sit in the client at once."""
    while futures:
        rows: RangeRows = pickle.loads(futures.popleft().result())
        yield rows


def _read_packed(file: str, chunk: RangeSource, line: int, names: tuple[str, ...]) -> bytes:
    """A range's rows, pickled by the worker: Dask would otherwise walk the lists of a
    range's records one by one to serialise them, several times slower."""
    return dumps(read_range(file, chunk, line, names))
