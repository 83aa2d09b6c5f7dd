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

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Row,
    Select,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    cast,
    column,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from onething.kit.db import Base, UTCDateTime, table_of, utcnow
from onething.models.audit import AuditEvent

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


# -- idempotency keys and writing new cases at once ---------------------------------------------

CASES = table_of(Case)
CASE_EVENTS = table_of(CaseEvent)
CLOCKS = table_of(Clock)
CLOCK_ENTRIES = table_of(ClockEntry)
IDEMPOTENCY_KEYS = table_of(IdempotencyKey)
AUDIT_EVENTS = table_of(AuditEvent)

_KEYS = IDEMPOTENCY_KEYS.c
_CLAIMED = select(_KEYS.request_hash, _KEYS.case_id).where(
    _KEYS.scope == bindparam("scope"), _KEYS.key == bindparam("key")
)


def claimed_key(session: Session, scope: str, key: str) -> Row[str, str] | None:
    """The request hash and case of idempotency key ``key`` if already used in ``scope``
    (one prepared statement, built once)."""
    return session.execute(_CLAIMED, {"scope": scope, "key": key}).one_or_none()


@dataclass
class NewCaseRows:
    """Rows of new cases written together, as column values: the cases (a parent before its
    children), their events and audit rows, clocks started with them (each with one
    ``start`` line by ``clock_actor`` for ``clock_reason``, at its start), and the
    idempotency key that claims them."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    clocks: list[dict[str, Any]] = field(default_factory=list)
    clock_actor: str = ""
    clock_reason: str | None = None
    key: dict[str, Any] | None = None


def write_new_cases(session: Session, rows: NewCaseRows) -> bool:
    """Write ``rows`` now, in the caller's transaction, no ids read back.

    With a key, everything is written only if the key is still free: ``False`` (nothing
    written, the transaction usable) when another submission claimed it first — a
    concurrent one included, once it committed. On PostgreSQL this is one statement (the
    inserts as data-modifying CTEs, the rows as JSON, the key ``ON CONFLICT DO NOTHING``);
    elsewhere one INSERT per table inside a savepoint, which a taken key rolls back.
    """
    if session.get_bind().dialect.name == "postgresql":
        return _write_in_one_statement(session, rows)
    if rows.key is None:
        _write_per_table(session, rows)
        return True
    try:
        with session.begin_nested():
            _write_per_table(session, rows)
            session.execute(insert(IDEMPOTENCY_KEYS), [rows.key])
    except IntegrityError:
        if claimed_key(session, rows.key["scope"], rows.key["key"]) is None:
            raise  # not the key: a real integrity error
        return False
    return True


def _write_per_table(session: Session, rows: NewCaseRows) -> None:
    for table, values in (
        (CASES, rows.cases),
        (CASE_EVENTS, rows.events),
        (AUDIT_EVENTS, rows.audits),
        (CLOCKS, rows.clocks),
    ):
        if values:
            session.execute(insert(table), values)
    if rows.clocks:
        clocks = CLOCKS.c
        started = select(
            clocks.id,
            clocks.started_at,
            literal("start", String()),
            literal(rows.clock_reason, Text()),
            literal(rows.clock_actor, String()),
        ).where(clocks.case_id == bindparam("clock_case"), clocks.name == bindparam("clock_name"))
        session.execute(
            insert(CLOCK_ENTRIES).from_select(
                ["clock_id", "at", "action", "reason", "actor"], started
            ),
            [{"clock_case": c["case_id"], "clock_name": c["name"]} for c in rows.clocks],
        )


def _new_columns(table: Table) -> list[Column[Any]]:
    """The columns a new row gives (all but a database-generated id)."""
    return [c for c in table.columns if c is not table.autoincrement_column]


def _json_rows(table: Table, param: str) -> tuple[list[str], Select[Any]]:
    """The rows of the JSON array bound as ``param``, typed as ``table``'s columns."""
    columns = _new_columns(table)
    rows = (
        func.json_to_recordset(cast(bindparam(param, type_=Text), JSON))
        .table_valued(*(column(c.name, c.type) for c in columns))
        .render_derived(name=f"{param}_rows", with_types=True)
    )
    return [c.name for c in columns], select(*rows.c)


def _one_statement() -> Select[int]:
    """Every insert of :class:`NewCaseRows` as data-modifying CTEs of one PostgreSQL
    statement, all conditional on the key being claimed (or on there being no key); the
    statement answers 1 when the rows were written, 0 when the key was taken."""
    keyed = bindparam("keyed", type_=Boolean)
    keys = IDEMPOTENCY_KEYS
    names, rows = _json_rows(keys, "key")
    new_key = (
        pg_insert(keys)
        .from_select(names, rows.where(keyed))
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(keys.c.id)
        .cte("new_key")
    )
    claimed = union_all(select(new_key.c.id), select(null()).where(~keyed)).cte("claimed")

    def new(table: Table, param: str, *returning: Column[Any]) -> CTE:
        names, rows = _json_rows(table, param)
        stmt = pg_insert(table).from_select(names, rows.where(exists(select(claimed))))
        return (stmt.returning(*returning) if returning else stmt).cte(f"new_{param}")

    clocks = CLOCKS
    new_clocks = new(clocks, "clocks", clocks.c.id, clocks.c.started_at)
    start_lines = pg_insert(CLOCK_ENTRIES).from_select(
        ["clock_id", "at", "action", "reason", "actor"],
        select(
            new_clocks.c.id,
            new_clocks.c.started_at,
            literal("start", String()),
            bindparam("clock_reason", type_=Text),
            bindparam("clock_actor", type_=String),
        ),
    )
    return (
        select(func.count())
        .select_from(claimed)
        .add_cte(
            new(CASES, "cases"),
            new(CASE_EVENTS, "events"),
            new(AUDIT_EVENTS, "audits"),
            new_clocks,
            start_lines.cte("new_lines"),
        )
    )


_ONE_STATEMENT = _one_statement()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def _as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def _write_in_one_statement(session: Session, rows: NewCaseRows) -> bool:
    claimed = session.scalar(
        _ONE_STATEMENT,
        {
            "keyed": rows.key is not None,
            "key": _as_json([rows.key] if rows.key else []),
            "cases": _as_json(rows.cases),
            "events": _as_json(rows.events),
            "audits": _as_json(rows.audits),
            "clocks": _as_json(rows.clocks),
            "clock_reason": rows.clock_reason,
            "clock_actor": rows.clock_actor,
        },
    )
    return bool(claimed)
