"""A month's documents handed to the ledger packed: the same run as the bytes themselves.

A month's run hands the ledger its inputs and outputs hashed and compressed as they
were encoded (:class:`policyengine.audit.Packed`), and the ledger stores them as
they are. These tests check that nothing depends on the form: a run appended with
packed documents has the hash, the stored bytes and the verdict of the same run
appended with plain bytes, in a schema 3 ledger and in an older one (which keeps the
bytes in the run's row); and that a packed document made from parts whose hash or
size is not that of its bytes is refused before any ledger sees it.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine import LedgerError
from policyengine.audit import Packed, RunRecord
from policyengine.audit.ledger import open_ledger
from policyengine.core._packed import raw, sha256_of


def record(inputs: bytes | Packed, outputs: bytes | Packed) -> RunRecord:
    return RunRecord("2026-01", None, (), inputs, outputs, b"{}", label="packed")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=2_000), max_size=6))
def test_streamed_pieces_are_the_bytes_joined(pieces: list[bytes]) -> None:
    joined = b"".join(pieces)
    packed = Packed.streamed(pieces)
    assert packed == Packed.of(joined)  # the same hash and size, however it was cut
    assert packed.unpacked() == raw(packed) == joined
    assert (packed.sha256, packed.size) == (sha256_of(joined), len(joined))


SCHEMA2 = Path(__file__).parent / "fixtures" / "ledgers" / "schema2.sqlite"


def appended(
    path: Path, inputs: bytes | Packed, outputs: bytes | Packed
) -> tuple[str, bytes, bytes]:
    """The run's hash and its documents as the ledger gives them back, after a verify."""
    with open_ledger(path) as ledger:
        stored = ledger.append(record(inputs, outputs))
        again = ledger.get(stored.id).record
        assert ledger.verify() == []
    assert isinstance(again.inputs, bytes) and isinstance(again.outputs, bytes)
    return stored.hash, again.inputs, again.outputs


@pytest.mark.parametrize("older", [False, True], ids=["schema 3", "schema 2"])
def test_a_run_appended_packed_is_the_run_appended_as_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, older: bool
) -> None:
    """The same hash and the same bytes read back; a schema 2 ledger keeps the bytes in
    the run's row, unpacked."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # both runs recorded at one time
    inputs, outputs = b'{"rep":[{"rep_id":"R1"}]}' * 50, b'{"errors":[],"records":[]}'
    plain, packed = tmp_path / "plain.sqlite", tmp_path / "packed.sqlite"
    if older:
        for path in (plain, packed):
            path.write_bytes(SCHEMA2.read_bytes())
    as_bytes = appended(plain, inputs, outputs)
    as_packed = appended(packed, Packed.of(inputs), Packed.of(outputs))
    assert as_packed == as_bytes
    assert as_bytes[1:] == (inputs, outputs)


def test_a_packed_document_made_from_parts_is_checked() -> None:
    good = Packed.of(b"the month's inputs")
    assert Packed(good.sha256, good.size, good.packed) == good
    with pytest.raises(LedgerError) as wrong_hash:
        Packed("0" * 64, good.size, good.packed)
    assert wrong_hash.value.code == "blob-mismatch"
    with pytest.raises(LedgerError) as wrong_size:
        Packed(good.sha256, good.size + 1, good.packed)
    assert wrong_size.value.code == "blob-mismatch"
    with pytest.raises(LedgerError) as not_zlib:
        Packed(good.sha256, good.size, b"not a zlib stream")
    assert not_zlib.value.code == "blob-mismatch"
    assert zlib.decompress(good.packed) == b"the month's inputs"
