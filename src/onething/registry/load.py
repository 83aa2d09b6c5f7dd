"""``onething registry load DIR --into postgresql://…``: the registry in PostgreSQL.

Production keeps its registry in PostgreSQL for per-case lookups (a clerk's check on one
person in milliseconds). This copies every catalog table of a registry folder into one
PostgreSQL schema:

- tables from the catalog DDL (:meth:`~onething.registry.schema.Table.create_sql`), with
  the catalog's titles as table and column comments;
- rows streamed from DuckDB as Arrow batches and sent with ``COPY … FROM STDIN`` (CSV
  text, so decimals arrive digit for digit — no float on the way);
- then primary keys (a key with a nullable part becomes a ``UNIQUE NULLS NOT DISTINCT``
  index), a B-tree index on every reference column (:func:`lookup_fields`, derived from
  the catalog), and ``ANALYZE``. A single-entity rule check filters exactly on keys and
  references (``person_id``, ``enterprise_id``, ``award_id`` …), so each of its scans
  is an index lookup (docs/rules.md, "Indexes").

- and one row in ``registry_meta`` (:data:`META_TABLE`): the day the registry's data runs
  to (its manifest's ``end_date``), the manifest itself, the tables loaded and when. The
  rules guards check as of that day (:func:`read_meta`); a schema without it holds no
  loaded registry.

Everything happens in one transaction: a failure leaves the database as it was. A schema
that already holds tables is refused unless ``replace=True``, which drops and recreates
the catalog tables and ``registry_meta`` (other tables in the schema are left alone).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg import sql
from psycopg.types.json import Jsonb

from onething.kit.errors import Conflict, InvalidInput, Unavailable
from onething.registry import schema
from onething.registry.io.files import arrow_batches, quiet
from onething.registry.io.problems import Progress
from onething.registry.io.staging import quote_ident
from onething.registry.store import RegistryDir

BATCH_ROWS = 200_000
CONNECT_TIMEOUT = 10
META_TABLE = "registry_meta"
"""The table (in the registry's schema) of the one row describing the load."""
_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
_PASSWORD = re.compile(r"(//[^/:@]*:)[^@/]*@")

LOOKUP_FIELDS: dict[str, tuple[str, ...]] = {"licenses": ("holder_id",)}
"""Fields indexed for per-case lookups besides references (免证办 finds licenses by holder)."""


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load wrote."""

    source: Path
    url: str
    """The target URL with any password masked."""
    schema: str
    rows: dict[str, int]
    seconds: float
    end_date: date | None = None
    """The day the registry's data runs to (its manifest's ``end_date``), if it says."""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class LoadedMeta:
    """What ``registry_meta`` says of the registry loaded into a schema."""

    end_date: date | None
    """The day its data runs to (what happened after it is not known yet)."""
    manifest: dict[str, Any]
    tables: tuple[str, ...]
    loaded_at: datetime


def manifest_end_date(manifest: Mapping[str, Any]) -> date | None:
    """The day a registry's data runs to, from its manifest: ``end_date``, or that of the
    manifest it was imported from (``origin``); None when neither says."""
    for source in (manifest, manifest.get("origin")):
        if isinstance(source, Mapping) and isinstance(source.get("end_date"), str):
            try:
                return date.fromisoformat(source["end_date"][:10])
            except ValueError:
                return None
    return None


def libpq_url(url: str) -> str:
    """A URL psycopg accepts: ``postgresql+psycopg://`` (SQLAlchemy style) becomes ``postgresql://``."""
    if not url.startswith(_SCHEMES):
        raise InvalidInput("registry.load.bad_url", url=mask_password(url))
    return "postgresql://" + url.split("://", 1)[1]


def mask_password(url: str) -> str:
    return _PASSWORD.sub(r"\1***@", url)


def lookup_fields(table: schema.Table) -> list[str]:
    """The columns of ``table`` indexed for lookups besides its key: every reference to
    another registry table's rows (``ref:`` in the catalog; not to the regions code
    list), unless it leads the key (the key's index serves it), and :data:`LOOKUP_FIELDS`."""
    leading = table.key[0] if table.key else None
    fields = [
        f.name
        for f in table.fields
        if f.ref_table is not None and f.ref_table != "regions" and f.name != leading
    ]
    fields += [f for f in LOOKUP_FIELDS.get(table.name, ()) if f not in fields]
    return fields


