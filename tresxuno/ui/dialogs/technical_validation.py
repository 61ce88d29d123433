"""The technical validation dialog: score each criterion of a project's technical file.

The criteria are those of the project's fiscal year (``seeds/validation.toml``); the total and the
result update as the revisor types, and Save stores the whole scoring in one transaction (a new
scoring never changes an earlier one).
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.domain.technical_validation import MAX_NOTE, CriteriaSet, Score, verdict
from tresxuno.i18n import _, language
from tresxuno.services.store import Database
from tresxuno.services.technical_validation import (
    ValidationInfo,
    ValidationInput,
    criteria_for_year,
    latest_validation,
    record_validation,
)
from tresxuno.ui.dialogs.club import date_edit, from_qdate
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.permissions import gate

#: Table columns: the criterion, its most points, the points given, the note.
_LABEL, _MAX, _POINTS, _NOTE = range(4)


class TechnicalValidationDialog(QDialog):
    """Score a project's technical file; ``saved`` holds the stored scoring once accepted."""

    def __init__(
        self, db: Database, project_id: int, folio: str, fiscal_year: int, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._db = db
        self._project_id = project_id
        self.saved: ValidationInfo | None = None
        self.setWindowTitle(_("Technical validation of {folio}").format(folio=folio))
        self.criteria: CriteriaSet = criteria_for_year(fiscal_year)
        general = QLabel(self)
        self.errors = FieldErrors(general)
        form = QFormLayout()
        self.day = date_edit(self)
        self.day.setDate(QDate.currentDate())
        self.errors.add_row(form, "validated_on", _("Validation &date:"), self.day)
        self.validator = QLineEdit(self)
        self.validator.setMaxLength(limits.NAME)
        self.errors.add_row(form, "validator_name", _("Validated &by:"), self.validator)
        self.post = QLineEdit(self)
        self.post.setMaxLength(limits.NAME)
        self.errors.add_row(form, "validator_post", _("Validator's &post:"), self.post)
        self.table = QTableWidget(len(self.criteria.criteria), 4, self)
        self.table.setHorizontalHeaderLabels([_("Criterion"), _("Maximum"), _("Points"), _("Observations")])
        self.table.setAccessibleName(_("Scoring criteria"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(_LABEL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_MAX, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_POINTS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_NOTE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(_NOTE, 200)
        self.table.setWordWrap(True)
        self.points: dict[str, QSpinBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        lang = language()
        for row, c in enumerate(self.criteria.criteria):
            label = QTableWidgetItem(c.label(lang) + (" *" if c.required else ""))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            label.setToolTip(c.label(lang))
            self.table.setItem(row, _LABEL, label)
            top = QTableWidgetItem(str(c.points))
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            top.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, _MAX, top)
            spin = QSpinBox(self.table)
            spin.setRange(0, c.points)
            spin.setAccessibleName(c.label(lang))
            spin.valueChanged.connect(self._show_total)
            self.table.setCellWidget(row, _POINTS, spin)
            note = QLineEdit(self.table)
            note.setMaxLength(MAX_NOTE)
            note.setAccessibleName(_("Observations") + ": " + c.label(lang))
            self.table.setCellWidget(row, _NOTE, note)
            self.points[c.id], self.notes[c.id] = spin, note
        # Two lines of criterion text per row; the full text is in each row's tooltip.
        self.table.verticalHeader().setDefaultSectionSize(2 * self.fontMetrics().lineSpacing() + 10)
        for row in range(self.table.rowCount()):
            self.table.setRowHeight(row, 2 * self.fontMetrics().lineSpacing() + 10)
        self.total = QLabel(self)
        self.total.setWordWrap(True)
        self.observations = QPlainTextEdit(self)
        self.observations.setMaximumHeight(70)
        self.observations.setAccessibleName(_("Observations"))
        previous = latest_validation(db, project_id)
        self.previous = QLabel(self)
        self.previous.setWordWrap(True)
        if previous is not None:
            self.previous.setText(
                _(
                    "Last scoring: {points} of {total} points on {date}, by {name}. A new one is added; it does not change it."
                ).format(
                    points=previous.verdict.points,
                    total=previous.verdict.total,
                    date=previous.validated_on.strftime("%d/%m/%Y"),
                    name=previous.validator_name,
                )
            )
            self.validator.setText(previous.validator_name)
            self.post.setText(previous.validator_post)
            # A new scoring starts from the last one: the revisor changes what the corrections changed.
            for score in previous.scores:
                if score.criterion in self.points:
                    self.points[score.criterion].setValue(score.points)
                    self.notes[score.criterion].setText(score.note)
        else:
            self.previous.hide()
        note = QLabel(_("* Required: 0 points in it makes the project not valid."), self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        gate(self.save_button, db, "projects.prevalidate")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.previous)
        layout.addWidget(general)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(self.total)
        layout.addWidget(QLabel(_("Observations:"), self))
        layout.addWidget(self.observations)
        layout.addWidget(buttons)
        self.resize(900, 600)
        self._show_total()

    def scores(self) -> tuple[Score, ...]:
        """The scores as typed, in the criteria's order."""
        return tuple(Score(cid, spin.value(), self.notes[cid].text()) for cid, spin in self.points.items())

    def _show_total(self) -> None:
        v = verdict(self.criteria, self.scores())
        result = _("technically valid") if v.valid else _("not valid")
        self.total.setText(
            _("Total: {points} of {total} points; {passing} needed. Result: {result}.").format(
                points=v.points, total=v.total, passing=v.passing, result=result
            )
        )

    def save(self) -> bool:
        """Store the scoring; True (and the dialog accepted) when stored."""
        data = ValidationInput(
            validated_on=from_qdate(self.day.date()),
            validator_name=self.validator.text(),
            validator_post=self.post.text(),
            observations=self.observations.toPlainText(),
            scores=self.scores(),
        )
        try:
            self.saved = record_validation(self._db, self._project_id, data)
        except InputError as exc:
            self.errors.point_out(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.accept()
        return True
