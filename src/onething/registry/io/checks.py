"""The checks an import runs on staged tables, set-based in DuckDB.

Each check is one query that finds the failing rows of one column (or key, or
reference) and counts them in the same scan; only the rows that will be listed are
turned into :class:`~onething.registry.io.problems.ImportProblem` with a reason a person
can act on. Identifier columns are screened with the vectorised check characters of
:mod:`onething.kit.ids`, and only the rows that fail are validated one by one for their
precise reasons.
"""

# ruff: noqa: S608
# SQL here is assembled from catalog identifiers (quoted with quote_ident) and fixed
# fragments; every value from a source file is data in a table or a bound parameter.

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from onething.kit import ids
from onething.registry import schema
from onething.registry.io.files import arrow_batches
from onething.registry.io.problems import ImportProblem, ProblemLog
from onething.registry.io.staging import StagedColumn, StagedTable, quote_ident

# The canonical (stored) form of each identifier. A value in this shape is screened by
# its check characters; any other value is validated one by one and, if the check
# accepts it anyway (a lower-case x, a 15-digit number, a +86 prefix), reported as
# "write it as …": the registry stores identifiers normalised, or joins would miss.
_RESIDENT_ID_SHAPE = r"[0-9]{17}[0-9X]"
_MOBILE_SHAPE = r"1[3-9][0-9]{9}"  # exactly what ids.validate_mobile accepts, normalised


def _bad_type_reason(f: schema.Field) -> tuple[str, dict[str, Any]]:
    if (dec := f.decimal) is not None:
        return "registry.import.bad_decimal", {"whole": dec[0] - dec[1], "scale": dec[1]}
    return f"registry.import.bad_{f.type}", {}


