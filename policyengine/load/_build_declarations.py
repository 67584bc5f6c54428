"""What a policy declares before its rules: its header, input fields, parameters and key.

These are the names every expression of the policy may read, so they are
checked first: each must be usable in an expression and clash with no
built-in or other declaration, a parameter must be a number this engine
reads exactly (or a percentage, a yes/no, a text), and beside
``entities.yaml`` the fields come from the record kind the policy applies
to, with any input it still declares checked against the kind.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core._number_text import looks_numeric, to_decimal
from ..core._period import iso_day
from ..core._suggest import did_you_mean
from ..errors import ModelError
from ..facts._records import field_from_spec
from ..language._functions import FUNCTIONS
from ..model import Field, Parameter
from ..read._source_map import pointer_part
from ._build_problems import BuildProblems, plain_text

if TYPE_CHECKING:
    from ..facts._record_kinds import Entities

#: Header keys without which there is no policy to build (the schema says what is wrong).
_REQUIRED = ("format", "policy", "version", "effective_from", "title")


def read_header(problems: BuildProblems, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The policy's id, version, dates and texts, as :class:`~policyengine.model.Policy` takes
    them; None when a required part is missing or broken, or the dates are empty."""
    if any(name not in data or problems.is_broken("/" + name) for name in _REQUIRED):
        return None  # the schema has said what is wrong
    start = _date(data.get("effective_from"))
    end = _date(data.get("effective_to")) if "effective_to" in data else None
    if start is None:
        return None
    if end is not None and end <= start:
        problems.add("empty-effective-range", "/effective_to", end=end, start=start)
        return None
    return {
        "id": str(data["policy"]),
        "version": str(data["version"]),
        "format": data["format"],
        "effective_from": start,
        "effective_to": end,
        "title": plain_text(data["title"]),
        "description": plain_text(data.get("description")),
        "source": plain_text(data.get("source")),
        "applies_to": data.get("applies_to"),
        "key": data.get("key"),
        "corrects": plain_text(data.get("corrects")),
    }


def read_inputs(problems: BuildProblems, raw: Any) -> dict[str, Field]:
    """The input fields declared under ``inputs:``, each checked."""
    fields: dict[str, Field] = {}
    if not isinstance(raw, Mapping):
        return fields
    for name, spec in raw.items():
        pointer = f"/inputs/{pointer_part(name)}"
        if not problems.identifier(name, pointer, "input") or problems.is_broken(pointer):
            continue
        if name in FUNCTIONS or name == "period":
            problems.add("name-clash", pointer, form="input-builtin", at_key=True, name=name)
            continue
        try:
            fields[name] = field_from_spec(name, spec)
        except ModelError as exc:
            problems.keep(exc, pointer + str(exc.details.get("at", "")))
    return fields


def fields_of_kind(
    problems: BuildProblems,
    entities: Entities,
    own_kind: str | None,
    declared: dict[str, Field],
) -> dict[str, Field]:
    """Beside entities.yaml the fields come from the kind; declared inputs must agree."""
    kind = entities.kinds.get(own_kind) if own_kind else None
    if kind is None:
        kinds = ", ".join(entities.kinds)
        if own_kind:
            hint = did_you_mean(own_kind, entities.kinds)
            problems.add(
                "unknown-kind",
                "/applies_to",
                form="applies-to",
                hint=hint,
                kind=own_kind,
                kinds=kinds,
            )
        else:
            problems.add("unknown-kind", "/applies_to", form="no-applies-to", kinds=kinds)
        return declared
    for name, field in declared.items():
        known = kind.fields.get(name)
        if known is None or (known.type, known.values, known.item_type) != (
            field.type,
            field.values,
            field.item_type,
        ):
            at = f"/inputs/{pointer_part(name)}"
            if known is not None:
                problems.add(
                    "input-differs-from-entities",
                    at,
                    form="type",
                    at_key=True,
                    name=name,
                    kind=kind.name,
                    type=known.type,
                )
            else:
                problems.add(
                    "input-differs-from-entities",
                    at,
                    form="no-field",
                    at_key=True,
                    hint=did_you_mean(name, kind.fields),
                    name=name,
                    kind=kind.name,
                )
    return dict(kind.fields)


def read_parameters(
    problems: BuildProblems, raw: Any, inputs: Mapping[str, Field]
) -> dict[str, Parameter]:
    """The parameters declared under ``parameters:``, each checked and its value read."""
    found: dict[str, Parameter] = {}
    if not isinstance(raw, Mapping):
        return found
    for name, spec in raw.items():
        pointer = f"/parameters/{pointer_part(name)}"
        if not _usable_parameter_name(problems, name, pointer, inputs):
            continue
        meta = spec if isinstance(spec, Mapping) else {"value": spec}
        value = _parameter_value(meta["value"])
        if isinstance(value, str) and looks_numeric(value):
            at = pointer + "/value" if isinstance(spec, Mapping) else pointer
            problems.add("not-a-number", at, form="parameter", name=name, value=value)
            continue
        found[name] = Parameter(
            name,
            value,
            meta.get("title"),
            meta.get("unit"),
            meta.get("source"),
            bool(meta.get("default", False)),
        )
    return found


def _usable_parameter_name(
    problems: BuildProblems, name: str, pointer: str, inputs: Mapping[str, Field]
) -> bool:
    """Whether a parameter may be called ``name``; if not, the problem is reported."""
    if not problems.identifier(name, pointer, "parameter") or problems.is_broken(pointer):
        return False
    if name in inputs:
        problems.add("name-clash", pointer, form="input-parameter", at_key=True, name=name)
        return False
    if name in FUNCTIONS or name == "period":
        problems.add("name-clash", pointer, form="parameter-builtin", at_key=True, name=name)
        return False
    return True


def check_key(problems: BuildProblems, key: Any, inputs: Mapping[str, Any]) -> None:
    """The policy's ``key:`` names one of its input fields."""
    if isinstance(key, str) and key not in inputs:
        problems.add("unknown-name", "/key", form="key", hint=did_you_mean(key, inputs), key=key)


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return iso_day(value)
        except ValueError:
            return None
    return None


def _parameter_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    try:
        return to_decimal(value)
    except ValueError:
        return value
