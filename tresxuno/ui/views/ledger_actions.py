"""The Libro's actions: recording money, reversing, receipts, rates, closing a year, and who may."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QMenu,
    QPushButton,
)

from tresxuno.domain.ledger import CONTRIBUTION, EntryRecord
from tresxuno.i18n import _
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.close_year import CloseYearDialog
from tresxuno.ui.dialogs.entries import (
    ContributionDialog,
    EntryDialog,
    PaymentDialog,
    RefundDialog,
    ReversalDialog,
)
from tresxuno.ui.dialogs.rates import RatesDialog
from tresxuno.ui.models.ledger import LedgerTableModel
from tresxuno.ui.permissions import allowed, gate, needs_text
from tresxuno.ui.tasks import Task


class LedgerActions:
    """The actions of :class:`~tresxuno.ui.views.ledger.LedgerView`, their buttons, menu and gating."""

    _db: Database
    _today: date | None
    model: LedgerTableModel
    record_buttons: list[QPushButton]
    empty_record: QPushButton
    report_task: Task | None

    def _action(self, text: str, tip: str, slot: Callable[[], object], keys: str = "") -> QAction:
        action = QAction(text, self)
        action.setToolTip(
            tip
            + (f" ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})" if keys else "")
        )
        action.setStatusTip(tip)
        if keys:
            action.setShortcut(QKeySequence(keys))
            # Only while this page (or the project's own Libro) is shown.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.contribution_action = self._action(
            _("Record &contribution…"),
            _("A party deposited money into a project (Ctrl+N too)"),
            self.record_contribution,
            "Ctrl+Shift+C",
        )
        self.payment_action = self._action(
            _("Record &payment…"),
            _("Money paid out of a project, with its CFDI invoice or receipt"),
            self.record_payment,
            "Ctrl+Shift+P",
        )
        self.refund_action = self._action(
            _("Record re&fund…"),
            _("Unspent or disallowed money given back to a party (reintegro)"),
            self.record_refund,
            "Ctrl+Shift+D",
        )
        self.reverse_action = self._action(
            _("Re&verse entry…"),
            _("Cancel the selected entry with a reversing entry; it asks why"),
            self.reverse_selected,
            "Ctrl+Shift+R",
        )
        self.rates_action = self._action(
            _("E&xchange rates…"),
            _("Dollar exchange rates: add one, or import Banxico's FIX series"),
            self.show_rates,
            "Ctrl+Shift+X",
        )
        self.close_year_action = self._action(
            _("Close fiscal &year…"),
            _("Lock a fiscal year and list the federal money to refund"),
            self.close_year,
        )
        self.export_action = self._action(
            _("&Export ledger…"),
            _("Write the ledger to CSV, XLSX, beancount or ledger"),
            self.export_ledger,
            "Ctrl+Shift+E",
        )
        self.receipt_action = self._action(
            _("Print r&eceipt…"),
            _("The bilingual receipt of the selected contribution (Ctrl+P)"),
            self.print_receipt,
        )

    def _button(self, action: QAction) -> QPushButton:
        button = QPushButton(action.text(), self)
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        return button

    def actions_menu(self, menu: QMenu | None = None) -> QMenu:
        """Every action of the page, and the column chooser (the table's context menu and “More”)."""
        if menu is None:
            menu = QMenu(_("Ledger"), self)
        menu.clear()
        for action in (self.contribution_action, self.payment_action, self.refund_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.reverse_action)
        menu.addAction(self.receipt_action)
        menu.addSeparator()
        for action in (self.rates_action, self.close_year_action, self.export_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addMenu(self.columns_menu())
        return menu

    def _gate_by_role(self) -> None:
        """Recording is the treasury's: other roles see the buttons greyed, naming the role needed."""
        pairs = (
            (self.contribution_action, "ledger.record_contribution"),
            (self.payment_action, "ledger.record_payment"),
            (self.refund_action, "ledger.record_refund"),
        )
        for (action, permission), button in zip(pairs, self.record_buttons, strict=False):
            if permission == "ledger.record_refund" and allowed(self._db, "ledger.authorise_closed"):
                continue  # an administrador refunds on closed projects (the service checks which)
            gate(action, self._db, permission)
            gate(button, self._db, permission)
        gate(self.empty_record, self._db, "ledger.record_contribution")
        gate(self.rates_action, self._db, "rates.edit")
        if not gate(self.close_year_action, self._db, "ledger.close_year"):
            # An administrador opens it too, to record an exception to a year-end reintegro.
            gate(self.close_year_action, self._db, "ledger.reintegro_exception")

    def _update_actions(self) -> None:
        entry = self.selected_entry()
        self.reverse_action.setEnabled(entry is not None and entry.reversed_by is None)
        self.record_buttons[3].setEnabled(self.reverse_action.isEnabled())
        tip = self.reverse_action.toolTip()
        if entry is not None and entry.reversed_by is not None:
            tip = _("Entry No. {id} was already reversed by entry No. {by}").format(
                id=entry.id, by=entry.reversed_by
            )
        elif entry is None:
            tip = _("Select the entry to reverse in the table first")
        self.record_buttons[3].setToolTip(tip)
        if not allowed(self._db, "ledger.reverse_entry") and not allowed(self._db, "ledger.authorise_closed"):
            self.reverse_action.setEnabled(False)
            self.record_buttons[3].setEnabled(False)
            self.record_buttons[3].setToolTip(needs_text("ledger.reverse_entry"))
        self.receipt_action.setEnabled(entry is not None and entry.kind == CONTRIBUTION)
        self.actions_changed.emit()

    # -- actions ---------------------------------------------------------------------------------

    def _current_project(self) -> int | None:
        return self.balance_project()

    def _recorded(self, record: EntryRecord | None) -> None:
        if record is None:
            return
        self.refresh()
        self.select_entry(record.id)
        self.changed.emit()

    def _record(self, dialog: type[EntryDialog]) -> EntryRecord | None:
        record = dialog.ask(self.window(), self._db, project_id=self._current_project(), today=self._today)
        self._recorded(record)
        return record

    def new_record(self) -> None:
        """File > New (Ctrl+N): record a contribution."""
        self.record_contribution()

    def record_contribution(self) -> EntryRecord | None:
        """Record a party's deposit (for the project filtered on or selected, if any)."""
        return self._record(ContributionDialog)

    def record_payment(self) -> EntryRecord | None:
        """Record a payment with its CFDI invoice or receipt."""
        return self._record(PaymentDialog)

    def record_refund(self) -> EntryRecord | None:
        """Record a refund (reintegro) to a party."""
        return self._record(RefundDialog)

    def reverse_selected(self) -> EntryRecord | None:
        """Reverse the selected entry (asks the reason and the date)."""
        entry = self.selected_entry()
        if entry is None:
            prompts.message(
                self.window(),
                prompts.Icon.Information,
                _("Reverse entry"),
                _("Select the entry to reverse in the table first."),
            )
            return None
        if entry.reversed_by is not None:
            prompts.message(
                self.window(),
                prompts.Icon.Information,
                _("Reverse entry"),
                _("Entry No. {id} was already reversed by entry No. {by}").format(
                    id=entry.id, by=entry.reversed_by
                ),
            )
            return None
        record = ReversalDialog.ask(self.window(), self._db, entry, today=self._today)
        self._recorded(record)
        return record

    def print_receipt(self) -> Task | None:
        """Prepare the receipt of the selected contribution and open its preview."""
        from tresxuno.ui.reporting import ReportOrder, file_name, start_report

        entry = self.selected_entry()
        if entry is None or entry.kind != CONTRIBUTION:
            prompts.message(
                self.window(),
                prompts.Icon.Information,
                _("Print receipt"),
                _("Select a contribution in the table first: receipts are printed for contributions."),
            )
            return None
        order = ReportOrder("receipt", file_name("receipt", entry.id), {"entry_id": entry.id})
        self.report_task = start_report(self.window(), self._db, order)
        return self.report_task

    def print_current(self) -> None:
        """Ctrl+P: the receipt of the selected contribution."""
        self.print_receipt()

    def can_print(self) -> bool:
        """Print applies while a contribution is selected."""
        entry = self.selected_entry()
        return entry is not None and entry.kind == CONTRIBUTION

    def show_rates(self) -> None:
        """The exchange-rate table: add a rate, import Banxico's FIX series."""
        RatesDialog.ask(self.window(), self._db, today=self._today)

    def close_year(self) -> None:
        """Close a fiscal year and see the unspent federal money per project."""
        if CloseYearDialog.ask(self.window(), self._db, today=self._today) is not None:
            self.refresh()
            self.changed.emit()
