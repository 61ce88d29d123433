"""Builders of the acts that close scholarship and productive projects (instead of a works hand-over).

A scholarship project ends when each student has received their scholarship: the acta de entrega
de becas lists the students (name, CURP, level, the amount their level gets in the project's frozen
rules) and a receipt is printed for each. A productive project ends with the acta de entrega de
bienes: the goods delivered (its goals) and the families of its padrón, who sign as received.
Names and CURPs are personal data: these builders read the padrón through the service that asks for
``beneficiaries.view_personal``.
"""

from __future__ import annotations

from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.db.models import Project
from tresxuno.domain.parties import closing_act
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.stages import Stage
from tresxuno.reports.data import DeliveryAct, StudentLine
from tresxuno.services.beneficiaries import list_beneficiaries, padron_level_amounts
from tresxuno.services.clubs import get_club
from tresxuno.services.convenio_terms import convenio_terms
from tresxuno.services.goals import goals_of
from tresxuno.services.ledger import project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.agreement import last_move_to, party_signatories, with_partner
from tresxuno.services.reporting.common import club_data, letterhead, party_money, project_head, stamp
from tresxuno.services.reporting.dated import club_as_of
from tresxuno.services.reporting.handover import committee_signers

#: Stages in which each kind of act can be printed: scholarships are handed out while the project
#: runs (the act records those paid), goods once the project is finished.
ACT_STAGES: dict[str, frozenset[str]] = {
    "scholarships": frozenset({Stage.EN_EJECUCION.value, Stage.TERMINADO.value, Stage.CERRADO.value}),
    "goods": frozenset({Stage.TERMINADO.value, Stage.CERRADO.value}),
}


#: Which act closes a project of a category (see :func:`tresxuno.domain.parties.closing_act`).
act_kind = closing_act


def project_category(db: Database, project_id: int) -> str:
    """The project's category id.

    Raises:
        InputError: ``project.unknown``.
    """
    with db.transaction() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        return project.category


def build_delivery(
    db: Database, project_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> DeliveryAct:
    """Gather the acta de entrega de becas or de bienes of one project.

    Raises:
        InputError: ``project.unknown``; ``report.act_not_for_category`` for a works project (it gets
            the hand-over of the works); ``report.act_stage`` when the project is not yet at a stage
            where the act is signed; ``auth.role_required`` for a user who may not see the padrón.
    """
    overview = project_overview(db, project_id)
    detail = overview.detail
    kind = act_kind(detail.category)
    if kind is None:
        raise InputError(Problem("project", "report.act_not_for_category", {"folio": detail.folio}))
    if detail.stage not in ACT_STAGES[kind]:
        allowed = ", ".join(sorted(ACT_STAGES[kind]))
        raise InputError(
            Problem(
                "project",
                "report.act_stage",
                {"folio": detail.folio, "stage": detail.stage, "allowed": allowed},
            )
        )
    persons = list_beneficiaries(db, project_id)
    delivered_on = last_move_to(overview, Stage.TERMINADO)
    club = club_data(get_club(db, detail.club_id))
    if delivered_on is not None:
        club = club_as_of(db, club, delivered_on)
    signatories = with_partner(
        party_signatories(overview, club, always=("municipal", "club")), convenio_terms(db, project_id)
    )
    amounts = padron_level_amounts(db, project_id)
    students = tuple(
        StudentLine(
            " ".join(x for x in (p.given_names, p.first_surname, p.second_surname) if x),
            p.curp,
            p.school_level,
            amounts.get(p.school_level, 0),
        )
        for p in persons
        if kind == "scholarships"
    )
    families = tuple(
        " ".join(x for x in (p.given_names, p.first_surname, p.second_surname) if x)
        for p in persons
        if kind == "goods"
    )
    balance = project_balance(db, project_id)
    return DeliveryAct(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        project=project_head(overview),
        club=club,
        kind=kind,
        signed_on=last_move_to(overview, Stage.CONVENIO_FIRMADO),
        delivered_on=delivered_on,
        goods=tuple(goals_of(db, project_id)) if kind == "goods" else (),
        students=students,
        families=families,
        money=party_money(balance, tuple(s.party for s in detail.shares)),
        cash=balance.cash,
        signatories=signatories,
        committee=committee_signers(db, project_id),
        place=f"{overview.municipality_name}, {overview.state_name}",
    )


def build_scholarship_receipts(
    db: Database, project_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> DeliveryAct:
    """The data of the receipts of a scholarship project (one per student of its padrón).

    Raises:
        InputError: as :func:`build_delivery`; ``report.receipts_not_scholarships`` for a project
            that is not of scholarships; ``report.no_students`` when its padrón is empty.
    """
    if act_kind(project_category(db, project_id)) != "scholarships":
        folio = project_overview(db, project_id).detail.folio
        raise InputError(Problem("project", "report.receipts_not_scholarships", {"folio": folio}))
    act = build_delivery(db, project_id, printed_by=printed_by, printed_at=printed_at)
    if not act.students:
        raise InputError(Problem("project", "report.no_students", {"folio": act.project.folio}))
    return act
