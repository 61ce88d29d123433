"""Typed SQLAlchemy 2 models of every table, portable to SQLite and PostgreSQL.

Money is ``BigInteger`` centavos (MXN unless the column says USD); timestamps are naive UTC.
The schema itself is created by the Alembic migrations, never by ``metadata.create_all``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tresxuno.domain.parties import Party
from tresxuno.domain.quorum import ROLES

#: Stable constraint names, so later migrations (and SQLite batch mode) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Values the ``party`` columns accept, in the fixed party order.
PARTY_IDS: tuple[str, ...] = tuple(p.value for p in Party)
#: How a partner joins a project: not at all, by the rule set's percentage, or with a fixed amount.
PARTNER_MODES: tuple[str, ...] = ("none", "rule", "fixed")
#: Kinds of money-trail entry; the ledger is append-only, a mistake is undone by a reversal.
LEDGER_KINDS: tuple[str, ...] = ("contribution", "payment", "refund", "reversal")
#: Roles at a COVAM session: who chairs, who keeps the minutes, members, and guests without vote.
COVAM_ROLES: tuple[str, ...] = ROLES
#: Posts whose holders documents name (municipal officers, the migrant office, the federal delegation).
OFFICIAL_POSTS: tuple[str, ...] = (
    "presidente_municipal",
    "tesorero_municipal",
    "sindico",
    "titular_migrantes",
    "delegado_federal",
    "titular_estatal",
)


def _in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL text ``column IN ('a', 'b')`` for a CHECK constraint (values are our own constants)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    """The current time as a naive UTC datetime, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base carrying the shared metadata and its naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model here is mapped to one Table (no joins, no subqueries); SQLAlchemy types
        # ``__table__`` as any FromClause, which insert(), update() and Table's own API refuse.
        __table__: ClassVar[Table]


# --- INEGI catalogue --------------------------------------------------------------------------


class State(Base):
    """One of the 32 Mexican states, keyed by its two-digit INEGI key ("32" is Zacatecas)."""

    __tablename__ = "states"

    key: Mapped[str] = mapped_column(CHAR(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    abbrev: Mapped[str] = mapped_column(String(10))

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="state")


class Municipality(Base):
    """A municipality keyed by its five-digit INEGI key (state key + three-digit code)."""

    __tablename__ = "municipalities"
    __table_args__ = (
        # The full key is the state key followed by the municipal code; admin-added rows too.
        CheckConstraint("key = state_key || code", name="key_parts"),
        Index("ix_municipalities_state_key_name", "state_key", "name"),
    )

    key: Mapped[str] = mapped_column(String(5), primary_key=True)
    state_key: Mapped[str] = mapped_column(CHAR(2), ForeignKey("states.key"))
    code: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    # Empty when INEGI names no seat (Mexico City's boroughs).
    seat: Mapped[str] = mapped_column(String(120), default="", server_default="")
    population: Mapped[int | None] = mapped_column(Integer)
    dwellings: Mapped[int | None] = mapped_column(Integer)
    # Municipalities created after the 2020 census are added by an administrator.
    added_by_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    state: Mapped[State] = relationship(back_populates="municipalities")


# --- Migrants' organisations ------------------------------------------------------------------


class Federation(Base):
    """A federation of clubs from one Mexican state, based in a US region."""

    __tablename__ = "federations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    mx_state_key: Mapped[str] = mapped_column(CHAR(2), ForeignKey("states.key"))
    us_region: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)

    mx_state: Mapped[State] = relationship()
    clubs: Mapped[list[Club]] = relationship(back_populates="federation")


