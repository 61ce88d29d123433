"""Builder of the hand-over of finished works (*acta de entrega-recepción*) to the community.

Only a finished project (``terminado``, or ``cerrado`` after it) is handed over. The dates come
from the stage history, the physical progress from the last progress report, the money from the
ledger's balance; the community committee signs as recorded (blank lines when none was recorded).
"""

from __future__ import annotations

from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.stages import Stage
from tresxuno.reports.data import CommitteeMember, Handover
from tresxuno.services.clubs import get_club
from tresxuno.services.convenio_terms import convenio_terms
from tresxuno.services.ledger import project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.agreement import last_move_to, party_signatories, with_partner
from tresxuno.services.reporting.common import club_data, letterhead, party_money, project_head, stamp
from tresxuno.services.social_committees import committee_of
from tresxuno.services.works import ProgressInfo, progress_history

#: Stages of a work that was finished and can be handed over (a closed project was finished first).
FINISHED_STAGES: frozenset[str] = frozenset({Stage.TERMINADO.value, Stage.CERRADO.value})
#: The community committee's officers, in signing order.
COMMITTEE_ROLES: tuple[str, ...] = ("president", "secretary", "treasurer")


def build_handover(
    db: Database, project_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> Handover:
    """Gather the acta de entrega-recepción of one finished project.

    The municipality (which executed the works) and the club always sign; the state, the federal
    government and the partner sign when they have a share in the project.

    Raises:
        InputError: ``project.unknown``; ``report.handover_not_finished`` when the project is not
            finished (stage ``terminado`` or ``cerrado``); ``report.handover_no_progress`` or
            ``report.handover_incomplete`` when the latest progress report is not 100 %.
    """
    overview = project_overview(db, project_id)
    detail = overview.detail
    if detail.stage not in FINISHED_STAGES:
        raise InputError(
            Problem("project", "report.handover_not_finished", {"folio": detail.folio, "stage": detail.stage})
        )
    reports = progress_history(db, project_id)
    last = reports[-1] if reports else None
    _require_finished_works(detail.folio, last)
    club = club_data(get_club(db, detail.club_id))
    # The partner signs by its name and representative, as in the convenio.
    signatories = with_partner(
        party_signatories(overview, club, always=("municipal", "club")), convenio_terms(db, project_id)
    )

    balance = project_balance(db, project_id)
    return Handover(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        project=project_head(overview),
        club=club,
        signed_on=last_move_to(overview, Stage.CONVENIO_FIRMADO),
        started_on=last_move_to(overview, Stage.EN_EJECUCION),
        finished_on=last_move_to(overview, Stage.TERMINADO),
        progress_tenths=last.percent_tenths if last else None,
        progress_on=last.reported_on if last else None,
        money=party_money(balance, tuple(s.party for s in detail.shares)),
        cash=balance.cash,
        signatories=signatories,
        committee=committee_signers(db, project_id),
        place=f"{overview.municipality_name}, {overview.state_name}",
    )


#: Positions of the contraloría social committee as the hand-over names them.
_HANDOVER_ROLE = {"presidente": "president", "secretario": "secretary", "vocal": "member"}


def committee_signers(db: Database, project_id: int) -> tuple[CommitteeMember, ...]:
    """The recorded contraloría social committee signs the hand-over; blank lines when none was recorded."""
    committee = committee_of(db, project_id)
    if committee is None:
        return tuple(CommitteeMember(r) for r in COMMITTEE_ROLES)
    return tuple(
        CommitteeMember(_HANDOVER_ROLE.get(m.position, m.position), m.name) for m in committee.members
    )


def _require_finished_works(folio: str, last: ProgressInfo | None) -> None:
    """Refuse the act of works not reported at 100 %: the community receives finished works only."""
    if last is None:
        raise InputError(Problem("project", "report.handover_no_progress", {"folio": folio}))
    if last.percent_tenths < 1000:
        raise InputError(
            Problem(
                "project",
                "report.handover_incomplete",
                {"folio": folio, "percent": last.percent_text, "date": last.reported_on.isoformat()},
            )
        )
