"""Register or edit a club and its toma de nota (renewing it is editing the folio, issuer and dates).

The form gathers every field of :class:`~tresxuno.domain.validation.ClubInput`; the services check
it and each problem appears under its field in the officer's language, the dialog staying open. An
edit is based on the version read when the dialog opened: if another window saved the club since,
the save is refused and the officer can reload it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from itertools import pairwise

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.records import ClubInfo
from tresxuno.domain.validation import ClubInput, toma_latest_expiry
from tresxuno.i18n import N_, _
from tresxuno.services.clubs import (
    ClubRow,
    EditableClub,
    club_for_edit,
    list_federations,
    register_club,
    update_club,
)
from tresxuno.services.places import list_municipalities, list_states
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.record_undo import club_edited
from tresxuno.ui.widgets.date_field import date_field

#: The two-letter codes the services accept (``US_STATES``) and their names, translatable.
US_STATE_NAMES: dict[str, str] = {
    "AL": N_("Alabama"),
    "AK": N_("Alaska"),
    "AZ": N_("Arizona"),
    "AR": N_("Arkansas"),
    "CA": N_("California"),
    "CO": N_("Colorado"),
    "CT": N_("Connecticut"),
    "DE": N_("Delaware"),
    "DC": N_("District of Columbia"),
    "FL": N_("Florida"),
    "GA": N_("Georgia"),
    "HI": N_("Hawaii"),
    "ID": N_("Idaho"),
    "IL": N_("Illinois"),
    "IN": N_("Indiana"),
    "IA": N_("Iowa"),
    "KS": N_("Kansas"),
    "KY": N_("Kentucky"),
    "LA": N_("Louisiana"),
    "ME": N_("Maine"),
    "MD": N_("Maryland"),
    "MA": N_("Massachusetts"),
    "MI": N_("Michigan"),
    "MN": N_("Minnesota"),
    "MS": N_("Mississippi"),
    "MO": N_("Missouri"),
    "MT": N_("Montana"),
    "NE": N_("Nebraska"),
    "NV": N_("Nevada"),
    "NH": N_("New Hampshire"),
    "NJ": N_("New Jersey"),
    "NM": N_("New Mexico"),
    "NY": N_("New York"),
    "NC": N_("North Carolina"),
    "ND": N_("North Dakota"),
    "OH": N_("Ohio"),
    "OK": N_("Oklahoma"),
    "OR": N_("Oregon"),
    "PA": N_("Pennsylvania"),
    "RI": N_("Rhode Island"),
    "SC": N_("South Carolina"),
    "SD": N_("South Dakota"),
    "TN": N_("Tennessee"),
    "TX": N_("Texas"),
    "UT": N_("Utah"),
    "VT": N_("Vermont"),
    "VA": N_("Virginia"),
    "WA": N_("Washington"),
    "WV": N_("West Virginia"),
    "WI": N_("Wisconsin"),
    "WY": N_("Wyoming"),
    "PR": N_("Puerto Rico"),
}
#: The board (mesa directiva) roles offered on a new club; any role may be typed.
BOARD_ROLES = (N_("President"), N_("Secretary"), N_("Treasurer"))
#: Order of the fields on screen: the first one with a problem gets the focus.
FIELD_ORDER = (
    "name",
    "federation",
    "members",
    "board",
    "toma_folio",
    "toma_issuer",
    "toma_issued_on",
    "toma_expires_on",
    "us_city",
    "us_state",
    "home_state_key",
    "home_municipality_key",
    "home_contact",
)
#: Item role holding the accent-free, lower-case text the municipality completer matches against.
_SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1
_KEY_ROLE = Qt.ItemDataRole.UserRole


def fold(text: str) -> str:
    """Lower case without accents, so "valparaiso" finds "Valparaíso" (US keyboards lack accents)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def to_qdate(day: date) -> QDate:
    """A Python date as a QDate."""
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    """A QDate as a Python date."""
    return date(day.year(), day.month(), day.day())


