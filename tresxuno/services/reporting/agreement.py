"""Builder of the agreement (*convenio de concertación*): the parties, their amounts and the dates."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

from tresxuno.db.engine import Database
from tresxuno.db.models import Project
from tresxuno.db.repos.settings import OFFICE_MUNICIPALITY, SettingsRepository
from tresxuno.domain.convenio import ConvenioTerms, PartyDeclaration
from tresxuno.domain.ledger import APPROVED_STAGES
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rules import RuleSet
from tresxuno.domain.stages import Stage
from tresxuno.formatting import local_date
from tresxuno.reports.data import Agreement, CalendarLine, ClubData, Signatory
from tresxuno.services.clubs import get_club
from tresxuno.services.convenio_terms import declarations_in, terms_in
from tresxuno.services.goals import project_goals
from tresxuno.services.ministraciones import calendar
from tresxuno.services.offices import office_for
from tresxuno.services.projects import ProjectOverview, project_overview
from tresxuno.services.reporting.amendment import amendment_note
from tresxuno.services.reporting.common import club_data, letterhead, project_head, stamp
from tresxuno.services.reporting.dated import (
    SIGNING_POSTS,
    club_as_of,
    officials_as_of,
    posts_for,
    project_date,
)

#: Default days after signing within which each party deposits its share.
DEPOSIT_DAYS = 30
#: The order parties appear in the agreement: the executing municipality first, then the other
#: governments, the club and the partner.
SIGNING_ORDER: tuple[str, ...] = ("municipal", "state", "federal", "club", "partner")
#: Last fiscal year of SEDESOL (Secretaría de Desarrollo Social); Bienestar ran the programme after.
LAST_SEDESOL_YEAR = 2018


def federal_agency(fiscal_year: int) -> str:
    """The federal secretariat that ran the programme in ``fiscal_year`` (a proper noun)."""
    if fiscal_year <= LAST_SEDESOL_YEAR:
        return "Secretaría de Desarrollo Social (SEDESOL)"
    return "Secretaría de Bienestar"


def build_agreement(
    db: Database,
    project_id: int,
    *,
    printed_by: str,
    printed_at: datetime | None = None,
    deposit_days: int = DEPOSIT_DAYS,
) -> Agreement:
    """Gather the convenio of one approved project.

    Every party of the mix with a share signs, and the municipality always (it executes the works).

    Args:
        db: the database.
        project_id: the project's id.
        printed_by: who prints it (for the footer).
        printed_at: when; now when None.
        deposit_days: days after signing within which the parties deposit their shares; the
            deadline never passes 31 December of the fiscal year (unless signed after it).

    Returns:
        The agreement; its signatories' amounts add up to the cost.

    Raises:
        InputError: ``project.unknown``; ``report.agreement_not_approved`` when the COVAM has not
            approved the project (or it was cancelled).
    """
    overview = project_overview(db, project_id)
    detail = overview.detail
    if detail.stage not in APPROVED_STAGES:
        raise InputError(
            Problem(
                "project", "report.agreement_not_approved", {"folio": detail.folio, "stage": detail.stage}
            )
        )
    with db.transaction() as session:
        terms = terms_in(session, project_id)
        goals = tuple(project_goals(session, project_id))
        row = session.get(Project, project_id)
        rop = rop_citation(row)
        office_key = SettingsRepository.get(session, OFFICE_MUNICIPALITY, "") or ""
        # The office declares for its own municipality, and its state's and the federal delegation's
        # for its own state: another's convenio leaves those lines blank rather than print ours.
        here = row.municipality_key if row is not None else ""
        declarations = tuple(
            d
            for d in declarations_in(session).values()
            if not office_key
            or (here == office_key if d.party == "municipal" else here[:2] == office_key[:2])
        )
    # On a shared database, the municipality's own registered office declares its RFC.
    executing = office_for(db, detail.municipality_key) if detail.municipality_key != office_key else None
    if executing is not None and executing.kind == "municipal" and executing.rfc:
        declarations = (*declarations, PartyDeclaration("municipal", rfc=executing.rfc))
    signed_on = last_move_to(overview, Stage.CONVENIO_FIRMADO)
    # The convenio's date: signed, else approved, else requested; its toma and signers are of that day.
    as_of = signed_on or last_move_to(overview, Stage.APROBADO) or project_date(overview)
    club = club_as_of(db, club_data(get_club(db, detail.club_id)), as_of)
    # Those in office on the convenio's date sign for the governments; the partner by its name.
    signatories = with_partner(
        signed_by_officials(
            db, party_signatories(overview, club, always=("municipal",)), as_of, detail.municipality_key
        ),
        terms,
    )
    deadline = None
    if signed_on is not None:
        deadline = signed_on + timedelta(days=deposit_days)
        year_end = date(detail.fiscal_year, 12, 31)
        if signed_on <= year_end:  # money of a fiscal year is deposited within that year
            deadline = min(deadline, year_end)
    return Agreement(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        project=project_head(overview),
        club=club,
        signatories=signatories,
        approved_on=last_move_to(overview, Stage.APROBADO),
        signed_on=signed_on,
        deposit_days=deposit_days,
        deposit_deadline=deadline,
        place=f"{overview.municipality_name}, {overview.state_name}",
        amendment=amendment_note(db, project_id),
        declarations=declarations,
        terms=terms,
        goals=goals,
        calendar=agreement_calendar(db, project_id, (printed_at or datetime.now()).date()),
        rop_citation=rop,
    )


def rop_citation(row: Project | None) -> tuple[tuple[str, str], ...]:
    """The project's fiscal-year Reglas de Operación (title and DOF date) from its frozen rule set.

    Both languages (``es``, ``en``), so the renderer cites them in the document's; when the rule set
    names no document for the year, its own source instead (keys ``source-es``, ``source-en``);
    empty when the frozen copy cannot be read.
    """
    if row is None:
        return ()
    try:
        frozen = RuleSet.from_data(json.loads(row.rule_set.body))
    except (ValueError, KeyError, TypeError):
        return ()
    document = frozen.document_for(row.fiscal_year)
    if document is not None:
        return tuple((lang, document.citation(lang)) for lang in ("es", "en"))
    return tuple((f"source-{lang}", frozen.source_text(lang)) for lang in ("es", "en"))


def agreement_calendar(db: Database, project_id: int, today: date) -> tuple[CalendarLine, ...]:
    """The calendar of ministraciones the convenio sets: the stored one, else the default one."""
    cal = calendar(db, project_id, today=today)
    return tuple(
        CalendarLine(
            party=line.tranche.party,
            number=line.tranche.number,
            trigger=line.tranche.trigger,
            due_date=line.tranche.due_date,
            progress_percent=line.tranche.progress_percent,
            due=line.due,
            due_on=line.due_on,
            amount=line.tranche.amount,
            received=line.received,
            pending=line.pending,
            overdue_days=line.overdue_days,
        )
        for line in cal.lines
    )


def with_partner(signatories: tuple[Signatory, ...], terms: ConvenioTerms) -> tuple[Signatory, ...]:
    """The partner named and represented as the convenio's terms record it (blank lines when not)."""
    return tuple(
        replace(s, name=terms.partner_name, signer_name=terms.partner_representative)
        if s.party == "partner"
        else s
        for s in signatories
    )


