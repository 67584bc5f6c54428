"""Explanations: which rule made an output, from which values, under which article."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..core._display import plain
from ..core._display import show_value as _show
from ..core._messages import Catalogue
from ..core._numbers import engine_context
from ..core._suggest import did_you_mean
from ..core._text_templates import Saying, saying
from ..errors import UsageError
from ..model import Policy, Rule
from ._lookup import check_output
from ._run_state import past_reads


def _rule_id(policy: Policy, name: str) -> str:
    if not isinstance(name, str):  # explain(None), explain(3): no output is so named
        name = repr(name)
    rule_id = name.split(".", 1)[0]
    if name not in policy.output_names and name not in policy.plan:
        choices = [*policy.output_names, *policy.plan]
        raise UsageError(
            f"no output named '{name}'",
            code="unknown-output",
            hint=did_you_mean(name, choices),
        )
    return rule_id


class _Reader(Protocol):
    """What the one trace walker asks of what was evaluated: one policy's record, or a
    bundle's month. Each answers for a (kind, key) record and a rule of it."""

    def env(self, kind: str, key: str) -> Mapping[str, Any]: ...

    def detail(self, policy: Policy, rule: Rule, kind: str, key: str) -> Mapping[str, Any]: ...

    def upstream(
        self, policy: Policy, rule: Rule, kind: str, key: str
    ) -> list[tuple[Policy, Rule, str, str, str]]: ...

    def inputs(self, kind: str, reads: list[str]) -> set[str]: ...

    def period(self, kind: str, key: str) -> str | None: ...

    def record(self, kind: str, key: str) -> dict[str, Any] | None: ...


#: How deep an explanation goes, and how many values it explains in full. A chain of
#: 600 rules made 2.9 MB of text (each level indented further) and a longer one ran out
#: of stack; past either bound a value is named with its figure, and explaining that
#: value continues from it.
MAX_DEPTH = 24
MAX_VALUES = 400


class _Walk:
    """What one explanation has covered so far: the values explained, and how many."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str, str]] = set()
        self.explained = 0


def _walk(
    reader: _Reader,
    policy: Policy,
    rule: Rule,
    kind: str,
    key: str,
    name: str,
    value: Any,
    walk: _Walk,
    depth: int = 0,
) -> dict[str, Any]:
    """The one trace walker: a rule's explanation, then those of the rules it read."""
    walk.seen.add((kind, key, rule.id))
    walk.explained += 1
    env = reader.env(kind, key)
    reads = sorted(rule.reads)
    because = []
    for up_policy, up_rule, up_kind, up_key, label in reader.upstream(policy, rule, kind, key):
        if (up_kind, up_key, up_rule.id) in walk.seen:
            continue
        up_value = reader.env(up_kind, up_key).get(up_rule.id)
        if depth + 1 >= MAX_DEPTH or walk.explained >= MAX_VALUES:
            because.append(_cut(up_policy, up_rule, label, up_value))
            continue
        because.append(
            _walk(reader, up_policy, up_rule, up_kind, up_key, label, up_value, walk, depth + 1)
        )
    data: dict[str, Any] = _head(policy, rule, name, value, reader.detail(policy, rule, kind, key))
    record = reader.record(kind, key)
    if record is not None:
        data["record"] = record
    wanted = reader.inputs(kind, reads)
    data["inputs"] = {n: plain(env[n]) for n in reads if n in wanted and n in env}
    data["because"] = because
    if "period" in reads:
        period = reader.period(kind, key)
        if period is not None:
            data["period"] = period
    return data


class _OneRecord:
    """One policy's record (a :class:`~policyengine.engine.Result`) as the walker reads it."""

    def __init__(
        self, policy: Policy, env: Mapping[str, Any], details: Mapping[str, Mapping[str, Any]]
    ) -> None:
        self.policy, self._env, self._details = policy, env, details

    def env(self, kind: str, key: str) -> Mapping[str, Any]:
        return self._env

    def detail(self, policy: Policy, rule: Rule, kind: str, key: str) -> Mapping[str, Any]:
        return self._details.get(rule.id, {})

    def upstream(
        self, policy: Policy, rule: Rule, kind: str, key: str
    ) -> list[tuple[Policy, Rule, str, str, str]]:
        return [
            (policy, policy.rule(n), kind, key, n)
            for n in sorted(rule.reads)
            if n in policy.plan and n in self._env
        ]

    def inputs(self, kind: str, reads: list[str]) -> set[str]:
        # Another policy's values the record brought are read as its inputs are.
        given = {name for name in self.policy.given_names if name in self._env}
        return set(self.policy.inputs) | given

    def period(self, kind: str, key: str) -> str | None:
        period = self._env.get("period")
        return str(period["key"]) if period is not None else None

    def record(self, kind: str, key: str) -> dict[str, Any] | None:
        return None


