"""The month a result is computed for."""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import UsageError

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
#: Month texts already read, and their Period (frozen, so shared).
_PARSED: dict[str, Period] = {}


@attrs.frozen(order=True)
class Period:
    """A calendar month, written ``YYYY-MM``.

    In expressions ``period`` offers ``year``, ``month``, ``quarter`` (1–4),
    ``start`` (first day), ``end`` (last day), ``days`` (days in the month)
    and ``key`` (the text ``2026-03``).
    """

    year: int
    month: int

    def __attrs_post_init__(self) -> None:
        whole = all(type(part) is int for part in (self.year, self.month))
        if not whole:  # Period("2026", 3), Period(2026.0, 3), Period(True, 3)
            value = f"{self.year!r}, {self.month!r}"
            raise UsageError.from_template("invalid-period", form="month", words={"value": value})
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            value = f"{self.year:04d}-{self.month:02d}"
            raise UsageError.from_template("invalid-period", form="month", words={"value": value})

    @classmethod
    def parse(cls, value: Period | str) -> Period:
        if isinstance(value, Period):
            return value
        if type(value) is str:
            known = _PARSED.get(value)
            if known is not None:
                return known
        # Whole: '$' would take '2026-03\n' too, and \d other scripts' digits.
        match = _MONTH.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            words = {"value": repr(value)}
            raise UsageError.from_template("invalid-period", form="month", words=words)
        month = cls(int(match.group(1)), int(match.group(2)))
        if type(value) is str and len(_PARSED) < 1024:
            _PARSED[value] = month  # a caller evaluating record by record passes the same text
        return month

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.days)

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, months: int) -> Period:
        """The month ``months`` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    def as_mapping(self) -> Mapping[str, Any]:
        """What an expression sees as ``period`` (made once per month: it never changes)."""
        return _mapping(self.year, self.month)

    def _as_mapping(self) -> Mapping[str, Any]:
        return MappingProxyType(
            {
                "year": self.year,
                "month": self.month,
                "quarter": self.quarter,
                "start": self.start,
                "end": self.end,
                "days": self.days,
                "key": self.key,
            }
        )

    def __str__(self) -> str:
        return self.key


@functools.lru_cache(maxsize=256)
def _mapping(year: int, month: int) -> Mapping[str, Any]:
    return Period(year, month)._as_mapping()


#: The attributes an expression may read from ``period``.
PERIOD_ATTRIBUTES = ("year", "month", "quarter", "start", "end", "days", "key")


#: A day as people and files write one: four digits, two, two.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def iso_day(text: str) -> datetime.date:
    """The day ``text`` writes as YYYY-MM-DD, and only so (ValueError otherwise). Python's
    ``date.fromisoformat`` also reads ``20260203``, ``2026W051`` and ``2026-W05-1`` (a
    Monday of week 5), which no one means as a day in a cell or a policy file."""
    if not _DAY.fullmatch(text):
        raise ValueError(f"not a day written YYYY-MM-DD: {text!r}")
    return datetime.date.fromisoformat(text)


def is_month(text: object) -> bool:
    """Whether ``text`` is a month written exactly YYYY-MM (a folder's name, a history's
    key)."""
    if not isinstance(text, str):
        return False
    try:
        return Period.parse(text).key == text
    except UsageError:
        return False
