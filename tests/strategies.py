"""Hypothesis strategies for random expressions: source text and the values it reads.

:func:`environments` draws one value for each of a small, fixed set of names,
by kind (numbers, text, yes/no, dates, lists, a record); ``ghost`` is never
given a value. :func:`expressions` draws well-formed source text over those
names, mostly well-typed, with a fraction of operands, arguments and
arities deliberately wrong, so that both the success and the error paths
of an evaluator are exercised.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hypothesis import strategies as st

D = Decimal

#: Names bound in every environment, by kind.
NUMBER_NAMES = ("i", "j", "x", "y", "z")
TEXT_NAMES = ("s", "t")
BOOL_NAMES = ("p", "q")
DATE_NAMES = ("d", "e")
LIST_NAMES = {"number": "nums", "text": "words", "bool": "flags", "date": "days"}
RECORD_NAME = "rec"
#: Parts of the record ``rec`` and their kinds.
RECORD_PARTS = {"part": "number", "name": "text", "ok": "bool"}
#: A name that never has a value.
MISSING = "ghost"

KINDS = ("number", "text", "bool", "date", "list", "record")
#: Comparable kinds: the ones with an order.
ORDERED = ("number", "text", "date")

# --- values ------------------------------------------------------------------------

_EDGE_INTS = (0, 1, -1, 2, 7, 10**17, -(10**17), 10**17 - 1, 999_999_999_999_999_999, 10**9)
_EDGE_DECIMALS = (
    D("0"),
    D("-0"),
    D("0.000"),
    D("1E+5"),
    D("1E-30"),
    D("-1E-20"),
    D("0.5"),
    D("2.50"),
    D("-7.5"),
    D("99999999999999999.99"),
    D("1E+17"),
    D("123456789.123456789123456789123456789"),  # more digits than the context keeps
    D("3.1415926535897932384626433832795028841971"),
)

ints = st.one_of(
    st.integers(-1000, 1000),
    st.sampled_from(_EDGE_INTS),
    st.integers(-(10**17), 10**17),
)
decimals = st.one_of(
    st.decimals(-1000, 1000, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(-1, 1, places=25, allow_nan=False, allow_infinity=False),
    st.decimals(-(10**17), 10**17, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(_EDGE_DECIMALS),
)
numbers = st.one_of(ints, decimals)
zeros = st.sampled_from([0, D(0), D("-0"), D("0.00"), D("0E+3")])
texts = st.one_of(st.sampled_from(["", "a", "abc", "销售", "b", "ab"]), st.text(max_size=4))
dates = st.dates(datetime.date(1999, 1, 1), datetime.date(2031, 12, 31))

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "number": numbers,
    "text": texts,
    "bool": st.booleans(),
    "date": dates,
}


@st.composite
def environments(draw: st.DrawFn) -> dict[str, Any]:
    """One value for every name of every kind; ``ghost`` is left out."""
    env: dict[str, Any] = {}
    for names, kind in (
        (NUMBER_NAMES, "number"),
        (TEXT_NAMES, "text"),
        (BOOL_NAMES, "bool"),
        (DATE_NAMES, "date"),
    ):
        for name in names:
            env[name] = draw(_VALUES[kind])
    if draw(st.booleans()):
        env["z"] = draw(zeros)  # a divisor or base that is zero, now and then
    for kind, name in LIST_NAMES.items():
        env[name] = tuple(draw(st.lists(_VALUES[kind], max_size=4)))
    record = {part: draw(_VALUES[kind]) for part, kind in RECORD_PARTS.items()}
    # Records reach rules as dicts (inputs) and as read-only mappings (outputs, period).
    env[RECORD_NAME] = MappingProxyType(record) if draw(st.booleans()) else record
    return env


# --- expression text ---------------------------------------------------------------

_NUMBER_LITERALS = (
    "0",
    "1",
    "2",
    "7",
    "100",
    "0.5",
    "0.01",
    "2.50",
    "0.0",
    "1e3",
    "1_000",
    "99999999999999999",
    "0.000000000000000000000000000001",
    "3.14159265358979323846264338327950288",
    "(-3)",
    "-0",
)
_TEXT_LITERALS = ("''", "'a'", "'abc'", '"b"', "'销售'", "'ab'")
_EXPONENTS = ("0", "1", "2", "3", "-1", "-2", "(-3)", "101", "-101", "0.5", "2.0", "i", "j")
_PLACES = ("0.01", "1", "0.1", "10", "100", "0.05", "0", "-1", "1e-40", "0.010")
_MODES = ('"half_up"', '"half_even"', '"down"', '"floor"', '"ceiling"', '"bad"', "1")
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
_ARITHMETIC = ("+", "-", "*", "/", "//", "%")

Draw = st.DrawFn
Builder = Callable[[Draw, int], str]


def _pick(draw: Draw, options: tuple[str, ...] | list[str]) -> str:
    return draw(st.sampled_from(options))


def _leaf(draw: Draw, kind: str) -> str:
    """A literal or a name of ``kind``; now and then a name without a value."""
    if draw(st.integers(0, 39)) == 0:
        return _pick(draw, (MISSING, f"{RECORD_NAME}.nope", f"{MISSING}.part"))
    if kind == "number":
        options = [*NUMBER_NAMES, f"{RECORD_NAME}.part", *_NUMBER_LITERALS]
    elif kind == "text":
        options = [*TEXT_NAMES, f"{RECORD_NAME}.name", *_TEXT_LITERALS]
    elif kind == "bool":
        options = [*BOOL_NAMES, f"{RECORD_NAME}.ok", "True", "False"]
    elif kind == "date":
        options = [*DATE_NAMES, "date(2026, 1, 31)", "date(2024, 2, 29)"]
    elif kind == "list":
        options = [*LIST_NAMES.values(), "()", "[1, 2]", "(0.5, i)"]
    else:
        # Attributes of things that are no record: errors in both implementations.
        options = [RECORD_NAME, "x.part", "d.year", "s.name"]
    return _pick(draw, options)


def expression(draw: Draw, kind: str, depth: int) -> str:
    """Source text of an expression meant to give a value of ``kind``."""
    if draw(st.integers(0, 14)) == 0:  # ill-typed on purpose
        kind = _pick(draw, KINDS)
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return _leaf(draw, kind)
    builders = _BUILDERS[kind]
    builder = builders[draw(st.integers(0, len(builders) - 1))]
    return builder(draw, depth - 1)


def _arguments(draw: Draw, kinds: list[str], depth: int) -> str:
    """Arguments of ``kinds``; now and then one too many or one too few."""
    kinds = list(kinds)
    change = draw(st.integers(0, 15))
    if change == 0 and kinds:
        kinds.pop()
    elif change == 1:
        kinds.append(_pick(draw, KINDS))
    return ", ".join(expression(draw, kind, depth) for kind in kinds)


def _call(name: str, *kinds: str) -> Builder:
    def build(draw: Draw, depth: int) -> str:
        return f"{name}({_arguments(draw, list(kinds), depth)})"

    return build


def _over_items(name: str, kind: str) -> Builder:
    """``f(list)`` or ``f(a, b, …)``: the library's functions over several values."""

    def build(draw: Draw, depth: int) -> str:
        if draw(st.booleans()):
            return f"{name}({_list_of(draw, kind, depth)})"
        count = draw(st.integers(0, 3))
        return f"{name}({', '.join(expression(draw, kind, depth) for _ in range(count))})"

    return build


