"""``onething registry import``: a folder of Parquet or CSV files in, a checked registry out.

All or nothing: every problem in every file is collected (the first
:data:`~onething.registry.io.problems.MAX_LISTED` listed, all counted); if there is any,
:class:`~onething.kit.errors.InvalidInput` ``registry.import_rejected`` is raised and the
target is not touched. Otherwise the target becomes a complete registry (Parquet per
table, ``registry.duckdb``, ``catalog.json``, ``manifest.json``) in one rename.

What the source must hold
    ``<table>.parquet`` or ``<table>.csv`` (never both) for every catalog table, or for the
    tables named in ``tables=`` — a set closed under references (``employment_spells``
    needs ``persons`` and ``enterprises``); tables left out are written empty. Other files
    are ignored, so a registry folder or an export folder can be imported as it is; a
    ``ground_truth/anomalies.parquet`` (a generated registry's planted anomalies) and a
    ``manifest.json`` (kept as ``origin`` in the new manifest) are carried over.
    ``regions`` may be left out: the shipped Shandong division list (province, 16 cities,
    counties) is then used to check region codes and written as the ``regions`` table.

CSV files are UTF-8 (a byte-order mark is fine), comma-separated, with a header row of
field names (or their catalog titles, e.g. ``公民身份号码``) and ``"`` quotes; an empty cell
is NULL; dates ``YYYY-MM-DD``; booleans ``true``/``false``; money as plain decimals
(``1234.50``, never rounded on the way in).
"""

# ruff: noqa: S608
# SQL here is assembled from catalog identifiers (quoted with quote_ident) and fixed
# fragments; every value from a source file is data in a table or a bound parameter.

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import duckdb

from onething.kit.errors import InvalidInput
from onething.kit.i18n import DEFAULT_LOCALE
from onething.registry import schema
from onething.registry.io.checks import TableChecker
from onething.registry.io.files import building, quiet, swap_into_place, write_parquet
from onething.registry.io.problems import (
    MAX_LISTED,
    FileFormat,
    ImportProblem,
    ProblemLog,
    Progress,
)
from onething.registry.io.regions import shipped_regions_arrow
from onething.registry.io.staging import (
    SourceFile,
    StagedTable,
    quote_ident,
    stage_arrow,
    stage_csv,
    stage_parquet,
)
from onething.registry.store import MANIFEST_FILE, RegistryDir, build_duckdb_from_parquet

