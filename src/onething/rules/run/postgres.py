"""The PostgreSQL runner: a compiled pack executed on a registry loaded into PostgreSQL.

``onething registry load DIR --into postgresql://…`` copies the registry tables into a
schema (``registry`` by default); the compiled SQL names them in that schema
(``compiled.sql("postgres", schema="registry")``). psycopg returns ``NUMERIC`` as
:class:`~decimal.Decimal` and ``DATE`` as :class:`~datetime.date`, so values arrive exactly
as DuckDB gives them. This is the engine for per-case checks in production
(:class:`~onething.rules.run.checker.Checker`): the key filter reaches every scan, so the
primary-key and reference indexes the load creates answer a single entity in
milliseconds.

A whole-registry query is sent without parameters (it holds none: values are typed
literals), so psycopg never reads ``%`` in it as a placeholder; each such query runs in a
transaction (a savepoint inside the caller's) with JIT compilation off. A check compiled
once (:func:`~onething.rules.compile.compile_check`) binds the entity key as ``$1``
through a raw cursor, prepared on the server: after the first check a connection only
binds and executes (:class:`PostgresExecutors`, :func:`connect_for_checks`).
Connections opened here are read-only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
import pyarrow as pa

from onething.kit.errors import Unavailable
from onething.registry.load import libpq_url, mask_password
from onething.rules.compile import BOUND_PARAMETERS, CompiledPack, Dialect
from onething.rules.run.explanation import Hit, Row, RuleOutcome
from onething.rules.run.pool import DEFAULT_SIZE, Pool
from onething.rules.run.query import arrow_schema, explain_entity, find_hits, select_sql

DEFAULT_SCHEMA = "registry"
CONNECT_TIMEOUT = 10

Connection = psycopg.Connection[Any]

_NO_JIT = b"SELECT set_config('jit', 'off', true)"
"""For the current transaction only. PostgreSQL would compile a pack's expressions to
machine code on a whole-registry run: 4 of 6 seconds for a person pack over 100,000
people, for no gain; a single-entity check is below the JIT threshold anyway."""


class PostgresExecutor:
    """Runs SELECTs on a psycopg connection, registry tables in ``schema``.

    On a connection in autocommit mode (:func:`connect_for_checks`, whose session has
    JIT off) a query runs as it is; otherwise in a transaction of its own with JIT off.
    """

    dialect: Dialect = "postgres"

    def __init__(self, connection: Connection, schema: str | None = DEFAULT_SCHEMA) -> None:
        self.connection = connection
        self.schema = schema

    def rows(self, sql: str, parameters: Mapping[str, object] | None = None) -> list[Row]:
        if self.connection.autocommit:
            return self._fetch(sql, parameters)
        with self.connection.transaction():
            self.connection.execute(_NO_JIT)
            return self._fetch(sql, parameters)

    def _fetch(self, sql: str, parameters: Mapping[str, object] | None) -> list[Row]:
        cursor: psycopg.Cursor[Any]
        if parameters:
            # $1, $2 … in the order of BOUND_PARAMETERS; prepared once per connection.
            values = [parameters[name] for name in BOUND_PARAMETERS if name in parameters]
            cursor = psycopg.RawCursor(self.connection)
            cursor.execute(sql, values, prepare=True)
        else:
            cursor = self.connection.cursor()
            cursor.execute(sql.encode())
        with cursor:
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


CHECK_SETTINGS: tuple[tuple[str, str], ...] = (
    ("default_transaction_read_only", "on"),
    ("jit", "off"),
    ("plan_cache_mode", "force_generic_plan"),
)
"""Session settings of a connection for single-entity checks. A generic plan from the
first check on: PostgreSQL would otherwise plan each of the first five executions of a
prepared statement for its value (10 ms for a large pack) before settling on the generic
plan, which for a key looked up through its index is as good."""


def connect_for_checks(url: str) -> Connection:
    """A read-only connection in autocommit mode for many single-entity checks
    (:data:`CHECK_SETTINGS`). Raises :class:`Unavailable` when the server does not answer."""
    connection = connect(url)
    connection.autocommit = True
    for name, value in CHECK_SETTINGS:
        connection.execute("SELECT set_config(%s, %s, false)", [name, value])
    return connection


class PostgresExecutors:
    """Executors on a database for many small queries from many threads: a pool of up
    to ``size`` connections (:func:`connect_for_checks`), one per caller at a time."""

    engine = "postgres"

    def __init__(
        self, url: str, schema: str | None = DEFAULT_SCHEMA, *, size: int = DEFAULT_SIZE
    ) -> None:
        self.url = url
        self.schema = schema
        self._pool: Pool[PostgresExecutor] = Pool(
            self._connect, _close_executor, size=size, broken=(psycopg.OperationalError,)
        )

    def _connect(self) -> PostgresExecutor:
        return PostgresExecutor(connect_for_checks(self.url), self.schema)

    def executor(self) -> AbstractContextManager[PostgresExecutor]:
        return _translated(self._pool)

    def close(self) -> None:
        self._pool.close()


def _close_executor(executor: PostgresExecutor) -> None:
    executor.connection.close()


@contextmanager
def _translated(pool: Pool[PostgresExecutor]) -> Iterator[PostgresExecutor]:
    # Translated outside the pool, which must see a dropped connection's own error.
    try:
        with pool.acquire() as executor:
            yield executor
    except psycopg.Error as exc:
        raise Unavailable("rules.run.failed", engine="PostgreSQL", detail=_detail(exc)) from exc


def _detail(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
        raise Unavailable("rules.run.failed", engine="PostgreSQL", detail=_detail(exc)) from exc
    finally:
        connection.close()


__all__ = [
    "CHECK_SETTINGS",
    "DEFAULT_SCHEMA",
    "PostgresExecutor",
    "PostgresExecutors",
    "connect",
    "connect_for_checks",
    "explain_postgres",
    "open_database",
    "rows_postgres",
    "run_postgres",
]
