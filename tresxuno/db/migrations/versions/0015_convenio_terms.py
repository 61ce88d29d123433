"""Convenio terms and goals: the account, execution modality, contractor and partner; the metas.

Revision ID: 0015_convenio_terms
Revises: 0014_officials
Create Date: 2026-12-05

``project_convenio_terms`` holds one row per project with what its convenio states beyond the money
(CLABE, bank, account holder, modality, contractor, partner); ``project_goals`` the goals (metas) in
order, quantities in thousandths. Audited like every table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_convenio_terms"
# Assigned to follow 0013_amendments; chained after the head of main when written (0020), so the
# branch has one head. The integrator re-chains.
down_revision: str | Sequence[str] | None = "0014_officials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the two tables."""
    op.create_table(
        "project_convenio_terms",
        sa.Column("project_id", sa.Integer(), primary_key=True),
        sa.Column("clabe", sa.String(18), nullable=False, server_default=""),
        sa.Column("bank", sa.String(120), nullable=False, server_default=""),
        sa.Column("account_holder", sa.String(200), nullable=False, server_default=""),
        sa.Column("modality", sa.String(24), nullable=False, server_default=""),
        sa.Column("contractor_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("contractor_rfc", sa.String(13), nullable=False, server_default=""),
        sa.Column("partner_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("partner_representative", sa.String(200), nullable=False, server_default=""),
        sa.Column("partner_rfc", sa.String(13), nullable=False, server_default=""),
        sa.Column("partner_domicile", sa.String(300), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_project_convenio_terms_project_id_projects"
        ),
        sa.CheckConstraint(
            "modality IN ('', 'contrato', 'administracion_directa')",
            name=op.f("ck_project_convenio_terms_modality_known"),
        ),
    )
    op.create_table(
        "project_goals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("beneficiaries", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_goals_project_id_projects"),
        sa.UniqueConstraint("project_id", "position", name="uq_project_goals_project_id_position"),
        sa.CheckConstraint("quantity_milli > 0", name=op.f("ck_project_goals_quantity_positive")),
        sa.CheckConstraint("beneficiaries >= 0", name=op.f("ck_project_goals_beneficiaries_not_negative")),
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("project_goals")
    op.drop_table("project_convenio_terms")
