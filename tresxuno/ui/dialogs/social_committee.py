"""Dialogs of the contraloría social committee: its members and date, and each minutes or report it files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.social_committee import (
    MAX_MEMBERS,
    POSITIONS,
    RECORD_KINDS,
    CommitteeInput,
    CommitteeMember,
    CommitteeRecordInput,
)
from tresxuno.i18n import N_, _
from tresxuno.messages import describe
from tresxuno.services.social_committees import CommitteeInfo, add_committee_record, save_committee
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import ERROR_STYLE, FieldErrors
from tresxuno.ui.widgets.date_field import DateField

POSITION_NAMES: dict[str, str] = {
    "presidente": N_("President"),
    "secretario": N_("Secretary"),
    "vocal": N_("Member (vocal)"),
}
SEX_NAMES: dict[str, str] = {"": N_("Not stated"), "M": N_("Woman"), "H": N_("Man")}
#: A problem about one member's field: ``members[2].name``.
MEMBER_FIELD = re.compile(r"members\[(\d+)\]\.(\w+)")
KIND_NAMES: dict[str, str] = {"acta": N_("Minutes of a meeting"), "informe": N_("Committee report")}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> date:
    q = edit.date()
    return date(q.year(), q.month(), q.day())


class CommitteeDialog(QDialog):
    """Record (or correct) a project's committee: the day it was constituted and its members."""

    NAME, POSITION, SEX = range(3)

    def __init__(
        self,
        db: Database,
        project_id: int,
        current: CommitteeInfo | None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ):
        super().__init__(parent)
        self._db, self._id, self._today = db, project_id, today or date.today()
        self._version = current.version if current else None
        self.saved: CommitteeInfo | None = None
        self.setWindowTitle(_("Contraloría social committee"))
        self.general = QLabel(self)
        self.general.setWordWrap(True)
        self.errors = FieldErrors(self.general)
        self.constituted = DateField(self)
        self.constituted.setCalendarPopup(True)
        self.constituted.setDisplayFormat("dd/MM/yyyy")
        self.constituted.setDate(_qdate(current.constituted_on if current else self._today))
        self.members = QTableWidget(0, 3, self)
        self.members.setHorizontalHeaderLabels([_("Full name"), _("Position"), _("Sex")])
        self.members.horizontalHeader().setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
        self.members.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members.setAccessibleName(_("Members of the committee"))
        self.add_button = QPushButton(_("&Add member"), self)
        self.add_button.clicked.connect(lambda: self.add_member())
        self.remove_button = QPushButton(_("&Remove member"), self)
        self.remove_button.clicked.connect(self.remove_member)
        for helper in (self.add_button, self.remove_button):
            helper.setAutoDefault(False)  # focused or not, Enter saves: it never adds or removes a row
        form = QFormLayout()
        self.errors.add_row(form, "constituted_on", _("Constituted on:"), self.constituted)
        self.errors.add_row(form, "members", _("Members:"), self.members)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        note = QLabel(
            _(
                "The beneficiaries elect the committee in an assembly: one president, a secretary and vocales. "
                "Corrections are kept in the project's change history."
            ),
            self,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(buttons)
        if current and current.members:
            for member in current.members:
                self.add_member(member)
        else:
            self.add_member(CommitteeMember("", "presidente"))
            self.add_member(CommitteeMember("", "secretario"))
            self.add_member(CommitteeMember("", "vocal"))
        self.resize(640, 420)

    def add_member(self, member: CommitteeMember | None = None) -> None:
        """A new row (a vocal by default), its name field focused."""
        if self.members.rowCount() >= MAX_MEMBERS:
            return
        member = member or CommitteeMember("", "vocal")
        row = self.members.rowCount()
        self.members.insertRow(row)
        name = QLineEdit(member.name, self.members)
        name.setMaxLength(limits.NAME)
        name.setAccessibleName(_("Full name"))
        position = QComboBox(self.members)
        for key in POSITIONS:
            position.addItem(_(POSITION_NAMES[key]), key)
        position.setCurrentIndex(max(0, position.findData(member.position)))
        sex = QComboBox(self.members)
        for key, label in SEX_NAMES.items():
            sex.addItem(_(label), key)
        sex.setCurrentIndex(max(0, sex.findData(member.sex)))
        self.members.setCellWidget(row, self.NAME, name)
        self.members.setCellWidget(row, self.POSITION, position)
        self.members.setCellWidget(row, self.SEX, sex)
        self.members.resizeColumnToContents(self.POSITION)
        name.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_member(self) -> None:
        """Remove the selected row (or the last)."""
        row = self.members.currentRow()
        self.members.removeRow(row if row >= 0 else self.members.rowCount() - 1)

    def data(self) -> CommitteeInput:
        """What the form holds."""
        members = []
        for row in range(self.members.rowCount()):
            name = self.members.cellWidget(row, self.NAME)
            position = self.members.cellWidget(row, self.POSITION)
            sex = self.members.cellWidget(row, self.SEX)
            assert (
                isinstance(name, QLineEdit) and isinstance(position, QComboBox) and isinstance(sex, QComboBox)
            )
            members.append(CommitteeMember(name.text(), str(position.currentData()), str(sex.currentData())))
        return CommitteeInput(_day(self.constituted), tuple(members))

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Field problems beside their fields; a member's under the table, naming its row and column."""
        self.errors.show([p for p in problems if not MEMBER_FIELD.match(p.field)])
        lines = []
        for problem in problems:
            found = MEMBER_FIELD.match(problem.field)
            if found:
                column = found.group(2)
                what = {"name": _("full name"), "position": _("position"), "sex": _("sex")}.get(
                    column, column
                )
                lines.append(
                    _("Member {n}, {what}: {problem}").format(
                        n=int(found.group(1)) + 1, what=what, problem=describe(problem, with_field=False)
                    )
                )
        if lines:
            general = "\n".join(filter(None, [self.general.text(), *lines]))
            self.general.setText(general)
            self.general.show()
            self.general.setStyleSheet(ERROR_STYLE)

    def save(self) -> None:
        """Save in one transaction; problems are shown beside their fields and nothing is stored."""
        try:
            self.saved = save_committee(
                self._db, self._id, self.data(), version=self._version, today=self._today
            )
        except InputError as exc:
            self.show_problems(exc.problems)
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()


class CommitteeRecordDialog(QDialog):
    """File a minutes or a report of the committee: kind, date, summary, findings."""

    def __init__(
        self, db: Database, project_id: int, parent: QWidget | None = None, *, today: date | None = None
    ):
        super().__init__(parent)
        self._db, self._id, self._today = db, project_id, today or date.today()
        self.setWindowTitle(_("File the committee's minutes or report"))
        self.general = QLabel(self)
        self.general.setWordWrap(True)
        self.errors = FieldErrors(self.general)
        self.kind = QComboBox(self)
        for key in RECORD_KINDS:
            self.kind.addItem(_(KIND_NAMES[key]), key)
        self.held_on = DateField(self)
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("dd/MM/yyyy")
        self.held_on.setDate(_qdate(self._today))
        self.summary = QPlainTextEdit(self)
        self.summary.setTabChangesFocus(True)
        self.findings = QPlainTextEdit(self)
        self.findings.setTabChangesFocus(True)
        form = QFormLayout()
        self.errors.add_row(form, "kind", _("Kind:"), self.kind)
        self.errors.add_row(form, "held_on", _("Date:"), self.held_on)
        self.errors.add_row(form, "summary", _("Summary:"), self.summary)
        self.errors.add_row(form, "findings", _("Findings and complaints:"), self.findings)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(600, 420)

    def save(self) -> None:
        """File it in one transaction; problems beside their fields."""
        data = CommitteeRecordInput(
            str(self.kind.currentData()),
            _day(self.held_on),
            self.summary.toPlainText(),
            self.findings.toPlainText(),
        )
        try:
            add_committee_record(self._db, self._id, data, today=self._today)
        except InputError as exc:
            self.errors.show(exc.problems)
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()
