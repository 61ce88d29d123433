"""Initial schema: INEGI catalogue, federations, clubs, rule sets, projects and the money trail.

Revision ID: 0001_initial
Revises:
Create Date: 2026-01-15

Every table is written out here rather than created from the models, so this file stays the exact
schema of the first release however the models change later. Constraint names follow the models'
naming convention (pk_/fk_/uq_/ck_/ix_); CHECK names are wrapped in ``op.f`` because that convention
would otherwise prefix an explicit name a second time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIES = "('club', 'federal', 'state', 'municipal', 'partner')"


def upgrade() -> None:
    """Create every table of the first release."""
    op.create_table(
        "states",
        sa.Column("key", sa.CHAR(2), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("abbrev", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_states"),
    )
    op.create_table(
        "municipalities",
        sa.Column("key", sa.String(5), nullable=False),
        sa.Column("state_key", sa.CHAR(2), nullable=False),
        sa.Column("code", sa.String(3), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("seat", sa.String(120), server_default="", nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("dwellings", sa.Integer(), nullable=True),
        sa.Column("added_by_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("key = state_key || code", name=op.f("ck_municipalities_key_parts")),
        sa.ForeignKeyConstraint(["state_key"], ["states.key"], name="fk_municipalities_state_key_states"),
        sa.PrimaryKeyConstraint("key", name="pk_municipalities"),
    )
    op.create_index("ix_municipalities_state_key_name", "municipalities", ["state_key", "name"])

    op.create_table(
        "federations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("mx_state_key", sa.CHAR(2), nullable=False),
        sa.Column("us_region", sa.String(120), nullable=False),
        sa.Column("contact", sa.String(200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.ForeignKeyConstraint(["mx_state_key"], ["states.key"], name="fk_federations_mx_state_key_states"),
        sa.PrimaryKeyConstraint("id", name="pk_federations"),
        sa.UniqueConstraint("name", name="uq_federations_name"),
    )
    op.create_table(
        "clubs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("federation_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("toma_folio", sa.String(60), nullable=False),
        sa.Column("toma_issuer", sa.String(200), nullable=False),
        sa.Column("toma_issued_on", sa.Date(), nullable=False),
        sa.Column("toma_expires_on", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("board", sa.Text(), server_default="[]", nullable=False),
        sa.Column("us_city", sa.String(120), nullable=False),
        sa.Column("us_state", sa.String(2), nullable=False),
        sa.Column("home_state_key", sa.CHAR(2), nullable=False),
        sa.Column("home_municipality_key", sa.String(5), nullable=False),
        sa.Column("home_contact", sa.String(200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("members >= 0", name=op.f("ck_clubs_members_not_negative")),
        sa.CheckConstraint("toma_expires_on >= toma_issued_on", name=op.f("ck_clubs_toma_dates_ordered")),
        sa.CheckConstraint(
            "substr(home_municipality_key, 1, 2) = home_state_key", name=op.f("ck_clubs_home_in_state")
        ),
        sa.ForeignKeyConstraint(
            ["federation_id"], ["federations.id"], name="fk_clubs_federation_id_federations"
        ),
        sa.ForeignKeyConstraint(["home_state_key"], ["states.key"], name="fk_clubs_home_state_key_states"),
        sa.ForeignKeyConstraint(
            ["home_municipality_key"],
            ["municipalities.key"],
            name="fk_clubs_home_municipality_key_municipalities",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_clubs"),
        sa.UniqueConstraint("toma_folio", name="uq_clubs_toma_folio"),
    )
    op.create_index("ix_clubs_name", "clubs", ["name"])

    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=False), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rule_sets"),
        sa.UniqueConstraint("rule_id", "version", name="uq_rule_sets_rule_id_version"),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folio", sa.String(32), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("state_key", sa.CHAR(2), nullable=False),
        sa.Column("municipality_key", sa.String(5), nullable=False),
        sa.Column("locality", sa.String(200), server_default="", nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("beneficiaries", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("rule_set_pk", sa.Integer(), nullable=False),
        sa.Column("partner_mode", sa.String(8), server_default="none", nullable=False),
        sa.Column("partner_amount", sa.BigInteger(), nullable=True),
        sa.Column("mix_override_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("stage", sa.String(20), server_default="borrador", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("cost > 0", name=op.f("ck_projects_cost_positive")),
        sa.CheckConstraint("beneficiaries >= 0", name=op.f("ck_projects_beneficiaries_not_negative")),
        sa.CheckConstraint("partner_mode IN ('none', 'rule', 'fixed')", name=op.f("ck_projects_partner_mode_known")),
        sa.CheckConstraint(
            "partner_amount IS NULL OR partner_amount > 0", name=op.f("ck_projects_partner_amount_positive")
        ),
        sa.CheckConstraint(
            "substr(municipality_key, 1, 2) = state_key", name=op.f("ck_projects_municipality_in_state")
        ),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], name="fk_projects_club_id_clubs"),
        sa.ForeignKeyConstraint(["state_key"], ["states.key"], name="fk_projects_state_key_states"),
        sa.ForeignKeyConstraint(
            ["municipality_key"], ["municipalities.key"], name="fk_projects_municipality_key_municipalities"
        ),
        sa.ForeignKeyConstraint(["rule_set_pk"], ["rule_sets.id"], name="fk_projects_rule_set_pk_rule_sets"),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        # Its index also serves lookups and sorting by folio.
        sa.UniqueConstraint("folio", name="uq_projects_folio"),
    )
    # One index per column the project list filters or sorts on (30,000 rows must stay quick).
    for column in ("fiscal_year", "program", "category", "stage", "municipality_key", "club_id", "name"):
        op.create_index(f"ix_projects_{column}", "projects", [column])

    op.create_table(
        "project_shares",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("percent_bp", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("capped", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(f"party IN {PARTIES}", name=op.f("ck_project_shares_party_known")),
        sa.CheckConstraint("percent_bp >= 0 AND percent_bp <= 10000", name=op.f("ck_project_shares_percent_bp_range")),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_project_shares_amount_not_negative")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_shares_project_id_projects"),
        sa.PrimaryKeyConstraint("project_id", "party", name="pk_project_shares"),
    )
    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(20), nullable=True),
        sa.Column("to_stage", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("changed_by", sa.String(80), server_default="", nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_stage_changes_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_stage_changes"),
    )
    op.create_index("ix_stage_changes_project_id", "stage_changes", ["project_id"])

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("party", sa.String(10), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("usd_amount", sa.BigInteger(), nullable=True),
        sa.Column("rate", sa.String(20), nullable=True),
        sa.Column("rate_date", sa.Date(), nullable=True),
        sa.Column("rate_source", sa.String(80), nullable=True),
        sa.Column("reference", sa.String(120), server_default="", nullable=False),
        sa.Column("payee_name", sa.String(200), nullable=True),
        sa.Column("payee_rfc", sa.String(13), nullable=True),
        sa.Column("concept", sa.Text(), server_default="", nullable=False),
        sa.Column("cfdi_uuid", sa.String(36), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), server_default="", nullable=False),
        sa.CheckConstraint(
            "kind IN ('contribution', 'payment', 'refund', 'reversal')", name=op.f("ck_ledger_entries_kind_known")
        ),
        sa.CheckConstraint(f"party IS NULL OR party IN {PARTIES}", name=op.f("ck_ledger_entries_party_known")),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_entries_amount_not_zero")),
        sa.CheckConstraint(
            "(kind = 'reversal' AND reverses_id IS NOT NULL) OR (kind <> 'reversal' AND reverses_id IS NULL)",
            name=op.f("ck_ledger_entries_reversal_target"),
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_ledger_entries_project_id_projects"),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["ledger_entries.id"], name="fk_ledger_entries_reverses_id_ledger_entries"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_entries"),
        sa.UniqueConstraint("cfdi_uuid", name="uq_ledger_entries_cfdi_uuid"),
        # An entry can be reversed at most once.
        sa.UniqueConstraint("reverses_id", name="uq_ledger_entries_reverses_id"),
    )
    op.create_index(
        "ix_ledger_entries_project_id_entry_date_id", "ledger_entries", ["project_id", "entry_date", "id"]
    )
    op.create_index("ix_ledger_entries_entry_date", "ledger_entries", ["entry_date"])

    op.create_table(
        "exchange_rates",
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(20), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("rate_date", name="pk_exchange_rates"),
    )
    op.create_table(
        "fiscal_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=False), nullable=True),
        sa.Column("closed_by", sa.String(80), nullable=True),
        sa.PrimaryKeyConstraint("year", name="pk_fiscal_years"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("stored_path", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("added_by", sa.String(80), server_default="", nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_attachments_size_not_negative")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_attachments_project_id_projects"),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"], ["ledger_entries.id"], name="fk_attachments_ledger_entry_id_ledger_entries"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
    )
    op.create_index("ix_attachments_project_id", "attachments", ["project_id"])

    op.create_table(
        "settings",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )


def downgrade() -> None:
    """Drop every table, children before parents."""
    for table in (
        "settings",
        "attachments",
        "fiscal_years",
        "exchange_rates",
        "ledger_entries",
        "stage_changes",
        "project_shares",
        "projects",
        "rule_sets",
        "clubs",
        "federations",
        "municipalities",
        "states",
    ):
        op.drop_table(table)
