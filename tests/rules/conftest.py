"""Fixtures for the rules engine: real DuckDB and PostgreSQL registries.

Helpers (rows, packs, engines) live in ``rules_support``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import duckdb
import psycopg
import pytest
from rules_support import (
    Engine,
    Evaluate,
    PostgresEngine,
    create_tables,
    enterprise_row,
    pack_of,
    param,
)
from sqlalchemy.engine import make_url

from onething.registry import schema
from onething.rules import compile_pack


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with every registry table, empty."""
    connection = duckdb.connect()
    create_tables(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def pg_registry_url(pg_admin_url: str, pg_database_factory: Any) -> str:
    """A PostgreSQL database holding every registry table (empty)."""
    name = pg_database_factory()
    url = make_url(pg_admin_url).set(database=name, drivername="postgresql")
    libpq = url.render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        create_tables(connection)
    return libpq


@pytest.fixture
def pg_engine(pg_registry_url: str) -> Iterator[PostgresEngine]:
    """The PostgreSQL registry, emptied for this test."""
    with psycopg.connect(pg_registry_url, autocommit=True) as connection:
        tables = ", ".join(f'"{t}"' for t in schema.tables())
        connection.execute(f"TRUNCATE {tables}")
        yield PostgresEngine(connection)


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Each test once on DuckDB and once on PostgreSQL (skipped when no server answers)."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_engine")
        return
    connection = duckdb.connect()
    create_tables(connection)
    yield Engine(connection)
    connection.close()


@pytest.fixture
def evaluate(engine: Engine) -> Evaluate:
    """Evaluate expressions over parameter values, one scenario per case, in ONE query.

    ``evaluate({"r": "months_between(a, b)"}, {"a": "date", "b": "date"}, cases)``
    returns, per case (a dict of parameter values), the row of output variables.
    """
    engine.insert("enterprises", [enterprise_row()])

    def run(
        exprs: Mapping[str, str],
        params: Mapping[str, str],
        cases: list[Mapping[str, Any]],
        as_of: date = date(2025, 6, 30),
    ) -> list[dict[str, Any]]:
        pack = pack_of(
            parameters={n: param(t) for n, t in params.items()},
            variables={n: {"expr": e} for n, e in exprs.items()},
        )
        scenarios = {f"case{i}": dict(case) for i, case in enumerate(cases)}
        compiled = compile_pack(pack, as_of, scenarios=scenarios)
        by_scenario = {row["scenario"]: row for row in engine.rows(compiled)}
        return [by_scenario[f"case{i}"] for i in range(len(cases))]

    return run
