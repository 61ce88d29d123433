"""Close a fiscal year: nothing dated in it can be recorded afterwards; unspent federal money is listed.

Before closing, the dialog lists the year's required reintegros (federal money unspent on 31
December, due to TESOFE by 15 January: LDF art. 17) with deadline and status; an administrador may
record an exception with its reason, and the service refuses to close while one is missing.

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
from tresxuno.domain.year_end import ReintegroStatus, RequiredReintegro, reintegro_deadline, status_label
from tresxuno.formatting import date_text, money_text
from tresxuno.i18n import _, ngettext
from tresxuno.services.ledger import close_fiscal_year, closed_years
from tresxuno.services.store import Database
from tresxuno.services.year_end import record_reintegro_exception, required_reintegros
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.authorised_exception import AuthorisedExceptionDialog
from tresxuno.ui.dialogs.entries import add_field, hint_label
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.permissions import allowed, gate

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
        self.reintegros_label = hint_label(self)
        self.reintegros = _table(
            self,
            [_("Folio"), _("Project"), _("To refund"), _("Deadline"), _("Status"), _("Refund or exception")],
            _("Reintegros of federal money to TESOFE"),
            money_columns=(2,),
            stretch=1,
        )
        self.reintegros.itemSelectionChanged.connect(self._update_exception_button)
        self.exception_button = QPushButton(_("Record an &exception…"), self)
        self.exception_button.setToolTip(
            _(
                "An administrador records why the selected project's reintegro is not made, so the year may close"
            )
        )
        self.exception_button.clicked.connect(self.record_exception)
        self._may_except = allowed(db, "ledger.reintegro_exception")
        self.year.currentIndexChanged.connect(self.refresh_reintegros)
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
        layout.addWidget(self.reintegros_label)
        layout.addWidget(self.reintegros, 1)
        layout.addWidget(self.exception_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result_label)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # takes the room only while the table is hidden
        layout.addWidget(self.buttons)
        self._update_close_button()
        self.refresh_reintegros()
        self.resize(900, 640)  # fits 1366×768 with the window frame and the taskbar

    def _update_close_button(self) -> None:
        if gate(self.close_button, self._db, "ledger.close_year"):
            self.close_button.setEnabled(self.year.count() > 0)

    def refresh_reintegros(self, *_args: object, year: int | None = None) -> None:
        """List the chosen year's required reintegros with deadline and status."""
        year = year if year is not None else self.year.currentData()
        owed: list[RequiredReintegro] = []
        if year is not None:
            try:
                owed = required_reintegros(self._db, year, today=self._today)
            except StorageError as exc:
                show_error(self, exc)
        self.shown_year = year
        if year is None:
            self.reintegros_label.setText("")
        elif owed:
            self.reintegros_label.setText(
                _(
                    "Federal money unspent on 31 December {year} must be refunded to TESOFE by {deadline} "
                    "(a refund to the federal party with its línea de captura), or excepted by an administrador:"
                ).format(year=year, deadline=date_text(reintegro_deadline(year)))
            )
        else:
            self.reintegros_label.setText(
                _(
                    "No project of {year} held unspent federal money on 31 December: no reintegro is due."
                ).format(year=year)
            )
        self.reintegros.setRowCount(len(owed))
        for row, r in enumerate(owed):
            if r.refund_date is not None:
                detail = _("{date}, reference {reference}").format(
                    date=date_text(r.refund_date), reference=r.refund_reference
                )
            elif r.exception is not None:
                detail = _("{by}: {reason}").format(by=r.exception.authorised_by, reason=r.exception.reason)
            elif r.refunded:
                detail = _("{refunded} refunded so far").format(refunded=money_text(r.refunded))
            else:
                detail = ""
            status = status_label(r.status)
            if r.overdue:
                status = _("{status} (overdue)").format(status=status)
            cells = (r.folio, r.name, money_text(r.amount), date_text(r.deadline), status, detail)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 2:
                    item.setTextAlignment(_RIGHT)
                item.setToolTip(value)
                item.setData(RawRole, r)
                self.reintegros.setItem(row, column, item)
        self.reintegros.setVisible(bool(owed))
        self.exception_button.setVisible(bool(owed))
        self._update_exception_button()

    def selected_reintegro(self) -> RequiredReintegro | None:
        """The reintegro of the selected row, if any."""
        rows = self.reintegros.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.reintegros.item(rows[0].row(), 0)
        value = item.data(RawRole) if item is not None else None
        return value if isinstance(value, RequiredReintegro) else None

    def _update_exception_button(self) -> None:
        chosen = self.selected_reintegro()
        self.exception_button.setEnabled(
            self._may_except and chosen is not None and chosen.status is ReintegroStatus.MISSING
        )
        if not self._may_except:
            gate(self.exception_button, self._db, "ledger.reintegro_exception")

    def record_exception(self) -> bool:
        """Ask the reason and who authorised it, record the exception for the selected reintegro."""
        chosen = self.selected_reintegro()
        year = self.shown_year
        if chosen is None or year is None:
            return False
        dialog = ReintegroExceptionDialog(self._db, year, chosen, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
        finally:
            dialog.deleteLater()
        self.refresh_reintegros()
        return True

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
        self._update_close_button()
        self.refresh_reintegros(year=result.year)  # what the closed year required, and how it ended
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


class ReintegroExceptionDialog(AuthorisedExceptionDialog):
    """An administrador records why one project's reintegro is not made: reason and who authorised it."""

    def __init__(self, db: Database, year: int, reintegro: RequiredReintegro, parent: QWidget | None = None):
        intro = _(
            "Project {folio} had {amount} of federal money unspent on 31 December {year}, due to TESOFE "
            "by {deadline}. Record why it is not refunded; the exception is kept in the audit trail."
        ).format(
            folio=reintegro.folio,
            amount=money_text(reintegro.amount),
            year=year,
            deadline=date_text(reintegro.deadline),
        )

        def record(reason: str, authorised_by: str) -> object:
            return record_reintegro_exception(
                db, year, reintegro.project_id, reason, authorised_by, user=current_actor().username
            )

        super().__init__(
            parent,
            _("Exception to a federal reintegro"),
            intro,
            record,
            authoriser_label=_("&Authorised by:"),
        )


def _table(
    parent: QWidget, headers: list[str], name: str, *, money_columns: tuple[int, ...], stretch: int
) -> QTableWidget:
    """A read-only table of records, one row each, resized to its contents but for ``stretch``."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for column in money_columns:
        item = table.horizontalHeaderItem(column)
        if item is not None:
            item.setTextAlignment(_RIGHT)
    return table
