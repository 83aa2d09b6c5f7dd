"""Loading a registry into a real PostgreSQL: same rows, exact money, all or nothing.

Needs the server of ``ONETHING_TEST_PG_URL`` (see tests/conftest.py); each test gets a
throwaway database. Skipped, with the reason shown, when no server answers.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from onething.kit.errors import Conflict, InvalidInput, Unavailable
from onething.registry import schema
from onething.registry.load import (
    load_registry,
    manifest_end_date,
    mask_password,
    read_meta,
)
from onething.registry.store import RegistryDir

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(pg_admin_url: str, pg_database_factory: Callable[[], str]) -> str:
    """A fresh empty database, as a SQLAlchemy-style ``postgresql+psycopg://`` URL."""
    name = pg_database_factory()
    url = make_url(pg_admin_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg(url: str, query: Any, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(_libpq(url)) as conn:
        return conn.execute(query, params).fetchall()


def _duck(registry: Path, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(registry / "registry.duckdb"), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def _aggregates(table: schema.Table) -> str:
    """count(*) and the exact sum of every decimal column."""
    sums = [f'sum("{f.name}")' for f in table.fields if f.decimal is not None]
    return ", ".join(["count(*)", *sums])


def test_every_table_arrives_with_exact_sums(tiny_registry: Path, pg_url: str) -> None:
    progress: list[tuple[str, int, int]] = []
    report = load_registry(tiny_registry, pg_url, progress=lambda *a: progress.append(a))

    assert "***" in report.url or "@" not in report.url
    assert set(report.rows) == set(schema.tables())
    for table in schema.tables().values():
        agg = _aggregates(table)
        in_pg = _pg(
            pg_url,
            sql.SQL(f"SELECT {agg} FROM {{}}").format(sql.Identifier("registry", table.name)),
        )
        in_duckdb = _duck(tiny_registry, f'SELECT {agg} FROM "{table.name}"')
        assert in_pg == in_duckdb, table.name
        assert report.rows[table.name] == in_duckdb[0][0]
    copy = [p for p in progress if p[0] == "copy"]
    assert copy[-1] == ("copy", report.total_rows, report.total_rows)
    assert progress[-1] == ("index", len(schema.tables()), len(schema.tables()))


def test_rows_are_identical_value_for_value(tiny_registry: Path, pg_url: str) -> None:
    load_registry(tiny_registry, pg_url)
    for name in ("contributions", "enterprises", "persons", "licenses"):
        table = schema.table(name)
        cols = ", ".join(f'"{c}"' for c in table.columns)
        order = ", ".join(f'"{c}"' for c in table.key)
        in_pg = _pg(pg_url, f"SELECT {cols} FROM registry.{name} ORDER BY {order}")
        in_duckdb = _duck(tiny_registry, f'SELECT {cols} FROM "{name}" ORDER BY {order}')
        assert in_pg == in_duckdb, name


def test_keys_indexes_and_comments_are_created(tiny_registry: Path, pg_url: str) -> None:
    load_registry(tiny_registry, pg_url)
    indexes = {
        row[0]
        for row in _pg(pg_url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'registry'")
    }
    assert {"pk_persons", "pk_enterprises", "uq_contributions_key"} <= indexes
    assert {"ix_employment_spells_person_id", "ix_employment_spells_enterprise_id"} <= indexes
    assert "ix_licenses_holder_id" in indexes
    # the contributions key has a nullable part (no employer for flexible workers):
    # a second row with the same key and no employer is still refused
    first = _pg(
        pg_url,
        "SELECT person_id, scheme, period FROM registry.contributions "
        "WHERE enterprise_id IS NULL LIMIT 1",
    )[0]
    with pytest.raises(psycopg.errors.UniqueViolation), psycopg.connect(_libpq(pg_url)) as conn:
        conn.execute(
            "INSERT INTO registry.contributions SELECT * FROM registry.contributions "
            "WHERE person_id = %s AND scheme = %s AND period = %s AND enterprise_id IS NULL",
            list(first),
        )
    comment = _pg(pg_url, "SELECT obj_description('registry.persons'::regclass)")[0][0]
    assert comment.startswith("人口基础信息")


def test_every_key_and_reference_leads_an_index(tiny_registry: Path, pg_url: str) -> None:
    """What a single-entity rule check filters on — keys and references to other rows —
    can be looked up through an index, for every table of the catalog."""
    load_registry(tiny_registry, pg_url)
    leading = set(
        _pg(
            pg_url,
            "SELECT t.relname, a.attname FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
            "WHERE n.nspname = 'registry'",
        )
    )
    wanted = set()
    for table in schema.tables().values():
        wanted.add((table.name, table.key[0]))
        wanted |= {
            (table.name, f.name) for f in table.fields if f.ref_table not in (None, "regions")
        }
    assert ("contributions", "enterprise_id") in wanted
    assert ("benefit_payments", "award_id") in wanted
    assert wanted <= leading, sorted(wanted - leading)
    analyzed = _pg(
        pg_url,
        "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'registry' "
        "AND last_analyze IS NULL",
    )
    assert analyzed == []


def test_a_second_load_is_refused_unless_replace(tiny_registry: Path, pg_url: str) -> None:
    load_registry(tiny_registry, pg_url)
    _pg_exec(pg_url, "DELETE FROM registry.licenses")

    with pytest.raises(Conflict) as exc:
        load_registry(tiny_registry, pg_url)
    assert exc.value.key == "registry.load.schema_not_empty"
    assert "persons" in exc.value.message()
    assert _pg(pg_url, "SELECT count(*) FROM registry.licenses")[0][0] == 0

    load_registry(tiny_registry, pg_url, replace=True)
    expected = _duck(tiny_registry, "SELECT count(*) FROM licenses")[0][0]
    assert _pg(pg_url, "SELECT count(*) FROM registry.licenses")[0][0] == expected


def test_some_tables_only(tiny_registry: Path, pg_url: str) -> None:
    report = load_registry(tiny_registry, pg_url, tables=["persons", "deaths"])
    assert set(report.rows) == {"persons", "deaths"}
    loaded = _pg(
        pg_url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'registry' "
        "ORDER BY table_name",
    )
    assert loaded == [("deaths",), ("persons",), ("registry_meta",)]
    meta = read_meta(pg_url)
    assert meta is not None
    assert meta.tables == ("persons", "deaths")
    in_duckdb = _duck(tiny_registry, "SELECT count(*) FROM persons")[0][0]
    assert report.rows["persons"] == in_duckdb
    with pytest.raises(ValueError, match="no_such_table"):
        load_registry(tiny_registry, pg_url, tables=["persons", "no_such_table"], replace=True)


def test_another_schema_name(tiny_registry: Path, pg_url: str) -> None:
    report = load_registry(tiny_registry, pg_url, schema_name="rk_2024")
    count = _pg(pg_url, 'SELECT count(*) FROM "rk_2024".persons')[0][0]
    assert count == report.rows["persons"]


def test_a_failed_load_leaves_nothing_behind(
    tmp_path: Path,
    tiny_rows: dict[str, list[dict[str, Any]]],
    make_registry: Callable[[Path, dict[str, list[dict[str, Any]]]], Path],
    pg_url: str,
) -> None:
    """A registry that never went through the import's checks: a duplicated key makes the
    primary key fail after every table was copied; the whole load is rolled back."""
    rows = copy.deepcopy(tiny_rows)
    rows["skill_certificates"].append(dict(rows["skill_certificates"][0]))
    broken = make_registry(tmp_path / "broken", rows)

    with pytest.raises(Unavailable) as exc:
        load_registry(broken, pg_url)

    assert exc.value.key == "registry.load.failed"
    assert (
        _pg(
            pg_url,
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'registry'",
        )[0][0]
        == 0
    )


def test_urls_are_checked(tiny_registry: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        load_registry(tiny_registry, "mysql://root:secret@localhost/db")
    assert exc.value.key == "registry.load.bad_url"
    assert "secret" not in exc.value.message()
    with pytest.raises(Unavailable) as unreachable:
        load_registry(tiny_registry, "postgresql://nobody:pw@127.0.0.1:1/none")
    assert unreachable.value.key == "registry.load.unreachable"


def test_the_end_date_and_the_manifest_are_kept(tiny_registry: Path, pg_url: str) -> None:
    """The day the data runs to travels with the load (the rules guards check as of it)."""
    assert read_meta(pg_url) is None, "an empty database holds no loaded registry"
    manifest = json.loads((tiny_registry / "manifest.json").read_text("utf-8"))
    end = date.fromisoformat(manifest["end_date"])

    report = load_registry(tiny_registry, pg_url)

    assert report.end_date == end
    meta = read_meta(pg_url)
    assert meta is not None
    assert meta.end_date == end
    assert meta.manifest == manifest
    assert set(meta.tables) == set(schema.tables())
    assert meta.loaded_at.tzinfo is not None
    assert read_meta(pg_url, "elsewhere") is None
    assert _pg(pg_url, "SELECT end_date FROM registry.registry_meta") == [(end,)]


def test_a_reload_replaces_the_end_date(
    tmp_path: Path,
    tiny_rows: dict[str, list[dict[str, Any]]],
    make_registry: Callable[[Path, dict[str, list[dict[str, Any]]]], Path],
    pg_url: str,
) -> None:
    load_registry(make_registry(tmp_path / "first", tiny_rows), pg_url)
    later = make_registry(tmp_path / "later", tiny_rows)
    folder = RegistryDir(later)
    manifest = folder.read_manifest()
    folder.write_manifest({**manifest, "end_date": "2025-03-31"})

    load_registry(later, pg_url, replace=True)

    meta = read_meta(pg_url)
    assert meta is not None
    assert meta.end_date == date(2025, 3, 31)
    assert _pg(pg_url, "SELECT count(*) FROM registry.registry_meta") == [(1,)]


def test_an_unreachable_database_is_unavailable_not_empty() -> None:
    with pytest.raises(Unavailable) as exc:
        read_meta("postgresql://nobody:secret@127.0.0.1:1/none", connect_timeout=2)
    assert exc.value.key == "registry.load.unreachable"
    with pytest.raises(InvalidInput):
        read_meta("mysql://root@localhost/db")


def test_the_end_date_of_a_manifest() -> None:
    assert manifest_end_date({"end_date": "2025-06-30"}) == date(2025, 6, 30)
    # an imported registry: the end date of the manifest it came with
    imported = {"kind": "import", "origin": {"end_date": "2024-12-31T00:00:00"}}
    assert manifest_end_date(imported) == date(2024, 12, 31)
    assert manifest_end_date({"kind": "import", "origin": None}) is None
    assert manifest_end_date({"end_date": "not a date"}) is None


def test_password_is_masked() -> None:
    assert mask_password("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_password("postgresql:///db?host=/run") == "postgresql:///db?host=/run"


def _pg_exec(url: str, statement: str) -> None:
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute(statement)
