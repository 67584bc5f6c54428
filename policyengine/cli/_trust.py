"""Keys and trust on the command line: ``keys new``, and the options by which an auditor
says which public keys to trust and which head was kept (``verify``, ``ledger verify``).

The key model is :mod:`policyengine.load._keys`'s: the private key stays with whoever
publishes (``lock --key``) or runs a month (``run --key``); an auditor passes only
public keys, never read from the files being checked.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InvalidPolicy, Location, UsageError
from ..load._keys import SigningKey, Trust, new_key_pair, read_signing_key, read_trusted
from ..load._lock_file import load_lock
from ..load._lock_log import lock_status


def cmd_keys(args: argparse.Namespace) -> int:
    private, public, key = new_key_pair(args.file)
    print(f"wrote {private} (private: keep it with whoever signs; never in the ledger folder)")
    print(f"wrote {public} (public: give it to the auditor)")
    print(f"key {key.id}: {key.text}")
    return 0


def trust_from(args: argparse.Namespace, head: str | None) -> Trust:
    """The auditor's trust: the keys given with --trust, --require-signed, a kept head."""
    if args.require_signed and not args.trust:
        raise UsageError(
            "--require-signed needs the public keys to check the signatures with",
            code="bad-key",
            location=Location(field="--require-signed"),
            hint="add --trust KEY (a public key, or its .pub file)",
        )
    against = getattr(args, "against_lock", None)
    lock = None
    if against:
        entries, problems = load_lock(against)
        if problems or not Path(against).is_file():
            raise InvalidPolicy(problems or [_no_lock(against)], file=against)
        lock = entries
    return Trust(read_trusted(args.trust or ()), args.require_signed, head, lock)


def _no_lock(path: str) -> UsageError:
    return UsageError(
        "no lock file at this path",
        code="file-not-found",
        location=Location(file=path),
        hint="name the policies.lock the months were run under",
    )


def lock_line(path: Path, trust: Trust, *, checking: bool = True) -> str:
    """How the lock at ``path`` is signed, with its head, as ``verify`` and ``lock`` say it."""
    return lock_status(path, load_lock(path)[0], trust).text(checking=checking)


def signing_key(path: str | None) -> SigningKey | None:
    return read_signing_key(path) if path else None


def add_trust_options(parser: argparse.ArgumentParser) -> None:
    """--trust and --require-signed, as verify and ledger verify take them."""
    parser.add_argument(
        "--trust",
        action="append",
        metavar="KEY",
        help="a public key to check signatures with (ed25519:<hex>, or a file of them, "
        "such as the .pub file `keys new` wrote); may be given several times",
    )
    parser.add_argument(
        "--require-signed",
        action="store_true",
        help="report anything unsigned as a problem (needs --trust)",
    )


def add_lock_option(parser: argparse.ArgumentParser) -> None:
    """ledger verify --lock: hold the runs against the published lock."""
    parser.add_argument(
        "--lock",
        dest="against_lock",
        metavar="FILE",
        help="a policies.lock the runs must agree with: each version's SHA-256, and (for a "
        "signed lock) the lock head each run recorded",
    )


def arguments_keys(keys: argparse.ArgumentParser) -> None:
    keys.add_argument("action", choices=("new",))
    keys.add_argument("file", metavar="FILE", help="the private key file to write")
