"""The same packs give the same hits on DuckDB, PostgreSQL and Spark, to the cent.

One generated registry (4,000 fictitious persons, fixed seed and end date) is read by
DuckDB from ``registry.duckdb``, by PostgreSQL after ``load_registry`` into a throwaway
database, and by Spark from its Parquet files. Each engine runs the enterprise test pack
and a person pack (dates, decision tables, dated parameters, two scenarios); the hits —
their order, amounts and explanations as JSON text (every variable, parameter and
clause value, the message) — must be identical. So the identity is not one of empty or
wrong answers, DuckDB's hits are first checked against hand-written SQL and Python.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from rules_support import ENTERPRISE, PACKS, PostgresEngine, insert, pack_of
from sqlalchemy.engine import make_url

from onething.kit.errors import InvalidInput, NotFound, Unavailable
from onething.kit.ids import make_resident_id
from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.load import load_registry
from onething.rules import CompiledPack, compile_pack, load_pack
from onething.rules.run import (
    Engine,
    PostgresSource,
    RuleOutcome,
    RunResult,
    explain,
    explanation_json,
    run,
)
from onething.rules.run.duckdb import rows_duckdb
from onething.rules.run.postgres import explain_postgres, rows_postgres, run_postgres

D = Decimal
AS_OF = date(2025, 6, 30)
PERSONS = 4_000
SEED = 20250630

SCENARIOS: dict[str, dict[str, dict[str, Any]]] = {
    "job_retention_test": {"base": {}, "generous": {"refund_ratio_sme": "0.75"}},
    "person_benefits_test": {
        "base": {},
        "later": {"retirement_age_male": 63, "retirement_age_female": 58, "allowance_80": "120.00"},
    },
}
PACK_NAMES = list(SCENARIOS)
ENTITY_TABLES = {
    "job_retention_test": ("enterprises", "enterprise_id"),
    "person_benefits_test": ("persons", "person_id"),
}
NOBODY = make_resident_id("659001", date(1990, 1, 1), 123)  # not a Shandong resident

SPARK = [pytest.mark.xdist_group("spark"), pytest.mark.slow]
POSTGRES = [pytest.mark.postgres]

Signature = list[tuple[str, str, str, str, str, str]]


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engines") / "registry"
    generate_registry(folder, GenerateOptions(persons=PERSONS, seed=SEED, end_date=AS_OF))
    return folder


@pytest.fixture(scope="session")
def postgres(registry: Path, pg_admin_url: str, pg_database_factory: Any) -> PostgresSource:
    """The same registry loaded into schema ``registry`` of a throwaway database."""
    name = pg_database_factory()
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    load_registry(registry, url)
    return PostgresSource(url)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The process's Spark session, started once for every Spark test of this worker."""
    pytest.importorskip("pyspark")
    from onething.rules.run.spark import spark_session, stop_spark_session

    yield spark_session()
    stop_spark_session()


@pytest.fixture(scope="session")
def compiled() -> dict[str, CompiledPack]:
    return {
        name: compile_pack(load_pack(PACKS / f"{name}.yaml"), AS_OF, scenarios=scenarios)
        for name, scenarios in SCENARIOS.items()
    }


@pytest.fixture(scope="session")
def on_duckdb(registry: Path, compiled: dict[str, CompiledPack]) -> dict[str, RunResult]:
    return {name: run(c, registry, engine="duckdb") for name, c in compiled.items()}


def source_for(engine: Engine, request: pytest.FixtureRequest) -> Path | PostgresSource:
    if engine == "postgres":
        source: PostgresSource = request.getfixturevalue("postgres")
        return source
    if engine == "spark":
        request.getfixturevalue("spark")
    folder: Path = request.getfixturevalue("registry")
    return folder


def signature(result: RunResult) -> Signature:
    """Each hit in order, amount with its scale, explanation as JSON text."""
    return [
        (
            h.scenario,
            h.entity_id,
            h.rule,
            h.severity,
            repr(h.amount),
            explanation_json(h.explanation),
        )
        for h in result.hits
    ]


