"""The project record's Ministraciones tab: the deposit calendar with each tranche's status.

The treasury edits the calendar in :class:`CalendarDialog` (tranches already due stay as they are);
an administrador records an exception to the gate of starting the works in :class:`GateExceptionDialog`.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.ministraciones import AVANCE, FECHA, FIRMA, Tranche, TrancheStatus
from tresxuno.domain.money import Money
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.stages import Stage
from tresxuno.formatting import date_text, money_text, party_label, stage_label
from tresxuno.i18n import N_, _
from tresxuno.services.ministraciones import (
    EXCEPTION_GATES,
    ProjectCalendar,
    calendar,
    record_gate_exception,
    set_calendar,
)
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.authorised_exception import AuthorisedExceptionDialog
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.permissions import gate
from tresxuno.ui.views.project_record_summary import _RIGHT, _item, _table, _value
from tresxuno.ui.widgets.date_field import DateField

#: The ways a tranche falls due, as the editor offers them (msgids translated when shown).
TRIGGER_LABELS: dict[str, str] = {
    FIRMA: N_("On signing the convenio"),
    FECHA: N_("On a date"),
    AVANCE: N_("At a physical progress"),
}


def trigger_text(t: Tranche) -> str:
    """What makes ``t`` due, in a few words."""
    if t.trigger == FIRMA:
        return _("On signing the convenio")
    if t.trigger == FECHA:
        return _("On {date}").format(date=date_text(t.due_date))
    return _("At {percent} % physical progress").format(percent=t.progress_percent)


def status_text(line: TrancheStatus) -> str:
    """Received, overdue (days), due, or not due yet."""
    if line.pending == 0:
        return _("Received")
    if line.overdue_days > 0:
        return _("Overdue {days} days").format(days=line.overdue_days)
    return _("Due") if line.due else _("Not due yet")


class _TrancheRow:
    """The widgets of one tranche in the editor: party, amount, trigger, date and percent."""

    def __init__(self, parent: QWidget, parties: list[str], t: Tranche, locked: bool):
        self.locked = locked
        self.original = t
        self.party = QComboBox(parent)
        for party in parties:
            self.party.addItem(party_label(party), party)
        self.party.setCurrentIndex(max(0, self.party.findData(t.party)))
        self.party.setAccessibleName(_("Party"))
        self.amount = QLineEdit(money_text(t.amount, symbol=False), parent)
        self.amount.setAlignment(_RIGHT)
        self.amount.setAccessibleName(_("Amount"))
        self.trigger = QComboBox(parent)
        for key, label in TRIGGER_LABELS.items():
            self.trigger.addItem(_(label), key)
        self.trigger.setCurrentIndex(max(0, self.trigger.findData(t.trigger)))
        self.trigger.setAccessibleName(_("Falls due"))
        self.date = DateField(parent)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        day = t.due_date or date.today() + timedelta(days=30)  # a new dated tranche falls due later
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.date.setAccessibleName(_("Due date"))
        self.percent = QSpinBox(parent)
        self.percent.setRange(1, 100)
        self.percent.setSuffix(" %")
        self.percent.setValue(t.progress_percent or 50)
        self.percent.setAccessibleName(_("Physical progress (%)"))
        self.remove = QPushButton(_("Remove"), parent)
        self.trigger.currentIndexChanged.connect(self._update)
        for widget in self.widgets():
            widget.setEnabled(not locked)
        if locked:
            self.remove.setToolTip(_("This tranche is already due; it cannot change"))
        self._update()

    def widgets(self) -> list[QWidget]:
        return [self.party, self.amount, self.trigger, self.date, self.percent, self.remove]

    def _update(self) -> None:
        kind = self.trigger.currentData()
        self.date.setVisible(kind == FECHA)
        self.percent.setVisible(kind == AVANCE)

    def tranche(self, problems: list[Problem]) -> Tranche | None:
        """The tranche typed (the original one when locked), or None with the problem appended."""
        if self.locked:
            return self.original
        party = str(self.party.currentData())
        try:
            amount = Money.parse(self.amount.text(), field=f"tranche.{party}").centavos
        except InputError as exc:
            problems.extend(exc.problems)
            return None
        kind = str(self.trigger.currentData())
        q = self.date.date()
        return Tranche(
            party,
            1,
            amount,
            kind,
            date(q.year(), q.month(), q.day()) if kind == FECHA else None,
            self.percent.value() if kind == AVANCE else None,
        )


class CalendarDialog(QDialog):
    """Edit a project's deposit calendar; Enter accepts, and the service's problems are listed here."""

    def __init__(self, parent: QWidget | None, db: Database, cal: ProjectCalendar, *, today: date):
        super().__init__(parent)
        self._db = db
        self._cal = cal
        self._today = today
        self.setWindowTitle(_("Deposit calendar of {folio}").format(folio=cal.folio))
        self.parties = list(cal.shares)
        intro = QLabel(
            _(
                "Each party's tranches must add up exactly to its share. Tranches already due are "
                "shown greyed out and stay as they are."
            ),
            self,
        )
        intro.setWordWrap(True)
        shares = "; ".join(
            _("{party}: {amount}").format(party=party_label(p), amount=money_text(a))
            for p, a in cal.shares.items()
        )
        self.shares_label = QLabel(_("Shares: {shares}").format(shares=shares), self)
        self.shares_label.setWordWrap(True)
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        for column, title in enumerate((_("Party"), _("Amount"), _("Falls due"), _("Date or progress"), "")):
            self.grid.addWidget(QLabel(f"<b>{title}</b>", self.grid_host), 0, column)
        self.rows: list[_TrancheRow] = []
        for line in cal.lines:
            self.add_row(line.tranche, locked=line.due)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        self.add_button = QPushButton(_("&Add tranche"), self)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(
            lambda: self.add_row(Tranche(self.parties[0], 1, 0, AVANCE, None, 100))
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.shares_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.resize(820, 520)  # fits a 1366×768 laptop with the taskbar and title bar
        self.result_calendar: ProjectCalendar | None = None

    def add_row(self, t: Tranche, *, locked: bool = False) -> _TrancheRow:
        """Add a tranche's line to the editor."""
        row = _TrancheRow(self.grid_host, self.parties, t, locked)
        at = len(self.rows) + 1
        self.grid.addWidget(row.party, at, 0)
        self.grid.addWidget(row.amount, at, 1)
        self.grid.addWidget(row.trigger, at, 2)
        cell = QHBoxLayout()
        cell.addWidget(row.date)
        cell.addWidget(row.percent)
        cell.addStretch(1)
        self.grid.addLayout(cell, at, 3)
        self.grid.addWidget(row.remove, at, 4)
        row.remove.setAutoDefault(False)
        row.remove.clicked.connect(lambda _checked=False, r=row: self.remove_row(r))
        self.rows.append(row)
        return row

    def remove_row(self, row: _TrancheRow) -> None:
        """Take a tranche out of the editor (not a locked one)."""
        if row.locked:
            return
        for widget in row.widgets():
            widget.hide()
        self.rows.remove(row)

    def tranches(self, problems: list[Problem]) -> list[Tranche]:
        """The tranches typed, party by party in the order shown."""
        typed = [t for t in (row.tranche(problems) for row in self.rows) if t is not None]
        rank = {p: i for i, p in enumerate(self.parties)}
        return sorted(typed, key=lambda t: rank.get(t.party, len(rank)))  # stable: keeps each party's order

    def try_accept(self) -> None:
        """Store the calendar, or list what is wrong and stay open."""
        problems: list[Problem] = []
        tranches = self.tranches(problems)
        if problems:
            self.errors.show(problems)
            return
        try:
            self.result_calendar = set_calendar(
                self._db, self._cal.project_id, tranches, user=current_actor().username, today=self._today
            )
        except InputError as exc:
            self.errors.show(exc.problems)
            return
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()


