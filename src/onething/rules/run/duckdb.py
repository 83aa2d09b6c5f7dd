"""The DuckDB runner: a compiled pack executed on a DuckDB connection.

The connection's tables are the registry tables (``registry.duckdb``, or tables made
with :meth:`~onething.registry.schema.Table.create_sql` in tests). DuckDB returns
``DECIMAL`` columns as :class:`~decimal.Decimal`, so amounts stay exact end to end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from onething.kit.errors import Unavailable
from onething.registry.store import RegistryDir
from onething.rules.compile import CompiledPack, Dialect
from onething.rules.run.explanation import Hit, Row, RuleOutcome
from onething.rules.run.pool import DEFAULT_SIZE, Pool
from onething.rules.run.query import explain_entity, find_hits, select_sql


class DuckDBExecutor:
    """Runs SELECTs on a DuckDB connection whose tables are the registry tables."""

    dialect: Dialect = "duckdb"
    schema: str | None = None

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def rows(self, sql: str, parameters: Mapping[str, object] | None = None) -> list[Row]:
        cursor = self.con.execute(sql, dict(parameters) if parameters else None)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def arrow(self, sql: str) -> pa.Table:
        relation: Any = self.con.sql(sql)
        # DuckDB ≥ 1.4 has to_arrow_table(); older versions return a Table from arrow().
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        table: pa.Table = fetch()
        return table


def rows_duckdb(compiled: CompiledPack, con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every output row (one per entity and scenario) as an Arrow table."""
    return DuckDBExecutor(con).arrow(select_sql(compiled, "duckdb"))


def run_duckdb(compiled: CompiledPack, con: duckdb.DuckDBPyConnection) -> list[Hit]:
    """The hits of ``compiled`` on ``con``: one per rule that held, entity and scenario."""
    found, _ = find_hits(DuckDBExecutor(con), compiled)
    return found


def explain(
    compiled: CompiledPack,
    con: duckdb.DuckDBPyConnection,
    entity_id: str,
    *,
    scenario: str | None = None,
) -> list[RuleOutcome]:
    """Every rule for one entity, hit or not, with the clauses that failed and their values."""
    return explain_entity(DuckDBExecutor(con), compiled, entity_id, scenario)


@contextmanager
def open_registry(registry: RegistryDir) -> Iterator[DuckDBExecutor]:
    """An executor on ``registry.duckdb`` of a registry folder, read-only; closed after.

    DuckDB errors inside the block become :class:`Unavailable` ``rules.run.failed``.
    """
    con = registry.connect(read_only=True)
    try:
        yield DuckDBExecutor(con)
    except duckdb.Error as exc:
        raise Unavailable("rules.run.failed", engine="DuckDB", detail=_first_line(exc)) from exc
    finally:
        con.close()


class DuckDBExecutors:
    """Executors over ``registry.duckdb`` for many small queries from many threads.

    One read-only connection; each caller gets a cursor of its own (a DuckDB connection
    runs one query at a time), at most ``size`` at once, kept for the next caller.
    """

    engine = "duckdb"

    def __init__(self, registry: RegistryDir, *, size: int = DEFAULT_SIZE) -> None:
        self._con = registry.require().connect(read_only=True)
        self._make_lock = threading.Lock()
        self._pool: Pool[DuckDBExecutor] = Pool(self._cursor, _close_executor, size=size)

    def _cursor(self) -> DuckDBExecutor:
        with self._make_lock:  # cursor() duplicates the connection: one at a time
            return DuckDBExecutor(self._con.cursor())

    def executor(self) -> AbstractContextManager[DuckDBExecutor]:
        return _translated(self._pool)

    def close(self) -> None:
        self._pool.close()
        self._con.close()


def _close_executor(executor: DuckDBExecutor) -> None:
    executor.con.close()


@contextmanager
def _translated(pool: Pool[DuckDBExecutor]) -> Iterator[DuckDBExecutor]:
    try:
        with pool.acquire() as executor:
            yield executor
    except duckdb.Error as exc:
        raise Unavailable("rules.run.failed", engine="DuckDB", detail=_first_line(exc)) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = [
    "DuckDBExecutor",
    "DuckDBExecutors",
    "explain",
    "open_registry",
    "rows_duckdb",
    "run_duckdb",
]