def explained(outcomes: list[RuleOutcome]) -> list[str]:
    return [explanation_json(o.explanation) for o in outcomes]


def cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def ref_age(birth: date, at: date) -> int:
    """Whole years; one born on 29 February is a year older on 28 February in common years."""
    years = at.year - birth.year
    last_day = calendar.monthrange(at.year, birth.month)[1]
    anniversary = date(at.year, birth.month, min(birth.day, last_day))
    return years - (at < anniversary)


def query(registry: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(registry / "registry.duckdb"), read_only=True) as con:
        rows: list[tuple[Any, ...]] = con.execute(sql).fetchall()
    return rows


# -- DuckDB's answers are right (checked independently) -------------------------------


def test_every_rule_hits_and_the_scenarios_change_the_answer(
    on_duckdb: dict[str, RunResult],
) -> None:
    for name, result in on_duckdb.items():
        for total in result.totals:
            assert total.hits > 0, f"{name}: {total.rule} never hits in {total.scenario}"
    jobs = on_duckdb["job_retention_test"]
    base, generous = jobs.total("refund_eligible"), jobs.total("refund_eligible", "generous")
    assert base.hits == generous.hits
    assert base.amount is not None
    assert generous.amount is not None
    assert generous.amount > base.amount
    people = on_duckdb["person_benefits_test"]

    def gaps(scenario: str) -> set[str]:
        return {
            h.entity_id
            for h in people.hits
            if h.rule == "contribution_gap" and h.scenario == scenario
        }

    assert gaps("base") != gaps("later")
    allowance = people.total("elderly_allowance")
    later = people.total("elderly_allowance", "later")
    assert allowance.hits == later.hits
    assert allowance.amount is not None
    assert later.amount is not None
    assert later.amount > allowance.amount


def test_pensions_paid_after_death_match_hand_written_sql_and_the_planted_anomalies(
    registry: Path, on_duckdb: dict[str, RunResult]
) -> None:
    expected = dict(
        query(
            registry,
            f"""
            SELECT p.person_id, sum(p.amount)
            FROM benefit_payments p JOIN deaths d ON d.person_id = p.person_id
            WHERE p.benefit IN ('pension', 'resident_pension') AND p.period > d.death_date
              AND d.death_date <= DATE '{AS_OF.isoformat()}'
            GROUP BY p.person_id
            """,
        )
    )
    found = {
        h.entity_id: h.amount
        for h in on_duckdb["person_benefits_test"].hits
        if h.rule == "pension_after_death" and h.scenario == "base"
    }
    assert found == expected
    planted = {
        row[0]
        for row in query(
            registry,
            "SELECT entity_id FROM read_parquet('"
            + str(registry / "ground_truth" / "anomalies.parquet")
            + "') WHERE kind = 'pension_after_death'",
        )
    }
    assert planted
    assert planted <= set(found)


def test_elderly_allowances_match_a_python_reference(
    registry: Path, on_duckdb: dict[str, RunResult]
) -> None:
    people = query(
        registry,
        "SELECT p.person_id, p.birth_date, d.death_date FROM persons p "
        "LEFT JOIN deaths d ON d.person_id = p.person_id",
    )
    monthly = {"base": D("100.00"), "later": D("120.00")}
    for scenario in ("base", "later"):
        expected = {}
        for person_id, birth, death in people:
            age = ref_age(birth, AS_OF)
            if age < 80 or (death is not None and death <= AS_OF):
                continue
            tier = D("300.00") if age >= 100 else D("200.00") if age >= 90 else monthly[scenario]
            expected[person_id] = tier * 12
        found = {
            h.entity_id: h.amount
            for h in on_duckdb["person_benefits_test"].hits
            if h.rule == "elderly_allowance" and h.scenario == scenario
        }
        assert found == expected


