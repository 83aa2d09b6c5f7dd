"""Where a registry lives on disk, and how it is opened.

A registry folder holds one Parquet file per table (the exchange format), the DuckDB
file ``registry.duckdb`` with the same tables materialised (what the rules engine
queries), ``catalog.json`` (the data catalog), ``manifest.json`` (how it was made and
row counts) and, for a generated registry, ``ground_truth/anomalies.parquet``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from onething.kit.errors import NotFound
from onething.registry import schema

DUCKDB_FILE = "registry.duckdb"
MANIFEST_FILE = "manifest.json"
CATALOG_FILE = "catalog.json"
GROUND_TRUTH_DIR = "ground_truth"
ANOMALIES_FILE = "anomalies.parquet"


@dataclass(frozen=True, slots=True)
class RegistryDir:
    """The files of one registry folder."""

    root: Path

    def parquet(self, table: str) -> Path:
        return self.root / f"{table}.parquet"

    @property
    def duckdb_file(self) -> Path:
        return self.root / DUCKDB_FILE

    @property
    def manifest_file(self) -> Path:
        return self.root / MANIFEST_FILE

    @property
    def catalog_file(self) -> Path:
        return self.root / CATALOG_FILE

    @property
    def anomalies_file(self) -> Path:
        return self.root / GROUND_TRUTH_DIR / ANOMALIES_FILE

    def exists(self) -> bool:
        return self.duckdb_file.exists() and self.manifest_file.exists()

    def require(self) -> RegistryDir:
        if not self.exists():
            raise NotFound("registry.not_built", path=str(self.root))
        return self

    def read_manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.require().manifest_file.read_text("utf-8"))
        return data

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.manifest_file.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str),
            encoding="utf-8",
        )

    def write_catalog(self) -> None:
        self.catalog_file.write_text(
            json.dumps(schema.catalog(), ensure_ascii=False, indent=2), encoding="utf-8"
        )

    def connect(self, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to ``registry.duckdb``."""
        return duckdb.connect(str(self.require().duckdb_file), read_only=read_only)


def build_duckdb_from_parquet(reg: RegistryDir, *, threads: int | None = None) -> None:
    """(Re)create ``registry.duckdb`` with every catalog table loaded from its Parquet file.

    Written to a temporary file and renamed, so a reader never sees a half-built registry.
    """
    tmp = reg.duckdb_file.with_suffix(".duckdb.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for t in schema.tables().values():
            con.execute(t.create_sql())
            path = reg.parquet(t.name)
            if path.exists():
                cols = ", ".join(f'"{c}"' for c in t.columns)
                # Identifiers come from the shipped catalog; the path is a bound parameter.
                insert = f'INSERT INTO "{t.name}" SELECT {cols} FROM read_parquet(?)'  # noqa: S608
                con.execute(insert, [str(path)])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(reg.duckdb_file)
