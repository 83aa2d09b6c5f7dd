"""The prepared single-entity path (``Checker``) gives what a whole run and ``explain`` give.

One generated registry (fictitious persons, planted anomalies, fixed seed) is read by
DuckDB and, loaded with ``load_registry``, by PostgreSQL. For each shipped pack the
whole population is run once the existing way; then a checker, compiled once, checks
many entities one by one — those hit, others at random, ids nobody has — and must give
exactly the whole run's hits of that entity, explanation for explanation.
"""

from __future__ import annotations

import random
import threading
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlglot import exp

from onething.kit.errors import InvalidInput, Unavailable
from onething.kit.ids import make_resident_id
from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.load import load_registry
from onething.rules import (
    Checker,
    CompiledPack,
    Hit,
    PostgresSource,
    RulesError,
    compile_check,
    compile_pack,
    select_rules,
)
from onething.rules.compile.trees import REGISTRY_TABLE
from onething.rules.library import load, pack_names
from onething.rules.run import explain, explanation_json, run
from onething.rules.run.postgres import libpq_url

AS_OF = date(2025, 6, 30)
PERSONS = 3_000
SEED = 20251129

PACKS = {
    # pack: scenarios (None: base alone)
    "fund_risk": None,
    "coverage_gap_person": {"base": {}, "strict": {"registration_grace_days": 0}},
    "data_quality_person": None,
    "job_stabilisation_refund": None,
    "expansion_subsidy": None,  # its entity (a hire) has an integer key
}
NOBODY = make_resident_id("659001", date(1990, 1, 1), 123)  # well-formed, not in the registry

ENGINES = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

Signature = list[tuple[str, str, str, str, str]]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("checks") / "registry"
    options = GenerateOptions(persons=PERSONS, seed=SEED, end_date=AS_OF, anomaly_rate=0.03)
    generate_registry(folder, options)
    return folder


@pytest.fixture(scope="module")
def database(registry: Path, pg_admin_url: str, pg_database_factory: Any) -> PostgresSource:
    name = pg_database_factory()
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    load_registry(registry, url)
    return PostgresSource(url)


def source_of(engine: str, request: pytest.FixtureRequest) -> Path | PostgresSource:
    if engine == "postgres":
        found: PostgresSource = request.getfixturevalue("database")
        return found
    folder: Path = request.getfixturevalue("registry")
    return folder


@pytest.fixture(scope="module")
def whole_runs(registry: Path) -> dict[str, tuple[CompiledPack, list[Hit]]]:
    """Each pack over the whole registry, the existing way (DuckDB)."""
    runs = {}
    for name, scenarios in PACKS.items():
        compiled = compile_pack(load(name), AS_OF, scenarios=scenarios)
        runs[name] = (compiled, run(compiled, registry).hits)
    return runs


def signature(found: list[Hit]) -> Signature:
    return [
        (h.scenario, h.entity_id, h.rule, repr(h.amount), explanation_json(h.explanation))
        for h in found
    ]


def keys(registry: Path, compiled: CompiledPack) -> list[str]:
    manifest = compiled.manifest
    with duckdb.connect(str(registry / "registry.duckdb"), read_only=True) as con:
        rows = con.execute(
            f'SELECT DISTINCT "{manifest.entity_key}" FROM "{manifest.entity_table}"'
        ).fetchall()
    return sorted(str(r[0]) for r in rows)


def sample_ids(registry: Path, compiled: CompiledPack, found: list[Hit], n: int) -> list[str]:
    """Up to ``n`` entities hit, as many not hit, and ids nobody has."""
    rng = random.Random(SEED)
    hit = sorted({h.entity_id for h in found})
    others = sorted(set(keys(registry, compiled)) - set(hit))
    assert hit, f"{compiled.pack} hits nobody: the comparison would prove little"
    chosen = rng.sample(hit, min(n, len(hit))) + rng.sample(others, min(n, len(others)))
    missing = "999999999" if compiled.manifest.entity in ("hire",) else NOBODY
    return [*chosen, missing]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(PACKS))