def date_edit(parent: QWidget) -> QDateEdit:
    """A date field as Mexican offices write dates (dd/mm/yyyy), with a calendar; Tab leaves it."""
    return date_field(parent)


class _FoldingCompleter(QCompleter):
    """Matches typed text against the folded search role, but puts the real name in the line."""

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:  # noqa: N802 - Qt API
        """The municipality's name as INEGI writes it, accents included."""
        return index.data(Qt.ItemDataRole.DisplayRole)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt API
        """Typed text folded like the search role."""
        return [fold(path)]


class BoardEditor(QWidget):
    """The mesa directiva as a small table of role and name, stored as ``"Role: Name"`` lines."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels([_("Role"), _("Name")])
        self.table.setAccessibleName(_("Board"))
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Room for the usual three or four officers without scrolling.
        self.table.setMinimumHeight(
            self.table.horizontalHeader().sizeHint().height() + 4 * (self.table.fontMetrics().height() + 10)
        )
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustIgnored)
        self.add_button = QPushButton(_("&Add member"), self)
        self.add_button.clicked.connect(lambda: self.add_member())
        self.remove_button = QPushButton(_("Re&move member"), self)
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)

    def add_member(self, role: str = "", name: str = "", *, edit: bool = True) -> None:
        """Append a row (and start typing its role when ``edit``)."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(role))
        self.table.setItem(row, 1, QTableWidgetItem(name))
        if edit:
            self.table.setCurrentCell(row, 0 if not role else 1)
            self.table.setFocus()
            self.table.editItem(self.table.currentItem())

    def remove_current(self) -> None:
        """Delete the selected row."""
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def set_members(self, board: Iterable[str]) -> None:
        """Show ``board`` lines, each ``"Role: Name"`` (a line without a colon is a name)."""
        self.table.setRowCount(0)
        for line in board:
            role, sep, name = line.partition(":")
            if not sep:
                role, name = "", line
            self.add_member(role.strip(), name.strip(), edit=False)

    def members(self) -> tuple[str, ...]:
        """The lines to store: rows with a name, as ``"Role: Name"`` (or the name alone)."""
        lines = []
        for row in range(self.table.rowCount()):
            role, name = (self._text(row, c) for c in (0, 1))
            if name:
                lines.append(f"{role}: {name}" if role else name)
        return tuple(lines)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""


