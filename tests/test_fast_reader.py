"""The fast reader of typed records agrees with the general reader on every record."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.errors import PolicyError
from policyengine.facts._records import coerce_record
from policyengine.model import Field

FIELDS = MappingProxyType(
    {
        "rep_id": Field("rep_id", "string"),
        "role": Field("role", "enum", ("rep", "leader")),
        "sales": Field("sales", "money"),
        "rate": Field("rate", "decimal"),
        "dials": Field("dials", "int"),
        "active": Field("active", "bool"),
        "hired": Field("hired", "date"),
    }
)

#: Values of each field's own type, as another system passes them.
_TYPED: dict[str, st.SearchStrategy[Any]] = {
    "rep_id": st.text(max_size=5),
    "role": st.sampled_from(["rep", "leader"]),
    "sales": st.decimals(allow_nan=False, allow_infinity=False, places=2),
    "rate": st.decimals(allow_nan=False, allow_infinity=False),
    "dials": st.integers(-5, 10**6),
    "active": st.booleans(),
    "hired": st.dates(),
}
#: Values the fast reader must leave to the general one (or read the same way).
_OTHER: dict[str, st.SearchStrategy[Any]] = {
    # Text holding an unclean character (a control, bidi or zero-width one, a lone
    # surrogate) is refused alike; a line break in text is not.
    "rep_id": st.sampled_from([7, None, b"R1", "R\x1b1", "\u202eR1", "R\ud800", "R\u200b", "R\n1"]),
    "role": st.sampled_from(["Rep", "boss", 1, None, "rep\u200b", "\x1b[2Jrep"]),
    "sales": st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=3),
        st.sampled_from(
            [
                Decimal("1.230"),
                Decimal("NaN"),
                Decimal("Infinity"),
                Decimal("1E+40"),
                5,
                "12.50",
                1.5,
            ]
        ),
    ),
    "rate": st.sampled_from(
        [
            *("3%", 0.5, True, Decimal("NaN"), 2, Decimal("1E-29"), Decimal("0E-999999")),
            *(Decimal("1E+28"), Decimal("-" + "9" * 29), Decimal("0." + "1" * 30)),
        ]
    ),
    "dials": st.sampled_from(
        [True, "7", Decimal("2.0"), 2.0, None, 10**28, -(10**28), "9" * 29, Decimal("1E+28")]
    ),
    "active": st.sampled_from(["yes", 0, None, "true"]),
    "hired": st.sampled_from(["2026-01-31", datetime.datetime(2026, 1, 1), None]),
}


#: The same values written as text, as a CSV file holds them, common spellings and not.
_TEXT: dict[str, st.SearchStrategy[Any]] = {
    "rep_id": st.text(max_size=5),
    "role": st.sampled_from(["rep", "leader", " rep"]),
    "sales": st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.sampled_from(["12.5", "007.50", "1,234.50", " 3.00", "12.", ".5", "١٢", "1e3"]),
        st.sampled_from(["9" * 28, "9" * 29, "1" * 27 + ".25", "1e999999999"]),
    ),
    "rate": st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.sampled_from(["3%", "0.035", "00.1"]),
    ),
    "dials": st.one_of(
        st.integers(0, 10**6).map(str), st.sampled_from(["007", "-5", " 7", "²", "+3"])
    ),
    "active": st.sampled_from(["true", "false", "TRUE", "False", "yes", "是", " true"]),
    "hired": st.one_of(
        st.dates().map(str), st.sampled_from(["20260131", "2026-W05-6", " 2026-01-31"])
    ),
}


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly typed (or text) records, with none to three fields spoilt, missing or added."""
    written = draw(st.sampled_from([_TYPED, _TEXT]), label="as passed or as text")
    record = {name: draw(written[name]) for name in _TYPED}
    for name in draw(st.sets(st.sampled_from(list(FIELDS)), max_size=2)):
        record[name] = draw(_OTHER[name] | _TEXT[name] | _TYPED[name])
    if draw(st.integers(0, 5)) == 0:
        del record[draw(st.sampled_from(list(FIELDS)))]
    if draw(st.integers(0, 5)) == 0:
        record[draw(st.sampled_from(["extra", "salse"]))] = 1
    return record


def _outcome(record: Any) -> Any:
    try:
        typed = coerce_record(FIELDS, record, "R1")
    except PolicyError as error:
        problems = getattr(error, "problems", (error,))
        return ("error", sorted((p.code, p.location.field) for p in problems))
    return ("typed", {k: (type(v), str(v)) for k, v in typed.items()})


@settings(max_examples=600, deadline=None)
@given(records())
def test_fast_and_general_readers_agree(record: dict[str, Any]) -> None:
    """A plain dict (the fast reader's case) and the same record behind a read-only view
    (always the general reader) give the same typed record or the same problems."""
    assert _outcome(record) == _outcome(MappingProxyType(record))


def test_the_fast_reader_returns_a_fresh_record_of_the_same_values() -> None:
    """A typed record comes back as a new dict holding the very values given."""
    sales = Decimal("123.45")
    record = {
        "rep_id": "R1",
        "role": "rep",
        "sales": sales,
        "rate": Decimal("0.035"),
        "dials": 3,
        "active": True,
        "hired": datetime.date(2026, 1, 5),
    }
    typed = coerce_record(FIELDS, record, "R1")
    assert typed == record and typed is not record and typed["sales"] is sales


_SPELLINGS = {
    "sales": [
        "12.50",
        "12.5",
        "12.505",
        "007.50",
        "1,234.50",
        " 3.00",
        "12.",
        ".5",
        "١٢",
        "1e3",
        "-1",
    ],
    "rate": ["0.035", "3%", "00.1", "1.5", "NaN"],
    "dials": ["7", "007", "-5", " 7", "²", "+3", "7.0"],
    "active": ["true", "false", "TRUE", "FALSE", "yes", "no", "是", "否", " true", "1", "0", "t"],
    "hired": ["2026-01-31", "20260131", "2026-W05-6", " 2026-01-31", "2026-02-30", "31/01/2026"],
    "role": ["rep", "leader", " rep", "Rep"],
}


def test_each_text_spelling_reads_as_the_general_reader_reads_it() -> None:
    """One field at a time written as text in an otherwise typed record: the fast reader
    gives the general reader's value or leaves the record to it."""
    base = {
        "rep_id": "R1",
        "role": "rep",
        "sales": Decimal("123.45"),
        "rate": Decimal("0.035"),
        "dials": 3,
        "active": True,
        "hired": datetime.date(2026, 1, 5),
    }
    for name, spellings in _SPELLINGS.items():
        for text in spellings:
            record = {**base, name: text}
            assert _outcome(record) == _outcome(MappingProxyType(record)), (name, text)
