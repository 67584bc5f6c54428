"""What the ledger stores: a run as the caller appends it and as the ledger returns it.

The values are checked when they are made, not when they are written: a
period or date in any spelling but the canonical one, text that is not
Unicode, or a policy file whose bytes do not have the SHA-256 it claims
would otherwise be hashed into the chain. The :class:`Ledger` protocol is
the small interface another database could implement.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from typing import Any, Protocol

import attrs

from ..core._packed import Packed
from ..core._period import Period
from ..errors import LedgerError, PolicyError


def sha256_hex(data: bytes) -> str:
    """The lowercase hex SHA-256 of ``data``: how the ledger names every byte string."""
    return hashlib.sha256(data).hexdigest()


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from a mis-decoded file name
        raise LedgerError(f"{attribute.name} {value!r} is not Unicode", code="not-utf8") from exc


_bytes = attrs.validators.instance_of(bytes)
#: A run's inputs and outputs may come held packed (a month's are hundreds of MB): the
#: ledger hashes and stores them so, and never unpacks them to append.
_document = attrs.validators.instance_of((bytes, Packed))


@attrs.frozen
class PolicyBlob:
    """One policy file as a run used it: id, version and the exact bytes."""

    policy: str = attrs.field(validator=_text)
    version: str = attrs.field(validator=_text)
    sha256: str = attrs.field(validator=_text)
    data: bytes = attrs.field(validator=_bytes, repr=False)

    def __attrs_post_init__(self) -> None:
        actual = sha256_hex(self.data)
        if self.sha256 != actual:
            raise LedgerError(
                f"policy {self.policy} {self.version}: {self.sha256!r} is not the SHA-256"
                f" of its bytes ({actual})",
                code="blob-mismatch",
                hint="pass the lowercase hex SHA-256 of exactly the bytes given",
                details={"policy": self.policy, "version": self.version, "actual": actual},
            )


@attrs.frozen
class RunRecord:
    """One evaluation run as the caller appends it; the bytes are opaque here.

    ``inputs`` and ``outputs`` are bytes, or bytes held packed
    (:class:`~policyengine.core._packed.Packed`: what a month's run passes); a run
    read back from a ledger always holds bytes.
    """

    period: str = attrs.field(validator=_text)
    as_known_at: str | None = attrs.field(validator=attrs.validators.optional(_text))
    policies: tuple[PolicyBlob, ...] = attrs.field(
        validator=attrs.validators.deep_iterable(
            attrs.validators.instance_of(PolicyBlob), attrs.validators.instance_of(tuple)
        )
    )
    inputs: bytes | Packed = attrs.field(validator=_document, repr=False)
    outputs: bytes | Packed = attrs.field(validator=_document, repr=False)
    provenance: bytes = attrs.field(validator=_bytes, repr=False)
    label: str = attrs.field(default="", validator=_text)

    def __attrs_post_init__(self) -> None:
        # Only the canonical spelling: the text is hashed, so "2026-3" and
        # "2026-03" must not both stand for one month.
        if Period.parse(self.period).key != self.period:
            raise LedgerError(
                f"{self.period!r} is not a month", code="invalid-period", hint="write YYYY-MM"
            )
        if self.as_known_at is not None:
            try:
                canonical = datetime.date.fromisoformat(self.as_known_at).isoformat()
            except ValueError:
                canonical = None
            if canonical != self.as_known_at:
                raise LedgerError(
                    f"as_known_at {self.as_known_at!r} is not a date",
                    code="invalid-date",
                    hint="write YYYY-MM-DD",
                )


@attrs.frozen
class StoredRun:
    """A run as the ledger holds it: numbered, timestamped and chained."""

    id: int
    created: str
    record: RunRecord
    prev_hash: str
    hash: str
    #: The head of the lock the run used (None in a schema version 1 ledger).
    lock_head: str | None = None
    #: The id of the key that signed the run (None: unsigned).
    key_id: str | None = None


class Ledger(Protocol):
    """The small interface another database could implement."""

    def append(self, run: RunRecord) -> StoredRun: ...
    def get(self, run_id: int) -> StoredRun: ...
    def runs(self) -> Iterator[StoredRun]: ...
    def head(self) -> tuple[int, str]: ...
    def verify(self) -> list[PolicyError]: ...
    def close(self) -> None: ...
