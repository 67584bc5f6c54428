"""Record kinds: entities.yaml is checked at load, and facts are checked across kinds."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from policyengine import InvalidPolicy, PolicyError
from policyengine.facts._by_kind import TypedFacts, check_facts
from policyengine.facts._entities_file import entities_schema, load_entities
from policyengine.facts._io import read_bundle_facts
from policyengine.facts._record_kinds import Entities, Parent
from policyengine.read._schema import policy_schema

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
CENTRE = FIXTURES / "centre" / "entities.yaml"
HERE = FIXTURES / "entities"


@pytest.fixture(scope="module")
def centre() -> Entities:
    return load_entities(CENTRE)


def where(errors: tuple[PolicyError, ...]) -> list[tuple[str, Any, Any, Any]]:
    """Each error as (code, kind, record, field)."""
    return [(e.code, e.details["kind"], e.location.record, e.location.field) for e in errors]


def read(path: Path, entities: Entities) -> dict[str, tuple[dict[str, Any], ...]]:
    """A facts file read the way the command line reads it, by kind."""
    fields = {name: kind.fields for name, kind in entities.kinds.items()}
    return {kind: found.records for kind, found in read_bundle_facts(path, fields).items()}


# --- loading ---------------------------------------------------------------------------


def test_the_centre_entities_load(centre: Entities) -> None:
    """The centre's entities file loads: three kinds in file order, linked call → rep → team."""
    assert list(centre.kinds) == ["team", "rep", "call"]
    assert centre.ancestors("call") == ("rep", "team")
    assert centre.ancestors("team") == ()
    assert centre.children("team") == ("rep",)
    assert centre.children("call") == ()
    rep = centre.kinds["rep"]
    assert (rep.key, rep.parent, rep.title, rep.line) == (
        "rep_id",
        Parent("team", "team_id"),
        "电话营销代表（按月）",
        14,
    )
    assert rep.fields["left_on"].default == datetime.date(9999, 12, 31)
    assert rep.fields["role"].values == ("rep", "team_leader", "shift_leader")
    assert list(rep.fields)[:3] == ["rep_id", "name", "team_id"]
    assert len(centre.sha256) == 64 and centre.file == str(CENTRE)
    with pytest.raises(TypeError):
        centre.kinds["rep"].fields["x"] = rep.fields["name"]  # type: ignore[index]


# file -> (code, JSON pointer, line)
BAD = {
    "bad-unknown-key.yaml": ("unknown-key", "/kinds/team/titel", 4),
    "bad-field-type.yaml": ("not-allowed", "/kinds/team/fields/sales_target/type", 7),
    "bad-format.yaml": ("not-allowed", "/format", 1),
    "bad-missing-key.yaml": ("missing-key", "/kinds/team", 4),
    "bad-no-fields.yaml": ("empty", "/kinds/team/fields", 5),
    "bad-duplicate-kind.yaml": ("duplicate-key", "/kinds/team", 7),
    "bad-kind-name.yaml": ("invalid-identifier", "/kinds/call-log", 3),
    "bad-field-name.yaml": ("invalid-identifier", "/kinds/team/fields/class", 7),
    "bad-field-named-like-builtin.yaml": ("name-clash", "/kinds/team/fields/sum", 7),
    "bad-field-named-like-kind.yaml": ("name-clash", "/kinds/rep/fields/team", 12),
    "bad-key-not-a-field.yaml": ("unknown-key-field", "/kinds/team/key", 4),
    "bad-key-type.yaml": ("bad-key-type", "/kinds/team/key", 4),
    "bad-parent-kind.yaml": ("unknown-parent-kind", "/kinds/rep/parent/kind", 9),
    "bad-parent-field.yaml": ("unknown-parent-field", "/kinds/rep/parent/field", 9),
    "bad-parent-type.yaml": ("parent-type-mismatch", "/kinds/rep/parent/field", 9),
    "bad-parent-cycle.yaml": ("parent-cycle", "/kinds/team/parent/kind", 5),
    "bad-own-parent.yaml": ("parent-cycle", "/kinds/rep/parent/kind", 5),
    "bad-enum-without-values.yaml": ("enum-without-values", "/kinds/rep/fields/role", 7),
    "bad-list-without-of.yaml": ("list-without-item-type", "/kinds/rep/fields/skills", 7),
    "bad-default.yaml": ("bad-default", "/kinds/rep/fields/late_count/default", 7),
}