def trace(
    policy: Policy, env: Mapping[str, Any], details: Mapping[str, Mapping[str, Any]], name: str
) -> dict[str, Any]:
    """The explanation of one output as JSON-friendly data, with the rules it rests on."""
    rule_id = _rule_id(policy, name)
    value = env[rule_id]
    if "." in name:
        value = value[name.split(".", 1)[1]]
    reader = _OneRecord(policy, env, details)
    return _walk(reader, policy, policy.rule(rule_id), "", "", name, value, _Walk())


def explain(
    policy: Policy,
    env: Mapping[str, Any],
    details: Mapping[str, Mapping[str, Any]],
    name: str,
    catalogue: Catalogue | None = None,
) -> str:
    """The explanation of one output as text a person reads, in ``catalogue``'s language."""
    return render(trace(policy, env, details, name), catalogue)


def _cut(policy: Policy, rule: Rule, name: str, value: Any) -> dict[str, Any]:
    """A value the explanation names but does not explain (past its bounds)."""
    return {
        "output": name,
        "value": plain(value),
        "rule": rule.id,
        "kind": rule.kind,
        "policy": policy.id,
        "version": policy.version,
        "cut": True,
    }


def _lines(data: Mapping[str, Any], depth: int, said: Saying) -> list[str]:
    pad = "  " * depth
    head = pad + said("trace-value", output=data["output"], value=_show(data["value"]))
    if data.get("cut"):
        words = {k: data[k] for k in ("rule", "policy", "version", "output")}
        return [head, f"{pad}  " + said("trace-cut", **words)]
    title = f" «{data['title']}»" if data.get("title") else ""
    words = {k: data[k] for k in ("rule", "kind", "policy", "version")}
    lines = [head, f"{pad}  " + said("trace-rule", title=title, **words)]
    if data.get("source"):
        lines.append(f"{pad}  " + said("trace-source", source=data["source"]))
    lines.extend(f"{pad}  {line}" for line in _detail_lines(data["kind"], data["detail"], said))
    for n, v in data["inputs"].items():
        lines.append(f"{pad}  " + said("trace-input", name=n, value=_show(v)))
    for n, v in data["detail"].get("previous", {}).items():
        lines.append(f"{pad}  " + said("trace-previous", name=n, value=_show(v)))
    for n, p in data["parameters"].items():
        note = f" «{p['title']}»" if p.get("title") else ""
        src = f" [{p['source']}]" if p.get("source") else ""
        unit = f" {p['unit']}" if p.get("unit") else ""
        shown = {"value": _show(p["value"]), "unit": unit, "title": note, "source": src}
        lines.append(f"{pad}  " + said("trace-parameter", name=n, **shown))
    if "period" in data:
        lines.append(f"{pad}  " + said("trace-period", period=data["period"]))
    if data["because"]:
        lines.append(f"{pad}  " + said("trace-because"))
    for sub in data["because"]:
        lines.extend(_lines(sub, depth + 2, said))
    return lines


def explainer(kind: str) -> Callable[..., list[str]] | None:
    """The kind's own explanation of its detail (each kind explains itself)."""
    from ..rules import kind_of

    found = kind_of(kind)
    return found.explain if found is not None else None


@functools.cache
def _takes_said(explain: Callable[..., list[str]]) -> bool:
    """Whether a kind's ``explain`` takes ``said`` after the detail."""
    try:
        return len(inspect.signature(explain).parameters) >= 2
    except (TypeError, ValueError):  # no signature to read: called as the protocol began
        return False


def _detail_lines(kind: str, detail: Mapping[str, Any], said: Saying) -> list[str]:
    if detail.get("given"):
        return [said("trace-given")]
    lines: list[str] = []
    if "expression" in detail:
        lines.append(said("trace-expression", expression=detail["expression"]))
    explain = explainer(kind)
    if explain is not None:
        # A kind says its lines through ``said`` (in the reader's language); one that takes
        # only the detail (a kind registered from outside) says its own words.
        lines.extend(explain(detail, said) if _takes_said(explain) else explain(detail))
    if "clamped" in detail:
        clamped = detail["clamped"]
        if "at" in clamped:  # the bound's value, as the rule's min or max gave it
            words = {"to": clamped["to"], "start": clamped["from"], "at": clamped["at"]}
            lines.append(said("trace-clamped-at", **words))
        else:
            lines.append(said("trace-clamped", to=clamped["to"], start=clamped["from"]))
    if "rounded" in detail:
        rounded = detail["rounded"]
        lines.append(said("trace-rounded", start=rounded["from"], by=rounded["by"]))
    return lines


