"""The project record: one project's stage and the moves allowed from it, over tabs of its whole record.

Each move asks for a comment and goes through the services; the tabs live in ``project_record_*``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.domain.roles import stage_action
from tresxuno.domain.stages import MAIN_ROAD, TRANSITIONS, Stage
from tresxuno.formatting import stage_label
from tresxuno.i18n import _
from tresxuno.services.attachments import ChecklistItem, project_checklist
from tresxuno.services.audit import history as audit_history
from tresxuno.services.ministraciones import ProjectCalendar
from tresxuno.services.project_requests import submit_draft
from tresxuno.services.projects import EDITABLE, ProjectOverview, project_overview
from tresxuno.services.stages import move_project
from tresxuno.services.store import Database
from tresxuno.services.works import ProgressInfo, progress_history
from tresxuno.ui.dialogs.audit import HistoryTable
from tresxuno.ui.dialogs.project import ProjectDialog, bold
from tresxuno.ui.dialogs.technical_validation import TechnicalValidationDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.permissions import gate
from tresxuno.ui.tasks import Task
from tresxuno.ui.views.project_record_amendments import RecordAmendments
from tresxuno.ui.views.project_record_committee import RecordCommittee
from tresxuno.ui.views.project_record_convenio import RecordConvenio
from tresxuno.ui.views.project_record_documents import RecordDocuments
from tresxuno.ui.views.project_record_ministraciones import RecordMinistraciones
from tresxuno.ui.views.project_record_padron import RecordPadron
from tresxuno.ui.views.project_record_printing import RecordPrinting
from tresxuno.ui.views.project_record_progress import RecordProgress
from tresxuno.ui.views.project_record_progress import money_to_date as money_to_date  # its money column
from tresxuno.ui.views.project_record_summary import RawRole as RawRole
from tresxuno.ui.views.project_record_summary import RecordSummaryTabs

#: Moves that undo or refuse work: the officer must say why (shown apart, in this order).
_NEEDS_REASON = (Stage.DEVUELTO, Stage.RECHAZADO, Stage.CANCELADO)


class CommentDialog(QDialog):
    """Ask the comment recorded with a stage move (required for returns, rejections and cancellations)."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, *, required: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.required = required
        self.prompt = QLabel(prompt, self)
        self.prompt.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(_("Comment"))
        self.prompt.setBuddy(self.text)
        self.error = QLabel(self)
        self.errors = FieldErrors(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.text)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, 220)

    def try_accept(self) -> None:
        """Close with the comment, unless one is required and missing."""
        if self.required and not self.text.toPlainText().strip():
            self.error.setText(_("Please say why; the reason is kept in the project's history."))
            self.error.show()
            self.text.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str, *, required: bool = False) -> str | None:
        """The comment typed, or None when the officer cancels."""
        dialog = cls(parent, title, prompt, required=required)
        try:
            return dialog.text.toPlainText().strip() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class ProjectRecord(
    RecordSummaryTabs,
    RecordDocuments,
    RecordProgress,
    RecordMinistraciones,
    RecordPrinting,
    RecordAmendments,
    RecordCommittee,
    RecordConvenio,
    RecordPadron,
    QDialog,
):
    """One project's whole record, with the stage moves allowed from where it stands.

    Args:
        db: the open database.
        project_id: the project to show.
        parent: the window it belongs to.
        today: the day treated as today (date of a request submitted from here, progress dates).

    Raises:
        InputError: no such project. StorageError: the database cannot be read.
    """

    #: Emitted after anything about the project changed (stage, documents, progress, data).
    changed = Signal()

    def __init__(
        self, db: Database, project_id: int, parent: QWidget | None = None, *, today: date | None = None
    ):
        super().__init__(parent)
        self._db = db
        self._id = project_id
        self._today = today or date.today()
        self.did_change = False
        self.attach_task: Task | None = None
        self.overview: ProjectOverview = project_overview(db, project_id)
        self.checklist: list[ChecklistItem] = []
        self.progress: list[ProgressInfo] = []
        self.ministraciones: ProjectCalendar | None = None

        self.title = bold(QLabel(self))
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        self.stage_label = bold(QLabel(self))
        self.stage_label.setAccessibleName(_("Stage"))
        self.action_bar = QHBoxLayout()
        self.edit_button = QPushButton(_("&Edit request…"), self)
        self.edit_button.clicked.connect(self.edit)
        self._amend_button(self)
        self.stage_buttons: dict[str, QPushButton] = {}

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._data_tab(), _("Data"))
        self.tabs.addTab(self._shares_tab(), _("Shares"))
        self.tabs.addTab(self._documents_tab(), _("Documents"))
        self.tabs.addTab(self._with_versions(self._history_tab()), _("History"))
        self.tabs.addTab(self._progress_tab(), _("Physical progress"))
        self.tabs.addTab(self._ministraciones_tab(), _("Ministraciones"))
        self.tabs.addTab(self._committee_tab(), _("Contraloría social"))
        self.tabs.addTab(self._padron_tab(), _("Padrón"))
        self.tabs.addTab(self._convenio_tab(), _("Convenio"))
        self.changes = HistoryTable(self)  # the audit trail of the project and its rows
        self.tabs.addTab(self.changes, _("Change history"))

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        header = QVBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.subtitle)
        stage_line = QHBoxLayout()
        stage_line.addWidget(QLabel(_("Stage:"), self))
        stage_line.addWidget(self.stage_label)
        stage_line.addStretch(1)
        self.ledger_button = QPushButton(_("Project &ledger…"), self)
        self.ledger_button.setToolTip(
            _("Every contribution, payment and refund of this project, with its balance per party")
        )
        self.ledger_button.clicked.connect(self.open_ledger)
        stage_line.addWidget(self.ledger_button)
        self.validation_button = QPushButton(_("Technical &validation…"), self)
        self.validation_button.setToolTip(
            _("Score the project's technical file (cédula de validación técnica)")
        )
        self.validation_button.clicked.connect(self.open_validation)
        gate(self.validation_button, self._db, "projects.prevalidate")
        stage_line.addWidget(self.validation_button)
        self._add_print_menu(stage_line)
        header.addLayout(stage_line)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(self.action_bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.resize(1000, 680)
        self.reload()

    # -- loading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the project, its documents and progress again and show them."""
        self.overview = project_overview(self._db, self._id)
        self.checklist = project_checklist(self._db, self._id)
        self.progress = progress_history(self._db, self._id)
        detail = self.overview.detail
        self.setWindowTitle(_("Project {folio}").format(folio=detail.folio))
        self.title.setText(f"{detail.folio} — {detail.name}")
        self.subtitle.setText(_("Club: {club}").format(club=detail.club_name))
        self.stage_label.setText(stage_label(detail.stage))
        self._show_actions()
        self._show_padron()
        self._show_committee()  # before the print menu, which offers the committee's documents
        self._show_print_menu()
        self._show_data()
        self._show_shares()
        self._show_documents()
        self._show_history()
        self._show_versions()
        self._show_progress()
        self._show_ministraciones()
        self._show_convenio()
        self.changes.show_items(audit_history(self._db, "projects", self._id))

    def _show_actions(self) -> None:
        while self.action_bar.count():
            item = self.action_bar.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in (self.edit_button, self.amend_button):
                widget.hide()  # gone at once: never drawn under the new buttons until it is deleted
                widget.deleteLater()
        self.stage_buttons.clear()
        current = Stage(self.overview.detail.stage)
        self.edit_button.setVisible(current in EDITABLE)
        gate(self.edit_button, self._db, "projects.edit")
        self.action_bar.addWidget(self.edit_button)
        self.action_bar.addWidget(self.amend_button)
        self._show_amend_action(current.value)
        # Forward moves on the left; returns, rejections and cancellation apart on the right.
        forward = [s for s in MAIN_ROAD if s in TRANSITIONS[current] and s not in _NEEDS_REASON]
        backward = [s for s in _NEEDS_REASON if s in TRANSITIONS[current]]
        for target in forward:
            self._add_stage_button(target)
        self.action_bar.addStretch(1)
        for target in backward:
            self._add_stage_button(target)
        if not TRANSITIONS[current]:
            self.action_bar.insertWidget(
                self.action_bar.count() - 1, QLabel(_("No further moves: this stage is final."), self)
            )

    def _add_stage_button(self, target: Stage) -> None:
        button = QPushButton(_("Move to “{stage}”…").format(stage=stage_label(target)), self)
        tip = _("Move the project to stage “{stage}”; you will be asked for a comment")
        button.setToolTip(tip.format(stage=stage_label(target)))
        button.clicked.connect(lambda _checked=False, t=target.value: self.move_to(t))
        # Disabled, with who may, for a role that cannot make this move (the service refuses it too).
        current = Stage(self.overview.detail.stage)
        gate(
            button, self._db, "projects.edit" if target is Stage.SOLICITADO else stage_action(current, target)
        )
        self.stage_buttons[target.value] = button
        self.action_bar.addWidget(button)

    def open_validation(self) -> TechnicalValidationDialog | None:
        """Open the technical validation dialog (modal); the dialog, or None when no criteria cover the year."""
        detail = self.overview.detail
        try:
            dialog = TechnicalValidationDialog(self._db, self._id, detail.folio, detail.fiscal_year, self)
        except (InputError, StorageError) as exc:
            show_error(self, exc)
            return None
        self.validation_dialog = dialog
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload()
        return dialog

    # -- stage moves, edits and progress ----------------------------------------------------------

    def move_to(self, stage: str) -> bool:
        """Ask for a comment and move the project to ``stage``; True when moved.

        From a draft or a returned project, "Requested" submits it with every check of a new request.
        """
        target = Stage(stage)
        current = Stage(self.overview.detail.stage)
        comment = CommentDialog.ask(
            self,
            _("Move to “{stage}”").format(stage=stage_label(target)),
            _("Comment for the history of project {folio} (from “{from_}” to “{to}”):").format(
                folio=self.overview.detail.folio, from_=stage_label(current), to=stage_label(target)
            ),
            required=target in _NEEDS_REASON,
        )
        if comment is None:
            return False
        try:
            if target is Stage.SOLICITADO and current in EDITABLE:
                submit_draft(
                    self._db, self._id, on=self._today, user=current_actor().username, comment=comment
                )
            else:
                move_project(self._db, self._id, target.value, user=current_actor().username, comment=comment)
        except (InputError, StorageError) as exc:
            show_error(self, exc)
            self.reload()  # someone may have moved it meanwhile: show where it stands now
            return False
        self._mark_changed()
        self.reload()
        return True

    def edit(self) -> None:
        """Open the request form on this draft or returned project."""
        if ProjectDialog.ask(self, self._db, self._id) is not None:
            self._mark_changed()
        self.reload()

    def open_ledger(self) -> None:
        """Open this project's Libro (its money); figures shown here are read again if money moved."""
        from tresxuno.ui.dialogs.project_ledger import (
            ProjectLedgerDialog,  # loaded when used: the record opens lighter
        )

        if ProjectLedgerDialog.ask(self, self._db, self._id):
            self._mark_changed()
            self.reload()

    def _mark_changed(self) -> None:
        self.did_change = True
        self.changed.emit()

    @classmethod
    def open(cls, parent: QWidget | None, db: Database, project_id: int) -> bool:  # type: ignore[override]
        """The main window's way in (``MainWindow.open_record("project", id)``); the same as :meth:`ask`.

        Replaces ``QDialog.open()`` on the class: a record is always shown through ``ask``.
        """
        return cls.ask(parent, db, project_id)

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, project_id: int) -> bool:
        """Show the record of ``project_id``; True when something about the project changed."""
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
