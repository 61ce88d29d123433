"""Dialogs of the COVAM page: convene a session, put projects on its agenda, record its rulings.

Each dialog calls its service itself and stays open while the service refuses, with every problem
shown where it belongs (under the field, the attendee or the project's row), so nothing the officer
typed is lost; ``ask`` returns the stored session, or None when the officer cancels.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.quorum import GUEST, ROLE_LABELS, ROLES
from tresxuno.domain.stages import Stage
from tresxuno.formatting import SESSION_KIND_LABELS, money_text, party_label, stage_label
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.messages import describe
from tresxuno.services.covam import (
    RULING_STAGES,
    AgendaLine,
    AttendeeInput,
    RulingInput,
    SessionInfo,
    SessionInput,
    add_to_agenda,
    attendees_from_officials,
    create_session,
    record_rulings,
    update_session,
)
from tresxuno.services.projects import ProjectFilters, count_projects, list_projects
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import ERROR_STYLE, FieldErrors
from tresxuno.ui.widgets.date_field import DateField
from tresxuno.ui.widgets.paged_table import SEARCH_DELAY_MS  # the lists' pause: rows within 150 ms

#: Parties of the attendee rows a new session starts with: who usually sits on the committee.
DEFAULT_ATTENDEE_PARTIES: tuple[str, ...] = ("federal", "state", "municipal", "club")

#: Most projects the picker lists at once; a search narrows the rest.
PICKER_LIMIT = 500

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def ruling_label(ruling: str) -> str:
    """Translated name of a ruling: the name of the stage it moves the project to."""
    stage = RULING_STAGES.get(ruling)
    return stage_label(stage) if stage else ruling


def _focus_proxy(widget: QWidget) -> None:
    """Let the label's mnemonic (Alt+letter) reach a field that FieldErrors wrapped in a container."""
    container = widget.parentWidget()
    if container is not None:
        container.setFocusProxy(widget)


def _general_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _show_general(errors: FieldErrors, label: QLabel, text: str) -> None:
    """Show a message of the dialog's own (not a service problem) in the general error line."""
    errors.clear()
    label.setText(text)
    label.show()


# --- New session --------------------------------------------------------------------------------


class _AttendeeRow(QWidget):
    """One person present: party, name and position, a remove button, and an error line below."""

    def __init__(self, party: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.party = QComboBox(self)
        for p in PARTY_ORDER:
            self.party.addItem(party_label(p), p.value)
        self.party.setCurrentIndex(max(self.party.findData(party), 0))
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(_("Full name"))
        self.position = QLineEdit(self)
        self.position.setPlaceholderText(_("Position or office"))
        self.role = QComboBox(self)
        for role in ROLES:
            self.role.addItem(_(ROLE_LABELS[role]), role)
        self.role.setCurrentIndex(self.role.findData("vocal"))
        self.vote = QCheckBox(_("Votes"), self)
        self.vote.setChecked(True)
        # A guest never votes: choosing the role clears the box (the officer may still tick it back).
        self.role.currentIndexChanged.connect(
            lambda _i: self.vote.setChecked(self.role.currentData() != GUEST)
        )
        self.remove = QToolButton(self)
        self.remove.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogDiscardButton))
        self.error = QLabel(self)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.party)
        line.addWidget(self.name, 3)
        line.addWidget(self.position, 2)
        line.addWidget(self.role)
        line.addWidget(self.vote)
        line.addWidget(self.remove)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(line)
        box.addWidget(self.error)

    def number(self, n: int) -> None:
        """Name the row's controls for screen readers after its position (1-based)."""
        self.party.setAccessibleName(_("Party of attendee {n}").format(n=n))
        self.name.setAccessibleName(_("Name of attendee {n}").format(n=n))
        self.position.setAccessibleName(_("Position of attendee {n}").format(n=n))
        self.role.setAccessibleName(_("Role of attendee {n}").format(n=n))
        self.vote.setAccessibleName(_("Attendee {n} votes").format(n=n))
        self.remove.setAccessibleName(_("Remove attendee {n}").format(n=n))
        self.remove.setToolTip(_("Remove attendee {n}").format(n=n))

    def blank(self) -> bool:
        """Nothing typed: the row is left out (a new session offers rows the officer may not need)."""
        return not self.name.text().strip() and not self.position.text().strip()

    def value(self) -> AttendeeInput:
        """The attendee as typed."""
        return AttendeeInput(
            self.party.currentData(),
            self.name.text(),
            self.position.text(),
            self.role.currentData(),
            self.vote.isChecked(),
        )

    def fill(self, person: AttendeeInput) -> None:
        """Show a stored attendee (editing a session)."""
        self.party.setCurrentIndex(max(self.party.findData(person.party), 0))
        self.name.setText(person.name)
        self.position.setText(person.position)
        self.role.setCurrentIndex(max(self.role.findData(person.role), 0))
        self.vote.setChecked(person.has_vote)


