"""The Spark runner: its session, its registry views, and the functions' meaning on Spark.

Spark is checked against DuckDB (itself checked against Python references in the other
rule tests) on many cases evaluated in one query — each case a registry row, as Spark is
built for rows; a scenario per case would make a 400-branch UNION — and against Python
directly where a reference is short. All tests here share the process's Spark
session (``xdist_group("spark")``: one JVM under ``--dist loadgroup``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from rules_support import (
    ENTERPRISE,
    PACKS,
    create_tables,
    enterprise_row,
    insert,
    pack_of,
    param,
)

from onething.kit.errors import InvalidInput, Unavailable
from onething.kit.ids import make_resident_id
from onething.registry import schema
from onething.registry.store import RegistryDir, build_duckdb_from_parquet
from onething.rules import compile_pack, load_pack
from onething.rules.run import explanation_json, run
from onething.rules.run.duckdb import rows_duckdb

pyspark = pytest.importorskip("pyspark")

from pyspark.errors import PySparkException  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from onething.rules.run.spark import (  # noqa: E402
    SQL_CONF,
    explain_spark,
    registry_session,
    rows_spark,
    spark_session,
    stop_spark_session,
)

pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.slow]

D = Decimal
AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="session", autouse=True)
def spark() -> Iterator[SparkSession]:
    """The process's Spark session, started once for every Spark test of this worker and
    stopped at the end (``con`` comes from ``conftest``: an in-memory DuckDB registry)."""
    yield spark_session()
    stop_spark_session()


def write_registry(
    con: duckdb.DuckDBPyConnection, folder: Path, tables: list[str] | None = None
) -> RegistryDir:
    """A registry folder (Parquet files, ``registry.duckdb``, manifest) from ``con``'s tables."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in tables or list(schema.tables()):
        target = folder / f"{name}.parquet"
        con.execute(f"COPY \"{name}\" TO '{target}' (FORMAT parquet)")
    registry = RegistryDir(folder)
    build_duckdb_from_parquet(registry)
    registry.write_manifest({"generator": "test_rules_spark"})
    return registry


