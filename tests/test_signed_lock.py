"""The signed lock (format 2): every way an operator with write access could rewrite what was
published is found by an auditor holding only the publisher's public key."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.errors import InvalidPolicy, PolicyError
from policyengine.load._keys import SigningKey, Trust, new_key_pair, read_signing_key
from policyengine.load._lock import lock, read_lock, verify
from policyengine.load._lock_file import HEADER_2, LockEntry, write_lock
from policyengine.load._lock_log import chain_value, lock_head, log_problems, sign_entries
from policyengine.run._repository import load

ROOT = Path(__file__).parent.parent
DAY = datetime.date(2026, 1, 15)


def version_text(policy: str, version: str) -> str:
    return (
        f'format: 1\npolicy: {policy}\nversion: "{version}"\neffective_from: {version}-01\n'
        "title: 测试政策\nrules:\n  - {id: total, kind: formula, expr: 1}\n"
    )


def add_version(root: Path, policy: str, version: str) -> None:
    path = root / policy / f"{version}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_text(policy, version), encoding="utf-8")


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    private, _, _ = new_key_pair(tmp_path / "publisher.key")
    return read_signing_key(private)


@pytest.fixture
def trust(key: SigningKey) -> Trust:
    return Trust({key.public.id: key.public})


@pytest.fixture
def tree(tmp_path: Path, key: SigningKey) -> Path:
    """Three publications, signed: commission 2026-01 and 2026-02, then 电话礼仪 2026-03."""
    root = tmp_path / "policies"
    add_version(root, "commission", "2026-01")
    add_version(root, "commission", "2026-02")
    lock(root, root / "policies.lock", DAY, key)
    add_version(root, "电话礼仪", "2026-03")
    lock(root, root / "policies.lock", DAY + datetime.timedelta(days=30), key)
    return root


def codes(problems: list[PolicyError]) -> list[str]:
    return [p.code for p in problems]


def edit_lines(root: Path, edit: Callable[[list[str]], list[str]]) -> None:
    """Rewrite the lock's entry lines by hand, as an operator with a text editor would."""
    path = root / "policies.lock"
    text = path.read_text(encoding="utf-8")
    header = len(HEADER_2.splitlines())
    lines = text.splitlines()
    path.write_text("\n".join(lines[:header] + edit(lines[header:])) + "\n", encoding="utf-8")


def rechained(root: Path, entries: list[LockEntry]) -> None:
    """The lock rewritten with every chain value recomputed, as a forger would: the chain
    holds, but the forger cannot make the publisher's signatures."""
    forged, previous = [], "0" * 64
    for entry in entries:
        previous = chain_value(previous, entry)
        forged.append(
            LockEntry(
                entry.path,
                entry.policy,
                entry.version,
                entry.sha256,
                entry.published,
                chain=previous,
                key_id=entry.key_id,
                signature=entry.signature,
            )
        )
    write_lock(root / "policies.lock", forged)


def test_signed_lock_verifies_and_keeps_publication_order(tree: Path, trust: Trust) -> None:
    """A lock published with a key is a log in publication order and verifies clean."""
    entries = read_lock(tree / "policies.lock")
    assert [e.path for e in entries] == [
        "commission/2026-01.yaml",
        "commission/2026-02.yaml",
        "电话礼仪/2026-03.yaml",
    ]
    assert all(e.key_id == next(iter(trust.keys)) for e in entries)
    assert verify(tree, tree / "policies.lock", trust) == []
    assert (
        verify(
            tree, tree / "policies.lock", Trust(trust.keys, True, lock_head(tree / "policies.lock"))
        )
        == []
    )


def test_line_edited_with_its_file_is_found(tree: Path) -> None:
    """A published file edited and its lock line's hash edited to match breaks the chain."""
    path = tree / "commission" / "2026-01.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    edit_lines(tree, lambda lines: [_with_sha(lines[0], sha), *lines[1:]])
    assert codes(verify(tree, tree / "policies.lock")) == ["lock-chain-broken"]


def _with_sha(line: str, sha: str) -> str:
    fields = line.split("  ")
    fields[4] = f"sha256:{sha}"
    return "  ".join(fields)


def test_line_edited_and_rechained_fails_its_signature(tree: Path, trust: Trust) -> None:
    """Moving a publication day earlier and recomputing every chain value is caught by the
    signatures, which only the publisher's key can make."""
    entries = list(read_lock(tree / "policies.lock"))
    entries[2] = LockEntry(
        entries[2].path,
        entries[2].policy,
        entries[2].version,
        entries[2].sha256,
        DAY - datetime.timedelta(days=300),
        key_id=entries[2].key_id,
        signature=entries[2].signature,
    )
    rechained(tree, entries)
    assert codes(verify(tree, tree / "policies.lock")) == ["backdated-publication"]
    found = codes(verify(tree, tree / "policies.lock", trust))
    assert found == ["backdated-publication", "bad-signature"]


def test_middle_line_removed_is_found(tree: Path) -> None:
    """A publication removed from the middle no longer chains (the version would fall back)."""
    edit_lines(tree, lambda lines: [lines[0], lines[2]])
    found = verify(tree, tree / "policies.lock")
    assert "lock-chain-broken" in codes(found)


def test_backdated_line_added_by_hand_is_found(tree: Path, trust: Trust) -> None:
    """A line added by hand, even chained correctly, carries no signature of the publisher."""
    add_version(tree, "commission", "2026-04")
    entries = list(read_lock(tree / "policies.lock"))
    sha = hashlib.sha256((tree / "commission" / "2026-04.yaml").read_bytes()).hexdigest()
    added = LockEntry(
        "commission/2026-04.yaml",
        "commission",
        "2026-04",
        sha,
        DAY,
        key_id=entries[0].key_id,
        signature=entries[0].signature,
    )
    rechained(tree, [*entries, added])
    found = codes(verify(tree, tree / "policies.lock", trust))
    assert found == ["backdated-publication", "bad-signature"]