def test_every_bad_fixture_is_in_the_table() -> None:
    """Each bad-*.yaml fixture has its row in the table, and each row its fixture."""
    assert sorted(p.name for p in HERE.glob("bad-*.yaml")) == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_mistake_is_located(name: str) -> None:
    """Each bad entities file gives exactly its one expected code, pointer and line."""
    code, pointer, line = BAD[name]
    with pytest.raises(InvalidPolicy) as caught:
        load_entities(HERE / name)
    found = [(p.code, p.location.pointer, p.location.line) for p in caught.value.problems]
    assert found == [(code, pointer, line)]
    assert caught.value.problems[0].location.file == str(HERE / name)


def test_several_mistakes_in_one_load() -> None:
    """Four mistakes in one file are all reported in one load, sorted by line, with hints."""
    with pytest.raises(InvalidPolicy) as caught:
        load_entities(HERE / "several-mistakes.yaml")
    problems = caught.value.problems
    assert [(p.code, p.location.line, p.location.column) for p in problems] == [
        ("unknown-key", 8, 31),
        ("invalid-identifier", 9, 7),
        ("unknown-parent-kind", 12, 20),
        ("bad-default", 16, 40),
    ]
    assert problems[0].hint == "did you mean 'title'?"
    assert problems[2].hint == "did you mean 'team'?"


