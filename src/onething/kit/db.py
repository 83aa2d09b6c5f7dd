"""Operational database: engine, ORM base, and the unit of work.

One unit of work per request, command or job: services receive a ``Session`` and never
commit; the boundary (an API dependency, a CLI command, a worker job) calls
:func:`unit_of_work`, which commits on success and rolls back on any error.

SQLite keeps Python's legacy transaction control (a transaction opens at the first write)
with one correction: a SAVEPOINT first opens the transaction (see
:func:`_sqlite_begin_before_savepoint`), so ``Session.begin_nested()`` works alike on both
databases. The usual alternative — no implicit BEGIN, an explicit one at the start of
every transaction — makes each transaction read from a snapshot taken at its first read;
on WAL a transaction that read before another one committed then cannot write at all
(``SQLITE_BUSY_SNAPSHOT``, no waiting), which turns two concurrent submissions into an
error instead of a wait.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from onething.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every ORM table of the operational database."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


B = TypeVar("B", bound=Base)


def table_of(cls: type[Base]) -> Table:
    """The table a mapped class is mapped to (typed as a ``Table``, for Core statements)."""
    table = cls.__table__
    if not isinstance(table, Table):  # pragma: no cover  (every model here maps a table)
        raise TypeError(f"{cls.__name__} is not mapped to a table")
    return table


def as_loaded(cls: type[B], values: Mapping[str, Any]) -> B:
    """An instance of the mapped ``cls`` holding ``values`` the way the ORM holds a loaded
    row's, without an attribute event per value (``cls(**values)`` costs several times
    more): for rows built by the thousand. Give every column, or reading a missing one
    will try to load it."""
    instance = cls()
    instance.__dict__.update(values)
    return instance


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin_before_savepoint(connection: Connection, _name: str) -> None:
    """Open the transaction before a SAVEPOINT: sent outside one, SQLite's SAVEPOINT would
    open a transaction of its own, which its RELEASE would commit — out of the caller's
    hands (its rollback would no longer undo the block)."""
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        connection.exec_driver_sql("BEGIN")


POOL_SIZE = 40
"""Connections kept per engine: as many as the worker threads that may hold one at once
(the API's blocking work runs on anyio's default limiter of 40 threads), so a burst never
opens and closes connections beyond the pool."""


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get foreign keys, WAL and a busy timeout."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=10)


@cache
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine of ``url`` (default: the configured database)."""
    return _engine_for(url or get_settings().effective_database_url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any error."""
    session = session_factory(engine or get_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
