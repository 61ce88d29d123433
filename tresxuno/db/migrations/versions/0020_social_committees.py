"""Contraloría social: each works project's committee, its members and its minutes and reports.

Revision ID: 0020_social_committees
Revises: 0013_amendments
Create Date: 2026-12-05

``social_committees`` holds one committee per project (the day it was constituted);
``social_committee_members`` its members in signing order; ``social_committee_records`` the minutes
(actas) and reports (informes) it filed. Members and records carry ``project_id`` so the project's
history (and the audit package) finds them. Audited like every table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_social_committees"
# Branches add migrations in parallel; this one follows the head it was written on (the integrator re-chains).
down_revision: str | Sequence[str] | None = "0013_amendments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "social_committees",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("constituted_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_social_committees_project_id_projects"),
        sa.UniqueConstraint("project_id", name="uq_social_committees_project_id"),
    )
    op.create_table(
        "social_committee_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.String(12), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["social_committees.id"],
            name="fk_social_committee_members_committee_id_social_committees",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_social_committee_members_project_id_projects"
        ),
        sa.UniqueConstraint("committee_id", "seat", name="uq_social_committee_members_committee_id_seat"),
        sa.CheckConstraint(
            "position IN ('presidente', 'secretario', 'vocal')",
            name=op.f("ck_social_committee_members_position_known"),
        ),
        sa.CheckConstraint("sex IN ('M', 'H', '')", name=op.f("ck_social_committee_members_sex_known")),
    )
    op.create_table(
        "social_committee_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["social_committees.id"],
            name="fk_social_committee_records_committee_id_social_committees",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_social_committee_records_project_id_projects"
        ),
        sa.CheckConstraint("kind IN ('acta', 'informe')", name=op.f("ck_social_committee_records_kind_known")),
    )
    op.create_index("ix_social_committee_members_committee_id", "social_committee_members", ["committee_id"])
    op.create_index("ix_social_committee_records_committee_id", "social_committee_records", ["committee_id"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("social_committee_records")
    op.drop_table("social_committee_members")
    op.drop_table("social_committees")
