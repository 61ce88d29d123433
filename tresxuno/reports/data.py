"""The plain data printed reports are drawn from: frozen dataclasses, no database, no Qt.

Builders (:mod:`tresxuno.services.reporting`) fill them from the database; renderers
(:mod:`tresxuno.reports.pdf`) draw them. Everything here is language-neutral: parties, kinds,
stages and categories are ids, dates are dates, amounts are integer centavos MXN unless a field
says otherwise; renderers translate and format when they draw, in the language in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from tresxuno.domain.audit import ChainHead
from tresxuno.domain.convenio import ConvenioTerms, PartyDeclaration
from tresxuno.domain.goals import Goal
from tresxuno.domain.quorum import Quorum
from tresxuno.domain.records import CapAuthorisationLine

# --- shared by every report -----------------------------------------------------------------------


@dataclass(frozen=True)
class Letterhead:
    """Who prints: the office's name, its municipality and its logo (from the office settings).

    Attributes:
        office_name: as printed at the top ("" when the office was never set up).
        municipality: "Jerez, Zacatecas" ("" when unset or unknown).
        logo_path: absolute path of the logo; "" for none. The renderer draws it only if the
            file exists when it draws.
    """

    office_name: str = ""
    municipality: str = ""
    logo_path: str = ""
    #: Printed under the office's lines when the document is about a project outside its jurisdiction.
    note: str = ""


@dataclass(frozen=True)
class PrintStamp:
    """When and by whom a report was printed, and the audit chain's head then (every page's footer).

    ``head`` lets an auditor run ``tresxuno check --anchor HASH`` on the printed hash later; None
    (no line) only for documents drawn without a database (tests, previews of samples).
    """

    printed_at: datetime
    printed_by: str
    head: ChainHead | None = None


@dataclass(frozen=True)
class ProgramName:
    """A programme's id and its display names."""

    id: str
    name_es: str
    name_en: str

    def name(self, lang: str) -> str:
        """The name in ``lang`` (``es`` or ``en``); the id when unnamed."""
        return (self.name_en if lang == "en" else self.name_es) or self.id


@dataclass(frozen=True)
class ClubData:
    """The club, its toma de nota and its federation, as reports print them."""

    id: int
    name: str
    toma_folio: str
    toma_issuer: str
    toma_issued_on: date
    toma_expires_on: date
    federation_name: str
    us_city: str
    us_state: str
    home_contact: str
    board: tuple[str, ...] = ()

    @property
    def representative(self) -> tuple[str, str]:
        """(role, name) of the first board member ("Presidenta: Mónica Gómez"); ("", "") if none."""
        if not self.board:
            return "", ""
        first = self.board[0]
        role, sep, name = first.partition(":")
        return (role.strip(), name.strip()) if sep else ("", first.strip())


@dataclass(frozen=True)
class OfficialLine:
    """Who held a post on a document's date, as the document prints it.

    ``post_label`` is already translated; ``institution`` is the one valid that day (the federal
    delegation: SEDESOL until 2018, Secretaría de Bienestar from 2019), "" when not recorded.
    """

    post: str
    post_label: str
    name: str
    title: str
    institution: str = ""


@dataclass(frozen=True)
class ProjectHead:
    """The project data every project-level report repeats."""

    id: int
    folio: str
    name: str
    program: ProgramName
    fiscal_year: int
    category: str
    stage: str
    state_name: str
    municipality_name: str
    locality: str
    description: str
    beneficiaries: int
    cost: int


@dataclass(frozen=True)
class MixLine:
    """One party's share: percent in basis points (2500 = 25.00 %), amount, and its cap if capped.

    ``cap`` is the cap in force for the project's fiscal year when the share is capped, else None.
    """

    party: str
    percent_bp: int
    amount: int
    capped: bool = False
    cap: int | None = None


@dataclass(frozen=True)
class PartyMoney:
    """One party's money in a project (from ``project_balance``), centavos MXN."""

    party: str
    approved: int
    received: int
    outstanding: int
    paid: int
    refunded: int
    cash: int
    over_received: int = 0


