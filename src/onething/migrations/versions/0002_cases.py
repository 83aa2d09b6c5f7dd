"""cases: cases, case events, clocks and their ledger, idempotency keys, evaluations, outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("service_code", sa.String(64), nullable=False),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=True),
        sa.Column("origin_id", sa.String(36), nullable=True),
        sa.Column("applicant_kind", sa.String(16), nullable=False),
        sa.Column("applicant_id", sa.String(32), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("region", sa.String(12), nullable=False),
        sa.Column("submission_region", sa.String(12), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("assisted_by", sa.String(64), nullable=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("held_from", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("legal_limit_days", sa.Integer(), nullable=True),
        sa.Column("promised_limit_days", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.Column("concluded_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.ForeignKeyConstraint(["parent_id"], ["cases.id"], name=op.f("fk_cases_parent_id_cases")),
        sa.ForeignKeyConstraint(["origin_id"], ["cases.id"], name=op.f("fk_cases_origin_id_cases")),
    )
    op.create_index(op.f("ix_cases_service_code"), "cases", ["service_code"])
    op.create_index(op.f("ix_cases_parent_id"), "cases", ["parent_id"])
    op.create_index(op.f("ix_cases_origin_id"), "cases", ["origin_id"])
    op.create_index("ix_cases_queue", "cases", ["department", "state", "region"])
    op.create_index("ix_cases_applicant", "cases", ["applicant_kind", "applicant_id"])

    op.create_table(
        "case_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("actor_person", sa.String(64), nullable=False),
        sa.Column("actor_department", sa.String(64), nullable=True),
        sa.Column("actor_region", sa.String(12), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_case_events_case_id_seq")),
    )

    op.create_table(
        "case_clocks",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("started_at", _AT, nullable=False),
        sa.Column("due_at", _AT, nullable=True),
        sa.Column("paused_at", _AT, nullable=True),
        sa.Column("stopped_at", _AT, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sla_level", sa.String(8), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clocks")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_clocks_case_id_cases")
        ),
        sa.UniqueConstraint("case_id", "name", name=op.f("uq_case_clocks_case_id_name")),
    )
    op.create_index(op.f("ix_case_clocks_case_id"), "case_clocks", ["case_id"])
    op.create_index("ix_case_clocks_scan", "case_clocks", ["status", "due_at"])

    op.create_table(
        "case_clock_entries",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("clock_id", _ID, nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clock_entries")),
        sa.ForeignKeyConstraint(
            ["clock_id"],
            ["case_clocks.id"],
            name=op.f("fk_case_clock_entries_clock_id_case_clocks"),
        ),
    )
    op.create_index(op.f("ix_case_clock_entries_clock_id"), "case_clock_entries", ["clock_id"])

    op.create_table(
        "case_idempotency_keys",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_idempotency_keys")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_idempotency_keys_case_id_cases")
        ),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_case_idempotency_keys_scope_key")),
    )

    op.create_table(
        "case_evaluations",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("rectification_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evaluations")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_evaluations_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["cases.id"],
            name=op.f("fk_case_evaluations_rectification_id_cases"),
        ),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_evaluations_case_id")),
    )

    op.create_table(
        "case_outbox",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_outbox")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_outbox_case_id_cases")
        ),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_case_outbox_dedupe_key")),
    )
    op.create_index(op.f("ix_case_outbox_case_id"), "case_outbox", ["case_id"])
    op.create_index("ix_case_outbox_pending", "case_outbox", ["status", "id"])


def downgrade() -> None:
    op.drop_table("case_outbox")
    op.drop_table("case_evaluations")
    op.drop_table("case_idempotency_keys")
    op.drop_table("case_clock_entries")
    op.drop_table("case_clocks")
    op.drop_table("case_events")
    op.drop_table("cases")
