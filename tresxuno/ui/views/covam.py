"""The COVAM page: the committee's sessions, and for the chosen one its attendees and agenda.

From here the officer convenes a session (Ctrl+N), puts pre-validated projects on its agenda and
records the committee's rulings, all through the dialogs of :mod:`tresxuno.ui.dialogs.session`.
Sessions are few (a handful a year), so the lists are read whole; the agenda comes with its session.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QFont, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import (
    date_text,
    local_date,
    money_text,
    party_label,
    session_kind_label,
    stage_label,
)
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.services.covam import (
    SessionInfo,
    SessionSummary,
    finalize_session,
    get_session,
    list_sessions,
    list_versions,
    open_new_version,
)
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.session import (
    AgendaPickerDialog,
    RulingsDialog,
    SessionDialog,
    pending_lines,
    ruling_label,
)
from tresxuno.ui.errors import show_error
from tresxuno.ui.settings import Settings
from tresxuno.ui.tasks import Task
from tresxuno.ui.views.base import View

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

#: Columns of the session list: header msgid and alignment.
SESSION_COLUMNS: tuple[tuple[str, Qt.AlignmentFlag], ...] = (
    (N_("Number"), _LEFT),
    (N_("Date"), _LEFT),
    (N_("Place"), _LEFT),
    (N_("Kind"), _LEFT),
    (N_("Projects"), _RIGHT),
    (N_("Ruled"), _LEFT),
)
#: Columns of the agenda table: header msgid and alignment.
AGENDA_COLUMNS: tuple[tuple[str, Qt.AlignmentFlag], ...] = (
    (N_("Folio"), _LEFT),
    (N_("Project"), _LEFT),
    (N_("Club"), _LEFT),
    (N_("Cost (MXN)"), _RIGHT),
    (N_("Stage"), _LEFT),
    (N_("Ruling"), _LEFT),
    (N_("Priority"), _RIGHT),
    (N_("Conditions"), _LEFT),
)
#: Columns whose text may be long: elided at this many average characters, full text in a tooltip.
_MAX_CHARS = {1: 40, 2: 20, 7: 22}
_STATE_KEYS = ("covam.splitter", "covam.top")


def ruled_text(summary: SessionSummary) -> str:
    """How far the committee got: ``"3 of 5 ruled"`` (or that the agenda is still empty)."""
    if not summary.projects:
        return _("agenda empty")
    return ngettext("{ruled} of {total} ruled", "{ruled} of {total} ruled", summary.projects).format(
        ruled=summary.ruled, total=summary.projects
    )


def acta_state_text(info: SessionInfo) -> str:
    """Where the minutes stand: their version, final or still editable, and the quorum."""
    if info.final:
        state = _("Minutes version {version}, final: changes need a new version.").format(
            version=info.version
        )
    else:
        state = _(
            "Minutes version {version}, not final yet: the session and its attendees can be edited."
        ).format(version=info.version)
    q = info.quorum
    quorum = (
        _("Quorum: {present} of {members} members with vote.")
        if q.reached
        else _("No quorum: {present} of {members} members with vote.")
    ).format(present=q.present, members=q.members)
    return f"{state} {quorum}"


def _table(parent: QWidget, name: str, columns: tuple[tuple[str, Qt.AlignmentFlag], ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels([_(header) for header, _align in columns])
    for number, (_header, align) in enumerate(columns):
        table.horizontalHeaderItem(number).setTextAlignment(align)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Fitting columns measures at most this many rows: hundreds of sessions would cost a visible pause.
    table.horizontalHeader().setResizeContentsPrecision(60)
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows walk it
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setHighlightSections(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def _item(text: str, align: Qt.AlignmentFlag, *, tooltip: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(align)
    if tooltip:
        item.setToolTip(text)
    return item


class CovamView(View):
    """COVAM sessions with a year filter; the chosen session's attendees, agenda and rulings."""

    key = "covam"
    title_msgid = N_("COVAM sessions")
    icon_pixmap = QStyle.StandardPixmap.SP_FileDialogContentsView

    #: The officer asked to open a record: ``("project", id)`` from an agenda row.
    open_record = Signal(str, int)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.summaries: list[SessionSummary] = []
        self.current: SessionInfo | None = None
        self._all_count = 0
        self._new_shortcut: QShortcut | None = None
        self._stale = False  # hidden since the last reading: stages may have changed on other pages

        self.year = QComboBox(self)
        self.year.setAccessibleName(_("Year of the sessions"))
        self.year.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year.addItem(_("All years"), None)
        self.year.currentIndexChanged.connect(lambda _i: self.reload())
        self.new_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon), _("&New session…"), self
        )
        self.new_button.setToolTip(_("Convene a new COVAM session (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_record)

        self.sessions = _table(self, _("COVAM sessions"), SESSION_COLUMNS)
        self.sessions.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.sessions.itemSelectionChanged.connect(self._on_session_chosen)

        self.title = QLabel(self)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.attendees = QTreeWidget(self)
        self.attendees.setAccessibleName(_("Attendees by party"))
        self.attendees.setColumnCount(2)
        self.attendees.setHeaderLabels([_("Attendee"), _("Position")])
        self.attendees.setRootIsDecorated(True)
        self.attendees.setAlternatingRowColors(True)
        self.attendees.header().setStretchLastSection(True)
        self.attendees.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.attendees_empty = QLabel(_("No attendees were recorded for this session."), self)
        self.attendees_empty.setWordWrap(True)
        self.attendees_empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.agenda = _table(self, _("Agenda"), AGENDA_COLUMNS)
        self.agenda.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.agenda.itemActivated.connect(self._on_agenda_activated)
        self.agenda_empty = QLabel(self)
        self.agenda_empty.setWordWrap(True)
        self.agenda_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.agenda_pages = QStackedWidget(self)
        self.agenda_pages.addWidget(self.agenda)
        self.agenda_pages.addWidget(self.agenda_empty)
        self.add_button = QPushButton(_("&Add projects to the agenda…"), self)
        self.add_button.clicked.connect(self.add_projects)
        self.rule_button = QPushButton(_("Record &rulings…"), self)
        self.rule_button.clicked.connect(self.record_rulings)
        self.edit_button = QPushButton(_("&Edit session…"), self)
        self.edit_button.setToolTip(
            _("Correct the session, its attendees and criteria while its minutes are not final")
        )
        self.edit_button.clicked.connect(self.edit_session)
        self.final_button = QPushButton(_("Mark minutes as &final…"), self)
        self.final_button.clicked.connect(self.mark_final)
        self.version_button = QPushButton(_("New &version…"), self)
        self.version_button.setToolTip(_("Reopen final minutes to correct them; the reason is recorded"))
        self.version_button.clicked.connect(self.new_version)
        self.versions_button = QPushButton(_("Ver&sions…"), self)
        self.versions_button.clicked.connect(self.show_versions)
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        self.minutes_button = QPushButton(_("&Print minutes…"), self)
        self.minutes_button.clicked.connect(self.print_minutes)
        self.report_task: Task | None = None
        self._update_minutes_button()

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_new = QPushButton(_("New session…"), self)
        self.message_new.clicked.connect(self.new_record)
        self.message_all = QPushButton(_("Show every year"), self)
        self.message_all.clicked.connect(lambda: self.year.setCurrentIndex(0))

        self._lay_out()
        self.reload()

    # -- building --------------------------------------------------------------------------------

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        year_label = QLabel(_("&Year:"), self)
        year_label.setBuddy(self.year)
        bar.addWidget(year_label)
        bar.addWidget(self.year)
        bar.addStretch(1)
        bar.addWidget(self.new_button)

        # The attendees sit beside the session list (few columns), so the agenda gets the full width.
        attendees_box = QGroupBox(_("Attendees"), self)
        box = QVBoxLayout(attendees_box)
        box.addWidget(self.attendees, 1)
        box.addWidget(self.attendees_empty, 1)
        self.top_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.top_split.addWidget(self.sessions)
        self.top_split.addWidget(attendees_box)
        self.top_split.setStretchFactor(0, 3)
        self.top_split.setStretchFactor(1, 2)
        self.top_split.setSizes([700, 420])

        agenda_box = QGroupBox(_("Agenda and rulings"), self)
        box = QVBoxLayout(agenda_box)
        box.addWidget(self.agenda_pages, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.rule_button)
        buttons.addStretch(1)
        buttons.addWidget(self.minutes_button)
        box.addLayout(buttons)
        detail = QWidget(self)
        box = QVBoxLayout(detail)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.title)
        box.addWidget(self.state_label)
        box.addWidget(self.notes)
        acta = QHBoxLayout()
        for button in (self.edit_button, self.final_button, self.version_button, self.versions_button):
            acta.addWidget(button)
        acta.addStretch(1)
        box.addLayout(acta)
        box.addWidget(agenda_box, 1)

        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.top_split)
        self.split.addWidget(detail)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([260, 440])

        empty = QWidget(self)
        box = QVBoxLayout(empty)
        box.addStretch(1)
        box.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.message_new)
        row.addWidget(self.message_all)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(2)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.split)
        self.pages.addWidget(empty)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        chain = (
            self.year,
            self.new_button,
            self.sessions,
            self.attendees,
            self.agenda,
            self.add_button,
            self.rule_button,
            self.edit_button,
            self.final_button,
            self.version_button,
            self.versions_button,
            self.message_new,
            self.message_all,
        )
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Ctrl+N convenes a session here unless the window routes Ctrl+N; data is re-read after a hide."""
        super().showEvent(event)
        if self._new_shortcut is None and not self._window_offers_new():
            # A window shortcut on a page of a stacked widget fires only while the page is shown.
            self._new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self, self.new_record)
        if self._stale:
            self.reload()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt API
        """Another page is shown: the sessions are read again when this one comes back."""
        super().hideEvent(event)
        self._stale = True

    def _window_offers_new(self) -> bool:
        """Whether the main window has its own Ctrl+N action (which then calls :meth:`new_record`)."""
        new = QKeySequence(QKeySequence.StandardKey.New)
        window = self.window()
        if window is self:
            return False
        for action in window.findChildren(QAction):
            owner = action.parent()
            mine = owner is self or (isinstance(owner, QWidget) and self.isAncestorOf(owner))
            if action.shortcut() == new and not mine:
                return True
        return False

    # -- reading ---------------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Read the sessions for the chosen year; keep (or move to ``select_id``) the chosen session."""
        keep = select_id if select_id is not None else (self.current.id if self.current else None)
        try:
            everything = list_sessions(self._db)
            year = self.year.currentData()
            summaries = everything if year is None else list_sessions(self._db, year=year)
        except StorageError as exc:
            show_error(self.window(), exc)
            return
        self._all_count = len(everything)
        self._fill_years(sorted({s.held_on.year for s in everything}, reverse=True))
        self.summaries = summaries
        self._stale = False
        self.sessions.blockSignals(True)
        self.sessions.setRowCount(len(summaries))
        for r, s in enumerate(summaries):
            texts = (
                s.number,
                date_text(s.held_on),
                s.place,
                session_kind_label(s.kind),
                str(s.projects),
                ruled_text(s),
            )
            for c, text in enumerate(texts):
                self.sessions.setItem(r, c, _item(text, SESSION_COLUMNS[c][1], tooltip=c == 2))
            self.sessions.item(r, 0).setData(Qt.ItemDataRole.UserRole, s.id)
        self.sessions.blockSignals(False)
        self.sessions.resizeColumnsToContents()
        self.sessions.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if not summaries:
            self._show_empty()
        else:
            self.pages.setCurrentWidget(self.split)
            rows = [r for r, s in enumerate(summaries) if s.id == keep]
            self.sessions.selectRow(rows[0] if rows else 0)
            self._on_session_chosen()
        self.status_changed.emit(self.status_text())

    def _fill_years(self, years: list[int]) -> None:
        chosen = self.year.currentData()
        self.year.blockSignals(True)
        while self.year.count() > 1:
            self.year.removeItem(1)
        for year in years:
            self.year.addItem(str(year), year)
        index = self.year.findData(chosen)
        self.year.setCurrentIndex(index if index >= 0 else 0)
        self.year.blockSignals(False)

    def _show_empty(self) -> None:
        self.current = None
        filtered = self.year.currentData() is not None and self._all_count > 0
        if filtered:
            year = self.year.currentData()
            self.message.setText(_("No COVAM session was held in {year}.").format(year=year))
        else:
            self.message.setText(
                _(
                    "No COVAM sessions yet. Convene the committee's first session with "
                    "New session (Ctrl+N); then put pre-validated projects on its agenda and "
                    "record the rulings."
                )
            )
        self.message_all.setVisible(filtered)
        self.pages.setCurrentIndex(1)

    def _on_session_chosen(self) -> None:
        rows = self.sessions.selectionModel().selectedRows()
        if not rows:
            return
        session_id = self.sessions.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        try:
            info = get_session(self._db, session_id)
        except InputError:  # deleted on another computer meanwhile: read the list again
            self.reload()
            return
        except StorageError as exc:
            show_error(self.window(), exc)
            return
        self.show_session(info)

    def show_session(self, info: SessionInfo) -> None:
        """Show a session's heading, attendees and agenda, and enable what can be done with it."""
        self.current = info
        self.title.setText(
            _("Session {number} — {kind}, {date}, {place}").format(
                number=info.number,
                kind=session_kind_label(info.kind).lower(),
                date=date_text(info.held_on),
                place=info.place,
            )
        )
        self.notes.setText(info.notes)
        self.notes.setVisible(bool(info.notes))
        self._fill_attendees(info)
        self._fill_agenda(info)
        self.state_label.setText(acta_state_text(info))
        self.edit_button.setEnabled(not info.final)
        self.final_button.setEnabled(not info.final)
        self.version_button.setEnabled(info.final)
        self.add_button.setEnabled(not info.final)
        pending = pending_lines(info) if not info.final else []
        self.rule_button.setEnabled(bool(pending))
        self.rule_button.setToolTip(
            _("Record the committee's ruling on the projects waiting for it")
            if pending
            else _("No project on this agenda is waiting for a ruling")
        )
        self._update_minutes_button()

    def _update_minutes_button(self) -> None:
        """Minutes print once the session report exists; until then the button says it is coming."""
        from tresxuno.ui.reporting import available

        ready = available("session")
        self.minutes_button.setEnabled(ready and self.current is not None)
        self.minutes_button.setToolTip(
            _("Print the minutes of the chosen session (Ctrl+P)")
            if ready
            else _("Printing the minutes comes in a later version of tresxuno.")
        )
        self.actions_changed.emit()

    def print_minutes(self) -> Task | None:
        """Prepare the minutes (acta) of the chosen session and open their preview."""
        from tresxuno.ui.reporting import ReportOrder, available, file_name, start_report

        if self.current is None or not available("session"):
            return None
        order = ReportOrder(
            "session", file_name("session", self.current.number), {"session_id": self.current.id}
        )
        self.report_task = start_report(self.window(), self._db, order)
        return self.report_task

    def print_current(self) -> None:
        """Ctrl+P: the chosen session's minutes."""
        self.print_minutes()

    def can_print(self) -> bool:
        """Print applies to a chosen session once its minutes can be printed."""
        return self.minutes_button.isEnabled()

    def _fill_attendees(self, info: SessionInfo) -> None:
        self.attendees.clear()
        rank = {p.value: i for i, p in enumerate(PARTY_ORDER)}
        for party in sorted({a.party for a in info.attendees}, key=lambda p: rank.get(p, len(rank))):
            people = [a for a in info.attendees if a.party == party]
            group = QTreeWidgetItem([f"{party_label(party)} ({len(people)})"])
            bold = QFont(group.font(0))
            bold.setBold(True)
            group.setFont(0, bold)
            group.setFirstColumnSpanned(False)
            for person in people:
                child = QTreeWidgetItem([person.name, person.position])
                child.setToolTip(0, person.name)
                child.setToolTip(1, person.position)
                group.addChild(child)
            self.attendees.addTopLevelItem(group)
            group.setExpanded(True)
        self.attendees.resizeColumnToContents(0)
        self.attendees.setVisible(bool(info.attendees))
        self.attendees_empty.setVisible(not info.attendees)

    def _fill_agenda(self, info: SessionInfo) -> None:
        lang = language()
        self.agenda.setRowCount(len(info.agenda))
        for r, line in enumerate(info.agenda):
            texts = (
                line.folio,
                line.name,
                line.club_name,
                money_text(line.cost, lang),
                stage_label(line.stage),
                ruling_label(line.ruling) if line.ruling else _("Pending"),
                "—" if line.priority is None else str(line.priority),
                line.conditions,
            )
            for c, text in enumerate(texts):
                self.agenda.setItem(r, c, _item(text, AGENDA_COLUMNS[c][1], tooltip=c in _MAX_CHARS))
            self.agenda.item(r, 0).setData(Qt.ItemDataRole.UserRole, line.project_id)
        self._fit_agenda()
        if info.agenda:
            self.agenda_pages.setCurrentWidget(self.agenda)
        else:
            self.agenda_empty.setText(
                _(
                    "No projects on this agenda yet. Add pre-validated projects with "
                    "Add projects to the agenda; they move to At COVAM until ruled."
                )
            )
            self.agenda_pages.setCurrentWidget(self.agenda_empty)

    def _fit_agenda(self) -> None:
        header = self.agenda.horizontalHeader()
        metrics = self.agenda.fontMetrics()
        for c in range(len(AGENDA_COLUMNS)):
            if c == 1:
                continue  # the project's name takes the room left
            width = max(header.sectionSizeHint(c), self.agenda.sizeHintForColumn(c))
            if c in _MAX_CHARS:
                width = min(width, max(header.sectionSizeHint(c), metrics.averageCharWidth() * _MAX_CHARS[c]))
            header.resizeSection(c, width)

    # -- actions ---------------------------------------------------------------------------------

    def new_record(self) -> None:
        """Convene a new session (Ctrl+N) and show it."""
        info = SessionDialog.ask(self, self._db)
        if info is None:
            return
        year = self.year.currentData()
        if year is not None and year != info.held_on.year:
            self.year.blockSignals(True)
            self.year.setCurrentIndex(0)
            self.year.blockSignals(False)
        self.reload(select_id=info.id)

    def edit_session(self) -> None:
        """Correct the chosen session and its attendees (only while its minutes are not final)."""
        if self.current is None or self.current.final:
            return
        info = SessionDialog.ask(self, self._db, existing=self.current)
        if info is not None:
            self.reload(select_id=info.id)

    def mark_final(self) -> None:
        """Freeze the chosen session's minutes as final (after the officer confirms)."""
        from tresxuno.ui import prompts

        if self.current is None or self.current.final:
            return
        question = _(
            "Mark version {version} of the minutes of session {number} as final? After this, the session "
            "and its attendees can only be changed by opening a new version, with its reason."
        ).format(version=self.current.version, number=self.current.number)
        if not prompts.confirm(self, _("Final minutes"), question):
            return
        try:
            info = finalize_session(self._db, self.current.id, user=current_actor().username)
        except (InputError, StorageError) as exc:
            show_error(self.window(), exc)
            return
        self.reload(select_id=info.id)

    def new_version(self, reason: str | None = None) -> None:
        """Reopen final minutes as a new version; asks for the reason unless given."""
        if self.current is None or not self.current.final:
            return
        if reason is None:
            text, ok = QInputDialog.getMultiLineText(
                self,
                _("New version of the minutes"),
                _("Why do the minutes of session {number} need a new version?").format(
                    number=self.current.number
                ),
            )
            if not ok:
                return
            reason = text
        try:
            info = open_new_version(self._db, self.current.id, reason, user=current_actor().username)
        except (InputError, StorageError) as exc:
            show_error(self.window(), exc)
            return
        self.reload(select_id=info.id)

    def versions_text(self) -> str:
        """Every final version of the chosen session's minutes: number, when, by whom and why."""
        if self.current is None:
            return ""
        lines = []
        for v in list_versions(self._db, self.current.id):
            line = _("Version {version}: final on {date} by {user}").format(
                version=v.version, date=date_text(local_date(v.final_at)), user=v.final_by or "—"
            )
            if v.reason:
                line += " — " + _("reason: {reason}").format(reason=v.reason)
            lines.append(line)
        return "\n".join(lines) or _("No version of these minutes was marked final yet.")

    def show_versions(self) -> None:
        """Show the final versions of the chosen session's minutes."""
        from tresxuno.ui import prompts

        if self.current is None:
            return
        try:
            text = self.versions_text()
        except (InputError, StorageError) as exc:
            show_error(self.window(), exc)
            return
        prompts.about(self, _("Versions of the minutes"), text)

    def add_projects(self) -> None:
        """Put pre-validated projects on the chosen session's agenda."""
        if self.current is None:
            return
        info = AgendaPickerDialog.ask(self, self._db, self.current)
        if info is not None:
            self.reload(select_id=info.id)

    def record_rulings(self) -> None:
        """Record the committee's rulings on the chosen session's agenda."""
        if self.current is None:
            return
        info = RulingsDialog.ask(self, self._db, self.current)
        if info is not None:
            self.reload(select_id=info.id)

    def select_session(self, session_id: int) -> None:
        """Show one session (e.g. opened from the home page), whatever year is chosen."""
        if not any(s.id == session_id for s in self.summaries):
            self.year.blockSignals(True)
            self.year.setCurrentIndex(0)
            self.year.blockSignals(False)
        self.reload(select_id=session_id)

    def _on_agenda_activated(self, item: QTableWidgetItem) -> None:
        first = self.agenda.item(item.row(), 0)
        if first is not None:
            self.open_record.emit("project", int(first.data(Qt.ItemDataRole.UserRole)))

    # -- View ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the sessions and the chosen session again."""
        self.reload()

    def status_text(self) -> str:
        """``"4 COVAM sessions"`` for the chosen year."""
        count = len(self.summaries)
        return ngettext("{count} COVAM session", "{count} COVAM sessions", count).format(count=count)

    def focus_search(self) -> None:
        """No search box here: Ctrl+F goes to the year filter."""
        self.year.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def save_layout(self, settings: Settings) -> None:
        """Remember how the page is split."""
        for key, splitter in zip(_STATE_KEYS, (self.split, self.top_split), strict=True):
            settings.set_table_state(key, bytes(splitter.saveState().data()))

    def restore_layout(self, settings: Settings) -> None:
        """Split the page as the officer left it."""
        for key, splitter in zip(_STATE_KEYS, (self.split, self.top_split), strict=True):
            state = settings.table_state(key)
            if state:
                splitter.restoreState(QByteArray(state))
