"""COVAM sessions with attendees and rulings per project, and physical progress reports.

Revision ID: 0003_covam_progress
Revises: 0002_ledger
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_covam_progress"
down_revision: str | Sequence[str] | None = "0002_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIES = "('club', 'federal', 'state', 'municipal', 'partner')"


def upgrade() -> None:
    """Create the COVAM and progress tables."""
    op.create_table(
        "covam_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), server_default="ordinaria", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), server_default="", nullable=False),
        sa.CheckConstraint("kind IN ('ordinaria', 'extraordinaria')", name=op.f("ck_covam_sessions_kind_known")),
        sa.PrimaryKeyConstraint("id", name="pk_covam_sessions"),
        sa.UniqueConstraint("number", name="uq_covam_sessions_number"),
    )
    op.create_index("ix_covam_sessions_held_on", "covam_sessions", ["held_on"])
    op.create_table(
        "covam_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.String(200), server_default="", nullable=False),
        sa.CheckConstraint(f"party IN {PARTIES}", name=op.f("ck_covam_attendees_party_known")),
        sa.ForeignKeyConstraint(["session_id"], ["covam_sessions.id"],
                                name="fk_covam_attendees_session_id_covam_sessions"),
        sa.PrimaryKeyConstraint("id", name="pk_covam_attendees"),
    )
    op.create_index("ix_covam_attendees_session_id", "covam_attendees", ["session_id"])
    op.create_table(
        "covam_agenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("ruling", sa.String(12), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("ruled_at", sa.DateTime(timezone=False), nullable=True),
        sa.Column("ruled_by", sa.String(80), server_default="", nullable=False),
        sa.CheckConstraint("ruling IS NULL OR ruling IN ('aprobado', 'rechazado', 'devuelto')",
                           name=op.f("ck_covam_agenda_ruling_known")),
        sa.CheckConstraint("priority IS NULL OR (priority >= 0 AND priority <= 100)",
                           name=op.f("ck_covam_agenda_priority_range")),
        sa.ForeignKeyConstraint(["session_id"], ["covam_sessions.id"],
                                name="fk_covam_agenda_session_id_covam_sessions"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_covam_agenda_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_covam_agenda"),
        sa.UniqueConstraint("session_id", "project_id", name="uq_covam_agenda_session_id_project_id"),
    )
    op.create_index("ix_covam_agenda_project_id", "covam_agenda", ["project_id"])
    op.create_table(
        "project_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("percent_tenths", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), server_default="", nullable=False),
        sa.CheckConstraint("percent_tenths >= 0 AND percent_tenths <= 1000",
                           name=op.f("ck_project_progress_percent_range")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_progress_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_project_progress"),
    )
    op.create_index("ix_project_progress_project_id_reported_on", "project_progress",
                    ["project_id", "reported_on"])


def downgrade() -> None:
    """Drop what :func:`upgrade` created."""
    op.drop_index("ix_project_progress_project_id_reported_on", table_name="project_progress")
    op.drop_table("project_progress")
    op.drop_index("ix_covam_agenda_project_id", table_name="covam_agenda")
    op.drop_table("covam_agenda")
    op.drop_index("ix_covam_attendees_session_id", table_name="covam_attendees")
    op.drop_table("covam_attendees")
    op.drop_index("ix_covam_sessions_held_on", table_name="covam_sessions")
    op.drop_table("covam_sessions")
