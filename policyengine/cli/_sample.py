"""``policyengine sample``: example months of facts, generated with their hard cases."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core._period import Period
from ..errors import PolicyError
from ..facts._entities_file import load_entities
from ..facts._record_kinds import Entities
from ..facts._sample_csv import unknown_fields, write_months
from ..facts._sample_hard_cases import Refused, monthly
from ..load._layout import ENTITIES_NAME
from ..run._bundle import entities_from_policies
from ..run._repository import load
from ._common import spoken, spoken_line
from ._help_words import refused


def _months(text: str) -> list[Period]:
    """``2026-01..2026-03`` (every month from the first to the last), or one month."""
    first, _, last = text.partition("..")
    try:
        start, end = Period.parse(first.strip()), Period.parse((last or first).strip())
    except PolicyError:
        raise refused("not-a-month-range", text) from None
    if end < start:
        raise refused("backwards-range", text)
    found = []
    while start <= end:
        found.append(start)
        start = start.shift(1)
    return found


def _sample_entities(folder: str) -> Entities | None:
    """The record kinds of a policy folder: entities.yaml, or its policies' inputs; None
    when there is no such folder (then every generated field is written, by name)."""
    root = Path(folder)
    if (root / ENTITIES_NAME).is_file():
        return load_entities(root / ENTITIES_NAME)
    if not root.is_dir():
        return None
    repository = load(root)
    return entities_from_policies([v.policy for v in repository.versions])


#: The kinds the generator writes: a call centre's month.
SAMPLED = ("team", "rep", "call")


def _sampled(entities: Entities) -> bool:
    """Whether the sample fits a folder's kinds: reps, and no kind it does not write (a
    folder of agents and sales had a team file alone written, and reps counted)."""
    return "rep" in entities.kinds and set(entities.kinds) <= set(SAMPLED)


def cmd_sample(args: argparse.Namespace) -> int:
    entities = _sample_entities(args.policies)
    try:
        if entities is not None and not _sampled(entities):
            kinds = ", ".join(entities.kinds)
            raise Refused("sample-other-kinds", folder=args.policies, kinds=kinds)
        generated = monthly(
            args.months, teams=args.teams, reps=args.reps, calls=args.calls, seed=args.seed
        )
    except Refused as exc:
        print(spoken_line("sample-refused", reason=exc.said(spoken())), file=sys.stderr)
        return 2
    written = write_months(generated, args.out, entities)
    if entities is None:
        print(spoken_line("sample-no-folder", folder=args.policies), file=sys.stderr)
    else:
        for kind, names in unknown_fields(entities).items():
            unknown = spoken_line("sample-unknown-fields", kind=kind, names=", ".join(names))
            print(unknown, file=sys.stderr)
    for month in generated:
        counted = [
            spoken_line("sample-count", kind=k, count=len(r)) for k, r in month.facts.items()
        ]
        print(
            spoken_line(
                "sample-month", folder=Path(args.out) / month.period.key, counts=", ".join(counted)
            )
        )
        for line in month.cases.lines(spoken()):
            print("  " + line)
    print(spoken_line("sample-written", count=len(written), out=args.out, seed=args.seed))
    return 0


def arguments_sample(sample: argparse.ArgumentParser) -> None:
    sample.add_argument(
        "--policies",
        default="policies",
        metavar="DIR",
        help="the policy folder whose entities the files follow (default: policies)",
    )
    sample.add_argument(
        "--months",
        required=True,
        type=_months,
        metavar="FROM..TO",
        help="the months, e.g. 2026-01..2026-03 (or one month)",
    )
    sample.add_argument("--teams", type=int, default=3, help="teams (default: 3)")
    sample.add_argument("--reps", type=int, default=12, help="reps per team (default: 12)")
    sample.add_argument("--calls", type=int, default=2000, help="calls a month (default: 2000)")
    sample.add_argument("--seed", type=int, default=1, help="the generator's seed (default: 1)")
    sample.add_argument("--out", required=True, metavar="DIR", help="write the months here")
