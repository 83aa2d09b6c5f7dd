"""What a runner asks an engine, and how the answer becomes hits, the same on every engine.

An engine runner wraps a connection in an :class:`Executor` (a dialect, the schema of
the registry tables, and a method returning the rows of one SELECT); everything else is
shared: the compiled query narrowed to rows that hit, or to one entity (built as a
SQLGlot tree and rendered for the dialect, never pasted together), the rows put in a
fixed order (scenario as declared, then entity key) so every engine gives the same list,
and the rows turned into explained hits by :mod:`.explanation`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Protocol

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from onething.kit.errors import InvalidInput
from onething.rules.compile import CompiledPack, Dialect
from onething.rules.compile.manifest import Manifest
from onething.rules.run.explanation import Hit, Row, RuleOutcome, hits, outcomes

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stages ``register`` (Spark views), ``query``, ``explain``."""

_PROGRESS_STEP = 10_000


class Executor(Protocol):
    """An engine that runs one SELECT over the registry tables and returns its rows."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def schema(self) -> str | None:
        """Where the registry tables are (a PostgreSQL schema, a Spark database), or None."""
        ...

    def rows(self, sql: str, parameters: Mapping[str, object] | None = None) -> list[Row]:
        """Every row of ``sql`` as a mapping of column name to Python value.

        ``parameters`` binds the query's parameters by name (``manifest.bound``).
        """
        ...


def hit_filter(manifest: Manifest) -> exp.Expr:
    """``<rule>__hit OR …``: the rows where at least one rule held."""
    held = [exp.column(rule.hit_column) for rule in manifest.rules.values()]
    return exp.or_(*held) if held else exp.false()


def key_type(manifest: Manifest) -> str:
    """The type of the entity key (``text`` or ``int``): the ``entity_id`` column's."""
    return dict(manifest.columns)["entity_id"]


def entity_filter(manifest: Manifest, entity_id: str, scenario: str | None = None) -> exp.Expr:
    """``entity_id = <id>`` (typed like the entity key) [``AND scenario = <name>``]."""
    value: exp.Expr = exp.Literal.string(entity_id)
    if key_type(manifest) == "int":
        try:
            value = exp.Literal.number(int(entity_id))
        except ValueError:
            raise InvalidInput(
                "rules.run.entity_id_not_int", entity=manifest.entity, entity_id=entity_id
            ) from None
    where: exp.Expr = exp.EQ(this=exp.column("entity_id"), expression=value)
    if scenario is not None:
        scenario_is = exp.EQ(this=exp.column("scenario"), expression=exp.Literal.string(scenario))
        where = exp.and_(where, scenario_is)
    return where


def select_sql(
    compiled: CompiledPack,
    dialect: Dialect,
    *,
    schema: str | None = None,
    where: exp.Expr | None = None,
) -> str:
    """The compiled query for ``dialect``, its rows narrowed by ``where`` if given.

    Narrowed, it is the query of :meth:`~CompiledPack.for_hits`: the columns of every
    rule and the variables the rules read, no variable that no rule reads.

    Rendered on one line: pretty-printing would double the time a single-entity check
    spends rendering (``compiled.sql(dialect)`` gives the readable form).
    """
    if where is None:
        return compiled.sql(dialect, schema=schema, pretty=False)
    return _narrowed(compiled.for_hits(), dialect, schema, where)


def hits_sql(compiled: CompiledPack, dialect: Dialect, *, schema: str | None = None) -> str:
    """The rows of ``compiled`` where some rule holds, for ``dialect``: the query of
    :meth:`~CompiledPack.only_hits` (rows that cannot hit left out before the aggregates)
    narrowed by :func:`hit_filter`."""
    hits = compiled.only_hits()
    return _narrowed(hits, dialect, schema, hit_filter(hits.manifest))


def _narrowed(compiled: CompiledPack, dialect: Dialect, schema: str | None, where: exp.Expr) -> str:
    inner = compiled.expression(dialect, schema=schema)
    query = exp.select(exp.Star()).from_(exp.Subquery(this=inner, alias="_q"), copy=False)
    query = query.where(where, copy=False)
    return query.sql(
        dialect=dialect,
        copy=False,  # built here from a lowered copy, used once
        pretty=False,
        identify=True,
        comments=False,
        unsupported_level=ErrorLevel.RAISE,
    )


def in_order(manifest: Manifest, rows: Sequence[Row]) -> list[Row]:
    """Rows by scenario (as declared) then entity key: the same order on every engine."""
    rank = {name: i for i, name in enumerate(manifest.scenarios)}
    return sorted(rows, key=lambda r: (rank.get(str(r["scenario"]), len(rank)), r["entity_id"]))


def find_hits(
    executor: Executor, compiled: CompiledPack, progress: Progress | None = None
) -> tuple[list[Hit], str]:
    """The explained hits of ``compiled`` on ``executor``, and the SQL that found them."""
    manifest = compiled.for_hits().manifest
    sql = hits_sql(compiled, executor.dialect, schema=executor.schema)
    with _collector_paused():
        if progress is not None:
            progress("query", 0, 1)
        rows = in_order(manifest, executor.rows(sql))
        if progress is not None:
            progress("query", 1, 1)
        found: list[Hit] = []
        for start in range(0, len(rows), _PROGRESS_STEP):
            if progress is not None:
                progress("explain", start, len(rows))
            found.extend(hits(manifest, rows[start : start + _PROGRESS_STEP]))
        if progress is not None:
            progress("explain", len(rows), len(rows))
    return found, sql


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a run builds its rows and explanations: millions
    of small dicts and tuples, none in a cycle (reference counting frees them), which made
    the collector scan the growing heap over and over — a third of the explaining time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def explain_entity(
    executor: Executor, compiled: CompiledPack, entity_id: str, scenario: str | None = None
) -> list[RuleOutcome]:
    """Every rule for one entity (each scenario, or ``scenario``), hit or not, explained."""
    manifest = compiled.for_hits().manifest
    where = entity_filter(manifest, entity_id, scenario)
    sql = select_sql(compiled, executor.dialect, schema=executor.schema, where=where)
    return outcomes(manifest, in_order(manifest, executor.rows(sql)))


_ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "null": pa.null(),
}


def arrow_type(described: str) -> pa.DataType:
    """The Arrow type of an output column typed ``int``, ``decimal(2)`` … in the manifest."""
    if described.startswith("decimal(") and described.endswith(")"):
        return pa.decimal128(38, int(described[len("decimal(") : -1]))
    return _ARROW_TYPES[described]


def arrow_schema(manifest: Manifest) -> pa.Schema:
    """The Arrow schema of the compiled query's output rows (decimals as ``decimal128(38, s)``)."""
    return pa.schema([(name, arrow_type(described)) for name, described in manifest.columns])


__all__ = [
    "Executor",
    "Progress",
    "arrow_schema",
    "arrow_type",
    "entity_filter",
    "explain_entity",
    "find_hits",
    "hit_filter",
    "hits_sql",
    "in_order",
    "key_type",
    "select_sql",
]
