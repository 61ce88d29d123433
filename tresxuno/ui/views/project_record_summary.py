"""The project record's read-only tabs: the request's data, the shares and the stage history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import RuleSetError
from tresxuno.domain.records import CapAuthorisationLine
from tresxuno.formatting import (
    category_label,
    date_text,
    local_date,
    money_text,
    party_label,
    percent,
    stage_label,
)
from tresxuno.i18n import _, language
from tresxuno.services.projects import ProjectOverview
from tresxuno.services.rules import rulebook
from tresxuno.ui.widgets.share_preview import marker_icon

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: The raw value behind a row (an attachment, a requirement id), for code and tests.
RawRole = Qt.ItemDataRole.UserRole


def cap_authorisation_text(authorisations: tuple[CapAuthorisationLine, ...]) -> str:
    """Each recorded leave to exceed a cap, one line each: party, amounts, who, document and why."""
    return "\n".join(
        _(
            "{party}: {amount}, above its cap of {cap}; authorised by {who}, document {document}; "
            "reason: {reason}"
        ).format(
            party=party_label(a.party),
            amount=money_text(a.amount),
            cap=money_text(a.cap),
            who=a.authorised_by,
            document=a.document,
            reason=a.reason,
        )
        for a in authorisations
    )


def _table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str, *, right: bool = False, raw: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(_RIGHT)
    if raw is not None:
        item.setData(RawRole, raw)
    return item


def _value(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


class RecordSummaryTabs:
    """The Data, Shares and History tabs of :class:`~tresxuno.ui.views.project_detail.ProjectRecord`."""

    overview: ProjectOverview

    def _data_tab(self) -> QWidget:
        page = QWidget(self)
        self.data_form = QFormLayout(page)
        self.data_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        # Each caption level with the first line of its value, however many lines the value wraps to.
        self.data_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.data_values: dict[str, QLabel] = {}
        for key, label in (
            ("folio", _("Folio:")),
            ("program", _("Programme:")),
            ("fiscal_year", _("Fiscal year:")),
            ("category", _("Category:")),
            ("club", _("Club:")),
            ("state", _("State:")),
            ("municipality", _("Municipality:")),
            ("locality", _("Locality:")),
            ("name", _("Name:")),
            ("description", _("Description:")),
            ("beneficiaries", _("Beneficiaries:")),
            ("cost", _("Total cost:")),
            ("partner", _("Partner:")),
            ("requested_on", _("Request date:")),
        ):
            value = _value("", page)
            value.setAccessibleName(label.rstrip(":"))
            self.data_values[key] = value
            caption = QLabel(label, page)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.data_form.addRow(caption, value)
        return page

    def _shares_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.shares_table = _table(page, [_("Party"), _("Amount"), _("% of cost"), _("Note")], _("Shares"))
        self.shares_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for column in (1, 2):
            item = self.shares_table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.shares_empty = _value("", page)
        self.rule_label = _value("", page)
        self.source_label = _value("", page)
        self.override_label = _value("", page)
        self.cap_label = _value("", page)
        box.addWidget(self.shares_table)
        box.addWidget(self.shares_empty)
        form = QFormLayout()
        form.addRow(_("Rule set:"), self.rule_label)
        form.addRow(_("Source:"), self.source_label)
        form.addRow(_("Mix:"), self.override_label)
        form.addRow(_("Cap exceeded:"), self.cap_label)
        box.addLayout(form)
        box.addStretch(1)
        return page

    def _history_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        headers = [_("Date"), _("From"), _("To"), _("User"), _("Comment")]
        self.history = _table(page, headers, _("Stage history"))
        box.addWidget(self.history)
        return page

    def _show_data(self) -> None:
        o = self.overview
        d = o.detail
        try:
            program = rulebook().programs[d.program].name(language())
        except (KeyError, RuleSetError):
            program = d.program
        partner = {"none": _("No partner"), "rule": _("By the rule set's percentage")}.get(d.partner_mode, "")
        if d.partner_mode == "fixed":
            partner = _("Fixed amount: {amount}").format(amount=money_text(d.partner_amount or 0))
        values = {
            "folio": d.folio,
            "program": program,
            "fiscal_year": str(d.fiscal_year),
            "category": category_label(d.category),
            "club": _("{club} (toma de nota {folio}, valid until {date})").format(
                club=d.club_name, folio=o.club_toma_folio, date=date_text(o.club_toma_expires_on)
            ),
            "state": f"{o.state_name} ({d.state_key})",
            "municipality": f"{o.municipality_name} ({d.municipality_key})",
            "locality": d.locality or "—",
            "name": d.name,
            "description": d.description or "—",
            "beneficiaries": f"{d.beneficiaries:,}",
            "cost": money_text(d.cost),
            "partner": partner,
            "requested_on": date_text(o.requested_on) if o.requested_on else _("Not submitted yet (draft)"),
        }
        for key, text in values.items():
            self.data_values[key].setText(text)

    def _show_shares(self) -> None:
        o = self.overview
        d = o.detail
        table = self.shares_table
        color = self.palette().text().color()
        shares = d.shares
        table.setRowCount(len(shares) + 1 if shares else 0)
        authorised = {a.party for a in d.cap_authorisations}
        for row, share in enumerate(shares):
            note = _item(_("capped") if share.capped else "", raw=share.capped)
            if share.party in authorised:
                note = _item(_("above its cap, authorised"), raw="authorised")
            if share.capped:
                note.setIcon(marker_icon("capped", color))
            for column, item in enumerate(
                (
                    _item(party_label(share.party), raw=share.party),
                    _item(money_text(share.amount), right=True, raw=share.amount),
                    _item(percent(share.percent_bp), right=True, raw=share.percent_bp),
                    note,
                )
            ):
                table.setItem(row, column, item)
        if shares:
            total = len(shares)
            for column, item in enumerate(
                (
                    _item(_("Total"), raw="total"),
                    _item(
                        money_text(sum(s.amount for s in shares)),
                        right=True,
                        raw=sum(s.amount for s in shares),
                    ),
                    _item(percent(10_000), right=True),
                    _item(""),
                )
            ):
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                table.setItem(total, column, item)
            height = table.horizontalHeader().height() + 2 * table.frameWidth()
            table.setFixedHeight(height + sum(table.rowHeight(r) for r in range(table.rowCount())))
        table.setVisible(bool(shares))
        self.shares_empty.setVisible(not shares)
        self.shares_empty.setText(
            _(
                "The shares are not computed yet: the cost is more than the capped "
                "parties and the others can cover. Edit the request to correct the cost "
                "or the mix."
            )
        )
        self.rule_label.setText(f"{d.rule_set_id} v{d.rule_set_version}")
        if o.rule_set_verified:
            mark, verified = "✓", _("verified")
        else:
            mark, verified = "⚠", _("not verified: check it against the official rules")
        self.source_label.setText(f"{mark} {verified}\n{o.rule_set_source}")
        mix_text = (
            _("Special mix; reason: {reason}").format(reason=d.mix_override_reason)
            if d.mix_override_reason
            else _("The rule set's mix")
        )
        if d.joint_split_bp is not None:
            mix_text += "\n" + _(
                "State's share as agreed in the convenio: {percent}; the municipality pays the rest of "
                "the joint share"
            ).format(percent=percent(d.joint_split_bp))
        self.override_label.setText(mix_text)
        self.cap_label.setText(cap_authorisation_text(d.cap_authorisations) or _("No"))

    def _show_history(self) -> None:
        steps = self.overview.history
        self.history.setRowCount(len(steps))
        for row, step in enumerate(steps):
            for column, item in enumerate(
                (
                    _item(date_text(local_date(step.changed_at)), raw=step.changed_at),
                    _item(stage_label(step.from_stage) if step.from_stage else "—", raw=step.from_stage),
                    _item(stage_label(step.to_stage), raw=step.to_stage),
                    _item(step.changed_by),
                    _item(step.comment),
                )
            ):
                self.history.setItem(row, column, item)
            comment = self.history.item(row, 4)
            if comment is not None:
                comment.setToolTip(step.comment)
