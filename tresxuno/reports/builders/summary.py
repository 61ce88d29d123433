"""Builder of the fiscal year's summary (*resumen del ejercicio fiscal*).

Money by category, municipality, programme and party, from
:func:`tresxuno.services.year_reports.year_figures`, with display names for programmes and
municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tresxuno.db.engine import Database
from tresxuno.reports.builders.common import letterhead, program_name, stamp
from tresxuno.reports.builders.data import Letterhead, PrintStamp
from tresxuno.services.progress import CancelToken
from tresxuno.services.year_reports import GroupFigures, check_municipality, year_figures


@dataclass(frozen=True)
class SummaryGroup:
    """One row of a summary table, centavos MXN.

    ``key`` is the id (category, INEGI key, programme, party); ``name`` and ``name_en`` the
    display names when the id is not translated by the renderer (municipalities, programmes).
    """

    key: str
    projects: int
    approved: int
    received: int
    paid: int
    refunded: int
    name: str = ""
    name_en: str = ""

    def label(self, lang: str) -> str:
        """The display name in ``lang`` (the id when there is none)."""
        return (self.name_en if lang == "en" and self.name_en else self.name) or self.key


@dataclass(frozen=True)
class YearSummary:
    """Everything the year's summary prints.

    Invariants: the approved, received, paid and refunded sums of ``by_category``,
    ``by_municipality``, ``by_program`` and ``by_party`` are equal (the same money grouped four
    ways); the project counts of the first three sum to ``projects``; a party's count is the
    number of projects it takes part in.
    """

    letterhead: Letterhead
    stamp: PrintStamp
    year: int
    municipality_key: str | None
    municipality_name: str
    projects: int
    by_category: tuple[SummaryGroup, ...]
    by_municipality: tuple[SummaryGroup, ...]
    by_program: tuple[SummaryGroup, ...]
    by_party: tuple[SummaryGroup, ...]

    @property
    def total(self) -> SummaryGroup:
        """The totals row (project count of the year; money summed over the parties)."""
        rows = self.by_party
        return SummaryGroup(
            "total",
            self.projects,
            sum(g.approved for g in rows),
            sum(g.received for g in rows),
            sum(g.paid for g in rows),
            sum(g.refunded for g in rows),
        )


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
        stamp=stamp(printed_by, printed_at),
        year=year,
        municipality_key=municipality_key,
        municipality_name=name,
        projects=figures.projects,
        by_category=tuple(_group(g) for g in figures.by_category),
        by_municipality=tuple(_group(g, g.name) for g in figures.by_municipality),
        by_program=tuple(programs),
        by_party=tuple(_group(g) for g in figures.by_party),
    )
