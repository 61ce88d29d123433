"""The audit trail in the app: a history table for one record, and the read-only Bitácora dialog.

A history lists when (local time), who (user and role), what (in words) and, field by field,
the value before and after. The Bitácora shows the whole trail and verifies it off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services import audit_text
from tresxuno.services.audit import CheckResult, HistoryItem, check_integrity, history, recent
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.tasks import Task, run_task

# The words of the trail live with the services, so the audit package's readable extract says the same.
TABLE_LABELS = audit_text.TABLE_LABELS
ACTION_LABELS = audit_text.ACTION_LABELS
when_text = audit_text.when_text
changes_text = audit_text.changes_text
_label = audit_text.column_label


def what_text(item: HistoryItem) -> str:
    """``Stage change 41 added``: the kind of row, its key and what happened to it."""
    return audit_text.what_text(item.table, item.row_id, item.action)


class HistoryTable(QTableWidget):
    """Audit records as rows: when, who, what, changes (newest first)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels([_("When"), _("Who"), _("What"), _("Before → after")])
        self.setAccessibleName(_("Change history"))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.items: list[HistoryItem] = []

    def show_items(self, items: list[HistoryItem], *, append: bool = False) -> None:
        """Show ``items`` (or add them below those shown)."""
        self.items = [*self.items, *items] if append else list(items)
        first = len(self.items) - len(items) if append else 0
        self.clearSpans()
        if not self.items:
            # Say why it is empty: rows written in bulk are audited as one batch, not per record.
            self.setRowCount(1)
            self.setSpan(0, 0, 1, self.columnCount())
            self.setItem(
                0,
                0,
                QTableWidgetItem(
                    _(
                        "No change to this record has been made through the app; "
                        "rows written in bulk (demo data) are in the audit trail "
                        "as one batch."
                    )
                ),
            )
            return
        self.setRowCount(len(self.items))
        for row, item in enumerate(self.items[first:], start=first):
            who = f"{item.username} ({_role_label(item.role)})" if item.role else item.username
            changes = changes_text(item.changes, item.action, item.table)
            for column, text in enumerate((when_text(item.at), who, what_text(item), changes)):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.seq)
                if column == 3:
                    cell.setToolTip(changes.replace("; ", "\n"))
                self.setItem(row, column, cell)


class HistoryDialog(QDialog):
    """The change history of one record and of the rows that belong to it (read-only)."""

    def __init__(self, parent: QWidget | None, db: Database, table: str, row_id: int, title: str):
        super().__init__(parent)
        self.setWindowTitle(_("Change history: {title}").format(title=title))
        self.table = HistoryTable(self)
        self.table.show_items(history(db, table, row_id))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 480)

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, table: str, row_id: int, title: str) -> None:
        """Show the history until the officer closes it."""
        cls(parent, db, table, row_id, title).exec()


class AuditLogDialog(QDialog):
    """The whole audit trail, newest first, a page at a time, with "Verify integrity"."""

    PAGE = 200

    def __init__(self, parent: QWidget | None, db: Database):
        super().__init__(parent)
        self._db = db
        self.task: Task | None = None
        self.result: CheckResult | None = None
        self.setWindowTitle(_("Audit trail"))
        self.table = HistoryTable(self)
        self.more_button = QPushButton(_("Show &older records"), self)
        self.more_button.clicked.connect(self.load_more)
        self.verify_button = QPushButton(_("&Verify integrity"), self)
        self.verify_button.setToolTip(
            _("Check the hash chain of the audit trail and that the ledger matches it")
        )
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton(_("&Export to a spreadsheet…"), self)
        self.export_button.setToolTip(
            _("Save the whole audit trail in words (local times, field names) as a CSV file for Excel")
        )
        self.export_button.clicked.connect(self.export)
        self.exported: Path | None = None
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.verify_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.more_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(1000, 560)
        self.load_more()

    def load_more(self) -> None:
        """Add the next page of older records."""
        page = recent(self._db, offset=len(self.table.items), limit=self.PAGE)
        self.table.show_items(page, append=True)
        self.more_button.setEnabled(len(page) == self.PAGE)

    def verify(self) -> None:
        """Run ``check`` off the GUI thread with a progress dialog; show what it found."""
        self.verify_button.setEnabled(False)
        self.status.setText(_("Verifying…"))
        self.task = run_task(
            self,
            _("Verifying the audit trail"),
            lambda progress, cancel: check_integrity(self._db, progress, cancel),
            on_success=self._verified,
            on_cancel=self._cancelled,
        )
        self.task.failed.connect(lambda _exc: self._cancelled())

    def export(self) -> Task | None:
        """Ask where, then write the readable trail off the GUI thread (:func:`audit_text.export_trail`)."""
        chosen = prompts.choose_save_file(self, _("Export the audit trail"), _("CSV files (*.csv)"))
        target = prompts.save_target(self, chosen, ".csv") if chosen else None
        if target is None:
            return None

        def done(records: object) -> None:
            self.exported = target
            self.status.setText(
                _("{records} record(s) written to {path}.").format(records=records, path=target)
            )

        # The save dialog already asked before replacing an existing file.
        self.task = run_task(
            self,
            _("Exporting the audit trail"),
            lambda progress, cancel: audit_text.export_trail(
                self._db, target, force=True, progress=progress, cancel=cancel
            ),
            on_success=done,
        )
        return self.task

    def _verified(self, result: CheckResult) -> None:
        self.result = result
        self.verify_button.setEnabled(True)
        if result.ok:
            self.status.setText(
                _("Intact: {records} record(s) chain correctly and {rows} ledger row(s) match them.").format(
                    records=result.records, rows=result.ledger_rows
                )
                + "".join("\n" + describe(f, with_field=False) for f in result.findings)  # overdue reintegros
            )
        else:
            assert result.problem is not None
            self.status.setText(
                _("Problem: {problem}").format(problem=describe(result.problem, with_field=False))
            )

    def _cancelled(self) -> None:
        self.verify_button.setEnabled(True)
        self.status.setText("")

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database) -> None:
        """Show the trail until the officer closes it."""
        cls(parent, db).exec()


_role_label = audit_text.role_label
