"""A CSV file read in byte ranges is the file read whole: the same records, lines, columns
and problems, at the same lines; a file that cannot be cut safely is not cut."""

from __future__ import annotations

import datetime
import hashlib
import io
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_facts_files import rep_fields

from policyengine.errors import FactsFileError, PolicyError
from policyengine.facts import _csv_ranges
from policyengine.facts._csv import READER
from policyengine.facts._csv_ranges import join, plan_ranges, plan_stream, read_range
from policyengine.facts._file import MAX_BAD_ROWS, FactsFile
from policyengine.facts._inputs import record_bytes

FILES = Path(__file__).parent / "fixtures" / "facts_files"
HEADER = ["rep_id", "name", "base_salary", "satisfaction"]
#: Cells as a month's files hold them: Chinese text, spaces, empty cells, commas' absence.
CELLS = st.text(alphabet="R0123 .-张三营销a\t", max_size=6)


def in_ranges(file: str, raw: bytes, fields: dict[str, Any], size: int) -> FactsFile | None:
    """The file read range by range, as a cluster's workers read it (None: not cut)."""
    plan = plan_ranges(file, raw, fields, size)
    if plan is None:
        return None
    rows = [read_range(file, raw[start:end], line, plan.names) for start, end, line in plan.ranges]
    read, items = join(plan, rows)
    assert items == list(map(record_bytes, read.records))
    return read


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A CSV file with the rep header (by name or by title), rows of the right width and
    ragged ones, blank lines, ``\\n`` or ``\\r\\n`` line ends, a BOM or none."""
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(HEADER)]
    for _ in range(draw(st.integers(1, 40))):
        width = draw(st.sampled_from([4, 4, 4, 3, 5, 0]))
        lines.append(",".join(draw(st.lists(CELLS, min_size=width, max_size=width))))
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    return (draw(st.sampled_from(["", "\ufeff"])) + text).encode()


@settings(max_examples=150, deadline=datetime.timedelta(seconds=3))
@given(raw=csv_files(), size=st.integers(1, 200))
def test_a_file_read_in_ranges_is_the_file_read_whole(raw: bytes, size: int) -> None:
    """Records, lines, columns, headers and refused rows (ragged, blank lines skipped),
    for any size of range; a file longer than one range is cut."""
    file = "call.csv"
    fields = rep_fields()
    whole = READER.read(file, raw, fields)
    ranged = in_ranges(file, raw, fields, size)
    if raw.find(b"\n") + 1 + size < len(raw):
        assert ranged is not None
    if ranged is not None:
        assert ranged == whole


@pytest.mark.parametrize(
    ("why", "raw"),
    [
        ("a quoted cell spans two lines", b'rep_id,name\nR1,"a\nb"\nR2,c\nR3,d\n'),
        ("a carriage return alone ends a line", b"rep_id,name\rR1,a\rR2,b\rR3,c\r"),
        ("a quoted cell", b'rep_id,name\nR1,"a,b"\nR2,c\nR3,d\n'),
        ("one line only", b"rep_id,name"),
        ("a blank first line", b"\nrep_id,name\nR1,a\nR2,b\n"),
        ("not UTF-8", "rep_id,name\nR1,张三\nR2,李四\n".encode("gb18030")),
    ],
)
def test_a_file_that_cannot_be_cut_safely_is_read_whole(why: str, raw: bytes) -> None:
    """Cutting such a file could only guess where a row ends: it is one range."""
    assert plan_ranges("rep.csv", raw, {}, 1) is None, why


def test_an_encoding_of_chinese_excel_is_read_whole() -> None:
    """GBK, GB18030 with its BOM and UTF-16 files are read whole (in their encoding)."""
    for name in ("rep_gbk.csv", "rep_gb18030_bom.csv", "rep_utf16.csv"):
        assert plan_ranges(name, (FILES / name).read_bytes(), rep_fields(), 1) is None


def test_too_many_bad_rows_over_several_ranges_refuse_the_file_as_reading_it_whole() -> None:
    """The rows refused alone are counted over the whole file: past the limit the file is
    refused with the first bad row's error (its line) and the count of the rest."""
    rows = ["R1,a,1,2", *(f"R{n},short" for n in range(MAX_BAD_ROWS + 5))]
    raw = ("\n".join([",".join(HEADER), *rows]) + "\n").encode()
    with pytest.raises(FactsFileError) as whole:
        READER.read("rep.csv", raw, rep_fields())
    with pytest.raises(FactsFileError) as ranged:
        in_ranges("rep.csv", raw, rep_fields(), 100)
    assert ranged.value.to_dict() == whole.value.to_dict()
    assert (ranged.value.code, ranged.value.location.line) == ("ragged-row", 3)


def test_a_bad_header_is_the_same_error_as_reading_the_file_whole() -> None:
    """An unknown column is refused at its line and column before any range is read."""
    raw = ("rep_id,nmae,base_salary\n" + "R1,a,1\n" * 50).encode()
    with pytest.raises(FactsFileError) as whole:
        READER.read("rep.csv", raw, rep_fields())
    with pytest.raises(FactsFileError) as ranged:
        plan_ranges("rep.csv", raw, rep_fields(), 10)
    assert ranged.value.to_dict() == whole.value.to_dict()
    assert (ranged.value.code, ranged.value.location.column) == ("unknown-column", 2)


