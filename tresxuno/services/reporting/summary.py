"""Builder of the fiscal year's summary (*resumen del ejercicio fiscal*).

Money by category, municipality, programme and party, from
:func:`tresxuno.services.year_reports.year_figures`, with display names for programmes and
municipalities.
"""

from __future__ import annotations

from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.reports.data import SummaryGroup, YearSummary
from tresxuno.services.progress import CancelToken
from tresxuno.services.reporting.common import letterhead, program_name, stamp
from tresxuno.services.year_reports import GroupFigures, check_municipality, year_figures


def _group(g: GroupFigures, name: str = "", name_en: str = "") -> SummaryGroup:
    return SummaryGroup(g.key, g.projects, g.approved, g.received, g.paid, g.refunded, name, name_en)


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
    """
    name = check_municipality(db, municipality_key, year) if municipality_key is not None else ""
    figures = year_figures(db, year, municipality_key)
    if cancel is not None:
        cancel.raise_if_cancelled()
    programs = []
    for g in figures.by_program:
        known = program_name(g.key)
        programs.append(_group(g, known.name("es"), known.name("en")))
    return YearSummary(
        letterhead=letterhead(db),
        stamp=stamp(db, printed_by, printed_at),
        year=year,
        municipality_key=municipality_key,
        municipality_name=name,
        projects=figures.projects,
        by_category=tuple(_group(g) for g in figures.by_category),
        by_municipality=tuple(_group(g, g.name) for g in figures.by_municipality),
        by_program=tuple(programs),
        by_party=tuple(_group(g) for g in figures.by_party),
    )
