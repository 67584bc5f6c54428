"""Replay: recompute a past run or month and compare it with what was recorded or paid.

- :func:`replay_run` rebuilds a ledger run from the policy bytes and inputs
  the ledger stored (the files may be long gone from ``policies/``) and
  checks the outputs come out byte for byte the same.
- :func:`compare_paid` sets a month's recomputed amounts against what was
  actually paid (a CSV from payroll) and lists every difference beyond the
  tolerance, each with the explanation of the recomputed amount.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ..core import _number_text as number_text
from ..core._display import plain
from ..core._messages import Catalogue
from ..core._numbers import difference, is_number
from ..core._packed import raw
from ..core._period import Period
from ..core._suggest import did_you_mean
from ..core._text_templates import saying
from ..errors import FactsFileError, InvalidPolicy, Location, PolicyError
from ..facts._canonical import canonical_json
from ..facts._entities_file import build_entities
from ..facts._inputs import split_inputs
from ..load._build import build_policy
from ..load._slip_checks import slips_not_checked
from ..read._source import read_policy_bytes
from ..run._bundle import BundleResult, evaluate_bundle
from ..run._repository import Bundle, Version
from ._history import history_from_ledger, read_history
from ._stored_outputs import stored_outputs
from ._what_if import WHAT_IF
from .ledger import Ledger, PolicyBlob, RunRecord, StoredRun

__all__ = [
    "ENTITIES_BLOB",
    "Discrepancy",
    "PaidFile",
    "RunReplay",
    "bundle_of",
    "compare_paid",
    "history_from_ledger",
    "read_history",
    "read_paid",
    "replay_run",
    "run_record",
    "summary",
]

#: The name entities.yaml is stored under among a run's policy files.
ENTITIES_BLOB = "entities.yaml"


def run_record(
    result: BundleResult, label: str = "", what_if: Mapping[str, Any] | None = None
) -> RunRecord:
    """What the ledger keeps of a bundle result: policy bytes, inputs, outputs (the policy
    files its errors name relative to their folder: :mod:`._stored_outputs`), provenance
    (with the run's what-if mark, when it has one: see :mod:`._what_if`)."""
    blobs = tuple(
        PolicyBlob(v.id, v.version, v.sha256, _bytes_of(v)) for v in result.bundle.versions
    )
    entities = result.bundle.entities
    if entities is not None:
        # The record kinds are part of what produced the amounts: kept like a policy.
        blobs += (PolicyBlob(ENTITIES_BLOB, "", entities.sha256, entities.raw),)
    return RunRecord(
        period=result.bundle.period.key,
        as_known_at=result.bundle.as_known_at.isoformat() if result.bundle.as_known_at else None,
        policies=blobs,
        inputs=result.packed_inputs.document,
        outputs=stored_outputs(result),
        provenance=canonical_json(_marked(result.provenance.to_dict(), what_if)),
        label=label,
    )


def _marked(provenance: dict[str, Any], what_if: Mapping[str, Any] | None) -> dict[str, Any]:
    return provenance if what_if is None else {**provenance, WHAT_IF: dict(what_if)}


def _bytes_of(version: Version) -> bytes:
    # The policy was built from these exact bytes; reading the file again
    # could see a later edit, so the bytes travel with the model.
    return version.policy.raw


@attrs.frozen
class RunReplay:
    """The outcome of replaying one ledger run."""

    run_id: int
    identical: bool
    recorded_engine: str
    replayed: BundleResult
    first_difference: str | None = None


def _recorded_folder(stored: StoredRun, paths: Sequence[str]) -> str | None:
    """The policy folder as the run named it (``policies/``), read off its recorded errors.

    An error's location names the file the policy was loaded from, which
    depends on how the run was started; rebuilt under the same name, the
    replayed errors read the same, byte for byte.
    """
    try:
        errors = json.loads(raw(stored.record.outputs)).get("errors", [])
    except (ValueError, AttributeError):
        return None
    for error in errors:
        file = (error.get("location") or {}).get("file") if isinstance(error, dict) else None
        if not isinstance(file, str):
            continue
        for path in paths:
            if file.endswith("/" + path) or file == path:
                return file[: len(file) - len(path)]
    return None


def bundle_of(stored: StoredRun) -> Bundle:
    """The bundle of a stored run, rebuilt from the ledger's own copy of the policy bytes."""
    provenance = json.loads(stored.record.provenance)
    paths = {(v["policy"], v["version"]): v for v in provenance["versions"]}
    folder = _recorded_folder(stored, [str(v.get("path")) for v in paths.values()])
    entities = None
    for blob in stored.record.policies:
        if blob.policy == ENTITIES_BLOB and blob.sha256 == provenance.get("entities_sha256"):
            name = f"ledger:{blob.sha256[:12]}/entities.yaml"
            if folder is not None:
                name = folder + "entities.yaml"
            entities = build_entities(read_policy_bytes(blob.data, name))
    versions = []
    for blob in stored.record.policies:
        if blob.policy == ENTITIES_BLOB:
            continue
        meta = paths.get((blob.policy, blob.version), {})
        name = f"ledger:{blob.sha256[:12]}/{meta.get('path') or blob.policy + '.yaml'}"
        if folder is not None and meta.get("path"):
            name = folder + str(meta["path"])
        policy = build_policy(read_policy_bytes(blob.data, name), entities)
        published = meta.get("published")
        versions.append(
            Version(
                policy,
                str(meta.get("path", name)),
                datetime.date.fromisoformat(published) if published else None,
            )
        )
    known = stored.record.as_known_at
    return Bundle(
        Period.parse(stored.record.period),
        datetime.date.fromisoformat(known) if known else None,
        tuple(versions),
        entities,
    )


def replay_run(ledger: Ledger, run_id: int, *, catalogue: Catalogue | None = None) -> RunReplay:
    """Recompute a ledger run and say whether its outputs are byte-identical (the first
    difference said in ``catalogue``'s language, English without one)."""
    stored = ledger.get(run_id)
    facts, history = split_inputs(json.loads(raw(stored.record.inputs)))
    provenance = json.loads(stored.record.provenance)
    # The run's policies as recorded, held to the checks of the engine that ran them:
    # a slip check added since (a mistake of type …) must not refuse the evidence.
    with slips_not_checked():
        bundle = bundle_of(stored)
        # A run recorded before result format 2 kept failures by record: it is
        # replayed the way it was computed, or its bytes could not match.
        again = evaluate_bundle(
            bundle, facts, history=history, result_format=provenance.get("result_format", 1)
        )
    ours, theirs = again.outputs_json(), raw(stored.record.outputs)
    recorded = provenance.get("engine_version", "")
    difference = None if ours == theirs else _first_difference(theirs, ours, catalogue)
    return RunReplay(run_id, ours == theirs, recorded, again, difference)


def _first_difference(recorded: bytes, replayed: bytes, catalogue: Catalogue | None) -> str:
    old, new = json.loads(recorded), json.loads(replayed)
    said = saying(catalogue)
    for a, b in zip(old["records"], new["records"], strict=False):
        if a != b:
            where = f"{a.get('kind')}/{a.get('key')}"
            return said(
                "replay-record-differs", where=where, recorded=a["outputs"], now=b["outputs"]
            )
    return said("replay-errors-differ", recorded=len(old["records"]), now=len(new["records"]))


@attrs.frozen
class Discrepancy:
    """One record's output where what was paid is not what the rules give."""

    key: str
    output: str  # policy.output
    paid: Decimal | str | None
    computed: Any
    finding: str  # 'differs', 'failed', 'not-computed', 'not-paid'
    explanation: str = ""
    line: int | None = None

    @property
    def delta(self) -> Decimal | None:
        if isinstance(self.paid, Decimal) and is_number(self.computed):
            return difference(self.computed, self.paid)
        return None

    def to_dict(self) -> dict[str, Any]:
        data = {k: plain(v) for k, v in attrs.asdict(self).items()}
        data["delta"] = plain(self.delta)
        return data


@attrs.frozen
class PaidFile:
    """Amounts actually paid: one row per record key, one column per output."""

    file: str
    key_column: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, str, Mapping[str, str]], ...]  # (line, key, column -> cell)


