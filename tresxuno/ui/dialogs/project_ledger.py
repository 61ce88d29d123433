"""One project's own Libro in a window, opened from the project record."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.i18n import _
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.entries import ProjectChoice
from tresxuno.ui.errors import show_error
from tresxuno.ui.views.ledger import LedgerView


class ProjectLedgerDialog(QDialog):
    """One project's own Libro in a window (opened from the project record)."""

    def __init__(
        self, db: Database, project_id: int, parent: QWidget | None = None, *, today: date | None = None
    ):
        super().__init__(parent)
        self.did_change = False
        self.view = LedgerView(db, self, project_id=project_id, today=today)
        self.view.changed.connect(self._mark_changed)
        choice: ProjectChoice | None = self.view.project.choice
        folio = choice.folio if choice is not None else str(project_id)
        self.setWindowTitle(_("Ledger of project {folio}").format(folio=folio))
        title = QLabel(f"{folio} — {choice.name}" if choice is not None else folio, self)
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        title.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1180, 720)

    def _mark_changed(self) -> None:
        self.did_change = True

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, project_id: int) -> bool:
        """Show the project's Libro; True when money was recorded in it."""
        try:
            dialog = cls(db, project_id, parent)
        except (InputError, StorageError) as exc:
            show_error(parent, exc)
            return False
        try:
            dialog.exec()
            return dialog.did_change
        finally:
            dialog.deleteLater()