def test_refunds_match_hand_written_sql(registry: Path, on_duckdb: dict[str, RunResult]) -> None:
    paid = dict(
        query(
            registry,
            """
            SELECT enterprise_id, sum(employer_amount + employee_amount)
            FROM contributions
            WHERE scheme = 'unemployment' AND NOT back_payment
              AND period >= DATE '2024-01-01' AND period < DATE '2025-01-01'
            GROUP BY enterprise_id
            """,
        )
    )
    sizes = dict(query(registry, "SELECT enterprise_id, size FROM enterprises"))
    ratios = {"base": D("0.60"), "generous": D("0.75")}
    hits = [h for h in on_duckdb["job_retention_test"].hits if h.rule == "refund_eligible"]
    assert hits
    for hit in hits:
        ratio = D("0.30") if sizes[hit.entity_id] == "large" else ratios[hit.scenario]
        assert hit.amount == cents(paid[hit.entity_id] * ratio), hit.entity_id


# -- every engine gives the same answer -----------------------------------------------


@pytest.mark.parametrize("pack", PACK_NAMES)
@pytest.mark.postgres
def test_postgres_gives_the_same_hits_as_duckdb(
    pack: str,
    postgres: PostgresSource,
    compiled: dict[str, CompiledPack],
    on_duckdb: dict[str, RunResult],
) -> None:
    result = run(compiled[pack], postgres)
    assert result.engine == "postgres"
    assert signature(result) == signature(on_duckdb[pack])
    assert result.totals == on_duckdb[pack].totals


@pytest.mark.parametrize("pack", PACK_NAMES)
@pytest.mark.xdist_group("spark")
@pytest.mark.slow
def test_spark_gives_the_same_hits_as_duckdb(
    pack: str,
    spark: Any,
    registry: Path,
    compiled: dict[str, CompiledPack],
    on_duckdb: dict[str, RunResult],
) -> None:
    result = run(compiled[pack], registry, engine="spark")
    assert result.engine == "spark"
    assert signature(result) == signature(on_duckdb[pack])
    assert result.totals == on_duckdb[pack].totals


ENGINES = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres", marks=POSTGRES),
    pytest.param("spark", id="spark", marks=SPARK),
]


def single_entities(result: RunResult, no_hit: str) -> list[str]:
    """An entity hit by each rule in the first scenario, and one that nothing hits."""
    first: dict[str, str] = {}
    for hit in result.hits:
        first.setdefault(hit.rule, hit.entity_id)
    return sorted({*first.values(), no_hit})


@pytest.mark.parametrize("engine", ENGINES)
def test_single_entity_checks_give_the_hits_of_the_full_run(
    engine: Engine,
    request: pytest.FixtureRequest,
    registry: Path,
    on_duckdb: dict[str, RunResult],
) -> None:
    source = source_for(engine, request)
    for name, full in on_duckdb.items():
        hit_ids = {h.entity_id for h in full.hits}
        table, key = ENTITY_TABLES[name]
        no_hit = next(
            row[0]
            for row in query(registry, f"SELECT {key} FROM {table} ORDER BY {key}")
            if row[0] not in hit_ids
        )
        ids = single_entities(full, no_hit)
        single = compile_pack(
            load_pack(PACKS / f"{name}.yaml"), AS_OF, scenarios=SCENARIOS[name], entity_ids=ids
        )
        result = run(single, source, engine=engine)
        expected = [h for h in signature(full) if h[1] in ids]
        assert signature(result) == expected
        assert {h[1] for h in expected} == set(ids) - {no_hit}