def test_a_check_gives_the_whole_runs_hits_of_that_entity(
    name: str,
    engine: str,
    request: pytest.FixtureRequest,
    registry: Path,
    whole_runs: dict[str, tuple[CompiledPack, list[Hit]]],
) -> None:
    compiled, found = whole_runs[name]
    expected = signature(found)
    ids = sample_ids(registry, compiled, found, 15)
    with Checker(name, source_of(engine, request), scenarios=PACKS[name]) as checker:
        assert checker.engine == engine
        for entity_id in ids:
            got = signature(checker.check(entity_id, AS_OF, phases=None))
            assert got == [h for h in expected if h[1] == entity_id], entity_id
        assert checker.check(ids[-1], AS_OF, phases=None) == []  # nobody has that id


@pytest.mark.parametrize("engine", ENGINES)
def test_phases_choose_the_rules_and_change_nothing_else(
    engine: str,
    request: pytest.FixtureRequest,
    registry: Path,
    whole_runs: dict[str, tuple[CompiledPack, list[Hit]]],
) -> None:
    compiled, found = whole_runs["fund_risk"]
    phase = {rule.id: rule.phase for rule in compiled.manifest.rules.values()}
    assert set(phase.values()) == {"pre", "in", "post"}
    ids = sample_ids(registry, compiled, found, 10)
    with Checker("fund_risk", source_of(engine, request)) as checker:
        for entity_id in ids:
            mine = [h for h in found if h.entity_id == entity_id]
            for phases in (("pre",), ("in", "post"), ("post",)):
                wanted = [h for h in mine if phase[h.rule] in phases]
                assert signature(checker.check(entity_id, AS_OF, phases=phases)) == signature(
                    wanted
                )
            pre = [h for h in mine if phase[h.rule] == "pre"]
            assert signature(checker.check(entity_id, AS_OF)) == signature(pre)  # the default
        # a checker compiles only the rules asked for: no query at all for a batch check
        assert checker.check(ids[0], AS_OF, phases=("batch",)) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_explain_is_the_explain_of_the_runner(
    engine: str,
    request: pytest.FixtureRequest,
    registry: Path,
    whole_runs: dict[str, tuple[CompiledPack, list[Hit]]],
) -> None:
    source = source_of(engine, request)
    compiled, found = whole_runs["coverage_gap_person"]
    hit = found[0].entity_id
    miss = sorted(set(keys(registry, compiled)) - {h.entity_id for h in found})[0]
    scenarios = PACKS["coverage_gap_person"]
    with Checker("coverage_gap_person", source, scenarios=scenarios) as checker:
        for entity_id in (hit, miss):
            mine = checker.explain(entity_id, AS_OF)
            theirs = explain(compiled, source, entity_id)
            assert [explanation_json(o.explanation) for o in mine] == [
                explanation_json(o.explanation) for o in theirs
            ]
            assert [(o.scenario, o.rule) for o in mine] == [
                (s, "employed_without_insurance") for s in ("base", "strict")
            ]
        assert any(o.hit for o in checker.explain(hit, AS_OF))
        assert not any(o.hit for o in checker.explain(miss, AS_OF, scenario="base"))
        assert {o.scenario for o in checker.explain(hit, AS_OF, scenario="strict")} == {"strict"}
        assert checker.explain(NOBODY, AS_OF) == []
        assert checker.explain("张三", AS_OF) == []  # text, just nobody's key