def test_lock_resigned_with_another_key_is_untrusted(
    tree: Path, trust: Trust, tmp_path: Path
) -> None:
    """An operator re-signing the lock with a key of their own is not the publisher."""
    private, _, _ = new_key_pair(tmp_path / "operator.key")
    entries = [
        LockEntry(e.path, e.policy, e.version, e.sha256, e.published)
        for e in read_lock(tree / "policies.lock")
    ]
    write_lock(tree / "policies.lock", sign_entries(entries, read_signing_key(private)))
    assert verify(tree, tree / "policies.lock") == []  # no key given: nothing to check with
    assert codes(verify(tree, tree / "policies.lock", trust)) == ["untrusted-key"] * 3


def test_truncated_lock_is_found_by_the_kept_head(tree: Path, trust: Trust) -> None:
    """The last publication cut off leaves a valid, shorter log: the kept head finds it."""
    kept = lock_head(tree / "policies.lock")
    edit_lines(tree, lambda lines: lines[:2])
    assert verify(tree, tree / "policies.lock", trust) == []
    found = verify(tree, tree / "policies.lock", Trust(trust.keys, head=kept))
    assert codes(found) == ["head-missing"]


def test_older_copy_of_the_lock_is_found_by_the_kept_head(
    tree: Path, trust: Trust, key: SigningKey
) -> None:
    """An older copy swapped in for the lock is a valid log, found only by the kept head."""
    older = (tree / "policies.lock").read_bytes()
    add_version(tree, "commission", "2026-05")
    lock(tree, tree / "policies.lock", DAY + datetime.timedelta(days=60), key)
    kept = lock_head(tree / "policies.lock")
    (tree / "policies.lock").write_bytes(older)
    (tree / "commission" / "2026-05.yaml").unlink()
    assert verify(tree, tree / "policies.lock", trust) == []
    assert codes(verify(tree, tree / "policies.lock", Trust(trust.keys, head=kept))) == [
        "head-missing"
    ]


def test_deleted_or_unsigned_lock_fails_require_signed(tree: Path, trust: Trust) -> None:
    """With --require-signed, a deleted lock or one rewritten unsigned is a finding."""
    entries = [
        LockEntry(e.path, e.policy, e.version, e.sha256, e.published)
        for e in read_lock(tree / "policies.lock")
    ]
    write_lock(tree / "policies.lock", entries)  # format 1: a downgrade
    required = Trust(trust.keys, require_signed=True)
    assert codes(verify(tree, tree / "policies.lock", required)) == ["lock-unsigned"]
    (tree / "policies.lock").unlink()
    assert codes(verify(tree, tree / "policies.lock", required)) == ["lock-unsigned"]


def test_signed_lock_is_extended_only_with_a_key(tree: Path) -> None:
    """An unsigned line is never added to a signed lock."""
    add_version(tree, "commission", "2026-06")
    before = (tree / "policies.lock").read_bytes()
    with pytest.raises(InvalidPolicy) as caught:
        lock(tree, tree / "policies.lock", DAY + datetime.timedelta(days=90))
    assert [p.code for p in caught.value.problems] == ["lock-unsigned"]
    assert (tree / "policies.lock").read_bytes() == before


def test_shipped_unsigned_lock_still_verifies_and_can_be_signed(
    tmp_path: Path, key: SigningKey
) -> None:
    """policies/policies.lock (format 1) verifies as today; signing it keeps every entry and
    publication day, so the repository resolves months as before."""
    root = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", root)
    assert verify(root, root / "policies.lock") == []
    before = {e.path: e for e in read_lock(root / "policies.lock")}
    published = {v.path: v.published for v in load(root).versions}
    assert lock(root, root / "policies.lock", datetime.date(2026, 6, 20), key) == ()
    after = read_lock(root / "policies.lock")
    assert {e.path: e for e in after} == before
    assert [e.published for e in after] == sorted(e.published for e in after)
    assert {v.path: v.published for v in load(root).versions} == published
    trust = Trust({key.public.id: key.public}, require_signed=True)
    assert verify(root, root / "policies.lock", trust) == []


_field = st.text(st.sampled_from("abc019-_.%# \u3000电话礼仪佣金"), min_size=1, max_size=8)
_signed_entries = st.lists(
    st.builds(
        LockEntry,
        path=st.tuples(_field, _field).map(lambda t: f"p{t[0]}/v{t[1]}.yaml"),
        policy=_field,
        version=_field,
        sha256=st.binary(max_size=8).map(lambda b: hashlib.sha256(b).hexdigest()),
        published=st.dates(),
    ),
    min_size=1,
    max_size=5,
    unique_by=(lambda e: e.path, lambda e: (e.policy, e.version)),
)


@settings(max_examples=60, deadline=None)
@given(_signed_entries)
def test_signed_lines_round_trip_and_verify(entries: list[LockEntry]) -> None:
    """Any entries, signed and written, read back with their order, chain and signatures, and
    their signatures verify (the publication days left in the order given)."""
    key = SigningKey(bytes(range(32)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policies.lock"
        write_lock(path, sign_entries(entries, key))
        back = read_lock(path)
        assert back == tuple(entries)
        assert [e.signature for e in back] == [e.signature for e in sign_entries(entries, key)]
        trust = Trust({key.public.id: key.public})
        found = {p.code for p in log_problems(path, back, trust)}
        assert found <= {"backdated-publication"}
        assert lock_head(path) == back[-1].chain
