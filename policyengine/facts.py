"""Input records: checked against the declared fields and made exact and immutable.

Every problem with a record is reported (all of them, not the first), each
naming the record and the field. Values become Decimal, int, bool, str,
date or tuples of those; a float is refused because it cannot carry an
exact amount (pass Decimal or text such as "123.45").
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import attrs

from .codes import ErrorCode
from .errors import FactError, Location, ModelError, PolicyError
from .model import Field
from .numbers import NUMBER_TEXT, to_decimal
from .suggest import did_you_mean

#: A list field holds at most this many items: it bounds what any(), sum() … can cost.
MAX_LIST_ITEMS = 10_000

_WHOLE = re.compile(r"[+-]?[0-9]+")  # ASCII digits: "²" and "+-5" are not numbers

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "真"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "假"})


class InvalidRecord(FactError):
    """A record with one or more bad fields; ``problems`` holds each one."""

    default_code: ClassVar[ErrorCode] = "invalid-record"

    def __init__(self, problems: list[PolicyError], record: int | str | None) -> None:
        lines = "; ".join(p.render() for p in problems)
        super().__init__(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the record: {lines}",
            location=Location(record=record),
        )
        self.problems = tuple(problems)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


def _fail(code: ErrorCode, message: str, hint: str | None = None) -> FactError:
    return FactError(message, code=code, hint=hint)


def _decimal(value: Any, field: Field) -> Decimal:
    if type(value) is Decimal and value.is_finite():  # the common case, checked first
        result = value
    elif isinstance(value, float):
        raise _fail(
            "float-not-allowed",
            f"{value!r} is a binary float and cannot carry an exact amount",
            'pass a Decimal or text such as "123.45"',
        )
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if NUMBER_TEXT.match(text):
            result = Decimal(text)
        elif field.type == "decimal" and text.endswith("%"):
            result = _checked(to_decimal, text)
        else:
            raise _fail("not-a-number", f"expected a number, found '{value}'")
    else:
        result = _checked(to_decimal, value)
    if field.type == "money" and _past_cents(result):
        raise _fail(
            "too-many-decimals",
            f"{result} has more than two decimal places; money is paid to the fen (0.01)",
        )
    return result


#: Quantizing to the fen signals Rounded exactly when digits past the fen are
#: written (1.230 too): one C call, half the cost of reading the exponent.
_CENTS = decimal.Context(prec=34, traps=[decimal.Rounded, decimal.InvalidOperation])
_CENT = Decimal("0.01")


def _past_cents(value: Decimal) -> bool:
    """Whether ``value`` is written with more than two decimal places."""
    try:
        value.quantize(_CENT, context=_CENTS)
    except decimal.Rounded:
        return True
    except decimal.InvalidOperation:  # too many digits to quantize: read the exponent
        return value.as_tuple().exponent < -2  # type: ignore[operator]
    return False


def _checked(convert: Any, value: Any) -> Decimal:
    try:
        result: Decimal = convert(value)
    except (ValueError, InvalidOperation) as exc:
        raise _fail("not-a-number", f"expected a number, found {value!r}") from exc
    return result


def _int(value: Any, field: Field) -> int:
    if type(value) is int:  # the common case, checked first
        return value
    if isinstance(value, float):
        raise _fail(
            "float-not-allowed",
            f"{value!r} is a binary float",
            'pass a whole number such as 12, or text such as "12"',
        )
    if isinstance(value, bool):
        raise _fail("not-a-number", f"expected a whole number, found {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    raise _fail("not-a-whole-number", f"expected a whole number, found {value!r}")


#: The spellings files use most, looked up before any normalising.
_EXACT_BOOL = {"true": True, "false": False, "TRUE": True, "FALSE": False}


def _bool(value: Any, field: Field) -> bool:
    if isinstance(value, bool):
        return value
    exact = _EXACT_BOOL.get(value) if type(value) is str else None
    if exact is not None:
        return exact
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
    raise _fail("not-a-bool", f"expected true or false, found {value!r}")


def _string(value: Any, field: Field) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _fail("not-text", f"expected text, found {value!r}")


def _date(value: Any, field: Field) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise _fail("not-a-date", f"expected a date, found a date and time {value!r}")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail("not-a-date", f"expected a date written YYYY-MM-DD, found {value!r}")


def _enum(value: Any, field: Field) -> str:
    if isinstance(value, str) and value in field.values:
        return value
    raise _fail(
        "not-allowed",
        f"{value!r} is not one of {', '.join(field.values)}",
        did_you_mean(str(value), field.values),
    )


_SCALAR = {
    "money": _decimal,
    "decimal": _decimal,
    "int": _int,
    "bool": _bool,
    "string": _string,
    "date": _date,
    "enum": _enum,
}


def coerce_value(value: Any, field: Field) -> Any:
    """One field's value as its declared type; raises FactError."""
    kind = field.type
    if kind != "list" and value is not None:
        return _SCALAR[kind](value, field)
    if value is None:
        raise _fail("empty-value", "the value is empty")
    if field.type == "list":
        if not isinstance(value, list | tuple):
            raise _fail("not-a-list", f"expected a list, found {value!r}")
        if len(value) > MAX_LIST_ITEMS:
            raise _fail(
                "list-too-long",
                f"the list has {len(value)} items; at most {MAX_LIST_ITEMS} are accepted",
            )
        item = Field(field.name, field.item_type or "string")
        return tuple(coerce_value(v, item) for v in value)
    return _SCALAR[field.type](value, field)


