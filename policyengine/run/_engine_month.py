"""The month a record is evaluated in: the period a caller gives, checked against the
version's days in force, and what ``period`` reads in it, remembered per policy (a
caller evaluating record by record gives the same period each time)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core._period import Period
from ..errors import UsageError
from ..model import Policy
from ._fused import Fused

__all__ = ["month_of", "period_of"]


def period_of(policy: Policy, period: Period | str | None, check: bool = True) -> Period | None:
    if period is None:
        return None
    month = Period.parse(period)
    if check and not policy.in_force(month.start):
        words = {"policy": policy.id, "version": policy.version, "month": month}
        words["start"] = policy.effective_from
        if policy.effective_to is not None:
            words["end"] = policy.effective_to
        form = "evaluate" if "end" in words else "evaluate-open"
        raise UsageError.from_template("not-in-force", form=form, words=words)
    return month


#: How many periods a fused policy remembers (``Fused.months``: the period as given, or
#: (period, False) when it need not be in force -> the month and what ``period`` reads): a
#: caller evaluating record by record passes the same period each time.
_MONTHS_KEPT = 64


def month_of(
    policy: Policy, fused: Fused, period: Period | str | None, check: bool
) -> tuple[Period | None, Mapping[str, Any] | None]:
    """``period_of`` and what ``period`` reads in it, remembered per policy for the periods a
    caller passes again and again (checking one is in force costs a date)."""
    if type(period) is not str and type(period) is not Period:
        month = period_of(policy, period, check)
        return month, month.as_mapping() if month is not None else None
    months = fused.months
    key = period if check else (period, False)  # the common case keyed without a tuple
    found = months.get(key)
    if found is None:
        month = period_of(policy, period, check)
        found = (month, month.as_mapping() if month is not None else None)
        if len(months) >= _MONTHS_KEPT:
            months.clear()
        months[key] = found
    return found
