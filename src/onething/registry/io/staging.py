"""Reading the source files of an import into DuckDB staging tables.

Every source file becomes one staging table ``stage_<table>`` whose columns are the
catalog fields found in the file, in file order (so a row's ``rowid`` is its record
index). A column whose type already matches the catalog (a well-typed Parquet file) is
kept as it is; any other column is staged as trimmed text (empty = NULL) and converted
by :meth:`StagedTable.typed`, which yields NULL where the text is no valid value — the
checks compare the two to find bad values, and the writer uses the same expression.
"""

# ruff: noqa: S608
# SQL here is assembled from catalog identifiers (quoted with quote_ident) and fixed
# fragments; every value from a source file is data in a table or a bound parameter.

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from onething.registry import schema
from onething.registry.io.problems import FileFormat, ImportProblem, ProblemLog

# What counts as a value of each type when it arrives as text. Stricter than DuckDB's
# casts on purpose: a cast rounds "1.5" to the integer 2 and "12.345" to 12.35 yuan.
_INT_PATTERN = r"[+-]?\d{1,18}"
_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
_TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?"
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")
_WIDE_INTS = ("TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER")


def quote_ident(name: str) -> str:
    """A SQL identifier, quoted (names in source files are arbitrary text)."""
    return '"' + name.replace('"', '""') + '"'


def decimal_pattern(precision: int, scale: int) -> str:
    """Text of a number that fits ``DECIMAL(precision, scale)`` without rounding."""
    whole = precision - scale
    return rf"[+-]?\d{{1,{whole}}}(\.\d{{0,{scale}}}0*)?"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The file a table is imported from."""

    table: schema.Table
    path: Path
    fmt: FileFormat

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class StagedColumn:
    """A catalog field as staged: already typed (``native``) or as text."""

    field: schema.Field
    native: bool

    @property
    def sql(self) -> str:
        return quote_ident(self.field.name)

    def typed(self) -> str:
        """SQL of the field's value in its catalog type; NULL where the text is invalid."""
        col, f = self.sql, self.field
        if self.native or f.type == "text":
            return col
        if (dec := f.decimal) is not None:
            pattern = decimal_pattern(*dec)
            return (
                f"CASE WHEN regexp_full_match({col}, '{pattern}') "
                f"THEN TRY_CAST({col} AS {f.sql_type()}) END"
            )
        if f.type == "bool":
            return (
                f"CASE WHEN lower({col}) IN {_TRUE} THEN TRUE "
                f"WHEN lower({col}) IN {_FALSE} THEN FALSE END"
            )
        shape = {"int": _INT_PATTERN, "date": _DATE_PATTERN, "timestamp": _TIMESTAMP_PATTERN}
        return (
            f"CASE WHEN regexp_full_match({col}, '{shape[f.type]}') "
            f"THEN TRY_CAST({col} AS {f.sql_type()}) END"
        )


@dataclass(slots=True)
class StagedTable:
    """One source file in DuckDB, with what is needed to report on its rows."""

    table: schema.Table
    source: SourceFile | None
    columns: dict[str, StagedColumn]

    @property
    def sql(self) -> str:
        return quote_ident(f"stage_{self.table.name}")

    @property
    def file(self) -> str:
        return self.source.name if self.source else f"{self.table.name} (shipped)"

    @property
    def fmt(self) -> FileFormat | None:
        return self.source.fmt if self.source else None

    @property
    def complete(self) -> bool:
        """Every catalog field is present."""
        return all(c in self.columns for c in self.table.columns)

    def has(self, *fields: str) -> bool:
        return all(f in self.columns for f in fields)

    def typed(self, field_name: str) -> str:
        return self.columns[field_name].typed()

    def display_rows(self, rowids: Iterable[int]) -> dict[int, int]:
        """Row numbers as a person sees them in the file, for staged record indexes."""
        wanted = set(rowids)
        if self.source is None or self.source.fmt == "parquet":
            return {r: r + 1 for r in wanted}
        found = csv_line_numbers(self.source.path, wanted)
        # Only if the csv module and DuckDB disagree on the records: header + index.
        return {r: found.get(r, r + 2) for r in wanted}

    def problem(
        self,
        reason: str,
        *,
        row: int | None = None,
        field_name: str | None = None,
        value: str | None = None,
        **params: object,
    ) -> ImportProblem:
        return ImportProblem(
            file=self.file,
            fmt=self.fmt,
            reason=reason,
            row=row,
            field=field_name,
            value=value,
            params=dict(params),
        )


