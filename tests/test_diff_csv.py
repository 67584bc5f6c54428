"""The diff's CSV holds no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from policyengine.audit._diff import Change, Diff
from policyengine.present._cells import csv_text_back


def test_diff_csv_cells_are_never_formulas() -> None:
    changes = (
        Change("rep", '=HYPERLINK("http://x")', "pay", "net", Decimal("-12.50"), Decimal("3")),
        Change("rep", "R2", "+policy", "@grade", "=1+1", "-B"),
    )
    no_result: Any = None
    text = Diff(changes, (), no_result, no_result).to_csv()
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["kind", "key", "policy", "output", "old", "new", "delta"]
    for row in rows:
        for cell in row:
            number = cell.lstrip("-").replace(".", "").isdigit()
            assert not cell or cell[0] not in "=+-@" or number, cell
    first, second = rows
    assert first[4:] == ["-12.50", "3", "15.50"]  # numbers stay numbers
    assert csv_text_back(first[1]) == '=HYPERLINK("http://x")'
    assert [csv_text_back(c) for c in second[2:6]] == ["+policy", "@grade", "=1+1", "-B"]
