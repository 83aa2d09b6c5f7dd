"""``run`` and ``explain``: a compiled pack on a registry, on the engine of your choice.

A source is a registry folder (DuckDB reads its ``registry.duckdb``; Spark reads its
Parquet files as temporary views named like the tables) or a PostgreSQL database the
registry was loaded into (``onething registry load``), given as :class:`PostgresSource`
or a ``postgresql://`` URL (schema ``registry``). Without ``engine`` a folder runs on
DuckDB and a database on PostgreSQL.

Each engine's driver (and the registry store, which opens DuckDB) is imported only when
a run starts, so importing :mod:`onething.rules` loads no database driver.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias, get_args

from onething.kit.errors import InvalidInput, Unavailable
from onething.rules.compile import CompiledPack
from onething.rules.run.explanation import RuleOutcome
from onething.rules.run.query import Executor, Progress, explain_entity, find_hits
from onething.rules.run.result import RunResult

if TYPE_CHECKING:
    from onething.registry.store import RegistryDir

Engine = Literal["duckdb", "postgres", "spark"]
ENGINES: tuple[Engine, ...] = get_args(Engine)

_URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True, slots=True)
class PostgresSource:
    """A PostgreSQL database holding the registry tables in ``schema``."""

    url: str
    schema: str = "registry"

    def __repr__(self) -> str:
        from onething.registry.load import mask_password

        return f"PostgresSource({mask_password(self.url)!r}, schema={self.schema!r})"


Source: TypeAlias = "PostgresSource | RegistryDir | os.PathLike[str] | str"
"""A registry folder (path or :class:`RegistryDir`), or a PostgreSQL database."""


def resolve_source(
    source: Source, engine: str | None
) -> tuple[Engine, RegistryDir | PostgresSource]:
    """The engine to run on and what it reads; ``InvalidInput`` when they do not fit."""
    from onething.registry.store import RegistryDir

    target: RegistryDir | PostgresSource
    if isinstance(source, PostgresSource | RegistryDir):
        target = source
    elif isinstance(source, str) and source.startswith(_URL_SCHEMES):
        target = PostgresSource(source)
    else:
        target = RegistryDir(Path(source))
    if engine is None:
        engine = "postgres" if isinstance(target, PostgresSource) else "duckdb"
    if engine not in ENGINES:
        raise InvalidInput("rules.run.unknown_engine", engine=engine, engines=", ".join(ENGINES))
    wants_database = engine == "postgres"
    if wants_database != isinstance(target, PostgresSource):
        shown = repr(target) if isinstance(target, PostgresSource) else str(target.root)
        raise InvalidInput("rules.run.engine_source", engine=engine, source=shown)
    return engine, target


def _open(
    engine: Engine, target: RegistryDir | PostgresSource, progress: Progress | None
) -> AbstractContextManager[Executor]:
    if isinstance(target, PostgresSource):
        from onething.rules.run import postgres

        return postgres.open_database(target.url, target.schema)
    if engine == "spark":
        try:
            from onething.rules.run import spark
        except ImportError as exc:
            raise Unavailable("rules.run.spark_missing") from exc
        return spark.open_registry(target, progress)
    from onething.rules.run import duckdb

    return duckdb.open_registry(target.require())


@contextmanager
def _executor(
    source: Source, engine: str | None, progress: Progress | None
) -> Iterator[tuple[Engine, Executor]]:
    chosen, target = resolve_source(source, engine)
    with _open(chosen, target, progress) as executor:
        yield chosen, executor


def run(
    compiled: CompiledPack,
    source: Source,
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """The explained hits of ``compiled`` over ``source`` on ``engine``, with totals.

    ``progress(stage, done, total)`` hears ``register`` (Spark), ``query`` and
    ``explain``. Raises :class:`InvalidInput` for an engine that cannot read the source,
    :class:`NotFound` for a folder without a registry, :class:`Unavailable` when the
    engine cannot be reached or fails.
    """
    started = time.perf_counter()
    with _executor(source, engine, progress) as (chosen, executor):
        found, sql = find_hits(executor, compiled, progress)
    return RunResult.of(
        compiled.manifest, chosen, found, sql=sql, seconds=time.perf_counter() - started
    )


def explain(
    compiled: CompiledPack,
    source: Source,
    entity_id: str,
    *,
    engine: Engine | None = None,
    scenario: str | None = None,
) -> list[RuleOutcome]:
    """Every rule of ``compiled`` for one entity (every scenario, or ``scenario``), hit
    or not, with each clause's values and verdict. An unknown entity gives ``[]``.

    For many checks, one entity at a time, use a
    :class:`~onething.rules.run.checker.Checker`: it compiles once and only binds the key.
    """
    with _executor(source, engine, None) as (_, executor):
        return explain_entity(executor, compiled, entity_id, scenario)


__all__ = ["ENGINES", "Engine", "PostgresSource", "Source", "explain", "resolve_source", "run"]
