"""Reportes: choose a printed report, fill only the options it takes, and preview it before printing.

The kinds and their options come from the report registry (:mod:`tresxuno.services.reporting.kinds`):
a kind added there shows up here with its option fields, without a change to this page (its
translated name lives in :data:`tresxuno.ui.reporting.REPORT_TITLES`).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import Problem, StorageError
from tresxuno.formatting import date_text, money_text, party_label
from tresxuno.i18n import N_, _
from tresxuno.services.reporting import kinds as report_kinds
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.entries import ProjectPicker
from tresxuno.ui.dialogs.project import SearchCombo
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.reporting import (
    REPORT_PURPOSES,
    REPORT_TITLES,
    ReportOrder,
    file_name,
    report_title,
    start_report,
)
from tresxuno.ui.tasks import Task
from tresxuno.ui.views.base import View

#: The option fields, in the order they are shown; names as in the report registry.
OPTIONS = ("project", "entry", "session", "year", "quarter", "municipality")
#: First fiscal year offered: the federal 3x1 programme started in 2002.
FIRST_FISCAL_YEAR = 2002
QUARTERS = (
    N_("1st quarter (January–March)"),
    N_("2nd quarter (April–June)"),
    N_("3rd quarter (July–September)"),
    N_("4th quarter (October–December)"),
)
#: Role of a kind's id on its list item.
KindRole = Qt.ItemDataRole.UserRole


def kinds_in_order() -> list[str]:
    """Every kind: the known ones in the order officers meet them, then new ones."""
    known = [k for k in REPORT_TITLES if k in report_kinds.REPORT_KINDS]
    return known + [k for k in report_kinds.REPORT_KINDS if k not in known]


class ReportsView(View):
    """Every printed report: pick one, give what it needs, preview, then print or save it."""

    key = "reports"
    title_msgid = N_("Reports")
    icon_pixmap = QStyle.StandardPixmap.SP_FileDialogDetailedView

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.task: Task | None = None
        self.preview: QWidget | None = None
        self._has_projects = True
        self._session_numbers: dict[int, str] = {}

        # A list view over an item model (not a QListWidget): every page's models answer columnCount().
        self.kind_model = QStandardItemModel(self)
        self.kinds = QListView(self)
        self.kinds.setModel(self.kind_model)
        self.kinds.setAccessibleName(_("Kind of report"))
        self.kinds.setSpacing(2)
        self.kinds.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.kinds.selectionModel().currentChanged.connect(lambda _now, _before: self._on_kind())
        self.kinds.activated.connect(lambda _index: self.generate())

        self.heading = QLabel(self)
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.purpose = QLabel(self)
        self.purpose.setWordWrap(True)
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty.setStyleSheet("QLabel { border: 1px solid palette(mid); padding: 8px; }")
        self.empty.setText(
            _(
                "There are no projects yet, so most reports have nothing to print. Register a "
                "project under Projects (or load the example data from the first-run dialog or "
                "with “tresxuno demo”), then come back here."
            )
        )

        self.project = ProjectPicker(db, self)
        self.project.edit.setToolTip(_("Type a folio or part of the project's name, then choose it"))
        # A receipt is chosen from the project's contributions (folio, date, party, amount), not typed
        # as a raw ledger number.
        self.entry = QComboBox(self)
        self.entry.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.entry.setMinimumContentsLength(48)
        self.entry.setToolTip(_("The chosen project's contributions: the receipt of which one"))
        self.project.changed.connect(lambda _choice: self._fill_receipts())
        self.session = QComboBox(self)
        self.session.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year = QComboBox(self)
        self.year.addItem("", None)
        for year in range(date.today().year + 1, FIRST_FISCAL_YEAR - 1, -1):
            self.year.addItem(str(year), year)
        self.year.setCurrentIndex(self.year.findData(date.today().year))
        self.quarter = QComboBox(self)
        self.quarter.addItem("", None)
        for number, label in enumerate(QUARTERS, start=1):
            self.quarter.addItem(_(label), number)
        self.quarter.setCurrentIndex((date.today().month - 1) // 3 + 1)
        self.state = SearchCombo(self)
        self.state.setAccessibleName(_("State (Mexico)"))
        self.state.set_placeholder(_("State"))
        self.municipality = SearchCombo(self)
        self.municipality.set_placeholder(_("All municipalities"))
        self.state.currentIndexChanged.connect(lambda _i: self._fill_municipalities())
        self.state.lineEdit().editingFinished.connect(self._fill_municipalities)
        places = QWidget(self)
        places_box = QHBoxLayout(places)
        places_box.setContentsMargins(0, 0, 0, 0)
        places_box.addWidget(self.state, 1)
        places_box.addWidget(self.municipality, 2)
        places.setFocusProxy(self.state)

        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        labels = {
            "project": _("&Project:"),
            "entry": _("Contribu&tion:"),
            "session": _("COVAM &session:"),
            "year": _("Fiscal &year:"),
            "quarter": _("&Quarter:"),
            "municipality": _("&Municipality:"),
        }
        widgets: dict[str, QWidget] = {
            "project": self.project,
            "entry": self.entry,
            "session": self.session,
            "year": self.year,
            "quarter": self.quarter,
            "municipality": places,
        }
        self.rows: dict[str, int] = {}
        self.captions: dict[str, QLabel] = {}
        for name in OPTIONS:
            self.errors.add_row(self.form, name, labels[name], widgets[name])
            row = self.form.rowCount() - 1
            self.rows[name] = row
            caption = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            assert isinstance(caption, QLabel)
            caption.setBuddy(widgets[name].focusProxy() or widgets[name])
            self.captions[name] = caption
        self.project.setAccessibleName(_("Project"))
        self.project.edit.setAccessibleName(_("Project (folio or name)"))
        self.state.setAccessibleName(_("State (Mexico)"))
        self.municipality.setAccessibleName(_("Municipality"))
        self.labels = labels
        self.no_options = QLabel(_("This report needs nothing more: it covers the whole database."), self)
        self.no_options.setWordWrap(True)

        self.generate_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogStart), _("&Preview…"), self
        )
        self.generate_button.setToolTip(
            _("Prepare the report and show it, to print it or save it as PDF (Ctrl+P)")
        )
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)

        self.transparency_button = QPushButton(_("&Transparency and audit files…"), self)
        self.transparency_button.setToolTip(
            _("SIPOT XV-A, padrón de beneficiarios, SRFT, and audit packages (ZIP with a sha256 manifest)")
        )
        self.transparency_button.clicked.connect(self.export_transparency)
        self.transparency_task: Task | None = None

        self._lay_out()
        self.refresh()
        self._fill_kinds()

    # -- building --------------------------------------------------------------------------------

    def _lay_out(self) -> None:
        options = QGroupBox(_("Options"), self)
        inner = QVBoxLayout(options)
        inner.addWidget(self.heading)
        inner.addWidget(self.purpose)
        inner.addSpacing(6)
        inner.addWidget(self.general)
        inner.addLayout(self.form)
        inner.addWidget(self.no_options)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button)
        buttons.addStretch(1)
        inner.addLayout(buttons)
        inner.addStretch(1)
        left = QVBoxLayout()
        caption = QLabel(_("&Report:"), self)
        caption.setBuddy(self.kinds)
        left.addWidget(caption)
        left.addWidget(self.kinds, 1)
        left.addWidget(self.transparency_button)
        right = QVBoxLayout()
        right.addWidget(self.empty)
        right.addWidget(options, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)
        QWidget.setTabOrder(self.kinds, self.project.edit)

    def _fill_kinds(self) -> None:
        self.kind_model.clear()
        first: QStandardItem | None = None
        widest = 0
        for kind in kinds_in_order():
            text = report_title(kind)
            item = QStandardItem(text)
            item.setData(kind, KindRole)
            widest = max(widest, self.kinds.fontMetrics().horizontalAdvance(text))
            item.setToolTip(_(REPORT_PURPOSES.get(kind, "")) or text)
            first = first or item
            self.kind_model.appendRow(item)
        self.kinds.setFixedWidth(max(220, widest + 40))
        if first is not None:
            self.kinds.setCurrentIndex(first.index())
        self._on_kind()

    def _fill_sessions(self) -> None:
        from tresxuno.services.covam import list_sessions

        chosen = self.session.currentData()
        self.session.clear()
        self.session.addItem("", None)
        summaries = list_sessions(self._db)
        self._session_numbers = {s.id: s.number for s in summaries}
        for summary in summaries:
            self.session.addItem(
                _("Session {number} of {date} — {place}").format(
                    number=summary.number, date=date_text(summary.held_on), place=summary.place
                ),
                summary.id,
            )
        index = self.session.findData(chosen) if chosen is not None else -1
        self.session.setCurrentIndex(max(index, 1 if self.session.count() > 1 else 0))

    def _fill_states(self) -> None:
        from tresxuno.services.office import office_settings
        from tresxuno.services.places import list_states

        if self.state.count():
            return
        for place in list_states(self._db):
            self.state.addItem(place.name, place.key)
        home = office_settings(self._db).municipality_key
        if home:
            self.state.choose(home[:2])
            self._fill_municipalities()
            self.municipality.choose(home)
        else:
            self.state.setCurrentIndex(-1)

    def _fill_municipalities(self) -> None:
        from tresxuno.services.places import list_municipalities

        state_key = self.state.chosen()
        current = self.municipality.chosen()
        self.municipality.blockSignals(True)
        self.municipality.clear()
        # A choice of its own, first in the list: the whole state (or every state), not a cleared box.
        self.municipality.addItem(_("All municipalities"), None)
        if isinstance(state_key, str):
            for place in list_municipalities(self._db, state_key):
                self.municipality.addItem(place.name, place.key)
        self.municipality.setCurrentIndex(0)
        if current is not None:
            self.municipality.choose(current)
        self.municipality.blockSignals(False)

    # -- the chosen kind -------------------------------------------------------------------------

    def current_kind(self) -> str | None:
        """The kind chosen in the list."""
        index = self.kinds.currentIndex()
        kind = index.data(KindRole) if index.isValid() else None
        return kind if isinstance(kind, str) else None

    def choose_kind(self, kind: str) -> bool:
        """Select ``kind`` in the list; False when it is unknown."""
        for row in range(self.kind_model.rowCount()):
            item = self.kind_model.item(row)
            if item.data(KindRole) == kind:
                self.kinds.setCurrentIndex(item.index())
                return True
        return False

    def fields_of(self, kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The option fields ``kind`` needs, and those it accepts without needing them.

        A receipt also shows the project: its contributions are the list the receipt is chosen from.
        """
        needed = tuple(report_kinds.REQUIRED_OPTIONS.get(kind, ()))
        if "entry" in needed and "project" not in needed:
            needed = ("project", *needed)
        optional = tuple(o for o in report_kinds.OPTIONAL_OPTIONS.get(kind, ()) if o not in needed)
        return needed, optional

    def visible_fields(self) -> list[str]:
        """The option fields shown for the chosen kind (tests and screen readers)."""
        return [name for name in OPTIONS if self.form.isRowVisible(self.rows[name])]

    def _on_kind(self) -> None:
        kind = self.current_kind()
        self.errors.clear()
        needed, optional = self.fields_of(kind) if kind else ((), ())
        for name in OPTIONS:
            shown = name in needed or name in optional
            self.form.setRowVisible(self.rows[name], shown)
            label = self.labels[name]
            if name in optional:
                label = _("{label} (optional)").format(label=label.rstrip(":")) + ":"
            self.captions[name].setText(label)
        self.heading.setText(report_title(kind) if kind else _("No report chosen"))
        self.purpose.setText(_(REPORT_PURPOSES[kind]) if kind in REPORT_PURPOSES else "")
        self.no_options.setVisible(kind is not None and not needed and not optional)
        self.generate_button.setEnabled(kind is not None)
        if kind is None:
            self.purpose.setText(_("Choose a report in the list on the left."))
        self.actions_changed.emit()
        self.status_changed.emit(self.status_text())

    # -- preparing -------------------------------------------------------------------------------

    def order(self) -> ReportOrder | None:
        """The report asked for in the form; None (problems shown next to their fields) when incomplete."""
        kind = self.current_kind()
        if kind is None:
            return None
        needed, optional = self.fields_of(kind)
        self.project.commit()
        values: dict[str, object] = {
            "project": self.project.choice.id if self.project.choice else None,
            "entry": self.entry.currentData(),
            "session": self.session.currentData(),
            "year": self.year.currentData(),
            "quarter": self.quarter.currentData(),
            "municipality": self.municipality.chosen(),
        }
        missing = [Problem(name, "choice.required") for name in needed if values[name] in (None, "")]
        if missing:
            first = self.errors.show(missing)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        self.errors.clear()
        keys = {
            "project": "project_id",
            "entry": "entry_id",
            "session": "session_id",
            "year": "year",
            "quarter": "quarter",
            "municipality": "municipality",
        }
        # Only what the report takes: the receipt's project only narrows the list of contributions.
        accepted = (
            *report_kinds.REQUIRED_OPTIONS.get(kind, ()),
            *report_kinds.OPTIONAL_OPTIONS.get(kind, ()),
        )
        options = {
            keys[name]: values[name]
            for name in (*needed, *optional)
            if values[name] not in (None, "") and name in accepted
        }
        folio = self.project.choice.folio if self.project.choice else None
        parts: list[object] = []
        for name in (*needed, *optional):
            value = values[name]
            if value in (None, ""):
                continue
            if name == "project":
                parts.append(folio)
            elif name == "session":
                parts.append(self._session_numbers.get(value, value))  # type: ignore[call-overload]
            elif name == "quarter":
                parts.append(f"T{value}")
            else:
                parts.append(value)
        return ReportOrder(kind, file_name(kind, *parts), options)

    def generate(self) -> Task | None:
        """Prepare the chosen report off the GUI thread and open its preview."""
        if self.task is not None and self.task.running:
            return self.task
        order = self.order()
        if order is None:
            return None
        self.generate_button.setEnabled(False)
        self.task = start_report(self.window(), self._db, order, on_preview=self._previewed)
        for signal in (self.task.finished_ok, self.task.failed, self.task.was_cancelled):
            signal.connect(lambda *_args: self.generate_button.setEnabled(self.current_kind() is not None))
        return self.task

    def export_transparency(self) -> Task | None:
        """Transparency formats and audit packages: a dialog, the file, then the work off the GUI thread."""
        from tresxuno.domain.actor import current_actor
        from tresxuno.ui.dialogs.transparency import ask_and_export

        self.transparency_task = ask_and_export(self.window(), self._db, current_actor().username)
        return self.transparency_task

    def _previewed(self, preview: QWidget) -> None:
        self.preview = preview

    # -- what the window asks of a page ----------------------------------------------------------

    def print_current(self) -> None:
        """Ctrl+P: preview the report chosen, as the Preview button does."""
        self.generate()

    def can_print(self) -> bool:
        """Print applies while a printable report is chosen."""
        return self.current_kind() is not None

    def refresh(self) -> None:
        """Read the sessions, the places and whether there are projects again."""
        from tresxuno.services.projects import count_projects

        try:
            self._has_projects = count_projects(self._db) > 0
            self._fill_sessions()
            self._fill_states()
        except StorageError as exc:
            show_error(self.window(), exc)
            return
        self.empty.setVisible(not self._has_projects)

    def _fill_receipts(self) -> None:
        """List the chosen project's contributions: receipt folio, date, party and amount."""
        from tresxuno.services.ledger import list_entries
        from tresxuno.services.reporting.receipt import receipt_numbers

        self.entry.clear()
        choice = self.project.choice
        if choice is None:
            self.entry.setPlaceholderText(_("Choose the project first"))
            return
        try:
            rows = list_entries(self._db, project_id=choice.id, kind="contribution", limit=5_000)
            numbers = receipt_numbers(self._db, rows)
            for e in rows:
                text = " · ".join(
                    (
                        numbers[e.id],
                        date_text(e.entry_date),
                        party_label(e.party),
                        money_text(e.amount),
                    )
                )
                self.entry.addItem(text, e.id)
        except StorageError as exc:
            show_error(self.window(), exc)
            return
        self.entry.setPlaceholderText(
            _("Choose a contribution") if rows else _("This project has no contribution recorded yet")
        )
        self.entry.setCurrentIndex(-1)

    def view_state(self) -> dict[str, object]:
        """The fields, and the report chosen (kept when the language changes)."""
        return {**super().view_state(), "_kind": self.current_kind() or ""}

    def restore_view_state(self, state: dict[str, object]) -> None:
        """Choose the same report again, then put the fields back."""
        kind = state.get("_kind")
        if isinstance(kind, str) and kind:
            self.choose_kind(kind)
        super().restore_view_state(state)

    def focus_search(self) -> None:
        """Ctrl+F: to the project field, when the chosen report takes one."""
        if "project" in self.visible_fields():
            self.project.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.kinds.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def status_text(self) -> str:
        """What the status bar says while this page is shown."""
        kind = self.current_kind()
        if kind is None:
            return _("Choose a report to print.")
        return _("{report}: fill in the options and press Preview.").format(report=report_title(kind))
