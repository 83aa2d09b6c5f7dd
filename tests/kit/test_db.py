"""The unit of work and the audit log on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from onething import migrations
from onething.kit.db import make_engine, unit_of_work
from onething.models import AuditEvent, record_audit


def test_migrations_build_the_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    assert "audit_events" in migrations.current_tables(engine)
    engine.dispose()


def test_unit_of_work_commits_the_write_with_its_audit_row(db_url: str) -> None:
    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        record_audit(
            session,
            actor="clerk:370102",
            action="registry.import",
            entity_type="registry",
            entity_id="demo",
            after={"rows": 3, "note": "三行"},
        )
    with unit_of_work(engine) as session:
        rows = session.scalars(select(AuditEvent)).all()
    assert [(r.actor, r.action, r.after) for r in rows] == [
        ("clerk:370102", "registry.import", {"rows": 3, "note": "三行"})
    ]
    assert rows[0].at.tzinfo is not None
    assert abs(rows[0].at - datetime.now(UTC)) < timedelta(minutes=1)
    engine.dispose()


def test_unit_of_work_rolls_back_everything_on_error(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(RuntimeError, match="boom"), unit_of_work(engine) as session:
        record_audit(session, actor="a", action="x", entity_type="t", entity_id="1")
        session.flush()
        raise RuntimeError("boom")
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    engine.dispose()


def test_timestamps_come_back_in_utc_whatever_zone_went_in(db_url: str) -> None:
    engine = make_engine(db_url)
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2026, 11, 29, 9, 30, tzinfo=shanghai)
    with unit_of_work(engine) as session:
        event = record_audit(session, actor="a", action="x", entity_type="t", entity_id="1")
        event.at = local
    with unit_of_work(engine) as session:
        stored = session.scalars(select(AuditEvent)).one().at
    assert stored == local
    assert stored.utcoffset() == timedelta(0)
    engine.dispose()


def test_naive_datetimes_are_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(Exception, match="naive datetime"), unit_of_work(engine) as session:
        event = record_audit(session, actor="a", action="x", entity_type="t", entity_id="1")
        event.at = datetime(2026, 1, 1)
        session.flush()
    engine.dispose()


def test_downgrade_then_upgrade_round_trips(db_url: str) -> None:
    migrations.downgrade(db_url, "base")
    engine = make_engine(db_url)
    assert "audit_events" not in migrations.current_tables(engine)
    migrations.upgrade(db_url)
    assert "audit_events" in migrations.current_tables(engine)
    engine.dispose()
