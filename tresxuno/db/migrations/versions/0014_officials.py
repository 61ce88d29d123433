"""Officials over time, and COVAM minutes a committee signs (roles, quorum, votes, final versions).

Revision ID: 0014_officials
Revises: 0020_social_committees
Create Date: 2026-12-05

``officials`` holds who held each post (presidente municipal, tesorero, síndico, titular of the
migrant office, the federal delegation's head...) from a start date to an end date, so a document
names those in office on its own date. ``post_titles`` is the rule by date for an institution's
name: the federal delegation was the SEDESOL's until 2018 and the Secretaría de Bienestar's from
2019 (seeded here), so a 2017 acta never prints a post created in 2019.

COVAM sessions gain the date they were called (convocatoria), the committee's members with vote
(for the quorum), the priority criteria, a version and when and by whom the acta was printed as
final; attendees gain their role (president, technical secretary, member, guest) and whether they
vote; agenda items gain the votes and the date the ruling takes effect (the session's).
``covam_session_versions`` keeps the frozen content of every final version, so an earlier acta can
be rebuilt after a new version was opened (with its reason).

``club_tomas`` keeps every toma de nota a club held (seeded with each club's current one), so a
document prints the toma valid on its date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0014_officials"
# Branches add migrations in parallel; this one follows the head it was written on (the integrator re-chains).
down_revision: str | Sequence[str] | None = "0020_social_committees"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTS = (
    "'presidente_municipal', 'tesorero_municipal', 'sindico', 'titular_migrantes', "
    "'delegado_federal', 'titular_estatal'"
)
_ROLES = "'presidente', 'secretario_tecnico', 'vocal', 'invitado'"

#: The federal delegation's name by period (the rule by date the documents follow).
FEDERAL_TITLES = (
    {
        "post": "delegado_federal",
        "starts_on": date(1992, 5, 25),
        "ends_on": date(2018, 12, 31),
        "institution_es": "Delegación de la SEDESOL (Secretaría de Desarrollo Social)",
        "institution_en": "SEDESOL delegation (Secretaría de Desarrollo Social)",
    },
    {
        "post": "delegado_federal",
        "starts_on": date(2019, 1, 1),
        "ends_on": None,
        "institution_es": "Secretaría de Bienestar (delegación / oficina de representación)",
        "institution_en": "Secretaría de Bienestar (delegation / representation office)",
    },
)


def upgrade() -> None:
    """Create ``officials``, ``post_titles`` (seeded) and ``covam_session_versions``; extend the COVAM tables."""
    op.create_table(
        "officials",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post", sa.String(30), nullable=False),
        sa.Column("person_name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False, server_default=""),
        sa.Column("institution", sa.String(200), nullable=False, server_default=""),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False, server_default=""),
        sa.CheckConstraint(f"post IN ({_POSTS})", name=op.f("ck_officials_post_known")),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_officials_period_order")),
    )
    op.create_index("ix_officials_post", "officials", ["post"])
    titles = op.create_table(
        "post_titles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post", sa.String(30), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("institution_es", sa.String(200), nullable=False),
        sa.Column("institution_en", sa.String(200), nullable=False),
        sa.CheckConstraint(f"post IN ({_POSTS})", name=op.f("ck_post_titles_post_known")),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_post_titles_period_order")
        ),
    )
    op.bulk_insert(titles, list(FEDERAL_TITLES))
    op.create_table(
        "covam_session_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("final_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("final_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["session_id"], ["covam_sessions.id"], name="fk_covam_session_versions_session_id_covam_sessions"
        ),
        sa.UniqueConstraint("session_id", "version", name="uq_covam_session_versions_session_id_version"),
        sa.CheckConstraint("version >= 1", name=op.f("ck_covam_session_versions_version_positive")),
    )
    with op.batch_alter_table("covam_sessions") as batch:
        batch.add_column(sa.Column("called_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("voting_members", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("criteria", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("version_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("final_at", sa.DateTime(timezone=False), nullable=True))
        batch.add_column(sa.Column("final_by", sa.String(80), nullable=False, server_default=""))
        batch.create_check_constraint(
            op.f("ck_covam_sessions_voting_members_positive"), "voting_members IS NULL OR voting_members >= 1"
        )
        batch.create_check_constraint(
            op.f("ck_covam_sessions_called_before_held"), "called_on IS NULL OR called_on <= held_on"
        )
    with op.batch_alter_table("covam_attendees") as batch:
        batch.add_column(sa.Column("role", sa.String(20), nullable=False, server_default="vocal"))
        batch.add_column(sa.Column("has_vote", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.create_check_constraint(op.f("ck_covam_attendees_role_known"), f"role IN ({_ROLES})")
    with op.batch_alter_table("covam_agenda") as batch:
        batch.add_column(sa.Column("votes_for", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("votes_against", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("abstentions", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_covam_agenda_votes_not_negative"),
            "(votes_for IS NULL OR votes_for >= 0) AND (votes_against IS NULL OR votes_against >= 0) "
            "AND (abstentions IS NULL OR abstentions >= 0)",
        )
    op.create_table(
        "club_tomas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("club_id", sa.Integer(), nullable=False),
        sa.Column("folio", sa.String(60), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], name="fk_club_tomas_club_id_clubs"),
        sa.UniqueConstraint("club_id", "folio", "issued_on", name="uq_club_tomas_club_id_folio_issued_on"),
        sa.CheckConstraint("expires_on >= issued_on", name=op.f("ck_club_tomas_dates_ordered")),
    )
    op.create_index("ix_club_tomas_club_id", "club_tomas", ["club_id"])
    # Each club's current toma starts its history (earlier ones were overwritten before this release).
    op.execute(
        "INSERT INTO club_tomas (club_id, folio, issuer, issued_on, expires_on, recorded_at, recorded_by) "
        "SELECT id, toma_folio, toma_issuer, toma_issued_on, toma_expires_on, updated_at, '' FROM clubs"
    )
    # A ruling recorded before this release took effect on its session's date, not when typed.
    op.execute(
        "UPDATE covam_agenda SET effective_on = (SELECT held_on FROM covam_sessions s "
        "WHERE s.id = covam_agenda.session_id) WHERE ruling IS NOT NULL"
    )


def downgrade() -> None:
    """Drop the new tables and columns."""
    with op.batch_alter_table("covam_agenda") as batch:
        batch.drop_constraint(op.f("ck_covam_agenda_votes_not_negative"), type_="check")
        for column in ("effective_on", "abstentions", "votes_against", "votes_for"):
            batch.drop_column(column)
    with op.batch_alter_table("covam_attendees") as batch:
        batch.drop_constraint(op.f("ck_covam_attendees_role_known"), type_="check")
        batch.drop_column("has_vote")
        batch.drop_column("role")
    with op.batch_alter_table("covam_sessions") as batch:
        batch.drop_constraint(op.f("ck_covam_sessions_called_before_held"), type_="check")
        batch.drop_constraint(op.f("ck_covam_sessions_voting_members_positive"), type_="check")
        for column in ("final_by", "final_at", "version_reason", "version", "criteria", "voting_members", "called_on"):
            batch.drop_column(column)
    op.drop_index("ix_club_tomas_club_id", table_name="club_tomas")
    op.drop_table("club_tomas")
    op.drop_table("covam_session_versions")
    op.drop_table("post_titles")
    op.drop_index("ix_officials_post", table_name="officials")
    op.drop_table("officials")
