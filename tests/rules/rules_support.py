"""Helpers for the rules engine tests: registry tables, rows, small packs, engines.

Tables are created from the registry catalog (``Table.create_sql()``) and filled with a
few hand-written rows; identifiers are fictitious but checksum-valid. Expected figures
are computed in the tests from these rows, never read back from the code under test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from onething.kit.ids import make_credit_code
from onething.registry import schema
from onething.rules import CompiledPack, Pack, parse_pack
from onething.rules.run.duckdb import rows_duckdb

PACKS = Path(__file__).parent / "packs"
ENTERPRISE = make_credit_code("370102", "MA3C0001")


def create_tables(con: Any, names: list[str] | None = None) -> None:
    """The registry tables (all, or ``names``), from the catalog DDL."""
    for table in schema.tables().values():
        if names is None or table.name in names:
            con.execute(table.create_sql())


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[Mapping[str, Any]]) -> None:
    """Insert rows given as dicts; missing columns get a harmless default."""
    spec = schema.table(table)
    defaults = {"text": "x", "int": 0, "bool": False, "date": date(2000, 1, 1)}
    values = []
    for row in rows:
        unknown = set(row) - set(spec.columns)
        assert not unknown, f"{table} has no columns {unknown}"
        full = []
        for field in spec.fields:
            if field.name in row:
                full.append(row[field.name])
            elif field.nullable:
                full.append(None)
            elif field.decimal is not None:
                full.append(0)
            else:
                full.append(defaults[field.type])
        values.append(full)
    marks = ", ".join("?" for _ in spec.fields)
    con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)


def enterprise_row(eid: str = ENTERPRISE, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "enterprise_id": eid,
        "name": "济南泉城机械有限公司",
        "region_code": "370102",
        "industry": "C",
        "size": "small",
        "established_on": date(2000, 1, 1),
        "labour_dispatch": False,
        "insured_on": date(2010, 1, 1),
    }
    row.update(fields)
    return row


def pack_of(
    *,
    variables: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    rules: list[dict[str, Any]] | None = None,
    entity: str = "enterprise",
    **extra: Any,
) -> Pack:
    """A small pack from Python data (YAML's shape), with one trivial rule by default."""
    return parse_pack(
        {
            "pack": "test_pack",
            "version": "1",
            "title": "测试",
            "entity": entity,
            "parameters": dict(parameters or {}),
            "variables": dict(variables or {}),
            "rules": rules or [{"id": "always", "label": "总是", "condition": "TRUE"}],
            **extra,
        }
    )


def param(type_name: str, value: Any = None) -> dict[str, Any]:
    """A parameter with one open-ended value (from 1900), to be overridden by scenarios."""
    default = {"int": 0, "decimal": "0", "bool": False, "date": date(2000, 1, 1), "text": ""}
    return {
        "type": type_name,
        "values": [
            {"from": date(1900, 1, 1), "value": default[type_name] if value is None else value}
        ],
    }


class Engine:
    """A database with the registry tables that runs compiled packs (here DuckDB)."""

    name = "duckdb"

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def insert(self, table: str, rows: list[Mapping[str, Any]]) -> None:
        insert(self.connection, table, rows)

    def rows(self, compiled: CompiledPack) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = rows_duckdb(compiled, self.connection).to_pylist()
        return rows


class PostgresEngine(Engine):
    """PostgreSQL through psycopg, running the compiled ``postgres`` SQL."""

    name = "postgres"

    def insert(self, table: str, rows: list[Mapping[str, Any]]) -> None:
        spec = schema.table(table)
        scratch = duckdb.connect()
        create_tables(scratch, [table])
        insert(scratch, table, rows)  # fills defaults exactly as the DuckDB engine does
        values = scratch.execute(f'SELECT * FROM "{table}"').fetchall()
        marks = ", ".join("%s" for _ in spec.fields)
        with self.connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)

    def rows(self, compiled: CompiledPack) -> list[dict[str, Any]]:
        cursor = self.connection.execute(compiled.sql("postgres"))
        names = [d.name for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


Evaluate = Callable[..., list[dict[str, Any]]]