class Club(Base):
    """A hometown club and its current toma de nota; ``version`` guards concurrent edits."""

    __tablename__ = "clubs"
    __table_args__ = (
        CheckConstraint("members >= 0", name="members_not_negative"),
        CheckConstraint("toma_expires_on >= toma_issued_on", name="toma_dates_ordered"),
        CheckConstraint("substr(home_municipality_key, 1, 2) = home_state_key", name="home_in_state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    federation_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("federations.id"))
    name: Mapped[str] = mapped_column(String(200), index=True)
    toma_folio: Mapped[str] = mapped_column(String(60), unique=True)
    toma_issuer: Mapped[str] = mapped_column(String(200))
    toma_issued_on: Mapped[date] = mapped_column(Date)
    toma_expires_on: Mapped[date] = mapped_column(Date)
    members: Mapped[int] = mapped_column(Integer)
    # JSON list of "role: name" strings (the mesa directiva); read and written by the services ring.
    board: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    us_city: Mapped[str] = mapped_column(String(120))
    us_state: Mapped[str] = mapped_column(String(2))
    home_state_key: Mapped[str] = mapped_column(CHAR(2), ForeignKey("states.key"))
    home_municipality_key: Mapped[str] = mapped_column(String(5), ForeignKey("municipalities.key"))
    home_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    federation: Mapped[Federation | None] = relationship(back_populates="clubs")
    home_state: Mapped[State] = relationship()
    home_municipality: Mapped[Municipality] = relationship()

    # An UPDATE that finds another version raises StaleDataError instead of overwriting.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


# --- Rule sets and projects -------------------------------------------------------------------


class RuleSetRecord(Base):
    """A frozen copy of a rule set some project was computed under; rows are never updated."""

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("rule_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    program: Mapped[str] = mapped_column(String(40))
    # sha256 (hex) of ``body``, which is stored in canonical JSON form.
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="", server_default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)


class Project(Base):
    """A project request and its life; amounts in centavos MXN; ``version`` guards concurrent edits."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("beneficiaries >= 0", name="beneficiaries_not_negative"),
        CheckConstraint(_in_list("partner_mode", PARTNER_MODES), name="partner_mode_known"),
        CheckConstraint("partner_amount IS NULL OR partner_amount > 0", name="partner_amount_positive"),
        CheckConstraint("substr(municipality_key, 1, 2) = state_key", name="municipality_in_state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unique constraint's index also serves lookups and sorting by folio.
    folio: Mapped[str] = mapped_column(String(32), unique=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    program: Mapped[str] = mapped_column(String(40), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    club_id: Mapped[int] = mapped_column(Integer, ForeignKey("clubs.id"), index=True)
    state_key: Mapped[str] = mapped_column(CHAR(2), ForeignKey("states.key"))
    municipality_key: Mapped[str] = mapped_column(String(5), ForeignKey("municipalities.key"), index=True)
    locality: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # INEGI key of the locality (9 digits), "" when not known: the padrón and the SRFT report it.
    locality_key: Mapped[str] = mapped_column(String(9), default="", server_default="")
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    beneficiaries: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    cost: Mapped[int] = mapped_column(BigInteger)
    rule_set_pk: Mapped[int] = mapped_column(Integer, ForeignKey("rule_sets.id"))
    partner_mode: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    partner_amount: Mapped[int | None] = mapped_column(BigInteger)
    mix_override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The state's basis points of the joint state and municipal share, as agreed (NULL: the rule's default).
    joint_split_bp: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20), default="borrador", server_default="borrador", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow, onupdate=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer)

    club: Mapped[Club] = relationship()
    state: Mapped[State] = relationship()
    municipality: Mapped[Municipality] = relationship()
    rule_set: Mapped[RuleSetRecord] = relationship()
    shares: Mapped[list[ProjectShare]] = relationship(back_populates="project", cascade="all, delete-orphan")
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="project", order_by="StageChange.id"
    )
    cap_authorisations: Mapped[list[CapAuthorisationRecord]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="CapAuthorisationRecord.party"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ProjectShare(Base):
    """One party's computed share of a project: basis points of the cost and centavos."""

    __tablename__ = "project_shares"
    __table_args__ = (
        CheckConstraint(_in_list("party", PARTY_IDS), name="party_known"),
        CheckConstraint("percent_bp >= 0 AND percent_bp <= 10000", name="percent_bp_range"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), primary_key=True)
    party: Mapped[str] = mapped_column(String(10), primary_key=True)
    percent_bp: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    capped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    project: Mapped[Project] = relationship(back_populates="shares")


class StageChange(Base):
    """One move of a project from a stage to another: who, when (UTC) and why."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    # NULL for the first stage a project enters.
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    # Not named "user": that is a reserved word in PostgreSQL.
    changed_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")

    project: Mapped[Project] = relationship(back_populates="stage_changes")


# --- Money trail ------------------------------------------------------------------------------


class LedgerEntry(Base):
    """One append-only money movement of a project, signed centavos MXN.

    A USD contribution also keeps the dollars (USD centavos), the rate as decimal text, its date and
    source. A mistake is never edited: a ``reversal`` entry points at the entry it cancels, at most once.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(_in_list("kind", LEDGER_KINDS), name="kind_known"),
        CheckConstraint(f"party IS NULL OR {_in_list('party', PARTY_IDS)}", name="party_known"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        # A reversal names what it reverses, and only a reversal does.
        CheckConstraint(
            "(kind = 'reversal' AND reverses_id IS NOT NULL) OR (kind <> 'reversal' AND reverses_id IS NULL)",
            name="reversal_target",
        ),
        Index(
            "ix_ledger_entries_project_id_entry_date_id_amount", "project_id", "entry_date", "id", "amount"
        ),
        Index("ix_ledger_entries_kind_entry_date_id", "kind", "entry_date", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(10))
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    usd_amount: Mapped[int | None] = mapped_column(BigInteger)
    rate: Mapped[str | None] = mapped_column(String(20))
    rate_date: Mapped[date | None] = mapped_column(Date)
    rate_source: Mapped[str | None] = mapped_column(String(80))
    reference: Mapped[str] = mapped_column(String(120), default="", server_default="")
    payee_name: Mapped[str | None] = mapped_column(String(200))
    payee_rfc: Mapped[str | None] = mapped_column(String(13))
    concept: Mapped[str] = mapped_column(Text, default="", server_default="")
    # One CFDI backs at most one live payment (checked by the ledger service, which knows reversals):
    # once a payment is reversed, the corrected payment may cite the same invoice again.
    cfdi_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    reverses_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ledger_entries.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # A contribution above the party's outstanding share needs an authorisation with a reason.
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    authorised_by: Mapped[str] = mapped_column(String(80), default="", server_default="")

    project: Mapped[Project] = relationship()
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id])
    allocations: Mapped[list[LedgerAllocation]] = relationship(
        back_populates="entry", order_by="LedgerAllocation.id"
    )


class LedgerAllocation(Base):
    """The part of a ledger entry that concerns one party: signed centavos of that party's cash.

    An entry's allocation lines add up to the entry's amount; per-party balances are their sums.
    Rows are never updated or deleted (database triggers refuse it).
    """

    __tablename__ = "ledger_allocations"
    __table_args__ = (
        CheckConstraint(_in_list("party", PARTY_IDS), name="party_known"),
        UniqueConstraint("entry_id", "party"),
        Index("ix_ledger_allocations_party", "party"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer, ForeignKey("ledger_entries.id"))
    party: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)

    entry: Mapped[LedgerEntry] = relationship(back_populates="allocations")


class ExchangeRate(Base):
    """A USD->MXN rate for a date as decimal text (e.g. Banco de México FIX), with its source."""

    __tablename__ = "exchange_rates"

    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(80))


