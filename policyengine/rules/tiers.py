"""``tiers``: a value from half-open bands ``[from, to)``, flat or graduated.

``flat`` gives the value of the band the amount reaches (one number, or
several named values such as a rate and a base salary). ``graduated``
charges each band's rate on the part of the amount inside that band and adds
the parts up (a marginal scale). Bands must be sorted, contiguous and
non-overlapping; only the last may leave ``to`` open.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._numbers import is_number
from ..core._text_templates import ENGLISH, Saying
from ..errors import EvaluationError
from ..language._expressions import Expression
from ..language._fused_source import GIVE_UP, FusedSource
from ..language._value_kinds import fail
from ..model import Rounding
from .base import (
    Built,
    Code,
    CodeOf,
    Detail,
    Emitted,
    RuleCode,
    RuleContext,
    RuleKind,
    TypeReader,
    ValueType,
    WrittenValues,
    emitted_constants,
)
from .formula import clamp_and_round


@attrs.frozen
class Band:
    low: Decimal
    high: Decimal | None
    value: Any
    title: str | None = None

    def holds(self, amount: Decimal | int) -> bool:
        return self.low <= amount and (self.high is None or amount < self.high)

    def label(self) -> str:
        return f"[{self.low}, {'∞' if self.high is None else self.high})"


@attrs.frozen
class Tiers:
    of: Expression
    mode: str
    bands: tuple[Band, ...]
    rounding: Rounding | None = None


def build(ctx: RuleContext) -> Built | None:
    raw = ctx.raw
    of = ctx.expr("/of", raw["of"])
    mode = raw["mode"]
    rounding = ctx.rounding("/round", raw.get("round"))
    bands: list[Band] = []
    for index, item in enumerate(raw["bands"]):
        at = f"/bands/{index}"
        low = ctx.number(at + "/from", item["from"])
        high = ctx.number(at + "/to", item["to"]) if "to" in item else None
        value = ctx.literal(at + "/value", item["value"])
        if low is None or ("to" in item and high is None):
            return None
        bands.append(Band(low, high, value, item.get("title")))
    if not _check_bands(ctx, bands):
        return None
    outputs: tuple[str, ...] = ()
    first = bands[0].value
    if isinstance(first, Mapping):
        outputs = tuple(first)
        for index, band in enumerate(bands):
            names = tuple(band.value) if isinstance(band.value, Mapping) else ()
            if names != outputs:
                at, first = f"/bands/{index}/value", ", ".join(outputs)
                if names:
                    outs = ", ".join(names)
                    ctx.add("band-values-differ", at, band=index + 1, outputs=outs, first=first)
                else:
                    ctx.add("band-values-differ", at, form="one-value", band=index + 1, first=first)
                return None
    if mode == "graduated":
        for index, band in enumerate(bands):
            if not is_number(band.value):
                if not ctx.reported(f"/bands/{index}/value"):  # '4％': said as not-a-number
                    ctx.add("graduated-needs-rates", f"/bands/{index}/value")
                return None
    elif rounding is not None and not all(is_number(band.value) for band in bands):
        ctx.add("bad-rounding", "/round", form="bands")
        return None
    if of is None:
        return None
    return Built(Tiers(of, mode, tuple(bands), rounding), outputs)


def _check_bands(ctx: RuleContext, bands: list[Band]) -> bool:
    ok = True
    for index, band in enumerate(bands):
        at = f"/bands/{index}"
        if band.high is not None and band.high <= band.low:
            ctx.add("empty-band", at + "/to", band=index + 1, low=band.low, high=band.high)
            ok = False
        if index + 1 < len(bands):
            following = bands[index + 1]
            if band.high is None:
                ctx.add("open-band-not-last", at, band=index + 1)
                ok = False
            elif following.low < band.high:
                ctx.add(
                    "overlapping-bands",
                    f"/bands/{index + 1}/from",
                    band=index + 2,
                    start=following.low,
                    previous=index + 1,
                    bounds=band.label(),
                    end=band.high,
                )
                ok = False
            elif following.low > band.high:
                ctx.add(
                    "gap-between-bands",
                    f"/bands/{index + 1}/from",
                    end=band.high,
                    start=following.low,
                    previous=index + 1,
                    band=index + 2,
                )
                ok = False
    return ok


def _below(amount: Any, first: Band) -> EvaluationError:
    return fail("below-bands", "", {"amount": amount, "low": first.low})


def _above(amount: Any, last: Band, at: str) -> EvaluationError:
    """``amount`` past the last band: ``at or above`` its end (form ``at``), or ``above``."""
    return fail(
        "above-bands", "at" if at == "at or above" else "", {"amount": amount, "high": last.high}
    )


def _amount(of: Code, env: Any, spec: Tiers, detail: Detail) -> Any:
    amount = of(env)
    kind = type(amount)
    if kind is not Decimal and kind is not int and not is_number(amount):
        raise fail("type-mismatch", "tiers", {"value": repr(amount)})
    if detail is not None:
        detail.update({"of": spec.of.source, "amount": amount, "mode": spec.mode})
    first = spec.bands[0]
    if amount < first.low:
        raise _below(amount, first)
    return amount


def compile_rule(spec: Tiers, code_of: CodeOf) -> RuleCode:
    of = code_of(spec.of)
    return (_flat if spec.mode == "flat" else _graduated)(spec, of)


def _flat(spec: Tiers, of: Code) -> RuleCode:
    # A flat band's value is a constant: rounded once, here, not per record.
    rounded = [clamp_and_round(b.value, spec.rounding, None, None, None) for b in spec.bands]
    bands = [(b.low, b.high, value) for b, value in zip(spec.bands, rounded, strict=True)]
    open_end = spec.bands[-1].high is None
    uppers = [high for _, high, _ in bands]

    def value_of(env: Any, detail: Detail = None) -> Any:
        amount = _amount(of, env, spec, detail)
        # Bands are contiguous from the first 'from': the first upper bound
        # above the amount names the band.
        for index, high in enumerate(uppers):
            if high is None or amount < high:
                if detail is not None:
                    band = spec.bands[index]
                    detail["band"] = {
                        "number": index + 1,
                        "range": band.label(),
                        "title": band.title,
                    }
                    return clamp_and_round(band.value, spec.rounding, None, None, detail)
                return bands[index][2]
        assert not open_end
        raise _above(amount, spec.bands[-1], "at or above")

    return value_of


def _graduated(spec: Tiers, of: Code) -> RuleCode:
    last = spec.bands[-1]

    def value_of(env: Any, detail: Detail = None) -> Any:
        amount = _amount(of, env, spec, detail)
        total = Decimal(0)
        parts = []
        for index, band in enumerate(spec.bands):
            if amount <= band.low:
                break
            top = amount if band.high is None else min(amount, band.high)
            part = (top - band.low) * band.value
            total += part
            if detail is not None:
                parts.append(
                    {
                        "number": index + 1,
                        "range": band.label(),
                        "portion": top - band.low,
                        "rate": band.value,
                        "amount": part,
                    }
                )
        if last.high is not None and amount > last.high:
            raise _above(amount, last, "above")
        if detail is not None:
            detail["parts"] = parts
        return clamp_and_round(total, spec.rounding, None, None, detail)

    return value_of


def explain(detail: Mapping[str, Any], said: Saying = ENGLISH) -> list[str]:
    """What the trace says of how this kind reached its value."""
    lines: list[str] = []
    lines.append(said("tiers-on", mode=detail["mode"], of=detail["of"], amount=detail["amount"]))
    if "band" in detail:
        band = detail["band"]
        label = f" «{band['title']}»" if band.get("title") else ""
        lines.append(said("tiers-band", number=band["number"], range=band["range"], title=label))
    for part in detail.get("parts", []):
        words = {k: part[k] for k in ("number", "range", "portion", "rate", "amount")}
        lines.append(said("tiers-part", **words))
    return lines


def emit(spec: Tiers, source: FusedSource, target: str) -> Emitted:
    """The tiers inline: the amount checked as ``_amount`` does, then an if-chain over
    the checked bands (flat) or each band's part added up (graduated). An amount
    below the first band or beyond the last gives up: the rule-by-rule path says so."""
    amount = source.local()
    lines = [f"{amount} = {source.value(spec.of)}", *source.number(amount, source.kind(spec.of))]
    lines.append(f"if {amount} < {source.constant(spec.bands[0].low)}: {GIVE_UP}")
    if spec.mode == "flat":
        return _emit_flat(spec, source, target, amount, lines)
    return _emit_graduated(spec, source, target, amount, lines)


def _emit_flat(
    spec: Tiers, source: FusedSource, target: str, amount: str, lines: list[str]
) -> Emitted:
    # The values compile_rule gives: each band's constant, rounded once.
    values = [clamp_and_round(b.value, spec.rounding, None, None, None) for b in spec.bands]
    for index, (band, value) in enumerate(zip(spec.bands, values, strict=True)):
        test = "if" if index == 0 else "elif"
        if band.high is None:  # only the last band is open
            lines += ["else:" if index else "if True:", f"    {target} = {source.constant(value)}"]
            return emitted_constants(lines, values)
        lines.append(f"{test} {amount} < {source.constant(band.high)}:")
        lines.append(f"    {target} = {source.constant(value)}")
    lines += ["else:", f"    {GIVE_UP}"]
    return emitted_constants(lines, values)


def _emit_graduated(
    spec: Tiers, source: FusedSource, target: str, amount: str, lines: list[str]
) -> Emitted:
    # Each band's part in order from 0, as _graduated adds them: (top - low) * rate,
    # top being min(amount, high); a band the amount does not pass adds nothing.
    total = source.local()
    lines.append(f"{total} = _D0")
    for band in spec.bands:
        low, rate = source.constant(band.low), source.constant(band.value)
        lines.append(f"if {amount} > {low}:")
        if band.high is None:
            lines.append(f"    {total} = {total} + ({amount} - {low}) * {rate}")
        else:
            high = source.constant(band.high)
            top = f"({high} if {high} < {amount} else {amount})"
            lines.append(f"    {total} = {total} + ({top} - {low}) * {rate}")
    last = spec.bands[-1]
    if last.high is not None:
        lines.append(f"if {amount} > {source.constant(last.high)}: {GIVE_UP}")
    if spec.rounding is None:
        lines.append(f"{target} = {total}")
    else:
        lines.append(
            f"{target} = {source.rounded(total, spec.rounding.places, spec.rounding.mode)}"
        )
    return Emitted(tuple(lines), "number", exact=Decimal)


def value_type(spec: Tiers, types: TypeReader) -> ValueType:
    """Graduated bands charge rates on an amount: money when the amount is money; flat
    bands give the values written in them."""
    if spec.mode == "graduated":
        return "money" if types.of(spec.of) == "money" else None
    return types.written([band.value for band in spec.bands])


def written(spec: Tiers, raw: Mapping[str, Any]) -> WrittenValues:
    """The bands' values as written; a graduated band's is a rate."""
    items = tuple((f"/bands/{i}/value", band.get("value")) for i, band in enumerate(raw["bands"]))
    return WrittenValues(items, rates=spec.mode == "graduated")


KIND = RuleKind("tiers", build, compile_rule, explain, emit, value_type, written=written)