def _trap(draw: Draw) -> str:
    """An operand that fails if it is ever evaluated: a missing name, or of a wrong kind.

    Put where evaluation should stop before it (after 'and'/'or', in a chain, in
    an if-else branch), it tells short-circuiting from eager evaluation.
    """
    return _pick(draw, (MISSING, f"{MISSING}.part", f"{RECORD_NAME}.nope", "x.part", "1", "'a'"))


def _if(kind: str) -> Builder:
    def build(draw: Draw, depth: int) -> str:
        body = expression(draw, kind, depth)
        test = expression(draw, "bool", depth)
        orelse = expression(draw, kind, depth)
        trap = draw(st.integers(0, 5))
        if trap == 0:
            body = _trap(draw)
        elif trap == 1:
            orelse = _trap(draw)
        return f"({body} if {test} else {orelse})"

    return build


def _arithmetic(draw: Draw, depth: int) -> str:
    op = _pick(draw, _ARITHMETIC)
    return f"({expression(draw, 'number', depth)} {op} {expression(draw, 'number', depth)})"


def _power(draw: Draw, depth: int) -> str:
    base = expression(draw, "number", depth)
    exponent = _pick(draw, _EXPONENTS) if draw(st.integers(0, 3)) else expression(draw, "number", 0)
    return f"({base} ** {exponent})"


def _unary(draw: Draw, depth: int) -> str:
    return f"({_pick(draw, ('-', '+', '- -'))}{expression(draw, 'number', depth)})"


def _round_to(draw: Draw, depth: int) -> str:
    args = [expression(draw, "number", depth)]
    count = draw(st.integers(0, 3))
    if count >= 1:
        literal = draw(st.integers(0, 3)) > 0
        args.append(_pick(draw, _PLACES) if literal else expression(draw, "number", 0))
    if count >= 2:
        args.append(_pick(draw, _MODES))
    if count >= 3 and draw(st.booleans()):
        args.append("1")  # one argument too many
    return f"round_to({', '.join(args)})"


def _make_date(draw: Draw, depth: int) -> str:
    year = _pick(draw, ("2026", "2024", "1", "0", "10000", "i", "2025.0", "2025.5"))
    month = _pick(draw, ("1", "2", "12", "13", "0", "j"))
    day = _pick(draw, ("1", "28", "29", "31", "32", "i"))
    if draw(st.integers(0, 9)) == 0:
        return f"date({year}, {month})"
    return f"date({year}, {month}, {day})"


