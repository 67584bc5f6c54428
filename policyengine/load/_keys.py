"""Ed25519 keys: who may publish a lock line or record a ledger run, and how a verifier
checks it.

The key model, so that write access to the files is not enough to forge them:

- The **signing key** (private) is held by whoever publishes (``lock --key``) or runs
  a month (``run --key``); it never goes into a lock or a ledger.
- The **verifier** holds only public keys, given by the auditor (``--trust KEY``: a
  key's text or a file of them). A lock or ledger names the key that signed it only by
  its id, to say which trusted key to check with; the evidence never supplies the key
  that checks it.

A private key file is one line ``policyengine-ed25519-private <64 hex digits>`` (the
raw 32-byte seed), created readable by its owner only and never overwritten; a public
key is written ``ed25519:<64 hex digits>`` (the raw 32-byte key), in a file or on the
command line. A key's id is the first 16 hex digits of the SHA-256 of its raw bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

# cryptography is imported where a key is used, not here: reading the lock of an
# unsigned folder (every `validate`, `run`) needs none of it, and it is a tenth of
# the command's start.
from ..errors import Location, UsageError
from ._lock_file import LockEntry

__all__ = [
    "PRIVATE_TAG",
    "PUBLIC_TAG",
    "PublicKey",
    "SigningKey",
    "Trust",
    "new_key_pair",
    "read_signing_key",
    "read_trusted",
]

PRIVATE_TAG = "policyengine-ed25519-private"
PUBLIC_TAG = "ed25519:"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _key_error(where: str, form: str, **words: Any) -> UsageError:
    """The key problem said in ``form`` (core/_command_templates.py); no details, as ever."""
    return UsageError.from_template(
        "bad-key", form=form, location=Location(file=where), words=words
    )


@attrs.frozen
class PublicKey:
    """A public key: checks signatures, made by the auditor's ``--trust``."""

    raw: bytes

    @property
    def id(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()[:16]

    @property
    def text(self) -> str:
        return PUBLIC_TAG + self.raw.hex()

    def verifies(self, message: bytes, signature: str) -> bool:
        """Whether ``signature`` (hex) is this key's signature of ``message``."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(bytes.fromhex(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@attrs.frozen
class SigningKey:
    """A private key: signs lock lines and ledger runs. Its bytes are never printed."""

    seed: bytes = attrs.field(repr=False)

    @property
    def public(self) -> PublicKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        raw = serialization.Encoding.Raw
        key = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return PublicKey(key.public_bytes(raw, serialization.PublicFormat.Raw))

    def sign(self, message: bytes) -> str:
        """The signature of ``message``, as 128 hex digits."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message).hex()


@attrs.frozen
class Trust:
    """What the auditor brings to a verification: public keys (by id), whether everything
    must be signed, a head hash kept from an earlier look at the lock or ledger, and (for
    a ledger) the lock it should agree with."""

    keys: Mapping[str, PublicKey] = attrs.field(factory=dict)
    require_signed: bool = False
    head: str | None = None
    #: The published lock's lines, to hold a ledger's runs against (None: not given).
    lock: Sequence[LockEntry] | None = None


def new_key_pair(private_path: str | os.PathLike[str]) -> tuple[Path, Path, PublicKey]:
    """Write a new key pair: ``private_path`` (owner-only) and ``<private_path>.pub``.

    Refuses (``bad-key``) when either file exists: a signing key is never replaced
    by accident, since the runs and lock lines it signed name it.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Path(private_path)
    public = private.with_name(private.name + ".pub")
    key = Ed25519PrivateKey.generate()
    raw, form = serialization.Encoding.Raw, serialization.PrivateFormat.Raw
    seed = key.private_bytes(raw, form, serialization.NoEncryption())
    signing = SigningKey(seed)
    for path in (private, public):
        if path.exists():
            raise _key_error(str(path), "exists")
    try:
        descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(f"{PRIVATE_TAG} {seed.hex()}\n")
        public.write_text(signing.public.text + "\n", encoding="utf-8")
    except OSError as error:
        raise _key_error(str(private), "unwritable", reason=error.strerror) from None
    return private, public, signing.public


def read_signing_key(path: str | os.PathLike[str]) -> SigningKey:
    """The private key in ``path``, as :func:`new_key_pair` wrote it."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise _key_error(where, "unreadable", reason=reason) from None
    tag, _, seed = text.partition(" ")
    if tag != PRIVATE_TAG or not _HEX64.fullmatch(seed):
        raise _key_error(where, "public-given" if tag.startswith(PUBLIC_TAG) else "not-private")
    return SigningKey(bytes.fromhex(seed))


def _public(text: str, where: str) -> PublicKey:
    if not (text.startswith(PUBLIC_TAG) and _HEX64.fullmatch(text[len(PUBLIC_TAG) :])):
        raise _key_error(where, "not-public", text=text[:80])
    return PublicKey(bytes.fromhex(text[len(PUBLIC_TAG) :]))


def read_trusted(keys: Iterable[str]) -> Mapping[str, PublicKey]:
    """The auditor's trusted public keys by id: each of ``keys`` is a key's text, or a
    file holding one key a line (blank lines and ``#`` comments allowed)."""
    trusted: dict[str, PublicKey] = {}
    for given in keys:
        if given.startswith(PUBLIC_TAG):
            found = [_public(given, "--trust")]
        else:
            try:
                lines = Path(given).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                raise _key_error(given, "trusted-unreadable") from None
            found = [_public(s, given) for line in lines if (s := line.strip()) and s[0] != "#"]
        trusted.update((key.id, key) for key in found)
    return trusted
