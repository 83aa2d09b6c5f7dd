"""The hits-only query (``CompiledPack.only_hits``, what a population run executes) and
aggregates shared by the scenarios of a sweep, on a generated registry.

Both are plans, not semantics: the rows that hit must be those of the plain query, value
for value, and a sweep's scenario must give what that scenario compiled alone gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.store import RegistryDir
from onething.rules import compile_pack, load_pack
from onething.rules.run.query import hit_filter, hits_sql, select_sql

AS_OF = date(2025, 6, 30)
PACKS = Path(__file__).parents[2] / "src" / "onething" / "content" / "packs"
SWEEP: dict[str, dict[str, Any]] = {
    "base": {},
    "amounts_150": {
        "amount_junior": Decimal("1500.00"),
        "amount_intermediate": Decimal("2250.00"),
        "amount_senior": Decimal("3000.00"),
    },
    "three_a_year": {"yearly_limit": 3, "shortage_extra": 0},
    "insured_24": {"min_insured_months": 24},
    "claim_24": {"apply_within_months": 24},
}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    out = tmp_path_factory.mktemp("hits") / "registry"
    generate_registry(out, GenerateOptions(persons=20_000, seed=5, end_date=AS_OF))
    connection = RegistryDir(out).connect()
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> dict[tuple[str, str], dict[str, Any]]:
    table = con.sql(sql).to_arrow_table().to_pylist()
    return {(r["scenario"], str(r["entity_id"])): r for r in table}


def _ctes(sql: str) -> dict[str, exp.Expr]:
    tree = sqlglot.parse_one(sql, read="duckdb")
    return {cte.alias: cte.this for cte in tree.find_all(exp.CTE)}


@pytest.mark.parametrize("scenarios", [None, SWEEP], ids=["one", "sweep"])
def test_the_hits_only_query_gives_the_hits_of_the_plain_query(
    registry: duckdb.DuckDBPyConnection, scenarios: dict[str, dict[str, Any]] | None
) -> None:
    compiled = compile_pack(load_pack(PACKS / "skill_subsidy.yaml"), AS_OF, scenarios)
    plain = _rows(registry, select_sql(compiled, "duckdb", where=hit_filter(compiled.manifest)))
    only = _rows(registry, hits_sql(compiled, "duckdb"))
    assert len(plain) > 50
    assert only == plain
    # the claim period (a clause of both rules, no aggregate in it) filters the
    # certificates before their holders' contributions are joined
    first = _ctes(hits_sql(compiled, "duckdb"))["_l0"]
    where = first.args.get("where")
    assert where is not None
    assert "issued_on" in {c.name for c in where.find_all(exp.Column)}
    assert (
        "where"
        not in _ctes(select_sql(compiled, "duckdb", where=hit_filter(compiled.manifest)))[
            "_l0"
        ].args
    )


def test_a_sweep_computes_parameter_free_aggregates_once_and_each_scenario_as_alone(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    pack = load_pack(PACKS / "skill_subsidy.yaml")
    swept = compile_pack(pack, AS_OF, SWEEP)
    ctes = _ctes(swept.sql("duckdb"))
    insured = ctes["_a_insured_months"]
    assert "scenario" not in {c.name for c in insured.find_all(exp.Column)}
    together = _rows(registry, swept.sql("duckdb"))
    assert {s for s, _ in together} == set(SWEEP)
    for name, overrides in SWEEP.items():
        alone = _rows(registry, compile_pack(pack, AS_OF, {name: overrides}).sql("duckdb"))
        mine = {key: row for key, row in together.items() if key[0] == name}
        assert mine == alone, name
    hits = {s for (s, _), r in together.items() if r["skill_subsidy_eligible__hit"]}
    assert hits == set(SWEEP)  # every scenario pays someone
