"""case materials: uploaded files of a case, stored by content hash

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_materials",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("material_code", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("uploaded_by", sa.String(128), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_materials")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_materials_case_id_cases")
        ),
        sa.UniqueConstraint(
            "case_id",
            "material_code",
            "sha256",
            name=op.f("uq_case_materials_case_id_material_code_sha256"),
        ),
    )
    op.create_index(op.f("ix_case_materials_case_id"), "case_materials", ["case_id"])
    op.create_index(op.f("ix_case_materials_sha256"), "case_materials", ["sha256"])


def downgrade() -> None:
    op.drop_table("case_materials")
