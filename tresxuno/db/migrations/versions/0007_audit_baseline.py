"""Audit trail sealed with an optional office key; rows written before the trail sealed as a baseline.

Revision ID: 0007_audit_baseline
Revises: 0006_audit_trail
Create Date: 2026-12-04

``audit_head`` gains ``key_id`` (the office key that seals the chain, see
:mod:`tresxuno.domain.audit`) and ``keyed_since`` (the first record sealed with it). The baseline
itself is written by :func:`tresxuno.db.audit.seal_baseline` after every upgrade (it also covers
the INEGI catalogue loaded after the migrations); this revision exists so a database already at
0006, whose rows from before 0006 the trail never saw, is upgraded and sealed too.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_audit_baseline"
down_revision: str | Sequence[str] | None = "0006_audit_trail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the office key's columns to ``audit_head`` (plain ADD COLUMN: no table rebuild)."""
    op.add_column("audit_head", sa.Column("key_id", sa.CHAR(16), nullable=True))
    op.add_column("audit_head", sa.Column("keyed_since", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Remove what :func:`upgrade` added (the baseline records stay: the trail is append-only)."""
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("keyed_since")
        batch.drop_column("key_id")
