"""The DuckDB runner: a compiled pack executed on a DuckDB connection.

The connection's tables are the registry tables (``registry.duckdb``, or tables made
with :meth:`~onething.registry.schema.Table.create_sql` in tests). DuckDB returns
``DECIMAL`` columns as :class:`~decimal.Decimal`, so amounts stay exact end to end.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from onething.rules.compile import CompiledPack
from onething.rules.run import Hit, Row, RuleOutcome, hits, outcomes


def _query(compiled: CompiledPack, where: exp.Expr | None) -> str:
    query: exp.Expr = compiled.expression("duckdb")
    if where is not None:
        query = exp.select(exp.Star()).from_(exp.Subquery(this=query, alias="_q")).where(where)
    return query.sql(dialect="duckdb", identify=True)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def rows_duckdb(compiled: CompiledPack, con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every output row (one per entity and scenario) as an Arrow table."""
    relation: Any = con.sql(_query(compiled, None))
    # DuckDB ≥ 1.4 has to_arrow_table(); older versions return a Table from arrow().
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
    table: pa.Table = fetch()
    return table


def run_duckdb(compiled: CompiledPack, con: duckdb.DuckDBPyConnection) -> list[Hit]:
    """The hits of ``compiled`` on ``con``: one per rule that held, entity and scenario."""
    held = [exp.column(r.hit_column) for r in compiled.manifest.rules.values()]
    where = exp.or_(*held) if held else exp.false()
    return hits(compiled.manifest, _rows(con, _query(compiled, where)))


def explain(
    compiled: CompiledPack,
    con: duckdb.DuckDBPyConnection,
    entity_id: str,
    *,
    scenario: str | None = None,
) -> list[RuleOutcome]:
    """Every rule for one entity, hit or not, with the clauses that failed and their values."""
    where: exp.Expr = exp.EQ(this=exp.column("entity_id"), expression=exp.Literal.string(entity_id))
    if scenario is not None:
        where = exp.and_(
            where, exp.EQ(this=exp.column("scenario"), expression=exp.Literal.string(scenario))
        )
    return outcomes(compiled.manifest, _rows(con, _query(compiled, where)))
