"""`run --workers N` starts workers whose memory is bounded by spilling, never by pausing
or killing them: a month of any size goes through workers of ``WORKER_MEMORY``."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

pytest.importorskip("distributed")

from dask.utils import parse_bytes

from policyengine.cli._cluster import WORKER_MEMORY, cluster_client


def _memory_settings() -> dict[str, Any]:
    import dask

    keys = ("target", "spill", "pause", "terminate")
    return {k: dask.config.get(f"distributed.worker.memory.{k}") for k in keys}


def test_a_local_worker_spills_past_its_bound_and_is_never_paused_or_killed() -> None:
    with cluster_client(argparse.Namespace(workers=1, scheduler=None)) as client:
        (worker,) = client.scheduler_info()["workers"].values()
        settings = list(client.run(_memory_settings).values())
    assert 0 < worker["memory_limit"] <= parse_bytes(WORKER_MEMORY)
    assert settings == [{"target": 0.6, "spill": 0.7, "pause": False, "terminate": False}]