# --- 1. project sheet (cédula) --------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSetData:
    """The rule set a project's shares were computed under, and where its figures come from."""

    id: str
    version: int
    source: str
    verified: bool


@dataclass(frozen=True)
class StageLine:
    """One move in the stage history (``from_stage`` is None for the first)."""

    changed_at: datetime
    from_stage: str | None
    to_stage: str
    changed_by: str
    comment: str


@dataclass(frozen=True)
class ProgressLine:
    """One physical progress report: percent in tenths (455 = 45.5 %)."""

    reported_on: date
    percent_tenths: int
    note: str


@dataclass(frozen=True)
class ProjectSheet:
    """Everything the cédula del proyecto prints.

    Invariants: ``sum(m.amount for m in mix) == project.cost``; ``money`` holds every party of
    the mix (and any other with entries), in party order; ``cash`` is the project's cash on hand.
    """

    letterhead: Letterhead
    stamp: PrintStamp
    project: ProjectHead
    club: ClubData
    mix: tuple[MixLine, ...]
    partner_mode: str
    partner_amount: int | None
    mix_override_reason: str
    rule_set: RuleSetData
    history: tuple[StageLine, ...]
    progress: tuple[ProgressLine, ...]
    money: tuple[PartyMoney, ...]
    cash: int
    #: The state's basis points of the joint state and municipal share as agreed (None: the default).
    joint_split_bp: int | None = None
    #: Recorded leave for a share above its cap: who authorised it, why, and the oficio.
    cap_authorisations: tuple[CapAuthorisationLine, ...] = ()
    #: The convenio modificatorio in force (the cost and mix printed are its amounts); None: never amended.
    amendment: AmendmentNote | None = None
    #: The project's date (its request), which the toma de nota and the officials printed are valid on.
    as_of: date | None = None
    #: Those in office on ``as_of``.
    officials: tuple[OfficialLine, ...] = ()


@dataclass(frozen=True)
class AmendmentNote:
    """The convenio modificatorio whose amounts a report prints: which one, when, why, who authorised it."""

    number: int
    signed_on: date
    previous_cost: int
    cost: int
    reason: str
    authorised_by: str
    document_reference: str = ""