#: How the fast reader checks a value already of its field's type, by field type.
_FAST_CHECKS = {
    "money": "(type({v}) is _Decimal and {v}.is_finite() and not _past_cents({v}))",
    "decimal": "(type({v}) is _Decimal and {v}.is_finite())",
    "int": "type({v}) is int",
    "bool": "type({v}) is bool",
    "string": "type({v}) is str",
    "enum": "(type({v}) is str and {v} in {values})",
    "date": "type({v}) is _date",
}

#: Given up on by a fast text converter: the general path reads the value.
_NO: Any = object()
#: Plain ASCII decimal text, as files write amounts: no sign, spaces or separators.
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _text_number(value: Any, money: bool) -> Any:
    if type(value) is str and _PLAIN_NUMBER.fullmatch(value):
        number = Decimal(value)
        return _NO if money and _past_cents(number) else number
    return _NO


def _text_int(value: Any) -> Any:
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    return _NO


def _text_bool(value: Any) -> Any:
    return _EXACT_BOOL.get(value, _NO) if type(value) is str else _NO


def _text_date(value: Any) -> Any:
    if type(value) is str:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return _NO
    return _NO


#: How a fast reader reads a field's value written as text (a CSV cell), by field
#: type: the common spellings only, each giving what the general path gives.
_FAST_TEXT = {
    "money": "_text_number({v}, True)",
    "decimal": "_text_number({v}, False)",
    "int": "_text_int({v})",
    "bool": "_text_bool({v})",
    "date": "_text_date({v})",
}

#: id(fields) -> (fields, its fast reader or None); the reference keeps the id valid.
_FAST: dict[int, tuple[Mapping[str, Field], Any]] = {}


def _fast_reader(fields: Mapping[str, Field]) -> Any:
    """A reader for the common record: a dict holding exactly the declared fields, each
    already of its type (as another system passes them) or written as plain text (as
    a CSV file holds them). It returns the typed record, or None for anything else,
    which the general path then reads and reports.

    Generated once per set of fields: a month reads every record the same way.
    Field names are embedded as string literals (``repr``), never as code.
    """
    found = _FAST.get(id(fields))
    if found is not None and found[0] is fields:
        return found[1]
    reader = None
    if fields and all(f.type in _FAST_CHECKS for f in fields.values()):
        namespace: dict[str, Any] = {
            "__builtins__": {
                "type": type,
                "len": len,
                "dict": dict,
                "int": int,
                "str": str,
                "bool": bool,
                "KeyError": KeyError,
            },
            "_Decimal": Decimal,
            "_date": datetime.date,
            "_past_cents": _past_cents,
            "_NO": _NO,
            "_text_number": _text_number,
            "_text_int": _text_int,
            "_text_bool": _text_bool,
            "_text_date": _text_date,
        }
        names = list(fields)
        lines = []
        for index, name in enumerate(names):
            field = fields[name]
            values = f"_values{index}"
            namespace[values] = frozenset(field.values)
            value = f"v{index}"
            check = _FAST_CHECKS[field.type].format(v=value, values=values)
            text = _FAST_TEXT.get(field.type)
            if text is None:  # text and enum fields: text is their type
                lines.append(f"    if not {check}:\n        return None")
            else:
                converted = text.format(v=value)
                lines.append(
                    f"    if not {check}:\n"
                    f"        {value} = {converted}\n"
                    f"        if {value} is _NO:\n            return None"
                )
        reads = "; ".join(f"v{i} = record[{name!r}]" for i, name in enumerate(names))
        typed = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
        source = (
            "def _read(record):\n"
            f"    if type(record) is not dict or len(record) != {len(names)}:\n"
            "        return None\n"
            f"    try:\n        {reads}\n    except KeyError:\n        return None\n"
            + "\n".join(lines)
            + f"\n    return {{{typed}}}\n"
        )
        exec(compile(source, "<fast reader>", "exec"), namespace)
        reader = namespace["_read"]
    if len(_FAST) > 256:  # a long-lived process loading many folders
        _FAST.clear()
    _FAST[id(fields)] = (fields, reader)
    return reader


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
    fast = _fast_reader(fields)
    if fast is not None:
        typed: dict[str, Any] | None = fast(record)
        if typed is not None:
            return typed
    if not isinstance(record, Mapping):
        raise FactError(
            f"a record must be a mapping of field names to values, found {type(record).__name__}",
            code="not-a-record",
            location=Location(record=label),
        )
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
                FactError(
                    f"the field '{name}' is missing",
                    code="missing-field",
                    location=Location(record=label, field=name),
                )
            )
            continue
        try:
            typed[name] = coerce_value(value, field)
        except FactError as exc:
            problems.append(exc.at(record=label, field=name))
    for name in record:
        if name not in fields and name not in others:
            problems.append(
                FactError(
                    f"unknown field '{name}'",
                    code="unknown-field",
                    location=Location(record=label, field=str(name)),
                    hint=did_you_mean(str(name), fields),
                )
            )
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise InvalidRecord(problems, label)
    return typed


def field_from_spec(name: str, spec: Any) -> Field:
    """A declared field (a policy's input or an entities.yaml field) from its YAML form.

    ``spec`` is a type name or ``{type, values?, of?, title?, description?,
    default?}``, already schema-checked. Raises ModelError with ``details["at"]``
    the part of the spec at fault ("" or "/default").
    """
    if isinstance(spec, str):
        return Field(name, spec)
    kind, values = spec["type"], tuple(spec.get("values", ()))
    if kind == "enum" and not values:
        raise ModelError(
            f"enum field '{name}' needs 'values'", code="enum-without-values", details={"at": ""}
        )
    if kind == "list" and "of" not in spec:
        raise ModelError(
            f"list field '{name}' needs 'of'", code="list-without-item-type", details={"at": ""}
        )
    field = Field(name, kind, values, spec.get("of"), spec.get("title"), spec.get("description"))
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