def read_paid(path: str | os.PathLike[str]) -> PaidFile:
    """Read a paid-amounts CSV: the first column holds record keys, the others amounts."""
    file = str(path)
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        where = Location(file=file)
        raise FactsFileError.from_template(
            "unreadable-facts", form="paid", location=where, words={"reason": exc}
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or len(header) < 2:
        raise FactsFileError.from_template(
            "empty-file", form="paid", location=Location(file=file, line=1)
        )
    names = [h.strip() for h in header]
    rows = []
    first_line: dict[str, int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        key = row[0].strip()
        if key in first_line:
            where = Location(file=file, line=reader.line_num, column=1)
            twice = {"key": key, "first": first_line[key]}
            raise FactsFileError.from_template(
                "duplicate-key", form="paid", location=where, words=twice
            )
        first_line[key] = reader.line_num
        if len(row) != len(names):
            where = Location(file=file, line=reader.line_num)
            cells = {"cells": len(row), "columns": len(names)}
            raise FactsFileError.from_template("ragged-row", location=where, words=cells)
        rows.append((reader.line_num, row[0].strip(), dict(zip(names[1:], row[1:], strict=True))))
    return PaidFile(file, names[0], tuple(names[1:]), tuple(rows))


def _resolve_columns(paid: PaidFile, result: BundleResult) -> dict[str, tuple[str, str]]:
    """Paid column -> (policy, output); a bare output name must be unique in the bundle."""
    owners: dict[str, list[tuple[str, str]]] = {}
    for v in result.bundle.versions:
        for name in v.policy.output_names:
            owners.setdefault(name, []).append((v.id, name))
            owners.setdefault(f"{v.id}.{name}", []).append((v.id, name))
    problems: list[PolicyError] = []
    resolved: dict[str, tuple[str, str]] = {}
    for column, index in zip(paid.columns, range(2, len(paid.columns) + 2), strict=True):
        found = owners.get(column, [])
        where = Location(file=paid.file, line=1, column=index, field=column)
        if len(found) == 1:
            resolved[column] = found[0]
        elif not found:
            problems.append(
                FactsFileError.from_template(
                    "unknown-column",
                    form="paid",
                    location=where,
                    hint=did_you_mean(column, owners),
                    words={"column": column},
                )
            )
        else:
            problems.append(
                FactsFileError.from_template(
                    "ambiguous-column",
                    location=where,
                    words={"column": column, "choices": ", ".join(f"{p}.{o}" for p, o in found)},
                )
            )
    if problems:
        raise InvalidPolicy(problems, file=paid.file)
    return resolved


def compare_paid(
    result: BundleResult,
    paid: PaidFile,
    *,
    tolerance: Decimal = Decimal(0),
    catalogue: Catalogue | None = None,
) -> list[Discrepancy]:
    """Every paid amount that differs from the recomputed one by more than ``tolerance``,
    each explained in ``catalogue``'s language (English without one)."""
    columns = _resolve_columns(paid, result)
    computed: dict[tuple[str, str], Any] = {}
    explain: dict[tuple[str, str], tuple[str, str, str]] = {}
    failed: dict[tuple[str, str], PolicyError] = {}
    for row in result.rows():
        for name, value in row.outputs.items():
            computed[(row.key, f"{row.policy}.{name}")] = value
            explain[(row.key, f"{row.policy}.{name}")] = (row.kind, row.key, name)
            if name in row.failed:
                failed[(row.key, f"{row.policy}.{name}")] = row.failed[name]
    findings: list[Discrepancy] = []
    seen: set[tuple[str, str]] = set()
    for line, key, cells in paid.rows:
        for column, (policy_id, name) in columns.items():
            slot = (key, f"{policy_id}.{name}")
            seen.add(slot)
            cell = cells[column].strip()
            number = number_text.parse_decimal(cell, number_text.DECIMAL)
            amount: Decimal | str | None = number if number is not None else (cell or None)
            if slot not in computed:
                findings.append(Discrepancy(key, slot[1], amount, None, "not-computed", line=line))
                continue
            value = computed[slot]
            error = failed.get(slot)
            if error is not None:
                # No amount to compare: say why, naming the root cause.
                findings.append(
                    Discrepancy(key, slot[1], amount, None, "failed", error.render(catalogue), line)
                )
                continue
            if _agrees(amount, value, tolerance):
                continue
            kind, record, output = explain[slot]
            text = result.explain(kind, record, output, catalogue)
            findings.append(Discrepancy(key, slot[1], amount, value, "differs", text, line))
    wanted = {f"{p}.{o}" for p, o in columns.values()}
    for slot in sorted(computed):
        if slot[1] in wanted and slot not in seen and slot not in failed:
            findings.append(Discrepancy(slot[0], slot[1], None, computed[slot], "not-paid"))
    return findings


def _agrees(paid: Decimal | str | None, value: Any, tolerance: Decimal) -> bool:
    if isinstance(paid, Decimal) and is_number(value):
        return abs(difference(value, paid)) <= tolerance
    return bool(plain(value) == paid)


def summary(findings: Sequence[Discrepancy]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.finding] = counts.get(finding.finding, 0) + 1
    return counts