class FiscalYear(Base):
    """A fiscal year; once ``closed_at`` is set nothing dated in it may change."""

    __tablename__ = "fiscal_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    closed_by: Mapped[str | None] = mapped_column(String(80))


class Attachment(Base):
    """A document filed with a project or a ledger entry, copied into the data folder."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    ledger_entry_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ledger_entries.id"))
    kind: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255))
    # Relative to the user's data folder, so the folder can move with its database.
    stored_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # The attachment this one corrects (a wrong scan), and why; the replaced one stays on record.
    replaces_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("attachments.id"))
    replace_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class AttachmentContent(Base):
    """The bytes of a filed document, once per distinct file (keyed by its SHA-256).

    In the database so that every backup and every desk sharing it has the scans and CFDIs. Not in
    the audit trail (megabytes per row): ``check`` verifies each row's bytes against its key instead.
    """

    __tablename__ = "attachment_contents"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)


class AcceptedRuleFile(Base):
    """A rule file of the user's rules folder an administrador accepted: its name and exact content.

    A file in that folder takes effect only while its current sha256 is accepted here; changing the
    file makes it pending again (a new acceptance adds a row; rows are never changed).
    """

    __tablename__ = "accepted_rule_files"
    __table_args__ = (UniqueConstraint("file_name", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    accepted_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


class CapAuthorisationRecord(Base):
    """Leave for one party of a project to pay above its cap: who authorised it, why, the oficio.

    Without such a row no share may exceed its rule set's cap; ``cap`` and ``amount`` keep what the
    authorisation covered when it was recorded (amount > cap). Audited like every table.
    """

    __tablename__ = "cap_authorisations"
    __table_args__ = (
        UniqueConstraint("project_id", "party"),
        CheckConstraint("amount > cap", name="above_cap"),
        CheckConstraint(_in_list("party", PARTY_IDS), name="party_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"))
    party: Mapped[str] = mapped_column(String(10))
    cap: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    authorised_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(80), default="", server_default="")

    project: Mapped[Project] = relationship(back_populates="cap_authorisations")


class ReintegroExceptionRow(Base):
    """An administrador's recorded exception for one project's year-end federal reintegro, with why.

    Closing a fiscal year is refused while a project of it has unspent federal money (as of 31
    December) not refunded; one such row (per year and project) lets the year close all the same.
    """

    __tablename__ = "reintegro_exceptions"
    __table_args__ = (UniqueConstraint("fiscal_year", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    authorised_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


# --- Office settings --------------------------------------------------------------------------


class Setting(Base):
    """A key/value setting stored with the data (office name, municipality, logo path)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- COVAM sessions and physical progress -----------------------------------------------------


