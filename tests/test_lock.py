"""Tests for policyengine.audit.lock: policies.lock, lock and verify."""

from __future__ import annotations

import datetime
import hashlib
import os
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core._display import unclean
from policyengine.errors import InvalidPolicy, PolicyError
from policyengine.load._lock import (
    HEADER,
    LOCK_NAME,
    LockEntry,
    lock,
    read_lock,
    scan,
    verify,
    write_lock,
)

PUBLISHED = datetime.date(2026, 1, 15)
FIRST_LINE = len(HEADER.splitlines()) + 1  # the line of the first entry
SHA = "0123456789abcdef" * 4
VERSIONS = {
    "commission/2026-01.yaml": ("commission", "2026-01"),
    "commission/2026-02.yaml": ("commission", "2026-02"),
    "电话礼仪/2026-01.yaml": ("电话礼仪", "2026-01"),
    "电话礼仪/2026-02.yaml": ("电话礼仪", "2026-02"),
}


def version_text(policy: str, version: str) -> str:
    """A small version file; `version:` is on line 3."""
    return (
        f'format: 1\npolicy: {policy}\nversion: "{version}"\neffective_from: {version}-01\n'
        "title: 测试政策\nrules:\n  - {id: total, kind: formula, expr: 1}\n"
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A policies folder with two policies of two versions each, and a file that is no version."""
    root = tmp_path / "policies"
    for path, (policy, version) in VERSIONS.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(version_text(policy, version), encoding="utf-8")
    (root / "entities.yaml").write_text("entities: {}\n", encoding="utf-8")
    return root


def codes(problems: list[PolicyError]) -> list[str]:
    return [p.code for p in problems]


def refusal(error: pytest.ExceptionInfo[InvalidPolicy]) -> list[str]:
    return codes(list(error.value.problems))


def test_lock_then_verify_is_clean(tree: Path) -> None:
    """Locking publishes every version file with its hash and day, and verify then finds nothing."""
    added = lock(tree, tree / LOCK_NAME, PUBLISHED)
    assert [e.path for e in added] == sorted([*VERSIONS, "entities.yaml"])
    entities = added[2]  # the record kinds are published too, as version 1 of `entities`
    assert (entities.policy, entities.version) == ("entities", "1")
    assert entities.sha256 == hashlib.sha256((tree / "entities.yaml").read_bytes()).hexdigest()
    added = tuple(e for e in added if e is not entities)
    for entry in added:
        raw = (tree / entry.path).read_bytes()
        assert entry.sha256 == hashlib.sha256(raw).hexdigest()
        assert (entry.policy, entry.version) == VERSIONS[entry.path]
        assert entry.published == PUBLISHED
    assert [e.line for e in added] == [FIRST_LINE, FIRST_LINE + 1, FIRST_LINE + 3, FIRST_LINE + 4]
    assert read_lock(tree / LOCK_NAME) == (*added[:2], entities, *added[2:])
    assert verify(tree, tree / LOCK_NAME) == []


def test_lock_is_idempotent(tree: Path) -> None:
    """Locking a second time adds nothing and leaves the lock file's bytes as they were."""
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    before = (tree / LOCK_NAME).read_bytes()
    assert lock(tree, tree / LOCK_NAME, datetime.date(2026, 2, 1)) == ()
    assert (tree / LOCK_NAME).read_bytes() == before


def test_lock_adds_only_new_versions_with_their_own_day(tree: Path) -> None:
    """A version added later is locked on its own day; the earlier entries are kept unchanged."""
    first = lock(tree, tree / LOCK_NAME, PUBLISHED)
    (tree / "commission/2026-03.yaml").write_text(
        version_text("commission", "2026-03"), encoding="utf-8"
    )
    added = lock(tree, tree / LOCK_NAME, datetime.date(2026, 3, 1))
    assert [(e.path, e.published) for e in added] == [
        ("commission/2026-03.yaml", datetime.date(2026, 3, 1))
    ]
    assert set(first) < set(read_lock(tree / LOCK_NAME))


def test_one_changed_byte_is_locked_file_changed(tree: Path) -> None:
    """Changing one byte of a locked file gives locked-file-changed with both hashes."""
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    path = tree / "commission/2026-01.yaml"
    locked = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(path.read_bytes().replace(b"expr: 1", b"expr: 2"))
    [problem] = verify(tree, tree / LOCK_NAME)
    assert problem.code == "locked-file-changed"
    assert problem.location.file == str(path)
    assert problem.details["locked_sha256"] == locked
    assert problem.details["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (problem.details["policy"], problem.details["version"]) == ("commission", "2026-01")
    assert "was published on 2026-01-15 and must not change" in problem.message
    assert problem.hint


def test_deleted_file_is_locked_file_missing(tree: Path) -> None:
    """Deleting a locked file gives locked-file-missing at its line of the lock."""
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    (tree / "电话礼仪/2026-02.yaml").unlink()
    [problem] = verify(tree, tree / LOCK_NAME)
    assert problem.code == "locked-file-missing"
    assert (problem.location.file, problem.location.line) == (str(tree / LOCK_NAME), FIRST_LINE + 4)
    assert problem.details["path"] == "电话礼仪/2026-02.yaml"


def test_copy_claiming_a_published_version_is_refused(tree: Path) -> None:
    """A new file claiming a version locked under another path is version-already-published."""
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    copy = tree / "commission/2026-01-copy.yaml"
    copy.write_text(
        version_text("commission", "2026-01").replace("expr: 1", "expr: 3"), encoding="utf-8"
    )
    [problem] = verify(tree, tree / LOCK_NAME)
    assert problem.code == "version-already-published"
    assert (problem.location.file, problem.location.line) == (str(copy), 3)
    assert problem.details["published_as"] == "commission/2026-01.yaml"


def test_locked_file_renumbered_is_changed_and_already_published(tree: Path) -> None:
    """A locked file whose version key was edited is reported as changed and as republished."""
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    path = tree / "commission/2026-01.yaml"
    path.write_text(version_text("commission", "2026-09"), encoding="utf-8")
    problems = verify(tree, tree / LOCK_NAME)
    assert sorted(codes(problems)) == ["locked-file-changed", "version-already-published"]
    assert {p.location.file for p in problems} == {str(path)}


def test_lock_refuses_while_verify_has_findings(tree: Path) -> None:
    """Lock raises verify's findings and writes nothing, not even the new draft."""
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    before = (tree / LOCK_NAME).read_bytes()
    (tree / "commission/2026-02.yaml").write_text(
        version_text("commission", "2026-02") + "# x\n", encoding="utf-8"
    )
    (tree / "commission/2026-03.yaml").write_text(
        version_text("commission", "2026-03"), encoding="utf-8"
    )
    with pytest.raises(InvalidPolicy) as error:
        lock(tree, tree / LOCK_NAME, datetime.date(2026, 3, 1))
    assert refusal(error) == codes(verify(tree, tree / LOCK_NAME)) == ["locked-file-changed"]
    assert (tree / LOCK_NAME).read_bytes() == before


def test_two_drafts_claiming_one_version_cannot_be_locked(tree: Path) -> None:
    """Two drafts claiming one policy and version pass verify but are refused by lock."""
    (tree / "commission/2026-01-copy.yaml").write_text(
        version_text("commission", "2026-01"), encoding="utf-8"
    )
    assert verify(tree, tree / LOCK_NAME) == []
    with pytest.raises(InvalidPolicy) as error:
        lock(tree, tree / LOCK_NAME, PUBLISHED)
    assert refusal(error) == ["duplicate-version"]
    assert not (tree / LOCK_NAME).exists()


def test_unreadable_or_unidentified_files_are_reported(tree: Path) -> None:
    """A file that cannot be read, or names no text version, is reported and blocks locking."""
    (tree / "commission/broken.yaml").write_text(
        'policy: commission\nversion: "2026-05\n', encoding="utf-8"
    )
    (tree / "commission/2026-06.yaml").write_text(
        version_text("commission", "x").replace('"x"', "2026-06-01"),  # a date, not text
        encoding="utf-8",
    )
    problems = verify(tree, tree / LOCK_NAME)
    assert codes(problems) == ["unidentified-version", "yaml-syntax"]
    assert problems[0].location.line == 3
    with pytest.raises(InvalidPolicy) as error:
        lock(tree, tree / LOCK_NAME, PUBLISHED)
    assert refusal(error) == codes(problems)


def test_scan_lists_version_files_only(tree: Path) -> None:
    """Scan lists every version file sorted, and skips top-level, hidden and non-YAML files;
    a hidden YAML file is not listed, and verify refuses it (see tests/test_layout.py)."""
    (tree / "commission/notes.txt").write_text("notes", encoding="utf-8")
    (tree / "电话礼仪/2026-03.yml").write_text(
        version_text("电话礼仪", "2026-03"), encoding="utf-8"
    )
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    (tree / "commission/.draft.yaml").write_text(
        version_text("commission", "2026-07"), encoding="utf-8"
    )
    assert [p.code for p in verify(tree, tree / LOCK_NAME)] == ["stray-policy-file"]
    found = scan(tree)
    assert [row[0] for row in found] == [*sorted(VERSIONS), "电话礼仪/2026-03.yml"]
    for path, policy, version, sha in found:
        assert sha == hashlib.sha256((tree / path).read_bytes()).hexdigest()
        assert policy == path.split("/")[0]
        assert path.startswith(policy) and version in path


def test_lock_file_is_sorted_commented_and_byte_identical_when_rewritten(tmp_path: Path) -> None:
    """write_lock sorts by path under a header and gives the same bytes when rewritten."""
    entries = [
        LockEntry("电话礼仪/2026-01.yaml", "电话礼仪", "2026-01", SHA, PUBLISHED),
        LockEntry("commission/2026-02.yaml", "commission", "2026-02", SHA, PUBLISHED),
        LockEntry("commission/2026-01.yaml", "commission", "2026-01", SHA, PUBLISHED),
    ]
    path = tmp_path / LOCK_NAME
    write_lock(path, entries)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER) and "must never be edited" in HEADER
    assert text.splitlines()[FIRST_LINE - 1 :] == [
        f"commission/2026-01.yaml  commission  2026-01  2026-01-15  sha256:{SHA}",
        f"commission/2026-02.yaml  commission  2026-02  2026-01-15  sha256:{SHA}",
        f"电话礼仪/2026-01.yaml  电话礼仪  2026-01  2026-01-15  sha256:{SHA}",
    ]
    before = path.read_bytes()
    write_lock(path, reversed(read_lock(path)))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_NAME]  # no temporary file left


