"""The project record's Physical progress tab: the reports so far, their correction, and the form for a new one."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain import limits
from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.domain.stages import Stage
from tresxuno.formatting import date_text, percent
from tresxuno.i18n import _
from tresxuno.services.projects import ProjectOverview
from tresxuno.services.store import Database
from tresxuno.services.works import (
    REPORTABLE,
    ProgressInfo,
    correct_progress,
    progress_history,
    record_progress,
)
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.models.ledger import money_to_date
from tresxuno.ui.permissions import gate
from tresxuno.ui.views.project_record_summary import _RIGHT, _item, _table, _value
from tresxuno.ui.widgets.date_field import DateField


class RecordProgress:
    """The Physical progress tab of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`."""

    _db: Database
    _id: int
    _today: date
    overview: ProjectOverview
    progress: list[ProgressInfo]

    def _progress_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.progress_table = _table(
            page, [_("Date"), _("Progress"), _("Note"), _("Money received / paid")], _("Physical progress")
        )
        header = self.progress_table.horizontalHeaderItem(3)
        if header is not None:
            header.setToolTip(
                _("From the money trail (ledger): what the project had received and paid out by each date")
            )
        for column in (1, 3):
            item = self.progress_table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.progress_table.horizontalHeader().setStretchLastSection(False)
        self.progress_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.progress_empty = _value("", page)
        self.progress_empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.progress_table, 1)
        self.progress_correct_button = QPushButton(_("&Correct the selected report…"), page)
        self.progress_correct_button.setToolTip(
            _(
                "A report typed wrong (its percent, date or note): correct it and say why; the change history keeps the earlier values"
            )
        )
        self.progress_correct_button.clicked.connect(lambda: self.correct_selected_progress())
        self.progress_table.itemSelectionChanged.connect(self._update_progress_correction)
        box.addWidget(self.progress_correct_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.progress_empty)

        group = QGroupBox(_("New progress report"), page)
        self.progress_general = QLabel(group)
        self.progress_errors = FieldErrors(self.progress_general)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.progress_date = DateField(group)
        self.progress_date.setCalendarPopup(True)
        self.progress_date.setDisplayFormat("dd/MM/yyyy")
        self.progress_date.setDate(QDate(self._today.year, self._today.month, self._today.day))
        self.progress_percent = QLineEdit(group)
        self.progress_percent.setAlignment(_RIGHT)
        self.progress_percent.setPlaceholderText("45.5")
        self.progress_percent.setFixedWidth(self.fontMetrics().horizontalAdvance("100.0") * 3)
        self.progress_note = QLineEdit(group)
        self.progress_note.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.progress_errors.add_row(form, "reported_on", _("Date of the report:"), self.progress_date)
        self.progress_errors.add_row(form, "percent", _("Physical progress (%):"), self.progress_percent)
        self.progress_errors.add_row(form, "note", _("Note:"), self.progress_note)
        self.progress_button = QPushButton(_("&Record progress"), group)
        self.progress_button.clicked.connect(self.record_progress)
        inner = QVBoxLayout(group)
        inner.addWidget(self.progress_general)
        inner.addLayout(form)
        inner.addWidget(self.progress_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(group)
        box.addStretch(0)  # takes the room only while the table is hidden
        return page

    def _show_progress(self) -> None:
        rows = self.progress
        table = self.progress_table
        table.setRowCount(len(rows))
        for row, info in enumerate(rows):
            money = money_to_date(self._db, self._id, info.reported_on)  # from the ledger
            for column, item in enumerate(
                (
                    _item(date_text(info.reported_on), raw=info.reported_on),
                    _item(percent(info.percent_tenths * 10, decimals=1), right=True, raw=info.percent_tenths),
                    _item(info.note),
                    _item(money, right=True),
                )
            ):
                table.setItem(row, column, item)
        stage = Stage(self.overview.detail.stage)
        reportable = stage in REPORTABLE
        table.setVisible(bool(rows))
        if rows:
            self.progress_empty.setText("")
        elif reportable:
            self.progress_empty.setText(_("No progress reported yet. Record the first report below."))
        else:
            self.progress_empty.setText(
                _("Progress is reported once the agreement is signed and until the works are handed over.")
            )
        self.progress_empty.setVisible(not rows or not reportable)
        if rows and not reportable:
            self.progress_empty.setText(
                _("Progress is reported once the agreement is signed and until the works are handed over.")
            )
        for widget in (self.progress_date, self.progress_percent, self.progress_note, self.progress_button):
            widget.setEnabled(reportable)
        self.progress_correct_button.setVisible(bool(rows))
        self._update_progress_correction()

    def _selected_progress(self) -> ProgressInfo | None:
        rows = {index.row() for index in self.progress_table.selectedIndexes()}
        return self.progress[rows.pop()] if len(rows) == 1 else None

    def _update_progress_correction(self) -> None:
        self.progress_correct_button.setEnabled(self._selected_progress() is not None)
        if self.progress_correct_button.isEnabled():
            gate(self.progress_correct_button, self._db, "works.record_progress")

    def correct_selected_progress(self) -> ProgressCorrectionDialog | None:
        """Open the correction of the selected report (modal); the dialog, or None when none is selected."""
        info = self._selected_progress()
        if info is None:
            return None
        dialog = ProgressCorrectionDialog(self, self._db, info, self._today)  # type: ignore[arg-type]
        self.progress_correction = dialog
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._mark_changed()
            self.progress = progress_history(self._db, self._id)
            self._show_progress()
        return dialog

    def record_progress(self) -> bool:
        """Record the physical progress typed in the form; True when stored."""
        qdate = self.progress_date.date()
        try:
            record_progress(
                self._db,
                self._id,
                date(qdate.year(), qdate.month(), qdate.day()),
                self.progress_percent.text(),
                note=self.progress_note.text(),
                user=current_actor().username,
                today=self._today,
            )
        except InputError as exc:
            self.progress_errors.point_out(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.progress_errors.clear()
        self.progress_percent.clear()
        self.progress_note.clear()
        self._mark_changed()
        self.progress = progress_history(self._db, self._id)
        self._show_progress()
        return True


class ProgressCorrectionDialog(QDialog):
    """Correct one progress report: its date, percent and note, and why (required)."""

    def __init__(self, parent: QWidget | None, db: Database, info: ProgressInfo, today: date) -> None:
        super().__init__(parent)
        self._db, self._info, self._today = db, info, today
        self.setWindowTitle(
            _("Correct the progress report of {date}").format(date=date_text(info.reported_on))
        )
        general = QLabel(self)
        self.errors = FieldErrors(general)
        form = QFormLayout()
        self.day = DateField(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setDate(QDate(info.reported_on.year, info.reported_on.month, info.reported_on.day))
        self.percent = QLineEdit(info.percent_text, self)
        self.percent.setAlignment(_RIGHT)
        self.note = QLineEdit(info.note, self)
        self.note.setMaxLength(limits.NOTE)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(80)
        self.errors.add_row(form, "reported_on", _("Date of the report:"), self.day)
        self.errors.add_row(form, "percent", _("Physical progress (%):"), self.percent)
        self.errors.add_row(form, "note", _("Note:"), self.note)
        self.errors.add_row(form, "reason", _("Why it is corrected:"), self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.saved: ProgressInfo | None = None

    def save(self) -> bool:
        """Store the correction; True (and accepted) when stored, else the problems under their fields."""
        q = self.day.date()
        try:
            self.saved = correct_progress(
                self._db,
                self._info.id,
                date(q.year(), q.month(), q.day()),
                self.percent.text(),
                self.reason.toPlainText(),
                note=self.note.text(),
                today=self._today,
            )
        except InputError as exc:
            self.errors.point_out(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.accept()
        return True
