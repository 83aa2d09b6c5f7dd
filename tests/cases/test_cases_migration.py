"""The hand-written migration 0002 builds exactly the tables the ORM declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import onething.models  # noqa: F401  (registers every table)
from onething import migrations
from onething.kit.db import Base, make_engine

CASE_TABLES = {
    "cases",
    "case_events",
    "case_clocks",
    "case_clock_entries",
    "case_idempotency_keys",
    "case_evaluations",
    "case_outbox",
}


def test_the_migration_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_migration_downgrades_and_upgrades(db_url: str) -> None:
    migrations.downgrade(db_url, "0001")
    engine = make_engine(db_url)
    assert CASE_TABLES.isdisjoint(migrations.current_tables(engine))
    migrations.upgrade(db_url)
    assert set(migrations.current_tables(engine)) >= CASE_TABLES
    engine.dispose()
