"""The data folder in Preferences: where the database, attachments and backups are, and moving them.

A move copies and verifies everything (services/data_location.py) and then tresxuno closes: the window
still holds the old database open, and work recorded there after the copy would not follow.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from tresxuno import paths
from tresxuno.i18n import _
from tresxuno.services.data_location import MoveResult, move_data_folder
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.permissions import gate
from tresxuno.ui.settings import Settings
from tresxuno.ui.tasks import Task, run_task


class DataFolderBox(QGroupBox):
    """Shows the data folder, moves it (Move…), and sets how many automatic backups are kept."""

    def __init__(self, dialog: QDialog, db: Database, settings: Settings):
        super().__init__(_("Data folder"), dialog)
        self._dialog = dialog
        self._db = db
        self._settings = settings
        self.task: Task | None = None
        self.moved: MoveResult | None = None

        self.folder = QLineEdit(str(paths.user_data_dir()), self)
        self.folder.setReadOnly(True)
        self.folder.setAccessibleName(_("Data folder"))
        self.folder.setToolTip(_("The database, attached files, logos, rule sets and backups"))
        self.move_button = QPushButton(_("&Move…"), self)
        self.move_button.setToolTip(_("Copy everything to another folder, check it, then use that folder"))
        self.move_button.clicked.connect(self.choose_and_move)
        gate(self.move_button, db, "data.move")  # the service refuses it too
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.move_button)

        self.keep = QSpinBox(self)
        self.keep.setRange(1, 100)
        self.keep.setValue(settings.backups_keep)
        self.keep.setAccessibleName(_("Automatic backups kept"))
        form = QFormLayout(self)
        form.addRow(_("Folder:"), row)
        form.addRow(_("Automatic backups &kept:"), self.keep)
        form.labelForField(self.keep).setBuddy(self.keep)  # type: ignore[union-attr]

    def _database_in_folder(self) -> Path | None:
        path = self._db.path
        if path is not None and path.resolve().parent == paths.user_data_dir().resolve():
            return path
        return None

    def choose_and_move(self) -> Task | None:
        """Ask for the new folder, confirm, then copy and verify off the GUI thread."""
        chosen = prompts.choose_folder(self, _("Move the data to"), str(paths.user_data_dir().parent))
        if not chosen:
            return None
        target = Path(chosen)
        question = _(
            "Copy the database, attached files and backups to {folder} and use that folder from now "
            "on?\n\nEverything is checked before the switch; the current folder is left as it is. "
            "tresxuno closes when done; start it again."
        )
        if not prompts.confirm(self, _("Move the data folder"), question.format(folder=target)):
            return None
        database = self._database_in_folder()
        source = paths.user_data_dir()

        def work(progress, cancel) -> MoveResult:
            return move_data_folder(
                target, source=source, database=database, db=self._db, progress=progress, cancel=cancel
            )

        self.task = run_task(self, _("Moving the data folder"), work, on_success=self._moved)
        return self.task

    def _moved(self, result: object) -> None:
        self.task = None
        moved: MoveResult = result  # type: ignore[assignment]
        self.moved = moved
        if moved.database is not None and self._settings.database_url:
            self._settings.database_url = str(moved.database)  # a remembered path follows the move
        self.folder.setText(str(moved.folder))
        prompts.message(
            self,
            prompts.Icon.Information,
            _("Data folder moved"),
            _(
                "The data is now in {folder}. tresxuno will close; start it again to go on "
                "working there. The old folder was left as it was: delete it when you no longer "
                "need it."
            ).format(folder=moved.folder),
        )
        self._dialog.reject()
        top = self._dialog.parentWidget()
        if isinstance(top, QWidget):
            QTimer.singleShot(0, top.window().close)
