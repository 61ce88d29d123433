"""Officials over time: who held each post (presidente municipal, tesorero, federal delegate...) and when.

Reached from Preferences (the office's data). Documents name the holders on their own date, so the
list keeps every term: the officer records a new holder from the day they took office and ends the
previous term the day before. The service refuses overlapping terms of one post, with the reason
shown under the field.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
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

from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import date_text
from tresxuno.i18n import N_, _
from tresxuno.services.offices import list_offices
from tresxuno.services.officials import (
    POST_LABELS,
    OfficialInfo,
    OfficialInput,
    add_official,
    list_officials,
    update_official,
)
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.permissions import gate
from tresxuno.ui.widgets.date_field import DateField

#: Columns of the list: header msgids.
COLUMNS: tuple[str, ...] = (N_("Post"), N_("Name"), N_("Title"), N_("From"), N_("To"))


def _date_edit(parent: QWidget, day: date) -> QDateEdit:
    edit = DateField(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setDate(QDate(day))
    return edit


class OfficialsDialog(QDialog):
    """The list of office holders over time, and a form to add a term or correct the chosen one."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self._db = db
        self.officials: list[OfficialInfo] = []
        self.setWindowTitle(_("Officials in office over time"))

        # Whose officials: this database's own office, or another registered office (a state server).
        self.office = QComboBox(self)
        self.office.setAccessibleName(_("Office"))
        self.office.addItem(_("This database's office"), None)
        try:
            for info in list_offices(db):
                self.office.addItem(info.name, info.id)
        except StorageError as exc:
            show_error(self, exc)
        self.office.currentIndexChanged.connect(lambda _index: self.reload())
        office_row = QHBoxLayout()
        office_label = QLabel(_("&Office:"), self)
        office_label.setBuddy(self.office)
        office_row.addWidget(office_label)
        office_row.addWidget(self.office, 1)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName(_("Officials"))
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_chosen)
        # A click on the row already chosen brings its stored values back into the form too.
        self.table.clicked.connect(lambda _index: self._on_chosen())

        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        self.post = QComboBox(self)
        for post, label in POST_LABELS.items():
            self.post.addItem(_(label), post)
        self.person_name = QLineEdit(self)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText(_("e.g. Presidenta municipal de Jerez"))
        self.institution = QLineEdit(self)
        self.institution.setPlaceholderText(_("Leave empty for the federal delegation: named by date"))
        self.starts_on = _date_edit(self, today or date.today())
        self.in_office = QCheckBox(_("Still in office"), self)
        self.in_office.setChecked(True)
        self.ends_on = _date_edit(self, today or date.today())
        self.ends_on.setEnabled(False)
        self.in_office.toggled.connect(lambda still: self.ends_on.setEnabled(not still))
        end = QWidget(self)
        end_box = QHBoxLayout(end)
        end_box.setContentsMargins(0, 0, 0, 0)
        end_box.addWidget(self.in_office)
        end_box.addWidget(self.ends_on, 1)

        form = QFormLayout()
        for field, label, widget in (
            ("post", _("&Post:"), self.post),
            ("person_name", _("&Name:"), self.person_name),
            ("title", _("&Title:"), self.title),
            ("institution", _("&Institution:"), self.institution),
            ("starts_on", _("&From:"), self.starts_on),
            ("ends_on", _("&To:"), end),
        ):
            self.errors.add_row(form, field, label, widget)

        self.add_button = QPushButton(_("&Add term"), self)
        self.add_button.clicked.connect(self.add)
        self.save_button = QPushButton(_("&Save changes to the chosen term"), self)
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        for button in (self.add_button, self.save_button):
            gate(button, db, "settings.edit")
        self.save_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if self.office.count() > 1:  # no other office registered: nothing to choose
            layout.addLayout(office_row)
        else:
            self.office.hide()
            office_label.hide()
        layout.addWidget(self.table, 1)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.resize(820, 560)
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        """Read the officials again (keeping the chosen term, or moving to ``select_id``)."""
        try:
            self.officials = list_officials(self._db, office_id=self.office.currentData())
        except StorageError as exc:
            show_error(self, exc)
            return
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.officials))
        for r, o in enumerate(self.officials):
            texts = (
                _(POST_LABELS.get(o.post, o.post)),
                o.person_name,
                ", ".join(x for x in (o.title, o.institution) if x),
                date_text(o.starts_on),
                date_text(o.ends_on) if o.ends_on else _("in office"),
            )
            for c, text in enumerate(texts):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        rows = [r for r, o in enumerate(self.officials) if o.id == select_id]
        if rows:
            self.table.selectRow(rows[0])

    def chosen(self) -> OfficialInfo | None:
        """The term chosen in the list, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.officials[rows[0].row()] if rows else None

    def _on_chosen(self) -> None:
        o = self.chosen()
        self.save_button.setEnabled(o is not None and self.add_button.isEnabled())
        if o is None:
            return
        self.post.setCurrentIndex(max(self.post.findData(o.post), 0))
        self.person_name.setText(o.person_name)
        self.title.setText(o.title)
        self.institution.setText(o.institution)
        self.starts_on.setDate(QDate(o.starts_on))
        self.in_office.setChecked(o.ends_on is None)
        if o.ends_on is not None:
            self.ends_on.setDate(QDate(o.ends_on))

    def value(self) -> OfficialInput:
        """The term as typed."""
        return OfficialInput(
            post=self.post.currentData(),
            person_name=self.person_name.text(),
            starts_on=self.starts_on.date().toPython(),
            ends_on=None if self.in_office.isChecked() else self.ends_on.date().toPython(),
            title=self.title.text(),
            institution=self.institution.text(),
            office_id=self.office.currentData(),
        )

    def add(self) -> bool:
        """Record a new term; on refusal show each problem under its field."""
        return self._store(None)

    def save(self) -> bool:
        """Store the corrections to the chosen term (e.g. the day it ended)."""
        chosen = self.chosen()
        return chosen is not None and self._store(chosen.id)

    def _store(self, official_id: int | None) -> bool:
        self.errors.clear()
        user = current_actor().username
        try:
            if official_id is None:
                info = add_official(self._db, self.value(), user=user)
            else:
                info = update_official(self._db, official_id, self.value(), user=user)
        except InputError as exc:
            first = self.errors.show(exc.problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.reload(select_id=info.id)
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database) -> None:
        """Show the dialog until the officer closes it."""
        dialog = cls(db, parent)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
