"""Writing the generated tables: Parquet and DuckDB at once, off the generating threads.

Every table goes to ``<table>.parquet`` (pyarrow; read back it has exactly the catalog
schema; decimals stored as integers) and into ``registry.duckdb`` (DuckDB scans the same
Arrow batches). Writer threads with short queues let NumPy generation, Parquet encoding and
DuckDB inserts overlap (all three release the GIL). A table may arrive in several batches
(the contributions do); batch boundaries depend only on the data, so the same seed gives
byte-identical Parquet files, and each DuckDB table is filled in the same row order.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from onething.registry import schema
from onething.registry.generate.arrays import ROW_GROUP
from onething.registry.store import RegistryDir

_QUEUE_DEPTH = 3
_STOP = object()


def parquet_options(arrow_schema: pa.Schema) -> dict[str, Any]:
    """Writer options: statistics for dates, numbers and short codes only (what readers
    prune on); skipping them for the long identifier columns saves a fifth of the time."""
    text = [f.name for f in arrow_schema if _is_text(f.type)]
    stats = [
        f.name
        for f in arrow_schema
        if f.name not in text or f.name in ("scheme", "benefit", "kind", "sex")
    ]
    return {
        # Dictionary pages for text only: sorted dates and amounts compress better plain.
        "use_dictionary": text,
        "compression": "zstd",
        "compression_level": 1,
        "store_decimal_as_integer": True,
        # Dictionaries of a row group's identifiers exceed the 1 MiB default.
        "dictionary_pagesize_limit": 64 << 20,
        "write_statistics": stats,
    }


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_string(t))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


class _Worker(threading.Thread):
    """Runs submitted callables in order; remembers the first failure."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.jobs: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_DEPTH)
        self.error: BaseException | None = None
        self.stopped = False
        self.busy = 0.0
        """Seconds spent working (for the benchmark)."""

    def run(self) -> None:
        while (job := self.jobs.get()) is not _STOP:
            if self.error is None:
                began = time.perf_counter()
                try:
                    job()
                except BaseException as exc:  # re-raised in the caller's thread
                    self.error = exc
                self.busy += time.perf_counter() - began

    def submit(self, job: Callable[[], None]) -> None:
        while True:
            if self.error is not None:
                raise self.error
            if self.stopped:
                raise RuntimeError("the registry writer was stopped")
            try:
                self.jobs.put(job, timeout=0.1)
                return
            except queue.Full:
                continue

    def stop(self) -> None:
        """Drop pending jobs and end the thread."""
        self.stopped = True
        while self.is_alive():
            try:
                while True:
                    self.jobs.get_nowait()
            except queue.Empty:
                pass
            try:
                self.jobs.put(_STOP, timeout=0.1)
            except queue.Full:
                continue
            self.join(1.0)

    def finish(self) -> None:
        self.jobs.put(_STOP)
        self.join()
        if self.error is not None:
            raise self.error


