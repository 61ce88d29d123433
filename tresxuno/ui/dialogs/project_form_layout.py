"""The project form's layout: its groups of labelled fields, their tab order and their signals."""

from __future__ import annotations

import itertools
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from tresxuno.domain.parties import PARTY_ORDER, Party
from tresxuno.domain.records import ClubInfo
from tresxuno.domain.rules import RuleBook
from tresxuno.formatting import party_label
from tresxuno.i18n import _
from tresxuno.services.places import list_states
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.project_choices import PARTNER_CHOICES, SearchCombo, programme_names, programme_years
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.widgets.date_field import DateField

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ProjectFormLayout:
    """Builds the fields of :class:`~tresxuno.ui.dialogs.project.ProjectDialog`, group by group."""

    _db: Database
    _today: date
    _book: RuleBook
    _clubs: dict[int, ClubInfo]
    errors: FieldErrors
    _error_labels: dict[str, QLabel]
    _forms: list[QFormLayout]

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
        # The INEGI key beside the name, on the same line (the form must fit a laptop's screen).
        self.locality_key = QLineEdit(group)
        self.locality_key.setPlaceholderText(_("INEGI key (9 digits)"))
        self.locality_key.setMaxLength(9)
        self.locality_key.setAccessibleName(_("INEGI key of the locality"))
        self.locality_key.setFixedWidth(self.locality_key.fontMetrics().horizontalAdvance("0" * 22))
        line = QWidget(group)
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.locality, 1)
        row.addWidget(self.locality_key)
        line.setFocusProxy(self.locality)
        error = self._row(form, "locality", _("&Locality:"), line)
        self.errors.register("locality_key", self.locality_key, error)
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
        self.request_date = DateField(group)
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

        self._joint_rows(form, group)
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
        self._cap_rows(form, group)
        return group

    def _joint_rows(self, form: QFormLayout, group: QGroupBox) -> None:
        """The state's percentage of the joint state and municipal share (the municipality gets the rest)."""
        box = QWidget(group)
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        self.joint_split = QLineEdit(box)
        self.joint_split.setAlignment(_RIGHT)
        self.joint_split.setAccessibleName(_("State's percentage of the cost"))
        self.joint_split.setToolTip(
            _(
                "The state and the municipality pay their joint share as they agree in the convenio: "
                "type the state's percentage of the cost; the municipality pays the rest of the joint "
                "share. Leave it empty for the rule set's split."
            )
        )
        self.joint_rest = QLabel(box)
        line.addWidget(self.joint_split, 1)
        line.addWidget(self.joint_rest, 2)
        self._row(form, "joint_split", _("State's share (%):"), box)
        self.errors.register("joint_split", self.joint_split, self._error_labels["joint_split"])

    def _cap_rows(self, form: QFormLayout, group: QGroupBox) -> None:
        """Who authorised a share above its cap, why, and the oficio: without them the cap holds."""
        self.cap_exceeded = QCheckBox(_("A share above its cap, by written authorisation"), group)
        self.cap_exceeded.setToolTip(
            _(
                "Without an authorisation the capped party pays at most its cap and the other parties "
                "cover the rest; with one it pays its whole share"
            )
        )
        self._row(form, "cap_authorisation", "", self.cap_exceeded)
        self.cap_authorised_by = QLineEdit(group)
        self.cap_authorised_by.setPlaceholderText(_("e.g. name and post of the official who signed"))
        self._row(form, "cap_authorised_by", _("Authorised by:"), self.cap_authorised_by)
        self.cap_reason = QLineEdit(group)
        self._row(form, "cap_reason", _("Why the cap is exceeded:"), self.cap_reason)
        self.cap_document = QLineEdit(group)
        self.cap_document.setPlaceholderText(_("e.g. oficio number and date"))
        self._row(form, "cap_document", _("Authorisation document (oficio):"), self.cap_document)

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
            self.locality_key,
            self.name,
            self.description,
            self.beneficiaries,
            self.request_date,
            self.cost,
            self.partner,
            self.partner_amount,
            self.rate,
            self.joint_split,
            self.override,
            *self.mix.values(),
            self.mix_reason,
            self.cap_exceeded,
            self.cap_authorised_by,
            self.cap_reason,
            self.cap_document,
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
        self.joint_split.textChanged.connect(self._update_joint_widgets)
        self.cap_exceeded.toggled.connect(self._update_cap_widgets)
        for edit in (self.cap_authorised_by, self.cap_reason, self.cap_document):
            edit.textChanged.connect(self.refresh_preview)
        for edit in (*self.mix.values(), self.mix_reason):
            edit.textChanged.connect(self._update_override_widgets)
