"""``run --workers N`` and ``--scheduler ADDRESS``: the month's partitions on a Dask cluster.

A local cluster (``distributed.LocalCluster``: worker processes of one thread each,
``N`` of them, the machine's cores when ``N`` is not given) is started for the run and
closed after it, its dashboard's address said on standard error; an existing cluster
is only connected to (its own memory settings apply).

A local worker keeps at most ``WORKER_MEMORY`` of task results in memory: past it, Dask
writes the oldest to a folder of its own and reads them back when a task needs them
(the results are mostly pickled bytes, cheap to move). It never pauses and is never
killed for its memory: a worker stopped for memory it cannot spill (Python's own)
would stall the month or have its tasks run again for nothing.

Without either option nothing of Dask is imported. The extra ``policyengine[dask]``
brings it; without it either option is ``missing-extra``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from ..run._dask_run import distributed
from ._help_words import refused

#: The memory a local worker may hold (Dask's ``memory_limit``; at most the machine's):
#: it spills task results to disk past 60 % of it, so that a month of any size goes
#: through workers of this size.
WORKER_MEMORY = "2GiB"
#: Spill, never pause nor kill (see the module).
MEMORY_SETTINGS = {
    "distributed.worker.memory.target": 0.6,
    "distributed.worker.memory.spill": 0.7,
    "distributed.worker.memory.pause": False,
    "distributed.worker.memory.terminate": False,
}


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_count,
        nargs="?",
        const=0,
        metavar="N",
        help="evaluate the month's partitions on a local Dask cluster of N worker processes"
        " (default: one per core); the same results (extra policyengine[dask])",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="evaluate the month's partitions on the Dask cluster at ADDRESS (tcp://host:port)",
    )


def config() -> Any:
    """``dask.config``, once the extra is known to be there."""
    import dask

    return dask.config


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 1:
        raise refused("not-a-worker-count", text)
    return count


@contextlib.contextmanager
def cluster_client(args: argparse.Namespace) -> Iterator[Any]:
    """The Dask client the options ask for, for the duration of the run (None: none)."""
    workers, address = getattr(args, "workers", None), getattr(args, "scheduler", None)
    if workers is None and address is None:
        yield None
        return
    dask = distributed()
    if address is not None:
        with dask.Client(address) as client:
            yield client
        return
    count = workers or os.cpu_count() or 1
    with (
        config().set(MEMORY_SETTINGS),
        dask.LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            memory_limit=WORKER_MEMORY,
        ) as local,
        dask.Client(local) as client,
    ):
        print(f"dask: {count} workers, dashboard {client.dashboard_link}", file=sys.stderr)
        yield client