ImportFormat = Literal["parquet", "csv", "auto"]
STAGING_FILE = "staging.duckdb"
OPTIONAL_TABLES = frozenset({"regions"})
CHINA_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote."""

    source: Path
    target: Path
    files: dict[str, str]
    """Table → the file it came from (``"shipped"`` for the built-in regions)."""
    rows: dict[str, int]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _selected(tables: Sequence[str] | None) -> list[str]:
    catalog = schema.tables()
    if tables is None:
        return list(catalog)
    unknown = sorted(set(tables) - set(catalog))
    if unknown:
        raise InvalidInput(
            "registry.unknown_tables", tables=", ".join(unknown), known=", ".join(catalog)
        )
    chosen = set(tables)
    missing = sorted(
        f"{t}.{f.name} → {f.ref_table}"
        for t in chosen
        for f in catalog[t].fields
        if f.ref_table and f.ref_table not in chosen and f.ref_table not in OPTIONAL_TABLES
    )
    if missing:
        raise InvalidInput("registry.import.tables_not_closed", references="; ".join(missing))
    return [t for t in catalog if t in chosen]


def _discover(
    source: Path, names: list[str], fmt: ImportFormat, log: ProblemLog
) -> dict[str, SourceFile]:
    kinds: tuple[FileFormat, ...] = ("parquet", "csv") if fmt == "auto" else (fmt,)
    found: dict[str, SourceFile] = {}
    for name in names:
        table = schema.table(name)
        present = [k for k in kinds if (source / f"{name}.{k}").is_file()]
        if len(present) > 1:
            log.add(
                ImportProblem(
                    file=f"{name}.parquet, {name}.csv",
                    fmt=None,
                    reason="registry.import.ambiguous_file",
                    params={"table": name},
                )
            )
        elif present:
            found[name] = SourceFile(table, source / f"{name}.{present[0]}", present[0])
        elif name not in OPTIONAL_TABLES:
            log.add(
                ImportProblem(
                    file=" / ".join(f"{name}.{k}" for k in kinds),
                    fmt=None,
                    reason="registry.import.missing_table",
                    params={"table": name, "title": table.title},
                )
            )
    return found


def _check_target(source: Path, target: Path) -> None:
    if target.resolve() == source.resolve():
        raise InvalidInput("registry.import.same_folder", path=str(target))
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not RegistryDir(target).exists())
    ):
        raise InvalidInput("registry.import.target_not_registry", path=str(target))


def _manifest(
    source: Path, files: dict[str, str], counts: dict[str, int], fmt: ImportFormat
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "kind": "import",
        "source": str(source.resolve()),
        "format": fmt,
        "files": files,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "row_counts": counts,
    }
    origin = source / MANIFEST_FILE
    if origin.is_file():
        try:
            manifest["origin"] = json.loads(origin.read_text("utf-8"))
        except (OSError, ValueError):
            manifest["origin"] = None
    return manifest


def _reject(log: ProblemLog, locale: str) -> InvalidInput:
    problems = log.sorted()
    return InvalidInput(
        "registry.import_rejected",
        errors=[p.as_dict(locale) for p in problems],
        count=log.count,
        listed=len(problems),
    )


def import_registry(
    source: Path,
    target: Path,
    *,
    fmt: ImportFormat = "auto",
    tables: Sequence[str] | None = None,
    progress: Progress | None = None,
    locale: str = DEFAULT_LOCALE,
    max_listed: int = MAX_LISTED,
    today: date | None = None,
) -> ImportReport:
    """Check the files in ``source`` and, if every row is valid, make ``target`` a registry.

    Raises :class:`InvalidInput` ``registry.import_rejected`` with one item per problem
    (``file``, ``row``, ``field``, ``value``, ``reason``, ``message`` in ``locale``) and
    ``count`` = all problems found; nothing is written then. ``today`` bounds birth dates
    in identity numbers (default: the date in China).
    """
    started = time.perf_counter()
    if not source.is_dir():
        raise InvalidInput("registry.import.source_missing", path=str(source))
    _check_target(source, target)
    names = _selected(tables)
    today = today or datetime.now(CHINA_TZ).date()
    log = ProblemLog(max_listed)
    found = _discover(source, names, fmt, log)
    if not found:
        raise InvalidInput("registry.import.no_files", path=str(source))

    done: dict[str, int] = {}

    def step(stage: str, total: int) -> None:
        """Progress in three stages (read, check, write), counted in tables."""
        done[stage] = done.get(stage, 0) + 1
        if progress is not None:
            progress(stage, done[stage], total)

    with building(target) as tmp:
        con = quiet(duckdb.connect(str(tmp / STAGING_FILE)))
        try:
            staged: dict[str, StagedTable] = {}
            for name, file in found.items():
                stage = stage_csv if file.fmt == "csv" else stage_parquet
                if (st := stage(con, file, log)) is not None:
                    staged[name] = st
                step("read", len(found))
            if "regions" not in found:
                staged["regions"] = stage_arrow(
                    con, schema.table("regions"), shipped_regions_arrow()
                )
            checker = TableChecker(con, staged, log, today=today)
            for name in found:
                if name in staged:
                    checker.check(staged[name])
                step("check", len(found))
            if log:
                raise _reject(log, locale)
            counts = _write_tables(con, staged, tmp, step)
        finally:
            con.close()
        (tmp / STAGING_FILE).unlink(missing_ok=True)
        files = {name: file.name for name, file in found.items()}
        if "regions" not in found:
            files["regions"] = "shipped"
        registry = RegistryDir(tmp)
        _carry_ground_truth(source, registry)
        build_duckdb_from_parquet(registry)
        registry.write_catalog()
        registry.write_manifest(_manifest(source, files, counts, fmt))
        swap_into_place(tmp, target)
    return ImportReport(
        source=source,
        target=target,
        files=files,
        rows=counts,
        seconds=round(time.perf_counter() - started, 3),
    )


def _write_tables(
    con: duckdb.DuckDBPyConnection,
    staged: dict[str, StagedTable],
    folder: Path,
    step: Callable[[str, int], None],
) -> dict[str, int]:
    counts: dict[str, int] = {}
    registry = RegistryDir(folder)
    for name, table in schema.tables().items():
        st = staged.get(name)
        if st is None:
            cols = ", ".join(
                f"CAST(NULL AS {f.sql_type()}) AS {quote_ident(f.name)}" for f in table.fields
            )
            query = f"SELECT {cols} LIMIT 0"
        else:
            cols = ", ".join(f"{st.typed(f.name)} AS {quote_ident(f.name)}" for f in table.fields)
            query = f"SELECT {cols} FROM {st.sql}"
        counts[name] = write_parquet(con, query, registry.parquet(name), table)
        step("write", len(schema.tables()))
    return counts


def _carry_ground_truth(source: Path, registry: RegistryDir) -> None:
    """Keep the planted anomalies of a generated registry (copied as they are, unchecked:
    they are the answer key of the risk rules' tests, not registry data)."""
    truth = RegistryDir(source).anomalies_file
    if truth.is_file():
        registry.anomalies_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(truth, registry.anomalies_file)
