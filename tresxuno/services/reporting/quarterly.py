"""Builder of the quarterly physical-financial progress report (*informe trimestral*).

The projects of a fiscal year active in a quarter, grouped per municipality, each with its stage
and physical percent at the quarter's end and each party's money up to that day; subtotals per
municipality and the overall totals are summed here from the same rows, so they agree to the centavo.
Each project carries its goals (the convenio's metas); the office's officials in post on the
quarter's last day sign it.
"""

from __future__ import annotations

from datetime import date, datetime

from tresxuno.db.engine import Database
from tresxuno.domain.goals import Goal
from tresxuno.domain.ledger import party_rank
from tresxuno.i18n import _
from tresxuno.reports.data import MunicipalityBlock, OfficialLine, PartyFlow, QuarterLine, QuarterlyReport
from tresxuno.services.goals import goals_by_project
from tresxuno.services.officials import POST_LABELS
from tresxuno.services.progress import CancelToken
from tresxuno.services.reporting.common import letterhead, stamp
from tresxuno.services.reporting.dated import officials_as_of, posts_for
from tresxuno.services.year_reports import (
    PartyFigures,
    QuarterProject,
    check_municipality,
    quarter_bounds,
    quarter_projects,
)


def sum_flows(groups: list[tuple[PartyFlow, ...]]) -> tuple[PartyFlow, ...]:
    """Per party, the sums of several lists of party money, in party order."""
    found: dict[str, list[int]] = {}
    for flows in groups:
        for f in flows:
            acc = found.setdefault(f.party, [0, 0, 0, 0])
            acc[0] += f.approved
            acc[1] += f.received
            acc[2] += f.paid
            acc[3] += f.refunded
    return tuple(PartyFlow(p, *found[p]) for p in sorted(found, key=party_rank))


def _flow(f: PartyFigures) -> PartyFlow:
    return PartyFlow(f.party, f.approved, f.received, f.paid, f.refunded)


def _line(p: QuarterProject, goals: dict[int, list[Goal]]) -> QuarterLine:
    money = tuple(_flow(f) for f in p.parties)
    return QuarterLine(p.id, p.folio, p.name, p.stage, p.percent_tenths, money, tuple(goals.get(p.id, ())))


#: Who signs the quarterly report, in order: who prepared it, who checked the money, who authorised it.
QUARTERLY_POSTS: tuple[str, ...] = ("titular_migrantes", "tesorero_municipal", "presidente_municipal")


def build_quarterly(
    db: Database,
    year: int,
    quarter: int,
    *,
    municipality_key: str | None = None,
    printed_by: str,
    printed_at: datetime | None = None,
    cancel: CancelToken | None = None,
) -> QuarterlyReport:
    """Gather the quarterly progress report of fiscal ``year``, ``quarter`` (1-4).

    Args:
        db: the database.
        year: the fiscal year (the projects' year; the quarter is of that calendar year).
        quarter: 1 to 4.
        municipality_key: a five-digit INEGI key to cover one municipality; None for all.
        printed_by: who prints it (for the footer).
        printed_at: when; now when None.
        cancel: checked after reading; cancelling raises ``Cancelled``.

    Raises:
        InputError: ``municipality.unknown`` or ``report.municipality_no_projects``.
    """
    name = check_municipality(db, municipality_key, year) if municipality_key is not None else ""
    projects = quarter_projects(db, year, quarter, municipality_key)
    with db.transaction() as session:
        goals = goals_by_project(session, [p.id for p in projects])
    if cancel is not None:
        cancel.raise_if_cancelled()
    blocks: list[MunicipalityBlock] = []
    current: list[QuarterProject] = []
    for p in [*projects, None]:
        if current and (p is None or p.municipality_key != current[0].municipality_key):
            head = current[0]
            lines = tuple(_line(x, goals) for x in current)
            blocks.append(
                MunicipalityBlock(
                    head.municipality_key,
                    f"{head.municipality_name}, {head.state_name}",
                    lines,
                    sum_flows([x.money for x in lines]),
                )
            )
            current = []
        if p is not None:
            current.append(p)
    first, last = quarter_bounds(year, quarter)
    return QuarterlyReport(
        letterhead=letterhead(db, municipality_key=municipality_key),
        stamp=stamp(db, printed_by, printed_at),
        year=year,
        quarter=quarter,
        first_day=first,
        last_day=last,
        municipality_key=municipality_key,
        municipality_name=name,
        blocks=tuple(blocks),
        totals=sum_flows([b.totals for b in blocks]),
        signatories=signatories(db, last, municipality_key),
    )


def signatories(db: Database, day: date, municipality_key: str | None) -> tuple[OfficialLine, ...]:
    """Who signs a quarterly report as of its last ``day``; a post nobody held is a blank line.

    A report of one municipality is signed by the officials who speak for it (its registered office's,
    else this database's own for its own municipality; :func:`~tresxuno.services.reporting.dated.posts_for`);
    a report of all, by the printing officer's office (a state officer's: the state's), else this one's.
    """
    posts = QUARTERLY_POSTS if municipality_key is None else posts_for(db, municipality_key, QUARTERLY_POSTS)
    held = {o.post: o for o in officials_as_of(db, day, posts, municipality_key)}
    return tuple(held.get(p) or OfficialLine(p, _(POST_LABELS[p]), "", "") for p in posts)
