"""The project request form: a new request, or a draft or returned project changed, with the split beside it.

The form checks what it can read itself (an amount typed with a decimal comma, a missing club) under
each field, and hands the rest to the services, whose problems go under their fields too: nothing is
written while a problem remains. "Save draft" keeps an unfinished request; "Submit request" takes it
in as ``solicitado`` after every check, the club's toma de nota on the request's date included.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.money import Money, convert_usd, parse_rate
from tresxuno.domain.parties import PARTY_ORDER, Category, Party
from tresxuno.domain.problems import InputError, Problem, RuleSetError, StorageError
from tresxuno.domain.records import ClubInfo, ProjectDetail
from tresxuno.domain.rules import RuleBook, RuleSet
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import ProjectInput, TomaStatus, toma_status
from tresxuno.formatting import category_label, date_text, money_text, party_label, percent_number
from tresxuno.i18n import N_, _, language
from tresxuno.messages import describe
from tresxuno.services.clubs import all_clubs
from tresxuno.services.places import list_municipalities, list_states
from tresxuno.services.project_requests import (
    club_submission_problems,
    save_draft,
    stored_request,
    submit_draft,
    submit_project,
    update_project,
)
from tresxuno.services.projects import ProjectOverview, project_overview
from tresxuno.services.rules import rulebook
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.record_undo import project_edited
from tresxuno.ui.widgets.share_preview import (
    PartnerEntry,
    PreviewInput,
    ShareSplitPreview,
    parse_override,
    parse_partner,
)

#: Programmes shipped, in the order officers name them; rule files may add others after them.
SHIPPED_PROGRAMMES = ("3x1", "4x1", "2x1-zacatecas")
#: The partner choices: item key -> (mode, currency of a fixed amount, label msgid).
PARTNER_CHOICES: dict[str, tuple[str, str, str]] = {
    "none": ("none", "MXN", N_("No partner")),
    "rule": ("rule", "MXN", N_("Partner by the rule set's percentage")),
    "fixed-mxn": ("fixed", "MXN", N_("Fixed amount in pesos (MXN)")),
    "fixed-usd": ("fixed", "USD", N_("Fixed amount in dollars (USD)")),
}

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class SearchCombo(QComboBox):
    """A combo box one can type into to find an item by any part of its name (names repeat rarely).

    :meth:`chosen` is the data of the item whose text is typed exactly, or None: text that matches
    no item never silently picks the previous one.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)

    def set_placeholder(self, text: str) -> None:
        """The grey hint shown while nothing is typed."""
        line = self.lineEdit()
        if line is not None:
            line.setPlaceholderText(text)

    def chosen(self) -> object | None:
        """The data of the item named by the typed text, or None."""
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        return self.itemData(index) if index >= 0 else None

    def choose(self, data: object) -> bool:
        """Select the item carrying ``data``; False when there is none."""
        index = self.findData(data)
        if index < 0:
            return False
        self.setCurrentIndex(index)
        self.setEditText(self.itemText(index))
        return True


def programme_names(book: RuleBook) -> dict[str, str]:
    """Programme ids and names in the current language, the shipped ones first."""
    programs = book.programs
    order = [p for p in SHIPPED_PROGRAMMES if p in programs] + sorted(
        p for p in programs if p not in SHIPPED_PROGRAMMES
    )
    return {p: programs[p].name(language()) for p in order}


def programme_years(book: RuleBook, program: str, today: date) -> list[int]:
    """The fiscal years the programme's rule sets cover, newest first (open-ended ones to next year)."""
    years: set[int] = set()
    for rs in book.rule_sets:
        if rs.program == program:
            years.update(range(rs.first_year, (rs.last_year or today.year + 1) + 1))
    return sorted(years, reverse=True)


def programme_categories(book: RuleBook, program: str, year: int) -> list[str]:
    """The categories some rule set of the programme covers in ``year``, in the catalogue's order."""
    return [
        c.value
        for c in Category
        if any(rs.program == program and rs.covers(year, c.value) for rs in book.rule_sets)
    ]


