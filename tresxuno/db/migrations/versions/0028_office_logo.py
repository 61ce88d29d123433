"""Each office's own logo, printed on its letterhead.

Revision ID: 0028_office_logo
Revises: 0027_row_security_trail
Create Date: 2026-12-05

``offices.logo`` holds the image (PNG or JPEG, at most 5 MB) in the database, so every desk sharing
a state server prints the same letterhead without a file of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_office_logo"
down_revision: str | Sequence[str] | None = "0027_row_security_trail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``offices.logo``."""
    op.add_column("offices", sa.Column("logo", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("offices", recreate="auto") as batch:
        batch.drop_column("logo")
