"""Builder of the agreement (*convenio de concertación*): the parties, their amounts and the dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from tresxuno.db.engine import Database
from tresxuno.domain.ledger import APPROVED_STAGES
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.stages import Stage
from tresxuno.reports.data import Agreement, ClubData, Signatory
from tresxuno.services.clubs import get_club
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
    signed_on = last_move_to(overview, Stage.CONVENIO_FIRMADO)
    # The convenio's date: signed, else approved, else requested; its toma and signers are of that day.
    as_of = signed_on or last_move_to(overview, Stage.APROBADO) or project_date(overview)
    club = club_as_of(db, club_data(get_club(db, detail.club_id)), as_of)
    signatories = signed_by_officials(
        db, party_signatories(overview, club, always=("municipal",)), as_of, detail.municipality_key
    )
    deadline = None
    if signed_on is not None:
        deadline = signed_on + timedelta(days=deposit_days)
        year_end = date(detail.fiscal_year, 12, 31)
        if signed_on <= year_end:  # money of a fiscal year is deposited within that year
            deadline = min(deadline, year_end)
    return Agreement(
        letterhead=letterhead(db),
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

    Only the office's own officials are recorded, so another municipality's line stays blank.
    """
    posts = posts_for(db, municipality_key, tuple(SIGNING_POSTS.values()))
    holders = {o.post: o for o in officials_as_of(db, day, posts)}
    named = []
    for s in signatories:
        holder = holders.get(SIGNING_POSTS.get(s.party, ""))
        if holder is not None and not s.signer_name:
            s = replace(s, signer_name=holder.name, signer_role=holder.title or holder.post_label)
        named.append(s)
    return tuple(named)


def last_move_to(overview: ProjectOverview, stage: Stage) -> date | None:
    """The day the project last entered ``stage`` (its stage history), or None if it never did."""
    days = [s.changed_at.date() for s in overview.history if s.to_stage == stage.value]
    return days[-1] if days else None