class ClubDialog(QDialog):
    """A form for one club; :attr:`saved` holds the stored record after a successful save."""

    def __init__(self, db: Database, club: EditableClub | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._editing = club
        self._expiry_touched = False
        self._setting_expiry = False
        self.saved: ClubInfo | None = None
        self.setWindowTitle(
            _("New club") if club is None else _("Edit club {name}").format(name=club.club.name)
        )

        self._make_widgets()
        self.general_error = QLabel(self)
        self.errors = FieldErrors(self.general_error)
        self.reload_button = QPushButton(_("Reload the club"), self)
        self.reload_button.setToolTip(_("Show the club as it is stored now; your changes here are lost"))
        self.reload_button.clicked.connect(self.reload)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.reload_button.hide()  # shown only when another window saved the club meanwhile
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()

        if club is not None:
            self.fill(club.club)
        else:
            self.issued.setDate(to_qdate(date.today()))
            for role in BOARD_ROLES:
                self.board.add_member(_(role), edit=False)
        self.name.setFocus()

    # -- building --------------------------------------------------------------------------------

    def _make_widgets(self) -> None:
        self.name = QLineEdit(self)
        self.name.setMaxLength(200)
        self.federation = QComboBox(self)
        self.federation.addItem(_("No federation"), None)
        self._federation_states: dict[int, str] = {}
        for federation in list_federations(self._db):
            self.federation.addItem(federation.name, federation.id)
            self._federation_states[federation.id] = federation.mx_state_key
        self.federation.currentIndexChanged.connect(self._on_federation)
        # Federation names run to 60 characters: the combo must not force the dialog that wide.
        self.federation.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.federation.setMinimumContentsLength(24)
        self.members = QSpinBox(self)
        self.members.setRange(0, 100_000)
        self.members.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.members.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.members.setToolTip(_("Adult members abroad; a club needs at least 10"))
        self.board = BoardEditor(self)

        self.toma_folio = QLineEdit(self)
        self.toma_folio.setMaxLength(60)
        self.toma_issuer = QLineEdit(self)
        self.toma_issuer.setMaxLength(200)
        self.toma_issuer.setPlaceholderText(_("e.g. Consulado General de México en Los Ángeles"))
        self.issued = date_edit(self)
        self.expires = date_edit(self)
        self.issued.dateChanged.connect(self._on_issued)
        self.expires.dateChanged.connect(self._on_expires)

        self.us_city = QLineEdit(self)
        self.us_city.setMaxLength(120)
        self.us_state = QComboBox(self)
        self.us_state.addItem(_("Choose a state…"), "")
        for code in sorted(US_STATE_NAMES):
            self.us_state.addItem(f"{code} — {_(US_STATE_NAMES[code])}", code)

        self.home_state = QComboBox(self)
        self.home_state.addItem(_("Choose a state…"), "")
        for key, name in list_states(self._db):
            self.home_state.addItem(name, key)
        self.home_state.currentIndexChanged.connect(self._on_home_state)
        self.municipality = QComboBox(self)
        self.municipality.setEditable(True)
        self.municipality.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._municipalities = QStandardItemModel(self)
        self.municipality.setModel(self._municipalities)
        completer = _FoldingCompleter(self._municipalities, self.municipality)
        completer.setCompletionRole(_SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.municipality.setCompleter(completer)
        self.municipality.setEnabled(False)
        self.municipality.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.municipality.setMinimumContentsLength(24)
        self.municipality.lineEdit().setPlaceholderText(_("Choose the state first"))
        self.home_contact = QLineEdit(self)
        self.home_contact.setMaxLength(200)
        self.home_contact.setPlaceholderText(_("Name and telephone of someone in the home community"))

        self._widgets: dict[str, QWidget] = {
            "name": self.name,
            "federation": self.federation,
            "members": self.members,
            "board": self.board,
            "toma_folio": self.toma_folio,
            "toma_issuer": self.toma_issuer,
            "toma_issued_on": self.issued,
            "toma_expires_on": self.expires,
            "us_city": self.us_city,
            "us_state": self.us_state,
            "home_state_key": self.home_state,
            "home_municipality_key": self.municipality,
            "home_contact": self.home_contact,
        }

    def _group(self, title: str, rows: Iterable[tuple[str, str]]) -> QGroupBox:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field, label in rows:
            self.errors.add_row(form, field, label, self._widgets[field])
        return box

    def _lay_out(self) -> None:
        club = self._group(
            _("Club"),
            (
                ("name", _("&Name:")),
                ("federation", _("&Federation:")),
                ("members", _("&Members:")),
                ("board", _("&Board:")),
            ),
        )
        toma = self._group(
            _("Toma de nota"),
            (
                ("toma_folio", _("F&olio:")),
                ("toma_issuer", _("Issued b&y:")),
                ("toma_issued_on", _("Issue &date:")),
                ("toma_expires_on", _("E&xpires on:")),
            ),
        )
        abroad = self._group(
            _("In the United States"), (("us_city", _("C&ity:")), ("us_state", _("S&tate:")))
        )
        home = self._group(
            _("Home community in Mexico"),
            (
                ("home_state_key", _("St&ate:")),
                ("home_municipality_key", _("M&unicipality:")),
                ("home_contact", _("&Contact:")),
            ),
        )
        grid = QGridLayout()
        grid.addWidget(club, 0, 0, 2, 1)
        grid.addWidget(toma, 0, 1)
        grid.addWidget(abroad, 1, 1)
        grid.addWidget(home, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.general_error)
        layout.addLayout(grid)
        layout.addWidget(self.buttons)
        chain = [self._widgets[f] for f in FIELD_ORDER]
        chain[3:4] = [self.board.table, self.board.add_button, self.board.remove_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 150)

    # -- behaviour -------------------------------------------------------------------------------

    @property
    def save_button(self) -> QPushButton:
        """The Save button (tests click it)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _on_federation(self) -> None:
        """A federation gathers clubs of one state: propose it as the home state if none is chosen."""
        state = self._federation_states.get(self.federation.currentData())
        if state and not self.home_state.currentData():
            self.home_state.setCurrentIndex(max(0, self.home_state.findData(state)))

    def _on_issued(self, issued: QDate) -> None:
        """A new issue date moves the expiry to the latest allowed, unless the officer typed one."""
        if not self._expiry_touched:
            self._setting_expiry = True
            self.expires.setDate(to_qdate(toma_latest_expiry(from_qdate(issued))))
            self._setting_expiry = False

    def _on_expires(self) -> None:
        if not self._setting_expiry:
            self._expiry_touched = True

    def _on_home_state(self) -> None:
        """Offer the municipalities of the chosen state only."""
        key = self.home_state.currentData()
        self._municipalities.clear()
        for municipality_key, name in list_municipalities(self._db, key) if key else []:
            item = QStandardItem(name)
            item.setData(municipality_key, _KEY_ROLE)
            item.setData(fold(name), _SEARCH_ROLE)
            self._municipalities.appendRow(item)
        self.municipality.setEnabled(bool(key))
        self.municipality.setCurrentIndex(-1)
        self.municipality.setEditText("")
        self.municipality.lineEdit().setPlaceholderText(
            _("Type to search, e.g. Jerez") if key else _("Choose the state first")
        )

    def select_municipality(self, key: str) -> None:
        """Show municipality ``key`` (its state must be chosen)."""
        for row in range(self._municipalities.rowCount()):
            if self._municipalities.item(row).data(_KEY_ROLE) == key:
                self.municipality.setCurrentIndex(row)
                return

    def municipality_key(self) -> str:
        """The INEGI key of the municipality named in the box, or "" when the text names none."""
        text = self.municipality.currentText().strip()
        index = self.municipality.currentIndex()
        if index >= 0 and self.municipality.itemText(index) == text:
            return self._municipalities.item(index).data(_KEY_ROLE)
        wanted = fold(text)
        for row in range(self._municipalities.rowCount()):
            item = self._municipalities.item(row)
            if fold(item.text()) == wanted:
                return item.data(_KEY_ROLE)
        return ""

    def fill(self, club: ClubInfo) -> None:
        """Show a stored club's fields."""
        self.name.setText(club.name)
        self.federation.setCurrentIndex(max(0, self.federation.findData(club.federation_id)))
        self.members.setValue(club.members)
        self.board.set_members(club.board)
        self.toma_folio.setText(club.toma_folio)
        self.toma_issuer.setText(club.toma_issuer)
        self._setting_expiry = True
        self.issued.setDate(to_qdate(club.toma_issued_on))
        self.expires.setDate(to_qdate(club.toma_expires_on))
        self._setting_expiry = False
        self._expiry_touched = False
        self.us_city.setText(club.us_city)
        self.us_state.setCurrentIndex(max(0, self.us_state.findData(club.us_state)))
        self.home_state.setCurrentIndex(max(0, self.home_state.findData(club.home_state_key)))
        self.select_municipality(club.home_municipality_key)
        self.home_contact.setText(club.home_contact)

    def data(self) -> ClubInput:
        """What the form says now."""
        return ClubInput(
            name=self.name.text(),
            toma_folio=self.toma_folio.text(),
            toma_issuer=self.toma_issuer.text(),
            toma_issued_on=from_qdate(self.issued.date()),
            toma_expires_on=from_qdate(self.expires.date()),
            members=self.members.value(),
            us_city=self.us_city.text(),
            us_state=self.us_state.currentData() or "",
            home_state_key=self.home_state.currentData() or "",
            home_municipality_key=self.municipality_key(),
            home_contact=self.home_contact.text(),
            federation_id=self.federation.currentData(),
            board=self.board.members(),
        )

    def _ui_problems(self) -> list[Problem]:
        """Problems only the form can name well: an unchosen list, a municipality typed but not found."""
        problems = []
        if not self.us_state.currentData():
            problems.append(Problem("us_state", "choice.required", {}))
        if not self.home_state.currentData():
            # The municipality list stays empty until a state is chosen: one message, on the state.
            problems.append(Problem("home_state_key", "choice.required", {}))
        elif not self.municipality_key():
            text = self.municipality.currentText().strip()
            if text:
                problems.append(
                    Problem(
                        "home_municipality_key",
                        "municipality.not_in_list",
                        {"text": text, "state": self.home_state.currentText()},
                    )
                )
            else:
                problems.append(Problem("home_municipality_key", "choice.required", {}))
        return problems

    def save(self) -> bool:
        """Register or update the club; on problems show them under their fields and return False."""
        try:
            if self._editing is None:
                self.saved = register_club(self._db, self.data())
            else:
                self.saved = update_club(
                    self._db, self._editing.club.id, self.data(), expected_version=self._editing.version
                )
                club_edited(self._db, self._editing.club, self.saved, self.parentWidget())
        except InputError as exc:
            self.show_problems(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        return True

    def show_problems(self, problems: Iterable[Problem]) -> None:
        """Show ``problems`` under their fields (the form's own first) and focus the first bad field."""
        problems = list(problems)
        conflict = any(p.code == "club.changed_elsewhere" for p in problems)
        mine = [] if conflict else self._ui_problems()
        replaced = {p.field for p in mine}
        if any(p.field == "home_state_key" for p in mine):
            replaced.add("home_municipality_key")
        shown = mine + [p for p in problems if p.field not in replaced]
        self.errors.show(shown)
        self.reload_button.setVisible(conflict)
        self._grow()
        bad = {p.field.split("[")[0] for p in shown}
        first = next((f for f in FIELD_ORDER if f in bad), None)
        if first is not None:
            self._widgets[first].setFocus(Qt.FocusReason.OtherFocusReason)
        elif conflict:
            self.reload_button.setFocus()

    def _grow(self) -> None:
        """Make room for the error lines just shown (word-wrapped labels do not resize a window)."""
        self.layout().activate()
        hint = self.sizeHint()
        self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    def reload(self) -> None:
        """Show the club as stored now (after another window changed it), dropping the edits here."""
        if self._editing is None:
            return
        try:
            self._editing = club_for_edit(self._db, self._editing.club.id)
        except (InputError, StorageError) as exc:
            show_error(self, exc)
            return
        self.fill(self._editing.club)
        self.errors.clear()
        self.reload_button.hide()
        self._grow()
        self.name.setFocus()

    def accept(self) -> None:
        """Save first; the dialog closes only when the club was stored."""
        if self.save():
            super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, club: ClubInfo | ClubRow | int | None = None
    ) -> ClubInfo | None:
        """Run the dialog for a new club (``club`` None) or an existing one (read afresh, with its version).

        Returns:
            The stored club, or None when the officer cancels (or the club cannot be read).
        """
        try:
            editing = None if club is None else club_for_edit(db, club if isinstance(club, int) else club.id)
            dialog = cls(db, editing, parent)
        except (InputError, StorageError) as exc:
            show_error(parent, exc)
            return None
        try:
            return dialog.saved if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