def same_rows(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> None:
    """Equal values with equal types and decimal scales, row by row."""
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert {k: repr(v) for k, v in a.items()} == {k: repr(v) for k, v in b.items()}


def by_scenario(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: int(r["scenario"].removeprefix("case")))


# -- the session ----------------------------------------------------------------------


def test_the_session_is_local_quiet_and_exact(spark: SparkSession, tmp_path: Path) -> None:
    assert spark_session() is spark
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.master") == "local[2]"
    assert conf.get("spark.ui.enabled") == "false"
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert spark.sparkContext.uiWebUrl is None
    con = duckdb.connect()
    create_tables(con)
    registry = write_registry(con, tmp_path / "registry", ["enterprises"])
    session = registry_session(registry)
    assert session is not spark  # its own temporary views
    assert session.sparkContext is spark.sparkContext  # the same application
    for candidate in (spark, session):
        for key, value in SQL_CONF.items():
            assert candidate.conf.get(key) == value, key


# -- registry folders -----------------------------------------------------------------


def test_every_catalog_table_is_a_typed_view_even_without_its_file(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    insert(con, "enterprises", [enterprise_row()])
    insert(
        con,
        "contributions",
        [
            {
                "person_id": "370102198001011234",
                "enterprise_id": ENTERPRISE,
                "scheme": "unemployment",
                "period": date(2024, m, 1),
                "employer_amount": D("25.37"),
                "employee_amount": D("10.13"),
            }
            for m in range(1, 13)
        ],
    )
    registry = write_registry(con, tmp_path / "registry", ["enterprises", "contributions"])
    session = registry_session(registry)
    views = {t.name for t in session.catalog.listTables() if t.isTemporary}
    assert views == set(schema.tables())
    assert session.table("deaths").count() == 0
    fields = {f.name: f.dataType.simpleString() for f in session.table("contributions").schema}
    assert fields["employer_amount"] == "decimal(12,2)"
    assert fields["period"] == "date"
    assert {f.name: f.dataType.simpleString() for f in session.table("deaths").schema} == {
        "person_id": "string",
        "death_date": "date",
        "source": "string",
    }
    assert registry_session(registry) is session  # kept while the files are unchanged

    compiled = compile_pack(load_pack(PACKS / "job_retention_test.yaml"), AS_OF)
    on_spark = run(compiled, registry.root, engine="spark")
    on_duckdb = run(compiled, registry.root, engine="duckdb")
    assert [explanation_json(h.explanation) for h in on_spark.hits] == [
        explanation_json(h.explanation) for h in on_duckdb.hits
    ]
    [refund] = [h for h in on_spark.hits if h.rule == "refund_eligible"]
    paid = 12 * (D("25.37") + D("10.13"))
    assert refund.amount == (paid * D("0.60")).quantize(D("0.01"))  # no layoffs: no spells
    assert refund.explanation["variables"]["laid_off"] == 0


def test_a_rewritten_registry_is_read_again(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    insert(con, "enterprises", [enterprise_row(size="small")])
    registry = write_registry(con, tmp_path / "registry", ["enterprises"])
    before = registry_session(registry)
    assert before.sql("SELECT size FROM enterprises").collect()[0][0] == "small"
    con.execute("UPDATE enterprises SET size = 'large'")
    table = con.sql("SELECT * FROM enterprises").to_arrow_table()
    pq.write_table(table, registry.parquet("enterprises"))
    after = registry_session(registry)
    assert after is not before
    assert after.sql("SELECT size FROM enterprises").collect()[0][0] == "large"


def test_an_entity_with_a_numeric_key_is_explained(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    insert(
        con,
        "employment_spells",
        [
            {
                "spell_id": 42,
                "person_id": "370102198001011234",
                "enterprise_id": ENTERPRISE,
                "start_date": date(2015, 1, 1),
                "end_date": date(2024, 6, 30),
                "end_reason": "dismissed",
            }
        ],
    )
    registry = write_registry(con, tmp_path / "registry", ["employment_spells"])
    pack = pack_of(
        entity="spell",
        entities={"spell": {"table": "employment_spells", "key": "spell_id"}},
        variables={"reason": {"column": "end_reason"}},
        rules=[{"id": "laid_off", "label": "裁员", "condition": "reason = 'dismissed'"}],
    )
    compiled = compile_pack(pack, AS_OF)
    [outcome] = explain_spark(compiled, registry_session(registry), "42")
    assert outcome.hit
    assert outcome.entity_id == "42"
    assert explain_spark(compiled, registry_session(registry), "43") == []
    with pytest.raises(InvalidInput) as caught:
        explain_spark(compiled, registry_session(registry), "x42")
    assert caught.value.key == "rules.run.entity_id_not_int"


# -- the functions mean the same on Spark ---------------------------------------------

FUNCTIONS = {
    "months": "months_between(a, b)",
    "age_at": "age(a, b)",
    "days": "days_between(a, b)",
    "shifted": "add_months(a, n)",
    "later_day": "add_days(a, n * 17)",
    "month_start": "date_trunc('month', a)",
    "year_start": "date_trunc('year', b)",
    "parts": "year(a) * 10000 + month(a) * 100 + day(a)",
    "rebuilt": "make_date(year(b), month(b), day(b))",
    "ratio": "x / y",
    "int_ratio": "i / j",
    "product": "round(x * y, 2)",
    "whole": "round(x)",
    "one_place": "round(x, 1)",
    "quotient": "div(i, j)",
    "remainder": "mod(i, j)",
    "percent": "i % j",
    "smallest": "least(x, y, 0.055)",
    "largest": "greatest(x, 1.5, CASE WHEN i > 0 THEN NULL ELSE y END)",
    "first_known": "coalesce(CASE WHEN i > 0 THEN NULL ELSE x END, y, 0)",
    "size": "abs(x) + abs(i)",
    "inside": "x BETWEEN y AND 100",
    "member": "i IN (0, 1, 2, -3)",
    "verdict": "x > y AND NOT (i < j) OR s = t",
    "part": "substr(s, 2, 3)",
    "tail": "substr(s, 2)",
    "chars": "length(s)",
    "up": "upper(t)",
    "down": "lower(s)",
    "joined": "concat(s, '-', CASE WHEN i > 0 THEN t END, '/')",
    "banded": "CASE WHEN x < 0 THEN 'negative' WHEN x < 500000 THEN 'small' ELSE 'large' END",
}
CASE_VARIABLES: dict[str, Any] = {
    "a": {"column": "period"},
    "b": {"column": "paid_on"},
    "x": {"column": "amount"},
    "i": {"column": "award_id"},
    "s": {"column": "benefit"},
    "t": {"column": "region_code"},
    "y": {
        "type": "decimal",
        "aggregate": {"table": "benefit_awards", "on": "award_id", "value": "max(monthly_amount)"},
    },
    "n": {"expr": "days_between(b, a) % 600"},
    "j": {"expr": "month(b) - 6"},
}
"""Each case is a row of ``benefit_payments`` (an entity keyed by ``payment_id``): columns
give the dates, an amount, an integer and texts; ``y`` is the monthly amount of the award
whose id is the case's (NULL when there is none); ``j`` is 0 in June."""
TEXTS = ["济南市历下区", "abc", "", "Ab中c", "青岛 Qingdao", "x"]
EDGE_DATES = [
    date(2024, 2, 29),
    date(2023, 2, 28),
    date(2024, 1, 31),
    date(2024, 12, 31),
    date(1900, 3, 1),
    date(2000, 2, 29),
    date(2100, 2, 28),
]


def case_rows(seed: int, count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Random cases (payments, awards) with the edges mixed in: month ends, leap days, zero
    divisors, NULLs."""
    rng = random.Random(seed)

    def a_date() -> date:
        if rng.random() < 0.3:
            return rng.choice(EDGE_DATES)
        return date(1900, 1, 1) + timedelta(days=rng.randrange(73_000))

    def amount() -> Decimal:
        return D(rng.randrange(-100_000_000, 100_000_000)).scaleb(-2)  # ±1 000 000.00

    payments = [
        {
            "payment_id": k,
            "award_id": rng.randrange(-50, 50),
            "person_id": make_resident_id("370102", date(1970, 1, 1) + timedelta(days=k), k),
            "benefit": rng.choice(TEXTS),
            "region_code": rng.choice(TEXTS),
            "period": a_date(),
            "amount": amount(),
            "paid_on": a_date(),
        }
        for k in range(count)
    ]
    awards = [
        {"award_id": k, "monthly_amount": D(0) if k % 17 == 0 else amount()}
        for k in range(count)
        if k % 11 != 0
    ]
    return payments, awards


def evaluate(
    con: duckdb.DuckDBPyConnection,
    session: SparkSession,
    exprs: Mapping[str, str],
    params: Mapping[str, str],
    values: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of one query (a scenario per case) on DuckDB and on Spark."""
    pack = pack_of(
        parameters={n: param(t) for n, t in params.items()},
        variables={n: {"expr": e} for n, e in exprs.items()},
    )
    scenarios = {f"case{k}": dict(v) for k, v in enumerate(values)}
    compiled = compile_pack(pack, AS_OF, scenarios=scenarios)
    on_duckdb = by_scenario(rows_duckdb(compiled, con).to_pylist())
    on_spark = by_scenario(rows_spark(compiled, session).to_pylist())
    return on_duckdb, on_spark


def ref_divide(a: Decimal, b: Decimal) -> Decimal | None:
    if b == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return (a / b).quantize(D("1E-10"), rounding=ROUND_HALF_UP)


def test_every_function_gives_on_spark_what_it_gives_on_duckdb(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    payments, awards = case_rows(seed=7, count=400)
    insert(con, "benefit_payments", payments)
    insert(con, "benefit_awards", awards)
    tables = ["benefit_payments", "benefit_awards"]
    session = registry_session(write_registry(con, tmp_path / "registry", tables))
    pack = pack_of(
        entity="case",
        entities={"case": {"table": "benefit_payments", "key": "payment_id"}},
        variables={**CASE_VARIABLES, **{n: {"expr": e} for n, e in FUNCTIONS.items()}},
    )
    compiled = compile_pack(pack, AS_OF)
    on_duckdb = rows_duckdb(compiled, con).sort_by("entity_id").to_pylist()
    on_spark = rows_spark(compiled, session).sort_by("entity_id").to_pylist()
    same_rows(on_spark, on_duckdb)
    monthly = {a["award_id"]: a["monthly_amount"] for a in awards}
    for row, case in zip(on_spark, payments, strict=True):
        y = monthly.get(case["payment_id"])
        assert row["ratio"] == (None if y is None else ref_divide(case["amount"], y)), case
        assert row["days"] == (case["paid_on"] - case["period"]).days
    assert any(r["y"] is None for r in on_spark)
    assert any(r["ratio"] is None and r["y"] is not None for r in on_spark)
    assert any(r["quotient"] is None for r in on_spark)
    assert {r["banded"] for r in on_spark} >= {"negative", "small", "large"}


def test_division_is_exact_up_to_the_spark_limit(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    insert(con, "enterprises", [enterprise_row()])
    session = registry_session(write_registry(con, tmp_path / "registry", ["enterprises"]))
    pairs = [
        (D("922337203.6854775807"), D("1")),  # the largest quotient DIV can hold
        (D("-922337203.6854775807"), D("1")),
        (D("123456789.123"), D("0.137")),
        (D("2"), D("3")),
        (D("-0.0000000005"), D("10")),  # rounds half away from zero
        (D("0.0000000015"), D("10")),
    ]
    on_duckdb, on_spark = evaluate(
        con,
        session,
        {"q": "x / y"},
        {"x": "decimal", "y": "decimal"},
        [{"x": x, "y": y} for x, y in pairs],
    )
    same_rows(on_spark, on_duckdb)
    assert [r["q"] for r in on_spark] == [ref_divide(x, y) for x, y in pairs]


def test_a_quotient_beyond_the_spark_limit_is_exact_or_fails_loudly(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    insert(con, "enterprises", [enterprise_row()])
    registry = write_registry(con, tmp_path / "registry", ["enterprises"])
    pack = pack_of(
        parameters={"x": param("decimal"), "y": param("decimal")},
        variables={"q": {"expr": "x / y"}},
    )
    compiled = compile_pack(pack, AS_OF, scenarios={"big": {"x": "1000000000", "y": "1"}})
    try:
        [row] = rows_spark(compiled, registry_session(registry)).to_pylist()
    except PySparkException:
        return  # failing loudly is the documented limit
    assert row["q"] == D("1000000000")  # never a wrapped-around number


def test_decimals_of_different_scales_compare_exactly(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Found by the engine comparison on a 100,000-person registry: one enterprise whose
    layoff rate 0.0552995392 is above the 0.055 limit was refunded on Spark only."""
    insert(con, "enterprises", [enterprise_row()])
    session = registry_session(write_registry(con, tmp_path / "registry", ["enterprises"]))
    checks = {
        "at_most": "rate <= limit",
        "same": "rate = limit",
        "below": "limit < rate",
        "listed": "rate IN (0.055, 1)",
        "within": "rate BETWEEN 0 AND limit",
    }
    pairs = [(D("0.0552995392"), D("0.055")), (D("0.0554999999"), D("0.055"))]
    on_duckdb, on_spark = evaluate(
        con,
        session,
        checks,
        {"rate": "decimal", "limit": "decimal"},
        [{"rate": r, "limit": lim} for r, lim in pairs],
    )
    expected = [
        {"at_most": False, "same": False, "below": True, "listed": False, "within": False}
    ] * len(pairs)
    assert [{k: r[k] for k in checks} for r in on_duckdb] == expected
    assert [{k: r[k] for k in checks} for r in on_spark] == expected


def test_a_failing_spark_query_is_a_typed_error(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    insert(con, "enterprises", [enterprise_row()])
    registry = write_registry(con, tmp_path / "registry", ["enterprises"])
    pack = pack_of(
        parameters={"n": param("int")},
        variables={"d": {"expr": "make_date(2025, n, 1)"}},
        rules=[{"id": "dated", "label": "日期", "condition": "d IS NOT NULL"}],
    )
    compiled = compile_pack(pack, AS_OF, scenarios={"bad": {"n": 13}})
    with pytest.raises(Unavailable) as caught:  # ANSI: an invalid date raises
        run(compiled, registry.root, engine="spark")
    assert caught.value.key == "rules.run.failed"
    assert "Spark" in caught.value.message("en")