class CovamSession(Base):
    """A session of the Comité de Validación y Atención a Migrantes (COVAM)."""

    __tablename__ = "covam_sessions"
    __table_args__ = (
        CheckConstraint(_in_list("kind", ("ordinaria", "extraordinaria")), name="kind_known"),
        CheckConstraint("voting_members IS NULL OR voting_members >= 1", name="voting_members_positive"),
        CheckConstraint("called_on IS NULL OR called_on <= held_on", name="called_before_held"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The session's own number as written in its minutes, e.g. "1/2016" or "EXT-02/2017".
    number: Mapped[str] = mapped_column(String(40), unique=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="ordinaria", server_default="ordinaria")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # The day the committee was called (convocatoria); None for sessions recorded before 0013.
    called_on: Mapped[date | None] = mapped_column(Date)
    # Members of the committee with vote (the quorum's base); None: those with vote who attended.
    voting_members: Mapped[int | None] = mapped_column(Integer)
    # The priority criteria the committee applied, one per line, as the acta prints them.
    criteria: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The acta's version: 1 until a final acta is reopened with a reason; final_at set when printed final.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    version_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    final_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    final_by: Mapped[str] = mapped_column(String(80), default="", server_default="")

    attendees: Mapped[list[CovamAttendee]] = relationship(
        back_populates="session", order_by="CovamAttendee.id", cascade="all, delete-orphan"
    )
    agenda: Mapped[list[CovamAgendaItem]] = relationship(
        back_populates="session", order_by="CovamAgendaItem.id"
    )


class CovamAttendee(Base):
    """Someone present at a session, and which party they represent (``club`` for migrants)."""

    __tablename__ = "covam_attendees"
    __table_args__ = (
        CheckConstraint(_in_list("party", PARTY_IDS), name="party_known"),
        CheckConstraint(_in_list("role", COVAM_ROLES), name="role_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("covam_sessions.id"), index=True)
    party: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="", server_default="")
    role: Mapped[str] = mapped_column(String(20), default="vocal", server_default="vocal")
    has_vote: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    session: Mapped[CovamSession] = relationship(back_populates="attendees")


class CovamAgendaItem(Base):
    """A project on a session's agenda and, once ruled, the ruling, priority score and conditions."""

    __tablename__ = "covam_agenda"
    __table_args__ = (
        CheckConstraint(
            "ruling IS NULL OR " + _in_list("ruling", ("aprobado", "rechazado", "devuelto")),
            name="ruling_known",
        ),
        CheckConstraint("priority IS NULL OR (priority >= 0 AND priority <= 100)", name="priority_range"),
        CheckConstraint(
            "(votes_for IS NULL OR votes_for >= 0) AND (votes_against IS NULL OR votes_against >= 0) "
            "AND (abstentions IS NULL OR abstentions >= 0)",
            name="votes_not_negative",
        ),
        UniqueConstraint("session_id", "project_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("covam_sessions.id"))
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    ruling: Mapped[str | None] = mapped_column(String(12))
    priority: Mapped[int | None] = mapped_column(Integer)
    conditions: Mapped[str] = mapped_column(Text, default="", server_default="")
    ruled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    ruled_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    # The day the ruling takes effect: the session's date, whenever it was typed.
    effective_on: Mapped[date | None] = mapped_column(Date)

    session: Mapped[CovamSession] = relationship(back_populates="agenda")
    project: Mapped[Project] = relationship()


class ProgressReport(Base):
    """Physical progress of a project's works on a date, in tenths of a percent (0-1000)."""

    __tablename__ = "project_progress"
    __table_args__ = (
        CheckConstraint("percent_tenths >= 0 AND percent_tenths <= 1000", name="percent_range"),
        Index("ix_project_progress_project_id_reported_on", "project_id", "reported_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"))
    reported_on: Mapped[date] = mapped_column(Date)
    percent_tenths: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # Why the report was last corrected ("" never); the earlier values stay in the audit trail.
    correction: Mapped[str] = mapped_column(Text, default="", server_default="")


# --- Users ------------------------------------------------------------------------------------


class User(Base):
    """An officer who signs in: role, argon2id hash, and the lockout state (kept here to survive restarts)."""

    __tablename__ = "users"
    __table_args__ = (
        # One role or several joined by "+" ("administrador+capturista"); the services check each.
        CheckConstraint("role <> ''", name="roles_not_empty"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    role: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Naive UTC; the account refuses every sign-in, right password included, until then.
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    # The office whose jurisdiction the user works in; None: the whole database (see ``offices``).
    office_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("offices.id"))


# --- Audit trail ------------------------------------------------------------------------------


class AuditLogRow(Base):
    """One append-only audit record: who changed which row how, chained to the previous by a hash.

    See :mod:`tresxuno.domain.audit` for the chain; database triggers refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_in_list("action", ("insert", "update", "delete")), name="action_known"),
        Index("ix_audit_log_table_name_row_id", "table_name", "row_id"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(8))
    table_name: Mapped[str] = mapped_column(String(60))
    # Primary key of the row ("12", or "12/federal" when composite); NULL for a bulk insert.
    row_id: Mapped[str | None] = mapped_column(String(120))
    # The project or club the row belongs to ("projects:12"), so a history finds its children.
    subject: Mapped[str | None] = mapped_column(String(60), index=True)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(CHAR(64))
    hash: Mapped[str] = mapped_column(CHAR(64))


class AuditHead(Base):
    """The chain's last sequence number and hash, in one row locked by each writer (PostgreSQL)."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(CHAR(64))
    # The office key sealing the chain (see tresxuno.domain.audit.key_id) and its first sealed record.
    key_id: Mapped[str | None] = mapped_column(CHAR(16))
    keyed_since: Mapped[int | None] = mapped_column(BigInteger)


# --- Deposit calendar and stage gates ---------------------------------------------------------

#: What makes a tranche (ministración) due: the convenio's signature, a date, or physical progress.
TRIGGER_KINDS: tuple[str, ...] = ("firma", "fecha", "avance")


class Ministracion(Base):
    """One tranche of a party's deposits to a project: centavos MXN and what makes it due."""

    __tablename__ = "ministraciones"
    __table_args__ = (
        CheckConstraint(_in_list("party", PARTY_IDS), name="party_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(_in_list("trigger", TRIGGER_KINDS), name="trigger_known"),
        CheckConstraint(
            "progress_percent IS NULL OR (progress_percent >= 1 AND progress_percent <= 100)",
            name="percent_range",
        ),
        UniqueConstraint("project_id", "party", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    party: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    trigger: Mapped[str] = mapped_column(String(8))
    due_date: Mapped[date | None] = mapped_column(Date)
    progress_percent: Mapped[int | None] = mapped_column(Integer)


class StageGateException(Base):
    """An administrador's authorisation, with its reason, to pass a stage gate whose conditions fail."""

    __tablename__ = "stage_gate_exceptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    # The stage the exception lets the project enter (e.g. "en_ejecucion").
    gate: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    authorised_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


# --- Convenios modificatorios -----------------------------------------------------------------


class ProjectAmendment(Base):
    """A convenio modificatorio: a signed project's cost changed, why, who authorised it, when signed.

    Numbered 1, 2... per project; with its :class:`ProjectAmendmentShare` rows (each party before
    and after) every version of the convenio can be rebuilt. Audited like every table.
    """

    __tablename__ = "project_amendments"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("cost > 0 AND previous_cost > 0", name="cost_positive"),
        CheckConstraint("cost <> previous_cost", name="cost_changed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[date] = mapped_column(Date)
    previous_cost: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    authorised_by: Mapped[str] = mapped_column(String(200))
    document_reference: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")

    shares: Mapped[list[ProjectAmendmentShare]] = relationship(
        back_populates="amendment", cascade="all, delete-orphan"
    )


class ProjectAmendmentShare(Base):
    """One party's share before and after an amendment (``project_id`` files it in the project's history)."""

    __tablename__ = "project_amendment_shares"
    __table_args__ = (
        CheckConstraint(_in_list("party", PARTY_IDS), name="party_known"),
        CheckConstraint("previous_amount >= 0 AND amount >= 0", name="amounts_not_negative"),
    )

    amendment_id: Mapped[int] = mapped_column(Integer, ForeignKey("project_amendments.id"), primary_key=True)
    party: Mapped[str] = mapped_column(String(10), primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"))
    previous_percent_bp: Mapped[int] = mapped_column(Integer)
    previous_amount: Mapped[int] = mapped_column(BigInteger)
    percent_bp: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)

    amendment: Mapped[ProjectAmendment] = relationship(back_populates="shares")


# --- Contraloría social ---------------------------------------------------------------------


class SocialCommittee(Base):
    """A project's contraloría social committee: the day it was constituted; ``version`` guards edits."""

    __tablename__ = "social_committees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), unique=True)
    constituted_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer)

    members: Mapped[list[SocialCommitteeMember]] = relationship(
        back_populates="committee", cascade="all, delete-orphan", order_by="SocialCommitteeMember.seat"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SocialCommitteeMember(Base):
    """One member of a committee, in signing order (``project_id`` files it in the project's history)."""

    __tablename__ = "social_committee_members"
    __table_args__ = (
        UniqueConstraint("committee_id", "seat"),
        CheckConstraint(_in_list("position", ("presidente", "secretario", "vocal")), name="position_known"),
        CheckConstraint(_in_list("sex", ("M", "H", "")), name="sex_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(Integer, ForeignKey("social_committees.id"), index=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"))
    seat: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(12))
    sex: Mapped[str] = mapped_column(String(1), default="", server_default="")

    committee: Mapped[SocialCommittee] = relationship(back_populates="members")


class SocialCommitteeRecord(Base):
    """A committee's minutes (acta) or report (informe), as filed; never edited (a new one corrects)."""

    __tablename__ = "social_committee_records"
    __table_args__ = (CheckConstraint(_in_list("kind", ("acta", "informe")), name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(Integer, ForeignKey("social_committees.id"), index=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(10))
    held_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


# --- Officials over time and COVAM acta versions ------------------------------------------


class Official(Base):
    """Who held a post from one date to another (``ends_on`` None: still in office).

    Documents name the holder on their own date (:func:`tresxuno.services.officials.officials_on`),
    so a 2017 acta signed by last year's presidente municipal never prints today's.
    """

    __tablename__ = "officials"
    __table_args__ = (
        CheckConstraint(_in_list("post", OFFICIAL_POSTS), name="post_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post: Mapped[str] = mapped_column(String(30), index=True)
    person_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    institution: Mapped[str] = mapped_column(String(200), default="", server_default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # The registered office it belongs to; None: this database's own office (see ``offices``).
    office_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("offices.id"))


class PostTitle(Base):
    """The institution a post belongs to in a period (the SEDESOL delegation until 2018, Bienestar after)."""

    __tablename__ = "post_titles"
    __table_args__ = (
        CheckConstraint(_in_list("post", OFFICIAL_POSTS), name="post_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post: Mapped[str] = mapped_column(String(30))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    institution_es: Mapped[str] = mapped_column(String(200))
    institution_en: Mapped[str] = mapped_column(String(200))


class CovamSessionVersion(Base):
    """A final version of a COVAM acta, frozen: its content as printed (JSON), when and by whom."""

    __tablename__ = "covam_session_versions"
    __table_args__ = (
        UniqueConstraint("session_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, ForeignKey("covam_sessions.id"))
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    snapshot: Mapped[str] = mapped_column(Text)
    final_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    final_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


class ClubToma(Base):
    """One toma de nota a club held, kept when it is renewed (``clubs`` holds only the current one).

    Documents print the toma valid on their own date (:func:`tresxuno.services.tomas.toma_on`), so a
    2017 project's cédula shows the toma the club had in 2017, not its 2023 renewal.
    """

    __tablename__ = "club_tomas"
    __table_args__ = (
        UniqueConstraint("club_id", "folio", "issued_on"),
        CheckConstraint("expires_on >= issued_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    club_id: Mapped[int] = mapped_column(Integer, ForeignKey("clubs.id"), index=True)
    folio: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


class ProjectConvenioTerms(Base):
    """What a project's convenio states beyond the money: account, modality, contractor, partner."""

    __tablename__ = "project_convenio_terms"
    __table_args__ = (
        CheckConstraint("modality IN ('', 'contrato', 'administracion_directa')", name="modality_known"),
    )

    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), primary_key=True)
    clabe: Mapped[str] = mapped_column(String(18), default="", server_default="")
    bank: Mapped[str] = mapped_column(String(120), default="", server_default="")
    account_holder: Mapped[str] = mapped_column(String(200), default="", server_default="")
    modality: Mapped[str] = mapped_column(String(24), default="", server_default="")
    contractor_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contractor_rfc: Mapped[str] = mapped_column(String(13), default="", server_default="")
    partner_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    partner_representative: Mapped[str] = mapped_column(String(200), default="", server_default="")
    partner_rfc: Mapped[str] = mapped_column(String(13), default="", server_default="")
    partner_domicile: Mapped[str] = mapped_column(String(300), default="", server_default="")


class ProjectGoal(Base):
    """One goal (meta) of a project, in its convenio's order; quantity in thousandths of ``unit``."""

    __tablename__ = "project_goals"
    __table_args__ = (
        UniqueConstraint("project_id", "position"),
        CheckConstraint("quantity_milli > 0", name="quantity_positive"),
        CheckConstraint("beneficiaries >= 0", name="beneficiaries_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40))
    beneficiaries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# --- Padrón de beneficiarios ------------------------------------------------------------------


class ProjectBeneficiary(Base):
    """A person a project benefits (a scholarship student, a member of a productive project's family).

    Personal data: read through :mod:`tresxuno.services.beneficiaries`, which asks for the role that
    may see it; the public padrón never carries the CURP, and names only of adults.
    """

    __tablename__ = "project_beneficiaries"
    __table_args__ = (
        UniqueConstraint("project_id", "curp"),
        CheckConstraint("sex IN ('H', 'M', 'X')", name="sex_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    given_names: Mapped[str] = mapped_column(String(200))
    first_surname: Mapped[str] = mapped_column(String(200))
    second_surname: Mapped[str] = mapped_column(String(200), default="", server_default="")
    curp: Mapped[str] = mapped_column(String(18))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    locality: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # A scholarship student's level (``primary``...): which amount of the rule set they receive.
    school_level: Mapped[str] = mapped_column(String(20), default="", server_default="")


# --- Cédula de validación técnica -----------------------------------------------------------------


class TechnicalValidation(Base):
    """One scoring of a project's technical file against the criteria of its year (a cédula).

    A project scored again (after it was returned and corrected) gets a new row: the cédula prints
    the latest, the history keeps every one.
    """

    __tablename__ = "technical_validations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id"), index=True)
    validated_on: Mapped[date] = mapped_column(Date)
    validator_name: Mapped[str] = mapped_column(String(200))
    validator_post: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The id of the criteria set of ``seeds/validation.toml`` used (criteria change by year).
    criteria_set: Mapped[str] = mapped_column(String(40))
    observations: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


class TechnicalValidationScore(Base):
    """The points a validation gave one criterion, with the validator's note."""

    __tablename__ = "validation_scores"
    __table_args__ = (
        UniqueConstraint("validation_id", "criterion"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    validation_id: Mapped[int] = mapped_column(Integer, ForeignKey("technical_validations.id"), index=True)
    criterion: Mapped[str] = mapped_column(String(40))
    points: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")


# --- Offices and jurisdictions ------------------------------------------------------------------

#: What an office is: one municipality's, or a state's (its whole state or a set of municipalities).
OFFICE_KINDS: tuple[str, ...] = ("municipal", "state")


class Office(Base):
    """An office sharing the database: its letterhead and, through its municipalities, its jurisdiction.

    A municipal office lists its one municipality in ``office_municipalities``; a state office lists
    the ones it covers, or none for its whole state. ``db_role`` is the PostgreSQL role its desks
    connect as, which row-level security confines to the same jurisdiction (None: not confined).
    """

    __tablename__ = "offices"
    __table_args__ = (CheckConstraint(_in_list("kind", OFFICE_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A short key officers type at the command line ("jerez", "zac-estatal").
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    state_key: Mapped[str] = mapped_column(CHAR(2), ForeignKey("states.key"))
    rfc: Mapped[str] = mapped_column(String(13), default="", server_default="")
    # Where its documents are signed ("Jerez de García Salinas, Zacatecas").
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    db_role: Mapped[str | None] = mapped_column(String(63), unique=True)
    # Hex Ed25519 public key its consolidation packages are signed with (None: it sends none).
    public_key: Mapped[str | None] = mapped_column(String(64))
    # Its letterhead's logo (PNG or JPEG bytes), in the database so every desk prints the same.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer)

    municipalities: Mapped[list[OfficeMunicipality]] = relationship(
        back_populates="office", cascade="all, delete-orphan", order_by="OfficeMunicipality.municipality_key"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class OfficeMunicipality(Base):
    """A municipality in an office's jurisdiction."""

    __tablename__ = "office_municipalities"

    office_id: Mapped[int] = mapped_column(Integer, ForeignKey("offices.id"), primary_key=True)
    municipality_key: Mapped[str] = mapped_column(
        String(5), ForeignKey("municipalities.key"), primary_key=True
    )

    office: Mapped[Office] = relationship(back_populates="municipalities")


# --- Consolidation of offices working on their own files ----------------------------------------


class Consolidation(Base):
    """A package of one office's changes imported here: the stretch of its trail it carried."""

    __tablename__ = "consolidations"
    __table_args__ = (
        UniqueConstraint("office_id", "to_seq"),
        CheckConstraint("to_seq >= from_seq", name="seq_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(Integer, ForeignKey("offices.id"))
    # The office's database (a UUID it made once), so two files of one office are never mixed.
    source_id: Mapped[str] = mapped_column(String(36))
    from_seq: Mapped[int] = mapped_column(BigInteger)
    to_seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(CHAR(64))
    package_sha256: Mapped[str] = mapped_column(CHAR(64))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(80), default="", server_default="")


class ConsolidatedRow(Base):
    """Which row here holds a row of an office's file (table, id there -> id here)."""

    __tablename__ = "consolidated_rows"

    office_id: Mapped[int] = mapped_column(Integer, ForeignKey("offices.id"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    origin_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    local_id: Mapped[str] = mapped_column(String(120))


class ConsolidationConflict(Base):
    """A record of a package that met another version here: both versions, and which one stands."""

    __tablename__ = "consolidation_conflicts"
    __table_args__ = (CheckConstraint("decision IN ('theirs', 'ours')", name="decision_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consolidation_id: Mapped[int] = mapped_column(Integer, ForeignKey("consolidations.id"))
    table_name: Mapped[str] = mapped_column(String(60))
    origin_id: Mapped[str] = mapped_column(String(120))
    local_id: Mapped[str] = mapped_column(String(120), default="", server_default="")
    reason: Mapped[str] = mapped_column(String(40))
    theirs: Mapped[str] = mapped_column(Text)
    ours: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10))