class RegistryWriter:
    """Streams catalog tables into a registry folder's Parquet files and DuckDB file.

    Two lanes, each with a Parquet thread and a DuckDB thread (its own connection, one
    DuckDB thread: an ordered single-threaded insert compresses each row group once, where
    a parallel one rewrites them at the checkpoint). The contributions take one lane, every
    other table the other.
    """

    _OWN_LANE = frozenset({"contributions"})

    def __init__(self, root: Path) -> None:
        self.registry = RegistryDir(root)
        self.rows: dict[str, int] = {}
        self.sha256: dict[str, str] = {}
        self._open: dict[str, pq.ParquetWriter] = {}
        self._parquet = [_Worker("parquet-writer-1"), _Worker("parquet-writer-2")]
        self._con = duckdb.connect(str(self.registry.duckdb_file))
        self._con.execute("SET threads = 1")
        self._con.execute("SET memory_limit = '1GB'")
        self._con.execute("SET preserve_insertion_order = true")
        for t in schema.tables().values():
            self._con.execute(t.create_sql())
        self._duckdb = [_Worker("duckdb-writer-1"), _Worker("duckdb-writer-2")]
        self._cursors = [self._con.cursor() for _ in self._duckdb]
        for worker in self._workers:
            worker.start()

    @property
    def _workers(self) -> tuple[_Worker, ...]:
        return (*self._parquet, *self._duckdb)

    def write(self, name: str, table: pa.Table) -> None:
        """A whole table in one go."""
        self.begin(name)
        self.append(name, table)
        self.end(name)

    def begin(self, name: str) -> None:
        schema.table(name)  # an unknown table fails here
        self.rows[name] = 0

    def _lane(self, name: str) -> int:
        return 0 if name in self._OWN_LANE else 1

    def append(self, name: str, batch: pa.Table) -> None:
        table = _conform(name, batch)
        self.rows[name] += table.num_rows
        if table.num_rows == 0:
            return
        path = self.registry.parquet(name)
        lane = self._lane(name)
        cursor = self._cursors[lane]

        def write_parquet() -> None:
            if name not in self._open:
                self._open[name] = _parquet_writer(path, table.schema)
            writer = self._open[name]
            # A later batch may carry a text column plain where the first had it
            # dictionary-encoded (or the reverse): same values, the file's physical type.
            batch = table if table.schema == writer.schema else table.cast(writer.schema)
            writer.write_table(batch, row_group_size=ROW_GROUP)

        def insert() -> None:
            view = f"_batch_{lane}"
            cursor.register(view, table)
            try:
                cursor.execute(f'INSERT INTO "{name}" SELECT * FROM {view}')  # noqa: S608
            finally:
                cursor.unregister(view)

        self._parquet[lane].submit(write_parquet)
        self._duckdb[lane].submit(insert)

    def flush(self, name: str) -> None:
        """Wait until the writers of ``name``'s lane have written everything given so far.

        The generator calls it after a large table so that the table's memory is free
        before it builds the next one (the lane keeps its order, so nothing else changes).
        """
        lane = self._lane(name)
        for worker in (self._parquet[lane], self._duckdb[lane]):
            done = threading.Event()
            worker.submit(done.set)
            while not done.wait(0.1):
                if worker.error is not None:
                    raise worker.error

    def end(self, name: str) -> None:
        path = self.registry.parquet(name)
        empty = schema.table(name).arrow_schema()

        def close() -> None:
            writer = self._open.pop(name, None) or _parquet_writer(path, empty)
            writer.close()
            self.sha256[f"{name}.parquet"] = file_sha256(path)

        self._parquet[self._lane(name)].submit(close)

    @property
    def busy_seconds(self) -> dict[str, float]:
        """Seconds each writer thread worked (they overlap with generation)."""
        busy = {}
        for i, (pw, dw) in enumerate(zip(self._parquet, self._duckdb, strict=True), 1):
            busy[f"parquet_{i}"] = pw.busy
            busy[f"duckdb_{i}"] = dw.busy
        return busy

    def close(self) -> None:
        """Wait for the writers; checkpoint and close the DuckDB file."""
        try:
            for worker in self._workers:
                worker.finish()
            self._con.execute("CHECKPOINT")
        finally:
            self._release()

    def abort(self) -> None:
        """Stop after a failure elsewhere (errors of the writers are dropped)."""
        for worker in self._workers:
            worker.stop()
        self._release()

    def _release(self) -> None:
        for writer in self._open.values():
            writer.close()
        self._open.clear()
        for cursor in self._cursors:
            cursor.close()
        self._con.close()


def _parquet_writer(path: Path, arrow_schema: pa.Schema) -> pq.ParquetWriter:
    # The Arrow schema is not stored: dictionary-encoded batches then read back as plain
    # strings, exactly the catalog schema (types come from the Parquet logical types).
    return pq.ParquetWriter(path, arrow_schema, store_schema=False, **parquet_options(arrow_schema))


def _conform(name: str, batch: pa.Table) -> pa.Table:
    """Check a batch against the catalog schema and carry the catalog's nullability.

    Columns have the catalog type, or (for text) a dictionary type of it; nothing is cast.
    """
    target = schema.table(name).arrow_schema()
    if batch.schema.names != target.names:
        raise ValueError(f"{name}: columns {batch.schema.names} != catalog {target.names}")
    fields = []
    for f, got in zip(target, batch.schema, strict=True):
        value_type = got.type.value_type if pa.types.is_dictionary(got.type) else got.type
        if value_type != f.type:
            raise ValueError(f"{name}.{f.name}: type {got.type} != catalog {f.type}")
        if not f.nullable and batch.column(f.name).null_count:
            raise ValueError(f"{name}.{f.name}: nulls in a non-nullable column")
        fields.append(pa.field(f.name, got.type, nullable=f.nullable))
    return pa.Table.from_arrays(batch.columns, schema=pa.schema(fields))
