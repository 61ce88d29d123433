"""Money trail: per-party allocation lines of each ledger entry, and append-only guards.

Revision ID: 0002_ledger
Revises: 0001_initial
Create Date: 2026-11-23

Every ledger entry stores its effect on the project's cash (contribution +, payment and refund -,
a reversal the negation of what it reverses) and is split into one line per party it concerns, so
each party's balances are plain sums. Triggers refuse UPDATE and DELETE on both tables: a wrong
entry is corrected by a reversing entry, never by editing it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ledger"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIES = "('club', 'federal', 'state', 'municipal', 'partner')"
APPEND_ONLY = ("ledger_entries", "ledger_allocations")


def upgrade() -> None:
    """Add ``ledger_allocations``, the override columns and the append-only triggers."""
    op.create_table(
        "ledger_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(f"party IN {PARTIES}", name=op.f("ck_ledger_allocations_party_known")),
        sa.ForeignKeyConstraint(["entry_id"], ["ledger_entries.id"],
                                name="fk_ledger_allocations_entry_id_ledger_entries"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_allocations"),
        sa.UniqueConstraint("entry_id", "party", name="uq_ledger_allocations_entry_id_party"),
    )
    op.create_index("ix_ledger_allocations_party", "ledger_allocations", ["party"])
    with op.batch_alter_table("ledger_entries") as batch:
        # Who authorised a contribution above the party's outstanding share, and why.
        batch.add_column(sa.Column("override_reason", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("authorised_by", sa.String(80), server_default="", nullable=False))
    bind = op.get_bind()
    for table in APPEND_ONLY:
        if bind.dialect.name == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a reversal instead'); END"
                )
        elif bind.dialect.name == "postgresql":
            op.execute(
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only: record a reversal instead'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    bind = op.get_bind()
    for table in APPEND_ONLY:
        if bind.dialect.name == "sqlite":
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        elif bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("authorised_by")
        batch.drop_column("override_reason")
    op.drop_index("ix_ledger_allocations_party", table_name="ledger_allocations")
    op.drop_table("ledger_allocations")
