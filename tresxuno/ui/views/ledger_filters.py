"""The Libro's filters: project, fiscal year, type, party and dates, kept across a page rebuild."""

from __future__ import annotations

from contextlib import suppress
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
)

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import _
from tresxuno.ui.dialogs.entries import ProjectPicker
from tresxuno.ui.models.ledger import LedgerFilters, LedgerTableModel
from tresxuno.ui.widgets.date_field import DateField


class LedgerFilterControls:
    """The filter controls of :class:`~tresxuno.ui.views.ledger.LedgerView` and what they describe."""

    _fixed_project: int | None
    model: LedgerTableModel
    project: ProjectPicker
    year: QComboBox
    kind: QComboBox
    party: QComboBox
    start: QDateEdit
    end: QDateEdit

    def _date(self, label: str) -> QDateEdit:
        edit = DateField(self)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        # The lowest date stands for "no limit" and shows as such.
        edit.setMinimumDate(QDate(1990, 1, 1))
        edit.setMaximumDate(QDate(2100, 12, 31))
        edit.setSpecialValueText(_("any"))
        edit.setDate(edit.minimumDate())
        edit.setAccessibleName(label)
        edit.setToolTip(_("“any”: no limit; type a date as dd/mm/yyyy or pick it from the calendar"))
        edit.dateChanged.connect(lambda _d: self.apply_filters())
        return edit

    # -- filters ---------------------------------------------------------------------------------

    @staticmethod
    def _day(edit: QDateEdit) -> date | None:
        if edit.date() == edit.minimumDate():
            return None
        value = edit.date()
        return date(value.year(), value.month(), value.day())

    def filters(self) -> LedgerFilters:
        """The filters the controls describe now."""
        choice = self.project.choice
        project_id = self._fixed_project
        if project_id is None and choice is not None:
            project_id = choice.id
        return LedgerFilters(
            project_id=project_id,
            fiscal_year=self.year.currentData(),
            kind=self.kind.currentData(),
            party=self.party.currentData(),
            start=self._day(self.start),
            end=self._day(self.end),
        )

    def apply_filters(self, *, force: bool = False) -> None:
        """Show the entries matching the controls (runs the query now)."""
        filters = self.filters()
        if force or filters != self.model.filters:
            if filters == self.model.filters:
                self.model.refresh()
            else:
                self.model.set_filters(filters)
        self._show_balance()

    def clear_filters(self) -> None:
        """Back to every entry (of the fixed project, in the project's own Libro)."""
        for widget in (self.year, self.kind, self.party, self.start, self.end):
            widget.blockSignals(True)
        for combo in (self.year, self.kind, self.party):
            combo.setCurrentIndex(0)
        for edit in (self.start, self.end):
            edit.setDate(edit.minimumDate())
        for widget in (self.year, self.kind, self.party, self.start, self.end):
            widget.blockSignals(False)
        if self._fixed_project is None:
            self.project.blockSignals(True)
            self.project.set_project_id(None)
            self.project.blockSignals(False)
        self.apply_filters()

    def view_state(self) -> dict[str, object]:
        """Filters to put back on a rebuilt page, the chosen project included."""
        state = super().view_state()
        state["start"], state["end"] = self.start.date(), self.end.date()
        choice = self.project.choice
        state["project_id"] = choice.id if choice else None
        return state

    def restore_view_state(self, state: dict[str, object]) -> None:
        """Put back what :meth:`view_state` kept."""
        state = dict(state)
        for name in ("start", "end"):
            value = state.pop(name, None)
            if isinstance(value, QDate):
                getattr(self, name).setDate(value)
        project_id = state.pop("project_id", None)
        if isinstance(project_id, int) and self._fixed_project is None:
            # The project may be gone (a restored backup): then the whole ledger is shown.
            with suppress(InputError, StorageError):
                self.project.set_project_id(project_id)
        super().restore_view_state(state)
