"""Deposit calendar per party (ministraciones) and recorded exceptions to the stage gates.

Revision ID: 0010_ministraciones
Revises: 0008_accepted_rule_files
Create Date: 2026-12-04

``ministraciones`` holds each party's tranches of a project: an amount and what makes it due (the
convenio's signature, a date, or the works reaching a physical progress). ``stage_gate_exceptions``
records an administrador's authorisation, with its reason, to pass a stage gate whose conditions are
not met. Both are audited like every other table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_ministraciones"
down_revision: str | Sequence[str] | None = "0008_accepted_rule_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PARTIES = "party IN ('club', 'federal', 'state', 'municipal', 'partner')"


def upgrade() -> None:
    """Create ``ministraciones`` and ``stage_gate_exceptions``."""
    op.create_table(
        "ministraciones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", name="fk_ministraciones_project_id_projects"),
            nullable=False,
        ),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(8), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("progress_percent", sa.Integer(), nullable=True),
        sa.CheckConstraint(_PARTIES, name="ck_ministraciones_party_known"),
        sa.CheckConstraint("amount > 0", name="ck_ministraciones_amount_positive"),
        sa.CheckConstraint("number >= 1", name="ck_ministraciones_number_positive"),
        sa.CheckConstraint(
            "trigger IN ('firma', 'fecha', 'avance')", name="ck_ministraciones_trigger_known"
        ),
        sa.CheckConstraint(
            "progress_percent IS NULL OR (progress_percent >= 1 AND progress_percent <= 100)",
            name="ck_ministraciones_percent_range",
        ),
        sa.UniqueConstraint("project_id", "party", "number", name="uq_ministraciones_project_id_party_number"),
    )
    op.create_index("ix_ministraciones_project_id", "ministraciones", ["project_id"])
    op.create_table(
        "stage_gate_exceptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", name="fk_stage_gate_exceptions_project_id_projects"),
            nullable=False,
        ),
        sa.Column("gate", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("authorised_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
    )
    op.create_index("ix_stage_gate_exceptions_project_id", "stage_gate_exceptions", ["project_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_stage_gate_exceptions_project_id", "stage_gate_exceptions")
    op.drop_table("stage_gate_exceptions")
    op.drop_index("ix_ministraciones_project_id", "ministraciones")
    op.drop_table("ministraciones")
