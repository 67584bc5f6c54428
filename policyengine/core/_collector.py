"""The cyclic garbage collector paused while a month's records are made or read in bulk."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_collection"]


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """No cyclic garbage collection while a month is built.

    A month allocates millions of long-lived records and values and frees
    next to nothing; the collector's full passes over an ever larger heap
    were a fifth of a large month's time. Evaluation makes no reference
    cycles of its own (errors are copied without their tracebacks), and
    whatever a caller's code makes is collected once this ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
