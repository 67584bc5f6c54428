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
from ._common import spoken, spoken_line


def cmd_keys(args: argparse.Namespace) -> int:
    private, public, key = new_key_pair(args.file)
    print(spoken_line("key-private", path=private))
    print(spoken_line("key-public", path=public))
    print(spoken_line("key-made", key=key.id, text=key.text))
    return 0


def trust_from(args: argparse.Namespace, head: str | None) -> Trust:
    """The auditor's trust: the keys given with --trust, --require-signed, a kept head."""
    if args.require_signed and not args.trust:  # the message names the option itself
        raise UsageError.from_template("bad-key", form="require-signed")
    against = getattr(args, "against_lock", None)
    lock = None
    if against:
        entries, problems = load_lock(against)
        if problems or not Path(against).is_file():
            raise InvalidPolicy(problems or [_no_lock(against)], file=against)
        lock = entries
    return Trust(read_trusted(args.trust or ()), args.require_signed, head, lock)


def _no_lock(path: str) -> UsageError:
    return UsageError.from_template("file-not-found", form="lock", location=Location(file=path))


def lock_line(path: Path, trust: Trust, *, checking: bool = True) -> str:
    """How the lock at ``path`` is signed, with its head, as ``verify`` and ``lock`` say it."""
    status = lock_status(path, load_lock(path)[0], trust)
    return status.text(checking=checking, catalogue=spoken())


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
