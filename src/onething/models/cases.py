"""The case engine's tables: cases, their append-only events, clocks with their ledger,
idempotency keys, evaluations (好差评), the outbox and uploaded materials.

Case state is rows, never a serialised workflow blob (DESIGN §4): a case row holds the
current state and an optimistic-lock ``version``; what happened is in ``case_events``
(append-only, numbered per case); every due time is a ``case_clocks`` row whose
``due_at`` is a cache of what the ledger (``case_clock_entries``) and the working-day
calendar say, so it can be explained and recomputed.

Relationships are deliberately absent: the engine loads related rows with explicit
queries (``onething.cases.queries``), so no attribute access ever issues a hidden query.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from onething.kit.db import Base, UTCDateTime, utcnow

# SQLite autoincrements only INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
_ID = BigInteger().with_variant(Integer(), "sqlite")


def new_case_id() -> str:
    """A random, non-guessable public case id (UUID4 text)."""
    return str(uuid.uuid4())


class Case(Base):
    """办件: one piece of work with a state machine, an applicant and a competent department.

    ``kind`` picks the state machine (``application``, ``bundle``, ``rectification``,
    ``callback``; later ``work_order``, ``verification`` …). A bundle (一件事) is a parent
    case whose children are applications; ``plan`` holds a child's snapshot of its bundle
    member (what it waits for and where its inputs come from), so a case in flight follows
    the definition it was submitted under. ``data`` holds ``form`` (the one form),
    ``inputs`` (values flowed from other children's outputs) and ``outputs``.
    ``held_from`` remembers the state a correction (补正) interrupted.
    """

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_case_id)
    kind: Mapped[str] = mapped_column(String(32))
    service_code: Mapped[str] = mapped_column(String(64), index=True)
    service_name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("cases.id"), nullable=True, index=True
    )
    origin_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("cases.id"), nullable=True, index=True
    )
    applicant_kind: Mapped[str] = mapped_column(String(16))
    applicant_id: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(12))
    submission_region: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(16))
    assisted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(32))
    held_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    legal_limit_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    promised_limit_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy's declared form)
    __table_args__ = (
        Index("ix_cases_queue", "department", "state", "region"),
        Index("ix_cases_applicant", "applicant_kind", "applicant_id"),
    )


class CaseEvent(Base):
    """One entry of a case's append-only history: who did what, when, before and after.

    ``seq`` numbers a case's events from 1; ``findings`` keeps the guard warnings
    (``warn``) the step went through with.
    """

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_state: Mapped[str] = mapped_column(String(32))
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_person: Mapped[str] = mapped_column(String(64))
    actor_department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_region: Mapped[str | None] = mapped_column(String(12), nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (UniqueConstraint("case_id", "seq"),)


class Clock(Base):
    """A deadline of a case: a legal (法定) or promised (承诺) term, a step or a custom term.

    ``due_at`` is the instant the term expires (for working-day terms: when the office
    closes on the due day), cached from the ledger; ``sla_level`` is the highest
    supervision level (``yellow`` / ``red``) already recorded for the current due time.
    """

    __tablename__ = "case_clocks"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    sla_level: Mapped[str | None] = mapped_column(String(8), nullable=True)

    __table_args__ = (
        UniqueConstraint("case_id", "name"),
        Index("ix_case_clocks_scan", "status", "due_at"),
    )


class ClockEntry(Base):
    """One line of a clock's ledger: start, pause, resume, extend or stop, with why and who."""

    __tablename__ = "case_clock_entries"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    clock_id: Mapped[int] = mapped_column(_ID, ForeignKey("case_clocks.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(128))


class IdempotencyKey(Base):
    """A submission's ``Idempotency-Key``: a retry returns the same case.

    ``scope`` is who sent the key (the actor); ``request_hash`` the SHA-256 of the
    canonical request, so the same key with a different body is refused.
    """

    __tablename__ = "case_idempotency_keys"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("scope", "key"),)


class Evaluation(Base):
    """好差评: the applicant's rating of a concluded case, 1 (非常不满意) to 5 (非常满意).

    One per case (一事一评). A bad rating (1–2) opens a rectification case.
    """

    __tablename__ = "case_evaluations"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), unique=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    channel: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    rectification_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("cases.id"), nullable=True
    )


class OutboxMessage(Base):
    """A message to send after commit (a result notice …), written in the same transaction.

    ``dedupe_key`` is unique: a bundle's single result notice cannot be written twice even
    if two of its children conclude at once. A worker sends pending rows and marks them.
    """

    __tablename__ = "case_outbox"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    topic: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("cases.id"), nullable=True, index=True
    )
    recipient: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_case_outbox_pending", "status", "id"),)


class CaseMaterial(Base):
    """An uploaded material (申请材料) of a case.

    The file itself is stored once by its SHA-256 (``onething.cases.materials``); this row
    links it to the case and the catalog's material code, with its size, the media type
    found in its first bytes (never the one the client claimed) and who uploaded it. The
    same file uploaded again for the same material of the same case is the same row.
    """

    __tablename__ = "case_materials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_case_id)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("case_id", "material_code", "sha256"),)
