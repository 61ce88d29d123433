"""The forms that put money into the Libro: contributions, payments, refunds and reversals.

Each form gathers one input record of :mod:`tresxuno.domain.ledger` and hands it to its service in
:mod:`tresxuno.services.ledger`, which checks everything again and writes nothing on a problem; each
problem appears under its field and the form stays open. A payment's CFDI invoice (chosen, or dragged
and dropped onto the form) is read by the same hostile-XML-safe reader the service uses, and fills
the payee, RFC, amount and date. Every form has a classmethod ``ask`` (tests fake that one name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.cfdi import MAX_CFDI_BYTES, Cfdi, parse_cfdi
from tresxuno.domain.ledger import (
    CORRECTION_STAGES,
    MAX_LONG_TEXT,
    RECORDING_STAGES,
    ContributionInput,
    EntryRecord,
    PaymentInput,
    ProjectBalance,
    RefundInput,
    attribute,
    draw_from_funds,
)
from tresxuno.domain.money import Money, convert_usd, parse_rate
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.rfc import only_check_digit
from tresxuno.formatting import date_text, entry_kind_label, money_text, party_label, percent, stage_label
from tresxuno.i18n import N_, _
from tresxuno.messages import describe
from tresxuno.services.ledger import (
    payment_warnings,
    project_balance,
    record_contribution,
    record_payment,
    record_refund,
    reverse_entry,
)
from tresxuno.services.projects import ProjectFilters, get_project, list_projects
from tresxuno.services.rates import suggest_rate
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.club import date_edit, from_qdate, to_qdate
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.rfc_confirm import confirm_rfc_check_digit
from tresxuno.ui.widgets.paged_table import SEARCH_DELAY_MS  # the lists' pause: rows within 150 ms

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

#: Projects offered by the folio search at a time.
SEARCH_LIMIT = 30
#: Widest amount the money fields are sized for.
_WIDEST = "$999,999,999.99"
#: File-chooser filters (English msgids, translated when shown).
SCANS_FILTER = N_("Scans (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;All files (*)")
#: A warning that does not refuse anything: dark amber, readable on a light background.
WARNING_STYLE = "color: #8a5300;"
CFDI_FILTER = N_("CFDI invoices (*.xml);;All files (*)")


def amount_text(centavos: int) -> str:
    """An amount as typed in a field: ``1,234.56`` (reads back with ``Money.parse``)."""
    return money_text(centavos, symbol=False)


def parse_amount(text: str, field: str, problems: list[Problem], currency: str = "MXN") -> int | None:
    """Centavos typed in a field, or None with the problem appended."""
    try:
        return Money.parse(text, currency=currency, field=field).centavos
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def read_cfdi_file(path: Path, field: str = "cfdi") -> Cfdi:
    """Read a CFDI invoice from a file, never more than the reader's limit (a huge file is refused).

    Raises:
        InputError: ``file.not_found`` or the reader's ``cfdi.*`` problem.
    """
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_CFDI_BYTES + 1)
    except OSError:
        raise InputError(Problem(field, "file.not_found", {"path": str(path)})) from None
    return parse_cfdi(data, field=field)


def money_edit(parent: QWidget) -> QLineEdit:
    """A right-aligned amount field wide enough for hundreds of millions."""
    edit = QLineEdit(parent)
    edit.setAlignment(_RIGHT)
    edit.setPlaceholderText("0.00")
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(_WIDEST) + 24)
    return edit


def add_field(
    form: QFormLayout,
    errors: FieldErrors,
    field: str,
    label: str,
    widget: QWidget,
    *extras: QWidget,
    stretch: bool = True,
    hint: QWidget | None = None,
) -> QLabel:
    """Add ``widget`` (and widgets beside it) under ``label``, with a ``hint`` and its error line below.

    The label's mnemonic (Alt+letter) focuses ``widget``; screen readers read the label as its name.
    """
    error = QLabel()
    container = QWidget()
    box = QVBoxLayout(container)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    line = QHBoxLayout()
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(widget, 1 if stretch else 0)
    for extra in extras:
        line.addWidget(extra)
    if not stretch:
        line.addStretch(1)
    box.addLayout(line)
    if hint is not None:
        box.addWidget(hint)
    box.addWidget(error)
    caption = QLabel(label)
    caption.setBuddy(widget)
    form.addRow(caption, container)
    widget.setAccessibleName(label.rstrip(":").replace("&", ""))
    container.setFocusProxy(widget)
    errors.register(field, widget, error)
    return caption


def hint_label(parent: QWidget) -> QLabel:
    """A small explanatory line under a field (word-wrapped, selectable).

    It keeps one line's height even while empty: a hint that appears and disappears as the officer
    types (dollars × rate) must not move the fields under the mouse.
    """
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setMinimumHeight(label.fontMetrics().lineSpacing() + 2)
    return label


# --- Project picker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectChoice:
    """The project a form or the Libro is about."""

    id: int
    folio: str
    name: str
    stage: str


class _FolioCompleter(QCompleter):
    """Puts only the folio into the line when a project is picked from the list."""

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:  # noqa: N802 - Qt API
        """The folio of the project on ``index``."""
        choice = index.data(Qt.ItemDataRole.UserRole)
        return choice.folio if isinstance(choice, ProjectChoice) else str(index.data())


class ProjectPicker(QWidget):
    """Find a project by folio or name: typing searches in SQL (after the lists' pause) and offers matches.

    Enter (or leaving the field) takes the project whose folio is typed, or the only match; a clear
    line means no project. :attr:`changed` carries the :class:`ProjectChoice` or None.
    """

    changed = Signal(object)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.choice: ProjectChoice | None = None
        self._found: list[ProjectChoice] = []
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(_("Folio or name of the project"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("3X1-2019-32020-0004") + 48)
        self.matches = QStandardItemModel(self)
        self.completer = _FolioCompleter(self.matches, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.edit.setCompleter(self.completer)
        self.completer.activated.connect(self._commit_text)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(lambda: self.search(self.edit.text()))
        self.edit.textEdited.connect(self._typed)
        self.edit.returnPressed.connect(lambda: self.commit(show_matches=True))
        self.edit.editingFinished.connect(self.commit)
        self.setFocusProxy(self.edit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)

    def _typed(self, text: str) -> None:
        if not text.strip():
            self._debounce.stop()
            self.set_choice(None)
            return
        self._debounce.start()

    def search(self, text: str) -> list[ProjectChoice]:
        """Look projects up by folio or name and offer them in the completer."""
        self._debounce.stop()
        text = text.strip()
        try:
            rows = list_projects(self._db, ProjectFilters(text=text), limit=SEARCH_LIMIT) if text else []
        except StorageError as exc:
            show_error(self.window(), exc)
            return []
        self._found = [ProjectChoice(r.id, r.folio, r.name, r.stage) for r in rows]
        self.matches.clear()
        for choice in self._found:
            item = QStandardItem(f"{choice.folio} — {choice.name} ({stage_label(choice.stage)})")
            item.setData(choice, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            self.matches.appendRow(item)
        return self._found

    def _commit_text(self, text: str) -> None:
        self.edit.setText(text)
        self.commit()

    def commit(self, *, show_matches: bool = False) -> None:
        """Take the project named by the typed text (its folio, or the only match).

        With ``show_matches`` (Enter), text matching several projects opens the list to choose from.
        """
        text = self.edit.text().strip()
        if not text:
            self.set_choice(None)
            return
        if self.choice is not None and text.casefold() == self.choice.folio.casefold():
            return
        if self._debounce.isActive() or not self._found:
            self.search(text)
        exact = [c for c in self._found if c.folio.casefold() == text.casefold()]
        pick = exact[0] if exact else (self._found[0] if len(self._found) == 1 else None)
        self.set_choice(pick)  # text that names no project leaves none chosen, never the previous one
        if pick is None:
            self.edit.setToolTip(
                _("“{text}” names no single project: choose one from the list").format(text=text)
                if self._found
                else _("No project matches “{text}”").format(text=text)
            )
            if show_matches and self._found:
                self.completer.setCompletionPrefix(text)
                self.completer.complete()

    def set_choice(self, choice: ProjectChoice | None) -> None:
        """Show ``choice`` (or none) and tell listeners when it differs from the current one."""
        if choice is not None and self.edit.text() != choice.folio:
            self.edit.setText(choice.folio)
        if choice == self.choice:
            return
        self.choice = choice
        self.edit.setToolTip(f"{choice.folio} — {choice.name}" if choice else "")
        self.changed.emit(choice)

    def set_project_id(self, project_id: int | None) -> None:
        """Choose the project with this id (None: no project)."""
        if project_id is None:
            self.edit.clear()
            self.set_choice(None)
            return
        detail = get_project(self._db, project_id)
        self.set_choice(ProjectChoice(detail.id, detail.folio, detail.name, detail.stage))


# --- The forms -----------------------------------------------------------------------------------


class EntryDialog(QDialog):
    """What the four forms share: the project, the error lines, the buttons and ``ask``.

    Subclasses build their fields in :meth:`_build` and store the entry in :meth:`_save`, which
    raises :class:`InputError` with every problem; the form then shows them and stays open.
    """

    title_msgid: ClassVar[str] = ""
    #: Stages in which the project may take this kind of entry.
    stages: ClassVar[frozenset[str]] = RECORDING_STAGES

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        project_id: int | None = None,
        today: date | None = None,
    ):
        super().__init__(parent)
        self._db = db
        self._today = today or date.today()
        self.record: EntryRecord | None = None
        self.balance: ProjectBalance | None = None
        self.setWindowTitle(_(self.title_msgid))
        self.general = QLabel(self)
        self.general.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errors = FieldErrors(self.general)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.project = ProjectPicker(db, self)
        self.project_info = hint_label(self)
        add_field(self.form, self.errors, "project", _("&Project:"), self.project, hint=self.project_info)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(_("Record"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        self._build()
        layout = QVBoxLayout(self)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        layout.addWidget(self.general)
        layout.addLayout(self.form)
        self._lay_out_extra(layout)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.project.changed.connect(self._project_changed)
        if project_id is not None:
            self.project.set_project_id(project_id)
        self._project_changed(self.project.choice)

    # -- for subclasses ----------------------------------------------------------------------------

    def _build(self) -> None:
        raise NotImplementedError

    def _lay_out_extra(self, layout: QVBoxLayout) -> None:
        """Add widgets below the form (a preview table)."""

    def _save(self) -> EntryRecord:
        raise NotImplementedError

    def _balance_changed(self) -> None:
        """The project (and so its balance) changed: update parties and hints."""

    def _refused(self, problems: Sequence[Problem]) -> None:
        """The service refused the entry (after the problems are shown)."""

    # -- shared behaviour --------------------------------------------------------------------------

    def entry_date(self) -> date:
        """The date typed in the date field."""
        return from_qdate(self.date.date())

    def _date_field(self, label: str) -> QDateEdit:
        self.date = date_edit(self)
        self.date.setDate(to_qdate(self._today))
        self.date.setMaximumDate(to_qdate(self._today))  # money moves are facts: never in the future
        add_field(self.form, self.errors, "entry_date", label, self.date, stretch=False)
        return self.date

    def _project_changed(self, choice: ProjectChoice | None) -> None:
        self.balance = None
        if choice is None:
            self.project_info.setText(_("Type the folio (or part of the name) and choose the project."))
        else:
            try:
                self.balance = project_balance(self._db, choice.id)
            except (InputError, StorageError) as exc:
                show_error(self, exc)
            info = _("{name} — stage: {stage}; cash on hand: {cash}").format(
                name=choice.name,
                stage=stage_label(choice.stage),
                cash=money_text(self.balance.cash) if self.balance else "?",
            )
            if choice.stage not in self.stages:
                code = {"cerrado": "ledger.project_closed", "cancelado": "ledger.project_cancelled"}
                params = {"stage": choice.stage, "folio": choice.folio}
                info += "\n⚠ " + describe(
                    Problem("project", code.get(choice.stage, "ledger.no_convenio"), params), with_field=False
                )
            self.project_info.setText(info)
        self._balance_changed()

    def grow(self) -> None:
        """Make the window tall enough for every field shown (sections appear for dollars, overrides).

        Word-wrapped hints make Qt's minimum height an underestimate, so the height for the current
        width is asked for explicitly; the window never grows beyond the screen.
        """
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.sizeHint().height()
        )
        screen = self.screen()
        if screen is not None:
            wanted = min(wanted, screen.availableGeometry().height() - 40)
        if self.height() < wanted:
            self.resize(self.width(), wanted)

    def _parties(self) -> list[str]:
        """The parties with a share in the chosen project, in party order."""
        if self.balance is None:
            return []
        return [p.party for p in self.balance.parties if p.share > 0]

    def _required_project(self, problems: list[Problem]) -> int:
        choice = self.project.choice
        if choice is None:
            problems.append(Problem("project", "choice.required", {}))
            return 0
        return choice.id

    def try_accept(self) -> bool:
        """Store the entry and close; on problems show each under its field and stay open."""
        try:
            record = self._save()
        except InputError as exc:
            first = self.errors.show(exc.problems)
            self._refused(exc.problems)
            self.grow()  # error lines (and the override section) take room
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.errors.clear()
        self.record = record
        self.accept()
        return True

    def choose_receipt(self, target: QLineEdit) -> None:
        """Ask for a scanned receipt and put its path in ``target``."""
        path = prompts.choose_open_file(self, _("Choose the scanned receipt"), _(SCANS_FILTER))
        if path:
            target.setText(path)

    def _file_row(self, field: str, label: str, hint: QLabel | None = None) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(_("Optional: the bank slip or receipt (PDF or image)"))
        edit.setClearButtonEnabled(True)
        button = QPushButton(_("Choose…"), self)
        button.setAccessibleName(_("Choose the scanned receipt"))
        button.clicked.connect(lambda: self.choose_receipt(edit))
        add_field(self.form, self.errors, field, label, edit, button, hint=hint)
        return edit

    @staticmethod
    def _path(edit: QLineEdit) -> Path | None:
        text = edit.text().strip()
        return Path(text) if text else None

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, *, project_id: int | None = None, today: date | None = None
    ) -> EntryRecord | None:
        """Show the form; the stored entry, or None when the officer cancels."""
        dialog = cls(db, parent, project_id=project_id, today=today)
        try:
            return dialog.record if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class ContributionDialog(EntryDialog):
    """Record a party's deposit (*aportación*), in pesos or in dollars at a stated exchange rate."""

    title_msgid = N_("Record contribution")

    def _build(self) -> None:
        self.party = QComboBox(self)
        self.party_info = hint_label(self)
        add_field(self.form, self.errors, "party", _("Part&y:"), self.party, hint=self.party_info)
        self.party.currentIndexChanged.connect(self._show_outstanding)
        self._date_field(_("&Date of the deposit:"))
        self.date.dateChanged.connect(lambda _d: self.suggest())
        self.currency = QComboBox(self)
        self.currency.addItem(_("Pesos (MXN)"), "MXN")
        self.currency.addItem(_("Dollars (USD)"), "USD")
        self.currency.setAccessibleName(_("Currency"))
        add_field(self.form, self.errors, "currency", _("C&urrency:"), self.currency, stretch=False)
        self.currency.currentIndexChanged.connect(self._currency_changed)

        # Dollars: the amount, the rate with its date and source, and what it makes in pesos.
        self.usd_box = QGroupBox(_("Deposit in dollars"), self)
        usd_form = QFormLayout(self.usd_box)
        usd_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.usd = money_edit(self.usd_box)
        self.usd.setPlaceholderText("US$0.00")
        add_field(
            usd_form, self.errors, "usd_amount", _("Amount in dollars (U&SD):"), self.usd, stretch=False
        )
        self.rate = QLineEdit(self.usd_box)
        self.rate.setAlignment(_RIGHT)
        self.rate.setPlaceholderText("17.2345")
        self.rate.setToolTip(_("Pesos per dollar, e.g. 17.2345 (Banco de México FIX or the bank's rate)"))
        self.rate.setMaximumWidth(self.rate.fontMetrics().horizontalAdvance("1234.567890") + 24)
        self.rate_hint = hint_label(self.usd_box)
        add_field(
            usd_form,
            self.errors,
            "rate",
            _("E&xchange rate (MXN per USD):"),
            self.rate,
            stretch=False,
            hint=self.rate_hint,
        )
        self.rate_date = date_edit(self.usd_box)
        self.rate_date.setDate(to_qdate(self._today))
        add_field(usd_form, self.errors, "rate_date", _("Date of the &rate:"), self.rate_date, stretch=False)
        self.rate_source = QLineEdit(self.usd_box)
        self.rate_source.setPlaceholderText(_("Banxico FIX, or the bank's name"))
        add_field(usd_form, self.errors, "rate_source", _("Source of the ra&te:"), self.rate_source)
        self.form.addRow(self.usd_box)
        self._rate_edited = False
        self._amount_edited = False
        self.rate.textEdited.connect(self._rate_typed)
        self.rate.textChanged.connect(lambda _t: self.recompute())
        self.usd.textChanged.connect(lambda _t: self.recompute())

        self.amount = money_edit(self)
        self.conversion = hint_label(self)
        self.recalculate = QPushButton(_("Re&calculate"), self)
        self.recalculate.setToolTip(_("Put back the dollars times the rate"))
        self.recalculate.clicked.connect(self._recalculate)
        self.amount_caption = add_field(
            self.form,
            self.errors,
            "amount",
            _("&Amount (MXN):"),
            self.amount,
            self.recalculate,
            stretch=False,
            hint=self.conversion,
        )
        self.amount.textEdited.connect(self._amount_typed)
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(_("SPEI tracking key, deposit slip or cheque number"))
        add_field(self.form, self.errors, "reference", _("Bank refere&nce:"), self.reference)
        self.receipt = self._file_row("receipt", _("Rec&eipt file:"))

        # Only when the deposit is above what the party still owes: who authorised it and why.
        self.override_box = QGroupBox(_("Accept more than the outstanding share"), self)
        override_form = QFormLayout(self.override_box)
        self.override_note = hint_label(self.override_box)
        self.override_note.setText(
            _(
                "The deposit is more than the party still owes. It is accepted only "
                "with the reason and the name of who authorised it."
            )
        )
        override_form.addRow(self.override_note)
        self.override_reason = QLineEdit(self.override_box)
        add_field(override_form, self.errors, "override_reason", _("Reas&on:"), self.override_reason)
        self.authorised_by = QLineEdit(self.override_box)
        add_field(override_form, self.errors, "authorised_by", _("Authorised &by:"), self.authorised_by)
        self.form.addRow(self.override_box)
        self.override_box.hide()
        self._currency_changed()
        self.resize(640, 560)

    # -- behaviour -------------------------------------------------------------------------------

    def is_usd(self) -> bool:
        """Whether the deposit is in dollars."""
        return self.currency.currentData() == "USD"

    def _balance_changed(self) -> None:
        previous = self.party.currentData()
        self.party.blockSignals(True)
        self.party.clear()
        if self.balance is not None:
            for line in self.balance.parties:
                if line.share > 0:
                    self.party.addItem(
                        _("{party} — owes {outstanding}").format(
                            party=party_label(line.party), outstanding=money_text(line.outstanding)
                        ),
                        line.party,
                    )
        index = self.party.findData(previous)
        self.party.setCurrentIndex(index if index >= 0 else (0 if self.party.count() else -1))
        self.party.blockSignals(False)
        self._show_outstanding()

    def _show_outstanding(self) -> None:
        party = self.party.currentData()
        if self.balance is None or party is None:
            self.party_info.setText(_("Choose the project first: only its parties can deposit."))
            return
        line = self.balance.party(party)
        self.party_info.setText(
            _("Approved share {share}; received {received}; outstanding {outstanding}").format(
                share=money_text(line.approved),
                received=money_text(line.received),
                outstanding=money_text(line.outstanding),
            )
        )

    def _currency_changed(self) -> None:
        usd = self.is_usd()
        self.usd_box.setVisible(usd)
        self.recalculate.setVisible(usd)
        self.amount_caption.setText(_("Pesos cred&ited (MXN):") if usd else _("&Amount (MXN):"))
        self.amount.setToolTip(
            _(
                "What the bank credited in pesos; computed from the dollars and the rate, "
                "and editable when the bank used its own rate"
            )
            if usd
            else ""
        )
        if usd:
            self.suggest()
            self.recompute()
        self.grow()

    def _rate_typed(self, _text: str) -> None:
        self._rate_edited = True
        self.rate_hint.setText(_("Rate typed by hand: give its date and source."))

    def _amount_typed(self, _text: str) -> None:
        if self.is_usd():
            self._amount_edited = True

    def _recalculate(self) -> None:
        self._amount_edited = False
        self.recompute()

    def suggest(self) -> None:
        """Fill the rate stored for the deposit's date (or the latest before it), unless one was typed."""
        if not self.is_usd() or self._rate_edited:
            return
        try:
            found = suggest_rate(self._db, self.entry_date())
        except StorageError as exc:
            show_error(self, exc)
            return
        if found is None:
            self.rate_hint.setText(
                _(
                    "No exchange rate is stored for this date or before. Type the rate of "
                    "the bank receipt, or import Banco de México's FIX rates (Exchange "
                    "rates… in the Ledger)."
                )
            )
            return
        self.rate.setText(found.rate)
        self.rate_date.setDate(to_qdate(found.rate_date))
        self.rate_source.setText(found.source)
        self.rate_hint.setText(
            _("Suggested: the {source} rate of {date}, the latest on or before the deposit's date.").format(
                source=found.source, date=date_text(found.rate_date)
            )
        )

    def recompute(self) -> None:
        """Show dollars x rate in pesos, and put it in the pesos field unless the officer changed it."""
        if not self.is_usd():
            return
        try:
            usd = Money.parse(self.usd.text(), currency="USD", field="usd_amount")
            rate = parse_rate(self.rate.text())
        except InputError:
            self.conversion.setText("")
            return
        pesos = convert_usd(usd, rate)
        self.conversion.setText(
            _("{usd} × {rate} = {mxn}").format(
                usd=money_text(Money(usd.centavos, "USD")), rate=rate, mxn=money_text(pesos.centavos)
            )
        )
        if not self._amount_edited:
            self.amount.setText(amount_text(pesos.centavos))

    def _refused(self, problems: Sequence[Problem]) -> None:
        if any(p.code in ("contribution.exceeds_outstanding", "override.incomplete") for p in problems):
            self.override_box.show()

    def _save(self) -> EntryRecord:
        problems: list[Problem] = []
        project_id = self._required_project(problems)
        party = self.party.currentData()
        if party is None and project_id:
            problems.append(Problem("party", "choice.required", {}))
        usd = self.is_usd()
        usd_amount = parse_amount(self.usd.text(), "usd_amount", problems, "USD") if usd else None
        amount = (
            None
            if usd and not self.amount.text().strip()
            else parse_amount(self.amount.text(), "amount", problems)
        )
        if problems:
            raise InputError(problems)
        data = ContributionInput(
            project_id=project_id,
            party=party,
            entry_date=self.entry_date(),
            amount=amount,
            usd_amount=usd_amount,
            rate=self.rate.text() if usd else "",
            rate_date=from_qdate(self.rate_date.date()) if usd else None,
            rate_source=self.rate_source.text() if usd else "",
            reference=self.reference.text(),
            receipt_path=self._path(self.receipt),
            override_reason=self.override_reason.text() if not self.override_box.isHidden() else "",
            authorised_by=self.authorised_by.text() if not self.override_box.isHidden() else "",
        )
        return record_contribution(self._db, data, user=current_actor().username, today=self._today)


class PaymentDialog(EntryDialog):
    """Record a payment out of a project's cash, backed by a CFDI invoice or a scanned receipt.

    Choosing a CFDI (or dropping it onto the form) reads it safely and fills the UUID, the issuer's
    RFC and name, the total and the date; a hostile or malformed file is refused with the reader's
    message. The table below shows how the payment is attributed to the parties.
    """

    title_msgid = N_("Record payment")

    def _build(self) -> None:
        self.cfdi: Cfdi | None = None
        self.cfdi_path: Path | None = None
        self.setAcceptDrops(True)
        self.drop_hint = hint_label(self)
        self.drop_hint.setText(_("Tip: drag the invoice's XML file (or a scanned receipt) onto this form."))
        self.cfdi_file = QLineEdit(self)
        self.cfdi_file.setReadOnly(True)
        self.cfdi_file.setPlaceholderText(_("CFDI invoice 3.2, 3.3 or 4.0 (XML)"))
        self.cfdi_button = QPushButton(_("C&hoose CFDI…"), self)
        self.cfdi_button.setAccessibleName(_("Choose the CFDI invoice"))
        self.cfdi_button.clicked.connect(self.choose_cfdi)
        self.cfdi_clear = QPushButton(_("Remove"), self)
        self.cfdi_clear.setAccessibleName(_("Remove the CFDI invoice"))
        self.cfdi_clear.clicked.connect(self.clear_cfdi)
        # What the officer should know about the invoice read (not a refusal): shown only when there is some.
        self.cfdi_warning = hint_label(self)
        self.cfdi_warning.setStyleSheet(WARNING_STYLE)
        self.cfdi_warning.hide()
        cfdi_hints = QWidget(self)
        hints_box = QVBoxLayout(cfdi_hints)
        hints_box.setContentsMargins(0, 0, 0, 0)
        hints_box.setSpacing(2)
        hints_box.addWidget(self.drop_hint)
        hints_box.addWidget(self.cfdi_warning)
        add_field(
            self.form,
            self.errors,
            "cfdi",
            _("CFDI &invoice:"),
            self.cfdi_file,
            self.cfdi_button,
            self.cfdi_clear,
            hint=cfdi_hints,
        )
        self.uuid = QLabel(self)
        self.uuid.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.uuid.setAccessibleName(_("CFDI UUID"))
        self.form.addRow(_("UUID:"), self.uuid)
        self.evidence_error = QLabel(self)
        self.receipt = self._file_row("receipt", _("Scanned rec&eipt:"), hint=self.evidence_error)
        self.receipt.setPlaceholderText(_("Without a CFDI: the scanned receipt (PDF or image)"))
        self.errors.register("evidence", self.cfdi_file, self.evidence_error)
        self.payee_name = QLineEdit(self)
        add_field(self.form, self.errors, "payee_name", _("Pa&yee:"), self.payee_name)
        self.payee_rfc = QLineEdit(self)
        self.payee_rfc.setMaxLength(16)
        self.payee_rfc.setMaximumWidth(self.payee_rfc.fontMetrics().horizontalAdvance("WWWW999999WWW") + 24)
        add_field(self.form, self.errors, "payee_rfc", _("Payee's &RFC:"), self.payee_rfc, stretch=False)
        self.concept = QLineEdit(self)
        self.concept.setPlaceholderText(_("What was paid, e.g. estimate 2 of the paving works"))
        add_field(self.form, self.errors, "concept", _("C&oncept:"), self.concept)
        self._date_field(_("&Date of the payment:"))
        self.amount = money_edit(self)
        self.cash_info = hint_label(self)
        add_field(
            self.form,
            self.errors,
            "amount",
            _("&Amount (MXN):"),
            self.amount,
            stretch=False,
            hint=self.cash_info,
        )
        self.source = QComboBox(self)
        add_field(self.form, self.errors, "source_party", _("Paid &from:"), self.source)
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(_("Transfer or cheque number"))
        add_field(self.form, self.errors, "reference", _("Bank refere&nce:"), self.reference)
        self.amount.textChanged.connect(lambda _t: self.update_preview())
        self.source.currentIndexChanged.connect(lambda _i: self.update_preview())
        self.preview = QTableWidget(0, 3, self)
        self.preview.setHorizontalHeaderLabels([_("Party"), _("Approved share"), _("Attributed")])
        self.preview.setAccessibleName(_("Attribution of the payment to the parties"))
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.preview.verticalHeader().hide()
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            item = self.preview.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.preview_note = hint_label(self)
        # Drops land on the form, not in a line edit (which would paste the file's address as text).
        for child in self.findChildren(QLineEdit):
            child.setAcceptDrops(False)
        # Room for the wrapped hints and the CFDI warning, but never taller than the screen (1366×768).
        screen = self.screen()
        room = screen.availableGeometry().height() - 40 if screen is not None else 760
        self.resize(700, min(760, room))

    def _lay_out_extra(self, layout: QVBoxLayout) -> None:
        caption = QLabel(_("Attribution to the parties:"), self)
        caption.setBuddy(self.preview)
        layout.addWidget(caption)
        layout.addWidget(self.preview)
        layout.addWidget(self.preview_note)

    # -- CFDI ------------------------------------------------------------------------------------

    def choose_cfdi(self) -> None:
        """Ask for the invoice's XML file and read it."""
        path = prompts.choose_open_file(self, _("Choose the CFDI invoice (XML)"), _(CFDI_FILTER))
        if path:
            self.load_cfdi(Path(path))

    def clear_cfdi(self) -> None:
        """Forget the invoice (the fields it filled stay as they are)."""
        self.cfdi, self.cfdi_path = None, None
        self.cfdi_file.clear()
        self.uuid.clear()
        self.show_cfdi_warnings()

    def show_cfdi_warnings(self) -> None:
        """Show what the officer should know about the invoice read (its receiver unchecked), or nothing."""
        try:
            warnings = payment_warnings(self._db, self.cfdi)
        except StorageError:
            warnings = []  # only a courtesy: recording the payment reports a database that cannot be read
        text = "\n".join("⚠ " + describe(problem, with_field=False) for problem in warnings)
        self.cfdi_warning.setText(text)
        self.cfdi_warning.setVisible(bool(text))

    def load_cfdi(self, path: Path) -> bool:
        """Read the CFDI at ``path`` and fill UUID, payee, RFC, amount and date; False when refused."""
        try:
            cfdi = read_cfdi_file(path)
        except InputError as exc:
            self.clear_cfdi()
            self.errors.show(exc.problems)
            return False
        self.errors.clear()
        self.cfdi, self.cfdi_path = cfdi, Path(path)
        self.cfdi_file.setText(str(path))
        self.uuid.setText(cfdi.uuid)
        self.show_cfdi_warnings()
        self.payee_name.setText(cfdi.issuer_name)
        self.payee_rfc.setText(cfdi.issuer_rfc)
        if cfdi.currency == "MXN":
            self.amount.setText(amount_text(cfdi.total))
        issued = cfdi.issued_at.date()
        if issued <= self._today:
            self.date.setDate(to_qdate(issued))
        if cfdi.currency != "MXN":
            self.errors.show([Problem("cfdi", "payment.cfdi_currency", {"currency": cfdi.currency})])
        return True

    @staticmethod
    def _dropped_file(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> Path | None:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        """Accept a file dragged over the form."""
        if self._dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        """Keep accepting the file while it moves over the form."""
        if self._dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        """An ``.xml`` dropped is the CFDI; any other file is the scanned receipt."""
        path = self._dropped_file(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        if path.suffix.lower() == ".xml":
            self.load_cfdi(path)
        else:
            self.receipt.setText(str(path))

    # -- attribution -----------------------------------------------------------------------------

    def _balance_changed(self) -> None:
        previous = self.source.currentData()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem(_("All parties, from what each has deposited, by their shares"), None)
        for party in self._parties():
            assert self.balance is not None
            self.source.addItem(
                _("{party} only (has {cash})").format(
                    party=party_label(party), cash=money_text(self.balance.party(party).cash)
                ),
                party,
            )
        index = self.source.findData(previous)
        self.source.setCurrentIndex(max(index, 0))
        self.source.blockSignals(False)
        self.cash_info.setText(
            _("Cash on hand: {cash}").format(cash=money_text(self.balance.cash)) if self.balance else ""
        )
        self.update_preview()

    def attribution(self) -> dict[str, int]:
        """How the typed amount is attributed to the parties (the service's own rule); {} when unknown."""
        problems: list[Problem] = []
        amount = parse_amount(self.amount.text(), "amount", problems) if self.amount.text().strip() else None
        if amount is None or amount <= 0 or self.balance is None:
            return {}
        source = self.source.currentData()
        if source is not None:
            return {source: amount}
        shares = {p.party: p.share for p in self.balance.parties if p.share > 0}
        # The money each party holds today; the service uses what it holds on the payment's date,
        # which differs only for a back-dated payment.
        funds = {p.party: p.cash for p in self.balance.parties}
        if not shares or amount > sum(max(0, c) for c in funds.values()):
            return {}
        return draw_from_funds(amount, shares, funds)

    def update_preview(self) -> None:
        """Show the attribution per party of the amount typed."""
        split = self.attribution()
        parties = self._parties()
        shares = {p.party: p.share for p in self.balance.parties} if self.balance else {}
        total_share = sum(shares.get(p, 0) for p in parties)
        # Percentages by the same largest-remainder rule, so they add up to exactly 100.00 %.
        points = attribute(10_000, {p: shares.get(p, 0) for p in parties}) if total_share else {}
        self.preview.setRowCount(len(parties))
        for row, party in enumerate(parties):
            share = shares.get(party, 0)
            share_percent = percent(points.get(party, 0)) if total_share else ""
            attributed = money_text(split.get(party, 0)) if split else "—"
            cells = (party_label(party), f"{money_text(share)} ({share_percent})", attributed)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(_RIGHT)
                self.preview.setItem(row, column, item)
        height = self.preview.horizontalHeader().height() + 2 * self.preview.frameWidth()
        self.preview.setFixedHeight(height + sum(self.preview.rowHeight(r) for r in range(len(parties))))
        if not parties:
            self.preview_note.setText(_("Choose the project to see how the payment is attributed."))
        elif self.source.currentData() is not None:
            self.preview_note.setText(_("The whole payment comes from the party chosen in “Paid from”."))
        else:
            self.preview_note.setText(
                _(
                    "A payment is drawn from the money each party has deposited and not yet spent, "
                    "in proportion to the approved shares of the parties that still have money; "
                    "no party's balance goes below zero."
                )
            )

    def _save(self) -> EntryRecord:
        problems: list[Problem] = []
        project_id = self._required_project(problems)
        amount = parse_amount(self.amount.text(), "amount", problems)
        if problems:
            raise InputError(problems)
        assert amount is not None
        data = PaymentInput(
            project_id=project_id,
            entry_date=self.entry_date(),
            amount=amount,
            payee_name=self.payee_name.text(),
            payee_rfc=self.payee_rfc.text(),
            concept=self.concept.text(),
            cfdi_path=self.cfdi_path,
            receipt_path=self._path(self.receipt),
            source_party=self.source.currentData(),
            reference=self.reference.text(),
        )
        try:
            return record_payment(self._db, data, user=current_actor().username, today=self._today)
        except InputError as exc:
            # A typed RFC whose check digit does not match may still be real: ask, and record on yes;
            # on no the problem is shown under the RFC and the officer corrects it there.
            if not only_check_digit(exc.problems) or not confirm_rfc_check_digit(self, exc.problems[0]):
                raise
        data = replace(data, accept_rfc_check_digit=True)
        return record_payment(self._db, data, user=current_actor().username, today=self._today)


class RefundDialog(EntryDialog):
    """Record a refund (*reintegro*) of unspent or disallowed money to one party, with its reason."""

    title_msgid = N_("Record refund")
    stages = CORRECTION_STAGES

    def _build(self) -> None:
        self.party = QComboBox(self)
        add_field(self.form, self.errors, "party", _("Part&y refunded:"), self.party)
        self._date_field(_("&Date of the refund:"))
        self.amount = money_edit(self)
        add_field(self.form, self.errors, "amount", _("&Amount (MXN):"), self.amount, stretch=False)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(
            _("Why the money goes back, e.g. unspent federal money at the close of the fiscal year")
        )
        self.reason.setFixedHeight(self.reason.fontMetrics().height() * 4 + 12)
        add_field(self.form, self.errors, "reason", _("Reas&on:"), self.reason)
        self.reference = QLineEdit(self)
        # A reintegro to TESOFE is refused without it (its línea de captura); other parties may omit it.
        self.reference.setPlaceholderText(
            _("TESOFE línea de captura (required for the federal party) or transfer")
        )
        add_field(self.form, self.errors, "reference", _("Bank refere&nce:"), self.reference)
        self.receipt = self._file_row("receipt", _("Rec&eipt file:"))
        self.authorisation = _authorisation_edit(self)
        add_field(self.form, self.errors, "authorisation", _("Au&thorisation:"), self.authorisation)
        self.resize(600, 460)

    def _balance_changed(self) -> None:
        previous = self.party.currentData()
        self.party.clear()
        if self.balance is not None:
            for line in self.balance.parties:
                if line.share > 0 or line.received:
                    self.party.addItem(
                        _("{party} — has {cash} in the project").format(
                            party=party_label(line.party), cash=money_text(line.cash)
                        ),
                        line.party,
                    )
        index = self.party.findData(previous)
        self.party.setCurrentIndex(index if index >= 0 else (0 if self.party.count() else -1))

    def _save(self) -> EntryRecord:
        problems: list[Problem] = []
        project_id = self._required_project(problems)
        party = self.party.currentData()
        if party is None and project_id:
            problems.append(Problem("party", "choice.required", {}))
        amount = parse_amount(self.amount.text(), "amount", problems)
        if problems:
            raise InputError(problems)
        assert amount is not None
        data = RefundInput(
            project_id=project_id,
            party=party,
            entry_date=self.entry_date(),
            amount=amount,
            reason=self.reason.toPlainText(),
            reference=self.reference.text(),
            receipt_path=self._path(self.receipt),
            authorisation=self.authorisation.text(),
        )
        return record_refund(self._db, data, user=current_actor().username, today=self._today)


def _authorisation_edit(parent: QWidget) -> QLineEdit:
    """The administrador's reason, needed only on a closed project (and for reversals, a cancelled one)."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText(_("Only on a closed or cancelled project: why the administrador authorises it"))
    edit.setMaxLength(MAX_LONG_TEXT)
    return edit


class ReversalDialog(QDialog):
    """Cancel an entry by appending its reversal; asks why and on which day the correction is made."""

    def __init__(
        self, db: Database, entry: EntryRecord, parent: QWidget | None = None, *, today: date | None = None
    ):
        super().__init__(parent)
        self._db = db
        self._entry = entry
        self._today = today or date.today()
        self.record: EntryRecord | None = None
        self.setWindowTitle(_("Reverse entry No. {id}").format(id=entry.id))
        self.summary = hint_label(self)
        self.summary.setText(
            _("Entry No. {id}: {kind} of {amount} dated {date}, project {folio}.").format(
                id=entry.id,
                kind=entry_kind_label(entry.kind),
                amount=money_text(entry.amount),
                date=date_text(entry.entry_date),
                folio=entry.folio,
            )
            + "\n"
            + _("The entry stays in the ledger; a new entry of {amount} cancels its effect.").format(
                amount=money_text(-entry.amount)
            )
        )
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        form = QFormLayout()
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(_("e.g. the deposit was recorded twice"))
        self.reason.setFixedHeight(self.reason.fontMetrics().height() * 4 + 12)
        add_field(form, self.errors, "reason", _("Reas&on:"), self.reason)
        self.date = date_edit(self)
        self.date.setDate(to_qdate(self._today))
        self.date.setMaximumDate(to_qdate(self._today))
        add_field(form, self.errors, "on", _("&Date of the reversal:"), self.date, stretch=False)
        self.authorisation = _authorisation_edit(self)
        add_field(form, self.errors, "authorisation", _("Au&thorisation:"), self.authorisation)
        self.entry_error = QLabel(self)
        self.errors.register("entry", self.reason, self.entry_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(_("&Reverse"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.general)
        layout.addWidget(self.entry_error)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(560, 300)

    def try_accept(self) -> bool:
        """Append the reversal and close; on problems show them and stay open."""
        try:
            self.record = reverse_entry(
                self._db,
                self._entry.id,
                reason=self.reason.toPlainText(),
                on=from_qdate(self.date.date()),
                user=current_actor().username,
                today=self._today,
                authorisation=self.authorisation.text(),
            )
        except InputError as exc:
            first = self.errors.show(exc.problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.accept()
        return True

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, entry: EntryRecord, *, today: date | None = None
    ) -> EntryRecord | None:
        """Show the form; the reversal stored, or None when the officer cancels."""
        dialog = cls(db, entry, parent, today=today)
        try:
            return dialog.record if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
