"""The dialog of what a project's convenio states beyond the money: account, modality, partner, goals.

Fits a 1366x768 screen: the account and execution fields and the partner's side by side, the goals
table below them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain import limits
from tresxuno.domain.clabe import LENGTH
from tresxuno.domain.convenio import (
    ADMINISTRACION_DIRECTA,
    CONTRATO,
    MAX_BANK,
    MAX_DOMICILE,
    ConvenioTerms,
    check_terms,
)
from tresxuno.domain.goals import MAX_DESCRIPTION, MAX_GOALS, MAX_UNIT, Goal, check_goals, parse_quantity
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.i18n import N_, _
from tresxuno.messages import describe
from tresxuno.services.convenio_terms import convenio_terms, set_convenio_terms
from tresxuno.services.goals import goals_of, set_project_goals
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import ERROR_STYLE, FieldErrors

#: Execution modalities as the officer reads them ("" = not decided yet).
MODALITY_NAMES: dict[str, str] = {
    "": N_("Not decided yet"),
    CONTRATO: N_("By contract"),
    ADMINISTRACION_DIRECTA: N_("Direct administration (administración directa)"),
}
#: A problem about one goal's field: ``goals[2].unit``.
GOAL_FIELD = re.compile(r"goals\[(\d+)\]\.(\w+)")


def _line(parent: QWidget, text: str, max_length: int, accessible: str) -> QLineEdit:
    edit = QLineEdit(text, parent)
    edit.setMaxLength(max_length)
    edit.setAccessibleName(accessible)
    return edit


class ConvenioTermsDialog(QDialog):
    """Edit a project's convenio terms and goals; both are saved, each in one transaction."""

    DESCRIPTION, QUANTITY, UNIT, BENEFICIARIES = range(4)

    def __init__(self, db: Database, project_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._id = db, project_id
        terms = convenio_terms(db, project_id)
        goals = goals_of(db, project_id)
        self.setWindowTitle(_("Convenio terms and goals"))
        self.general = QLabel(self)
        self.general.setWordWrap(True)
        self.errors = FieldErrors(self.general)

        self.clabe = _line(self, terms.clabe, LENGTH + 6, _("CLABE"))
        self.clabe.setPlaceholderText(_("18 digits"))
        self.bank = _line(self, terms.bank, MAX_BANK, _("Bank"))
        self.account_holder = _line(self, terms.account_holder, limits.NAME, _("Account holder"))
        self.modality = QComboBox(self)
        for key, label in MODALITY_NAMES.items():
            self.modality.addItem(_(label), key)
        self.modality.setCurrentIndex(max(0, self.modality.findData(terms.modality)))
        self.modality.setAccessibleName(_("Execution modality"))
        self.contractor_name = _line(self, terms.contractor_name, limits.NAME, _("Contractor"))
        self.contractor_rfc = _line(self, terms.contractor_rfc, 16, _("Contractor's RFC"))
        self.partner_name = _line(self, terms.partner_name, limits.NAME, _("Partner's name"))
        self.partner_representative = _line(
            self, terms.partner_representative, limits.NAME, _("Partner's representative")
        )
        self.partner_rfc = _line(self, terms.partner_rfc, 16, _("Partner's RFC"))
        self.partner_domicile = _line(self, terms.partner_domicile, MAX_DOMICILE, _("Partner's domicile"))
        self.modality.currentIndexChanged.connect(self._enable_contractor)

        account = QGroupBox(_("Account and execution"), self)
        left = QFormLayout(account)
        self.errors.add_row(left, "clabe", _("CLABE:"), self.clabe)
        self.errors.add_row(left, "bank", _("Bank:"), self.bank)
        self.errors.add_row(left, "account_holder", _("Account holder:"), self.account_holder)
        self.errors.add_row(left, "modality", _("Execution modality:"), self.modality)
        self.errors.add_row(left, "contractor_name", _("Contractor:"), self.contractor_name)
        self.errors.add_row(left, "contractor_rfc", _("Contractor's RFC:"), self.contractor_rfc)
        partner = QGroupBox(_("Outside partner (if any)"), self)
        right = QFormLayout(partner)
        self.errors.add_row(right, "partner_name", _("Name:"), self.partner_name)
        self.errors.add_row(
            right, "partner_representative", _("Representative:"), self.partner_representative
        )
        self.errors.add_row(right, "partner_rfc", _("RFC:"), self.partner_rfc)
        self.errors.add_row(right, "partner_domicile", _("Domicile:"), self.partner_domicile)
        top = QHBoxLayout()
        top.addWidget(account, 1)
        top.addWidget(partner, 1)

        self.goals = QTableWidget(0, 4, self)
        self.goals.setHorizontalHeaderLabels([_("Goal"), _("Quantity"), _("Unit"), _("Beneficiaries")])
        self.goals.horizontalHeader().setSectionResizeMode(self.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self.goals.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.goals.setAccessibleName(_("Goals (metas)"))
        self.add_button = QPushButton(_("&Add goal"), self)
        self.add_button.clicked.connect(lambda: self.add_goal())
        self.remove_button = QPushButton(_("&Remove goal"), self)
        self.remove_button.clicked.connect(self.remove_goal)
        for helper in (self.add_button, self.remove_button):
            helper.setAutoDefault(False)  # focused or not, Enter saves: it never adds or removes a row
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
        layout.addWidget(self.general)
        layout.addLayout(top)
        layout.addWidget(
            QLabel(_("Goals (metas): what the works deliver, how much and for how many people."), self)
        )
        layout.addWidget(self.goals, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        for goal in goals:
            self.add_goal(goal)
        if not goals:
            self.add_goal()
        self._enable_contractor()
        self.resize(900, 600)

    def _enable_contractor(self) -> None:
        by_contract = self.modality.currentData() == CONTRATO
        self.contractor_name.setEnabled(by_contract)
        self.contractor_rfc.setEnabled(by_contract)

    def add_goal(self, goal: Goal | None = None) -> None:
        """A new row of the goals table (empty, or holding ``goal``)."""
        if self.goals.rowCount() >= MAX_GOALS:
            return
        row = self.goals.rowCount()
        self.goals.insertRow(row)
        cells = (
            _line(self.goals, goal.description if goal else "", MAX_DESCRIPTION, _("Goal")),
            _line(self.goals, goal.quantity_text if goal else "", 20, _("Quantity")),
            _line(self.goals, goal.unit if goal else "", MAX_UNIT, _("Unit")),
            _line(self.goals, f"{goal.beneficiaries}" if goal else "", 12, _("Beneficiaries")),
        )
        for column, edit in enumerate(cells):
            self.goals.setCellWidget(row, column, edit)
        cells[0].setFocus()

    def remove_goal(self) -> None:
        """Remove the selected goal (or the last)."""
        row = self.goals.currentRow()
        self.goals.removeRow(row if row >= 0 else self.goals.rowCount() - 1)

    def terms(self) -> ConvenioTerms:
        """The terms the form holds."""
        by_contract = self.modality.currentData() == CONTRATO
        return ConvenioTerms(
            clabe=self.clabe.text(),
            bank=self.bank.text(),
            account_holder=self.account_holder.text(),
            modality=str(self.modality.currentData()),
            contractor_name=self.contractor_name.text() if by_contract else "",
            contractor_rfc=self.contractor_rfc.text() if by_contract else "",
            partner_name=self.partner_name.text(),
            partner_representative=self.partner_representative.text(),
            partner_rfc=self.partner_rfc.text(),
            partner_domicile=self.partner_domicile.text(),
        )

    def _cell(self, row: int, column: int) -> str:
        edit = self.goals.cellWidget(row, column)
        assert isinstance(edit, QLineEdit)
        return edit.text()

    def goal_rows(self) -> tuple[list[Goal], list[Problem]]:
        """The goals the table holds (rows left wholly empty are skipped) and the quantities not understood."""
        goals: list[Goal] = []
        problems: list[Problem] = []
        for row in range(self.goals.rowCount()):
            texts = [self._cell(row, c) for c in range(4)]
            if not any(t.strip() for t in texts):
                continue
            index = len(goals)
            quantity = parse_quantity(texts[self.QUANTITY])
            if quantity is None:
                problems.append(
                    Problem(
                        f"goals[{index}].quantity",
                        "goal.quantity_text",
                        {"number": index + 1, "text": texts[self.QUANTITY]},
                    )
                )
            people = texts[self.BENEFICIARIES].strip().replace(",", "") or "0"
            beneficiaries = int(people) if people.isascii() and people.isdigit() else -1
            goals.append(Goal(texts[self.DESCRIPTION], quantity or 0, texts[self.UNIT], beneficiaries))
        return goals, problems

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Field problems beside their fields; a goal's under the dialog's top, naming its row."""
        self.errors.show([p for p in problems if not GOAL_FIELD.match(p.field)])
        lines = [
            _("Goal {n}: {problem}").format(n=int(found.group(1)) + 1, problem=describe(p, with_field=False))
            for p in problems
            if (found := GOAL_FIELD.match(p.field))
        ]
        if lines:
            self.general.setText("\n".join(filter(None, [self.general.text(), *lines])))
            self.general.show()
            self.general.setStyleSheet(ERROR_STYLE)

    def save(self) -> None:
        """Save the terms, then the goals; problems are shown beside their fields and nothing is stored."""
        goals, problems = self.goal_rows()
        # Both are checked before either is written, so a refused goal leaves the terms unsaved too.
        problems += check_terms(self.terms())[1] + check_goals(goals)[1]
        if problems:
            self.show_problems(problems)
            return
        try:
            set_convenio_terms(self._db, self._id, self.terms())
            set_project_goals(self._db, self._id, goals)
        except InputError as exc:
            self.show_problems(exc.problems)
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()