def test_a_cycle_is_reported_once(tmp_path: Path) -> None:
    """A loop of three kinds is one error naming the loop, at the first kind of the file."""
    path = tmp_path / "entities.yaml"
    kinds = "".join(
        f"  {name}:\n    key: id\n    parent: {{kind: {up}, field: up}}\n"
        "    fields: {id: string, up: string}\n"
        for name, up in (("a", "b"), ("b", "c"), ("c", "a"))
    )
    path.write_text("format: 1\nkinds:\n" + kinds, encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        load_entities(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.location.pointer) == ("parent-cycle", "/kinds/a/parent/kind")
    assert "a → b → c → a" in problem.message


def test_the_schema_shares_the_policy_field_syntax() -> None:
    """A kind's fields are written exactly as a policy's inputs: the schema defs are the same."""
    mine, policy = entities_schema()["$defs"], policy_schema()["$defs"]
    assert mine["field"] == policy["field"]
    assert mine["field_type"] == policy["field_type"]
    Draft202012Validator.check_schema(entities_schema())
    assert (ROOT / "schemas" / "entities.schema.json").resolve() == (
        ROOT / "policyengine" / "schemas" / "entities.schema.json"
    ).resolve()


# --- facts -----------------------------------------------------------------------------

TEN_MISTAKES = [
    ("not-a-bool", "call", "C03", "greeting"),
    ("duplicate-key", "call", "C04", "call_id"),
    ("missing-parent", "call", "C05", "rep_id"),
    ("missing-field", "rep", "R03", "base_salary"),
    ("not-a-date", "rep", "R04", "hired_on"),
    ("not-allowed", "rep", "R05", "role"),
    ("unknown-field", "rep", "R06", "dial"),
    ("not-a-number", "rep", "R07", "base_salary"),
    ("too-many-decimals", "team", "T3", "sales_target"),
    ("unknown-kind", "teams", None, None),
]


def test_ten_mistakes_give_ten_located_errors(centre: Entities) -> None:
    """A facts file with ten kinds of mistake gives ten located errors; good records are kept."""
    checked = check_facts(centre, read(HERE / "ten-mistakes.json", centre))
    assert where(checked.errors) == TEN_MISTAKES
    assert all(e.details["kind"] in e.message for e in checked.errors)
    keys = {kind: [r[centre.kinds[kind].key] for r in rs] for kind, rs in checked.records.items()}
    assert keys == {"team": ["T1", "T2"], "rep": ["R01", "R02"], "call": ["C01", "C02"]}
    r02 = checked.by_key("rep")["R02"]
    assert r02["hired_on"] == datetime.date(2024, 3, 1)
    assert r02["left_on"] == datetime.date(9999, 12, 31)
    assert r02["phone_bill"] == Decimal("180.5") and type(r02["dials"]) is int
    assert r02["malicious_grab"] is False and r02["referral_sales"] == 0
    assert checked.by_key("team")["T2"]["sales_target"] == Decimal("800000.00")
    assert checked.by_key("call")["C02"]["logged_same_day"] is False
    duplicate = checked.errors[1]
    assert duplicate.details["positions"] == [3, 4] and "3, 4" in duplicate.message
    assert checked.errors[-1].hint == "did you mean 'team'?"


def test_ten_mistakes_serialise(centre: Entities) -> None:
    """Every facts error turns into JSON data naming its kind, record and field."""
    checked = check_facts(centre, read(HERE / "ten-mistakes.json", centre))
    data = json.loads(json.dumps([e.to_dict() for e in checked.errors]))
    assert data[0]["location"] == {"record": "C03", "field": "greeting"}
    assert data[0]["details"] == {"kind": "call"}


TEAM = {"team_id": "T1", "team_name": "一组", "sales_target": "1000"}
CALL = {
    "call_id": "C1",
    "rep_id": "R1",
    "direction": "呼出",
    "rings": 1,
    "greeting": True,
    "introduced": True,
    "recorded_info": True,
    "customer_hung_up_first": True,
    "abusive": False,
}


def rep_record(rep_id: str = "R1", team_id: str = "T1", **more: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "rep_id": rep_id,
        "name": "王五",
        "team_id": team_id,
        "role": "rep",
        "hired_on": "2025-01-02",
        "base_salary": 3000,
        "credited_sales": 0,
        "self_sourced_sales": 0,
        "dials": 1,
        "talk_minutes": 1,
        "days_worked": 1,
        "phone_bill": 0,
        "satisfaction": "0.9",
        "attitude": 90,
        "service_quality": 90,
    }
    record.update(more)
    return record


def test_children_of_an_invalid_record_get_invalid_parent(centre: Entities) -> None:
    """A record with a problem is left out, and its children and grandchildren say why."""
    bad_team = dict(TEAM, sales_target="1.001")
    facts = {"team": [bad_team], "rep": [rep_record()], "call": [CALL]}
    checked = check_facts(centre, facts)
    assert where(checked.errors) == [
        ("invalid-parent", "call", "C1", "rep_id"),
        ("invalid-parent", "rep", "R1", "team_id"),
        ("too-many-decimals", "team", "T1", "sales_target"),
    ]
    assert dict(checked.records) == {"team": (), "rep": (), "call": ()}


def test_children_of_duplicates_get_invalid_parent(centre: Entities) -> None:
    """Both records sharing a key are left out, so a child naming that key has an invalid parent."""
    facts = {"team": [TEAM, dict(TEAM, team_name="又一组")], "rep": [rep_record()]}
    checked = check_facts(centre, facts)
    assert where(checked.errors) == [
        ("invalid-parent", "rep", "R1", "team_id"),
        ("duplicate-key", "team", "T1", "team_id"),
    ]


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u3000", "\t"])
def test_a_key_with_white_space_around_it_is_refused_not_a_second_record(
    centre: Entities, space: str
) -> None:
    """R1 written again as "R1 " (a space, a non-breaking or full-width one, a tab, before
    or after) would be a second rep paid twice: it is refused, never trimmed; R1 stays."""
    facts = {
        "team": [TEAM],
        "rep": [rep_record(), rep_record(rep_id="R1" + space), rep_record(rep_id=space + "R1")],
    }
    checked = check_facts(centre, facts)
    assert sorted(where(checked.errors)) == sorted(
        [
            ("key-white-space", "rep", space + "R1", "rep_id"),
            ("key-white-space", "rep", "R1" + space, "rep_id"),
        ]
    )
    assert [r["rep_id"] for r in checked.records["rep"]] == ["R1"]


def test_a_child_of_a_key_refused_for_its_white_space_is_left_out_with_it(
    centre: Entities,
) -> None:
    """rep.csv wrote "R1 " alone, and the calls name R1: they name that refused rep, so
    each is left out with it (invalid-parent), not a missing rep with a hint to write
    "R1 " (which sent HR after fifty wrong causes)."""
    facts = {"team": [TEAM], "rep": [rep_record(rep_id="R1 ")], "call": [CALL]}
    checked = check_facts(centre, facts)
    assert sorted(where(checked.errors)) == [
        ("invalid-parent", "call", "C1", "rep_id"),
        ("key-white-space", "rep", "R1 ", "rep_id"),
    ]


def test_refused_records_keep_the_parent_they_name(centre: Entities) -> None:
    """Each refused record's parent link is kept, so what sits above it is known after the
    raw facts are gone: a bad cell, a refused parent's child, and a repeated key."""
    bad_team = dict(TEAM, sales_target="1.001")
    twin = dict(TEAM, team_id="T2")
    facts = {
        "team": [bad_team, twin, dict(twin, team_name="又一组")],
        "rep": [rep_record(dials="many"), rep_record(rep_id="R2", team_id="T2")],
        "call": [dict(CALL, rep_id="R1")],
    }
    checked = check_facts(centre, facts)
    assert dict(checked.links) == {
        ("rep", "R1"): "T1",  # its own bad cell, and its team refused too
        ("rep", "R2"): "T2",  # its team's key was given twice
        ("call", "C1"): "R1",
    }


def test_owned_facts_are_let_go_as_they_are_typed(centre: Entities) -> None:
    """With owned=True the caller's lists are read in place and emptied record by record,
    and the typed records are plain dicts the caller may add to."""
    facts: dict[str, Any] = {"team": [dict(TEAM)], "rep": [rep_record()], "call": [dict(CALL)]}
    lists = {kind: records for kind, records in facts.items()}
    checked = check_facts(centre, facts, owned=True)
    assert checked.errors == ()
    assert all(records == [None] for records in lists.values())
    assert all(type(record) is dict for records in checked.records.values() for record in records)
    kept = check_facts(centre, {"team": (dict(TEAM),)})  # not owned: a read-only view
    assert type(kept.records["team"][0]) is not dict


def test_an_invalid_child_still_has_its_parent_checked(centre: Entities) -> None:
    """A child with a problem of its own is still told when its parent does not exist."""
    facts = {"team": [TEAM], "rep": [rep_record(team_id="T7", dials="many")]}
    checked = check_facts(centre, facts)
    assert where(checked.errors) == [
        ("not-a-whole-number", "rep", "R1", "dials"),
        ("missing-parent", "rep", "R1", "team_id"),
    ]


def test_a_record_without_a_usable_key_is_named_by_position(centre: Entities) -> None:
    """A record whose key is missing is named by its position, counting from 0."""
    facts: dict[str, Any] = {"team": [TEAM, {"team_name": "无编号", "sales_target": 1}]}
    checked = check_facts(centre, facts)
    assert where(checked.errors) == [("missing-field", "team", 1, "team_id")]
    assert list(checked.by_key("team")) == ["T1"]


def test_floats_and_non_records_are_refused(centre: Entities) -> None:
    """A float, a record that is not a mapping and a kind that is not a list are each reported."""
    facts: dict[str, Any] = {
        "team": [dict(TEAM, sales_target=1000.5), "T2"],
        "call": "C1",
    }
    checked = check_facts(centre, facts)
    assert where(checked.errors) == [
        ("not-a-record-list", "call", None, None),
        ("not-a-record", "team", 1, None),  # positions come before keys
        ("float-not-allowed", "team", "T1", "sales_target"),
    ]
    assert checked.records == {"team": ()}
    not_a_mapping = check_facts(centre, [TEAM])  # type: ignore[arg-type]
    assert where(not_a_mapping.errors) == [("not-a-record-list", None, None, None)]


def test_parents_are_checked_only_when_their_kind_is_given(centre: Entities) -> None:
    """Reps checked without any teams are kept: the facts say nothing about teams."""
    checked = check_facts(centre, {"rep": [rep_record()]})
    assert checked.errors == ()
    assert list(checked.by_key("rep")) == ["R1"]
    assert checked.by_key("team") == {}


def test_csv_headers_by_title_are_checked(centre: Entities, tmp_path: Path) -> None:
    """A folder of CSV files with Chinese headers is read by field title and checked."""
    (tmp_path / "team.csv").write_text(
        '小组编号,小组名称,小组月度销售目标\nT1,一组,"500,000.00"\nT2,二组,abc\n', encoding="utf-8"
    )
    checked = check_facts(centre, read(tmp_path, centre))
    assert where(checked.errors) == [("not-a-number", "team", "T2", "sales_target")]
    assert checked.by_key("team")["T1"]["sales_target"] == Decimal("500000.00")


# --- the facts schema ------------------------------------------------------------------


def test_facts_schema_accepts_good_and_refuses_bad(centre: Entities) -> None:
    """The generated schema is valid 2020-12, passes good facts and finds the mistakes it can."""
    generated = centre.facts_schema()
    Draft202012Validator.check_schema(generated)
    assert "float" not in json.dumps(generated)  # plain JSON data: no float defaults
    validator = Draft202012Validator(generated, format_checker=Draft202012Validator.FORMAT_CHECKER)
    document = json.loads((HERE / "ten-mistakes.json").read_text(encoding="utf-8"))
    good = {
        "team": document["team"][:2],
        "rep": document["rep"][:2],
        "call": document["call"][:2],
    }
    assert list(validator.iter_errors(good)) == []
    found = {"/".join(map(str, e.absolute_path)) for e in validator.iter_errors(document)}
    assert found == {
        "",  # the unknown kind "teams"
        "rep/2",  # base_salary missing
        "rep/3/hired_on",
        "rep/4/role",
        "rep/5",  # unknown field dial
        "rep/6/base_salary",
        "call/2/greeting",
    }
    rep = generated["properties"]["rep"]
    assert rep["title"] == "电话营销代表（按月）"
    assert "left_on" not in rep["items"]["required"] and "rep_id" in rep["items"]["required"]
    assert rep["items"]["properties"]["left_on"]["default"] == "9999-12-31"
    assert rep["items"]["properties"]["role"]["enum"] == ["rep", "team_leader", "shift_leader"]
    assert rep["items"]["properties"]["base_salary"]["title"] == "底薪"


def test_money_text_in_the_schema_has_at_most_two_places(centre: Entities) -> None:
    """Money written as text passes the schema with two decimal places and fails with three."""
    validator = Draft202012Validator(centre.facts_schema())
    team = dict(TEAM)
    assert validator.is_valid({"team": [dict(team, sales_target="1,000.50")]})
    assert not validator.is_valid({"team": [dict(team, sales_target="1000.505")]})


# --- order does not matter -------------------------------------------------------------

KEYS = st.sampled_from(["T1", "T2", "T3"])
TARGETS = st.sampled_from(["1000", "1000.001", "x", 5])
teams = st.lists(
    st.builds(lambda k, t: {"team_id": k, "team_name": "组", "sales_target": t}, KEYS, TARGETS),
    max_size=4,
)
reps = st.lists(
    st.builds(
        lambda k, t, d: rep_record(k, t, dials=d),
        st.sampled_from(["R1", "R2", "R3", "R4"]),
        st.sampled_from(["T1", "T2", "T3", "T4"]),
        st.sampled_from([1, "2", "two"]),
    ),
    max_size=6,
)
calls = st.lists(
    st.builds(
        lambda k, r, g: dict(CALL, call_id=k, rep_id=r, greeting=g),
        st.sampled_from(["C1", "C2", "C3", "C4", "C5"]),
        st.sampled_from(["R1", "R2", "R3", "R5"]),
        st.sampled_from([True, "否", "maybe"]),
    ),
    max_size=8,
)


def summary(checked: TypedFacts, kinds: list[str]) -> tuple[Any, ...]:
    found = sorted(where(checked.errors), key=repr)
    return (found, {kind: dict(checked.by_key(kind)) for kind in kinds})


@settings(max_examples=150, deadline=None)
@given(team=teams, rep=reps, call=calls, data=st.data())
def test_record_order_does_not_change_the_outcome(
    centre: Entities, team: list[Any], rep: list[Any], call: list[Any], data: st.DataObject
) -> None:
    """Shuffling each kind's records gives the same errors and the same records per key."""
    facts = {"team": team, "rep": rep, "call": call}
    shuffled = {kind: data.draw(st.permutations(records)) for kind, records in facts.items()}
    first, second = check_facts(centre, facts), check_facts(centre, shuffled)
    assert summary(first, list(facts)) == summary(second, list(facts))
    assert where(first.errors) == where(second.errors)
    for kind, records in facts.items():
        # Nothing is dropped silently: each record is kept or named by an error.
        key = centre.kinds[kind].key
        named = {e.location.record for e in first.errors if e.details["kind"] == kind}
        kept = {r[key] for r in first.records[kind]}
        assert all(r[key] in named | kept for r in records)
        assert not named & kept


def test_a_missing_parent_is_never_given_another_persons_key_as_a_hint(
    centre: Entities,
) -> None:
    """A call of R12, who is not in rep.csv, is not told "did you mean R1?": the nearest
    other key is another person. A key written otherwise (r1, full-width Ｒ1) is named."""
    facts = {
        "team": [TEAM],
        "rep": [rep_record()],
        "call": [dict(CALL, rep_id="R12"), dict(CALL, call_id="C2", rep_id="Ｒ1")],
    }
    checked = check_facts(centre, facts)
    hints = {e.location.record: e.hint for e in checked.errors if e.code == "missing-parent"}
    assert hints == {"C1": "add the rep record, or correct rep_id", "C2": "did you mean 'R1'?"}
