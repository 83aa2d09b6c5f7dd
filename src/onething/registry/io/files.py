"""Writing registry files: Parquet with the catalog's Arrow schema, and folder swaps.

A registry folder is replaced as a whole: everything is written to a hidden sibling
folder first and renamed into place, so a reader sees the old registry or the new one,
never a mix, and a failure leaves the old one as it was.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from onething.registry import schema

BATCH_ROWS = 500_000
PARQUET_COMPRESSION = "zstd"


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar on stderr: callers report progress themselves."""
    con.execute("SET enable_progress_bar = false")
    return con


def arrow_batches(
    con: duckdb.DuckDBPyConnection,
    query: str,
    params: list[object] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """The result of ``query`` as a stream of Arrow record batches (never all in memory)."""
    reader: pa.RecordBatchReader = con.sql(query, params=params or None).to_arrow_reader(batch_rows)
    yield from reader


def write_parquet(
    con: duckdb.DuckDBPyConnection,
    query: str,
    path: Path,
    table: schema.Table,
    params: list[object] | None = None,
) -> int:
    """Stream ``query`` (the table's columns, in catalog order) into ``path``; returns rows."""
    target = table.arrow_schema()
    rows = 0
    with pq.ParquetWriter(str(path), target, compression=PARQUET_COMPRESSION) as writer:
        for batch in arrow_batches(con, query, params):
            writer.write_table(pa.Table.from_batches([batch]).cast(target))
            rows += batch.num_rows
    return rows


def write_arrow_parquet(data: pa.Table, path: Path, table: schema.Table) -> int:
    pq.write_table(data.cast(table.arrow_schema()), str(path), compression=PARQUET_COMPRESSION)
    return int(data.num_rows)


def sibling(target: Path, purpose: str) -> Path:
    """A fresh hidden folder name next to ``target`` (same file system, so rename is atomic)."""
    return target.parent / f".{target.name}.{purpose}-{uuid.uuid4().hex[:12]}"


@contextmanager
def building(target: Path) -> Iterator[Path]:
    """A temporary folder to build ``target`` in; removed if the block fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = sibling(target, "building")
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def swap_into_place(built: Path, target: Path) -> None:
    """Make ``built`` the folder ``target``, replacing what was there."""
    if not target.exists():
        built.rename(target)
        return
    old = sibling(target, "replaced")
    target.rename(old)
    try:
        built.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
