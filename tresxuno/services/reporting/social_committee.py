"""Builder of the contraloría social committee's documents (constitution act and report form).

Both print the committee as recorded (:mod:`tresxuno.services.social_committees`); a project without
one is refused with the reason, never printed with blank names.
"""

from __future__ import annotations

from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.domain.problems import InputError, Problem
from tresxuno.reports.data import CommitteeFiling, CommitteeSeat, SocialCommitteeDocument
from tresxuno.services.clubs import get_club
from tresxuno.services.ledger import project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.common import club_data, letterhead, party_money, project_head, stamp
from tresxuno.services.social_committees import committee_of


def build_committee_document(
    db: Database, project_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> SocialCommitteeDocument:
    """Gather a project's committee, what it watches (each party's approved share) and its filings.

    Raises:
        InputError: ``project.unknown``; ``committee.missing`` when none was recorded.
    """
    overview = project_overview(db, project_id)
    detail = overview.detail
    committee = committee_of(db, project_id)
    if committee is None:
        raise InputError(Problem("project", "committee.missing", {"folio": detail.folio}))
    balance = project_balance(db, project_id)
    return SocialCommitteeDocument(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        project=project_head(overview),
        club=club_data(get_club(db, detail.club_id)),
        money=party_money(balance, tuple(s.party for s in detail.shares if s.amount > 0)),
        constituted_on=committee.constituted_on,
        members=tuple(CommitteeSeat(m.name, m.position, m.sex) for m in committee.members),
        filings=tuple(CommitteeFiling(r.kind, r.held_on, r.summary, r.findings) for r in committee.records),
        place=f"{overview.municipality_name}, {overview.state_name}",
    )
