"""Builder of the project sheet (*cédula del proyecto*): project, club, mix, rules, history, progress."""

from __future__ import annotations

from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.domain.parties import Party
from tresxuno.reports.data import MixLine, ProgressLine, ProjectSheet, RuleSetData, StageLine
from tresxuno.services.clubs import get_club
from tresxuno.services.ledger import project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.amendment import amendment_note
from tresxuno.services.reporting.common import club_data, letterhead, party_money, project_head, stamp
from tresxuno.services.reporting.dated import club_as_of, officials_as_of, posts_for, project_date
from tresxuno.services.rules import rulebook
from tresxuno.services.works import progress_history


def project_caps(rule_set_id: str, version: int, fiscal_year: int) -> dict[str, int]:
    """Caps per party (centavos) in force for a project's rule set and year; {} when unknown.

    The rule book holds the same id and version the project was frozen under (storing a different
    body under the same id and version is refused), so its caps are the project's caps.
    """
    try:
        rule_set = rulebook().get(rule_set_id, version)
    except KeyError:  # an administrator's rule file removed since: the share itself shows the cap
        return {}
    return {Party(p).value: amount for p, amount in rule_set.caps_for(fiscal_year).items()}


def build_project_sheet(
    db: Database, project_id: int, *, printed_by: str, printed_at: datetime | None = None
) -> ProjectSheet:
    """Gather the cédula of one project.

    Args:
        db: the database.
        project_id: the project's id.
        printed_by: who prints it (for the footer).
        printed_at: when; now when None.

    Returns:
        The sheet; its mix amounts add up to the cost, its money lines are ``project_balance``'s.

    Raises:
        InputError: ``project.unknown``.
    """
    overview = project_overview(db, project_id)
    detail = overview.detail
    club = get_club(db, detail.club_id)
    caps = project_caps(detail.rule_set_id, detail.rule_set_version, detail.fiscal_year)
    mix = tuple(
        MixLine(
            s.party,
            s.percent_bp,
            s.amount,
            s.capped,
            # A capped share is the cap itself when the rule book no longer lists it.
            (caps.get(s.party, s.amount) if s.capped else None),
        )
        for s in detail.shares
    )
    balance = project_balance(db, project_id)
    as_of = project_date(overview)  # the toma and the officials printed are those of the project's date
    return ProjectSheet(
        letterhead=letterhead(db, overview),
        stamp=stamp(db, printed_by, printed_at),
        project=project_head(overview),
        club=club_as_of(db, club_data(club), as_of),
        mix=mix,
        partner_mode=detail.partner_mode,
        partner_amount=detail.partner_amount,
        mix_override_reason=detail.mix_override_reason,
        rule_set=RuleSetData(
            detail.rule_set_id, detail.rule_set_version, overview.rule_set_source, overview.rule_set_verified
        ),
        history=tuple(
            StageLine(s.changed_at, s.from_stage, s.to_stage, s.changed_by, s.comment)
            for s in overview.history
        ),
        progress=tuple(
            ProgressLine(p.reported_on, p.percent_tenths, p.note) for p in progress_history(db, project_id)
        ),
        money=party_money(balance, tuple(m.party for m in mix)),
        cash=balance.cash,
        joint_split_bp=detail.joint_split_bp,
        cap_authorisations=detail.cap_authorisations,
        amendment=amendment_note(db, project_id),
        as_of=as_of,
        officials=officials_as_of(db, as_of, posts_for(db, detail.municipality_key), detail.municipality_key),
    )
