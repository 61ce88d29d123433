"""The project record's Physical progress tab: the reports so far and the form for a new one."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.domain.stages import Stage
from tresxuno.formatting import date_text, percent
from tresxuno.i18n import _
from tresxuno.services.projects import ProjectOverview
from tresxuno.services.store import Database
from tresxuno.services.works import REPORTABLE, ProgressInfo, progress_history, record_progress
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.models.ledger import money_to_date
from tresxuno.ui.views.project_record_summary import _RIGHT, _item, _table, _value


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
        box.addWidget(self.progress_empty)

        group = QGroupBox(_("New progress report"), page)
        self.progress_general = QLabel(group)
        self.progress_errors = FieldErrors(self.progress_general)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.progress_date = QDateEdit(group)
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
            first = self.progress_errors.show(exc.problems)
            if first is not None:
                first.setFocus()
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
