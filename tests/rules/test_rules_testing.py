"""The pack test executor: a pack's ``tests:`` cases checked, batched, run and compared.

The cases are written here against the compiler's test pack (``job_retention_test``, whose
file has no ``tests:`` section of its own); expected figures are computed in this file
from the rows it writes, never read back from the executor.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from rules_support import PACKS, pack_of

from onething.kit.ids import make_credit_code, make_resident_id
from onething.rules import Pack, RulesError, load_pack
from onething.rules.authoring import PackTest
from onething.rules.testing import (
    Mismatch,
    PackTestReport,
    format_report,
    run_pack_tests,
    run_tests,
)

D = Decimal
AS_OF = date(2025, 6, 30)
RETENTION = load_pack(PACKS / "job_retention_test.yaml")
FIRM = make_credit_code("370102", "MA3C0021")
OTHER = make_credit_code("370211", "MA3C0022")
EMPLOYER, EMPLOYEE = D("41.20"), D("10.30")


def person(n: int) -> str:
    return make_resident_id("370102", date(1975 + n % 25, 1 + n % 12, 1 + n % 28), 200 + n)


def firm(eid: str = FIRM, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "enterprise_id": eid,
        "name": "济南历下精工有限公司",
        "region_code": "370102",
        "size": "small",
        "established_on": date(2008, 5, 1),
        "insured_on": date(2009, 1, 1),
    }
    row.update(fields)
    return row


def paid(eid: str, people: int, months: int, year: int = 2024) -> list[dict[str, Any]]:
    return [
        {
            "person_id": person(p),
            "enterprise_id": eid,
            "scheme": "unemployment",
            "period": date(year, m, 1),
            "employer_amount": EMPLOYER,
            "employee_amount": EMPLOYEE,
            "paid_on": date(year, m, 15),
        }
        for p in range(people)
        for m in range(1, months + 1)
    ]


def dismissed(eid: str, people: int, end: date = date(2024, 9, 30)) -> list[dict[str, Any]]:
    return [
        {
            "spell_id": 1000 + p,
            "person_id": person(p),
            "enterprise_id": eid,
            "start_date": date(2016, 3, 1),
            "end_date": end,
            "end_reason": "dismissed",
        }
        for p in range(people)
    ]


def case(name: str, tables: dict[str, Any], expect: dict[str, Any], **extra: Any) -> PackTest:
    return PackTest.model_validate(
        {
            "name": name,
            "as_of": extra.pop("as_of", AS_OF),
            "entity_id": extra.pop("entity_id", FIRM),
            "tables": tables,
            "expect": expect,
            **extra,
        }
    )


def with_tests(pack: Pack, *tests: PackTest) -> Pack:
    return pack.model_copy(update={"tests": list(tests)})


def cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


# -- passing, failing, batching -------------------------------------------------------------


def test_the_retention_pack_cases_pass_with_figures_computed_from_their_rows() -> None:
    people, laid_off = 20, 4  # 4 / 20 = 20%: exactly the small-firm limit ("不高于20%")
    refund = cents(people * 12 * (EMPLOYER + EMPLOYEE) * D("0.60"))
    pack = with_tests(
        RETENTION,
        case(
            "小企业裁员率恰为 20%：返还",
            {
                "enterprises": [firm()],
                "contributions": paid(FIRM, people, 12),
                "employment_spells": dismissed(FIRM, laid_off),
            },
            {
                "refund_eligible": True,
                "dispatch_must_apply": False,
                "amount": {"refund_eligible": str(refund)},
                "variables": {
                    "layoff_rate": str(D(laid_off) / people),
                    "contributed_months": 12,
                    "insured_headcount": str(people),
                    "labour_dispatch": False,
                    "name": "济南历下精工有限公司",
                    "insured_on": "2009-01-01",
                },
            },
        ),
        case(
            "只缴 7 个月：不返还",
            {"enterprises": [firm()], "contributions": paid(FIRM, 3, 7)},
            {"refund_eligible": False, "amount": {"refund_eligible": None}},
        ),
        case(
            "劳务派遣单位须自行申请",
            {
                "enterprises": [firm(labour_dispatch=True)],
                "contributions": paid(FIRM, 2, 12),
            },
            {"refund_eligible": False, "dispatch_must_apply": True},
        ),
    )
    report = run_pack_tests(pack)
    assert report.passed, format_report(report, "en")
    assert [c.passed for c in report.cases] == [True, True, True]
    assert report.cases[0].outcomes["refund_eligible"].amount == refund
    assert isinstance(report.cases[0].outcomes["refund_eligible"].amount, Decimal)
    assert report.cases[0].variables["laid_off"] == laid_off
    assert (report.pack, report.version, report.engine) == (
        "job_retention_test",
        "2025.1",
        "duckdb",
    )


def test_a_failing_case_is_reported_with_expected_actual_and_the_failed_clause() -> None:
    people, laid_off = 20, 5  # 25% > 20%: the rule does not hit, yet the case expects it
    refund = cents(people * 12 * (EMPLOYER + EMPLOYEE) * D("0.60"))
    pack = with_tests(
        RETENTION,
        case(
            "裁员率 25%（预期写错）",
            {
                "enterprises": [firm()],
                "contributions": paid(FIRM, people, 12),
                "employment_spells": dismissed(FIRM, laid_off),
            },
            {
                "refund_eligible": True,
                "amount": {"refund_eligible": str(refund)},
                "variables": {"layoff_rate": "0.2", "contributed_months": 12},
            },
        ),
    )
    report = run_pack_tests(pack)
    assert not report.passed
    (failed,) = report.failed
    kinds = {(m.kind, m.name): m for m in failed.mismatches}
    assert set(kinds) == {
        ("hit", "refund_eligible"),
        ("amount", "refund_eligible"),
        ("variable", "layoff_rate"),
    }
    hit = kinds["hit", "refund_eligible"]
    assert (hit.expected, hit.actual) == (True, False)
    assert hit.outcome is not None
    assert [c.detail for c in hit.outcome.failing] == [
        f"layoff_rate = {D(laid_off) / people} > layoff_limit = 0.20"
    ]
    amount = kinds["amount", "refund_eligible"]
    assert (amount.expected, amount.actual) == (refund, None)
    rate = kinds["variable", "layoff_rate"]
    assert rate.expected == D("0.2")
    assert rate.actual == D(laid_off) / people
    assert rate.outcome is None
    text = format_report(report, "en")
    assert "0/1 cases passed" in text
    assert "rule refund_eligible: expected a hit, got no hit" in text
    assert "layoff_rate = 0.25 > layoff_limit = 0.20" in text
    assert "✗ [0] 裁员率 25%（预期写错）" in format_report(report)
    assert "预期命中，实际未命中" in format_report(report)


def test_cases_are_isolated_though_they_reuse_keys_and_batched_by_run_date() -> None:
    # Three cases about the same enterprise with different rows, on two run dates.
    pack = with_tests(
        RETENTION,
        case(
            "12 个月",
            {"enterprises": [firm()], "contributions": paid(FIRM, 1, 12)},
            {"variables": {"contributed_months": 12}},
        ),
        case(
            "5 个月",
            {"enterprises": [firm()], "contributions": paid(FIRM, 1, 5)},
            {"variables": {"contributed_months": 5}},
        ),
        case(
            "2024 年运行：上年为 2023 年",
            {"enterprises": [firm()], "contributions": paid(FIRM, 2, 9, year=2023)},
            {"variables": {"contributed_months": 9, "paid_last_year": str(2 * 9 * D("51.50"))}},
            as_of=date(2024, 3, 31),
        ),
        case(
            "另一家企业的数据不算",
            {
                "enterprises": [firm(), firm(OTHER, size="large")],
                "contributions": paid(OTHER, 1, 12),
            },
            {"variables": {"contributed_months": 0, "size": "small"}},
        ),
    )
    report = run_pack_tests(pack)
    assert report.passed, format_report(report, "en")
    assert report.queries == 2  # one per run date, not one per case
    assert [c.as_of for c in report.cases] == [AS_OF, AS_OF, date(2024, 3, 31), AS_OF]


def test_an_entity_with_an_integer_key_and_typed_variables() -> None:
    worker = person(3)
    pack = pack_of(
        entity="hire",
        entities={"hire": {"table": "employment_spells", "key": "spell_id"}},
        variables={
            "started": {"column": "start_date"},
            "ended": {"column": "end_date"},
            "reason": {"column": "end_reason"},
            "days": {"expr": "days_between(started, coalesce(ended, as_of))"},
        },
        rules=[
            {"id": "short_spell", "label": "短期就业", "condition": "days < 90"},
            {"id": "still_employed", "label": "在职", "condition": "ended IS NULL"},
        ],
        tests=[
            {
                "name": "在职 30 天",
                "as_of": date(2025, 1, 31),
                "entity_id": "7",
                "tables": {
                    "employment_spells": [
                        {
                            "spell_id": 7,
                            "person_id": worker,
                            "enterprise_id": FIRM,
                            "start_date": date(2025, 1, 1),
                        },
                        {
                            "spell_id": 8,
                            "person_id": worker,
                            "enterprise_id": OTHER,
                            "start_date": date(2020, 1, 1),
                            "end_date": date(2024, 12, 31),
                            "end_reason": "resigned",
                        },
                    ]
                },
                "expect": {
                    "short_spell": True,
                    "still_employed": True,
                    "variables": {"days": 30, "ended": None, "reason": None},
                },
            }
        ],
    )
    report = run_pack_tests(pack)
    assert report.passed, format_report(report, "en")
    assert report.cases[0].variables["started"] == date(2025, 1, 1)


def test_a_composite_key_entity_needs_one_row_per_case() -> None:
    worker = person(4)

    def month(m: int, **extra: Any) -> dict[str, Any]:
        return {
            "person_id": worker,
            "enterprise_id": FIRM,
            "scheme": "pension",
            "period": date(2025, m, 1),
            "paid_on": date(2025, m + 1, 20),  # the 20th of the next month
            **extra,
        }

    def contribution_pack(rows: list[dict[str, Any]]) -> Pack:
        return pack_of(
            entity="contribution",
            entities={
                "contribution": {
                    "table": "contributions",
                    "key": ["person_id", "enterprise_id", "scheme", "period"],
                }
            },
            variables={
                "paid": {"column": "paid_on"},
                "period": {"column": "period"},
                "late_days": {"expr": "days_between(add_months(period, 1), paid)"},
            },
            rules=[{"id": "paid_late", "label": "逾期缴费", "condition": "late_days > 15"}],
            tests=[
                {
                    "name": "次月 20 日缴费：逾期 19 天",
                    "as_of": date(2025, 6, 30),
                    "entity_id": worker,
                    "tables": {"contributions": rows},
                    "expect": {
                        "paid_late": True,
                        "variables": {"late_days": (date(2025, 4, 20) - date(2025, 4, 1)).days},
                    },
                }
            ],
        )

    report = run_pack_tests(contribution_pack([month(3)]))
    assert report.passed, format_report(report, "en")
    found = problems_of(contribution_pack([month(3), month(4)]))
    assert found == {"tests[0].entity_id": "rules.test.entity_ambiguous"}


def test_run_tests_takes_files_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    folder.mkdir()
    text = (PACKS / "job_retention_test.yaml").read_text(encoding="utf-8")
    text += f"""
