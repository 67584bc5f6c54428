"""One value of a fact record as its field's declared type: exact, or a located refusal.

Values become Decimal, int, bool, str, date or tuples of those. A float is
refused because it cannot carry an exact amount (pass Decimal or text such
as "123.45"); money has at most two decimal places (the fen); text holds no
unclean character (``core/_display.unclean``); values are read in the forms
files write (``1,234.50``, ``是``, ``2026-03-01``). Each refusal is a
:class:`FactError` with its own code; the caller names the record and field.
"""

from __future__ import annotations

import datetime
import decimal
from decimal import Decimal, InvalidOperation
from typing import Any

from ..codes import ErrorCode
from ..core import _number_text as number_text
from ..core._brief import brief, brief_text
from ..core._display import UNCLEAN_TEXT, character_name, unclean
from ..core._number_text import to_decimal
from ..core._period import iso_day
from ..core._suggest import did_you_mean
from ..errors import FactError
from ..model import Field

_INT_LIMIT = 10**number_text.MAX_MAGNITUDE

#: A list field holds at most this many items: it bounds what any(), sum() … can cost.
MAX_LIST_ITEMS = 10_000


TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "真"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "假"})


def _fail(code: ErrorCode, form: str = "", hint: str | None = None, **words: Any) -> FactError:
    """The refusal ``code`` said in ``form`` (core/_facts_templates.py) from ``words``; a
    refused record is stored with its month, so its details stay empty, as they were."""
    return FactError.from_template(code, form=form, hint=hint, words=words)


def _within(value: Any, field: Field) -> None:
    """Refuse a number outside its field's declared ``min:``/``max:`` (out-of-range)."""
    if field.minimum is not None and value < field.minimum:
        raise _fail("out-of-range", "min", value=value, bound=field.minimum)
    if field.maximum is not None and value > field.maximum:
        raise _fail("out-of-range", "max", value=value, bound=field.maximum)


def _decimal(value: Any, field: Field) -> Decimal:
    if type(value) is Decimal and value.is_finite():  # the common case, checked first
        result = value
    elif isinstance(value, float):
        raise _fail("float-not-allowed", "amount", value=brief(value))
    elif isinstance(value, str):
        number = number_text.parse_decimal(value, number_text.FACT_AMOUNT)
        text = number_text.without_separators(value.strip())
        if number is not None:
            result = number
        elif field.type == "decimal" and text.endswith("%"):
            percent = number_text.parse_decimal(text, number_text.PERCENT)
            if percent is None:
                raise _not_a_number(value)
            result = percent
        else:
            # 1e999999999, as a JSON file keeps it: refused as out of range, not as no number.
            with_exponent = number_text.parse_decimal(value.strip(), number_text.FLOAT_TEXT)
            if with_exponent is not None:
                _bounded(with_exponent)
            raise _not_a_number(value)
    else:
        result = _checked(to_decimal, value)
    _bounded(result)
    if field.type == "money" and past_cents(result):
        raise _fail("too-many-decimals", "money", value=result)
    return result


def _not_a_number(text: str) -> FactError:
    """Text that is no number, with the reason when the slip is a common one: a comma that
    is no thousands separator (``12,34`` is never 1234) or a digit of another script."""
    comma = number_text.comma_problem(text)
    if comma is not None:
        return _fail("not-a-number", "comma", text=brief_text(text), comma=comma)
    if number_text.non_ascii_digits(text):
        return _fail("not-a-number", "digits", text=brief_text(text))
    return _fail("not-a-number", "text", text=brief_text(text))


def _bounded(number: Decimal | int) -> None:
    """Refuse a number outside what the engine reads (see :func:`number_text.out_of_range`),
    before anything converts it or writes its digits out."""
    why = number_text.out_of_range(number)
    if why is None:
        return
    written = str(number)
    if len(written) > 40:  # a message stays short however long the number
        written = f"{written[:24]}… ({len(written)} characters)"
    if why == "large":
        raise _fail("number-too-large", "fact", value=written, limit=number_text.MAX_MAGNITUDE)
    if why == "places":
        raise _fail("too-many-decimals", "places", value=written, limit=number_text.MAX_PLACES)


