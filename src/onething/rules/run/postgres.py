"""The PostgreSQL runner: a compiled pack executed on a registry loaded into PostgreSQL.

``onething registry load DIR --into postgresql://…`` copies the registry tables into a
schema (``registry`` by default); the compiled SQL names them in that schema
(``compiled.sql("postgres", schema="registry")``). psycopg returns ``NUMERIC`` as
:class:`~decimal.Decimal` and ``DATE`` as :class:`~datetime.date`, so values arrive exactly
as DuckDB gives them. This is the engine for per-case checks in production: compile with
``entity_ids=[…]`` and the key filter reaches every scan, so the primary-key and
reference indexes the load creates answer a single entity in milliseconds.

The SQL is sent without parameters (it holds none: values are typed literals), so
psycopg never reads ``%`` in it as a placeholder. Each query runs in a transaction (a
savepoint inside the caller's) with JIT compilation off; connections opened here are
read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow as pa

from onething.kit.errors import Unavailable
from onething.registry.load import libpq_url, mask_password
from onething.rules.compile import CompiledPack, Dialect
from onething.rules.run.explanation import Hit, Row, RuleOutcome
from onething.rules.run.query import arrow_schema, explain_entity, find_hits, select_sql

DEFAULT_SCHEMA = "registry"
CONNECT_TIMEOUT = 10

Connection = psycopg.Connection[Any]

_NO_JIT = b"SELECT set_config('jit', 'off', true)"
"""For the current transaction only. PostgreSQL would compile a pack's expressions to
machine code on a whole-registry run: 4 of 6 seconds for a person pack over 100,000
people, for no gain; a single-entity check is below the JIT threshold anyway."""


class PostgresExecutor:
    """Runs SELECTs on a psycopg connection, registry tables in ``schema``."""

    dialect: Dialect = "postgres"

    def __init__(self, connection: Connection, schema: str | None = DEFAULT_SCHEMA) -> None:
        self.connection = connection
        self.schema = schema

    def rows(self, sql: str) -> list[Row]:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.execute(_NO_JIT)
            cursor.execute(sql.encode())
            if cursor.description is None:
                return []
            names = [d.name for d in cursor.description]
            return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def connect(url: str) -> Connection:
    """A read-only psycopg connection (``postgresql://`` or ``postgresql+psycopg://`` URL).

    Raises :class:`Unavailable` ``rules.run.unreachable`` when the server does not answer.
    """
    try:
        connection = psycopg.connect(libpq_url(url), connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        raise Unavailable(
            "rules.run.unreachable", url=mask_password(url), detail=str(exc).strip()
        ) from exc
    connection.read_only = True
    return connection


def rows_postgres(
    compiled: CompiledPack, connection: Connection, *, schema: str | None = DEFAULT_SCHEMA
) -> pa.Table:
    """Every output row (one per entity and scenario) as an Arrow table typed by the manifest."""
    rows = PostgresExecutor(connection, schema).rows(
        select_sql(compiled, "postgres", schema=schema)
    )
    return pa.Table.from_pylist(rows, schema=arrow_schema(compiled.manifest))


def run_postgres(
    compiled: CompiledPack, connection: Connection, *, schema: str | None = DEFAULT_SCHEMA
) -> list[Hit]:
    """The hits of ``compiled`` on the registry in ``schema``."""
    found, _ = find_hits(PostgresExecutor(connection, schema), compiled)
    return found


def explain_postgres(
    compiled: CompiledPack,
    connection: Connection,
    entity_id: str,
    *,
    schema: str | None = DEFAULT_SCHEMA,
    scenario: str | None = None,
) -> list[RuleOutcome]:
    """Every rule for one entity, hit or not, with the clauses that failed and their values."""
    return explain_entity(PostgresExecutor(connection, schema), compiled, entity_id, scenario)


@contextmanager
def open_database(url: str, schema: str | None = DEFAULT_SCHEMA) -> Iterator[PostgresExecutor]:
    """An executor on a new read-only connection to ``url``; closed after the block.

    psycopg errors inside the block become :class:`Unavailable` ``rules.run.failed``.
    """
    connection = connect(url)
    try:
        yield PostgresExecutor(connection, schema)
    except psycopg.Error as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unavailable("rules.run.failed", engine="PostgreSQL", detail=detail) from exc
    finally:
        connection.close()


__all__ = [
    "DEFAULT_SCHEMA",
    "PostgresExecutor",
    "connect",
    "explain_postgres",
    "open_database",
    "rows_postgres",
    "run_postgres",
]
