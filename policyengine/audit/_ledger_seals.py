"""What the hash chain alone cannot prove, checked: signatures, order in time, one
SHA-256 per published version, and a head the auditor kept.

Anyone who can write the ledger file can recompute every hash of a forged chain. A
run signed with a key the operator does not hold cannot be forged that way: the
signature covers the run's hash (itself covering its number, its time, the hash of
the run before it and the lock head it used), so an edited, re-ordered, re-chained
or deleted run breaks the signatures of it and of every run after it. The verifier
checks signatures only against keys the auditor gives (:class:`Trust`), never
against anything read from the ledger.

What no signature can show is a cut-off tail or an older copy of the whole file:
each is a valid ledger, only shorter. The auditor's kept head (``Trust.head``, the
hash ``run --ledger`` printed last) must still be in the chain.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..core._messages import Catalogue
from ..core._text_templates import said_text
from ..errors import PolicyError
from ..load._keys import Trust
from ..load._lock_file import LockEntry
from ._ledger_file import finding

__all__ = ["SealStatus", "Trust", "seal_message", "seal_problems", "seal_status"]

_SEAL_TAG = "policyengine-ledger-seal"


def seal_message(run_id: int, prev_hash: str, run_hash: str, lock_head: str) -> bytes:
    """The bytes a run's signature covers."""
    head = [_SEAL_TAG, 2, run_id, prev_hash, run_hash, lock_head]
    return json.dumps(head, separators=(",", ":")).encode("utf-8")


@attrs.frozen
class SealStatus:
    """How a ledger is signed, for the line ``ledger verify`` prints."""

    version: int
    signed: int
    unsigned: int
    key_ids: tuple[str, ...]
    checked: bool

    def text(self, catalogue: Catalogue | None = None) -> str:
        """The line ``ledger verify`` prints, in ``catalogue``'s language (else English)."""
        if not self.signed:
            return said_text("seals-unsigned", catalogue, version=self.version)
        keys, runs = ", ".join(self.key_ids), self.signed + self.unsigned
        said = said_text(
            "seals-signed",
            catalogue,
            keys=keys,
            signed=self.signed,
            runs=runs,
            version=self.version,
        )
        check = "signatures-checked" if self.checked else "signatures-not-checked"
        return said_text(check, catalogue, said=said)


def seal_status(
    version: int, seals: Mapping[int, Sequence[Any]], runs: int, checked: bool
) -> SealStatus:
    signed = [seal for seal in seals.values() if seal[2] is not None]
    keys = tuple(sorted({str(seal[1]) for seal in signed}))
    return SealStatus(version, len(signed), runs - len(signed), keys, checked)


def seal_problems(
    path: str,
    rows: Sequence[Sequence[Any]],
    links: Sequence[Sequence[Any]],
    seals: Mapping[int, Sequence[Any]],
    trust: Trust,
) -> list[PolicyError]:
    """Runs out of time order, unsigned or wrongly signed runs, a version with two
    SHA-256s, and a kept head no longer in the chain."""
    problems = _order_problems(path, rows) + _conflicts(path, links)
    signed_before = False
    for row in rows:
        seal = seals.get(row[0])
        signed = seal is not None and seal[2] is not None
        if not signed and (signed_before or trust.require_signed):
            form = "after-signed" if signed_before else "required"
            problems.append(finding(path, "run-unsigned", row[0], form=form, run=row[0]))
        if seal is None or not signed:
            continue
        signed_before = True
        if trust.keys:
            problems += _signature_problems(path, row, seal, trust)
    if trust.lock is not None:
        problems += _lock_problems(path, links, seals, trust.lock)
    if trust.head is not None and trust.head not in {row[9] for row in rows}:
        problems.append(finding(path, "head-missing", form="kept", head=trust.head))
    return problems


def _signature_problems(
    path: str, row: Sequence[Any], seal: Sequence[Any], trust: Trust
) -> list[PolicyError]:
    lock_head, key_id, signature = seal
    key = trust.keys.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        return [finding(path, "untrusted-key", row[0], run=row[0], key_id=key_id)]
    good = isinstance(signature, str) and isinstance(lock_head, str)
    if good and key.verifies(seal_message(row[0], row[8], row[9], lock_head), signature):
        return []
    return [finding(path, "bad-signature", row[0], run=row[0], key_id=key_id)]


def _order_problems(path: str, rows: Sequence[Sequence[Any]]) -> list[PolicyError]:
    """Runs whose time is not a time, or is before the run before them."""
    problems = []
    before: datetime.datetime | None = None
    for row in rows:
        try:
            created = datetime.datetime.fromisoformat(row[1])
            after = created.tzinfo is not None and (before is None or created >= before)
        except (TypeError, ValueError):
            created, after = None, False
        if not after:
            shown = repr(row[1])
            problems.append(
                finding(path, "run-out-of-order", row[0], form="verify", run=row[0], created=shown)
            )
        before = created or before
    return problems


def _conflicts(path: str, links: Sequence[Sequence[Any]]) -> list[PolicyError]:
    """A (policy, version) recorded with two different SHA-256s: one of them is not the
    published file (a draft edited between runs, or a forged file)."""
    first: dict[tuple[Any, Any], tuple[Any, Any]] = {}
    problems = []
    for run_id, policy, version, sha, *_ in sorted(links, key=lambda link: link[0]):
        if version == "":
            continue  # entities.yaml, kept without a version label: it may change between runs
        seen = first.setdefault((policy, version), (sha, run_id))
        if seen[0] != sha:
            problems.append(
                finding(
                    path,
                    "sha-conflict",
                    run_id,
                    form="runs",
                    run=run_id,
                    policy=policy,
                    version=version,
                    sha256=sha,
                    other_run=seen[1],
                    other_sha256=seen[0],
                )
            )
    return problems


def _lock_problems(
    path: str,
    links: Sequence[Sequence[Any]],
    seals: Mapping[int, Sequence[Any]],
    lock: Sequence[LockEntry],
) -> list[PolicyError]:
    """Runs that disagree with the published lock: a version used with another SHA-256 than
    the lock's, and a signed run's lock head that a signed lock no longer holds — lines
    cut off, or the lock rewritten, after the run."""
    published = {(e.policy, e.version): e.sha256 for e in lock}
    problems = []
    for run_id, policy, version, sha, *_ in sorted(links, key=lambda link: link[0]):
        if published.get((policy, version), sha) != sha:
            problems.append(
                finding(
                    path,
                    "sha-conflict",
                    run_id,
                    form="lock",
                    run=run_id,
                    policy=policy,
                    version=version,
                    sha256=sha,
                    locked_sha256=published[policy, version],
                )
            )
    heads = {e.chain for e in lock if e.chain}
    for run_id, seal in sorted(seals.items()):
        # Signed runs under a signed lock name one of its lines; others are not held to it.
        if heads and seal[1] is not None and seal[0] not in heads:
            problems.append(
                finding(path, "head-missing", run_id, form="lock", run=run_id, head=seal[0])
            )
    return problems
