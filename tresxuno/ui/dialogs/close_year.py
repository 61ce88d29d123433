"""Close a fiscal year: nothing dated in it can be recorded afterwards; unspent federal money is listed.

Closing cannot be undone, so the officer confirms it first. The result lists, per project of that
fiscal year, the federal money received and neither spent nor refunded: it must go back to the
federal treasury (TESOFE), which is done with a refund entry dated in an open year.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.ledger import FiscalYearClose
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import date_text, money_text
from tresxuno.i18n import _, ngettext
from tresxuno.services.ledger import close_fiscal_year, closed_years
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.entries import add_field, hint_label
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: First fiscal year offered: the federal 3x1 programme started in 2002.
FIRST_YEAR = 2002
#: The raw value behind a row (the :class:`UnspentFederal` record), for code and tests.
RawRole = Qt.ItemDataRole.UserRole


class CloseYearDialog(QDialog):
    """Pick a year, confirm, close it, and see the federal money each project must refund."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self._db = db
        self._today = today or date.today()
        self.result_close: FiscalYearClose | None = None
        self.setWindowTitle(_("Close fiscal year"))
        try:
            self.closed = closed_years(db)
        except StorageError as exc:
            show_error(parent, exc)
            self.closed = []
        intro = hint_label(self)
        intro.setText(
            _(
                "Once a fiscal year is closed, no entry dated in it can be recorded or reversed; "
                "corrections are booked in an open year. This cannot be undone."
            )
        )
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        form = QFormLayout()
        self.year = QComboBox(self)
        for year in range(self._today.year, FIRST_YEAR - 1, -1):
            if year not in self.closed:
                self.year.addItem(str(year), year)
        # The year just ended is the usual one to close.
        self.year.setCurrentIndex(max(self.year.findData(self._today.year - 1), 0))
        self.closed_label = hint_label(self)
        add_field(
            form, self.errors, "year", _("&Fiscal year:"), self.year, stretch=False, hint=self.closed_label
        )
        self._show_closed()
        self.close_button = QPushButton(_("&Close the fiscal year…"), self)
        self.close_button.clicked.connect(self.close_year)
        self.result_label = hint_label(self)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(
            [_("Folio"), _("Project"), _("Federal received"), _("Paid"), _("Refunded"), _("To refund")]
        )
        self.table.setAccessibleName(_("Unspent federal money per project"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in range(2, 6):
            item = self.table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.table.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result_label)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # takes the room only while the table is hidden
        layout.addWidget(self.buttons)
        self.close_button.setEnabled(self.year.count() > 0)
        self.resize(820, 520)

    def _show_closed(self) -> None:
        years = ", ".join(str(y) for y in self.closed)
        self.closed_label.setText(
            _("Already closed: {years}").format(years=years) if years else _("No fiscal year is closed yet.")
        )

    def close_year(self) -> FiscalYearClose | None:
        """Confirm, close the chosen year and show what federal money is left; None if not closed."""
        year = self.year.currentData()
        if year is None:
            return None
        if not prompts.confirm(
            self,
            _("Close fiscal year {year}").format(year=year),
            _(
                "Close fiscal year {year}? No entry dated in {year} can be recorded or reversed afterwards. "
                "This cannot be undone."
            ).format(year=year),
        ):
            return None
        try:
            result = close_fiscal_year(self._db, year, user=current_actor().username, today=self._today)
        except InputError as exc:
            self.errors.show(exc.problems)
            return None
        except StorageError as exc:
            show_error(self, exc)
            return None
        self.errors.clear()
        self.result_close = result
        self.show_result(result)
        return result

    def show_result(self, result: FiscalYearClose) -> None:
        """The year is closed: say so, and list the unspent federal money per project."""
        self.year.removeItem(self.year.findData(result.year))
        self.closed = sorted({*self.closed, result.year})
        self._show_closed()
        self.close_button.setEnabled(self.year.count() > 0)
        unspent = result.unspent_federal
        total = sum(u.unspent for u in unspent)
        text = _("Fiscal year {year} was closed on {date} by {user}.").format(
            year=result.year, date=date_text(result.closed_at), user=result.closed_by or "?"
        )
        if unspent:
            text += " " + ngettext(
                "{count} project holds federal money neither spent nor refunded, {total} in all; it must be "
                "refunded to the federal treasury (record a refund to the federal party in the project).",
                "{count} projects hold federal money neither spent nor refunded, {total} in all; it must be "
                "refunded to the federal treasury (record a refund to the federal party in each project).",
                len(unspent),
            ).format(count=len(unspent), total=money_text(total))
        else:
            text += " " + _("No project of that year holds unspent federal money.")
        self.result_label.setText(text)
        self.table.setRowCount(len(unspent) + (1 if unspent else 0))
        for row, line in enumerate(unspent):
            cells = (
                line.folio,
                line.name,
                money_text(line.received),
                money_text(line.paid),
                money_text(line.refunded),
                money_text(line.unspent),
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column >= 2:
                    item.setTextAlignment(_RIGHT)
                if column in (0, 1):
                    item.setToolTip(f"{line.folio} — {line.name}")
                item.setData(RawRole, line)
                self.table.setItem(row, column, item)
        if unspent:
            font = QFont(self.font())
            font.setBold(True)
            for column, value in enumerate(
                (
                    _("Total"),
                    "",
                    money_text(sum(u.received for u in unspent)),
                    money_text(sum(u.paid for u in unspent)),
                    money_text(sum(u.refunded for u in unspent)),
                    money_text(total),
                )
            ):
                item = QTableWidgetItem(value)
                item.setFont(font)
                if column >= 2:
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(len(unspent), column, item)
        self.table.setVisible(bool(unspent))

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, *, today: date | None = None
    ) -> FiscalYearClose | None:
        """Show the dialog; the close made in it, or None when no year was closed."""
        dialog = cls(db, parent, today=today)
        try:
            dialog.exec()
            return dialog.result_close
        finally:
            dialog.deleteLater()