def party_signatories(
    overview: ProjectOverview, club: ClubData, *, always: tuple[str, ...]
) -> tuple[Signatory, ...]:
    """Who signs for each party, in :data:`SIGNING_ORDER`: the parties in ``always`` and any with a share.

    The club signs through its representative; the other parties by office, their signer's name
    left to be written in by hand (it is not recorded), as is the partner's name.
    """
    detail = overview.detail
    shares = {s.party: s for s in detail.shares}
    role, name = club.representative
    names = {
        "municipal": f"{overview.municipality_name}, {overview.state_name}",
        "state": overview.state_name,
        "federal": federal_agency(detail.fiscal_year),
        "club": club.name,
        "partner": "",
    }
    return tuple(
        Signatory(
            party=party,
            name=names[party],
            signer_name=name if party == "club" else "",
            signer_role=role if party == "club" else "",
            amount=shares[party].amount if party in shares else 0,
            percent_bp=shares[party].percent_bp if party in shares else 0,
        )
        for party in SIGNING_ORDER
        if party in always or (party in shares and shares[party].amount > 0)
    )


def signed_by_officials(
    db: Database, signatories: tuple[Signatory, ...], day: date, municipality_key: str
) -> tuple[Signatory, ...]:
    """The governments' signers named: those in office on ``day`` (a post nobody held then stays blank).

    Each party's line names the officials of the office that speaks for it there (the municipality's
    registered office, else this database's own for its own municipality); nobody's: blank.
    """
    posts = posts_for(db, municipality_key, tuple(SIGNING_POSTS.values()))
    holders = {o.post: o for o in officials_as_of(db, day, posts, municipality_key)}
    named = []
    for s in signatories:
        holder = holders.get(SIGNING_POSTS.get(s.party, ""))
        if holder is not None and not s.signer_name:
            s = replace(s, signer_name=holder.name, signer_role=holder.title or holder.post_label)
        named.append(s)
    return tuple(named)


def last_move_to(overview: ProjectOverview, stage: Stage) -> date | None:
    """The day the project last entered ``stage`` (its stage history), or None if it never did."""
    days = [local_date(s.changed_at) for s in overview.history if s.to_stage == stage.value]
    return days[-1] if days else None
