"""The commands on policy files: validate, test, eval."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..core._suggest import did_you_mean
from ..errors import InvalidPolicy, Location, PolicyError, UsageError
from ..facts._entities_file import load_entities
from ..facts._io import FORMAT_NAMES, read_facts
from ..load._build import build_policy, entities_beside, load_policy_in_place
from ..load._layout import ENTITIES_NAME, loose_policy_files
from ..model import Field, Policy
from ..present._texttable import cell, format_table
from ..read._source import read_policy_file
from ..run._engine import Result, evaluate_many
from ..run._repository import load, policy_folder
from ..run._testing import run_tests
from ._common import counted, headers, problems_found, say, spoken, spoken_line

if TYPE_CHECKING:
    from ..facts._record_kinds import Entities


def policy_files(paths: Iterable[str]) -> tuple[list[Path], list[PolicyError]]:
    """The policy files named, with folders searched for them (see
    :func:`~policyengine.load._layout.loose_policy_files`), and the stray YAML files met."""
    found: list[Path] = []
    stray: list[PolicyError] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files, refused = loose_policy_files(path)
            found.extend(files)
            stray.extend(refused)
        else:
            found.append(path)
    return found, stray


def _load_all(paths: Iterable[str], out: TextIO) -> tuple[list[Policy], int]:
    policies: list[Policy] = []
    problems = 0
    files, stray = policy_files(paths)
    if not files and not stray:
        print(spoken_line("no-policy-files"), file=out)
        return policies, 1
    for name in paths:
        if (Path(name) / ENTITIES_NAME).is_file():
            # A policy folder: checked whole, so names read across policies are checked too
            # (and its layout, stray files included, is the one `run` reads).
            try:
                repository = load(name)
            except InvalidPolicy as exc:
                for problem in exc.problems:
                    print(say(problem), file=out)
                problems += len(exc.problems)
            else:
                policies.extend(v.policy for v in repository.versions)
            files = [f for f in files if Path(name) not in f.parents]
            stray = [p for p in stray if Path(name) not in Path(p.location.file or "").parents]
    for problem in stray:
        print(say(problem), file=out)
    problems += len(stray)
    for path in files:
        try:
            policies.append(load_policy_in_place(path))
        except InvalidPolicy as exc:
            for problem in exc.problems:
                print(say(problem), file=out)
            problems += len(exc.problems)
    return policies, problems


def cmd_validate(args: argparse.Namespace) -> int:
    policies, problems = _load_all(args.paths, sys.stdout)
    if problems:
        print(problems_found(problems), file=sys.stdout)
        return 2
    versions = len(policies)
    ids = len({p.id for p in policies})
    print(
        spoken_line(
            "valid", versions=counted("versions", versions), policies=counted("policies", ids)
        )
    )
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    policies, problems = _load_all(args.paths, sys.stdout)
    outcomes = run_tests(policies)
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes:
        if not outcome.passed or args.verbose:
            print(outcome.render(spoken()))
    print(spoken_line("tests", passed=len(outcomes) - len(failed), failed=len(failed)))
    if problems:
        return 2
    return 1 if failed else 0


def _eval_context(args: argparse.Namespace) -> tuple[Policy, Entities | None]:
    """The policy of ``eval`` and the record kinds it is read with: those of
    ``--policies DIR`` when named (none when DIR has no entities.yaml), else those
    of the folder the file sits in, as ``validate`` and ``test`` read it."""
    if args.policies is None:
        entities = entities_beside(args.policy)
    else:
        beside = policy_folder(args.policies) / ENTITIES_NAME
        entities = load_entities(beside) if beside.is_file() else None
    return build_policy(read_policy_file(args.policy), entities), entities


def _facts_fields(policy: Policy, entities: Entities | None) -> Mapping[str, Field]:
    """The fields a facts file is read with: every field of the policy's kind when
    the kinds are known (a month's file of that kind has them all), else its inputs."""
    kind = policy.applies_to
    if entities is not None and kind is not None and kind in entities.kinds:
        return entities.kinds[kind].fields
    return policy.inputs


def cmd_eval(args: argparse.Namespace) -> int:
    try:
        policy, entities = _eval_context(args)
    except InvalidPolicy as exc:
        for problem in exc.problems:
            print(say(problem), file=sys.stderr)
        return 2
    if args.explain not in (None, "*") and args.explain not in policy.output_names:
        hint = did_you_mean(args.explain, policy.output_names)
        finding = UsageError.from_template(
            "unknown-output",
            form="eval",
            location=Location(file=str(args.policy)),
            hint=hint,
            words={"output": args.explain, "outputs": ", ".join(policy.output_names)},
        )
        print(say(finding), file=sys.stderr)
        return 2
    try:
        facts = read_facts(args.facts, _facts_fields(policy, entities))
        # A record without a key is labelled by its row in the file, as its errors are
        # located (a JSON list has no rows: its place in the list, counting from 1).
        rows = [line or index + 1 for index, line in enumerate(facts.lines)]
        batch = evaluate_many(policy, facts.records, period=args.period, positions=rows)
    except PolicyError as exc:
        print(say(exc), file=sys.stderr)
        return 2
    results = batch.results
    explained: tuple[str, ...] = ()
    if args.explain is not None:
        explained = policy.output_names if args.explain == "*" else (args.explain,)
    if args.format == "json":
        documents = []
        for result in results:
            data = result.to_dict()
            if explained:
                data["explanations"] = {name: result.trace(name) for name in explained}
            documents.append(data)
        document = {"results": documents, "errors": [e.to_dict() for e in batch.errors]}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_table(policy, results, sys.stdout)
        for result in results if explained else ():
            print("\n" + spoken_line("eval-record", record=result.record))
            for name in explained:
                print(result.explain(name, spoken()))
    for index, item in enumerate(batch):
        if isinstance(item, PolicyError):
            line = facts.lines[index]
            where = f"{facts.file}:{line}: " if line else f"{facts.file}: "
            print(where + say(item), file=sys.stderr)
    if batch.errors:
        failed = spoken_line("eval-failed", failed=len(batch.errors), count=len(batch))
        print(failed, file=sys.stderr)
        return 2
    return 0


def _print_table(policy: Policy, results: Sequence[Result], out: TextIO) -> None:
    rows = [[str(r.record), *(cell(r.outputs[n]) for n in policy.output_names)] for r in results]
    print(format_table([*headers("record"), *policy.output_names], rows), file=out)


def arguments_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="policy files or folders")


def arguments_test(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="policy files or folders")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list passing cases")


def arguments_eval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("policy", metavar="POLICY", help="the policy file")
    parser.add_argument(
        "--policies",
        metavar="DIR",
        help="the policy folder whose entities.yaml the policy is read with "
        "(default: the folder the file sits in)",
    )
    parser.add_argument("--facts", required=True, metavar="FILE", help=f"records: {FORMAT_NAMES}")
    parser.add_argument("--period", metavar="YYYY-MM", help="the month evaluated")
    parser.add_argument(
        "--explain",
        nargs="?",
        const="*",
        metavar="OUTPUT",
        help="explain every output (or the one named) of every record",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