class TableChecker:
    """Runs every check of one staged table against the others."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: Mapping[str, StagedTable],
        log: ProblemLog,
        *,
        today: date,
    ) -> None:
        self.con = con
        self.staged = staged
        self.log = log
        self.today = today

    # -- the generic runner ---------------------------------------------------------

    def _report(
        self,
        st: StagedTable,
        query: str,
        make: Callable[[int, str | None, tuple[Any, ...], Mapping[int, int]], ImportProblem],
        params: list[Any] | None = None,
    ) -> None:
        """Run ``query`` (columns ``_r``, ``_v`` and extras; one row per failing row).

        Counts all failing rows and lists the first ones, in file order, while room remains.
        """
        limit = self.log.room
        rows = self.con.execute(
            f"SELECT *, count(*) OVER () AS _n FROM ({query}) ORDER BY _r LIMIT {max(limit, 1)}",
            params or [],
        ).fetchall()
        if not rows:
            return
        total = int(rows[0][-1])
        shown = rows[:limit]
        needed = {int(r[0]) for r in shown}
        for r in shown:
            needed.update(int(x) for x in r[2:-1] if isinstance(x, int))
        display = st.display_rows(needed)
        problems = [make(int(r[0]), r[1], tuple(r[2:-1]), display) for r in shown]
        self.log.add_counted(total, problems)

    def _cell(
        self, st: StagedTable, col: StagedColumn, reason: str, **params: Any
    ) -> Callable[[int, str | None, tuple[Any, ...], Mapping[int, int]], ImportProblem]:
        def make(
            rowid: int, value: str | None, _extra: tuple[Any, ...], display: Mapping[int, int]
        ) -> ImportProblem:
            return st.problem(
                reason,
                row=display[rowid],
                field_name=col.field.name,
                value=value,
                **params,
            )

        return make

    # -- the checks -----------------------------------------------------------------

    def check(self, st: StagedTable) -> None:
        """Every check of ``st``: cells, identifiers, key, references."""
        for col in st.columns.values():
            self.check_cells(st, col)
        self.check_key(st)
        for col in st.columns.values():
            self.check_reference(st, col)

    def check_cells(self, st: StagedTable, col: StagedColumn) -> None:
        f, name = col.field, col.sql
        base = f"SELECT rowid AS _r, CAST({name} AS VARCHAR) AS _v FROM {st.sql}"
        if not f.nullable:
            self._report(
                st, f"{base} WHERE {name} IS NULL", self._cell(st, col, "registry.import.required")
            )
        if not col.native and f.type != "text":
            reason, params = _bad_type_reason(f)
            self._report(
                st,
                f"{base} WHERE {name} IS NOT NULL AND ({col.typed()}) IS NULL",
                self._cell(st, col, reason, **params),
            )
        if f.enum is not None:
            self._report(
                st,
                f"{base} WHERE {name} IS NOT NULL AND NOT list_contains(?, {name})",
                self._cell(st, col, "registry.import.not_in_enum", allowed=", ".join(f.enum)),
                [list(f.enum)],
            )
        if f.check == "region":
            self.check_region(st, col)
        elif f.check == "resident_id":
            self.check_resident_ids(st, col)
        elif f.check == "credit_code":
            self.check_credit_codes(st, col)
        elif f.check == "mobile":
            self.check_identifiers(st, col, ids.validate_mobile, shape=_MOBILE_SHAPE)

    def check_region(self, st: StagedTable, col: StagedColumn) -> None:
        regions = self.staged.get("regions")
        if regions is None or not regions.has("code"):
            return
        self._report(
            st,
            _missing_in(st, col.sql, col.sql, f'SELECT DISTINCT "code" AS _k FROM {regions.sql}'),
            self._cell(st, col, "registry.import.unknown_region"),
        )

    def check_key(self, st: StagedTable) -> None:
        key = st.table.key
        if not key or not st.has(*key):
            return
        typed = [st.typed(k) for k in key]
        parts = [f"{expr} AS _k{i}" for i, expr in enumerate(typed)]
        required = [
            f"({expr}) IS NOT NULL"
            for k, expr in zip(key, typed, strict=True)
            if not st.table.field(k).nullable
        ]
        join = " AND ".join(f"k._k{i} IS NOT DISTINCT FROM d._k{i}" for i in range(len(key)))
        group = ", ".join(f"_k{i}" for i in range(len(key)))
        shown = " || ' / ' || ".join(
            f"coalesce(CAST(k._k{i} AS VARCHAR), '∅')" for i in range(len(key))
        )
        query = (
            f"WITH k AS (SELECT rowid AS _r, {', '.join(parts)} FROM {st.sql}"
            f"{' WHERE ' + ' AND '.join(required) if required else ''}), "
            f"d AS (SELECT {group}, min(_r) AS _first FROM k GROUP BY {group} HAVING count(*) > 1) "
            f"SELECT k._r AS _r, {shown} AS _v, d._first AS _first "
            f"FROM k JOIN d ON {join} WHERE k._r <> d._first"
        )

        def make(
            rowid: int, value: str | None, extra: tuple[Any, ...], display: Mapping[int, int]
        ) -> ImportProblem:
            first = int(extra[0])
            return st.problem(
                "registry.import.duplicate_key",
                row=display[rowid],
                field_name=", ".join(key),
                value=value,
                other_row=display[first],
            )

        self._report(st, query, make)

    def check_reference(self, st: StagedTable, col: StagedColumn) -> None:
        f = col.field
        if f.ref is None or f.check == "region":
            return
        target = self.staged.get(f.ref_table or "")
        ref_field = f.ref_field or ""
        if target is None or not target.has(ref_field):
            return
        parent = f"SELECT DISTINCT {target.typed(ref_field)} AS _k FROM {target.sql}"
        self._report(
            st,
            _missing_in(st, col.sql, col.typed(), parent),
            self._cell(st, col, "registry.import.dangling_ref", ref=f.ref),
        )

    # -- identifiers ----------------------------------------------------------------

    def _list_identifier_rows(
        self,
        st: StagedTable,
        col: StagedColumn,
        failing: np.ndarray[Any, np.dtype[np.int64]],
        validate: Callable[[str], ids.Check],
    ) -> None:
        """Validate the first failing rows one by one and list their reasons."""
        failing = np.sort(failing)
        total = len(failing)
        if not total:
            return
        chosen = [int(r) for r in failing[: self.log.room]]
        values = dict(
            self.con.execute(
                f"SELECT rowid, {col.sql} FROM {st.sql} WHERE list_contains(?, rowid)", [chosen]
            ).fetchall()
        )
        display = st.display_rows(chosen)
        problems = [
            self._identifier_problem(
                st=st,
                col=col,
                validate=validate,
                rowid=rowid,
                value=values.get(rowid),
                display=display,
            )
            for rowid in chosen
        ]
        self.log.add_counted(total, problems)

    def _identifier_problem(
        self,
        *,
        st: StagedTable,
        col: StagedColumn,
        validate: Callable[[str], ids.Check],
        rowid: int,
        value: str | None,
        display: Mapping[int, int],
    ) -> ImportProblem:
        row = display[rowid]
        result = validate(value or "")
        if result.ok:
            return st.problem(
                "registry.import.not_normalized",
                row=row,
                field_name=col.field.name,
                value=value,
                normalized=result.normalized,
            )
        errors = result.errors

        def detail(locale: str) -> str:
            return "；".join(r.message(locale) for r in errors)

        return ImportProblem(
            file=st.file,
            fmt=st.fmt,
            reason=errors[0].code,
            row=row,
            field=col.field.name,
            value=value,
            params={"codes": [r.code for r in errors]},
            detail=detail,
        )

    def check_identifiers(
        self,
        st: StagedTable,
        col: StagedColumn,
        validate: Callable[[str], ids.Check],
        *,
        shape: str | None,
    ) -> None:
        """Identifiers checked value by value (credit codes; mobiles outside ``shape``)."""
        name = col.sql
        where = f"{name} IS NOT NULL"
        if shape is not None:
            where += f" AND NOT regexp_full_match({name}, '{shape}')"
        query = f"SELECT rowid AS _r, {name} AS _v FROM {st.sql} WHERE {where}"
        failing: list[int] = []
        for batch in arrow_batches(self.con, query):
            rowids = batch.column(0).to_pylist()
            for rowid, value in zip(rowids, batch.column(1).to_pylist(), strict=True):
                result = validate(value)
                if not result.ok or result.normalized != value:
                    failing.append(rowid)
        self._list_identifier_rows(st, col, np.asarray(failing, dtype=np.int64), validate)

    def check_credit_codes(self, st: StagedTable, col: StagedColumn) -> None:
        """Credit codes: screened vectorised; only failing rows get the scalar reasons."""
        query = f"SELECT rowid AS _r, {col.sql} AS _v FROM {st.sql} WHERE {col.sql} IS NOT NULL"
        failing = []
        for batch in arrow_batches(self.con, query):
            rowid = _np(batch.column(0))
            codes = batch.column(1).to_numpy(zero_copy_only=False)
            failing.append(rowid[~ids.credit_codes_plausible(codes)])
        rows = np.concatenate(failing) if failing else np.asarray([], dtype=np.int64)
        self._list_identifier_rows(st, col, rows, ids.validate_credit_code)

    def check_resident_ids(self, st: StagedTable, col: StagedColumn) -> None:
        """Resident ID numbers: shape and birth date and check character, vectorised."""
        name = col.sql
        today = int(self.today.strftime("%Y%m%d"))
        validate = _resident_id_validator(self.today)
        odd = self.con.execute(
            f"SELECT rowid FROM {st.sql} WHERE {name} IS NOT NULL "
            f"AND NOT regexp_full_match({name}, '{_RESIDENT_ID_SHAPE}')"
        ).fetchnumpy()["rowid"]
        failing = [np.asarray(odd, dtype=np.int64)]
        query = (
            f"SELECT rowid AS _r, coalesce(TRY_CAST(substr({name}, 1, 17) AS BIGINT), 0), "
            f"coalesce(TRY_CAST(substr({name}, 7, 8) AS BIGINT), 0), "
            f"CASE substr({name}, 18, 1) WHEN 'X' THEN 10 "
            f"ELSE coalesce(TRY_CAST(substr({name}, 18, 1) AS BIGINT), -1) END "
            f"FROM {st.sql} "
            f"WHERE regexp_full_match({name}, '{_RESIDENT_ID_SHAPE}')"
        )
        for batch in arrow_batches(self.con, query):
            rowid, first17, birth, check = (_np(batch.column(i)) for i in range(4))
            good = (
                ids.valid_birth_dates(birth)
                & (birth <= today)
                & (ids.resident_id_check_values(first17) == check)
            )
            failing.append(rowid[~good])
        self._list_identifier_rows(st, col, np.concatenate(failing), validate)


def _resident_id_validator(today: date) -> Callable[[str], ids.Check]:
    def validate(value: str) -> ids.Check:
        return ids.validate_resident_id(value, today=today)

    return validate


def _np(array: pa.Array | pa.ChunkedArray) -> np.ndarray[Any, np.dtype[np.int64]]:
    result: np.ndarray[Any, np.dtype[np.int64]] = np.asarray(
        array.to_numpy(zero_copy_only=False), dtype=np.int64
    )
    return result


def _missing_in(st: StagedTable, value: str, key: str, parents: str) -> str:
    """Rows of ``st`` whose ``key`` (SQL over its columns) is not among ``parents._k``."""
    return (
        f"WITH c AS (SELECT rowid AS _r, CAST({value} AS VARCHAR) AS _v, {key} AS _k "
        f"FROM {st.sql} WHERE ({key}) IS NOT NULL), p AS ({parents}) "
        "SELECT _r, _v FROM c WHERE NOT EXISTS (SELECT 1 FROM p WHERE p._k = c._k)"
    )


__all__ = ["TableChecker", "quote_ident"]
