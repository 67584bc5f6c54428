"""A month's errors by root cause: each refused record with those it took along.

One bad cell of a rep refuses the rep, and every call of that rep is refused
with it (``invalid-parent``: its rep "has a problem of its own"). Listed one
by one, the one cause that HR must correct drowns among its consequences. So
the summary and the command line say each root cause once, first, with the
number of records it took along; the result itself (its JSON, the workbook's
errors sheet) still holds every error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ..core._messages import Catalogue
from ..errors import PolicyError
from ._summary_words import said

#: The code of a record refused because its parent record was refused.
FOLLOWS_PARENT = "invalid-parent"


#: The code of a field a record lacks; a row lacking this many or more (a total or notes
#: row of a sheet, mostly) is one cause, its other missing fields listed after the first.
MISSING_FIELD = "missing-field"
MANY_MISSING = 3


@attrs.frozen
class Cause:
    """A root cause and the errors of the records refused because of it."""

    error: PolicyError
    followers: tuple[PolicyError, ...] = ()
    #: The record's other missing fields, when it lacks many (see MANY_MISSING).
    also_missing: tuple[PolicyError, ...] = ()

    def follower_kinds(self) -> list[tuple[str, int]]:
        """How many records of each kind it took along, most first."""
        counted: dict[str, int] = {}
        for follower in self.followers:
            kind = str(follower.details.get("kind", ""))
            counted[kind] = counted.get(kind, 0) + 1
        return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def by_cause(errors: Sequence[PolicyError]) -> list[Cause]:
    """``errors`` grouped under their root causes, in the order the causes come: a record
    refused for its parent's problem goes under the parent's (or, through a refused
    grandparent, under the first problem up the chain that is its own)."""
    refused: dict[tuple[str, str], PolicyError] = {}
    for error in errors:
        record = _record(error)
        if record is not None:
            refused.setdefault(record, error)
    roots: dict[int, PolicyError] = {}
    taken: dict[int, list[PolicyError]] = {}
    for error in errors:
        root = _root(error, refused)
        if root is error:
            roots.setdefault(id(error), error)
        else:
            taken.setdefault(id(root), []).append(error)
    causes = [Cause(error, tuple(taken.get(key, ()))) for key, error in roots.items()]
    return _rows_missing_many(causes)


def _rows_missing_many(causes: list[Cause]) -> list[Cause]:
    """The causes, a record's many missing fields gathered under its first: one row
    lacking twenty cells is one thing to correct, not twenty."""
    missing: dict[tuple[str, str], list[Cause]] = {}
    for cause in causes:
        record = _record(cause.error)
        if cause.error.code == MISSING_FIELD and record is not None:
            missing.setdefault(record, []).append(cause)
    gathered: list[Cause] = []
    for cause in causes:
        record = _record(cause.error)
        group = missing.get(record) if cause.error.code == MISSING_FIELD and record else None
        if group is None or len(group) < MANY_MISSING:
            gathered.append(cause)
        elif group[0] is cause:
            followers = tuple(f for each in group for f in each.followers)
            also = tuple(each.error for each in group[1:])
            gathered.append(Cause(cause.error, followers, also))
    return gathered


def _record(error: PolicyError) -> tuple[str, str] | None:
    kind, record = error.details.get("kind"), error.location.record
    if not isinstance(kind, str) or record is None:
        return None
    return kind, str(record)


def _root(error: PolicyError, refused: dict[tuple[str, str], PolicyError]) -> PolicyError:
    """The first error up the chain of parents that is not a parent's consequence."""
    current, seen = error, set()
    while current.code == FOLLOWS_PARENT and id(current) not in seen:
        seen.add(id(current))
        parent = refused.get(
            (str(current.details.get("parent", "")), str(current.details.get("value", "")))
        )
        if parent is None:
            return current  # its parent's own problem is not in the list: it stands alone
        current = parent
    return current


def took_along(cause: Cause, named: int = 5, *, catalogue: Catalogue | None = None) -> str:
    """``and 50 call records left out with it (invalid-parent): C01, C07, …``, in
    ``catalogue``'s words (English without one)."""
    count, kinds = len(cause.followers), cause.follower_kinds()
    if len(kinds) == 1:  # "50 call"
        counted = f"{count} {kinds[0][0]}"
    else:  # "8 (7 call, 1 rep)"
        counted = f"{count} ({', '.join(f'{number} {kind}' for kind, number in kinds)})"
    records = [str(follower.location.record) for follower in cause.followers[:named]]
    more = ", …" if count > named else ""
    name = "took-along-one" if count == 1 else "took-along-many"
    shown = ", ".join(records) + more
    return said(name, catalogue, counted=counted, code=FOLLOWS_PARENT, records=shown)


def missing_too(
    cause: Cause, header: Callable[[PolicyError], str | None], catalogue: Catalogue | None = None
) -> str:
    """``and 19 more fields are missing in this row: …``, each field by ``header`` (its
    column's header, when the file has one) or its name."""
    names = [header(error) or str(error.location.field) for error in cause.also_missing]
    return said(
        "missing-too", catalogue, count=len(names), fields=", ".join(f"'{n}'" for n in names)
    )


def header_of(index: Any) -> Callable[[PolicyError], str | None]:
    """The column header an error's field is read under, where ``index`` (a month's
    ``FactsIndex``, or None) knows one other than the field's name."""
    if index is None:
        return lambda error: None
    return lambda error: index.headed(error).location.header
