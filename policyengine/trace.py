"""Explanations: which rule made an output, from which values, under which article."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import PolicyError
from .model import Policy
from .numbers import engine_context
from .rules.base import plain
from .rules.base import show_value as _show
from .suggest import did_you_mean


def _rule_id(policy: Policy, name: str) -> str:
    rule_id = name.split(".", 1)[0]
    if name not in policy.output_names and name not in policy.plan:
        choices = [*policy.output_names, *policy.plan]
        raise PolicyError(
            f"no output named '{name}'",
            code="unknown-output",
            hint=did_you_mean(name, choices),
        )
    return rule_id


def trace(
    policy: Policy, env: Mapping[str, Any], details: Mapping[str, Mapping[str, Any]], name: str
) -> dict[str, Any]:
    """The explanation of one output as JSON-friendly data, with the rules it rests on."""
    rule_id = _rule_id(policy, name)
    value = env[rule_id]
    if "." in name:
        value = value[name.split(".", 1)[1]]
    return _trace_rule(policy, env, details, rule_id, name, value, set())


def _trace_rule(
    policy: Policy,
    env: Mapping[str, Any],
    details: Mapping[str, Mapping[str, Any]],
    rule_id: str,
    name: str,
    value: Any,
    seen: set[str],
) -> dict[str, Any]:
    seen.add(rule_id)
    rule = policy.rule(rule_id)
    reads = sorted(rule.reads)
    data: dict[str, Any] = {
        **_head(policy, rule, name, value, details.get(rule_id, {})),
        "inputs": {n: plain(env[n]) for n in reads if n in policy.inputs},
        "because": [
            _trace_rule(policy, env, details, n, n, env[n], seen)
            for n in reads
            if n in policy.plan and n not in seen
        ],
    }
    if "period" in reads and "period" in env:
        data["period"] = env["period"]["key"]
    return data


def explain(
    policy: Policy, env: Mapping[str, Any], details: Mapping[str, Mapping[str, Any]], name: str
) -> str:
    """The explanation of one output as text a person reads."""
    return "\n".join(_lines(trace(policy, env, details, name), 0))


def _lines(data: Mapping[str, Any], depth: int) -> list[str]:
    pad = "  " * depth
    title = f" «{data['title']}»" if data.get("title") else ""
    lines = [f"{pad}{data['output']} = {_show(data['value'])}"]
    lines.append(
        f"{pad}  rule '{data['rule']}' ({data['kind']}){title} "
        f"in {data['policy']} {data['version']}"
    )
    if data.get("source"):
        lines.append(f"{pad}  source: {data['source']}")
    lines.extend(f"{pad}  {line}" for line in _detail_lines(data["kind"], data["detail"]))
    for n, v in data["inputs"].items():
        lines.append(f"{pad}  input {n} = {_show(v)}")
    for n, p in data["parameters"].items():
        note = f" «{p['title']}»" if p.get("title") else ""
        src = f" [{p['source']}]" if p.get("source") else ""
        unit = f" {p['unit']}" if p.get("unit") else ""
        lines.append(f"{pad}  parameter {n} = {_show(p['value'])}{unit}{note}{src}")
    if "period" in data:
        lines.append(f"{pad}  period = {data['period']}")
    if data["because"]:
        lines.append(f"{pad}  because:")
    for sub in data["because"]:
        lines.extend(_lines(sub, depth + 2))
    return lines


def explainer(kind: str) -> Callable[[Mapping[str, Any]], list[str]] | None:
    """The kind's own explanation of its detail (each kind explains itself)."""
    from .rules import KINDS, POPULATION

    found = KINDS.get(kind) or POPULATION.get(kind)
    return found.explain if found is not None else None


def _detail_lines(kind: str, detail: Mapping[str, Any]) -> list[str]:
    if detail.get("given"):
        return ["given by the test case (a value other records or policies would give)"]
    lines: list[str] = []
    if "expression" in detail:
        lines.append(f"expression: {detail['expression']}")
    explain = explainer(kind)
    if explain is not None:
        lines.extend(explain(detail))
    if "clamped" in detail:
        lines.append(f"clamped to {detail['clamped']['to']} from {detail['clamped']['from']}")
    if "rounded" in detail:
        lines.append(f"rounded from {detail['rounded']['from']} ({detail['rounded']['by']})")
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


def render(data: Mapping[str, Any]) -> str:
    """An explanation (as :func:`trace` or :func:`trace_in_bundle` give it) as text."""
    return "\n".join(_lines(data, 0))


def trace_in_bundle(state: Any, kind: str, key: str, name: str) -> dict[str, Any]:
    """The explanation of one output of one record evaluated in a bundle."""
    rule_id = name.split(".", 1)[0]
    node = state.plan.node(kind, rule_id)
    outputs = [n for x in state.plan.nodes if x.kind == kind for n in x.rule.output_names]
    if node is None or (name not in outputs and name != rule_id):
        raise PolicyError(
            f"no output named '{name}' for {kind} records",
            code="unknown-output",
            hint=did_you_mean(name, outputs),
        )
    if key not in state.envs.get(kind, {}):
        raise PolicyError(
            f"no result for {kind} {key}",
            code="unknown-record",
            hint="the record is missing, or its facts were refused: see the run's errors",
        )
    failure = state.failures.get(kind, {}).get(key, {})
    if rule_id in failure or (failure and not state.by_value):
        error = failure.get(rule_id) or next(iter(failure.values()))
        raise PolicyError(
            f"{kind} {key} has no value for '{name}': {error.code}",
            code="failed-value",
            hint="the run's errors name the root cause",
            details={"error": error.to_dict()},
        )
    value = state.envs[kind][key][rule_id]
    if "." in name:
        value = value[name.split(".", 1)[1]]
    return _bundle_rule(state, node, key, name, value, set())


def _detail(state: Any, node: Any, key: str) -> Mapping[str, Any]:
    """How a rule reached its value for one record: kept for population rules;
    for a record rule, computed now by evaluating it once more with a detail."""
    stored = state.details.get((node.kind, key, node.rule.id))
    if stored is not None:
        return dict(stored)
    code = node.policy.program.rules.get(node.rule.id)
    if code is None:
        return {}
    detail: dict[str, Any] = {}
    with engine_context():
        code(state.scope(node.kind, key), detail)
    return detail


def _bundle_rule(
    state: Any, node: Any, key: str, name: str, value: Any, seen: set[tuple[str, str, str]]
) -> dict[str, Any]:
    kind, rule, policy = node.kind, node.rule, node.policy
    seen.add((kind, key, rule.id))
    env = state.envs[kind][key]
    fields = state.plan.entities.kinds[kind].fields
    reads = sorted(rule.reads)
    because = []
    for read in rule.reads_from:
        wanted = read.kind or kind
        upstream = state.plan.node(wanted, read.name)
        if upstream is None:
            continue
        at = key if wanted == kind else state.ancestor(kind, key, wanted)
        if at is None or (wanted, at, read.name) in seen or at not in state.envs[wanted]:
            continue
        label = read.name if wanted == kind else f"{wanted} {at}: {read.name}"
        upstream_value = state.envs[wanted][at].get(read.name)
        because.append(_bundle_rule(state, upstream, at, label, upstream_value, seen))
    data: dict[str, Any] = {
        **_head(policy, rule, name, value, _detail(state, node, key)),
        "record": {"kind": kind, "key": key},
        "inputs": {n: plain(env[n]) for n in reads if n in fields and n in env},
        "because": because,
    }
    if "period" in reads:
        data["period"] = state.period.key
    return data
