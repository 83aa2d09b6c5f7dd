"""The test pack end to end on DuckDB: hits, explanations, scenarios, single-entity checks.

Five fictitious enterprises with hand-written contributions and layoffs; the expected
figures (layoff rates, amounts to the cent) are computed here from the same rows.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pytest
import sqlglot
from rules_support import PACKS, PostgresEngine, enterprise_row, insert, pack_of
from sqlglot import exp

from onething.kit.ids import make_credit_code, make_resident_id
from onething.rules import RulesError, compile_pack, load_pack
from onething.rules.run.duckdb import explain, rows_duckdb, run_duckdb
from onething.rules.run.query import hit_filter, select_sql

D = Decimal
AS_OF = date(2025, 6, 30)
PACK = load_pack(PACKS / "job_retention_test.yaml")

SMALL = make_credit_code("370102", "MA3C0011")  # 15 insured, 3 dismissed: rate exactly 20%
LARGE = make_credit_code("370211", "MA3C0012")  # 40 insured, 3 dismissed: 7.5% > 5.5%
DISPATCH = make_credit_code("370303", "MA3C0013")  # labour dispatch: must apply itself
SHORT = make_credit_code("371702", "MA3C0014")  # 7 months of contributions only
EMPTY = make_credit_code("370602", "MA3C0015")  # no contributions at all

EMPLOYER, EMPLOYEE = D("25.37"), D("10.13")


def person(n: int) -> str:
    return make_resident_id("370102", date(1980 + n % 20, 1 + n % 12, 1 + n % 28), 100 + n)


def contributions(eid: str, people: range, months: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "person_id": person(p),
            "enterprise_id": eid,
            "scheme": "unemployment",
            "period": date(2024, m, 1),
            "employer_amount": EMPLOYER,
            "employee_amount": EMPLOYEE,
            "back_payment": False,
            **extra,
        }
        for p in people
        for m in range(1, months + 1)
    ]


def spells(eid: str, people: range, reason: str, end: date) -> list[dict[str, Any]]:
    return [
        {
            "spell_id": hash((eid, p)) % 10**9,
            "person_id": person(p),
            "enterprise_id": eid,
            "start_date": date(2015, 1, 1),
            "end_date": end,
            "end_reason": reason,
        }
        for p in people
    ]


def fill(engine_insert: Any) -> None:
    engine_insert(
        "enterprises",
        [
            enterprise_row(SMALL, size="small", region_code="370102"),
            enterprise_row(LARGE, size="large", region_code="370211", insured_on=date(2010, 1, 31)),
            enterprise_row(DISPATCH, size="medium", region_code="370303", labour_dispatch=True),
            enterprise_row(SHORT, size="micro", region_code="371702"),
            enterprise_row(EMPTY, size="small", region_code="370602", insured_on=None),
        ],
    )
    engine_insert(
        "contributions",
        contributions(SMALL, range(15), 12)
        + contributions(LARGE, range(100, 140), 12)
        + contributions(DISPATCH, range(200, 210), 12)
        + contributions(SHORT, range(300, 302), 7)
        # a back payment (补缴) for LARGE: not "actually paid", flagged by the post rule
        + [
            {
                "person_id": person(199),
                "enterprise_id": LARGE,
                "scheme": "unemployment",
                "period": date(2023, 12, 1),
                "employer_amount": D("99.99"),
                "employee_amount": D("0.01"),
                "back_payment": True,
            }
        ],
    )
    engine_insert(
        "employment_spells",
        spells(SMALL, range(3), "dismissed", date(2024, 6, 30))
        + spells(LARGE, range(100, 103), "contract_end", date(2024, 12, 31))
        # resigned, or laid off outside the year: not counted
        + spells(SMALL, range(3, 5), "resigned", date(2024, 3, 31))
        + spells(LARGE, range(103, 110), "dismissed", date(2025, 1, 1)),
    )


@pytest.fixture
def registry(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    fill(lambda table, rows: insert(con, table, rows))
    return con


def cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def paid(people: int, months: int) -> Decimal:
    return people * months * (EMPLOYER + EMPLOYEE)


def test_hits_carry_amounts_exact_to_the_cent_and_their_explanation(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    hits = run_duckdb(compile_pack(PACK, AS_OF), registry)
    found = {(h.rule, h.entity_id) for h in hits}
    assert found == {
        ("refund_eligible", SMALL),
        ("dispatch_must_apply", DISPATCH),
        ("back_payments_found", LARGE),
    }
    small = next(h for h in hits if h.entity_id == SMALL)
    assert small.amount == cents(paid(15, 12) * D("0.60"))
    assert isinstance(small.amount, Decimal)
    assert (small.pack, small.pack_version, small.severity) == (
        "job_retention_test",
        "2025.1",
        "info",
    )
    why = small.explanation
    assert why["variables"]["layoff_rate"] == D("0.2")
    assert why["variables"]["insured_headcount"] == D(15)
    assert why["variables"]["laid_off"] == 3
    assert why["parameters"]["refund_ratio_sme"] == {
        "value": D("0.60"),
        "reference": "鲁人社字〔2025〕52号",
        "from": date(2025, 1, 1),
        "to": None,
        "overridden": False,
    }
    assert [c["detail"] for c in why["clauses"]] == [
        "contributed_months = 12 >= min_months = 12",
        "layoff_rate = 0.20 <= layoff_limit = 0.20",
        "NOT labour_dispatch: true (labour_dispatch = false)",
    ]
    assert all(c["held"] for c in why["clauses"])
    assert why["basis"] == {"document": "鲁人社字〔2025〕52号", "article": "二"}
    assert why["message"] == (
        f"济南泉城机械有限公司上年裁员率 0.20，符合稳岗返还条件，返还 {small.amount} 元"
    )


def test_explain_shows_why_a_rule_did_not_hit(registry: duckdb.DuckDBPyConnection) -> None:
    compiled = compile_pack(PACK, AS_OF)
    outcomes = {o.rule: o for o in explain(compiled, registry, SHORT)}
    refund = outcomes["refund_eligible"]
    assert not refund.hit
    assert refund.amount is None
    assert [c.detail for c in refund.failing] == ["contributed_months = 7 < min_months = 12"]
    large = {o.rule: o for o in explain(compiled, registry, LARGE)}["refund_eligible"]
    assert [c.detail for c in large.failing] == ["layoff_rate = 0.075 > layoff_limit = 0.055"]
    assert large.explanation["variables"]["refund_ratio"] == D("0.30")  # decision table: large
    empty = {o.rule: o for o in explain(compiled, registry, EMPTY)}
    assert [c.detail for c in empty["refund_eligible"].failing] == [
        "contributed_months = 0 < min_months = 12"  # the aggregate's default
    ]
    unknown = empty["back_payments_found"]  # never insured: months_insured is NULL
    assert [(c.held, c.detail) for c in unknown.clauses] == [
        (False, "back_paid_since_insured = 0 <= 0"),
        (None, "months_insured = NULL < 0: NULL"),
    ]
    assert not unknown.hit
    assert explain(compiled, registry, "no-such-entity") == []


def test_a_scenario_sweep_is_one_query_with_a_row_per_scenario(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    scenarios = {
        "base": {},
        "generous": {"refund_ratio_sme": "0.75"},
        "strict": {"max_layoff_rate_small": "0.10"},
    }
    compiled = compile_pack(PACK, AS_OF, scenarios=scenarios)
    assert len(sqlglot.parse(compiled.sql("duckdb"), read="duckdb")) == 1
    rows = rows_duckdb(compiled, registry).to_pylist()
    assert len(rows) == 5 * 3
    refund = {
        (r["scenario"], r["entity_id"]): r["refund_eligible__amount"]
        for r in rows
        if r["refund_eligible__hit"]
    }
    assert refund[("base", SMALL)] == cents(paid(15, 12) * D("0.60"))
    assert refund[("generous", SMALL)] == cents(paid(15, 12) * D("0.75"))
    assert ("strict", SMALL) not in refund  # 20% > 10%
    limits = {r["scenario"]: r["layoff_limit"] for r in rows if r["entity_id"] == SMALL}
    assert limits == {"base": D("0.2"), "generous": D("0.2"), "strict": D("0.1")}


def test_a_single_entity_check_pushes_the_key_into_every_scan(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    compiled = compile_pack(PACK, AS_OF, entity_ids=[LARGE])
    tree = sqlglot.parse_one(compiled.sql("duckdb"), read="duckdb")
    scans = {cte.alias: cte.this for cte in tree.find_all(exp.CTE)}
    # Five aggregates; those over the same table and ``on`` share one scan (``_a<i>_<table>``).
    aggregates = [name for name in scans if name.startswith("_a")]
    tables = [[t.name for t in scans[name].find_all(exp.Table)] for name in aggregates]
    plain = [t[0] for t in tables if not any(n.startswith("_l") for n in t)]
    assert len(plain) == len(set(plain)), plain  # not reading a layer: one scan per table
    columns = [s for a in aggregates for s in scans[a].selects if s.alias.startswith("value")]
    assert len(columns) == 5
    for name in [*aggregates, "_l0"]:
        where = scans[name].args.get("where")
        assert where is not None, name
        keys = [
            i
            for i in where.find_all(exp.In)
            if i.this.name in ("enterprise_id",) and [e.name for e in i.expressions] == [LARGE]
        ]
        assert keys, f"{name} does not filter on the entity key"
    single = rows_duckdb(compiled, registry).to_pylist()
    full = rows_duckdb(compile_pack(PACK, AS_OF), registry).to_pylist()
    assert single == [r for r in full if r["entity_id"] == LARGE]
    assert compiled.manifest.entity_ids == (LARGE,)


def test_an_aggregate_that_reads_a_parameter_is_computed_per_scenario(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    pack = pack_of(
        parameters={
            "min_amount": {"type": "decimal", "values": [{"from": date(2020, 1, 1), "value": "30"}]}
        },
        variables={
            "big_payments": {
                "aggregate": {
                    "table": "contributions",
                    "on": "enterprise_id",
                    "where": "employer_amount + employee_amount >= min_amount",
                    "value": "count(*)",
                    "default": 0,
                }
            }
        },
        rules=[{"id": "many", "label": "多", "condition": "big_payments > 100"}],
    )
    scenarios = {"low": {"min_amount": "30"}, "high": {"min_amount": "100"}}
    rows = rows_duckdb(compile_pack(pack, AS_OF, scenarios=scenarios), registry).to_pylist()
    counts = {(r["scenario"], r["entity_id"]): r["big_payments"] for r in rows}
    assert counts[("low", LARGE)] == 40 * 12 + 1
    assert counts[("high", LARGE)] == 1  # only the 100.00 back payment
    assert counts[("low", EMPTY)] == 0


def test_the_manifest_says_what_each_rule_reads() -> None:
    compiled = compile_pack(
        PACK, AS_OF, scenarios={"base": {}, "generous": {"refund_ratio_sme": "0.75"}}
    )
    manifest = compiled.manifest
    refund = manifest.rules["refund_eligible"]
    assert refund.connective == "and"
    assert [c.text for c in refund.clauses] == [
        "contributed_months >= min_months",
        "layoff_rate <= layoff_limit",
        "NOT labour_dispatch",
    ]
    assert set(refund.variables) >= {
        "layoff_rate",
        "laid_off",
        "insured_headcount",
        "year_start",
        "prev_year_start",
        "refund_ratio",
        "size",
    }
    assert "months_insured" not in refund.variables
    assert set(refund.parameters) == {
        "min_months",
        "max_layoff_rate",
        "max_layoff_rate_small",
        "small_headcount",
        "refund_ratio_sme",
        "refund_ratio_large",
    }
    sme = manifest.parameters["refund_ratio_sme"].values
    assert sme["base"].value == D("0.60")
    assert sme["generous"].overridden
    columns = [name for name, _ in manifest.columns]
    assert columns[:3] == ["scenario", "entity_id", "region"]
    assert columns[-4:] == [
        "back_payments_found__hit",
        "back_payments_found__amount",
        "back_payments_found__c1",
        "back_payments_found__c2",
    ]
    json.dumps(manifest.to_dict(), ensure_ascii=False)


def test_the_golden_sql_gives_the_same_rows_on_postgres_and_duckdb_to_the_cent(
    registry: duckdb.DuckDBPyConnection, pg_engine: PostgresEngine
) -> None:
    """The committed golden SQL itself (base and generous scenarios) on both engines."""
    fill(pg_engine.insert)
    golden = PACKS.parent / "golden"
    duck = registry.execute((golden / "job_retention_test.duckdb.sql").read_text("utf-8"))
    names = [d[0] for d in duck.description]
    expected = [dict(zip(names, row, strict=True)) for row in duck.fetchall()]
    pg = pg_engine.connection.execute(
        (golden / "job_retention_test.postgres.sql").read_text("utf-8")
    )
    got = [dict(zip([d.name for d in pg.description], row, strict=True)) for row in pg.fetchall()]

    def key(row: dict[str, Any]) -> tuple[str, str]:
        return row["scenario"], row["entity_id"]

    assert len(expected) == 10
    assert sorted(got, key=key) == sorted(expected, key=key)
    amounts = {key(r): r["refund_eligible__amount"] for r in got if r["refund_eligible__hit"]}
    assert amounts == {
        ("base", SMALL): cents(paid(15, 12) * D("0.60")),
        ("generous", SMALL): cents(paid(15, 12) * D("0.75")),
    }


def test_a_pack_may_declare_its_own_entity(registry: duckdb.DuckDBPyConnection) -> None:
    pack = pack_of(
        entity="spell",
        entities={"spell": {"table": "employment_spells", "key": "spell_id"}},
        variables={
            "reason": {"column": "end_reason"},
            "employer_size": {"column": "enterprise_id"},
        },
        rules=[{"id": "laid_off", "label": "裁员", "condition": "reason = 'dismissed'"}],
    )
    first = spells(SMALL, range(1), "dismissed", date(2024, 6, 30))[0]["spell_id"]
    compiled = compile_pack(pack, AS_OF, entity_ids=[str(first)])
    [row] = rows_duckdb(compiled, registry).to_pylist()
    assert row["entity_id"] == first
    assert row["region"] is None
    assert row["laid_off__hit"] is True
    wrong = pack_of(
        entity="spell",
        entities={"spell": {"table": "employment_spells", "key": "spell_id"}},
        variables={
            "n": {"aggregate": {"table": "contributions", "on": "person_id", "value": "count(*)"}}
        },
    )
    with pytest.raises(
        RulesError,
        match=r"person_id is text, but the entity key employment_spells.spell_id is int",
    ):
        compile_pack(wrong, AS_OF)


def test_region_and_entity_id_can_be_read_and_are_explained(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    pack = pack_of(
        rules=[
            {
                "id": "local",
                "label": "本地",
                "condition": "region = '370211' AND entity_id <> ''",
            }
        ]
    )
    compiled = compile_pack(pack, AS_OF)
    assert {h.entity_id for h in run_duckdb(compiled, registry)} == {LARGE}
    [outcome] = explain(compiled, registry, SMALL)
    assert [c.detail for c in outcome.clauses] == [
        "region = 370102 <> '370211'",
        f"entity_id = {SMALL} <> ''",
    ]


def test_the_hits_query_computes_only_what_the_rules_read_and_scans_each_table_once() -> None:
    pack = load_pack(PACKS.parents[2] / "content" / "packs" / "job_stabilisation_refund.yaml")
    compiled = compile_pack(pack, AS_OF)
    hits = compiled.for_hits()
    rules = compiled.manifest.rules.values()
    read = {v for rule in rules for v in (*rule.variables, *rule.message_names)}
    read &= set(compiled.manifest.variables)
    unread = set(compiled.manifest.variables) - read
    assert "back_paid_last_year" in unread  # a variable no rule reads, for people only
    assert set(hits.manifest.variables) == read
    assert hits.manifest.rules == compiled.manifest.rules  # explained the same
    tree = sqlglot.parse_one(
        select_sql(compiled, "duckdb", where=hit_filter(hits.manifest)), read="duckdb"
    )
    assert not unread & {c.name for c in tree.find_all(exp.Column)}
    assert compiled.for_hits() is hits
    full = sqlglot.parse_one(compiled.sql("duckdb"), read="duckdb")
    assert "back_paid_last_year" in {c.name for c in full.find_all(exp.Column)}
    scans = [cte.this for cte in tree.find_all(exp.CTE) if cte.alias.startswith("_a")]
    tables = [[t.name for t in scan.find_all(exp.Table)] for scan in scans]
    plain = [t[0] for t in tables if not any(n.startswith("_l") for n in t)]
    assert sorted(plain) == ["contributions", "employment_spells", "insurance_enrolments"]
    # the conjuncts all of a scan's aggregates share are its WHERE, not each one's FILTER
    (contributions,) = [s for s, t in zip(scans, tables, strict=True) if t == ["contributions"]]
    assert "scheme" in {c.name for c in contributions.args["where"].find_all(exp.Column)}
    assert not any(isinstance(f.this, exp.Count) for f in contributions.find_all(exp.Filter))
    assert any(isinstance(f.this, exp.Sum) for f in contributions.find_all(exp.Filter))
