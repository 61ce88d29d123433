"""The audit trail in the app: a history table for one record, and the read-only Bitácora dialog.

A history lists when (local time), who (user and role), what (in words) and, field by field,
the value before and after. The Bitácora shows the whole trail and verifies it off the GUI thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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

from tresxuno.domain.audit import FieldChange
from tresxuno.formatting import datetime_text, money_text, stage_label
from tresxuno.i18n import N_, _
from tresxuno.messages import describe, field_label
from tresxuno.services.audit import CheckResult, HistoryItem, check_integrity, history, recent
from tresxuno.services.store import Database
from tresxuno.ui.tasks import Task, run_task

#: What a row of each table is, in words.
TABLE_LABELS: dict[str, str] = {
    "clubs": N_("Club"),
    "federations": N_("Federation"),
    "projects": N_("Project"),
    "project_shares": N_("Share"),
    "stage_changes": N_("Stage change"),
    "attachments": N_("Document"),
    "ledger_entries": N_("Ledger entry"),
    "ledger_allocations": N_("Allocation line"),
    "exchange_rates": N_("Exchange rate"),
    "fiscal_years": N_("Fiscal year"),
    "settings": N_("Setting"),
    "rule_sets": N_("Rule set"),
    "covam_sessions": N_("COVAM session"),
    "covam_agenda": N_("COVAM ruling"),
    "covam_attendees": N_("COVAM attendee"),
    "project_progress": N_("Progress report"),
    "municipalities": N_("Municipality"),
    "users": N_("User"),
    "project_goals": N_("Goal"),
    "project_convenio_terms": N_("Convenio terms"),
}
ACTION_LABELS: dict[str, str] = {"insert": N_("added"), "update": N_("changed"), "delete": N_("removed")}
#: Columns holding centavos MXN, shown as money.
_MONEY_COLUMNS = frozenset({"amount", "cost", "partner_amount"})
#: Columns holding a stage id (or a COVAM ruling), shown by the stage's name.
_STAGE_COLUMNS = frozenset({"stage", "from_stage", "to_stage", "ruling"})
#: Labels of columns that problems never point at (the others come from ``messages.FIELD_LABELS``).
_COLUMN_LABELS: dict[str, str] = {
    "from_stage": N_("From"),
    "to_stage": N_("To"),
    "changed_at": N_("Date"),
    "held_on": N_("Date"),
    "changed_by": N_("User"),
    "comment": N_("Comment"),
    "kind": N_("Type"),
    "concept": N_("Concept"),
    "reason": N_("Reason"),
    "folio": N_("Folio"),
    "percent_bp": N_("Percentage (basis points)"),
    "original_name": N_("File"),
}
#: Columns an added row does not list: its key and the parent the history is already about.
_KEY_COLUMNS = frozenset({"id", "project_id", "session_id", "created_at", "created_by"})


def when_text(at: datetime) -> str:
    """A UTC time as the officer's local date and time."""
    local = at.replace(tzinfo=UTC).astimezone()
    return datetime_text(local, seconds=True)


def what_text(item: HistoryItem) -> str:
    """``Stage change 41 added``: the kind of row, its key and what happened to it."""
    label = TABLE_LABELS.get(item.table)
    kind = _(label) if label else item.table
    action = _(ACTION_LABELS.get(item.action, item.action))
    if item.row_id is None:
        return _("{kind}: rows added in bulk").format(kind=kind)
    return f"{kind} {item.row_id} {action}"


def _value_text(column: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if column in _STAGE_COLUMNS and isinstance(value, str):
        return stage_label(value)
    if column in _MONEY_COLUMNS and isinstance(value, int) and not isinstance(value, bool):
        return money_text(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _label(column: str) -> str:
    label = _COLUMN_LABELS.get(column)
    return _(label) if label else field_label(column)


def changes_text(changes: tuple[FieldChange, ...], action: str = "update") -> str:
    """``Members: 35 → 60; Name: … → …``, one part per field that changed.

    An added row lists its values (``To: Prevalidated``), a removed one what it held.
    """
    if action == "insert":
        return "; ".join(
            f"{_label(c.column)}: {_value_text(c.column, c.after)}"
            for c in changes
            if c.column not in _KEY_COLUMNS
        )
    if action == "delete":
        return "; ".join(
            f"{_label(c.column)}: {_value_text(c.column, c.before)}"
            for c in changes
            if c.column not in _KEY_COLUMNS
        )
    return "; ".join(
        f"{_label(c.column)}: {_value_text(c.column, c.before)} → {_value_text(c.column, c.after)}"
        for c in changes
    )


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
            changes = changes_text(item.changes, item.action)
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
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.verify_button)
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


def _role_label(role: str) -> str:
    """The role's name in the language in force; an unknown id (an older database) as stored."""
    from tresxuno.domain.roles import ROLE_LABELS, Role

    try:
        return _(ROLE_LABELS[Role(role)])
    except ValueError:
        return role