class _Cluster:
    """What the reader asks of a Dask client: its workers (on another machine, or on
    ``host``); a task submitted fails, so that a test sees whether the reader would have
    cut the file."""

    def __init__(self, workers: int, host: str = "10.1.2.3") -> None:
        self.workers = {f"tcp://{host}:{n}": {"host": host} for n in range(workers)}

    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": self.workers}

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no range is read here")


def test_a_cluster_without_a_core_of_its_own_leaves_the_file_to_the_client(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Workers that take the client's only core read no faster than the client, which
    would only wait for them: the file is read whole, by the client, however large; one
    worker of its own cuts it; a JSON file is never cut, nor a missing file."""
    pytest.importorskip("distributed")  # the reader says the extra is missing before all else
    from policyengine.run._dask_read import RangedReader

    raw = ("rep_id,name\n" + "R1,a\n" * 100).encode()
    (tmp_path / "rep.csv").write_bytes(raw)
    (tmp_path / "rep.json").write_bytes(raw)
    monkeypatch.setattr("policyengine.facts._csv_ranges.RANGE_BYTES", 16)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert RangedReader(_Cluster(2, host="127.0.0.1"))(str(tmp_path / "rep.csv"), {}) is None
    assert RangedReader(_Cluster(2))(str(tmp_path / "rep.json"), {}) is None
    assert RangedReader(_Cluster(2))(str(tmp_path / "missing.csv"), {}) is None
    with pytest.raises(AssertionError, match="no range"):
        RangedReader(_Cluster(1))(str(tmp_path / "rep.csv"), {})


@pytest.mark.parametrize(("cores", "spare"), [(2, 1), (3, 2), (8, 2), (1, 0)])
def test_local_workers_count_only_for_the_cores_beside_the_client(
    monkeypatch: pytest.MonkeyPatch, cores: int, spare: int
) -> None:
    """Two workers of a local cluster on a machine of two cores share them with the
    client, which waits for them: they read as one, and the file is left to the client."""
    from policyengine.run._dask_read import spare_workers

    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert spare_workers(_Cluster(2, host="127.0.0.1")) == spare
    assert spare_workers(_Cluster(2)) == 2


@settings(
    max_examples=150,
    deadline=datetime.timedelta(seconds=3),
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # patched per example
)
@given(
    raw=st.one_of(csv_files(), st.binary(max_size=60), csv_files().map(lambda b: b + b'"')),
    size=st.integers(1, 60),
    block=st.integers(1, 9),
)
def test_a_file_planned_a_block_at_a_time_is_planned_as_one_block(
    raw: bytes, size: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ranges are planned from a file on disk a block at a time (never whole in the
    client): a ``\\r\\n``, a character of several bytes or a cut split between two blocks
    changes nothing, nor does a quote or a bad byte in the last block."""
    whole = _planned(raw, size)
    with monkeypatch.context() as patched:
        patched.setattr(_csv_ranges, "_CHECKED_BYTES", block)
        assert _planned(raw, size) == whole


def _planned(raw: bytes, size: int) -> Any:
    try:
        return plan_stream("call.csv", io.BytesIO(raw), len(raw), rep_fields(), size)
    except PolicyError as error:
        return error.code


class _Writing(_Cluster):
    """A cluster whose first range's task is submitted while someone saves the file."""

    def __init__(self, file: Path) -> None:
        super().__init__(2)
        self.file = file

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        with self.file.open("ab") as more:
            more.write(b"R9,late\n")
        return None


def test_a_file_written_while_its_ranges_are_read_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Read in ranges, a file is read several times (planned, then each range): one saved
    meanwhile would give a month mixing two versions of it. It is refused, located."""
    pytest.importorskip("distributed")
    from policyengine.run._dask_read import RangedReader

    file = tmp_path / "rep.csv"
    file.write_bytes(("rep_id,name\n" + "R1,a\n" * 100).encode())
    monkeypatch.setattr("policyengine.facts._csv_ranges.RANGE_BYTES", 16)
    with pytest.raises(FactsFileError) as raised:
        RangedReader(_Writing(file))(str(file), {})
    assert (raised.value.code, raised.value.form) == ("unreadable-facts", "changed")
    assert raised.value.location.file == str(file)


def test_a_range_read_from_the_disk_by_a_worker_is_the_range_planned(tmp_path: Path) -> None:
    """Workers on the client's machine read a range's bytes from the file (its bytes in
    the task would sit in the local scheduler, in the client's process): the bytes the
    client planned, or the file refused as changed, an error that crosses to the client."""
    file = tmp_path / "call.csv"
    file.write_bytes(b"call_id\nC1\nC2\nC3\n")
    digest = hashlib.sha256(b"C2\n").hexdigest()
    source = (str(file), 11, 14, digest)
    assert _csv_ranges.range_bytes("call.csv", source) == b"C2\n"
    assert _csv_ranges.range_bytes("call.csv", b"given") == b"given"
    file.write_bytes(b"call_id\nC1\nC9\nC3\n")  # saved again once the range was planned
    with pytest.raises(FactsFileError) as raised:
        _csv_ranges.range_bytes("call.csv", source)
    crossed = pickle.loads(pickle.dumps(raised.value))
    assert (crossed.code, crossed.form, crossed.location.file) == (
        "unreadable-facts",
        "changed",
        "call.csv",
    )
    with pytest.raises(FactsFileError):
        _csv_ranges.range_bytes("call.csv", (str(tmp_path / "gone.csv"), 0, 3, digest))