def _head(
    policy: Policy, rule: Any, name: str, value: Any, detail: Mapping[str, Any]
) -> dict[str, Any]:
    """What every explanation says of a rule: what it gave, what it is, where it comes from."""
    return {
        "output": name,
        "value": plain(value),
        "rule": rule.id,
        "kind": rule.kind,
        "title": rule.title,
        "source": rule.source,
        "policy": policy.id,
        "version": policy.version,
        "parameters": _parameters(policy, sorted(rule.reads)),
        "detail": plain(detail),
    }


def _parameters(policy: Policy, reads: list[str]) -> dict[str, Any]:
    """The parameters a rule reads, with what an explanation shows of each."""
    return {
        n: {"value": plain(p.value), "title": p.title, "unit": p.unit, "source": p.source}
        for n in reads
        if (p := policy.parameters.get(n)) is not None
    }


def render(data: Mapping[str, Any], catalogue: Catalogue | None = None) -> str:
    """An explanation (as :func:`trace` or :func:`trace_in_bundle` give it) as text, in
    ``catalogue``'s language (English without one)."""
    return "\n".join(_lines(data, 0, saying(catalogue)))


def trace_in_bundle(state: Any, kind: str, key: str, name: str) -> dict[str, Any]:
    """The explanation of one output of one record evaluated in a bundle."""
    check_output(state, kind, name)
    rule_id = name.split(".", 1)[0]
    node = state.plan.node(kind, rule_id)
    if key not in state.envs.get(kind, {}):
        raise UsageError(
            f"no result for {kind} {key}",
            code="unknown-record",
            hint="the record is missing, or its facts were refused: see the run's errors",
        )
    failure = state.failures.get(kind, {}).get(key, {})
    if rule_id in failure or (failure and not state.by_value):
        error = failure.get(rule_id) or next(iter(failure.values()))
        raise UsageError(
            f"{kind} {key} has no value for '{name}': {error.code}",
            code="failed-value",
            hint="the run's errors name the root cause",
            details={"error": error.to_dict()},
        )
    value = state.envs[kind][key][rule_id]
    if "." in name:
        value = value[name.split(".", 1)[1]]
    return _walk(_Month(state), node.policy, node.rule, kind, key, name, value, _Walk())


class _Month:
    """A bundle's month (the runner's state) as the walker reads it."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def env(self, kind: str, key: str) -> Mapping[str, Any]:
        return self.state.envs[kind][key]  # type: ignore[no-any-return]

    def detail(self, policy: Policy, rule: Rule, kind: str, key: str) -> Mapping[str, Any]:
        """Kept for population rules; for a record rule, computed now by evaluating it
        once more with a detail."""
        stored = self.state.details.get((kind, key, rule.id))
        if stored is not None:
            return dict(stored)
        code = policy.program.rules.get(rule.id)
        if code is None:
            return {}
        detail: dict[str, Any] = {}
        past = past_reads(rule.expressions)
        with engine_context():
            scope = self.state.with_past(kind, key, past, self.state.scope(kind, key))
            code(scope, detail)
        if past:  # previous(name): the values of last month the rule read
            detail["previous"] = {
                name: plain(scope[read_as]) for read_as, (name, _) in past.items()
            }
        return detail

    def upstream(
        self, policy: Policy, rule: Rule, kind: str, key: str
    ) -> list[tuple[Policy, Rule, str, str, str]]:
        state, found = self.state, []
        for read in rule.reads_from:
            wanted = read.kind or kind
            node = state.plan.node(wanted, read.name)
            if node is None:
                continue
            at = key if wanted == kind else state.ancestor(kind, key, wanted)
            if at is None or at not in state.envs[wanted]:
                continue
            label = read.name if wanted == kind else f"{wanted} {at}: {read.name}"
            found.append((node.policy, node.rule, wanted, at, label))
        return found

    def inputs(self, kind: str, reads: list[str]) -> set[str]:
        return set(self.state.plan.entities.kinds[kind].fields)

    def period(self, kind: str, key: str) -> str | None:
        return str(self.state.period.key)

    def record(self, kind: str, key: str) -> dict[str, Any] | None:
        return {"kind": kind, "key": key}
