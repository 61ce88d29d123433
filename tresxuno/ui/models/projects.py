"""The project list as a lazy table model: pages of rows fetched as the view scrolls.

An office may hold tens of thousands of projects, so the model never loads them all: it keeps the
rows fetched so far, asks :func:`~tresxuno.services.projects.list_projects` for the next page when
the view scrolls near the end (``canFetchMore``/``fetchMore``), and leaves sorting and filtering
to SQL. A new sort or filter starts again from the first page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt

from tresxuno.domain.records import ProjectSummary
from tresxuno.formatting import category_label, money_text, stage_label
from tresxuno.i18n import N_
from tresxuno.services.projects import ProjectFilters, count_projects, list_projects
from tresxuno.services.store import Database
from tresxuno.ui.models.paged import SqlPagedModel

#: The raw value of a cell (integer centavos for the cost, the year as an int...), for code, not people.
RawRole = Qt.ItemDataRole.UserRole
#: The whole :class:`ProjectSummary` of the row (for opening the project, copying its folio...).
ProjectRole = Qt.ItemDataRole.UserRole + 1

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    """One column of the project list: its SQL sort key, header and how a row shows in it."""

    key: str  # a key of tresxuno.db.repos.projects.SORT_COLUMNS
    header: str  # English msgid, translated when shown
    text: Callable[[ProjectSummary], str]
    raw: Callable[[ProjectSummary], Any]
    align: Qt.AlignmentFlag = _LEFT
    tooltip: bool = False  # show the full text as a tooltip (long names get elided)


COLUMNS: tuple[Column, ...] = (
    Column("folio", N_("Folio"), lambda p: p.folio, lambda p: p.folio),
    Column("fiscal_year", N_("Fiscal year"), lambda p: str(p.fiscal_year), lambda p: p.fiscal_year),
    Column("program", N_("Programme"), lambda p: p.program, lambda p: p.program),
    Column(
        "category", N_("Category"), lambda p: category_label(p.category), lambda p: p.category, tooltip=True
    ),
    Column("stage", N_("Stage"), lambda p: stage_label(p.stage), lambda p: p.stage, tooltip=True),
    Column("name", N_("Project"), lambda p: p.name, lambda p: p.name, tooltip=True),
    Column("club", N_("Club"), lambda p: p.club_name, lambda p: p.club_name, tooltip=True),
    Column(
        "municipality",
        N_("Municipality"),
        lambda p: p.municipality_name,
        lambda p: p.municipality_name,
        tooltip=True,
    ),
    Column(
        "cost",
        N_("Cost (MXN)"),
        lambda p: money_text(p.cost),
        lambda p: p.cost,
        align=_RIGHT,
    ),
)
#: Column numbers by sort key, so views need not count columns by hand.
COLUMN_OF: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}


class ProjectTableModel(SqlPagedModel):
    """Projects matching the current filters, in the current SQL order, loaded a page at a time.

    Paging, SQL sorting and error handling come from :class:`SqlPagedModel`: a failed query emits
    :attr:`load_failed` with the :class:`StorageError`, which the view shows; :meth:`refresh` retries.
    """

    COLUMNS = COLUMNS

    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        filters: ProjectFilters | None = None,
        load: bool = True,
    ):
        """Read the first page now, unless ``load`` is False (connect :attr:`load_failed`, then refresh)."""
        super().__init__(db, parent, filters=filters or ProjectFilters(), sort_key="folio")
        if load:
            self._reload()

    def project(self, row: int) -> ProjectSummary:
        """The project shown in ``row`` (already loaded)."""
        return self._rows[row]

    def _count(self) -> int:
        return count_projects(self._db, self._filters)

    def _fetch(self, offset: int, limit: int) -> list[ProjectSummary]:
        return list_projects(
            self._db,
            self._filters,
            sort_key=self._sort_key,
            descending=self._descending,
            offset=offset,
            limit=limit,
        )

    def cell(self, project: ProjectSummary, column: int, role: int) -> Any:
        """Display text, tooltip, raw value or the whole record of one cell."""
        spec = COLUMNS[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(project)
        if role == Qt.ItemDataRole.ToolTipRole and spec.tooltip:
            return spec.text(project)
        if role == RawRole:
            return spec.raw(project)
        if role == ProjectRole:
            return project
        return None