# --- 2. agreement (convenio de concertación) -------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    """One party to the agreement: who it is, its amount, and who signs for it.

    Attributes:
        party: the party id (``municipal``, ``state``, ``federal``, ``club``, ``partner``).
        name: the proper name the renderer phrases by party: the municipality ("Jerez,
            Zacatecas"), the state ("Zacatecas"), the federal agency, the club; "" when unknown
            (the partner's name is not recorded: a line to fill in by hand is printed).
        signer_name: who signs, "" to leave the line blank for a handwritten name.
        signer_role: the signer's role ("Presidenta"), "" for none.
        amount: its contribution, centavos MXN (0 for a party without a share that still signs).
        percent_bp: its percent of the cost, basis points.
    """

    party: str
    name: str
    signer_name: str
    signer_role: str
    amount: int
    percent_bp: int


@dataclass(frozen=True)
class Agreement:
    """Everything the convenio de concertación prints.

    Invariant: ``sum(s.amount for s in signatories) == project.cost``.

    Attributes:
        approved_on: day the COVAM approved the project (None if not recorded).
        signed_on: day the agreement was signed (the move to ``convenio_firmado``); None when not
            signed yet, and the date is then left blank to fill in by hand.
        deposit_days: calendar days after signing within which every party deposits its share.
        deposit_deadline: ``signed_on + deposit_days``, but never after 31 December of the fiscal
            year; None while the agreement is not signed.
        place: where it is signed ("Jerez, Zacatecas": the project's municipality).
    """

    letterhead: Letterhead
    stamp: PrintStamp
    project: ProjectHead
    club: ClubData
    signatories: tuple[Signatory, ...]
    approved_on: date | None
    signed_on: date | None
    deposit_days: int
    deposit_deadline: date | None
    place: str
    #: The convenio modificatorio in force (the cost and contributions printed are its amounts).
    amendment: AmendmentNote | None = None
    #: What the governments declare (office settings), by party id; missing parties print blanks.
    declarations: tuple[PartyDeclaration, ...] = ()
    #: The project's account, modality, contractor and partner.
    terms: ConvenioTerms = field(default_factory=ConvenioTerms)
    #: The goals (metas), in order.
    goals: tuple[Goal, ...] = ()
    #: The calendar of ministraciones (stored, or the default one).
    calendar: tuple[CalendarLine, ...] = ()
    #: The fiscal year's Reglas de Operación as the rule set cites them (title, DOF date), by
    #: language: ``(("es", ...), ("en", ...))``; keys ``source-es``/``source-en`` hold the rule set's
    #: source instead when it names no document for the year.
    rop_citation: tuple[tuple[str, str], ...] = ()

    def declaration(self, party: str) -> PartyDeclaration:
        """The declaration of ``party`` (blank when the office never recorded it)."""
        return next((d for d in self.declarations if d.party == party), PartyDeclaration(party))

    def rop(self, lang: str) -> str:
        """The Reglas de Operación cited (title and DOF date), in ``lang``; "" when the rule set names none."""
        return dict(self.rop_citation).get(lang, "")

    def rule_source(self, lang: str) -> str:
        """Where the rule set says its figures come from, when it names no Reglas de Operación."""
        return dict(self.rop_citation).get(f"source-{lang}", "")

    @property
    def has_federal(self) -> bool:
        """Whether federal money is in the mix (then unspent federal money goes back to the TESOFE)."""
        return any(s.party == "federal" and s.amount > 0 for s in self.signatories)


# --- 3. statement of account -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementEntry:
    """One ledger entry as the statement prints it (signed amount; running balance after it).

    Slotted: a national statement holds 100,000 of them, a fifth of the memory with a ``__dict__``.
    """

    id: int
    entry_date: date
    kind: str
    party: str | None
    concept: str
    payee_name: str
    payee_rfc: str
    reference: str
    cfdi_uuid: str
    reason: str
    amount: int
    running_balance: int
    reverses_id: int | None = None
    usd_amount: int | None = None


@dataclass(frozen=True)
class RateLine:
    """An exchange rate a USD contribution used: dollars (cents), rate, its date and source, pesos."""

    entry_id: int
    entry_date: date
    party: str
    usd_amount: int
    rate: str
    rate_date: date | None
    rate_source: str
    amount: int


@dataclass(frozen=True)
class CalendarLine:
    """One tranche of the deposit calendar (*ministración*) and where it stands on the cut-off day.

    ``trigger`` is ``firma`` (on signing), ``fecha`` (on ``due_date``) or ``avance`` (at
    ``progress_percent`` % physical progress); ``due_on`` is when it fell due (None: not yet, or unknown).
    """

    party: str
    number: int
    trigger: str
    due_date: date | None
    progress_percent: int | None
    due: bool
    due_on: date | None
    amount: int
    received: int
    pending: int
    overdue_days: int


@dataclass(frozen=True)
class Statement:
    """A project's statement of account.

    Invariants: entries are in statement order (date, then id); each ``running_balance`` is the
    previous one plus the entry's amount; the last one equals ``cash``; ``total_in - total_out ==
    cash``; the party lines are ``project_balance``'s.
    """

    letterhead: Letterhead
    stamp: PrintStamp
    project: ProjectHead
    club_name: str
    entries: tuple[StatementEntry, ...]
    money: tuple[PartyMoney, ...]
    rates: tuple[RateLine, ...]
    cash: int
    total_in: int = field(default=0)
    total_out: int = field(default=0)
    #: The deposit calendar with each tranche's status (empty before the convenio is signed).
    calendar: tuple[CalendarLine, ...] = field(default=())


# --- 4. receipt ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """A bilingual receipt for one contribution (``amount`` credited in MXN; USD fields optional).

    Attributes:
        number: the receipt's number as printed ("R-0000123": the entry id).
        contributor: who deposited: the club's name for the club's deposits, "" for another party
            (the renderer then prints the party's name).
        club: the project's club.
        usd_amount: dollars in cents, None for a deposit in pesos; then rate fields are None/"".
        received_by: who recorded the deposit (the receiving officer's login).
        reversed: the entry was cancelled by a reversal afterwards (printed as a warning).
    """

    letterhead: Letterhead
    stamp: PrintStamp
    number: str
    entry_id: int
    entry_date: date
    party: str
    contributor: str
    club: ClubData
    project: ProjectHead
    amount: int
    usd_amount: int | None
    rate: str
    rate_date: date | None
    rate_source: str
    reference: str
    received_by: str
    reversed: bool = False


# --- 5. minutes of a COVAM session (acta de sesión) ------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    """Someone present at a session, by the party they represent (``club``: the migrants' members).

    ``role``: presidente, secretario_tecnico, vocal or invitado; ``has_vote``: whether they vote (and sign).
    """

    party: str
    name: str
    position: str
    role: str = "vocal"
    has_vote: bool = True


@dataclass(frozen=True)
class PartyAmount:
    """One party's amount, centavos MXN."""

    party: str
    amount: int


@dataclass(frozen=True)
class AgendaProject:
    """One project on a session's agenda with its shares and the committee's ruling.

    Attributes:
        number: its place on the agenda, from 1.
        shares: each party's share of the cost, in party order (they add up to ``cost``).
        ruling: ``aprobado``, ``rechazado`` or ``devuelto``; None while not ruled.
        priority: the committee's priority score 0-100; None when none was given.
    """

    number: int
    project_id: int
    folio: str
    name: str
    club_name: str
    municipality_name: str
    state_name: str
    cost: int
    shares: tuple[PartyAmount, ...]
    ruling: str | None
    priority: int | None
    conditions: str
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    #: The day the ruling takes effect: the session's date.
    effective_on: date | None = None


@dataclass(frozen=True)
class Representation:
    """One represented party at the COVAM: how many attended and how many of them vote.

    ``label``: the institution it stood for on the session's date when a rule by date names it (the
    federal delegation: SEDESOL until 2018, Bienestar from 2019), in the printing language; "" to
    print the party's generic name.
    """

    party: str
    label: str
    present: int
    voters: int


@dataclass(frozen=True)
class SessionMinutes:
    """Everything the minutes of a COVAM session print.

    Invariant: ``approved`` holds, per party in party order, the sum of the shares of the
    projects ruled ``aprobado`` (every party with a share in one of them, zeros included).
    """

    letterhead: Letterhead
    stamp: PrintStamp
    session_id: int
    number: str
    held_on: date
    place: str
    kind: str
    notes: str
    attendees: tuple[Attendee, ...]
    agenda: tuple[AgendaProject, ...]
    approved: tuple[PartyAmount, ...]
    #: The day the committee was called (convocatoria); None when not recorded.
    called_on: date | None = None
    #: The committee by represented party, in protocol order.
    composition: tuple[Representation, ...] = ()
    #: The quorum from the attendance; None only for minutes drawn without one (samples).
    quorum: Quorum | None = None
    criteria: tuple[str, ...] = ()
    version: int = 1
    version_reason: str = ""
    #: Whether this version was printed as final (otherwise the acta prints as a draft).
    final: bool = False

    def holder(self, role: str) -> Attendee | None:
        """The attendee in ``role`` (presidente, secretario_tecnico), if recorded."""
        return next((a for a in self.attendees if a.role == role), None)

    def representation(self, party: str) -> str:
        """Whom a party's attendees represent, as the composition names it ("" when not listed)."""
        return next((r.label for r in self.composition if r.party == party), "")

    @property
    def approved_total(self) -> int:
        """All the money the session approved."""
        return sum(p.amount for p in self.approved)


# --- 6. quarterly progress report (informe trimestral) --------------------------------------------


@dataclass(frozen=True)
class PartyFlow:
    """One party's money, centavos MXN: share approved, received, paid and refunded (positive)."""

    party: str
    approved: int
    received: int
    paid: int
    refunded: int = 0


@dataclass(frozen=True)
class QuarterLine:
    """One project's line: stage and physical percent (tenths, None: not reported) at the quarter's end."""

    id: int
    folio: str
    name: str
    stage: str
    percent_tenths: int | None
    money: tuple[PartyFlow, ...]
    goals: tuple[Goal, ...] = ()


@dataclass(frozen=True)
class MunicipalityBlock:
    """The projects of one municipality and their subtotals per party (in party order)."""

    key: str
    name: str
    projects: tuple[QuarterLine, ...]
    totals: tuple[PartyFlow, ...]


@dataclass(frozen=True)
class QuarterlyReport:
    """Everything the quarterly report prints.

    Invariants: each block's ``totals`` are the sums of its projects' money per party; ``totals``
    are the sums of the blocks' totals; ``municipality_key`` is None for a report of every municipality.
    """

    letterhead: Letterhead
    stamp: PrintStamp
    year: int
    quarter: int
    first_day: date
    last_day: date
    municipality_key: str | None
    municipality_name: str
    blocks: tuple[MunicipalityBlock, ...]
    totals: tuple[PartyFlow, ...]
    signatories: tuple[OfficialLine, ...] = ()

    @property
    def project_count(self) -> int:
        """How many projects the report lists."""
        return sum(len(b.projects) for b in self.blocks)


# --- 7. fiscal year summary (resumen del ejercicio) -----------------------------------------------


@dataclass(frozen=True)
class SummaryGroup:
    """One row of a summary table, centavos MXN.

    ``key`` is the id (category, INEGI key, programme, party); ``name`` and ``name_en`` the
    display names when the id is not translated by the renderer (municipalities, programmes).
    """

    key: str
    projects: int
    approved: int
    received: int
    paid: int
    refunded: int
    name: str = ""
    name_en: str = ""
    #: Deposited beyond the approved share and still owed of it, summed per project (never netted
    #: across projects); filled for the party groups, zero for the others.
    over_received: int = 0
    outstanding: int = 0

    @property
    def available(self) -> int:
        """*Disponible*: deposited less paid less refunded."""
        return self.received - self.paid - self.refunded

    def label(self, lang: str) -> str:
        """The display name in ``lang`` (the id when there is none)."""
        return (self.name_en if lang == "en" and self.name_en else self.name) or self.key


@dataclass(frozen=True)
class YearSummary:
    """Everything the year's summary prints.

    Invariants: the approved, received, paid and refunded sums of ``by_category``,
    ``by_municipality``, ``by_program`` and ``by_party`` are equal (the same money grouped four
    ways); the project counts of the first three sum to ``projects``; a party's count is the
    number of projects it takes part in.
    """

    letterhead: Letterhead
    stamp: PrintStamp
    year: int
    municipality_key: str | None
    municipality_name: str
    projects: int
    by_category: tuple[SummaryGroup, ...]
    by_municipality: tuple[SummaryGroup, ...]
    by_program: tuple[SummaryGroup, ...]
    by_party: tuple[SummaryGroup, ...]

    @property
    def total(self) -> SummaryGroup:
        """The totals row (project count of the year; money summed over the parties)."""
        rows = self.by_party
        return SummaryGroup(
            "total",
            self.projects,
            sum(g.approved for g in rows),
            sum(g.received for g in rows),
            sum(g.paid for g in rows),
            sum(g.refunded for g in rows),
            over_received=sum(g.over_received for g in rows),
            outstanding=sum(g.outstanding for g in rows),
        )


# --- 8. hand-over of finished works (acta de entrega-recepción) ------------------------------------


@dataclass(frozen=True)
class CommitteeMember:
    """A member of the community committee who signs the hand-over: role id and name ("" = blank line).

    Roles: ``president``, ``secretary``, ``treasurer``.
    """

    role: str
    name: str = ""


@dataclass(frozen=True)
class Handover:
    """Everything the acta de entrega-recepción of a finished work prints.

    Attributes:
        signed_on, started_on, finished_on: the last moves to ``convenio_firmado``,
            ``en_ejecucion`` and ``terminado`` in the stage history (None when missing: a blank).
        progress_tenths: the last physical progress reported (1000 = 100 %), None when none.
        progress_on: the day of that report.
        money: each party's money from ``project_balance``, in party order.
        cash: money not spent (the project's cash on hand).
        signatories: who signs for the parties (the municipality first); amounts are the shares.
        committee: the community committee's president, secretary and treasurer.
        place: "Jerez, Zacatecas": the project's municipality.
    """

    letterhead: Letterhead
    stamp: PrintStamp
    project: ProjectHead
    club: ClubData
    signed_on: date | None
    started_on: date | None
    finished_on: date | None
    progress_tenths: int | None
    progress_on: date | None
    money: tuple[PartyMoney, ...]
    cash: int
    signatories: tuple[Signatory, ...]
    committee: tuple[CommitteeMember, ...]
    place: str


# --- contraloría social: the committee's constitution act and its report form ------------------------


@dataclass(frozen=True)
class CommitteeSeat:
    """A member of the contraloría social committee: name, position id, sex ("M", "H" or "")."""

    name: str
    position: str
    sex: str = ""


@dataclass(frozen=True)
class CommitteeFiling:
    """A filed minutes (``acta``) or report (``informe``) of the committee."""

    kind: str
    held_on: date
    summary: str
    findings: str = ""


@dataclass(frozen=True)
class SocialCommitteeDocument:
    """Everything the committee's constitution act and its report form print.

    Attributes:
        money: each party's approved share (what the committee watches), in party order.
        constituted_on: the day the committee was constituted.
        members: in signing order (the president first).
        filings: what it filed, oldest first (printed as an annex of the act).
        place: "Jerez, Zacatecas".
    """

    letterhead: Letterhead
    stamp: PrintStamp
    project: ProjectHead
    club: ClubData
    money: tuple[PartyMoney, ...]
    constituted_on: date
    members: tuple[CommitteeSeat, ...]
    filings: tuple[CommitteeFiling, ...]
    place: str


# --- category acts: scholarships and productive projects (issue 14) ------------------------------------


@dataclass(frozen=True)
class StudentLine:
    """A scholarship student as the acta and their receipt print them: name, CURP, level id, amount."""

    name: str
    curp: str
    level: str
    amount: int


@dataclass(frozen=True)
class DeliveryAct:
    """The act that closes a scholarship or productive project instead of the works' hand-over.

    Attributes:
        kind: ``scholarships`` (the acta de entrega de becas and a receipt per student) or
            ``goods`` (the acta de entrega de bienes of a productive project).
        delivered_on: the day it was finished (the last move to ``terminado``), None: a blank.
        goods: what a productive project delivers (its goals: quantity, unit, people served).
        students: each scholarship student with the amount their level gets in the project's rules.
        families: the persons of a productive project's padrón (each signs as received).
        money: each party's money from ``project_balance``; ``cash`` what was not spent.
    """

    letterhead: Letterhead
    stamp: PrintStamp
    project: ProjectHead
    club: ClubData
    kind: str
    signed_on: date | None
    delivered_on: date | None
    goods: tuple[Goal, ...]
    students: tuple[StudentLine, ...]
    families: tuple[str, ...]
    money: tuple[PartyMoney, ...]
    cash: int
    signatories: tuple[Signatory, ...]
    committee: tuple[CommitteeMember, ...]
    place: str

    @property
    def students_total(self) -> int:
        """What the padrón of students adds up to, centavos."""
        return sum(s.amount for s in self.students)


# --- cédula de validación técnica -------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationRow:
    """One criterion of the cédula: its text, the most points, the points given and the note."""

    label: str
    max_points: int
    points: int
    required: bool
    note: str


@dataclass(frozen=True)
class ValidationSheet:
    """Everything the cédula de validación técnica prints (the latest scoring of the project)."""

    letterhead: Letterhead
    stamp: PrintStamp
    project: ProjectHead
    club: ClubData
    validated_on: date
    validator_name: str
    validator_post: str
    source: str
    rows: tuple[ValidationRow, ...]
    points: int
    total: int
    passing: int
    valid: bool
    observations: str
    scorings: int
    officials: tuple[OfficialLine, ...]