class SessionDialog(QDialog):
    """Convene a COVAM session, or correct one whose acta is not final yet.

    Number, dates (held and called), place, kind, the committee's members with vote, the priority
    criteria, notes, and who attended with their role and vote.

    Attributes:
        result_session: the stored session once :meth:`submit` succeeded.
    """

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
        existing: SessionInfo | None = None,
    ):
        super().__init__(parent)
        self._db = db
        self.existing = existing
        self.result_session: SessionInfo | None = None
        self.setWindowTitle(
            _("Edit COVAM session {number}").format(number=existing.number)
            if existing
            else _("New COVAM session")
        )
        self.general = _general_label(self)
        self.errors = FieldErrors(self.general)

        self.number = QLineEdit(self)
        self.number.setPlaceholderText(_("e.g. 1/{year}").format(year=(today or date.today()).year))
        self.held_on = DateField(self)
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("dd/MM/yyyy")
        self.held_on.setDate(QDate(today or date.today()))
        self.place = QLineEdit(self)
        self.place.setPlaceholderText(_("e.g. Sala de Cabildo, Jerez"))
        self.kind = QComboBox(self)
        for kind, label in SESSION_KIND_LABELS.items():
            self.kind.addItem(_(label), kind)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)
        self.called_known = QCheckBox(_("Recorded"), self)
        self.called_on = DateField(self)
        self.called_on.setCalendarPopup(True)
        self.called_on.setDisplayFormat("dd/MM/yyyy")
        self.called_on.setDate(QDate(today or date.today()))
        self.called_on.setEnabled(False)
        self.called_known.toggled.connect(self.called_on.setEnabled)
        called = QWidget(self)
        called_box = QHBoxLayout(called)
        called_box.setContentsMargins(0, 0, 0, 0)
        called_box.addWidget(self.called_known)
        called_box.addWidget(self.called_on, 1)
        self.voting_members = QSpinBox(self)
        self.voting_members.setRange(0, 200)
        # 0 stands for "not recorded": the quorum is then counted on those present with vote.
        self.voting_members.setSpecialValueText(_("as many as attend with vote"))
        self.criteria = QPlainTextEdit(self)
        self.criteria.setTabChangesFocus(True)
        self.criteria.setPlaceholderText(_("One criterion per line"))
        self.criteria.setFixedHeight(self.criteria.fontMetrics().lineSpacing() * 3 + 12)

        form = QFormLayout()
        self._form_fields: dict[str, tuple[QWidget, QLabel]] = {}
        for field, label, widget in (
            ("number", _("Session &number:"), self.number),
            ("held_on", _("&Date:"), self.held_on),
            ("place", _("&Place:"), self.place),
            ("kind", _("&Kind:"), self.kind),
            ("called_on", _("Ca&lled on:"), called),
            ("voting_members", _("&Members with vote:"), self.voting_members),
            ("criteria", _("Priority c&riteria:"), self.criteria),
            ("notes", _("N&otes:"), self.notes),
        ):
            error = self.errors.add_row(form, field, label, widget)
            _focus_proxy(widget)
            self._form_fields[field] = (widget, error)

        self.rows: list[_AttendeeRow] = []
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(4)
        self.add_button = QPushButton(_("&Add attendee"), self)
        self.add_button.clicked.connect(lambda: self.add_attendee(focus=True))
        self.officials_button = QPushButton(_("Add o&fficials in office on the session's date"), self)
        self.officials_button.setToolTip(
            _(
                "Adds the federal delegate, the state's head and the presidente municipal recorded for that date"
            )
        )
        self.officials_button.clicked.connect(self.add_officials)
        attendees = QGroupBox(_("Attendees"), self)
        inner = QWidget()
        inner_box = QVBoxLayout(inner)
        inner_box.setContentsMargins(0, 0, 0, 0)
        inner_box.addLayout(self._rows_box)
        inner_box.addStretch(1)
        self._scroll = QScrollArea(attendees)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(inner)
        group_box = QVBoxLayout(attendees)
        group_box.addWidget(self._header_row())
        group_box.addWidget(self._scroll, 1)
        adding = QHBoxLayout()
        adding.addWidget(self.add_button)
        adding.addWidget(self.officials_button)
        adding.addStretch(1)
        group_box.addLayout(adding)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.addButton(
            _("Save changes") if existing else _("Create session"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(attendees, 1)
        layout.addWidget(self.buttons)
        # Rows are added once every field is in the dialog, so the Tab order can be chained.
        if existing is not None:
            self._fill(existing)
        else:
            for party in DEFAULT_ATTENDEE_PARTIES:
                self.add_attendee(party)
        self.resize(max(self.sizeHint().width(), 760), max(self.sizeHint().height(), 560))

    def _fill(self, info: SessionInfo) -> None:
        """Show a stored session to correct it."""
        self.number.setText(info.number)
        self.held_on.setDate(QDate(info.held_on))
        self.place.setText(info.place)
        self.kind.setCurrentIndex(max(self.kind.findData(info.kind), 0))
        self.notes.setPlainText(info.notes)
        self.called_known.setChecked(info.called_on is not None)
        if info.called_on is not None:
            self.called_on.setDate(QDate(info.called_on))
        self.voting_members.setValue(info.voting_members or 0)
        self.criteria.setPlainText(info.criteria)
        for person in info.attendees:
            self.add_attendee(person.party).fill(person)

    def _header_row(self) -> QWidget:
        """Column titles over the attendee rows, as wide as the rows' own controls."""
        header = QWidget(self)
        line = QHBoxLayout(header)
        line.setContentsMargins(0, 0, 0, 0)
        probe = _AttendeeRow("club")
        party = QLabel(_("Party"), header)
        party.setFixedWidth(probe.party.sizeHint().width())
        line.addWidget(party)
        line.addWidget(QLabel(_("Name"), header), 3)
        line.addWidget(QLabel(_("Position"), header), 2)
        line.addSpacing(probe.role.sizeHint().width() + probe.vote.sizeHint().width())
        line.addSpacing(probe.remove.sizeHint().width())
        probe.deleteLater()
        return header

    # -- attendees -------------------------------------------------------------------------------

    def add_attendee(self, party: str = "club", *, focus: bool = False) -> _AttendeeRow:
        """Add an empty attendee row (for ``party``); focus its name when the officer asked for it."""
        row = _AttendeeRow(party)
        row.remove.clicked.connect(lambda: self.remove_attendee(row))
        self.rows.append(row)
        self._rows_box.addWidget(row)
        self._renumber()
        if focus:
            row.party.setFocus(Qt.FocusReason.OtherFocusReason)
            self._scroll.ensureWidgetVisible(row)
        return row

    def add_officials(self) -> int:
        """Fill rows with the officials in office on the session's date (blank rows reused); returns how many."""
        try:
            people = attendees_from_officials(self._db, self.held_on.date().toPython())
        except StorageError as exc:
            show_error(self, exc)
            return 0
        typed = {row.name.text().strip() for row in self.rows}
        added = 0
        for person in people:
            if person.name in typed:
                continue  # already there
            row = next((r for r in self.rows if r.blank() and r.party.currentData() == person.party), None)
            (row or self.add_attendee(person.party)).fill(person)
            added += 1
        if not people:
            _show_general(self.errors, self.general, _("No officials are recorded for the session's date."))
        return added

    def remove_attendee(self, row: _AttendeeRow) -> None:
        """Take a row away; the focus goes to the next row (or the add button)."""
        index = self.rows.index(row)
        self.rows.remove(row)
        self._rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._renumber()
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)].name.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _renumber(self) -> None:
        """Accessible names follow the rows' positions; Tab walks the rows in order, then Add."""
        chain: list[QWidget] = [self.notes]
        for n, row in enumerate(self.rows, start=1):
            row.number(n)
            chain += [row.party, row.name, row.position, row.role, row.vote, row.remove]
        chain.append(self.add_button)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- saving ----------------------------------------------------------------------------------

    def session_input(self) -> tuple[SessionInput, list[_AttendeeRow]]:
        """What the form says, and the attendee rows that went into it (blank rows are left out)."""
        used = [row for row in self.rows if not row.blank()]
        data = SessionInput(
            number=self.number.text(),
            held_on=self.held_on.date().toPython(),
            place=self.place.text(),
            kind=self.kind.currentData(),
            notes=self.notes.toPlainText(),
            attendees=tuple(row.value() for row in used),
            called_on=self.called_on.date().toPython() if self.called_known.isChecked() else None,
            voting_members=self.voting_members.value() or None,
            criteria=self.criteria.toPlainText(),
        )
        return data, used

    def submit(self) -> bool:
        """Store the session; on refusal show each problem where it belongs and stay open."""
        data, used = self.session_input()
        # Problems name attendees by their position among the rows sent, not among all rows.
        errors = FieldErrors(self.general)
        for field, (widget, error) in self._form_fields.items():
            errors.register(field, widget, error)
        for i, row in enumerate(used):
            errors.register(f"attendees[{i}]", row.name, row.error)
        for row in self.rows:
            row.error.clear()
            row.error.hide()
        self.errors = errors
        try:
            user = current_actor().username
            if self.existing is not None:
                info = update_session(self._db, self.existing.id, data, user=user)
            else:
                info = create_session(self._db, data, user=user)
        except InputError as exc:
            first = errors.show(exc.problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.result_session = info
        self.accept()
        return True

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        db: Database,
        *,
        today: date | None = None,
        existing: SessionInfo | None = None,
    ) -> SessionInfo | None:
        """Show the dialog (to correct ``existing`` when given); the session stored, or None if cancelled."""
        dialog = cls(db, parent, today=today, existing=existing)
        try:
            dialog.exec()
            return dialog.result_session
        finally:
            dialog.deleteLater()


