"""Convenio modificatorio: change a signed project's cost and shares, keeping every version.

After the convenio de concertación is signed (stages ``convenio_firmado``, ``en_ejecucion``,
``terminado``) a project's request can no longer be edited; its cost changes only through an
amendment recorded here, in one transaction: the amendment with each party's share before and
after, the project's new cost and shares (recomputed under its frozen rule set) and its deposit
calendar brought to the new shares. The versions (original and each amendment) stay readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    Ministracion,
    Project,
    ProjectAmendment,
    ProjectAmendmentShare,
    ProjectShare,
)
from tresxuno.db.repos import ProjectRepository
from tresxuno.domain.actor import current_actor
from tresxuno.domain.allocation import Allocation, CapAuthorisation
from tresxuno.domain.amendments import (
    AMENDABLE,
    AmendmentInput,
    ConvenioVersion,
    ProjectTerms,
    ShareChange,
    check_amendment,
    recompute_shares,
    share_changes,
)
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.records import ProjectDetail, ShareLine
from tresxuno.domain.rules import RuleSet
from tresxuno.domain.stages import Stage
from tresxuno.services.auth import require
from tresxuno.services.ledger import _money_per_project_party
from tresxuno.services.ministraciones import signed_on
from tresxuno.services.projects import project_detail

__all__ = [
    "AmendmentPreview",
    "amend_project",
    "amendments",
    "latest_amendment",
    "preview_amendment",
]

_PARTY_RANK = {p.value: i for i, p in enumerate(Party)}


@dataclass(frozen=True)
class AmendmentPreview:
    """What an amendment to ``cost`` would make of each party's share (nothing written)."""

    cost: int
    changes: tuple[ShareChange, ...]


def _project(session: Session, project_id: int) -> Project:
    row = ProjectRepository.get(session, project_id)
    if row is None:
        raise InputError(Problem("project", "project.unknown", {"id": project_id}))
    return row


def _require_amendable(row: Project) -> None:
    if Stage(row.stage) not in AMENDABLE:
        raise InputError(
            Problem(
                "stage",
                "amendment.stage_not_allowed",
                {"folio": row.folio, "stage": row.stage, "allowed": ", ".join(s.value for s in AMENDABLE)},
            )
        )


def _shares(row: Project) -> tuple[ShareLine, ...]:
    return tuple(
        ShareLine(s.party, s.percent_bp, s.amount, s.capped)
        for s in sorted(row.shares, key=lambda s: _PARTY_RANK[s.party])
    )


def _terms(row: Project) -> ProjectTerms:
    """The project's stored terms: partner mode, agreed joint split, special mix, cap authorisations."""
    override = {Party(s.party): s.percent_bp for s in row.shares} if row.mix_override_reason else None
    return ProjectTerms(
        fiscal_year=row.fiscal_year,
        partner_mode=row.partner_mode,
        partner_amount=row.partner_amount,
        joint_split_bp=row.joint_split_bp,
        override_bp=override,
        override_reason=row.mix_override_reason,
        authorisations=tuple(
            CapAuthorisation(Party(a.party), a.authorised_by, a.reason, a.document)
            for a in row.cap_authorisations
        ),
    )


def _plan(row: Project, cost: int) -> tuple[Allocation, tuple[ShareChange, ...]]:
    """The new shares, computed under the project's frozen rule set, and each party's before and after."""
    frozen = RuleSet.from_data(json.loads(row.rule_set.body))
    allocation = recompute_shares(frozen, _terms(row), cost)
    return allocation, share_changes(_shares(row), allocation)


def _paid(session: Session, project_id: int) -> int:
    """Centavos already paid out of the project (net of reversals)."""
    money = _money_per_project_party(Project.__table__.c.id == project_id)
    return int(session.scalar(select(func.coalesce(func.sum(money.c.paid), 0))) or 0)


def preview_amendment(db: Database, project_id: int, cost: int) -> AmendmentPreview:
    """Each party's share before and after an amendment to ``cost`` (the dialog's live preview).

    Raises:
        InputError: ``project.unknown`` or the allocation's problems for that cost.
    """
    with db.transaction() as session:
        row = _project(session, project_id)
        return AmendmentPreview(cost, _plan(row, cost)[1])