def _csv_chunks(batches: Iterator[pa.RecordBatch]) -> Iterator[tuple[bytes, int]]:
    """Arrow batches as CSV text for ``COPY … (FORMAT csv)``: NULL is an empty field,
    an empty string is ``""``, decimals and dates are written exactly."""
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    for batch in batches:
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, options)
        yield buffer.getvalue(), batch.num_rows


def _existing_tables(cur: psycopg.Cursor[tuple[str]], schema_name: str) -> list[str]:
    cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "ORDER BY table_name",
        [schema_name],
    )
    return [row[0] for row in cur.fetchall()]


def _create(cur: psycopg.Cursor[tuple[str]], schema_name: str, table: schema.Table) -> None:
    name = sql.Identifier(schema_name, table.name)
    qualified = name.as_string(cur.connection)
    cur.execute(table.create_sql(qualified_name=qualified).encode())
    cur.execute(
        sql.SQL("COMMENT ON TABLE {} IS {}").format(
            name, sql.Literal(f"{table.title}：{table.description}（{table.owner}）")
        )
    )
    for f in table.fields:
        cur.execute(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                name, sql.Identifier(f.name), sql.Literal(f"{f.title}：{f.description}")
            )
        )


def _copy(
    cur: psycopg.Cursor[tuple[str]],
    schema_name: str,
    table: schema.Table,
    duck: duckdb.DuckDBPyConnection,
    on_rows: Callable[[int], None],
) -> int:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in table.columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(schema_name, table.name), columns
    )
    select = ", ".join(quote_ident(c) for c in table.columns)
    query = f"SELECT {select} FROM {quote_ident(table.name)}"  # noqa: S608 - catalog names
    rows = 0
    with cur.copy(statement) as copy:
        for chunk, count in _csv_chunks(arrow_batches(duck, query, batch_rows=BATCH_ROWS)):
            copy.write(chunk)
            rows += count
            on_rows(count)
    return rows


def _count(duck: duckdb.DuckDBPyConnection, table: schema.Table) -> int:
    found = duck.execute(f"SELECT count(*) FROM {quote_ident(table.name)}").fetchall()  # noqa: S608
    return int(found[0][0])


def _keys_and_indexes(
    cur: psycopg.Cursor[tuple[str]], schema_name: str, table: schema.Table
) -> None:
    name = sql.Identifier(schema_name, table.name)
    if table.key:
        key = sql.SQL(", ").join(sql.Identifier(k) for k in table.key)
        if any(table.field(k).nullable for k in table.key):
            # PostgreSQL 15+ treats NULLs as equal here, as the import's key check does.
            nulls = " NULLS NOT DISTINCT" if cur.connection.info.server_version >= 150000 else ""
            cur.execute(
                sql.SQL("CREATE UNIQUE INDEX {} ON {} ({})" + nulls).format(
                    sql.Identifier(f"uq_{table.name}_key"), name, key
                )
            )
        else:
            cur.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})").format(
                    name, sql.Identifier(f"pk_{table.name}"), key
                )
            )
    for field_name in lookup_fields(table):
        cur.execute(
            sql.SQL("CREATE INDEX {} ON {} ({})").format(
                sql.Identifier(f"ix_{table.name}_{field_name}"), name, sql.Identifier(field_name)
            )
        )
    cur.execute(sql.SQL("ANALYZE {}").format(name))


