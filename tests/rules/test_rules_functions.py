"""The other whitelisted functions and operators give the same answers on every engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
from rules_support import ENTERPRISE, Engine, Evaluate, enterprise_row, insert, pack_of

from onething.rules import compile_pack
from onething.rules.run.duckdb import rows_duckdb

D = Decimal


def test_text_functions(evaluate: Evaluate) -> None:
    rows = evaluate(
        {
            "joined": "concat(s, '-', t)",
            "part": "substr(s, 2, 2)",
            "tail": "substr(s, 2)",
            "n": "length(s)",
            "up": "upper(s)",
            "down": "lower(t)",
        },
        {"s": "text", "t": "text"},
        [{"s": "济南市历下区", "t": "Ab"}, {"s": "abc", "t": "XY"}],
    )
    assert [r["joined"] for r in rows] == ["济南市历下区-Ab", "abc-XY"]
    assert [r["part"] for r in rows] == ["南市", "bc"]
    assert [r["tail"] for r in rows] == ["南市历下区", "bc"]
    assert [r["n"] for r in rows] == [6, 3]
    assert [r["up"] for r in rows] == ["济南市历下区", "ABC"]
    assert [r["down"] for r in rows] == ["ab", "xy"]


def test_nulls_are_skipped_by_concat_least_greatest_and_coalesce(evaluate: Evaluate) -> None:
    rows = evaluate(
        {
            "joined": "concat(s, CASE WHEN n > 0 THEN NULL ELSE 'x' END)",
            "low": "least(n, CASE WHEN n > 0 THEN NULL ELSE 0 END, 5)",
            "high": "greatest(CASE WHEN n > 0 THEN NULL ELSE 9 END, n)",
            "first": "coalesce(CASE WHEN n > 0 THEN NULL ELSE n END, 7)",
            "known": "CASE WHEN n > 0 THEN NULL ELSE n END IS NULL",
        },
        {"s": "text", "n": "int"},
        [{"s": "a", "n": 3}, {"s": "b", "n": -1}],
    )
    assert [(r["joined"], r["low"], r["high"], r["first"], r["known"]) for r in rows] == [
        ("a", 3, 3, 7, True),
        ("bx", -1, 9, -1, False),
    ]


def test_operators_in_between_case_and_abs(evaluate: Evaluate) -> None:
    rows = evaluate(
        {
            "member": "x IN (1.5, 2, 3)",
            "inside": "x BETWEEN 1.5 AND 2",
            "kind": "CASE x WHEN 2 THEN 'two' WHEN 1.5 THEN 'one and a half' ELSE 'other' END",
            "size": "abs(-x) * -1",
            "flag": "NOT (x > 1 AND x < 3) OR x = 2",
        },
        {"x": "decimal"},
        [{"x": "1.5"}, {"x": "2"}, {"x": "-4.25"}],
    )
    assert [r["member"] for r in rows] == [True, True, False]
    assert [r["inside"] for r in rows] == [True, True, False]
    assert [r["kind"] for r in rows] == ["one and a half", "two", "other"]
    assert [r["size"] for r in rows] == [D("-1.50"), D("-2.00"), D("-4.25")]
    assert [r["flag"] for r in rows] == [False, True, True]


def test_aggregate_functions(engine: Engine) -> None:
    engine.insert("enterprises", [enterprise_row()])
    periods = [date(2024, 1, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    engine.insert(
        "contributions",
        [
            {
                "person_id": f"P{i}",
                "enterprise_id": ENTERPRISE,
                "scheme": "pension",
                "period": period,
                "base": D(1000 * (i + 1)),
                "back_payment": i == 2,
            }
            for i, period in enumerate(periods)
        ],
    )
    on = {"table": "contributions", "on": "enterprise_id"}
    values = {
        "rows": "count(*)",
        "months": "count(DISTINCT period)",
        "people": "count(person_id)",
        "first": "min(period)",
        "last": "max(period)",
        "top": "max(base)",
        "any_back": "bool_or(back_payment)",
        "all_back": "bool_and(back_payment)",
        "late": "sum(CASE WHEN back_payment THEN base ELSE 0 END)",
    }
    pack = pack_of(variables={n: {"aggregate": {**on, "value": v}} for n, v in values.items()})
    [row] = engine.rows(compile_pack(pack, date(2025, 6, 30)))
    assert row["rows"] == 4
    assert row["months"] == 3
    assert row["people"] == 4
    assert (row["first"], row["last"]) == (date(2024, 1, 1), date(2024, 3, 1))
    assert row["top"] == D("4000.00")
    assert (row["any_back"], row["all_back"]) == (True, False)
    assert row["late"] == D("3000.00")


def test_a_decision_table_takes_the_first_row_that_holds(con: duckdb.DuckDBPyConnection) -> None:
    insert(
        con,
        "enterprises",
        [
            enterprise_row("E-LARGE", size="large"),
            enterprise_row("E-SMALL", size="small"),
            enterprise_row("E-MICRO", size="micro"),
            enterprise_row("E-MEDIUM", size="medium"),
        ],
    )
    pack = pack_of(
        parameters={
            "sme": {"type": "decimal", "values": [{"from": date(2020, 1, 1), "value": "0.60"}]}
        },
        variables={"size": {"column": "size"}},
        decision_tables={
            "ratio": {
                "rows": [
                    {"when": "size IN ('micro', 'small')", "then": "sme"},
                    {"when": "size = 'micro'", "then": "0.99"},
                    {"when": "size = 'large'", "then": D("0.3")},
                ],
                "default": 0,
            },
            "label": {"rows": [{"when": "size = 'large'", "then": "'大型'"}]},
        },
    )
    rows = rows_duckdb(compile_pack(pack, date(2025, 6, 30)), con).to_pylist()
    got = {r["entity_id"]: (r["ratio"], r["label"]) for r in rows}
    assert got == {
        "E-LARGE": (D("0.30"), "大型"),
        "E-SMALL": (D("0.60"), None),
        "E-MICRO": (D("0.60"), None),  # the first row that holds wins
        "E-MEDIUM": (D("0.00"), None),  # the default; no default gives NULL
    }