@pytest.mark.parametrize("engine", ENGINES)
def test_an_id_that_cannot_be_a_key_is_refused_before_any_query(
    engine: str, request: pytest.FixtureRequest
) -> None:
    with Checker("fund_risk", source_of(engine, request)) as checker:
        for bad in ("", "3701\x0002", "a\nb", "\ud800", "9" * 65, 370102, None):
            with pytest.raises(InvalidInput) as caught:
                checker.check(bad, AS_OF)  # type: ignore[arg-type]
            assert caught.value.key == "rules.check.bad_entity_id", repr(bad)
            assert "\x00" not in caught.value.message("zh-CN")
        with pytest.raises(InvalidInput) as phase:
            checker.check(NOBODY, AS_OF, phases=("during",))
        assert phase.value.key == "rules.check.unknown_phase"
    with Checker("expansion_subsidy", source_of(engine, request)) as hires:
        with pytest.raises(InvalidInput) as not_int:
            hires.check("12a", AS_OF, phases=None)
        assert not_int.value.key == "rules.run.entity_id_not_int"
        assert hires.check(999_999_999, AS_OF, phases=None) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_checks_from_many_threads_give_what_one_thread_gives(
    engine: str,
    request: pytest.FixtureRequest,
    registry: Path,
    whole_runs: dict[str, tuple[CompiledPack, list[Hit]]],
) -> None:
    compiled, found = whole_runs["fund_risk"]
    ids = sample_ids(registry, compiled, found, 8)
    with Checker("fund_risk", source_of(engine, request), connections=2) as checker:
        alone = {i: signature(checker.check(i, AS_OF, phases=None)) for i in ids}
        results: list[tuple[str, Signature]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def work(offset: int) -> None:
            try:
                for entity_id in ids[offset:] + ids[:offset]:
                    got = signature(checker.check(entity_id, AS_OF, phases=None))
                    with lock:
                        results.append((entity_id, got))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(results) == 6 * len(ids)
    for entity_id, got in results:
        assert got == alone[entity_id]


def test_compiled_queries_are_kept_per_date_least_recent_dropped(registry: Path) -> None:
    with Checker("data_quality_person", registry, cache_size=2) as checker:
        first = checker.compiled(AS_OF)
        assert checker.compiled(AS_OF) is first
        assert checker.compiled(date(2025, 5, 31)) is not first
        assert checker.compiled(AS_OF) is first  # still kept: two dates fit
        checker.compiled(date(2025, 4, 30))  # drops 2025-05-31, the least recently used
        assert checker.compiled(AS_OF) is first
        assert first.manifest.bound == ("entity_id",)
        assert first.manifest.as_of == AS_OF


@pytest.mark.postgres
def test_closing_a_checker_closes_its_connections(database: PostgresSource) -> None:
    url = libpq_url(database.url)
    name = make_url(database.url).database

    def sessions() -> int:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()",
                [name],
            ).fetchone()
        assert row is not None
        return int(row[0])

    before = sessions()
    with Checker("fund_risk", database, connections=3) as checker:
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(len(checker.check(NOBODY, AS_OF))))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [0, 0, 0]
        assert before < sessions() <= before + 3
    assert sessions() == before


