"""How the project form's fields follow each other, and the live split preview.

Programme to years to categories, state to municipalities, club to toma de nota, partner, special mix.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QStyle,
)

from tresxuno.domain.allocation import CapAuthorisation
from tresxuno.domain.money import Money, convert_usd, parse_rate
from tresxuno.domain.problems import InputError
from tresxuno.domain.records import ClubInfo
from tresxuno.domain.rules import RuleBook, RuleSet
from tresxuno.domain.validation import TomaStatus, toma_status
from tresxuno.formatting import category_label, date_text, money_text, party_label, percent_number
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.places import list_municipalities
from tresxuno.services.project_requests import club_submission_problems
from tresxuno.services.projects import ProjectOverview
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.project_choices import PARTNER_CHOICES, programme_categories, programme_years
from tresxuno.ui.widgets.share_preview import PartnerEntry, PreviewInput, parse_joint_split, parse_override


class ProjectFormBehaviour:
    """Keeps the fields of :class:`~tresxuno.ui.dialogs.project.ProjectDialog` consistent as they change."""

    _db: Database
    _today: date
    _book: RuleBook
    _clubs: dict[int, ClubInfo]
    _overview: ProjectOverview | None
    _partner_touched: bool
    locality_key: QLineEdit
    _error_labels: dict[str, QLabel]
    toma_status: TomaStatus | None

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
        self.locality_key.setText(detail.locality_key)
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
        if detail.joint_split_bp is not None:
            self.joint_split.setText(percent_number(detail.joint_split_bp))
        if detail.cap_authorisations:
            first = detail.cap_authorisations[0]
            self.cap_exceeded.setChecked(True)
            self.cap_authorised_by.setText(first.authorised_by)
            self.cap_reason.setText(first.reason)
            self.cap_document.setText(first.document)

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
        self._update_joint_widgets()
        self._update_cap_widgets()

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

    def _update_joint_widgets(self) -> None:
        """The split field is open only under a rule set with a joint share and without a special mix."""
        rule_set = self.rule_set()
        joint = rule_set is not None and len(rule_set.joint) >= 2 and not self.override.isChecked()
        self.joint_split.setEnabled(joint)
        self.joint_rest.setText("")
        if joint:
            assert rule_set is not None
            total = rule_set.joint_total
            first, last = rule_set.joint[0], rule_set.joint[-1]
            self.joint_split.setPlaceholderText(percent_number(rule_set.mix_map[first]))
            try:
                typed = parse_joint_split(self.joint_split.text())
            except InputError:
                typed = None
            state = rule_set.mix_map[first] if typed is None else typed
            if 0 <= state <= total:
                self.joint_rest.setText(
                    _("{party}: {rest} % (together {total} %)").format(
                        party=party_label(last),
                        rest=percent_number(total - state),
                        total=percent_number(total),
                    )
                )
        else:
            self.joint_split.setPlaceholderText("")
        self.refresh_preview()

    def joint_split_bp(self) -> int | None:
        """The state's basis points as typed (None: empty, or no joint share under these rules).

        Raises:
            InputError: ``joint_split``: not a percentage.
        """
        if not self.joint_split.isEnabled():
            return None
        return parse_joint_split(self.joint_split.text())

    def _update_cap_widgets(self) -> None:
        """The authorisation fields open only when a cap is in force and the box is ticked."""
        rule_set, year = self.rule_set(), self.year.currentData()
        has_cap = rule_set is not None and isinstance(year, int) and bool(rule_set.caps_for(year))
        self.cap_exceeded.setEnabled(has_cap)
        on = has_cap and self.cap_exceeded.isChecked()
        for edit in (self.cap_authorised_by, self.cap_reason, self.cap_document):
            edit.setEnabled(on)
        self.refresh_preview()

    def cap_authorisations(self) -> tuple[CapAuthorisation, ...]:
        """Leave to exceed each cap in force, as typed (empty unless the box is ticked)."""
        rule_set, year = self.rule_set(), self.year.currentData()
        if rule_set is None or not isinstance(year, int) or not self.cap_exceeded.isChecked():
            return ()
        return tuple(
            CapAuthorisation(
                party, self.cap_authorised_by.text(), self.cap_reason.text(), self.cap_document.text()
            )
            for party in rule_set.caps_for(year)
        )

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
        if hasattr(self, "joint_split"):
            self._update_joint_widgets()
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
            self.joint_split.text() if self.joint_split.isEnabled() else "",
            self.cap_authorisations(),
        )

    def refresh_preview(self) -> None:
        """Hand the form's state to the preview (it recomputes after the typing pause)."""
        if hasattr(self, "preview"):
            self.preview.set_input(self.preview_input())