def amend_project(
    db: Database, project_id: int, data: AmendmentInput, *, user: str = "", today: date | None = None
) -> ProjectDetail:
    """Record a convenio modificatorio: new cost, shares recomputed, every version kept (one transaction).

    Args:
        db: the database.
        project_id: a project whose convenio is signed (convenio signed, works under way or finished).
        data: the new cost, the amendment's signing date, reason, who authorised it, its document.
        user: who records it (defaults to the signed-in user).
        today: the day the signing date is checked against (tests); the system date otherwise.

    Raises:
        InputError: ``auth.role_required``; ``project.unknown``; ``amendment.stage_not_allowed``; the
            problems of :func:`~tresxuno.domain.amendments.check_amendment` (cost unchanged, below
            what was paid, dates, texts) or of the allocation. Nothing is written.
    """
    actor = require(db, "projects.amend")
    today = today or date.today()
    with db.transaction(immediate=True) as session:
        row = _project(session, project_id)
        _require_amendable(row)
        clean = check_amendment(
            data,
            current_cost=row.cost,
            paid=_paid(session, row.id),
            convenio_signed_on=signed_on(session, row.id),
            today=today,
        )
        allocation, changes = _plan(row, clean.cost)
        number = (
            session.scalar(
                select(func.max(ProjectAmendment.number)).where(ProjectAmendment.project_id == row.id)
            )
            or 0
        ) + 1
        session.add(
            ProjectAmendment(
                project_id=row.id,
                number=number,
                signed_on=clean.signed_on,
                previous_cost=row.cost,
                cost=clean.cost,
                reason=clean.reason,
                authorised_by=clean.authorised_by,
                document_reference=clean.document_reference,
                created_by=user or actor.username or current_actor().username,
                shares=[
                    ProjectAmendmentShare(
                        party=c.party,
                        project_id=row.id,
                        previous_percent_bp=c.previous_percent_bp,
                        previous_amount=c.previous_amount,
                        percent_bp=c.percent_bp,
                        amount=c.amount,
                    )
                    for c in changes
                ],
            )
        )
        _rebalance_calendar(session, row.id, changes)
        row.cost = clean.cost
        # Old shares go first: a new share of the same party has the same primary key.
        row.shares.clear()
        session.flush()
        row.shares.extend(
            ProjectShare(party=s.party.value, percent_bp=s.percent_bp, amount=s.amount, capped=s.capped)
            for s in allocation.shares
        )
        session.flush()
        session.expire(row)
        return project_detail(row)


def _rebalance_calendar(session: Session, project_id: int, changes: tuple[ShareChange, ...]) -> None:
    """Move each party's change of share onto its last tranche, so the calendar still adds up.

    Earlier tranches (often already due and deposited) stay as signed. When the last tranche would
    fall to zero or below, that party's calendar is left for the treasury to adjust (the calendar
    check then shows the difference).
    """
    for change in changes:
        delta = change.amount - change.previous_amount
        if delta == 0:
            continue
        last = session.scalars(
            select(Ministracion)
            .where(Ministracion.project_id == project_id, Ministracion.party == change.party)
            .order_by(Ministracion.number.desc())
            .limit(1)
        ).first()
        if last is not None and last.amount + delta > 0:
            last.amount = last.amount + delta


def amendments(db: Database, project_id: int) -> tuple[ConvenioVersion, ...]:
    """Every version of the project's convenio: number 0 (the original as signed), then each amendment.

    The original's cost and shares are the first amendment's previous ones (the current ones when the
    project was never amended).

    Raises:
        InputError: ``project.unknown``.
    """
    with db.transaction() as session:
        row = _project(session, project_id)
        return _versions(session, row)


def latest_amendment(db: Database, project_id: int) -> ConvenioVersion | None:
    """The amendment in force (the last one), or None when the convenio was never amended."""
    versions = amendments(db, project_id)
    return versions[-1] if len(versions) > 1 else None


def _versions(session: Session, row: Project) -> tuple[ConvenioVersion, ...]:
    records = session.scalars(
        select(ProjectAmendment)
        .where(ProjectAmendment.project_id == row.id)
        .order_by(ProjectAmendment.number)
    ).all()
    if not records:
        return (ConvenioVersion(0, row.cost, _shares(row)),)
    first = records[0]
    original = ConvenioVersion(
        0,
        first.previous_cost,
        tuple(
            ShareLine(s.party, s.previous_percent_bp, s.previous_amount)
            for s in sorted(first.shares, key=lambda s: _PARTY_RANK[s.party])
            if s.previous_amount > 0 or s.previous_percent_bp > 0
        ),
    )
    amended = (
        ConvenioVersion(
            a.number,
            a.cost,
            tuple(
                ShareLine(s.party, s.percent_bp, s.amount)
                for s in sorted(a.shares, key=lambda s: _PARTY_RANK[s.party])
                if s.amount > 0 or s.percent_bp > 0
            ),
            signed_on=a.signed_on,
            reason=a.reason,
            authorised_by=a.authorised_by,
            document_reference=a.document_reference,
            created_by=a.created_by,
        )
        for a in records
    )
    return (original, *amended)
