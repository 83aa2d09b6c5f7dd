"""``onething registry export``: the tables of a registry as CSV or Parquet files.

The files are exactly what :func:`~onething.registry.io.importer.import_registry` reads
(``<table>.csv`` with a header row, or ``<table>.parquet`` with the catalog schema), plus
``catalog.json``, the registry's ``manifest.json`` and its ground truth
(``ground_truth/anomalies.parquet``) if it has one, so an export imports back to the same
content. Each table file is written under a temporary name and renamed.
"""

# ruff: noqa: S608
# SQL here is assembled from catalog identifiers (quoted with quote_ident) and fixed
# fragments; every value from a source file is data in a table or a bound parameter.

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from onething.kit.errors import InvalidInput
from onething.registry import schema
from onething.registry.io.files import quiet, write_parquet
from onething.registry.io.staging import quote_ident
from onething.registry.store import CATALOG_FILE, MANIFEST_FILE, RegistryDir

ExportFormat = Literal["parquet", "csv"]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    source: Path
    target: Path
    fmt: ExportFormat
    files: dict[str, Path]
    rows: dict[str, int]
    seconds: float


def export_registry(
    source: Path,
    target: Path,
    *,
    fmt: ExportFormat = "csv",
    tables: Sequence[str] | None = None,
) -> ExportReport:
    """Write the tables of the registry in ``source`` (all, or ``tables``) to ``target``.

    CSV: UTF-8, comma-separated, header row, ``"`` quotes, empty cell = NULL, dates
    ``YYYY-MM-DD``, money as exact decimals. Files of the same name in ``target`` are
    replaced; other files are left alone.
    """
    started = time.perf_counter()
    registry = RegistryDir(source).require()
    if fmt not in ("csv", "parquet"):
        raise InvalidInput("registry.export.bad_format", fmt=fmt)
    catalog = schema.tables()
    names = list(catalog) if tables is None else list(tables)
    unknown = sorted(set(names) - set(catalog))
    if unknown:
        raise InvalidInput(
            "registry.unknown_tables", tables=", ".join(unknown), known=", ".join(catalog)
        )
    if target.resolve() == source.resolve():
        raise InvalidInput("registry.export.same_folder", path=str(target))
    target.mkdir(parents=True, exist_ok=True)

    files: dict[str, Path] = {}
    counts: dict[str, int] = {}
    con = quiet(registry.connect())
    try:
        for name in names:
            table = catalog[name]
            cols = ", ".join(quote_ident(c) for c in table.columns)
            query = f"SELECT {cols} FROM {quote_ident(name)}"
            path = target / f"{name}.{fmt}"
            tmp = path.with_name(f".{path.name}.tmp")
            if fmt == "parquet":
                counts[name] = write_parquet(con, query, tmp, table)
            else:
                con.execute(
                    f"COPY ({query}) TO '{_literal(tmp)}' "
                    "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', DATEFORMAT '%Y-%m-%d')"
                )
                found = con.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchall()
                counts[name] = int(found[0][0])
            tmp.replace(path)
            files[name] = path
        manifest = registry.read_manifest()
    finally:
        con.close()
    (target / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str),
        encoding="utf-8",
    )
    truth = registry.anomalies_file
    if truth.is_file():
        copied = RegistryDir(target).anomalies_file
        copied.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(truth, copied)
    (target / CATALOG_FILE).write_text(
        json.dumps(schema.catalog(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return ExportReport(
        source=source,
        target=target,
        fmt=fmt,
        files=files,
        rows=counts,
        seconds=round(time.perf_counter() - started, 3),
    )


def _literal(path: Path) -> str:
    """A path inside a SQL string literal (COPY TO takes no parameters)."""
    return str(path).replace("'", "''")
