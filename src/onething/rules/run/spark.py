"""The Spark runner: a compiled pack executed by Spark SQL over a registry's Parquet files.

One Spark application per process (:func:`spark_session`, ``local[2]`` by default, no UI,
bound to 127.0.0.1): starting the JVM costs seconds, so it is started once and kept. Each
registry folder gets its own light session of that application
(:func:`registry_session`, ``SparkSession.newSession()``: its own temporary views and SQL
settings, the same executors), whose temporary views are the registry tables, named like
them and typed by the catalog, read from ``<table>.parquet`` (an empty view when a
file is missing, as ``registry.duckdb`` has an empty table). On a cluster, pass your own
session whose catalog holds the registry tables to :func:`run_spark` (``schema=`` names
their database) after :func:`prepare_session`.

Settings the compiled SQL relies on (:data:`SQL_CONF`, set on every session used):

- ``spark.sql.ansi.enabled=true``: an overflow or an invalid date raises instead of
  silently giving NULL;
- ``spark.sql.decimalOperations.allowPrecisionLoss=false``: otherwise Spark rounds the
  product of wide decimals to 6 places.

Known limits (the compiled SQL, not this runner):

- ``/`` is exact while ``|a / b| < 9.2·10⁸``: the compiler divides exact integers with
  ``DIV``, which returns a 64-bit integer holding the quotient with its 10 places (and
  wraps around beyond it, even under ANSI); the compiled SQL raises for a larger
  quotient, so the query fails rather than giving a wrong number.
- ``CONCAT`` is emitted as ``CONCAT_WS('', …)`` so NULLs are skipped as elsewhere.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from pyspark.errors import PySparkException
from pyspark.logger import PySparkLogger
from pyspark.sql import SparkSession
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from onething.kit.errors import NotFound, Unavailable
from onething.registry import schema as catalog
from onething.registry.store import RegistryDir
from onething.rules.compile import CompiledPack, Dialect
from onething.rules.run.explanation import Hit, Row, RuleOutcome
from onething.rules.run.query import Progress, explain_entity, find_hits, select_sql

DEFAULT_MASTER = "local[2]"

SQL_CONF: dict[str, str] = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
    # Registry Parquet files are written by Arrow in the proleptic Gregorian calendar.
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
}
"""SQL settings the compiled SQL relies on; set on every session a run uses."""

LOCAL_CONF: dict[str, str] = {
    "spark.app.name": "onething-rules",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "2",
    # The JVM's quick JIT tier only: the session starts in half the time (5.5 s, not
    # 10.5 s) and runs over a 100,000-person registry were faster too (3.3 s, not 6 s).
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}
"""Settings of the process's own Spark application: no UI, no network beyond localhost,
few shuffle partitions, a JVM tuned to start fast (a registry on one machine, not a
cluster; override any of them with ``spark_session(conf=…)``)."""

_SPARK_TYPES: dict[str, DataType] = {
    "text": StringType(),
    "int": LongType(),
    "bool": BooleanType(),
    "date": DateType(),
}

Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass
class _State:
    """The process's Spark session and the registry sessions made from it."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    session: SparkSession | None = None
    registries: dict[Path, tuple[Fingerprint, SparkSession]] = field(default_factory=dict)


_state = _State()


def spark_session(
    *, master: str = DEFAULT_MASTER, conf: Mapping[str, str] | None = None
) -> SparkSession:
    """The process's Spark session: created on the first call (JVM start, seconds), then reused.

    ``master`` and ``conf`` (e.g. ``spark.driver.memory``) only apply to the first call.
    Raises :class:`Unavailable` ``rules.run.spark_unavailable`` when Spark cannot start
    (no Java, for one).
    """
    with _state.lock:
        if _state.session is not None:
            return _state.session
        builder = SparkSession.builder.master(master)
        # The in-memory catalog makes a folder for its default database: not in the cwd.
        warehouse = tempfile.mkdtemp(prefix="onething-spark-")
        atexit.register(shutil.rmtree, warehouse, ignore_errors=True)
        settings = {"spark.sql.warehouse.dir": warehouse, **LOCAL_CONF, **SQL_CONF, **(conf or {})}
        for key, value in settings.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except PySparkException as exc:
            raise Unavailable("rules.run.spark_unavailable", detail=_first_line(exc)) from exc
        # A failed query raises in Python (a typed error in ``run``); Spark would also log
        # it with its Java stack trace, in the JVM and again through PySpark's logger.
        session.sparkContext.setLogLevel("FATAL")
        PySparkLogger.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
        logging.getLogger("py4j").setLevel(logging.WARNING)  # no chatter about sockets
        _state.session = prepare_session(session)
        return _state.session


def stop_spark_session() -> None:
    """Stop the process's Spark application (if started) and forget its registry sessions."""
    with _state.lock:
        if _state.session is not None:
            _state.session.stop()
        _state.session = None
        _state.registries.clear()


def prepare_session(spark: SparkSession) -> SparkSession:
    """``spark`` with the SQL settings the compiled SQL relies on (:data:`SQL_CONF`)."""
    for key, value in SQL_CONF.items():
        spark.conf.set(key, value)
    return spark


def table_schema(table: catalog.Table) -> StructType:
    """A registry table's columns as a Spark schema, typed by the catalog."""
    fields = []
    for column in table.fields:
        kind: DataType
        if column.decimal is not None:
            kind = DecimalType(*column.decimal)
        else:
            kind = _SPARK_TYPES[column.type]
        fields.append(StructField(column.name, kind, nullable=True))
    return StructType(fields)