class ProjectDialog(QDialog):
    """Capture or change a project request, with the live split beside the form.

    Args:
        db: the open database.
        project_id: a draft or returned project to change; None for a new request.
        parent: the window the dialog belongs to.
        today: the day the form treats as today (request date, fiscal years offered).

    Raises:
        InputError: the project does not exist or can no longer be changed.
        StorageError, RuleSetError: the database or the rule files cannot be read.
    """

    #: Emitted with the stored project after a successful save or submission.
    saved = Signal(object)

    def __init__(
        self,
        db: Database,
        project_id: int | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ):
        super().__init__(parent)
        self._db = db
        self._today = today or date.today()
        self._book = rulebook()
        self._overview: ProjectOverview | None = None
        if project_id is not None:
            self._overview = project_overview(db, project_id)
            if not self._overview.editable:
                detail = self._overview.detail
                raise InputError(
                    Problem("project", "project.not_editable", {"folio": detail.folio, "stage": detail.stage})
                )
        self._clubs: dict[int, ClubInfo] = {c.id: c for c in all_clubs(db)}
        self._partner_touched = False
        #: The chosen club's toma de nota status on the request date (None with no club chosen).
        self.toma_status: TomaStatus | None = None
        self.result_detail: ProjectDetail | None = None

        self.setWindowTitle(
            _("New project")
            if self._overview is None
            else _("Project {folio}").format(folio=self._overview.detail.folio)
        )
        self.setModal(True)
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        self._error_labels: dict[str, QLabel] = {}
        self._forms: list[QFormLayout] = []

        form_page = QWidget(self)
        column = QVBoxLayout(form_page)
        column.addWidget(self.general)
        column.addWidget(self._applicant_group(form_page))
        column.addWidget(self._programme_group(form_page))
        column.addWidget(self._place_group(form_page))
        column.addWidget(self._project_group(form_page))
        column.addWidget(self._money_group(form_page))
        column.addStretch(1)
        self._align_labels()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_page)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(form_page.minimumSizeHint().width() + 24)

        self.preview = ShareSplitPreview(self)
        side = QWidget(self)
        side_box = QVBoxLayout(side)
        side_box.addWidget(self.preview)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.buttons = QDialogButtonBox(self)
        editing_returned = self._overview is not None and self._overview.detail.stage == Stage.DEVUELTO
        self.draft_button = QPushButton(_("Save changes") if editing_returned else _("Save draft"), self)
        self.submit_button = QPushButton(_("Submit request"), self)
        self.cancel_button = QPushButton(_("Cancel"), self)
        for button in (self.draft_button, self.submit_button, self.cancel_button):
            # Enter in a field must never submit a request with public money by accident.
            button.setAutoDefault(False)
            button.setDefault(False)
        self.draft_button.setToolTip(_("Keep the request as a draft; it can be completed later"))
        self.submit_button.setToolTip(_("Check everything and take the request in (stage “Requested”)"))
        self.buttons.addButton(self.draft_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.draft_button.clicked.connect(self.save_as_draft)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.buttons)
        self._fill_programmes()
        self._connect()
        if self._overview is not None:
            self._load(self._overview)
        else:
            self._on_program_changed()
        self._update_toma()
        self._update_partner_widgets()
        self._update_override_widgets()
        self._set_tab_order()
        self.refresh_preview()
        self.preview.recompute()
        self.resize(1200, 780)
        self.splitter.setSizes([700, 500])
        self.club.setFocus()

    # -- building ---------------------------------------------------------------------------------

    def _row(
        self, form: QFormLayout, field: str, label: str, widget: QWidget, also: tuple[str, ...] = ()
    ) -> QLabel:
        error = self.errors.add_row(form, field, label, widget)
        self._error_labels[field] = error
        for other in also:  # problems some services name differently ("year" for "fiscal_year")
            self.errors.register(other, widget, error)
        return error

    def _form(self, group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        self._forms.append(form)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        return form

    def _applicant_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(_("Applicant"), parent)
        form = self._form(group)
        self.club = SearchCombo(group)
        self.club.set_placeholder(_("Type part of the club's name"))
        for club in sorted(self._clubs.values(), key=lambda c: c.name.casefold()):
            self.club.addItem(club.name, club.id)
            self.club.setItemData(
                self.club.count() - 1,
                _("Toma de nota {folio}").format(folio=club.toma_folio),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.club.setCurrentIndex(-1)
        self._row(form, "club", _("&Club:"), self.club)
        toma = QWidget(group)
        line = QHBoxLayout(toma)
        line.setContentsMargins(0, 0, 0, 0)
        self.toma_icon = QLabel(toma)
        self.toma_label = QLabel(toma)
        self.toma_label.setWordWrap(True)
        self.toma_label.setAccessibleName(_("Toma de nota status"))
        line.addWidget(self.toma_icon, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.toma_label, 1)
        form.addRow(_("Toma de nota:"), toma)
        if not self._clubs:
            self.toma_label.setText(_("No clubs are registered yet: register the club first (Clubs)."))
        return group

    def _programme_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(_("Programme"), parent)
        form = self._form(group)
        self.program = QComboBox(group)
        self._row(form, "program", _("&Programme:"), self.program)
        self.year = QComboBox(group)
        self._row(form, "fiscal_year", _("Fiscal &year:"), self.year, also=("year",))
        self.category = QComboBox(group)
        self._row(form, "category", _("C&ategory:"), self.category)
        return group

    def _place_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(_("Location"), parent)
        form = self._form(group)
        self.state = SearchCombo(group)
        for place in list_states(self._db):
            self.state.addItem(place.name, place.key)
        self.state.setCurrentIndex(-1)
        self.state.set_placeholder(_("Type part of the state's name"))
        self._row(form, "state_key", _("&State:"), self.state, also=("state",))
        self.municipality = SearchCombo(group)
        self.municipality.set_placeholder(_("Choose the state first"))
        self._row(form, "municipality_key", _("&Municipality:"), self.municipality, also=("municipality",))
        self.locality = QLineEdit(group)
        self.locality.setPlaceholderText(_("e.g. El Tepetate"))
        self.locality.setMaxLength(200)
        self._row(form, "locality", _("&Locality:"), self.locality)
        return group

    def _project_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(_("Project"), parent)
        form = self._form(group)
        self.name = QLineEdit(group)
        self.name.setMaxLength(200)
        self._row(form, "name", _("&Name:"), self.name)
        self.description = QPlainTextEdit(group)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self._row(form, "description", _("&Description:"), self.description)
        self.beneficiaries = QSpinBox(group)
        self.beneficiaries.setRange(0, 10_000_000)
        self.beneficiaries.setGroupSeparatorShown(True)
        self.beneficiaries.setAlignment(_RIGHT)
        self._row(form, "beneficiaries", _("&Beneficiaries:"), self.beneficiaries)
        self.request_date = QDateEdit(group)
        self.request_date.setCalendarPopup(True)
        self.request_date.setDisplayFormat("dd/MM/yyyy")
        self.request_date.setDate(QDate(self._today.year, self._today.month, self._today.day))
        self._row(form, "submitted_on", _("Request &date:"), self.request_date)
        return group

    def _money_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox(_("Cost and shares"), parent)
        form = self._form(group)
        self.cost = QLineEdit(group)
        self.cost.setAlignment(_RIGHT)
        self.cost.setPlaceholderText("0.00")
        self.cost.setToolTip(_("Total cost in pesos, e.g. 1,250,000.00 (decimal point, not comma)"))
        self._row(form, "cost", _("Total &cost (MXN):"), self.cost)

        self.partner = QComboBox(group)
        for key, (_mode, _currency, label) in PARTNER_CHOICES.items():
            self.partner.addItem(_(label), key)
        self._row(form, "partner", _("&Partner:"), self.partner)
        amount_box = QWidget(group)
        amount_line = QHBoxLayout(amount_box)
        amount_line.setContentsMargins(0, 0, 0, 0)
        self.partner_amount = QLineEdit(amount_box)
        self.partner_amount.setAlignment(_RIGHT)
        self.partner_amount.setPlaceholderText("0.00")
        self.partner_amount.setAccessibleName(_("Partner amount"))
        self.partner_currency = QLabel("MXN", amount_box)
        amount_line.addWidget(self.partner_amount, 1)
        amount_line.addWidget(self.partner_currency)
        self._row(form, "partner_amount", _("Partner &amount:"), amount_box)
        self.errors.register("partner_amount", self.partner_amount, self._error_labels["partner_amount"])
        rate_box = QWidget(group)
        rate_line = QHBoxLayout(rate_box)
        rate_line.setContentsMargins(0, 0, 0, 0)
        self.rate = QLineEdit(rate_box)
        self.rate.setAlignment(_RIGHT)
        self.rate.setPlaceholderText("17.2345")
        self.rate.setAccessibleName(_("Exchange rate (MXN per USD)"))
        self.rate.setToolTip(_("Pesos per dollar, e.g. 17.2345 (Banco de México FIX or the bank's rate)"))
        self.converted = QLabel(rate_box)
        self.converted.setAlignment(_RIGHT)
        self.converted.setAccessibleName(_("Partner amount in pesos"))
        rate_line.addWidget(self.rate, 1)
        rate_line.addWidget(self.converted, 1)
        self._row(form, "rate", _("E&xchange rate:"), rate_box)
        self.errors.register("rate", self.rate, self._error_labels["rate"])

        self.override = QCheckBox(_("Special mix (different from the rule set)"), group)
        self.override.setToolTip(
            _("Each party's percentage for this project only; it must add up to 100 % and say why")
        )
        form.addRow("", self.override)
        grid_box = QWidget(group)
        grid = QGridLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.mix: dict[Party, QLineEdit] = {}
        for column, party in enumerate(PARTY_ORDER):
            caption = QLabel(party_label(party), grid_box)
            edit = QLineEdit(grid_box)
            edit.setAlignment(_RIGHT)
            edit.setPlaceholderText("0")
            edit.setAccessibleName(_("Percentage of {party}").format(party=party_label(party)))
            edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("100.00") + 16)
            caption.setBuddy(edit)
            grid.addWidget(caption, 0, column)
            grid.addWidget(edit, 1, column)
            self.mix[party] = edit
        self.mix_sum = QLabel(grid_box)
        grid.addWidget(self.mix_sum, 2, 0, 1, len(PARTY_ORDER))
        self._row(form, "mix", _("Percentages:"), grid_box)
        self.mix_reason = QLineEdit(group)
        self.mix_reason.setPlaceholderText(_("e.g. the state does not take part this year"))
        self._row(form, "mix_reason", _("&Reason for the special mix:"), self.mix_reason)
        return group

    def _align_labels(self) -> None:
        """One label column width for every group, so the fields line up down the whole form."""
        labels = []
        for form in self._forms:
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                widget = item.widget() if item is not None else None
                if isinstance(widget, QLabel):
                    labels.append(widget)
        width = max((label.sizeHint().width() for label in labels), default=0)
        for label in labels:
            label.setMinimumWidth(width)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.club,
            self.program,
            self.year,
            self.category,
            self.state,
            self.municipality,
            self.locality,
            self.name,
            self.description,
            self.beneficiaries,
            self.request_date,
            self.cost,
            self.partner,
            self.partner_amount,
            self.rate,
            self.override,
            *self.mix.values(),
            self.mix_reason,
            self.draft_button,
            self.submit_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _fill_programmes(self) -> None:
        for program_id, name in programme_names(self._book).items():
            self.program.addItem(name, program_id)
        # A new request is most likely for a programme running this year (e.g. the state's own 2x1).
        for index in range(self.program.count()):
            if self._today.year in programme_years(self._book, self.program.itemData(index), self._today):
                self.program.setCurrentIndex(index)
                break

    def _connect(self) -> None:
        self.club.currentTextChanged.connect(self._on_club_changed)
        self.request_date.dateChanged.connect(self._update_toma)
        self.program.currentIndexChanged.connect(self._on_program_changed)
        self.year.currentIndexChanged.connect(self._on_year_changed)
        self.category.currentIndexChanged.connect(self._on_rules_changed)
        self.state.currentTextChanged.connect(self._on_state_changed)
        self.cost.textChanged.connect(self.refresh_preview)
        self.cost.editingFinished.connect(self._check_cost)
        self.partner.activated.connect(self._on_partner_chosen)
        self.partner.currentIndexChanged.connect(self._update_partner_widgets)
        for edit in (self.partner_amount, self.rate):
            edit.textChanged.connect(self._update_partner_widgets)
        self.override.toggled.connect(self._on_override_toggled)
        for edit in (*self.mix.values(), self.mix_reason):
            edit.textChanged.connect(self._update_override_widgets)

    # -- filling and reacting ---------------------------------------------------------------------

    def _load(self, overview: ProjectOverview) -> None:
        """Put a stored request into the form."""
        detail = overview.detail
        self.club.choose(detail.club_id)
        self.program.setCurrentIndex(max(0, self.program.findData(detail.program)))
        self._on_program_changed()
        if self.year.findData(detail.fiscal_year) < 0:
            self.year.addItem(str(detail.fiscal_year), detail.fiscal_year)
        self.year.setCurrentIndex(self.year.findData(detail.fiscal_year))
        if self.category.findData(detail.category) < 0:
            self.category.addItem(category_label(detail.category), detail.category)
        self.category.setCurrentIndex(self.category.findData(detail.category))
        self.state.choose(detail.state_key)
        self._on_state_changed()
        self.municipality.choose(detail.municipality_key)
        self.locality.setText(detail.locality)
        self.name.setText(detail.name)
        self.description.setPlainText(detail.description)
        self.beneficiaries.setValue(detail.beneficiaries)
        self.cost.setText(money_text(detail.cost, symbol=False))
        choice = "fixed-mxn" if detail.partner_mode == "fixed" else detail.partner_mode
        self.partner.setCurrentIndex(max(0, self.partner.findData(choice)))
        self._partner_touched = True
        if detail.partner_mode == "fixed" and detail.partner_amount:
            self.partner_amount.setText(money_text(detail.partner_amount, symbol=False))
        if detail.mix_override_reason:
            # The special mix is stored as the shares it gave: their percentages of the cost.
            self.override.setChecked(True)
            shares = {s.party: s.percent_bp for s in detail.shares}
            for party, edit in self.mix.items():
                bp = shares.get(party.value, 0)
                edit.setText(percent_number(bp) if bp else "")
            self.mix_reason.setText(detail.mix_override_reason)

    def _on_club_changed(self) -> None:
        club = self._chosen_club()
        if club is not None and self._overview is None and self.state.chosen() is None:
            # A club usually proposes works for its home community: start the location there.
            self.state.choose(club.home_state_key)
            self._on_state_changed()
            self.municipality.choose(club.home_municipality_key)
        self._update_toma()

    def _chosen_club(self) -> ClubInfo | None:
        club_id = self.club.chosen()
        return self._clubs.get(club_id) if isinstance(club_id, int) else None

    def request_day(self) -> date:
        """The request's date as chosen."""
        qdate = self.request_date.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def _update_toma(self) -> None:
        """Say whether the club's toma de nota is valid on the request's date, by icon and by words."""
        club = self._chosen_club()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.toma_status = None
        if club is None:
            self.toma_icon.clear()
            if self._clubs:
                self.toma_label.setText(_("Choose the club to see its toma de nota."))
            return
        status = toma_status(club.toma_issued_on, club.toma_expires_on, self.request_day())
        icons = QStyle.StandardPixmap
        if status in (TomaStatus.LAPSED, TomaStatus.NOT_YET_VALID):
            # The very sentence the service refuses the request with.
            problems = club_submission_problems(self._db, club.id, self.request_day())
            text = describe(problems[0], with_field=False) if problems else ""
            icon = icons.SP_MessageBoxCritical
        elif status is TomaStatus.EXPIRING:
            text = _("Toma de nota {folio} valid until {date}: it expires soon, ask the club to renew it")
            text = text.format(folio=club.toma_folio, date=date_text(club.toma_expires_on))
            icon = icons.SP_MessageBoxWarning
        else:
            text = _("Toma de nota {folio} valid until {date}").format(
                folio=club.toma_folio, date=date_text(club.toma_expires_on)
            )
            icon = icons.SP_DialogApplyButton
        self.toma_icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self.toma_label.setText(text)
        self.toma_status = status

    def _on_program_changed(self) -> None:
        program = self.program.currentData()
        previous = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        for year in programme_years(self._book, program, self._today) if program else []:
            self.year.addItem(str(year), year)
        index = self.year.findData(previous)
        if index < 0:
            index = self.year.findData(self._today.year)
        self.year.setCurrentIndex(index if index >= 0 else (0 if self.year.count() else -1))
        self.year.blockSignals(False)
        self._on_year_changed()

    def _on_year_changed(self) -> None:
        program, year = self.program.currentData(), self.year.currentData()
        previous = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        for category in programme_categories(self._book, program, year) if program and year else []:
            self.category.addItem(category_label(category), category)
        index = self.category.findData(previous)
        self.category.setCurrentIndex(index if index >= 0 else (0 if self.category.count() else -1))
        self.category.blockSignals(False)
        self._on_rules_changed()

    def rules_choice(self) -> tuple[Any, Any, Any]:
        """The chosen programme id, fiscal year and category id (None where nothing is chosen)."""
        return self.program.currentData(), self.year.currentData(), self.category.currentData()

    def rule_set(self) -> RuleSet | None:
        """The rule set the chosen programme, year and category fall under, if any."""
        program, year, category = self.rules_choice()
        if not (program and year and category):
            return None
        try:
            return self._book.find(program, year, category)
        except InputError:
            return None

    def _on_rules_changed(self) -> None:
        rule_set = self.rule_set()
        if rule_set is not None and not self._partner_touched:
            # Until the officer picks one, the partner follows the rule set (4x1 always has one).
            self.partner.setCurrentIndex(self.partner.findData("rule" if rule_set.has_partner else "none"))
        self.refresh_preview()

    def _on_state_changed(self) -> None:
        state_key = self.state.chosen()
        current = self.municipality.chosen()
        self.municipality.blockSignals(True)
        self.municipality.clear()
        if isinstance(state_key, str):
            for place in list_municipalities(self._db, state_key):
                self.municipality.addItem(place.name, place.key)
                self.municipality.setItemData(
                    self.municipality.count() - 1,
                    _("INEGI key {key}").format(key=place.key),
                    Qt.ItemDataRole.ToolTipRole,
                )
            self.municipality.set_placeholder(_("Type part of the municipality's name"))
        else:
            self.municipality.set_placeholder(_("Choose the state first"))
        self.municipality.setCurrentIndex(-1)
        if current is not None:
            self.municipality.choose(current)
        self.municipality.setEnabled(isinstance(state_key, str))
        self.municipality.blockSignals(False)

    def _on_partner_chosen(self) -> None:
        self._partner_touched = True

    def partner_entry(self) -> PartnerEntry:
        """The partner as chosen in the form."""
        mode, currency, _label = PARTNER_CHOICES.get(self.partner.currentData(), PARTNER_CHOICES["none"])
        return PartnerEntry(mode, self.partner_amount.text(), currency, self.rate.text())

    def _update_partner_widgets(self) -> None:
        entry = self.partner_entry()
        fixed = entry.mode == "fixed"
        usd = fixed and entry.currency == "USD"
        self.partner_amount.setEnabled(fixed)
        self.partner_currency.setText(entry.currency)
        self.rate.setEnabled(usd)
        self.converted.setText("")
        if usd:
            try:
                dollars = Money.parse(entry.amount_text, currency="USD")
                pesos = convert_usd(dollars, parse_rate(entry.rate_text))
            except InputError:
                pass
            else:
                self.converted.setText("= " + money_text(pesos, code=True))
        self.refresh_preview()

    def _on_override_toggled(self, checked: bool) -> None:
        rule_set = self.rule_set()
        if checked and rule_set is not None and not any(e.text().strip() for e in self.mix.values()):
            # Start from the rule set's mix: the officer usually moves one or two percentages.
            for party, bp in rule_set.mix:
                self.mix[party].setText(percent_number(bp))
        self._update_override_widgets()
        if checked:
            next(iter(self.mix.values())).setFocus()

    def override_texts(self) -> dict[str, str] | None:
        """The percentages typed per party id, or None without a special mix."""
        if not self.override.isChecked():
            return None
        return {party.value: edit.text() for party, edit in self.mix.items()}

    def _update_override_widgets(self) -> None:
        on = self.override.isChecked()
        for edit in (*self.mix.values(), self.mix_reason):
            edit.setEnabled(on)
        if on:
            try:
                mix = parse_override(self.override_texts()) or {}
            except InputError:
                self.mix_sum.setText(_("Sum: — (a percentage is not a number from 0 to 100)"))
            else:
                total = sum(mix.values())
                mark = "✓" if total == 10_000 else "✗"
                self.mix_sum.setText(
                    _("Sum: {total} % {mark}").format(total=percent_number(total), mark=mark)
                )
        else:
            self.mix_sum.setText("")
        self.refresh_preview()

    def _check_cost(self) -> None:
        """On leaving the cost field: say at once what is wrong with it, or show it formatted."""
        error = self._error_labels["cost"]
        text = self.cost.text()
        if not text.strip():
            return
        try:
            cost = Money.parse(text, field="cost")
        except InputError as exc:
            error.setText(describe(exc.problems[0], with_field=False))
            error.show()
            self.cost.setAccessibleDescription(error.text())
            return
        error.clear()
        error.hide()
        self.cost.setAccessibleDescription("")
        formatted = money_text(cost, symbol=False)
        if formatted != text:
            self.cost.setText(formatted)

    def preview_input(self) -> PreviewInput | None:
        """What the split preview needs, or None until programme, year and category are chosen."""
        program, year, category = self.rules_choice()
        if not (program and year and category):
            return None
        return PreviewInput(
            program,
            year,
            category,
            self.cost.text(),
            self.partner_entry(),
            self.override_texts(),
            self.mix_reason.text(),
        )

    def refresh_preview(self) -> None:
        """Hand the form's state to the preview (it recomputes after the typing pause)."""
        if hasattr(self, "preview"):
            self.preview.set_input(self.preview_input())

    # -- reading the form and acting --------------------------------------------------------------

    def collect(self) -> tuple[ProjectInput | None, list[Problem]]:
        """The request as typed, or the problems the form itself finds (nothing asked of the database)."""
        problems: list[Problem] = []
        club_id = self.club.chosen()
        if not isinstance(club_id, int):
            problems.append(Problem("club", "text.required", {}))
        program, year, category = self.rules_choice()
        for field, value in (("program", program), ("fiscal_year", year), ("category", category)):
            if not value:
                problems.append(Problem(field, "text.required", {}))
        state_key = self.state.chosen()
        if not isinstance(state_key, str):
            problems.append(Problem("state_key", "text.required", {}))
        municipality_key = self.municipality.chosen()
        if not isinstance(municipality_key, str):
            problems.append(Problem("municipality_key", "text.required", {}))
        cost = 0
        try:
            cost = Money.parse(self.cost.text(), field="cost").centavos
        except InputError as exc:
            problems.extend(exc.problems)
        mode: str | None = None
        amount: int | None = None
        try:
            mode, amount = parse_partner(self.partner_entry())
        except InputError as exc:
            problems.extend(exc.problems)
        mix = None
        try:
            mix = parse_override(self.override_texts())
        except InputError as exc:
            problems.extend(exc.problems)
        if problems:
            return None, problems
        assert isinstance(club_id, int) and isinstance(state_key, str) and isinstance(municipality_key, str)
        return ProjectInput(
            club_id=club_id,
            program=program,
            fiscal_year=year,
            category=category,
            state_key=state_key,
            municipality_key=municipality_key,
            name=self.name.text(),
            cost=cost,
            submitted_on=self.request_day(),
            locality=self.locality.text(),
            description=self.description.toPlainText(),
            beneficiaries=self.beneficiaries.value(),
            partner_mode=mode,
            partner_amount=amount,
            mix_override=mix,
            mix_override_reason=self.mix_reason.text() if mix is not None else "",
        ), []

    def show_problems(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        """Each problem under its field (the rest at the top); the first field with one gets the focus."""
        first = self.errors.show(problems)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def error_texts(self) -> dict[str, str]:
        """Visible problem text per field (tests and screen readers read it)."""
        return self.errors.texts()

    def save_as_draft(self) -> bool:
        """Store the request as a draft (or store the changes); True when stored and the dialog closed."""
        data, problems = self.collect()
        if data is None:
            self.show_problems(problems)
            return False
        try:
            if self._overview is None:
                detail = save_draft(self._db, data, user=current_actor().username)
            else:
                project_id = self._overview.detail.id
                before, _version = stored_request(self._db, project_id)
                detail = update_project(
                    self._db,
                    project_id,
                    data,
                    expected_version=self._overview.version,
                    user=current_actor().username,
                )
                project_edited(
                    self._db,
                    project_id,
                    detail.folio,
                    before,
                    stored_request(self._db, project_id)[0],
                    self.parentWidget(),
                )
        except InputError as exc:
            self.show_problems(exc.problems)
            return False
        except (StorageError, RuleSetError) as exc:
            show_error(self, exc)
            return False
        return self._done(detail)

    def submit(self) -> bool:
        """Take the request in as ``solicitado``; True when stored and the dialog closed."""
        data, problems = self.collect()
        if data is None:
            self.show_problems(problems)
            return False
        try:
            # Refused before anything else, with the service's own sentence: a lapsed toma de nota.
            early = club_submission_problems(self._db, data.club_id, data.submitted_on)
            if early:
                self.show_problems(early)
                return False
            if self._overview is None:
                detail = submit_project(self._db, data, user=current_actor().username)
            else:
                detail = submit_draft(
                    self._db,
                    self._overview.detail.id,
                    on=data.submitted_on,
                    user=current_actor().username,
                    data=data,
                    expected_version=self._overview.version,
                )
        except InputError as exc:
            self.show_problems(exc.problems)
            return False
        except (StorageError, RuleSetError) as exc:
            show_error(self, exc)
            return False
        return self._done(detail)

    def _done(self, detail: ProjectDetail) -> bool:
        self.errors.clear()
        self.result_detail = detail
        self.saved.emit(detail)
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, project_id: int | None = None) -> ProjectDetail | None:
        """Open the form (a new request, or the draft or returned project ``project_id``).

        Returns:
            The stored project, or None when the officer cancels (or the project cannot be edited,
            which is explained first).
        """
        try:
            dialog = cls(db, project_id, parent)
        except (InputError, StorageError, RuleSetError) as exc:
            show_error(parent, exc)
            return None
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_detail
            return None
        finally:
            dialog.deleteLater()


def bold(label: QLabel) -> QLabel:
    """``label`` in bold (headers of the form and the record)."""
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label
