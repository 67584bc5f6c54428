"""Whether a policy's likely slips refuse it: always, but for a past run rebuilt to replay.

Some load-time checks refuse a policy that computes, because what it computes is very
likely not what was meant: a mistake of type (``commission_started == "true"``, never
equal), a rate written without its ``%``, a number in words, text that names a value
(:mod:`policyengine.load._type_check`, :mod:`policyengine.load._bundle_types`,
:mod:`policyengine.load._value_slots`). Such checks are added as slips are found, so a
policy a ledger recorded may fail one its engine did not have. A replay must recompute
that run from those very bytes and show whether its amounts come out again, not refuse
it: it rebuilds the run's policies inside :func:`slips_not_checked`, and every other
check (the schema, names, cycles) still holds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["slips_checked", "slips_not_checked"]

_CHECKED: ContextVar[bool] = ContextVar("slips_checked", default=True)


def slips_checked() -> bool:
    """Whether the slip checks report what they find (they do, outside a replay)."""
    return _CHECKED.get()


@contextlib.contextmanager
def slips_not_checked() -> Iterator[None]:
    """Within: policies are built and planned without their slip checks (a replay)."""
    token = _CHECKED.set(False)
    try:
        yield
    finally:
        _CHECKED.reset(token)