@pytest.mark.parametrize("engine", ENGINES)
def test_explain_gives_the_same_outcomes_on_every_engine(
    engine: Engine,
    request: pytest.FixtureRequest,
    registry: Path,
    compiled: dict[str, CompiledPack],
    on_duckdb: dict[str, RunResult],
) -> None:
    source = source_for(engine, request)
    people = compiled["person_benefits_test"]
    gap = next(h for h in on_duckdb["person_benefits_test"].hits if h.rule == "contribution_gap")
    outcomes = explain(people, source, gap.entity_id, engine=engine)
    assert explained(outcomes) == explained(explain(people, registry, gap.entity_id))
    assert [(o.scenario, o.rule) for o in outcomes] == [
        (s, r) for s in people.scenarios for r in people.manifest.rules
    ]
    held = next(o for o in outcomes if o.rule == "contribution_gap" and o.scenario == gap.scenario)
    assert held.hit
    assert held.explanation == gap.explanation
    allowance = next(o for o in outcomes if o.rule == "elderly_allowance")
    assert not allowance.hit
    assert [c.text for c in allowance.failing] == ["age >= allowance_age"]
    if engine != "spark":  # the same filters as above; each Spark query costs seconds
        only_later = explain(people, source, gap.entity_id, engine=engine, scenario="later")
        assert {o.scenario for o in only_later} == {"later"}
        assert explain(people, source, NOBODY, engine=engine) == []
    jobs = compiled["job_retention_test"]
    refund = next(h for h in on_duckdb["job_retention_test"].hits if h.rule == "refund_eligible")
    assert explained(explain(jobs, source, refund.entity_id, engine=engine)) == explained(
        explain(jobs, registry, refund.entity_id)
    )


# -- the result and the interface -----------------------------------------------------


def test_the_hits_as_an_arrow_table(on_duckdb: dict[str, RunResult]) -> None:
    result = on_duckdb["person_benefits_test"]
    table = result.to_arrow()
    assert table.column_names == [
        "pack",
        "family",
        "rule",
        "entity",
        "entity_id",
        "scenario",
        "severity",
        "amount",
        "explanation",
    ]
    assert table.schema.field("amount").type == pa.decimal128(38, 2)
    assert table.num_rows == len(result.hits)
    rows = table.to_pylist()
    for row, hit in zip(rows, result.hits, strict=True):
        assert (row["rule"], row["entity_id"], row["scenario"]) == (
            hit.rule,
            hit.entity_id,
            hit.scenario,
        )
        assert row["amount"] == hit.amount
        assert row["entity"] == "person"
        why = json.loads(row["explanation"])
        assert why["amount"] == (None if hit.amount is None else f"{hit.amount:f}")
        assert why["variables"].keys() == hit.explanation["variables"].keys()
    gap = next(r for r in rows if r["rule"] == "contribution_gap")
    why = json.loads(gap["explanation"])
    assert why["parameters"]["min_contribution_months"]["value"] == 180
    assert why["variables"]["recent_base"] is None or "E" not in why["variables"]["recent_base"]


def test_totals_add_up_the_hits(on_duckdb: dict[str, RunResult]) -> None:
    result = on_duckdb["job_retention_test"]
    for total in result.totals:
        mine = [h for h in result.hits if h.rule == total.rule and h.scenario == total.scenario]
        assert total.hits == len(mine)
        if total.amount is not None:
            assert total.amount == sum((h.amount for h in mine if h.amount is not None), D("0.00"))
    assert result.total("dispatch_must_apply").amount is None
    with pytest.raises(KeyError):
        result.total("refund_eligible", "nowhere")


def test_progress_is_reported_stage_by_stage(
    registry: Path, compiled: dict[str, CompiledPack]
) -> None:
    heard: list[tuple[str, int, int]] = []
    result = run(compiled["job_retention_test"], registry, progress=lambda *a: heard.append(a))
    rows = len({(h.scenario, h.entity_id) for h in result.hits})
    assert heard[:2] == [("query", 0, 1), ("query", 1, 1)]
    assert heard[-1] == ("explain", rows, rows)