@pytest.mark.postgres
def test_a_dropped_connection_fails_one_check_and_is_replaced(database: PostgresSource) -> None:
    url = libpq_url(database.url)
    name = make_url(database.url).database
    with Checker("fund_risk", database, connections=1) as checker:
        assert checker.check(NOBODY, AS_OF) == []
        with psycopg.connect(url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchall()
        assert killed == [(True,)]
        with pytest.raises(Unavailable) as caught:
            checker.check(NOBODY, AS_OF)
        assert caught.value.key == "rules.run.failed"
        assert checker.check(NOBODY, AS_OF) == []  # a new connection


@pytest.mark.postgres
def test_a_check_on_postgres_reads_big_tables_through_their_indexes(
    database: PostgresSource, registry: Path
) -> None:
    """The generic plan of each person pack's check (the plan every check runs after the
    first) scans no table of more than 2,000 rows whole: ``onething registry load``
    indexed every column the key filter reaches."""
    url = libpq_url(database.url)
    with psycopg.connect(url, autocommit=True) as conn:
        big = {
            str(r[0])
            for r in conn.execute(
                "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'registry' AND c.relkind = 'r' AND c.reltuples > 2000"
            ).fetchall()
        }
        assert {"contributions", "benefit_payments", "employment_spells", "persons"} <= big
        conn.execute("SET plan_cache_mode = force_generic_plan")
        for name in ("fund_risk", "coverage_gap_person", "data_quality_person"):
            with Checker(name, database) as checker:
                sql = checker.compiled(AS_OF).sql("postgres", schema="registry", pretty=False)
            conn.execute(f"PREPARE check_{name}(text) AS {sql}")
            plan = "\n".join(
                str(r[0])
                for r in conn.execute(f"EXPLAIN EXECUTE check_{name}('{NOBODY}')").fetchall()
            )
            scanned = {
                line.split(" on ")[1].split()[0].split(".")[-1]
                for line in plan.splitlines()
                if "Seq Scan on" in line
            }
            assert not scanned & big, (name, plan)
            assert "Index" in plan


def filtered_columns(compiled: CompiledPack) -> set[tuple[str, str]]:
    """(registry table, column) of every ``column IN (…)`` the key filter put in the query."""
    found = set()
    for node in compiled.query.find_all(exp.In):
        if not node.args.get("query") and not node.find(exp.Placeholder):
            continue  # an IN list of the pack's own expressions
        column = node.this
        select = node.find_ancestor(exp.Select)
        assert isinstance(column, exp.Column)
        assert select is not None
        for table in select.find_all(exp.Table):
            if table.alias == column.table and table.meta.get(REGISTRY_TABLE):
                found.add((table.name, column.name))
    return found


@pytest.mark.postgres
def test_every_column_a_check_filters_on_leads_an_index(database: PostgresSource) -> None:
    """Whatever a shipped pack's check filters on (its key, and the columns its ``on``
    pairs carry the key to) is the first column of an index of the loaded registry."""
    with psycopg.connect(libpq_url(database.url)) as conn:
        leading = {
            (str(r[0]), str(r[1]))
            for r in conn.execute(
                "SELECT t.relname, a.attname FROM pg_index i "
                "JOIN pg_class t ON t.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
                "WHERE n.nspname = 'registry'"
            ).fetchall()
        }
    wanted: set[tuple[str, str]] = set()
    for name in pack_names():
        wanted |= filtered_columns(compile_check(load(name), AS_OF))
    assert ("persons", "person_id") in wanted
    assert ("contributions", "enterprise_id") in wanted
    assert wanted <= leading, sorted(wanted - leading)


def test_selected_rules_keep_what_they_read_and_nothing_else() -> None:
    pack = load("fund_risk")
    chosen = select_rules(pack, ["award_running_after_death"])
    assert [r.id for r in chosen.rules] == ["award_running_after_death"]
    # its condition reads death_date and running_awards; running_awards counts the
    # pack's award entity, whose variables stay declared under entities:
    assert set(chosen.variables) == {"death_date", "running_awards"}
    assert chosen.tests == []
    assert pack.rules != chosen.rules  # the pack itself is unchanged
    assert len(pack.variables) > len(chosen.variables)
    with pytest.raises(RulesError) as caught:
        select_rules(pack, ["award_running_after_death", "no_such_rule"])
    assert caught.value.key == "rules.select.unknown_rule"
    assert "no_such_rule" in caught.value.message("en")


def test_the_entity_id_column_has_the_keys_type() -> None:
    hires = compile_pack(load("expansion_subsidy"), AS_OF).manifest
    people = compile_pack(load("fund_risk"), AS_OF).manifest
    assert dict(hires.columns)["entity_id"] == "int"
    assert dict(people.columns)["entity_id"] == "text"


@pytest.fixture(scope="module")
def spark() -> Any:
    pytest.importorskip("pyspark")
    from onething.rules.run.spark import spark_session

    return spark_session()


@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_a_check_on_spark_gives_the_same_hits(
    spark: Any, registry: Path, whole_runs: dict[str, tuple[CompiledPack, list[Hit]]]
) -> None:
    compiled, found = whole_runs["fund_risk"]
    ids = sample_ids(registry, compiled, found, 2)
    with Checker("fund_risk", registry, engine="spark") as checker:
        for entity_id in ids:
            got = signature(checker.check(entity_id, AS_OF, phases=None))
            assert got == [h for h in signature(found) if h[1] == entity_id]