def test_write_lock_keeps_the_file_mode(tmp_path: Path) -> None:
    """Rewriting the lock file keeps its permissions."""
    path = tmp_path / LOCK_NAME
    write_lock(path, [])
    os.chmod(path, 0o640)
    write_lock(path, [LockEntry("a/1.yaml", "a", "1", SHA, PUBLISHED)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_spaces_and_marks_inside_fields_are_escaped(tmp_path: Path) -> None:
    """A space, '#', '%' or full-width space inside a field is written %XX; Chinese stays as is."""
    entry = LockEntry("季 星/100%#1.yaml", "季\u3000星", "v 1", SHA, PUBLISHED)
    path = tmp_path / LOCK_NAME
    write_lock(path, [entry])
    line = path.read_text(encoding="utf-8").splitlines()[-1]
    assert line.split("  ")[:3] == ["季%20星/100%25%231.yaml", "季%E3%80%80星", "v%201"]
    assert read_lock(path) == (entry,)


def test_unreadable_or_unwritable_lock_file_is_an_error(tmp_path: Path) -> None:
    """A folder as lock path cannot be read; a lock in a missing folder cannot be written."""
    with pytest.raises(InvalidPolicy) as error:
        read_lock(tmp_path)
    assert refusal(error) == ["unreadable-file"]
    with pytest.raises(InvalidPolicy) as error:
        write_lock(tmp_path / "missing" / LOCK_NAME, [])
    assert refusal(error) == ["lock-unwritable"]
    assert list(tmp_path.iterdir()) == []


def test_missing_lock_file_means_nothing_published(tree: Path) -> None:
    """Without a lock file nothing is published: read_lock is empty and drafts are no findings."""
    assert read_lock(tree / LOCK_NAME) == ()
    assert verify(tree, tree / LOCK_NAME) == []


def test_malformed_lock_lines_are_lock_syntax_at_their_line(tmp_path: Path) -> None:
    """Every malformed line is reported at once as lock-syntax with its line and column."""
    path = tmp_path / LOCK_NAME
    good = f"a/1.yaml  a  1  2026-01-15  sha256:{SHA}"
    path.write_text(
        "\n".join(
            [
                "# comment",
                good,
                "",
                "a/2.yaml  a  2  2026-01-15",  # four fields
                f"a/3.yaml  a  3  2026-02-30  sha256:{SHA}",  # no such day
                f"a/4.yaml  a  4  2026-01-15  md5:{SHA}",  # not sha256
                f"../4.yaml  a  5  2026-01-15  sha256:{SHA}",  # leaves the folder
                f"a/6.yaml  a  6%2  2026-01-15  sha256:{SHA}",  # broken escape
                f"a/7.json  a  7  2026-01-15  sha256:{SHA.upper()}",  # two mistakes
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidPolicy) as error:
        read_lock(path)
    found = [(p.code, p.location.line, p.location.column) for p in error.value.problems]
    assert found == [
        ("lock-syntax", 4, 1),
        ("lock-syntax", 5, 17),
        ("lock-syntax", 6, 29),
        ("lock-syntax", 7, 1),
        ("lock-syntax", 8, 14),
        ("lock-syntax", 9, 1),
        ("lock-syntax", 9, 29),
    ]
    assert all(p.location.file == str(path) and p.hint for p in error.value.problems)
    # Each is worded by a form of its own, so that it is said in Chinese too.
    forms = [p.form for p in error.value.problems]
    assert forms == ["fields", "day", "sha256", "path", "escapes", "suffix", "sha256"]
    said = [p.render("zh") for p in error.value.problems]
    assert "2026-02-30" in said[1] and "日期" in said[1]
    assert all(not any(word in s for word in (" is not ", " fields", " does not ")) for s in said)


def test_lock_file_that_is_not_utf8_is_lock_syntax(tmp_path: Path) -> None:
    """A lock file saved in another encoding is lock-syntax at the line of the first bad byte."""
    path = tmp_path / LOCK_NAME
    path.write_bytes("# 锁\n".encode() + "a/1.yaml  电话  1".encode("gbk"))
    with pytest.raises(InvalidPolicy) as error:
        read_lock(path)
    assert [(p.code, p.location.line) for p in error.value.problems] == [("lock-syntax", 2)]
    assert "UTF-8 文本" in error.value.problems[0].render("zh")


def test_duplicate_entries_are_lock_duplicate(tmp_path: Path) -> None:
    """A path, or a policy and version, listed twice is lock-duplicate at the second line."""
    path = tmp_path / LOCK_NAME
    lines = [
        f"a/1.yaml  a  1  2026-01-15  sha256:{SHA}",
        f"a/1.yaml  a  9  2026-01-15  sha256:{SHA}",
        f"a/1-copy.yaml  a  1  2026-01-16  sha256:{SHA}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidPolicy) as error:
        read_lock(path)
    problems = error.value.problems
    assert [(p.code, p.location.line) for p in problems] == [
        ("lock-duplicate", 2),
        ("lock-duplicate", 3),
    ]
    assert "a/1.yaml is listed twice" in problems[0].message
    assert "a version 1 is listed twice" in problems[1].message


def test_write_lock_refuses_duplicates_and_writes_nothing(tmp_path: Path) -> None:
    """write_lock refuses entries that list one version twice, leaving no file behind."""
    path = tmp_path / LOCK_NAME
    twice = [
        LockEntry("a/1.yaml", "a", "1", SHA, PUBLISHED),
        LockEntry("a/2.yaml", "a", "1", SHA, PUBLISHED),
    ]
    with pytest.raises(InvalidPolicy) as error:
        write_lock(path, twice)
    assert refusal(error) == ["lock-duplicate"]
    assert list(tmp_path.iterdir()) == []


def test_verify_reports_lock_problems_and_checks_the_good_entries(tree: Path) -> None:
    """A malformed lock line is reported, and the entries that could be read are still checked."""
    lock(tree, tree / LOCK_NAME, PUBLISHED)
    with (tree / LOCK_NAME).open("a", encoding="utf-8") as stream:
        stream.write("not a lock line\n")
    (tree / "commission/2026-02.yaml").unlink()
    problems = verify(tree, tree / LOCK_NAME)
    assert [(p.code, p.location.line) for p in problems] == [
        ("locked-file-missing", FIRST_LINE + 1),
        ("lock-syntax", FIRST_LINE + 5),
    ]


# --- write_lock then read_lock, for any entries ---------------------------------------

SAFE = "abcxyz0129-_.%# \u3000\t电话礼仪佣金季星末位管理"
_text = st.text(
    st.one_of(st.sampled_from(SAFE), st.characters(codec="utf-8", exclude_characters="/")),
    min_size=1,
    max_size=10,
).filter(lambda text: unclean(text) is None)  # what a policy file and a path can hold
_segment = _text.filter(lambda s: not s.startswith("."))
_entries = st.builds(
    LockEntry,
    path=st.tuples(_segment, _text, st.sampled_from([".yaml", ".yml"])).map(
        lambda t: f"{t[0]}/{t[1]}{t[2]}" if not t[1].startswith(".") else f"{t[0]}/x{t[1]}{t[2]}"
    ),
    policy=_text,
    version=_text,
    sha256=st.binary(max_size=8).map(lambda b: hashlib.sha256(b).hexdigest()),
    published=st.dates(),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_entries, max_size=6, unique_by=(lambda e: e.path, lambda e: (e.policy, e.version)))
)
def test_write_then_read_round_trips(entries: list[LockEntry]) -> None:
    """Any entries written with write_lock are read back equal, sorted by path, one per line."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / LOCK_NAME
        write_lock(path, entries)
        read = read_lock(path)
        assert read == tuple(sorted(entries, key=lambda e: e.path))
        assert [e.line for e in read] == list(range(FIRST_LINE, FIRST_LINE + len(entries)))
        before = path.read_bytes()
        write_lock(path, read)
        assert path.read_bytes() == before


def test_lock_refuses_a_backdated_publication(tmp_path: Path) -> None:
    """Locking with a date before an earlier publication is refused: as_known_at trusts dates."""
    policies = tmp_path / "policies"
    (policies / "p").mkdir(parents=True)
    body = 'format: 1\npolicy: p\nversion: "{v}"\n'
    (policies / "p" / "a.yaml").write_text(body.format(v="a"), encoding="utf-8")
    lock(policies, policies / LOCK_NAME, datetime.date(2026, 3, 1))
    (policies / "p" / "b.yaml").write_text(body.format(v="b"), encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        lock(policies, policies / LOCK_NAME, datetime.date(2026, 2, 1))
    assert [p.code for p in caught.value.problems] == ["backdated-publication"]
    assert [e.path for e in lock(policies, policies / LOCK_NAME, datetime.date(2026, 3, 1))] == [
        "p/b.yaml"
    ]