def test_a_source_must_suit_its_engine(tmp_path: Path, registry: Path) -> None:
    compiled = compile_pack(load_pack(PACKS / "job_retention_test.yaml"), AS_OF)
    calls: list[Callable[[], Any]] = [
        lambda: run(compiled, registry, engine="postgres"),
        lambda: run(compiled, "postgresql://u:secret@127.0.0.1:1/x", engine="duckdb"),
        lambda: run(compiled, PostgresSource("postgresql://127.0.0.1:1/x"), engine="spark"),
    ]
    for call in calls:
        with pytest.raises(InvalidInput) as caught:
            call()
        assert caught.value.key == "rules.run.engine_source"
        assert "secret" not in caught.value.message("zh-CN")
    with pytest.raises(InvalidInput) as unknown:
        run(compiled, registry, engine="sqlite")  # type: ignore[arg-type]
    assert unknown.value.key == "rules.run.unknown_engine"
    with pytest.raises(NotFound):
        run(compiled, tmp_path / "nothing")
    with pytest.raises(NotFound):
        run(compiled, tmp_path, engine="spark")  # no Parquet file: Spark is not even started
    with pytest.raises(Unavailable) as unreachable:
        run(compiled, "postgresql+psycopg://u:secret@127.0.0.1:1/x")
    assert unreachable.value.key == "rules.run.unreachable"
    assert "secret" not in unreachable.value.message("zh-CN")


@pytest.mark.postgres
def test_a_failing_query_is_a_typed_error(
    postgres: PostgresSource, compiled: dict[str, CompiledPack]
) -> None:
    elsewhere = PostgresSource(postgres.url, schema="no_such_schema")
    with pytest.raises(Unavailable) as caught:
        run(compiled["job_retention_test"], elsewhere)
    assert caught.value.key == "rules.run.failed"
    assert "no_such_schema" in caught.value.message("en")


@pytest.mark.postgres
def test_rows_come_back_alike_from_postgres_and_duckdb_with_a_numeric_key(
    con: duckdb.DuckDBPyConnection, pg_engine: PostgresEngine
) -> None:
    spells = [
        {
            "spell_id": n,
            "person_id": make_resident_id("370102", date(1980, 1, 1 + n), 100 + n),
            "enterprise_id": ENTERPRISE,
            "start_date": date(2015, 1, 31),
            "end_date": None if n % 2 else date(2024, 2, 29),
            "end_reason": None if n % 2 else "dismissed",
        }
        for n in range(1, 6)
    ]
    insert(con, "employment_spells", spells)
    pg_engine.insert("employment_spells", spells)
    pack = pack_of(
        entity="spell",
        entities={"spell": {"table": "employment_spells", "key": "spell_id"}},
        variables={
            "reason": {"column": "end_reason"},
            "started": {"column": "start_date"},
            "ended": {"column": "end_date"},
            "months": {"expr": "months_between(started, coalesce(ended, as_of))"},
            "share": {"expr": "months / 7"},
        },
        rules=[{"id": "laid_off", "label": "裁员", "condition": "reason = 'dismissed'"}],
    )
    compiled = compile_pack(pack, AS_OF)
    on_postgres = rows_postgres(compiled, pg_engine.connection, schema=None)
    on_duckdb = rows_duckdb(compiled, con)
    assert on_postgres.schema.field("entity_id").type == pa.int64()
    assert on_postgres.schema.field("share").type == pa.decimal128(38, 10)

    def ordered(table: pa.Table) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = table.sort_by("entity_id").to_pylist()
        return rows

    assert ordered(on_postgres) == ordered(on_duckdb)
    # 31 Jan 2015 → 29 Feb 2024 (a month end) is 109 months; → 30 Jun 2025 (as of) is 125
    assert [r["months"] for r in ordered(on_postgres)] == [
        125 if n % 2 else 109 for n in range(1, 6)
    ]
    [outcome] = explain_postgres(compiled, pg_engine.connection, "2", schema=None)
    assert (outcome.entity_id, outcome.hit) == ("2", True)
    assert [h.entity_id for h in run_postgres(compiled, pg_engine.connection, schema=None)] == [
        "2",
        "4",
    ]
