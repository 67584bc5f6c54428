"""Input records: checked against the declared fields and made exact and immutable.

Every problem with a record is reported (all of them, not the first), each
naming the record and the field. Values become Decimal, int, bool, str,
date or tuples of those (:mod:`policyengine.facts._values`); a float is
refused because it cannot carry an exact amount (pass Decimal or text such
as "123.45"). The common record takes a reader generated for its fields
(:mod:`policyengine.facts._fast_reader`); any other takes the general path
here, which finds every problem.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs

from ..codes import ErrorCode
from ..core._brief import brief
from ..core._display import safe_text
from ..core._languages import messages
from ..core._messages import Catalogue, frame
from ..core._suggest import did_you_mean
from ..errors import FactError, Location, ModelError, PolicyError
from ..model import Field
from ._fast_reader import fast_reader
from ._file import UNREADABLE, unreadable_errors
from ._values import FALSE_WORDS, MAX_LIST_ITEMS, TRUE_WORDS, coerce_value

__all__ = [
    "FALSE_WORDS",
    "MAX_LIST_ITEMS",
    "TRUE_WORDS",
    "InvalidRecord",
    "coerce_record",
    "coerce_value",
    "field_from_spec",
]


class InvalidRecord(FactError):
    """A record with one or more bad fields; ``problems`` holds each one."""

    default_code: ClassVar[ErrorCode] = "invalid-record"

    def __init__(self, problems: list[PolicyError], record: int | str | None) -> None:
        super().__init__(_problems_text(problems, None), location=Location(record=record))
        self.problems = tuple(problems)

    def each(self, change: Callable[[PolicyError], PolicyError]) -> InvalidRecord:
        """The same record's error with ``change`` made to each of its problems (located
        further, said in another language), its message made again from them."""
        problems = [change(p) for p in self.problems]
        clone = self.at()
        assert isinstance(clone, InvalidRecord)
        clone.problems = tuple(problems)
        clone.message = _problems_text(problems, None)
        Exception.__init__(clone, clone.message)
        return clone

    def translated(self, catalogue: Catalogue | str) -> PolicyError:
        """Each problem said again in ``catalogue``'s language, and the count around them."""
        said = messages(catalogue) if isinstance(catalogue, str) else catalogue
        clone = self.each(lambda problem: problem.translated(said))
        clone.message = _problems_text(list(clone.problems), said)
        Exception.__init__(clone, clone.message)
        return clone

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


def _problems_text(problems: list[PolicyError], catalogue: Catalogue | None) -> str:
    """``N problems in the record: …``, each problem's line in ``catalogue``'s words."""
    lines = frame("problems-joiner", catalogue).join(p.render(catalogue) for p in problems)
    name = "record-problems-one" if len(problems) == 1 else "record-problems-many"
    return frame(name, catalogue, count=len(problems), lines=lines)


def coerce_record(
    fields: Mapping[str, Field],
    record: Any,
    label: int | str | None,
    others: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The record with every declared field, typed; raises InvalidRecord with every problem.

    ``others`` are fields other policies read from the same records: they are
    not this policy's, but they are not unknown either.
    """
    fast = fast_reader(fields)
    if fast is not None:
        typed: dict[str, Any] | None = fast(record)
        if typed is not None:
            return typed
    if not isinstance(record, Mapping):
        raise FactError.from_template(
            "not-a-record",
            location=Location(record=label),
            words={"found": type(record).__name__},
        )
    if UNREADABLE in record:
        # Its reader could not read the row whole: what it found is the record's error.
        found = unreadable_errors(record[UNREADABLE], label)
        if len(found) == 1:
            raise found[0]
        raise InvalidRecord(list(found), label)
    problems: list[PolicyError] = []
    typed = {}
    for name, field in fields.items():
        try:
            value = record[name]
        except KeyError:
            if field.has_default:
                typed[name] = field.default
                continue
            problems.append(
                FactError.from_template(
                    "missing-field",
                    location=Location(record=label, field=name),
                    words={"field": name},
                )
            )
            continue
        try:
            typed[name] = coerce_value(value, field)
        except FactError as exc:
            problems.append(exc.at(record=label, field=name))
    problems += _unknown_fields(fields, record, label, others)
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise InvalidRecord(problems, label)
    return typed


def _as_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _unknown_fields(
    fields: Mapping[str, Field],
    record: Mapping[str, Any],
    label: int | str | None,
    others: frozenset[str],
) -> list[PolicyError]:
    """A problem for each field of ``record`` that neither this policy nor another reads."""
    found: list[PolicyError] = []
    for name in record:
        if name not in fields and name not in others:
            shown = safe_text(str(name))  # it may hold anything, and is shown everywhere
            found.append(
                FactError.from_template(
                    "unknown-field",
                    location=Location(record=label, field=shown),
                    hint=did_you_mean(str(name), fields),
                    words={"field": shown},
                )
            )
    return found


#: The field types a ``min:``/``max:`` applies to.
BOUNDED_TYPES = ("money", "decimal", "int")


def _bounded(field: Field, spec: Mapping[str, Any]) -> Field:
    """``field`` with its declared bounds, each a number of the field's own type; refused
    (``bad-field-bounds``) on a field that is no number, or a bound that is not one."""
    if field.type not in BOUNDED_TYPES:
        words = {"name": field.name, "type": field.type}
        raise ModelError.from_template("bad-field-bounds", form="type", details=words)
    bounds = []
    for key in ("min", "max"):
        written = spec.get(key)
        try:
            bound = None if written is None else coerce_value(written, field)
        except PolicyError:
            words = {"name": field.name, "bound": key, "value": brief(written)}
            raise ModelError.from_template(
                "bad-field-bounds", form="value", details=words
            ) from None
        bounds.append(bound)
    low, high = bounds
    if low is not None and high is not None and low > high:
        words = {"name": field.name, "low": low, "high": high}
        raise ModelError.from_template("bad-field-bounds", form="order", details=words)
    return attrs.evolve(field, minimum=low, maximum=high)


def field_from_spec(name: str, spec: Any) -> Field:
    """A declared field (a policy's input or an entities.yaml field) from its YAML form.

    ``spec`` is a type name or ``{type, values?, of?, title?, description?,
    default?}``, already schema-checked. Raises ModelError with ``details["at"]``
    the part of the spec at fault ("" or "/default").
    """
    if isinstance(spec, str):
        return Field(name, spec)
    # An unquoted 2026-01-31 among the values is text to the schema (it is what was
    # written): kept as that text, as titles and descriptions keep it.
    kind, values = spec["type"], tuple(_as_text(v) for v in spec.get("values", ()))
    if kind == "enum" and not values:
        raise ModelError(
            f"enum field '{name}' needs 'values'", code="enum-without-values", details={"at": ""}
        )
    if kind == "list" and "of" not in spec:
        raise ModelError(
            f"list field '{name}' needs 'of'", code="list-without-item-type", details={"at": ""}
        )
    title, description = _as_text(spec.get("title")), _as_text(spec.get("description"))
    field = Field(name, kind, values, spec.get("of"), title, description)
    if "min" in spec or "max" in spec:
        field = _bounded(field, spec)
    if "default" not in spec:
        return field
    try:
        default = coerce_value(spec["default"], field)
    except PolicyError as exc:
        raise ModelError(
            f"default of '{name}': {exc.message}",
            code="bad-default",
            hint=exc.hint,
            details={"at": "/default", "reason": exc.message},
        ) from exc
    return attrs.evolve(field, has_default=True, default=default)
