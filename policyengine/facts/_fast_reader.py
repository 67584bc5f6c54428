"""A record reader generated for a set of fields: the common record typed in one call.

A month has millions of records, nearly all alike: a dict holding exactly
the declared fields, each already of its type or written as plain text (a
CSV cell). For such fields a small function is generated and compiled once,
checking each field inline; anything it does not recognise (a missing or
extra field, a value in any other form) gives None, and the general path of
:func:`policyengine.facts._records.coerce_record` reads and reports it. Each fast
check gives exactly what the general path gives, so the path taken never
shows in a result.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..core._number_text import FAST_AMOUNT, MAX_MAGNITUDE, MAX_PLACES
from ..core._period import iso_day
from ..model import Field
from ._values import EXACT_BOOL, past_cents, unclean_text

#: How the fast reader checks a value already of its field's type, by field type.
#: Numbers are also within the engine's bounds (anything else takes the general path,
#: which refuses it): money's places are the fen's, a decimal's are checked by exponent.
_FAST_CHECKS = {
    "money": (
        "(type({v}) is _Decimal and {v}.is_finite() and {v}.adjusted() < _DIGITS"
        " and not _past_cents({v}))"
    ),
    "decimal": (
        "(type({v}) is _Decimal and {v}.is_finite() and {v}.adjusted() < _DIGITS"
        " and {v}.as_tuple().exponent >= -_PLACES)"
    ),
    "int": "(type({v}) is int and -_LIMIT < {v} < _LIMIT)",
    "bool": "type({v}) is bool",
    # Clean text: printable text is clean at once, other text costs one precompiled
    # search (core/_display.unclean; the general path names the character).
    "string": "(type({v}) is str and ({v}.isprintable() or _unclean({v}) is None))",
    "enum": "(type({v}) is str and {v} in {values})",  # the declared values are clean
    "date": "type({v}) is _date",
}

#: Given up on by a fast text converter: the general path reads the value.
_NO: Any = object()
#: Plain ASCII decimal text, as files write amounts: no sign, spaces or separators (the
#: parser's own pattern, checked inline; anything else takes the general path, to the parser).
_PLAIN_NUMBER = FAST_AMOUNT


def _text_number(value: Any, money: bool) -> Any:
    if type(value) is str and _PLAIN_NUMBER.fullmatch(value):
        number = Decimal(value)
        return _NO if money and past_cents(number) else number
    return _NO


def _text_date(value: Any) -> Any:
    if type(value) is str:
        try:
            return iso_day(value)
        except ValueError:
            return _NO
    return _NO


#: How a fast reader reads a field's value written as text (a CSV cell), by field
#: type: the common spellings only, each giving what the general path gives.
_FAST_TEXT = {
    "money": "_text_number({v}, True)",
    "decimal": "_text_number({v}, False)",
    # Whole numbers and yes/no inline: a month has millions of such cells, and a call
    # per cell cost more than the check.
    "int": (
        "(int({v}) if type({v}) is str and len({v}) <= _DIGITS and {v}.isascii()"
        " and {v}.isdigit() else _NO)"
    ),
    "bool": "(_BOOLS.get({v}, _NO) if type({v}) is str else _NO)",
    "date": "_text_date({v})",
}

#: id(fields) -> (fields, its fast reader or None); the reference keeps the id valid.
_FAST: dict[int, tuple[Mapping[str, Field], Any]] = {}


def fast_reader(fields: Mapping[str, Field]) -> Any:
    """A reader for the common record: a dict holding exactly the declared fields, each
    already of its type (as another system passes them) or written as plain text (as
    a CSV file holds them). It returns the typed record, or None for anything else,
    which the general path then reads and reports. None when a field's type has no
    fast check.

    Generated once per set of fields: a month reads every record the same way.
    """
    found = _FAST.get(id(fields))
    if found is not None and found[0] is fields:
        return found[1]
    reader = None
    if fields and all(f.type in _FAST_CHECKS for f in fields.values()):
        reader = _generated(fields)
    if len(_FAST) > 256:  # a long-lived process loading many folders
        _FAST.clear()
    _FAST[id(fields)] = (fields, reader)
    return reader


def _generated(fields: Mapping[str, Field]) -> Any:
    """The reader's function, compiled from source written for ``fields``. Field names
    are embedded as string literals (``repr``), never as code."""
    namespace = _namespace()
    names = list(fields)
    lines = [_field_lines(index, fields[name], namespace) for index, name in enumerate(names)]
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
    return namespace["_read"]


def _namespace() -> dict[str, Any]:
    """All the generated code can reach: a few builtins and the converters, nothing else."""
    return {
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
        "_past_cents": past_cents,
        "_unclean": unclean_text,
        "_NO": _NO,
        "_text_number": _text_number,
        "_BOOLS": EXACT_BOOL,
        "_LIMIT": 10**MAX_MAGNITUDE,
        "_PLACES": MAX_PLACES,
        "_DIGITS": MAX_MAGNITUDE,
        "_text_date": _text_date,
    }


def _field_lines(index: int, field: Field, namespace: dict[str, Any]) -> str:
    """The lines checking (or converting from text) the ``index``-th field's value ``v<index>``,
    giving up (None) on a value the general path must read."""
    values = f"_values{index}"
    namespace[values] = frozenset(field.values)
    value = f"v{index}"
    check = _FAST_CHECKS[field.type].format(v=value, values=values)
    text = _FAST_TEXT.get(field.type)
    if text is None:  # text and enum fields: text is their type
        return f"    if not {check}:\n        return None"
    converted = text.format(v=value)
    return (
        f"    if not {check}:\n"
        f"        {value} = {converted}\n"
        f"        if {value} is _NO:\n            return None"
    ) + _bound_lines(index, field, namespace)


def _bound_lines(index: int, field: Field, namespace: dict[str, Any]) -> str:
    """A number outside the field's ``min:``/``max:`` given up on: the general path
    refuses it (out-of-range)."""
    lines = ""
    for name, bound, holds in (("_MIN", field.minimum, ">="), ("_MAX", field.maximum, "<=")):
        if bound is not None:
            namespace[f"{name}{index}"] = bound
            lines += f"\n    if not v{index} {holds} {name}{index}:\n        return None"
    return lines
