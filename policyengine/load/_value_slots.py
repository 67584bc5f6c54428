"""The values a policy writes into its bands, rows and parameters, as written.

Three slips load and then pay wrongly, or fail every record at run time:

- **A rate written as a plain number.** ``value: 3.8`` meant for 3.8% is
  read as 3.8, 380%, and pays a hundred times over. A *rate slot* is a
  graduated band's value (it multiplies the part of the amount in the
  band), a value of a flat band or a table row named as a rate (``rate``,
  ``…_rate``, ``…率``, ``…比例``: the rule's id, or the named value), and
  one whose column holds rates: another band or row writes it as a
  percentage; and a parameter named as a rate or whose ``unit`` is ``%``.
  A coefficient or a count of months named otherwise may well be over 1
  and is left alone. A bare number over 1 in a rate slot is refused
  (``rate-without-percent``), with the percentage to write.
- **Text where a name was meant.** ``then: band.base`` is the text
  "band.base", as it always was; a value that is exactly the name of an
  input, parameter, rule or rule's named value is refused
  (``text-is-a-name``): a table computes it with ``{expr: band.base}``.
- **A number written in words.** ``百分之三点八`` or ``三千`` is text: it loads,
  and every record that reaches it fails. Text made only of Chinese number
  words is refused (``not-a-number``) in a band's or row's value and in a
  parameter, with the digits to write.

The reader keeps how each value was written (``3.8`` a number, ``3.8%``
text), which the built rule no longer says; so these checks read the
document's data at each rule's pointer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ..core._numbers import is_number
from ..core._problems import Problems
from ..model import Parameter, Rule
from ..read._source_map import pointer_part
from ..rules import KINDS
from ..rules.table import computed
from ._slip_checks import slips_checked

#: Text made only of Chinese number words: 百分之三点八, 三千五百, 负二.
_NUMBER_WORDS = re.compile(r"负?(百分之)?[零〇一二两三四五六七八九十百千万亿点]+")
#: A value named as a rate: ``rate``, ``commission_rate``, ``band.rate``, ``提成比例``, ``费率``.
_RATE_NAME = re.compile(r"(\brate|_rate|率|比例)$")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def check_value_slots(
    data: Any,
    rules: Mapping[str, Rule],
    parameters: Mapping[str, Parameter],
    names: frozenset[str],
    problems: Problems,
) -> None:
    """Report rates written as plain numbers over 1, numbers written in Chinese words, and
    text that is exactly one of ``names`` (what an expression of the policy may read);
    none of them while a replay rebuilds a recorded run (see ``_slip_checks``)."""
    if not slips_checked():
        return
    data = data if isinstance(data, Mapping) else {}
    declared = data.get("parameters")
    for name, parameter in parameters.items():
        at = f"/parameters/{pointer_part(name)}"
        written = declared.get(name) if isinstance(declared, Mapping) else None
        if isinstance(written, Mapping):
            at += "/value"
            written = written.get("value")
        _words(problems, at, parameter.value, None)
        if _RATE_NAME.search(name) is not None or parameter.unit in ("%", "％"):
            _rates(problems, None, [(at, written)], True)
    raw_rules = data.get("rules")
    for rule in rules.values():
        index = int(rule.pointer.rpartition("/")[2])
        raw = raw_rules[index] if isinstance(raw_rules, list) else None
        if not isinstance(raw, Mapping):
            continue
        for name, written, graduated, computes in _slots(rule, raw):
            as_rate = graduated or _RATE_NAME.search(rule.id + name) is not None
            _rates(problems, rule.id, written, as_rate)
            for at, value in written:
                _words(problems, at, value, rule.id)
                if isinstance(value, str) and value.strip() in names:
                    # Its hint: a table computes a value; another kind's says to use one.
                    form = "table" if computes else "tiers"
                    problems.add(
                        "text-is-a-name", at, form=form, rule_id=rule.id, value=value.strip()
                    )


#: Where each value of one slot is written, and the value as written.
Written = list[tuple[str, Any]]


def _slots(rule: Rule, raw: Mapping[str, Any]) -> Iterable[tuple[str, Written, bool, bool]]:
    """Each value slot of a rule whose kind writes values (``RuleKind.written``: tiers,
    table): its name as read after the rule's id (``""``, ``".rate"``), its values, whether
    they are rates, and whether the kind may compute a value.

    A slot is the one value of every band or row, or one named value of each."""
    kind = KINDS.get(rule.kind)
    found = None if kind is None or rule.spec is None else kind.written(rule.spec, raw)
    if found is None:
        return
    items, graduated, computes = found.items, found.rates, found.computed
    names = sorted({n for _, v in items if isinstance(v, Mapping) and not computed(v) for n in v})
    base = rule.pointer
    if not names:
        yield "", [(base + at, value) for at, value in items], graduated, computes
    for name in names:
        written = [
            (f"{base}{at}/{pointer_part(name)}", value[name])
            for at, value in items
            if isinstance(value, Mapping) and name in value and not computed(value[name])
        ]
        yield "." + name, written, graduated, computes


def _percent(value: Any) -> bool:
    return isinstance(value, str) and value.strip().endswith("%")


def _rates(problems: Problems, rule_id: str | None, written: Written, as_rate: bool) -> None:
    """A bare number over 1 where the slot holds rates; and, among values written as
    percentages, a bare fraction ten times their scale (``0.35`` beside ``3%`` and ``4%``
    is read as 35%: the decimal point slipped, 3.5% was meant)."""
    percentages = [_percent_of(value) for _, value in written if _percent(value)]
    if not as_rate and not percentages:
        return
    for at, value in written:
        number = value if is_number(value) and not isinstance(value, bool) else None
        if number is None:
            continue
        percent = Decimal(number) * 100
        shown = format(percent.normalize(), "f")
        if Decimal(number) > 1:
            problems.add("rate-without-percent", at, form="rate" if as_rate else "",
                         rule_id=rule_id, value=str(number), percent=shown)  # fmt: skip
        elif _slipped(percent, percentages):
            tenth = format((percent / 10).normalize(), "f")
            others = ", ".join(f"{format(p.normalize(), 'f')}%" for p in percentages)
            problems.add("rate-without-percent", at, form="tenfold", rule_id=rule_id,
                         value=str(number), percent=shown, tenth=tenth, others=others)  # fmt: skip


#: How far from the percentages beside it a value may be and still be of their scale.
_SCALE = 3


def _slipped(percent: Decimal, percentages: list[Decimal]) -> bool:
    """Whether ``percent`` is far from every one of ``percentages`` but a tenth of it is
    near one: a fraction whose decimal point slipped one place."""
    given = [p for p in percentages if p > 0]
    if percent <= 0 or not given:
        return False

    def near(value: Decimal) -> bool:
        return any(max(value, p) <= _SCALE * min(value, p) for p in given)

    return not near(percent) and near(percent / 10)


def _percent_of(value: str) -> Decimal:
    """The number of a value written as a percentage (``3.5%``: 3.5); 0 when it is none."""
    try:
        return Decimal(value.strip()[:-1].strip())
    except ArithmeticError:
        return Decimal(0)


def _words(problems: Problems, at: str, value: Any, rule_id: str | None) -> None:
    """Text that is only Chinese number words, where a value is given."""
    if not isinstance(value, str) or _NUMBER_WORDS.fullmatch(value.strip()) is None:
        return
    problems.add(
        "not-a-number",
        at,
        form="number-words",
        rule_id=rule_id,
        value=value,
        digits=_in_digits(value.strip()),
    )


def _in_digits(text: str) -> str:
    """百分之三点八 as 3.8%, 三千五百 as 3500; ``?`` where the words are no number."""
    sign = "-" if text.startswith("负") else ""
    text = text.removeprefix("负")
    percent = "%" if text.startswith("百分之") else ""
    text = text.removeprefix("百分之")
    whole, _, fraction = text.partition("点")
    if any(c not in _DIGITS for c in fraction) or "点" in fraction:
        return "?"
    if whole and all(c in _DIGITS for c in whole):  # 三八 read digit by digit
        number: int | None = int("".join(str(_DIGITS[c]) for c in whole))
    else:
        number = _whole(whole) if whole else 0
    if number is None:
        return "?"
    decimals = "".join(str(_DIGITS[c]) for c in fraction)
    return f"{sign}{number}{'.' + decimals if decimals else ''}{percent}"


def _whole(text: str) -> int | None:
    """A whole number in Chinese words (三千五百, 十二, 一万零五), or None."""
    total = section = digit = 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in ("万", "亿"):
            total += (section + digit) * _UNITS[char]
            section = digit = 0
        elif char in _UNITS:
            section += (digit or 1) * _UNITS[char]
            digit = 0
        else:
            return None
    return total + section + digit
