"""The cédula de validación técnica (scores per criterion) and each scholarship student's school level.

Revision ID: 0021_validation_and_levels
Revises: 0018_locality_key
Create Date: 2026-12-05

``technical_validations`` holds each scoring of a project's technical file (who scored it, when,
the rule year's criteria it used) and ``validation_scores`` its points per criterion. A
new scoring adds rows; none is changed (the history is the set of scorings). A scholarship
student's ``school_level`` says which amount of the rule set they receive ("" for other persons).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_validation_and_levels"
down_revision: str | Sequence[str] | None = "0018_locality_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two tables and ``project_beneficiaries.school_level``."""
    with op.batch_alter_table("project_beneficiaries", recreate="never") as batch:
        batch.add_column(sa.Column("school_level", sa.String(20), nullable=False, server_default=""))
    op.create_table(
        "technical_validations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("validated_on", sa.Date(), nullable=False),
        sa.Column("validator_name", sa.String(200), nullable=False),
        sa.Column("validator_post", sa.String(200), nullable=False, server_default=""),
        sa.Column("criteria_set", sa.String(40), nullable=False),
        sa.Column("observations", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_technical_validations_project_id_projects"
        ),
    )
    op.create_index("ix_technical_validations_project_id", "technical_validations", ["project_id"])
    op.create_table(
        "validation_scores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("validation_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(40), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["validation_id"],
            ["technical_validations.id"],
            name="fk_validation_scores_validation_id_technical_validations",
        ),
        sa.UniqueConstraint(
            "validation_id", "criterion", name="uq_validation_scores_validation_id_criterion"
        ),
        sa.CheckConstraint("points >= 0", name=op.f("ck_validation_scores_points_not_negative")),
    )
    op.create_index(
        "ix_validation_scores_validation_id", "validation_scores", ["validation_id"]
    )


def downgrade() -> None:
    """Drop the tables and the column."""
    op.drop_table("validation_scores")
    op.drop_table("technical_validations")
    with op.batch_alter_table("project_beneficiaries", recreate="auto") as batch:
        batch.drop_column("school_level")