def _write_meta(
    cur: psycopg.Cursor[tuple[str]],
    schema_name: str,
    manifest: dict[str, Any],
    tables: list[str],
) -> date | None:
    name = sql.Identifier(schema_name, META_TABLE)
    end = manifest_end_date(manifest)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
    cur.execute(
        sql.SQL(
            "CREATE TABLE {} (end_date DATE, manifest JSONB NOT NULL, tables TEXT[] NOT NULL, "
            "loaded_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        ).format(name)
    )
    cur.execute(
        sql.SQL("COMMENT ON TABLE {} IS {}").format(
            name,
            sql.Literal(
                "人口库装载信息：数据截止日期、清单、装载的表与时间（onething registry load）"
            ),
        )
    )
    cur.execute(
        sql.SQL("INSERT INTO {} (end_date, manifest, tables) VALUES (%s, %s, %s)").format(name),
        [end, Jsonb(manifest), tables],
    )
    cur.execute(sql.SQL("ANALYZE {}").format(name))
    return end


def read_meta(
    url: str, schema_name: str = "registry", *, connect_timeout: int = CONNECT_TIMEOUT
) -> LoadedMeta | None:
    """What ``registry_meta`` of ``schema_name`` says of the registry loaded there; None
    when the schema holds no loaded registry (no such schema or table, or no row).

    Raises :class:`InvalidInput` ``registry.load.bad_url`` for a URL that is not
    PostgreSQL's, :class:`Unavailable` ``registry.load.unreachable`` when the server (or
    the database) cannot be reached or read.
    """
    statement = sql.SQL(
        "SELECT end_date, manifest, tables, loaded_at FROM {} ORDER BY loaded_at DESC LIMIT 1"
    ).format(sql.Identifier(schema_name, META_TABLE))
    try:
        with psycopg.connect(
            libpq_url(url), connect_timeout=connect_timeout, autocommit=True
        ) as conn:
            row = conn.execute(statement).fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    except psycopg.Error as exc:
        raise Unavailable("registry.load.unreachable", detail=str(exc).strip()) from exc
    if row is None:
        return None
    end, manifest, tables, loaded_at = row
    return LoadedMeta(end, dict(manifest), tuple(tables), loaded_at)


def load_registry(
    source: Path,
    url: str,
    *,
    schema_name: str = "registry",
    replace: bool = False,
    progress: Progress | None = None,
    tables: Collection[str] | None = None,
) -> LoadReport:
    """Copy the registry in ``source`` into schema ``schema_name`` of the database at ``url``.

    ``tables`` names the catalog tables to copy (default: all of them), for a database
    that serves only some checks. One transaction: on any failure nothing is written.
    The registry's end date and manifest go into ``registry_meta`` (:func:`read_meta`).
    Raises :class:`Conflict` ``registry.load.schema_not_empty`` when the schema has tables
    and ``replace`` is false, :class:`Unavailable` when the server cannot be reached or
    the load fails; ``ValueError`` for a name the catalog does not have.
    """
    started = time.perf_counter()
    registry = RegistryDir(source).require()
    conninfo = libpq_url(url)
    catalog = schema.tables()
    unknown = sorted(set(tables or ()) - set(catalog))
    if unknown:
        raise ValueError(f"not registry tables: {', '.join(unknown)}")
    chosen = [t for name, t in catalog.items() if tables is None or name in tables]
    manifest = registry.read_manifest()
    try:
        conn = psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        raise Unavailable("registry.load.unreachable", detail=str(exc).strip()) from exc
    counts: dict[str, int] = {}
    duck = quiet(registry.connect())
    try:
        with conn, conn.cursor() as cur:
            # Two loads into one schema at once would interleave: the second waits here.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"registry:{schema_name}"])
            existing = _existing_tables(cur, schema_name)
            if existing and not replace:
                raise Conflict(
                    "registry.load.schema_not_empty",
                    schema=schema_name,
                    tables=", ".join(existing),
                )
            cur.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema_name))
            )
            for table in chosen:
                cur.execute(
                    sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                        sql.Identifier(schema_name, table.name)
                    )
                )
            total = sum(_count(duck, t) for t in chosen)
            copied = 0

            def on_rows(count: int) -> None:
                nonlocal copied
                copied += count
                if progress is not None:
                    progress("copy", copied, total)

            for table in chosen:
                _create(cur, schema_name, table)
                counts[table.name] = _copy(cur, schema_name, table, duck, on_rows)
            for done, table in enumerate(chosen, start=1):
                _keys_and_indexes(cur, schema_name, table)
                if progress is not None:
                    progress("index", done, len(chosen))
            end = _write_meta(cur, schema_name, manifest, [t.name for t in chosen])
    except psycopg.Error as exc:
        raise Unavailable("registry.load.failed", detail=str(exc).strip()) from exc
    finally:
        duck.close()
        conn.close()
    return LoadReport(
        source=source,
        url=mask_password(url),
        schema=schema_name,
        rows=counts,
        seconds=round(time.perf_counter() - started, 3),
        end_date=end,
    )
