"""The signed lock (format 2) as a log: each line chained to the one before it, and
signed by the publisher's key.

A line's chain value is the SHA-256 of the UTF-8 bytes of the JSON array (no spaces,
non-ASCII escaped)::

    ["policyengine-lock-line", 2, previous line's chain (or 64 zeros), path, policy,
     version, published-on, sha256]

and its signature is the Ed25519 signature, by the key the line names, of the bytes
of ``["policyengine-lock-seal", chain]`` in the same JSON. A line removed, edited,
re-ordered or added by hand no longer chains (``lock-chain-broken``); one re-chained
by someone without the key no longer verifies with the trusted key
(``bad-signature``); a line dated before the line above it is a back-dated
publication. The last line's chain value is the lock's **head**: it covers every
line, and every ledger run records the head it was computed under.

What no signature can show is a lock cut short, or an older copy of it: each is a
valid log, only shorter. The head the auditor kept (``verify --lock-head``) must
still be a line of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._messages import Catalogue
from ..core._reading import read_limited
from ..core._text_templates import said_text
from ..errors import Location, LockError, PolicyError
from ._keys import SigningKey, Trust
from ._lock_file import MAX_LOCK_BYTES, LockEntry, lock_format, parse_lock

GENESIS = "0" * 64


def chain_value(previous: str, entry: LockEntry) -> str:
    """The chain value of ``entry`` after a line whose chain value is ``previous``."""
    fields = [entry.path, entry.policy, entry.version, entry.published.isoformat(), entry.sha256]
    array = ["policyengine-lock-line", 2, previous, *fields]
    return hashlib.sha256(json.dumps(array, separators=(",", ":")).encode("utf-8")).hexdigest()


def _seal_message(chain: str) -> bytes:
    return json.dumps(["policyengine-lock-seal", chain], separators=(",", ":")).encode("utf-8")


def sign_entries(
    entries: Sequence[LockEntry], key: SigningKey, previous: str = GENESIS
) -> list[LockEntry]:
    """``entries`` chained after ``previous`` and signed with ``key``, in the order given."""
    signed = []
    for entry in entries:
        previous = chain_value(previous, entry)
        signature = key.sign(_seal_message(previous))
        key_id = key.public.id
        signed.append(attrs.evolve(entry, chain=previous, key_id=key_id, signature=signature))
    return signed


def lock_head(path: str | Path) -> str:
    """The lock's head: the last line's chain value in a signed lock; in an unsigned one
    the SHA-256 of the file's bytes; 64 zeros when there is no lock file."""
    try:
        raw = read_limited(path, MAX_LOCK_BYTES)
    except FileNotFoundError:
        return GENESIS
    except OSError:
        return GENESIS  # unreadable: verify reports it before anything is run
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    if lock_format(text) == 2:
        entries = parse_lock(text.replace("\r\n", "\n"), str(path))[0]
        return entries[-1].chain or GENESIS if entries else GENESIS
    return hashlib.sha256(raw).hexdigest()


@attrs.frozen
class LockStatus:
    """How a lock is signed, for the line ``verify`` prints."""

    format: int
    lines: int
    key_ids: tuple[str, ...]
    checked: bool
    head: str

    def text(self, *, checking: bool = True, catalogue: Catalogue | None = None) -> str:
        """The line ``verify`` prints (``checking``: with whether signatures were checked),
        in ``catalogue``'s language (English without one)."""
        if self.format == 0:
            return said_text("lock-none", catalogue)
        if self.format == 1:
            return said_text("lock-unsigned", catalogue, lines=self.lines, head=self.head)
        keys = ", ".join(self.key_ids)
        said = said_text("lock-signed", catalogue, keys=keys, lines=self.lines, head=self.head)
        if not checking:
            return said
        check = "signatures-checked" if self.checked else "signatures-not-checked"
        return said_text(check, catalogue, said=said)


def lock_status(path: Path, entries: Sequence[LockEntry], trust: Trust) -> LockStatus:
    if not path.is_file():
        return LockStatus(0, 0, (), False, GENESIS)
    signed = any(e.signature is not None for e in entries)
    keys = tuple(sorted({e.key_id for e in entries if e.key_id}))
    return LockStatus(2 if signed else 1, len(entries), keys, bool(trust.keys), lock_head(path))


def log_problems(path: Path, entries: Sequence[LockEntry], trust: Trust) -> list[PolicyError]:
    """A signed lock's broken links, back-dated lines and bad signatures; a lock not
    signed when ``trust.require_signed``; a kept head that is no line of the lock."""
    file = str(path)
    signed = bool(entries) and entries[0].signature is not None
    problems: list[PolicyError] = []
    if trust.require_signed and not signed:
        form = "unsigned" if path.is_file() else "missing"
        problems.append(_said("lock-unsigned", form, Location(file)))
    previous, day = GENESIS, None
    for entry in entries if signed else ():
        where = Location(file, entry.line, 1)
        if entry.chain != chain_value(previous, entry):
            problems.append(_said("lock-chain-broken", "", where, path=entry.path))
        if day is not None and entry.published < day:
            dated = {"path": entry.path, "published": entry.published, "day": day}
            problems.append(_said("backdated-publication", "line", where, **dated))
        problems += _signature_problems(entry, where, trust)
        previous, day = entry.chain or previous, max(day or entry.published, entry.published)
    if trust.head is not None and trust.head not in _heads(path, entries, signed):
        problems.append(_said("head-missing", "lock-kept", Location(file), head=trust.head))
    return problems


def _heads(path: Path, entries: Sequence[LockEntry], signed: bool) -> set[str]:
    if signed:
        return {e.chain for e in entries if e.chain}
    return {lock_head(path)}


def _signature_problems(entry: LockEntry, where: Location, trust: Trust) -> list[PolicyError]:
    if not trust.keys or entry.chain is None or entry.signature is None:
        return []
    key = trust.keys.get(entry.key_id or "")
    if key is None:
        return [_said("untrusted-key", "lock", where, path=entry.path, key_id=entry.key_id)]
    if key.verifies(_seal_message(entry.chain), entry.signature):
        return []
    return [_said("bad-signature", "lock", where, path=entry.path)]


def _said(code: ErrorCode, form: str, where: Location, **words: Any) -> PolicyError:
    """The lock's problem ``code`` said in ``form`` (core/_command_templates.py); its
    details stay empty, as they always were."""
    return LockError.from_template(code, form=form, location=where, words=words)
