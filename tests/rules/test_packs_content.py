"""The risk, coverage-gap and data-quality packs (content/packs): their own YAML test
cases on DuckDB and PostgreSQL, the pack families, the problem-data ratio, and the
text functions the identifier checks use.

The YAML cases are what policy people read; here each case's rows go into a real
registry on each engine, the pack is compiled for the case's entity and date (the
single-entity query a counter would run), and the case's expectations are compared.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from rules_support import Engine, Evaluate, create_tables, insert

from onething.kit.ids import make_resident_id
from onething.registry import schema
from onething.rules import Pack, compile_pack, load_pack
from onething.rules.authoring import PackTest, family_files
from onething.rules.testing import run_pack_tests

PACKS = Path(__file__).parents[2] / "content" / "packs"
OURS = (
    "fund_risk",
    "coverage_gap_person",
    "coverage_gap_enterprise",
    "data_quality_person",
    "data_quality_enterprise",
    "data_quality_contribution",
)
LOADED: dict[str, Pack] = {name: load_pack(PACKS / f"{name}.yaml") for name in OURS}
CASES = [
    pytest.param(name, i, id=f"{name}[{i}]")
    for name in OURS
    for i in range(len(LOADED[name].tests))
]


def _typed_rows(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    spec = schema.table(table)
    out = []
    for row in rows:
        typed = dict(row)
        for column, value in row.items():
            if spec.field(column).decimal is not None and value is not None:
                typed[column] = Decimal(str(value))
        out.append(typed)
    return out


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(actual, bool) or actual is None:
        return bool(expected == actual)
    if isinstance(actual, Decimal):
        return Decimal(str(expected)) == actual
    if isinstance(actual, int):
        return int(expected) == actual
    if isinstance(actual, date):
        return bool(expected == actual)
    return str(expected) == str(actual)


def check_case(engine: Engine, pack: Pack, case: PackTest) -> list[str]:
    """The expectations of ``case`` that do not hold on ``engine`` (empty when it passes)."""
    for table, rows in case.tables.items():
        engine.insert(table, _typed_rows(table, rows))
    compiled = compile_pack(pack, case.as_of, entity_ids=[case.entity_id])
    rows = [r for r in engine.rows(compiled) if str(r["entity_id"]) == case.entity_id]
    assert rows, f"no row for {case.entity_id}"
    failed = []
    for key, expected in case.expect.items():
        if key == "amount":
            for rule, amount in expected.items():
                got = {r[f"{rule}__amount"] for r in rows if r[f"{rule}__hit"]}
                if got != {Decimal(str(amount))}:
                    failed.append(f"amount {rule}: expected {amount}, got {got}")
        elif key == "variables":
            for name, value in expected.items():
                got = [r[name] for r in rows]
                if not all(_same(value, g) for g in got):
                    failed.append(f"variable {name}: expected {value!r}, got {got!r}")
        else:
            hit = any(r[f"{key}__hit"] for r in rows)
            if hit != expected:
                failed.append(f"{key}: expected {expected}, got {hit}")
    return failed


@pytest.mark.parametrize(("name", "index"), CASES)
def test_the_pack_cases_hold_on_every_engine(engine: Engine, name: str, index: int) -> None:
    pack = LOADED[name]
    case = pack.tests[index]
    assert check_case(engine, pack, case) == [], case.name


@pytest.mark.parametrize("name", OURS)
def test_the_packs_pass_their_tests_in_the_pack_test_runner(name: str) -> None:
    pack = LOADED[name]
    # Cases with deliberately wrong identifiers are left to the test above until the
    # runner skips the catalog's identifier checks for them (PackTest.invalid_identifiers).
    valid = [t for t in pack.tests if not t.invalid_identifiers]
    report = run_pack_tests(pack.model_copy(update={"tests": valid}))
    assert report.passed, [(c.name, [m.describe() for m in c.mismatches]) for c in report.failed]
    assert len(report.cases) == len(valid) >= 2


def test_every_rule_of_the_packs_is_tested_hit_and_not_hit() -> None:
    for name, pack in LOADED.items():
        seen: dict[str, set[bool]] = {}
        for case in pack.tests:
            for key, value in case.expect.items():
                if key not in ("amount", "variables"):
                    seen.setdefault(key, set()).add(bool(value))
        for rule in pack.rules:
            assert seen.get(rule.id) == {True, False}, f"{name}.{rule.id}: {seen.get(rule.id)}"


def test_a_family_name_stands_for_its_packs() -> None:
    assert [p.stem for p in family_files(PACKS, "coverage_gap")] == [
        "coverage_gap_enterprise",
        "coverage_gap_person",
    ]
    assert [p.stem for p in family_files(PACKS, "data_quality")] == [
        "data_quality_contribution",
        "data_quality_enterprise",
        "data_quality_person",
    ]
    assert [p.stem for p in family_files(PACKS, "fund_risk")] == ["fund_risk"]
    assert family_files(PACKS, "no_such_pack") == []
    assert {LOADED[n].family for n in OURS} == {None, "coverage_gap", "data_quality"}


def test_the_phases_let_the_case_engine_call_the_right_rules() -> None:
    phases = {r.id: (r.phase, r.severity) for r in LOADED["fund_risk"].rules}
    assert phases == {
        "early_pension_without_basis": ("pre", "block"),
        "award_running_after_death": ("pre", "block"),
        "award_running_in_prison": ("pre", "block"),
        "unemployment_benefit_while_employed": ("in", "block"),
        "unemployment_benefit_while_pension": ("in", "block"),
        "double_receipt": ("in", "block"),
        "pension_after_death": ("post", "block"),
        "benefit_during_incarceration": ("post", "block"),
        "abnormal_back_payment": ("post", "warn"),
    }
    for name in OURS:
        for rule in LOADED[name].rules:
            assert rule.message, f"{name}.{rule.id} has no message"


# -- the problem-data ratio -------------------------------------------------------------


def test_the_problem_data_ratio_is_exact_per_scenario_and_region() -> None:
    pack = LOADED["data_quality_person"]
    people = [
        (make_resident_id("370102", date(1980, 1, 1 + i), 11 + 2 * i), "370102") for i in range(4)
    ] + [(make_resident_id("370211", date(1990, 2, 1 + i), 21 + 2 * i), "370211") for i in range(3)]
    rows = [
        {
            "person_id": pid,
            "name": "张三",
            "sex": "M",
            "birth_date": date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14])),
            "hukou_region": region,
        }
        for pid, region in people
    ]
    rows[0]["sex"] = "F"  # sex_mismatch
    rows[4]["birth_date"] = date(1990, 3, 1)  # birth_date_mismatch
    rows[5]["sex"] = "F"  # both
    rows[5]["birth_date"] = date(1990, 3, 2)
    con = duckdb.connect()
    create_tables(con)
    insert(con, "persons", rows)
    compiled = compile_pack(pack, date(2025, 6, 30))
    by_region = con.execute(compiled.summary_sql("duckdb", by_region=True)).fetchall()
    columns = [d[0] for d in con.description]
    got = {r[1]: dict(zip(columns, r, strict=True)) for r in by_region}
    assert (got["370102"]["entities"], got["370102"]["problem_entities"]) == (4, 1)
    assert got["370102"]["problem_ratio"] == Decimal("0.2500000000")
    assert (got["370211"]["entities"], got["370211"]["problem_entities"]) == (3, 2)
    assert got["370211"]["problem_ratio"] == Decimal("0.6666666667")  # half up, 10 places
    assert got["370211"]["birth_date_mismatch__hits"] == 2
    assert got["370211"]["sex_mismatch__hits"] == 1
    [total] = con.execute(compiled.summary_sql("duckdb")).fetchall()
    assert total[:4] == ("base", 7, 3, Decimal("0.4285714286"))
    for dialect in ("postgres", "spark"):
        assert "problem_ratio" in compiled.summary_sql(dialect)


# -- the text functions of the identifier checks ------------------------------------------


def test_instr_translate_and_to_int(evaluate: Evaluate) -> None:
    rows = evaluate(
        {
            "at": "instr(s, t)",
            "kept": "translate(s, '0123456789', '')",
            "swapped": "translate(s, 'ab', 'x')",
            "n": "to_int(s)",
        },
        {"s": "text", "t": "text"},
        [
            {"s": "0123456789ABCDEFGHJKLMNPQRTUWXY", "t": "Y"},
            {"s": "007", "t": "7"},
            {"s": "abcab", "t": "I"},
            {"s": "12345678901234567", "t": "济"},
            {"s": "1234567890123456789", "t": ""},
            {"s": "12 3", "t": " "},
            {"s": "济南历下", "t": "历下"},
            {"s": "", "t": "a"},
        ],
    )
    assert [r["at"] for r in rows] == [31, 3, 0, 0, 1, 3, 3, 0]
    assert [r["kept"] for r in rows] == [
        "ABCDEFGHJKLMNPQRTUWXY",
        "",
        "abcab",
        "",
        "",
        " ",
        "济南历下",
        "",
    ]
    assert [r["swapped"] for r in rows][2] == "xcx"
    assert [r["n"] for r in rows] == [None, 7, None, 12345678901234567, None, None, None, None]
