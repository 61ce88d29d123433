"""Caps exceeded only by a recorded authorisation; the state/municipal split agreed in the convenio.

Revision ID: 0012_cap_authorisations
Revises: 0011_year_end
Create Date: 2026-12-05

``cap_authorisations`` holds, per project and party, who authorised a share above the rule set's
cap, why, and the document (oficio) reference, with the cap and the share when it was recorded;
the audit trail records every row like any other table's. ``projects.joint_split_bp`` keeps the
state's percentage of the joint state and municipal share as agreed (NULL: the rule set's default).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_cap_authorisations"
down_revision: str | Sequence[str] | None = "0011_year_end"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``cap_authorisations`` and add ``projects.joint_split_bp``."""
    op.create_table(
        "cap_authorisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("cap", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("authorised_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_cap_authorisations_project_id_projects"
        ),
        sa.UniqueConstraint("project_id", "party", name="uq_cap_authorisations_project_id_party"),
        sa.CheckConstraint("amount > cap", name=op.f("ck_cap_authorisations_above_cap")),
        sa.CheckConstraint(
            "party IN ('club', 'federal', 'state', 'municipal', 'partner')",
            name=op.f("ck_cap_authorisations_party_known"),
        ),
    )
    op.add_column("projects", sa.Column("joint_split_bp", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop ``cap_authorisations`` and ``projects.joint_split_bp``."""
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("joint_split_bp")
    op.drop_table("cap_authorisations")