def csv_line_numbers(path: Path, rowids: set[int]) -> dict[int, int]:
    """Line numbers (header = line 1) of the staged records ``rowids`` of a CSV file.

    DuckDB skips blank lines and rejects records with the wrong number of fields, and a
    quoted value may span lines, so the record index alone does not give the line: one
    pass of the csv module (which counts physical lines) maps them, skipping the same
    records. Run only to report problems.
    """
    found: dict[int, int] = {}
    if not rowids:
        return found
    last = max(rowids)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        index = 0
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if len(record) != width:
                continue
            if index in rowids:
                found[index] = line
            if index >= last:
                break
            index += 1
    return found


def csv_malformed_lines(path: Path) -> list[int]:
    """Start lines of the records whose number of fields differs from the header's."""
    lines: list[int] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if record and len(record) != width:
                lines.append(line)
    return lines


def _normalize(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


def _match_columns(
    table: schema.Table, names: Sequence[str], file: SourceFile, log: ProblemLog
) -> dict[str, int]:
    """Catalog field → position in the file; reports unknown and duplicate columns.

    A header may name a field by its name (``person_id``) or by its catalog title
    (``公民身份号码``), as a spreadsheet made by a clerk would.
    """
    titles = Counter(f.title for f in table.fields)
    catalog = {f.title.lower(): f.name for f in table.fields if titles[f.title] == 1}
    catalog.update({c.lower(): c for c in table.columns})
    positions: dict[str, int] = {}
    for position, raw in enumerate(names):
        wanted = catalog.get(_normalize(raw))
        problem = None
        if wanted is None:
            problem = "registry.import.unknown_column"
        elif wanted in positions:
            problem = "registry.import.duplicate_column"
        else:
            positions[wanted] = position
        if problem:
            log.add(
                ImportProblem(
                    file=file.name,
                    fmt=file.fmt,
                    reason=problem,
                    field=raw,
                    params={"expected": ", ".join(table.columns)},
                )
            )
    for name in table.columns:
        if name not in positions:
            log.add(
                ImportProblem(
                    file=file.name,
                    fmt=file.fmt,
                    reason="registry.import.missing_column",
                    field=name,
                    params={"title": table.field(name).title},
                )
            )
    return positions


def _text(col: str, f: schema.Field) -> str:
    """Staged text: empty means NULL; non-text values are trimmed."""
    if f.type == "text":
        return f"CASE WHEN trim({col}) = '' THEN NULL ELSE {col} END"
    return f"NULLIF(trim({col}), '')"


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        return next(csv.reader(handle), [])


def _unreadable(file: SourceFile, exc: Exception, log: ProblemLog) -> None:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    log.add(
        ImportProblem(
            file=file.name,
            fmt=file.fmt,
            reason="registry.import.unreadable",
            params={"detail": detail},
        )
    )


def stage_csv(
    con: duckdb.DuckDBPyConnection, file: SourceFile, log: ProblemLog
) -> StagedTable | None:
    """Stage a CSV file (UTF-8, commas, header row, ``"`` quotes); ``None`` if unreadable."""
    t = file.table
    try:
        header = _csv_header(file.path)
    except OSError as exc:
        _unreadable(file, exc, log)
        return None
    if not header:
        log.add(ImportProblem(file=file.name, fmt="csv", reason="registry.import.empty_file"))
        return None
    positions = _match_columns(t, header, file, log)
    staged = StagedTable(t, file, {})
    raw = {f"c{i}": "VARCHAR" for i in range(len(header))}
    selects = []
    for f in t.fields:
        if f.name in positions:
            selects.append(
                f"{_text(quote_ident(f'c{positions[f.name]}'), f)} AS {quote_ident(f.name)}"
            )
            staged.columns[f.name] = StagedColumn(f, native=False)
    rejects = quote_ident(f"rejects_{t.name}")
    scan = quote_ident(f"rejects_scan_{t.name}")
    try:
        con.execute(
            f"CREATE TABLE {staged.sql} AS SELECT {', '.join(selects) or 'NULL AS _none'} "
            "FROM read_csv(?, header = true, auto_detect = false, columns = ?, delim = ',', "
            "quote = '\"', escape = '\"', store_rejects = true, "
            f"rejects_table = '{rejects[1:-1]}', rejects_scan = '{scan[1:-1]}')",
            [str(file.path), raw],
        )
        bad = con.execute(
            f"SELECT line, min(error_type), min(error_message) FROM {rejects} "
            "GROUP BY line ORDER BY line"
        ).fetchall()
    except duckdb.Error as exc:
        _unreadable(file, exc, log)
        return None
    if bad:
        # DuckDB counts a value's line breaks differently; the csv module's physical start
        # lines are what an editor shows, used when both agree on which records are bad.
        physical = csv_malformed_lines(file.path)
        lines = physical if len(physical) == len(bad) else [int(b[0]) for b in bad]
        for line, (_, kind, message) in zip(lines, bad, strict=True):
            log.add(
                ImportProblem(
                    file=file.name,
                    fmt="csv",
                    reason="registry.import.malformed_line",
                    row=line,
                    params={"detail": f"{kind}: {message}"},
                )
            )
    return staged


def stage_parquet(
    con: duckdb.DuckDBPyConnection, file: SourceFile, log: ProblemLog
) -> StagedTable | None:
    """Stage a Parquet file; columns already in their catalog type stay typed."""
    t = file.table
    try:
        described = con.execute(
            "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
            [str(file.path)],
        ).fetchall()
    except duckdb.Error as exc:
        _unreadable(file, exc, log)
        return None
    names = [str(n) for n, _ in described]
    types = [str(ty) for _, ty in described]
    positions = _match_columns(t, names, file, log)
    staged = StagedTable(t, file, {})
    selects = []
    for f in t.fields:
        if f.name not in positions:
            continue
        pos = positions[f.name]
        col, have = quote_ident(names[pos]), types[pos]
        native = have == f.sql_type() or (f.type == "int" and have in _WIDE_INTS)
        if native and f.type == "text":
            expr = _text(col, f)
        elif native:
            expr = f"CAST({col} AS {f.sql_type()})"
        else:
            expr = _text(f"CAST({col} AS VARCHAR)", f)
        selects.append(f"{expr} AS {quote_ident(f.name)}")
        staged.columns[f.name] = StagedColumn(f, native=native)
    try:
        con.execute(
            f"CREATE TABLE {staged.sql} AS SELECT {', '.join(selects) or 'NULL AS _none'} "
            "FROM read_parquet(?)",
            [str(file.path)],
        )
    except duckdb.Error as exc:
        _unreadable(file, exc, log)
        return None
    return staged


def stage_arrow(con: duckdb.DuckDBPyConnection, table: schema.Table, data: object) -> StagedTable:
    """Stage rows we ship ourselves (already valid and typed), e.g. the Shandong regions."""
    staged = StagedTable(table, None, {f.name: StagedColumn(f, native=True) for f in table.fields})
    con.register("_shipped", data)
    try:
        cols = ", ".join(quote_ident(c) for c in table.columns)
        con.execute(f"CREATE TABLE {staged.sql} AS SELECT {cols} FROM _shipped")
    finally:
        con.unregister("_shipped")
    return staged
