"""Convenios modificatorios: a signed project's cost changed only by a recorded amendment.

Revision ID: 0013_amendments
Revises: 0012_cap_authorisations
Create Date: 2026-12-05

``project_amendments`` holds each amendment of a project (numbered 1, 2... per project): the cost
before and after, why, who authorised it, the signing date and the document's reference.
``project_amendment_shares`` keeps each party's percentage and amount before and after, so every
version of the convenio (the original and each amendment) can be rebuilt. The audit trail records
every row like any other table's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_amendments"
# Branches add migrations in parallel; this one follows the head it was written on (the integrator re-chains).
down_revision: str | Sequence[str] | None = "0012_cap_authorisations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PARTIES = "party IN ('club', 'federal', 'state', 'municipal', 'partner')"


def upgrade() -> None:
    """Create ``project_amendments`` and ``project_amendment_shares``."""
    op.create_table(
        "project_amendments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("previous_cost", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("authorised_by", sa.String(200), nullable=False),
        sa.Column("document_reference", sa.String(120), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_project_amendments_project_id_projects"
        ),
        sa.UniqueConstraint("project_id", "number", name="uq_project_amendments_project_id_number"),
        sa.CheckConstraint("number >= 1", name=op.f("ck_project_amendments_number_positive")),
        sa.CheckConstraint("cost > 0 AND previous_cost > 0", name=op.f("ck_project_amendments_cost_positive")),
        sa.CheckConstraint("cost <> previous_cost", name=op.f("ck_project_amendments_cost_changed")),
    )
    op.create_table(
        "project_amendment_shares",
        sa.Column("amendment_id", sa.Integer(), primary_key=True),
        sa.Column("party", sa.String(10), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("previous_percent_bp", sa.Integer(), nullable=False),
        sa.Column("previous_amount", sa.BigInteger(), nullable=False),
        sa.Column("percent_bp", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["project_amendments.id"],
            name="fk_project_amendment_shares_amendment_id_project_amendments",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_project_amendment_shares_project_id_projects"
        ),
        sa.CheckConstraint(_PARTIES, name=op.f("ck_project_amendment_shares_party_known")),
        sa.CheckConstraint(
            "previous_amount >= 0 AND amount >= 0", name=op.f("ck_project_amendment_shares_amounts_not_negative")
        ),
    )
    op.create_index("ix_project_amendments_project_id", "project_amendments", ["project_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("project_amendment_shares")
    op.drop_index("ix_project_amendments_project_id", table_name="project_amendments")
    op.drop_table("project_amendments")