def register_registry(
    spark: SparkSession, registry: RegistryDir, progress: Progress | None = None
) -> None:
    """Every catalog table of ``registry`` as a temporary view of ``spark``, named like it.

    Types come from the catalog, so no file is scanned to infer them; a table without a
    Parquet file is an empty view.
    """
    tables = list(catalog.tables().values())
    for done, table in enumerate(tables):
        if progress is not None:
            progress("register", done, len(tables))
        columns = table_schema(table)
        path = registry.parquet(table.name)
        if path.exists():
            frame = spark.read.schema(columns).parquet(str(path))
        else:
            frame = spark.createDataFrame([], schema=columns)
        frame.createOrReplaceTempView(table.name)
    if progress is not None:
        progress("register", len(tables), len(tables))


def _fingerprint(registry: RegistryDir) -> Fingerprint:
    found = []
    for name in catalog.tables():
        path = registry.parquet(name)
        if path.exists():
            stat = path.stat()
            found.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def registry_session(registry: RegistryDir, progress: Progress | None = None) -> SparkSession:
    """A session of the process's Spark whose temporary views are ``registry``'s tables.

    Kept per folder while its Parquet files are unchanged (a rewritten registry gets a new
    session). Raises :class:`NotFound` ``registry.not_built`` when the folder holds no
    registry Parquet file.
    """
    root = registry.root.resolve()
    fingerprint = _fingerprint(registry)
    if not fingerprint:
        raise NotFound("registry.not_built", path=str(registry.root))
    with _state.lock:
        cached = _state.registries.get(root)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        session = prepare_session(spark_session().newSession())
        register_registry(session, RegistryDir(root), progress)
        _state.registries[root] = (fingerprint, session)
        return session


class SparkExecutor:
    """Runs SELECTs with Spark SQL, collected through Arrow (decimals stay exact)."""

    dialect: Dialect = "spark"

    def __init__(self, spark: SparkSession, schema: str | None = None) -> None:
        self.spark = spark
        self.schema = schema

    def arrow(self, sql: str, parameters: Mapping[str, object] | None = None) -> pa.Table:
        frame = self.spark.sql(sql, args=dict(parameters)) if parameters else self.spark.sql(sql)
        table: pa.Table = frame.toArrow()
        return table

    def rows(self, sql: str, parameters: Mapping[str, object] | None = None) -> list[Row]:
        rows: list[Row] = self.arrow(sql, parameters).to_pylist()
        return rows


class SparkExecutors:
    """The Spark session of a registry for many small queries from many threads (Spark
    runs concurrent jobs of one session itself)."""

    engine = "spark"

    def __init__(self, registry: RegistryDir) -> None:
        try:
            self._executor = SparkExecutor(registry_session(registry))
        except PySparkException as exc:
            raise Unavailable("rules.run.spark_unavailable", detail=_first_line(exc)) from exc

    @contextmanager
    def executor(self) -> Iterator[SparkExecutor]:
        try:
            yield self._executor
        except PySparkException as exc:
            raise Unavailable("rules.run.failed", engine="Spark", detail=_first_line(exc)) from exc

    def close(self) -> None:
        """Nothing to close: the session belongs to the process (:func:`stop_spark_session`)."""


def rows_spark(
    compiled: CompiledPack, spark: SparkSession, *, schema: str | None = None
) -> pa.Table:
    """Every output row (one per entity and scenario) as an Arrow table."""
    return SparkExecutor(spark, schema).arrow(select_sql(compiled, "spark", schema=schema))


def run_spark(
    compiled: CompiledPack, spark: SparkSession, *, schema: str | None = None
) -> list[Hit]:
    """The hits of ``compiled`` on the tables ``spark`` sees (in database ``schema`` if given)."""
    found, _ = find_hits(SparkExecutor(spark, schema), compiled)
    return found


def explain_spark(
    compiled: CompiledPack,
    spark: SparkSession,
    entity_id: str,
    *,
    schema: str | None = None,
    scenario: str | None = None,
) -> list[RuleOutcome]:
    """Every rule for one entity, hit or not, with the clauses that failed and their values."""
    return explain_entity(SparkExecutor(spark, schema), compiled, entity_id, scenario)


@contextmanager
def open_registry(
    registry: RegistryDir, progress: Progress | None = None
) -> Iterator[SparkExecutor]:
    """An executor on ``registry``'s Parquet files (see :func:`registry_session`).

    Spark errors inside the block become :class:`Unavailable` ``rules.run.failed``.
    """
    try:
        session = registry_session(registry, progress)
    except PySparkException as exc:
        raise Unavailable("rules.run.spark_unavailable", detail=_first_line(exc)) from exc
    try:
        yield SparkExecutor(session)
    except PySparkException as exc:
        raise Unavailable("rules.run.failed", engine="Spark", detail=_first_line(exc)) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = [
    "DEFAULT_MASTER",
    "LOCAL_CONF",
    "SQL_CONF",
    "SparkExecutor",
    "SparkExecutors",
    "explain_spark",
    "open_registry",
    "prepare_session",
    "register_registry",
    "registry_session",
    "rows_spark",
    "run_spark",
    "spark_session",
    "stop_spark_session",
    "table_schema",
]
