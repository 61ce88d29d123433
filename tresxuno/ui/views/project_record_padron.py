"""The project record's Padrón tab: the persons a project benefits, and a form to add one.

Names and CURPs are personal data: only the roles that may see them get the list (the service checks
it too); adding a person needs the data-entry role. The CURP is checked with its check digit.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import money_text, school_level_label
from tresxuno.i18n import _
from tresxuno.services.beneficiaries import (
    Person,
    add_beneficiaries,
    list_beneficiaries,
    padron_level_amounts,
)
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.permissions import allowed, gate, needs_text
from tresxuno.ui.views.project_record_summary import _item, _table


class RecordPadron:
    """The Padrón tab of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`."""

    _db: Database
    _id: int

    def _padron_tab(self) -> QWidget:
        page = QWidget(self)  # type: ignore[arg-type]
        box = QVBoxLayout(page)
        self.padron_note = QLabel(page)
        self.padron_note.setWordWrap(True)
        self.padron_table = _table(
            page,
            [
                _("Given names"),
                _("First surname"),
                _("Second surname"),
                _("CURP"),
                _("Locality"),
                _("School level"),
                _("Scholarship"),
            ],
            _("Padrón"),
        )
        self.padron_table.horizontalHeader().setStretchLastSection(False)
        self.padron_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        group = QGroupBox(_("Add a person"), page)
        self.padron_general = QLabel(group)
        self.padron_errors = FieldErrors(self.padron_general)
        form = QFormLayout()
        self.padron_fields: dict[str, QLineEdit] = {}
        for key, label in (
            ("given_names", _("Given names:")),
            ("first_surname", _("First surname:")),
            ("second_surname", _("Second surname:")),
            ("curp", _("CURP:")),
            ("locality", _("Locality:")),
        ):
            edit = QLineEdit(group)
            edit.setMaxLength(18 if key == "curp" else limits.NAME)
            self.padron_fields[key] = edit
            self.padron_errors.add_row(form, key, label, edit)
        # A scholarship student's level sets the amount they receive (the project's rules).
        self.padron_level = QComboBox(group)
        self.padron_level_label = _("School level:")
        self.padron_errors.add_row(form, "school_level", self.padron_level_label, self.padron_level)
        self.padron_button = QPushButton(_("&Add to the padrón"), group)
        self.padron_button.clicked.connect(self.add_person)
        gate(self.padron_button, self._db, "projects.edit")
        inner = QVBoxLayout(group)
        inner.addWidget(self.padron_general)
        inner.addLayout(form)
        inner.addWidget(self.padron_button)
        box.addWidget(self.padron_note)
        box.addWidget(self.padron_table, 1)
        box.addWidget(group)
        return page

    def _fill_levels(self) -> dict[str, int]:
        """Offer the levels of the project's rules (scholarships only); the amounts by level."""
        amounts = padron_level_amounts(self._db, self._id)
        current = self.padron_level.currentData()
        self.padron_level.clear()
        for level, amount in amounts.items():
            self.padron_level.addItem(f"{school_level_label(level)} — {money_text(amount)}", level)
        if current is not None:
            self.padron_level.setCurrentIndex(max(0, self.padron_level.findData(current)))
        self.padron_level.setEnabled(bool(amounts))
        self.padron_level.setToolTip("" if amounts else _("Only scholarship students have a school level."))
        return amounts

    def _show_padron(self) -> None:
        amounts = self._fill_levels()
        scholarships = bool(amounts)
        self.padron_table.setColumnHidden(5, not scholarships)
        self.padron_table.setColumnHidden(6, not scholarships)
        if not allowed(self._db, "beneficiaries.view_personal"):
            self.padron_table.setRowCount(0)
            self.padron_note.setText(
                _("Personal data of the padrón: {who}").format(who=needs_text("beneficiaries.view_personal"))
            )
            return
        try:
            persons = list_beneficiaries(self._db, self._id)
        except (InputError, StorageError) as exc:
            show_error(self, exc)  # type: ignore[arg-type]
            return
        self.padron_note.setText(
            _("{n} persons in the padrón. The public padrón shows no CURP and no name of a minor.").format(
                n=len(persons)
            )
        )
        self.padron_table.setRowCount(len(persons))
        for row, p in enumerate(persons):
            amount = amounts.get(p.school_level)
            for column, value in enumerate(
                (
                    p.given_names,
                    p.first_surname,
                    p.second_surname,
                    p.curp,
                    p.locality,
                    school_level_label(p.school_level) if p.school_level else "",
                    money_text(amount) if amount is not None else "",
                )
            ):
                self.padron_table.setItem(row, column, _item(value, right=column == 6))

    def add_person(self) -> bool:
        """Add the person typed in the form (CURP checked); True when stored."""
        f = {k: e.text() for k, e in self.padron_fields.items()}
        level = self.padron_level.currentData() if self.padron_level.isEnabled() else None
        person = Person(
            f["given_names"], f["first_surname"], f["second_surname"], f["curp"], f["locality"], level or ""
        )
        try:
            add_beneficiaries(self._db, self._id, [person])
        except InputError as exc:
            self.padron_errors.show(
                [p.__class__(p.field.split(".")[-1], p.code, p.params) for p in exc.problems]
            )
            return False
        except StorageError as exc:
            show_error(self, exc)  # type: ignore[arg-type]
            return False
        self.padron_errors.clear()
        for edit in self.padron_fields.values():
            edit.clear()
        self._show_padron()
        return True
