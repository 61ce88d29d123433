"""Builder of the fiscal year's summary (*resumen del ejercicio fiscal*).

Money by category, municipality, programme and party, from
:func:`tresxuno.services.year_reports.year_figures`, with display names for programmes and
municipalities.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.reports.data import SummaryGroup, YearSummary
from tresxuno.services.ledger import balances_by
from tresxuno.services.progress import CancelToken
from tresxuno.services.reporting.common import letterhead, program_name, stamp
from tresxuno.services.year_reports import GroupFigures, check_municipality, year_figures


def _group(g: GroupFigures, name: str = "", name_en: str = "") -> SummaryGroup:
    return SummaryGroup(g.key, g.projects, g.approved, g.received, g.paid, g.refunded, name, name_en)


#: Reads attempted before giving up on agreeing figures (only concurrent writes can cause a retry).
ATTEMPTS = 3


class SummaryMismatchError(RuntimeError):
    """The ledger kept changing between the year's figures and its balances: try again."""


def with_party_balances(
    db: Database, year: int, municipality_key: str | None, parties: tuple[SummaryGroup, ...]
) -> tuple[SummaryGroup, ...] | None:
    """The party groups with excess and still-to-deposit from the ledger's balances.

    Returns None when the balances no longer agree with ``parties`` (an entry was recorded in
    between), so the caller reads again.
    """
    sums: dict[str, list[int]] = {}
    for g in balances_by(db, fiscal_year=year, municipality_key=municipality_key):
        row = sums.setdefault(g.party, [0] * 6)
        for i, value in enumerate(
            (g.approved, g.received, g.paid, g.refunded, g.over_received, g.outstanding)
        ):
            row[i] += value
    result = []
    for group in parties:
        row = sums.pop(group.key, [0] * 6)
        if row[:4] != [group.approved, group.received, group.paid, group.refunded]:
            return None
        result.append(dataclasses.replace(group, over_received=row[4], outstanding=row[5]))
    if any(any(row) for row in sums.values()):
        return None
    return tuple(result)


def build_summary(
    db: Database,
    year: int,
    *,
    municipality_key: str | None = None,
    printed_by: str,
    printed_at: datetime | None = None,
    cancel: CancelToken | None = None,
) -> YearSummary:
    """Gather the summary of fiscal ``year`` (every municipality, or one).

    Raises:
        InputError: ``municipality.unknown`` or ``report.municipality_no_projects``.
        SummaryMismatchError: the ledger changed under every one of :data:`ATTEMPTS` reads.
    """
    name = check_municipality(db, municipality_key, year) if municipality_key is not None else ""
    for _attempt in range(ATTEMPTS):
        figures = year_figures(db, year, municipality_key)
        if cancel is not None:
            cancel.raise_if_cancelled()
        by_party = with_party_balances(db, year, municipality_key, tuple(_group(g) for g in figures.by_party))
        if by_party is not None:
            break
    else:
        raise SummaryMismatchError(f"the ledger of fiscal year {year} changed during {ATTEMPTS} reads")
    programs = []
    for g in figures.by_program:
        known = program_name(g.key)
        programs.append(_group(g, known.name("es"), known.name("en")))
    return YearSummary(
        letterhead=letterhead(db, municipality_key=municipality_key),
        stamp=stamp(db, printed_by, printed_at),
        year=year,
        municipality_key=municipality_key,
        municipality_name=name,
        projects=figures.projects,
        by_category=tuple(_group(g) for g in figures.by_category),
        by_municipality=tuple(_group(g, g.name) for g in figures.by_municipality),
        by_program=tuple(programs),
        by_party=by_party,
    )