# --- Agenda: choose pre-validated projects ------------------------------------------------------


class _CheckTable(QTableWidget):
    """A table whose rows are ticked with Space wherever the cursor is in the row."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Space ticks or unticks the current row."""
        if event.key() == Qt.Key.Key_Space and self.currentRow() >= 0:
            item = self.item(self.currentRow(), 0)
            if item is not None:
                ticked = item.checkState() == Qt.CheckState.Checked
                item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)
            event.accept()
            return
        super().keyPressEvent(event)


@dataclass(frozen=True)
class _PickerColumn:
    header: str  # English msgid
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


_PICKER_COLUMNS = (
    _PickerColumn(N_("Folio")),
    _PickerColumn(N_("Project")),
    _PickerColumn(N_("Club")),
    _PickerColumn(N_("Municipality")),
    _PickerColumn(N_("Cost (MXN)"), _RIGHT),
    _PickerColumn(N_("Problem")),
)
_PROBLEM_COLUMN = len(_PICKER_COLUMNS) - 1
#: Widest the free-text columns of the picker get, in average characters.
_PICKER_MAX_CHARS = {2: 24, 3: 16, _PROBLEM_COLUMN: 22}


class AgendaPickerDialog(QDialog):
    """Tick pre-validated projects and put them on a session's agenda (they move to "At COVAM").

    Ticks survive searching, so the officer can search for one project after another. When the
    service refuses some, nothing is added; each refused project shows why in its row.

    Attributes:
        result_session: the session with its new agenda once :meth:`submit` succeeded.
    """

    def __init__(self, db: Database, session: SessionInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._session = session
        self.result_session: SessionInfo | None = None
        self.ticked: dict[int, str] = {}  # project id -> folio, in the order ticked
        self.problems: dict[int, str] = {}  # project id -> why the service refused it
        self._filling = False
        self.setWindowTitle(_("Add projects to the agenda of session {number}").format(number=session.number))

        intro = QLabel(
            _(
                "Only pre-validated projects that carry every required document can go to the "
                "COVAM. Tick them (Space or a click) and choose Add to agenda."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Search by folio, project, club or municipality"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search pre-validated projects"))
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        self.search.installEventFilter(self)

        self.table = _CheckTable(0, len(_PICKER_COLUMNS), self)
        self.table.setAccessibleName(_("Pre-validated projects"))
        self.table.setHorizontalHeaderLabels([_(c.header) for c in _PICKER_COLUMNS])
        for number, column in enumerate(_PICKER_COLUMNS):
            self.table.horizontalHeaderItem(number).setTextAlignment(column.align)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionHidden(_PROBLEM_COLUMN, True)
        self.table.itemChanged.connect(self._on_item_changed)

        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)
        self.count = QLabel(self)
        self.general = _general_label(self)
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.add_button = self.buttons.addButton(_("Add to agenda"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.general)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        QWidget.setTabOrder(self.search, self.table)
        self.resize(1100, 560)
        self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Enter in the search box searches now; it must not also put the ticked projects on the agenda."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.reload()
            return True  # consumed: the dialog's default button never sees it
        return super().eventFilter(watched, event)

    def filters(self) -> ProjectFilters:
        """Pre-validated projects matching the search box."""
        return ProjectFilters(stage=Stage.PREVALIDADO.value, text=self.search.text().strip())

    def reload(self) -> None:
        """List the projects matching the search (ticks are kept)."""
        self._debounce.stop()
        try:
            total = count_projects(self._db, self.filters())
            rows = list_projects(self._db, self.filters(), limit=PICKER_LIMIT) if total else []
        except StorageError as exc:
            show_error(self, exc)
            return
        self._filling = True
        self.table.setRowCount(len(rows))
        lang = language()
        for r, project in enumerate(rows):
            texts = (
                project.folio,
                project.name,
                project.club_name,
                project.municipality_name,
                money_text(project.cost, lang),
                self.problems.get(project.id, ""),
            )
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setTextAlignment(_PICKER_COLUMNS[c].align)
                item.setToolTip(text if c in (1, 2, _PROBLEM_COLUMN) else "")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(r, c, item)
            first = self.table.item(r, 0)
            first.setData(Qt.ItemDataRole.UserRole, project.id)
            first.setFlags(first.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = project.id in self.ticked
            first.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            if project.id in self.problems:
                # The icon marks the refused row where the eye starts; the Problem column says why.
                first.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
                first.setToolTip(self.problems[project.id])
        self._filling = False
        self._fit_columns()
        if rows and self.table.currentRow() < 0:
            self.table.setCurrentCell(0, 0)
        if rows:
            self.pages.setCurrentWidget(self.table)
        elif self.search.text().strip():
            self.empty.setText(_("No pre-validated project matches the search."))
            self.pages.setCurrentWidget(self.empty)
        else:
            self.empty.setText(
                _(
                    "No project is pre-validated yet. A request goes to the COVAM once the "
                    "technical sub-committee has pre-validated it and every required "
                    "document is attached."
                )
            )
            self.pages.setCurrentWidget(self.empty)
        self._shown, self._total = len(rows), total
        self._update_count()

    def _fit_columns(self) -> None:
        """Folio and cost whole; club, municipality and problem capped (full text in tooltips)."""
        header = self.table.horizontalHeader()
        chars = self.table.fontMetrics().averageCharWidth()
        for column in range(len(_PICKER_COLUMNS)):
            if column == 1:
                continue  # the project's name stretches over what is left
            self.table.resizeColumnToContents(column)
            cap = _PICKER_MAX_CHARS.get(column)
            if cap:
                header.resizeSection(
                    column, min(header.sectionSize(column), max(header.sectionSizeHint(column), chars * cap))
                )

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        project_id = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self.ticked[project_id] = item.text()
        else:
            self.ticked.pop(project_id, None)
        self._update_count()

    def _update_count(self) -> None:
        shown = ngettext(
            "{shown} of {total} pre-validated project shown",
            "{shown} of {total} pre-validated projects shown",
            self._total,
        ).format(shown=f"{self._shown:,}", total=f"{self._total:,}")
        ticked = ngettext("{count} ticked", "{count} ticked", len(self.ticked)).format(count=len(self.ticked))
        self.count.setText(f"{shown} · {ticked}")
        self.add_button.setEnabled(bool(self.ticked))

    def tick(self, project_id: int, ticked: bool = True) -> None:
        """Tick (or untick) a listed project, as a click on its box would."""
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item.data(Qt.ItemDataRole.UserRole) == project_id:
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                return
        raise KeyError(project_id)

    def submit(self) -> bool:
        """Put the ticked projects on the agenda; when any is refused, none is, and each says why."""
        if not self.ticked:
            return False
        ids = list(self.ticked)
        try:
            info = add_to_agenda(self._db, self._session.id, ids, user=current_actor().username)
        except InputError as exc:
            self._show_problems(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.result_session = info
        self.accept()
        return True

    def _show_problems(self, problems: list[Problem]) -> None:
        self.problems.clear()
        lines = []
        for problem in problems:
            project_id = _project_of(problem.field)
            text = describe(problem, with_field=False)
            if project_id is not None:
                self.problems[project_id] = (self.problems.get(project_id, "") + "; " + text).lstrip("; ")
                lines.append(f"• {self.ticked.get(project_id, project_id)}: {text}")
            else:
                lines.append(f"• {describe(problem)}")
        refused = len(self.problems) or len(problems)
        summary = ngettext(
            "{count} project cannot go on the agenda, so none was added. Untick it or complete it, "
            "then try again.",
            "{count} projects cannot go on the agenda, so none was added. Untick them or complete them, "
            "then try again.",
            refused,
        ).format(count=refused)
        self.general.setText(summary + "\n" + "\n".join(lines))
        self.general.show()
        self.table.horizontalHeader().setSectionHidden(_PROBLEM_COLUMN, False)
        self.reload()

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, session: SessionInfo) -> SessionInfo | None:
        """Show the picker; the session with its new agenda, or None if the officer cancelled."""
        dialog = cls(db, session, parent)
        try:
            dialog.exec()
            return dialog.result_session
        finally:
            dialog.deleteLater()


def _project_of(field: str) -> int | None:
    """The project id of a ``project[<id>]`` problem field."""
    if field.startswith("project[") and field.endswith("]"):
        try:
            return int(field[len("project[") : -1])
        except ValueError:
            return None
    return None


# --- Rulings ------------------------------------------------------------------------------------


def pending_lines(session: SessionInfo) -> list[AgendaLine]:
    """Agenda lines still waiting for the committee's ruling."""
    return [line for line in session.agenda if line.ruling is None and line.stage == Stage.EN_COVAM.value]


class _RulingRow:
    """The controls of one project in the rulings table."""

    def __init__(self, line: AgendaLine, parent: QWidget):
        self.line = line
        self.folio = QLabel(line.folio, parent)
        self.folio.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name = QLabel(parent)
        self.name.setToolTip(f"{line.name} — {line.club_name}")
        metrics = self.name.fontMetrics()
        self.name.setText(metrics.elidedText(line.name, Qt.TextElideMode.ElideRight, 240))
        self.name.setMinimumWidth(min(metrics.horizontalAdvance(line.name) + 8, 248))
        self.cost = QLabel(money_text(line.cost), parent)
        self.cost.setAlignment(_RIGHT)
        self.ruling = QComboBox(parent)
        self.ruling.addItem(_("— not yet —"), None)
        for ruling in RULING_STAGES:
            self.ruling.addItem(ruling_label(ruling), ruling)
        self.priority = QSpinBox(parent)
        self.priority.setRange(-1, 100)
        self.priority.setSpecialValueText("—")  # shown at -1: no score given
        self.priority.setValue(-1 if line.priority is None else line.priority)
        self.priority.setAlignment(_RIGHT)
        # The votes on the project (in favour, against, abstentions): "—" when not counted.
        self.votes: list[QSpinBox] = []
        for given in (line.votes_for, line.votes_against, line.abstentions):
            box = QSpinBox(parent)
            box.setRange(-1, 200)
            box.setSpecialValueText("—")
            box.setValue(-1 if given is None else given)
            box.setAlignment(_RIGHT)
            self.votes.append(box)
        self.conditions = QLineEdit(line.conditions, parent)
        self.conditions.setPlaceholderText(_("Conditions, or the reasons for a rejection or return"))
        self.conditions.setMinimumWidth(self.conditions.fontMetrics().averageCharWidth() * 36)
        self.error = QLabel(parent)
        for widget, label in (
            (self.ruling, _("Ruling on {folio}")),
            (self.priority, _("Priority of {folio}")),
            (self.conditions, _("Conditions for {folio}")),
            (self.votes[0], _("Votes in favour of {folio}")),
            (self.votes[1], _("Votes against {folio}")),
            (self.votes[2], _("Abstentions on {folio}")),
        ):
            widget.setAccessibleName(label.format(folio=line.folio))

    def value(self) -> RulingInput | None:
        """The ruling typed, or None when the row is left for a later sitting."""
        ruling = self.ruling.currentData()
        if not ruling:
            return None
        priority = self.priority.value()
        votes = [None if box.value() < 0 else box.value() for box in self.votes]
        return RulingInput(
            self.line.project_id,
            ruling,
            None if priority < 0 else priority,
            self.conditions.text(),
            votes[0],
            votes[1],
            votes[2],
        )


class RulingsDialog(QDialog):
    """The committee's rulings on a session's agenda, applied together in one transaction.

    Projects left at "— not yet —" stay at the COVAM for a later sitting. If the service refuses
    any ruling, none is stored: every problem shows under its project and the entries stay.

    Attributes:
        result_session: the session with the rulings once :meth:`submit` succeeded.
    """

    def __init__(self, db: Database, session: SessionInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._session = session
        self.result_session: SessionInfo | None = None
        self.setWindowTitle(_("Rulings of session {number}").format(number=session.number))
        intro = QLabel(
            _(
                "Choose the committee's ruling on each project, with a priority score from 0 to 100, "
                "the votes in favour, against and abstentions, and its conditions. A rejected or "
                "returned project needs the reasons in its conditions. Projects left without a ruling "
                "stay at the COVAM."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.general = _general_label(self)
        self.errors = FieldErrors(self.general)

        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        for column, text in enumerate(
            (
                _("Folio"),
                _("Project"),
                _("Cost"),
                _("Ruling"),
                _("Priority"),
                _("For"),
                _("Against"),
                _("Abstentions"),
                _("Conditions"),
            )
        ):
            title = QLabel(f"<b>{text}</b>", grid_widget)
            if column == 2 or 5 <= column <= 7:
                title.setAlignment(_RIGHT)
            grid.addWidget(title, 0, column)
        self.rows: list[_RulingRow] = []
        for n, line in enumerate(pending_lines(session)):
            row = _RulingRow(line, grid_widget)
            r = 1 + 2 * n
            for column, widget in enumerate(
                (row.folio, row.name, row.cost, row.ruling, row.priority, *row.votes, row.conditions)
            ):
                grid.addWidget(widget, r, column)
            grid.addWidget(row.error, r + 1, 1, 1, 8)
            self.errors.register(f"project[{line.project_id}]", row.ruling, row.error)
            self.rows.append(row)
        grid.setColumnStretch(8, 1)
        grid.setRowStretch(1 + 2 * len(self.rows), 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_widget)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.apply_button = self.buttons.addButton(_("Apply rulings"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.general)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        chain: list[QWidget] = [
            w for row in self.rows for w in (row.ruling, row.priority, *row.votes, row.conditions)
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        if self.rows:
            self.rows[0].ruling.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(1180, min(200 + 44 * len(self.rows), 680))

    def row_for(self, project_id: int) -> _RulingRow:
        """The row of a project on the agenda."""
        return next(row for row in self.rows if row.line.project_id == project_id)

    def set_ruling(
        self,
        project_id: int,
        ruling: str | None,
        priority: int | None = None,
        conditions: str = "",
        votes: tuple[int, int, int] | None = None,
    ) -> None:
        """Fill a project's row as the officer would (tests and keyboard macros); ``votes``: for, against, abstentions."""
        row = self.row_for(project_id)
        row.ruling.setCurrentIndex(row.ruling.findData(ruling))
        row.priority.setValue(-1 if priority is None else priority)
        row.conditions.setText(conditions)
        for box, count in zip(row.votes, votes or (-1, -1, -1), strict=True):
            box.setValue(count)

    def submit(self) -> bool:
        """Apply every ruling chosen in one transaction; on refusal show the problems, keep the entries."""
        rulings = [r for r in (row.value() for row in self.rows) if r is not None]
        if not rulings:
            _show_general(
                self.errors,
                self.general,
                _("Choose a ruling for at least one project, or Cancel to leave them all for later."),
            )
            return False
        # A rejection is final and every ruling goes into the minutes: one confirmation, for the batch.
        counts = {ruling: sum(r.ruling == ruling for r in rulings) for ruling in RULING_STAGES}
        question = ngettext(
            "Apply the ruling on {count} project?", "Apply the rulings on {count} projects?", len(rulings)
        ).format(count=len(rulings))
        detail = _(
            "Approved: {approved}. Rejected: {rejected}. Returned: {returned}. A rejected project "
            "cannot be reopened."
        ).format(approved=counts["aprobado"], rejected=counts["rechazado"], returned=counts["devuelto"])
        if not prompts.confirm(self, _("Apply rulings"), f"{question}\n\n{detail}"):
            return False
        try:
            info = record_rulings(self._db, self._session.id, rulings, user=current_actor().username)
        except InputError as exc:
            first = self.errors.show(exc.problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.result_session = info
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, session: SessionInfo) -> SessionInfo | None:
        """Show the rulings table; the session with its rulings, or None if the officer cancelled."""
        dialog = cls(db, session, parent)
        try:
            dialog.exec()
            return dialog.result_session
        finally:
            dialog.deleteLater()