def _list_of(draw: Draw, kind: str, depth: int) -> str:
    if draw(st.integers(0, 2)) == 0 and kind in LIST_NAMES:
        return LIST_NAMES[kind]
    count = draw(st.integers(0, 3))
    items = [expression(draw, kind, depth) for _ in range(count)]
    if count == 1:
        return f"({items[0]},)"
    opening, closing = ("[", "]") if draw(st.booleans()) else ("(", ")")
    return f"{opening}{', '.join(items)}{closing}"


def _list(draw: Draw, depth: int) -> str:
    return _list_of(draw, _pick(draw, ("number", "text", "bool", "date")), depth)


def _comparison(draw: Draw, depth: int) -> str:
    """``a < b``, or a chain such as ``a < b <= c``; == and != on any kind."""
    count = draw(st.sampled_from((1, 2, 2, 3)))
    ops = [_pick(draw, _COMPARISONS) for _ in range(count)]
    ordered = any(op not in ("==", "!=") for op in ops)
    kind = _pick(draw, ORDERED) if ordered else _pick(draw, ("number", "text", "bool", "date"))
    operands = [expression(draw, kind, depth) for _ in range(count + 1)]
    if count > 1 and draw(st.booleans()):
        operands[-1] = _trap(draw)  # behind a link that may be no: never read then
    parts = [operands[0]]
    for op, operand in zip(ops, operands[1:], strict=True):
        parts += [op, operand]
    return f"({' '.join(parts)})"


def _mixed_equality(draw: Draw, depth: int) -> str:
    """``a == b`` or ``a != b`` with operands of kinds drawn apart: mostly a type-mismatch."""
    left, right = (expression(draw, _pick(draw, KINDS), depth) for _ in range(2))
    return f"({left} {_pick(draw, ('==', '!='))} {right})"


def _membership(draw: Draw, depth: int) -> str:
    op = _pick(draw, ("in", "not in"))
    if draw(st.integers(0, 3)) == 0:
        return f"({expression(draw, 'text', depth)} {op} {expression(draw, 'text', depth)})"
    kind = _pick(draw, ("number", "text", "bool", "date"))
    return f"({expression(draw, kind, depth)} {op} {_list_of(draw, kind, depth)})"


def _logic(draw: Draw, depth: int) -> str:
    op = _pick(draw, ("and", "or"))
    count = draw(st.integers(2, 3))
    operands = [expression(draw, "bool", depth) for _ in range(count)]
    if draw(st.booleans()):
        operands[draw(st.integers(1, count - 1))] = _trap(draw)  # read only if not decided
    return "(" + f" {op} ".join(operands) + ")"


def _not(draw: Draw, depth: int) -> str:
    return f"(not {expression(draw, 'bool', depth)})"


def _join(draw: Draw, depth: int) -> str:
    return f"({expression(draw, 'text', depth)} + {expression(draw, 'text', depth)})"


def _record(draw: Draw, depth: int) -> str:
    return _if("record")(draw, depth)


_BUILDERS: dict[str, list[Builder]] = {
    "number": [
        _arithmetic,
        _arithmetic,
        _arithmetic,
        _power,
        _unary,
        _if("number"),
        _call("abs", "number"),
        _over_items("min", "number"),
        _over_items("max", "number"),
        _over_items("sum", "number"),
        _call("clamp", "number", "number", "number"),
        _round_to,
        _call("len", "text"),
        _call("len", "list"),
        _call("days_between", "date", "date"),
        _call("months_between", "date", "date"),
        _call("days_in_month", "date"),
        _call("year", "date"),
        _call("month", "date"),
    ],
    "bool": [
        _comparison,
        _comparison,
        _comparison,
        _mixed_equality,
        _membership,
        _logic,
        _logic,
        _not,
        _if("bool"),
        _over_items("any", "bool"),
        _over_items("all", "bool"),
    ],
    "text": [_join, _if("text"), _over_items("min", "text"), _over_items("max", "text")],
    "date": [_make_date, _if("date"), _over_items("min", "date"), _over_items("max", "date")],
    "list": [_list, _if("list")],
    "record": [_record],
}


@st.composite
def expressions(draw: st.DrawFn, max_depth: int = 3) -> str:
    """Source text of a random expression of a random kind, at most ``max_depth`` levels deep."""
    kind = draw(st.sampled_from(["number"] * 4 + ["bool"] * 2 + ["text", "date", "list"]))
    return expression(draw, kind, draw(st.integers(1, max_depth)))


# --- the details of a problem --------------------------------------------------------


def detail_values() -> st.SearchStrategy[Any]:
    """Any value a problem's detail may hold: text (braces and percent signs included),
    numbers, Decimals, dates, None, and lists of them."""
    plain = st.one_of(
        st.text(max_size=12),
        st.sampled_from(["{", "}", "{x}", "%", "{{", "：", "%s"]),
        st.integers(),
        st.decimals(allow_nan=False, allow_infinity=False, places=3),
        st.dates(),
        st.none(),
        st.booleans(),
    )
    return st.one_of(plain, st.lists(plain, max_size=3))