#: Quantizing to the fen signals Rounded exactly when digits past the fen are
#: written (1.230 too): one C call, half the cost of reading the exponent.
_CENTS = decimal.Context(prec=34, traps=[decimal.Rounded, decimal.InvalidOperation])
_CENT = Decimal("0.01")


def past_cents(value: Decimal) -> bool:
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
        raise _fail("not-a-number", "value", value=brief(value)) from exc
    return result


def _int(value: Any, field: Field) -> int:
    if type(value) is int:  # the common case, checked first
        if -_INT_LIMIT < value < _INT_LIMIT:
            return value
        _bounded(value)
    if isinstance(value, float):
        raise _fail("float-not-allowed", "whole", value=brief(value))
    if isinstance(value, bool):
        raise _fail("not-a-number", "whole", value=brief(value))
    if isinstance(value, int):
        _bounded(value)
        return value
    if isinstance(value, Decimal) and value.is_finite():
        _bounded(value)  # before int(): 1E+1000000 would be a million digits
        if value == value.to_integral_value():
            return int(value)
    if isinstance(value, str):  # ASCII digits: "²" and "+-5" are not numbers
        whole = number_text.parse(value, number_text.WHOLE)
        if whole is not None:
            _bounded(whole)
            return int(whole)
    if isinstance(value, str) and number_text.non_ascii_digits(value):
        raise _fail("not-a-whole-number", "digits", text=brief_text(value))
    raise _fail("not-a-whole-number", value=brief(value))


#: The spellings files use most, looked up before any normalising.
EXACT_BOOL = {"true": True, "false": False, "TRUE": True, "FALSE": False}


def _bool(value: Any, field: Field) -> bool:
    if isinstance(value, bool):
        return value
    exact = EXACT_BOOL.get(value) if type(value) is str else None
    if exact is not None:
        return exact
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
    raise _fail("not-a-bool", value=brief(value))


#: The search of ``core/_display.unclean`` (text of several lines), for the fast reader's
#: inline check: printable text is clean at once, other text costs this one search.
unclean_text = UNCLEAN_TEXT.search


def _clean(value: str) -> str:
    found = unclean(value)
    if found is None:
        return value
    raise _fail("control-character", "fact", name=character_name(found[0]))


def _string(value: Any, field: Field) -> str:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _fail("not-text", value=brief(value))


def _date(value: Any, field: Field) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise _fail("not-a-date", "date-time", value=brief(value))
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return iso_day(value.strip())
        except ValueError:
            pass
    raise _fail("not-a-date", value=brief(value))


def _enum(value: Any, field: Field) -> str:
    if isinstance(value, str) and value in field.values:
        return value  # the declared values are clean text
    if isinstance(value, str):
        _clean(value)
    hint = did_you_mean(value, field.values) if isinstance(value, str) else None
    raise _fail("not-allowed", "fact", hint, value=brief(value), values=", ".join(field.values))


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
    """One field's value as its declared type, within its bounds; raises FactError."""
    kind = field.type
    if kind != "list" and value is not None:
        typed = _SCALAR[kind](value, field)
        if field.minimum is not None or field.maximum is not None:
            _within(typed, field)
        return typed
    if value is None:
        raise _fail("empty-value")
    if field.type == "list":
        if not isinstance(value, list | tuple):
            raise _fail("not-a-list", value=brief(value))
        if len(value) > MAX_LIST_ITEMS:
            raise _fail("list-too-long", count=len(value), limit=MAX_LIST_ITEMS)
        item = Field(field.name, field.item_type or "string")
        return tuple(coerce_value(v, item) for v in value)
    return _SCALAR[field.type](value, field)
