"""The public API works from a fresh interpreter, in the order a new user calls it.

``import policyengine`` loads its names on first use; a policy loaded that way must
evaluate (the engine registers itself on import: nothing may depend on another
name having been touched first).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "examples" / "standalone" / "policies" / "commission" / "2026-01.yaml"
RECORD = (
    '{"rep_id": "A01", "credited_sales": "123456.78", "self_sourced_sales": 0,'
    ' "dials": 700, "talk_minutes": 1600}'
)


@pytest.mark.parametrize(
    "load",
    [
        "import policyengine\npolicy = policyengine.load_policy(PATH)",
        "from policyengine import load_policy\npolicy = load_policy(PATH)",
        "import policyengine\npolicy = policyengine.load(FOLDER).for_period('2026-03')"
        ".versions[0].policy",
    ],
)
def test_a_policy_loaded_first_thing_evaluates(load: str) -> None:
    script = (
        f"import json\nPATH = {str(POLICY)!r}\nFOLDER = {str(POLICY.parent.parent)!r}\n"
        + load
        + f"\nrecord = json.loads({RECORD!r})\n"
        "one = policy.evaluate(record, period='2026-03')\n"
        "many = policy.evaluate_many([record], period='2026-03')\n"
        "print(one.outputs['commission'], many.results[0].outputs['commission'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4320.99", "4320.99"]