class GateExceptionDialog(AuthorisedExceptionDialog):
    """An administrador's exception to the gate of starting the works: the reason and who authorises."""

    def __init__(self, parent: QWidget | None, db: Database, project_id: int, folio: str):
        target = EXCEPTION_GATES[0]
        intro = _(
            "Lets project {folio} move to “{stage}” without the signed convenio on file or the first "
            "deposits received. The exception and its reason are kept in the audit trail."
        ).format(folio=folio, stage=stage_label(target))

        def record(reason: str, authorised_by: str) -> object:
            return record_gate_exception(
                db, project_id, target, reason, authorised_by, user=current_actor().username
            )

        super().__init__(
            parent,
            _("Exception to a stage gate — {folio}").format(folio=folio),
            intro,
            record,
            authoriser_label=_("Authorised by (administrator):"),
            authorised_by=current_actor().username,
        )


class RecordMinistraciones:
    """The Ministraciones tab of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`."""

    _db: Database
    _id: int
    _today: date
    ministraciones: ProjectCalendar | None

    def _ministraciones_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.ministraciones_summary = _value("", page)
        self.ministraciones_table = _table(
            page,
            [
                _("Party"),
                _("No."),
                _("Falls due"),
                _("Due date"),
                _("Amount"),
                _("Received"),
                _("Pending"),
                _("Status"),
            ],
            _("Deposit calendar"),
        )
        for column in (1, 4, 5, 6):
            item = self.ministraciones_table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.ministraciones_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.ministraciones_table.horizontalHeader().setStretchLastSection(False)
        buttons = QHBoxLayout()
        self.calendar_button = QPushButton(_("Edit &calendar…"), page)
        self.calendar_button.setToolTip(_("Change the tranches not yet due"))
        self.calendar_button.clicked.connect(self.edit_calendar)
        self.exception_button = QPushButton(_("Record gate e&xception…"), page)
        self.exception_button.setToolTip(
            _("Let the works start without the signed convenio or the first deposits (administrator)")
        )
        self.exception_button.clicked.connect(self.record_exception)
        buttons.addWidget(self.calendar_button)
        buttons.addWidget(self.exception_button)
        buttons.addStretch(1)
        box.addWidget(self.ministraciones_summary)
        box.addWidget(self.ministraciones_table, 1)
        box.addLayout(buttons)
        return page

    def _show_ministraciones(self) -> None:
        cal = self.ministraciones = calendar(self._db, self._id, today=self._today)
        table = self.ministraciones_table
        table.setRowCount(len(cal.lines))
        for row, line in enumerate(cal.lines):
            t = line.tranche
            for column, item in enumerate(
                (
                    _item(party_label(t.party), raw=t.party),
                    _item(str(t.number), right=True),
                    _item(trigger_text(t)),
                    _item(date_text(line.due_on) if line.due_on else "—", raw=line.due_on),
                    _item(money_text(t.amount), right=True, raw=t.amount),
                    _item(money_text(line.received), right=True, raw=line.received),
                    _item(money_text(line.pending), right=True, raw=line.pending),
                    _item(status_text(line), raw=line),
                )
            ):
                table.setItem(row, column, item)
        signed = cal.stage in (Stage.CONVENIO_FIRMADO, Stage.EN_EJECUCION, Stage.TERMINADO, Stage.CERRADO)
        if not signed and not cal.stored:
            text = _("The calendar is set when the convenio is signed; until then this is the default one.")
        else:
            overdue = sum(line.pending for line in cal.lines if line.owed)
            text = (
                _("Due and not received: {amount}.").format(amount=money_text(overdue))
                if overdue
                else _("Every tranche due so far has been received.")
            )
        for exception in cal.exceptions:
            text += " " + _("Exception to the gate “{stage}” authorised by {user}: {reason}").format(
                stage=stage_label(exception.gate), user=exception.authorised_by, reason=exception.reason
            )
        self.ministraciones_summary.setText(text)
        if gate(self.calendar_button, self._db, "ministraciones.edit"):
            self.calendar_button.setEnabled(cal.editable)
        if gate(self.exception_button, self._db, "gates.authorise"):
            self.exception_button.setEnabled(cal.stage == Stage.CONVENIO_FIRMADO)

    def edit_calendar(self) -> bool:
        """Open the calendar editor; True when a new calendar was stored."""
        if self.ministraciones is None:
            return False
        dialog = CalendarDialog(self, self._db, self.ministraciones, today=self._today)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
        finally:
            dialog.deleteLater()
        self._mark_changed()
        self._show_ministraciones()
        return True

    def record_exception(self) -> bool:
        """Ask for an exception to the gate of starting the works; True when recorded."""
        cal = self.ministraciones
        if cal is None:
            return False
        dialog = GateExceptionDialog(self, self._db, self._id, cal.folio)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
        finally:
            dialog.deleteLater()
        self._mark_changed()
        self._show_ministraciones()
        return True