tests:
  - name: 空企业
    as_of: 2025-06-30
    entity_id: "{FIRM}"
    tables:
      enterprises:
        - {{enterprise_id: "{FIRM}", name: 测试, region_code: "370102", size: micro,
            established_on: 2020-01-01}}
    expect:
      refund_eligible: false
      variables: {{contributed_months: 0, paid_last_year: "0.00", layoff_rate: "0"}}
"""
    (folder / "job_retention_test.yaml").write_text(text, encoding="utf-8")
    by_folder = run_tests([folder])
    by_file = run_tests([folder / "job_retention_test.yaml"])
    for reports in (by_folder, by_file):
        assert [r.pack for r in reports] == ["job_retention_test"]
        assert reports[0].passed, format_report(reports[0], "en")
        assert reports[0].source == str(folder / "job_retention_test.yaml")
    (tmp_path / "empty").mkdir()
    assert run_tests([tmp_path / "empty"]) == []


def test_a_pack_without_tests_reports_no_cases() -> None:
    report = run_pack_tests(RETENTION)
    assert report == PackTestReport("job_retention_test", "2025.1", "duckdb", (), 0)
    assert report.passed


# -- malformed cases --------------------------------------------------------------------


def problems_of(pack: Pack) -> dict[str, str]:
    with pytest.raises(RulesError) as caught:
        run_pack_tests(pack)
    return {p.where: p.key for p in caught.value.problems}


def test_malformed_rows_are_all_reported_with_where_they_are() -> None:
    pack = with_tests(
        RETENTION,
        case(
            "坏数据",
            {
                "enterprises": [firm(regoin_code="370102")],
                "contribution": [],
                "contributions": [
                    {
                        "person_id": person(1),
                        "enterprise_id": FIRM,
                        "scheme": "unemployment",
                        "period": date(2024, 1, 1),
                        "employer_amount": 1.5,
                        "paid_on": date(2024, 1, 15),
                    },
                    {
                        "person_id": person(2),
                        "enterprise_id": FIRM,
                        "scheme": "unemployment",
                        "period": "2024-02-30",
                        "employee_amount": "10.005",
                        "paid_on": date(2024, 2, 15),
                    },
                    {
                        "person_id": person(2),
                        "enterprise_id": FIRM,
                        "scheme": "unemployment",
                        "period": date(2024, 3, 1),
                        "base": "12345678901.00",
                    },
                    {
                        "person_id": person(2),
                        "enterprise_id": FIRM,
                        "scheme": "unemployment",
                        "period": date(2024, 3, 1),
                        "paid_on": date(2024, 3, 15),
                        "back_payment": None,
                    },
                ],
                "employment_spells": [
                    {"person_id": 370102, "enterprise_id": FIRM, "start_date": date(2020, 1, 1)}
                ],
            },
            {"refund_eligible": True},
        ),
    )
    found = problems_of(pack)
    where = "tests[0].tables"
    assert found == {
        f"{where}.contribution": "rules.vet.unknown_table",
        f"{where}.enterprises[0].regoin_code": "rules.vet.unknown_column",
        f"{where}.contributions[0].employer_amount": "rules.test.type",
        f"{where}.contributions[1].period": "rules.test.type",
        f"{where}.contributions[1].employee_amount": "rules.test.type",
        f"{where}.contributions[2].base": "rules.test.type",
        f"{where}.contributions[2]": "rules.test.required",  # paid_on: a date has no default
        f"{where}.contributions[3].back_payment": "rules.test.not_null",
        f"{where}.contributions[3]": "rules.test.duplicate_key",
        f"{where}.employment_spells[0]": "rules.test.required",  # spell_id, the key
        f"{where}.employment_spells[0].person_id": "rules.test.type",
    }
    with pytest.raises(RulesError) as caught:
        run_pack_tests(pack)
    messages = [p.message() for p in caught.value.problems]
    assert any("“contribution”不是数据底座中的表；是否想写“contributions”" in m for m in messages)
    assert any("enterprises 没有字段“regoin_code”；是否想写“region_code”" in m for m in messages)


def test_enum_and_check_failures_are_notes_not_errors() -> None:
    # A registry can hold such values, and a data-quality pack tests exactly those rows.
    bad_id = person(1)[:-1] + ("0" if person(1)[-1] != "0" else "1")
    pack = with_tests(
        RETENTION,
        case(
            "规模取值与身份号码有误",
            {
                "enterprises": [firm(size="huge")],
                "persons": [
                    {"person_id": bad_id, "birth_date": date(1976, 2, 2), "hukou_region": "379999"}
                ],
            },
            {"refund_eligible": False, "variables": {"size": "huge"}},
        ),
    )
    report = run_pack_tests(pack)
    assert report.passed, format_report(report, "en")
    assert {(n.where, n.key) for n in report.notes} == {
        ("tests[0].tables.enterprises[0].size", "rules.test.enum"),
        ("tests[0].tables.persons[0].person_id", "rules.test.check.resident_id"),
        ("tests[0].tables.persons[0].hukou_region", "rules.test.check.region"),
    }
    text = format_report(report, "en")
    assert "Note: 3 values" in text
    assert f"'{bad_id}' is not a valid resident ID number (persons.person_id)" in text


def test_malformed_expectations_are_reported() -> None:
    rows = {"enterprises": [firm()]}
    pack = with_tests(
        RETENTION,
        case(
            "坏预期",
            rows,
            {
                "refund_eligble": True,
                "dispatch_must_apply": "yes",
                "amount": {"refund_eligible": 12.5, "no_such_rule": "1"},
                "variables": {"layoff_rat": "0.1", "contributed_months": "twelve"},
            },
        ),
        case("没有预期", rows, {}),
        case("对象不存在", rows, {"refund_eligible": False}, entity_id=OTHER),
        case("金额不是映射", rows, {"amount": "100"}),
    )
    found = problems_of(pack)
    assert found == {
        "tests[0].expect.refund_eligble": "rules.test.unknown_rule",
        "tests[0].expect.dispatch_must_apply": "rules.test.hit_bool",
        "tests[0].expect.amount.no_such_rule": "rules.test.unknown_rule",
        "tests[0].expect.variables.layoff_rat": "rules.test.unknown_variable",
        "tests[1].expect": "rules.test.no_expectation",
        "tests[2].entity_id": "rules.test.entity_missing",
        "tests[3].expect.amount": "rules.test.mapping",
    }
    # Values are checked in the variable's compiled type once the names are right.
    typed = with_tests(
        RETENTION,
        case(
            "类型不符",
            rows,
            {
                "amount": {"refund_eligible": 12.5},
                "variables": {"contributed_months": "twelve", "labour_dispatch": "no"},
            },
        ),
    )
    assert problems_of(typed) == {
        "tests[0].expect.amount.refund_eligible": "rules.param.float",
        "tests[0].expect.variables.contributed_months": "rules.param.not_int",
        "tests[0].expect.variables.labour_dispatch": "rules.param.not_bool",
    }


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(RulesError) as caught:
        run_pack_tests(RETENTION, engine="oracle")  # type: ignore[arg-type]
    assert caught.value.problems[0].key == "rules.test.engine"


def test_a_mismatch_describes_itself_in_both_locales() -> None:
    mismatch = Mismatch("variable", "layoff_rate", D("0.2"), D("0.25"))
    assert mismatch.describe("en") == "variable layoff_rate: expected 0.2, got 0.25"
    assert mismatch.describe() == "变量 layoff_rate：预期 0.2，实际 0.25"
