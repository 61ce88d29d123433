"""Consolidation in the window: which office a package comes from, and the conflicts it meets.

:class:`ImportPackageDialog` asks the state office's administrator for the package and the office
that sent it (only offices with a registered key can send one). :class:`ConflictsDialog` shows each
record the package would change that was changed here too, both versions side by side, and lets the
administrator decide for all of them: keep this database's versions, or accept the office's.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import StorageError
from tresxuno.i18n import N_, _
from tresxuno.services.audit_text import TABLE_LABELS, column_label
from tresxuno.services.consolidation_import import Conflict
from tresxuno.services.offices import list_offices
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error

#: Why a record is in conflict, as the administrator reads it.
REASONS = {
    "changed_here": N_("changed here since the office last sent it"),
    "duplicate": N_("another row here has the same key"),
    "unknown_row": N_("the row it changes is not here"),
    "missing_reference": N_("it refers to a row that is not here"),
}


class ImportPackageDialog(QDialog):
    """The package file and the office that sent it."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Import an office's package"))
        self.office = QComboBox(self)
        self.office.setAccessibleName(_("Office"))
        try:
            for info in list_offices(db):
                if info.public_key:
                    self.office.addItem(f"{info.name} ({info.code})", info.code)
        except StorageError as exc:
            show_error(self, exc)
        self.file = QLineEdit(self)
        self.file.setPlaceholderText(_("The .zip file the office sent"))
        choose = QPushButton(_("Choose…"), self)
        choose.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(choose)
        form = QFormLayout()
        form.addRow(_("&Office:"), self.office)
        form.addRow(_("&Package:"), row)
        self.hint = QLabel(
            _("Only offices whose public key is registered (Administration > Offices) can send packages.")
            if self.office.count()
            else _("No office has a public key registered: register the key the office prints first."),
            self,
        )
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Import"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self.file.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        ready = bool(self.file.text().strip()) and self.office.count() > 0
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)

    def choose_file(self) -> None:
        """Ask for the package file."""
        path = prompts.choose_open_file(self, _("Import an office's package"), _("Packages (*.zip)"), "")
        if path:
            self.file.setText(path)

    def chosen(self) -> tuple[str, Path]:
        """The office's key and the package file."""
        return self.office.currentData(), Path(self.file.text().strip()).expanduser()


def version_text(text: str) -> str:
    """One version of a conflicting row, a field per line with its label ("—" for none)."""
    try:
        values = json.loads(text) if text else {}
    except ValueError:
        return text
    if not values:
        return _("(none)")
    return "\n".join(f"{column_label(k)}: {'' if v is None else v}" for k, v in values.items())


class ConflictsDialog(QDialog):
    """Every conflict of a package, both versions side by side; the decision is for all of them."""

    def __init__(self, conflicts: tuple[Conflict, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.decision: str | None = None
        self.setWindowTitle(_("The package meets other versions here"))
        intro = QLabel(
            _(
                "{count} records of the package were changed here too. Nothing was imported. Compare "
                "both versions and decide for all of them; the decision and both versions are kept."
            ).format(count=len(conflicts)),
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(conflicts), 4, self)
        self.table.setAccessibleName(_("Conflicts"))
        self.table.setHorizontalHeaderLabels(
            [_("Row at the office"), _("Why"), _("The office's version"), _("This database's version")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        for r, c in enumerate(conflicts):
            texts = (
                f"{_(TABLE_LABELS[c.table]) if c.table in TABLE_LABELS else c.table} {c.origin_id}",
                _(REASONS.get(c.reason, c.reason)),
                version_text(c.theirs),
                version_text(c.ours),
            )
            for col, text in enumerate(texts):
                self.table.setItem(r, col, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        self.table.setColumnWidth(0, self.fontMetrics().averageCharWidth() * 22)
        self.table.setColumnWidth(1, self.fontMetrics().averageCharWidth() * 30)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        self.keep_button = QPushButton(_("&Keep this database's versions"), self)
        self.accept_button = QPushButton(_("&Accept the office's versions"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.accept_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button.clicked.connect(lambda: self._decide("ours"))
        self.accept_button.clicked.connect(lambda: self._decide("theirs"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 480)

    def _decide(self, decision: str) -> None:
        self.decision = decision
        self.accept()
