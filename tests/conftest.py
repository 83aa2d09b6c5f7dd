"""Shared fixtures: the operational database on SQLite and on a real PostgreSQL.

Every database test takes ``db_url`` and runs twice, once per backend. The schema is
built by running the Alembic migrations once per test session into a template; each
test gets a fresh copy (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for
PostgreSQL), so tests are isolated and fast.

PostgreSQL comes from ``ONETHING_TEST_PG_URL`` (an account allowed to create
databases; ``.ci/pg-setup`` makes one). When no server answers, PostgreSQL tests are
skipped with the reason shown — unless ``ONETHING_REQUIRE_PG=1`` (CI), where that is
an error.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from onething import migrations

DEFAULT_PG_URL = "postgresql://onething:onething@127.0.0.1:5432/postgres"


def _pg_admin_url() -> str:
    return os.environ.get("ONETHING_TEST_PG_URL", DEFAULT_PG_URL)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """URL of a PostgreSQL account that may create databases (skips if none answers)."""
    url = _pg_admin_url()
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        if os.environ.get("ONETHING_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required (ONETHING_REQUIRE_PG=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {make_url(url)!r}: {exc}")
    return url


def _create_database(admin_url: str, name: str, template: str | None = None) -> None:
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        conn.execute(stmt)


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def pg_database_factory(pg_admin_url: str) -> Iterator[object]:
    """Creates throwaway PostgreSQL databases; drops them all at the end of the session."""
    created: list[str] = []

    def make(template: str | None = None) -> str:
        name = f"onething_test_{uuid.uuid4().hex[:12]}"
        _create_database(pg_admin_url, name, template)
        created.append(name)
        return name

    yield make
    for name in reversed(created):
        _drop_database(pg_admin_url, name)


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str, pg_database_factory) -> str:  # type: ignore[no-untyped-def]
    """A PostgreSQL database migrated to head, used as the template of each test's copy."""
    name = pg_database_factory()
    migrations.upgrade(_with_database(pg_admin_url, name))
    from onething.kit.db import get_engine

    get_engine(_with_database(pg_admin_url, name)).dispose()
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    migrations.upgrade(f"sqlite:///{path}")
    from onething.kit.db import get_engine

    get_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated operational database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "onething.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    admin = request.getfixturevalue("pg_admin_url")
    factory = request.getfixturevalue("pg_database_factory")
    name = factory(request.getfixturevalue("pg_template"))
    return _with_database(admin, name).replace("postgresql://", "postgresql+psycopg://", 1)
