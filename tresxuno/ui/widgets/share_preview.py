"""The live split preview: how a project's cost is shared among the parties, recomputed as the officer types.

The preview calls :func:`~tresxuno.services.project_requests.plan_submission` (pure, no database) 150 ms after
the last change, so typing a cost digit by digit runs one computation per pause, not per key. It shows
either numbers that match the input exactly, or the sentence that says what is wrong: never numbers
computed from an older input (while a change waits for the pause the table is greyed out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.allocation import CapAuthorisation
from tresxuno.domain.money import Money, convert_usd, parse_rate
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem, RuleSetError
from tresxuno.domain.validation import ProjectInput
from tresxuno.formatting import money_text, party_label, percent
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.project_requests import SubmissionPlan, plan_submission
from tresxuno.services.rules import parse_mix

#: Milliseconds of pause after the last change before the split is computed again.
PREVIEW_DELAY_MS = 150
#: The raw value of a cell (party id, centavos), for code and tests rather than people.
RawRole = Qt.ItemDataRole.UserRole

#: Problem fields the split depends on; other fields' problems belong to the form, not the preview.
SPLIT_FIELDS = frozenset(
    {
        "cost",
        "program",
        "category",
        "year",
        "fiscal_year",
        "mix",
        "mix_reason",
        "partner",
        "partner_amount",
        "rate",
        "joint_split",
        "cap_authorisation",
        "cap_authorised_by",
        "cap_reason",
        "cap_document",
    }
)

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class PartnerEntry:
    """The partner as chosen in a form.

    ``mode``: ``"none"``, ``"rule"`` (the rule set's percentage), ``"fixed"``, or ``""`` for the rule
    set's default. A fixed amount is typed in ``currency``; in USD it needs ``rate_text`` (MXN per USD).
    """

    mode: str = ""
    amount_text: str = ""
    currency: str = "MXN"
    rate_text: str = ""


@dataclass(frozen=True)
class PreviewInput:
    """What the split depends on, as typed (texts are parsed by the preview, with their problems)."""

    program: str
    fiscal_year: int
    category: str
    cost_text: str
    partner: PartnerEntry = field(default_factory=PartnerEntry)
    override: Mapping[str, str] | None = None  # percent typed per party id; None: the rule set's mix
    override_reason: str = ""
    joint_split_text: str = ""  # the state's percent of the joint state and municipal share; "": default
    cap_authorisations: tuple[CapAuthorisation, ...] = ()


def parse_partner(entry: PartnerEntry) -> tuple[str | None, int | None]:
    """The partner mode and fixed amount in centavos MXN (a USD amount converted at its rate).

    Raises:
        InputError: the amount or the rate is wrong (both reported together).
    """
    if entry.mode != "fixed":
        return (entry.mode or None), None
    problems: list[Problem] = []
    amount = rate = None
    if entry.amount_text.strip():
        try:
            amount = Money.parse(entry.amount_text, currency=entry.currency, field="partner_amount")
        except InputError as exc:
            problems.extend(exc.problems)
    else:
        problems.append(Problem("partner_amount", "partner.amount_required", {}))
    if entry.currency == "USD":
        try:
            rate = parse_rate(entry.rate_text, field="rate")
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    assert amount is not None
    if entry.currency == "USD":
        assert rate is not None
        amount = convert_usd(amount, rate)
    return "fixed", amount.centavos


def parse_override(texts: Mapping[str, str] | None) -> dict[Party, int] | None:
    """Percentages typed per party to basis points; an empty box counts as 0 %.

    Raises:
        InputError: a percentage that is not a number from 0 to 100 with at most two decimals.
    """
    if texts is None:
        return None
    return parse_mix({party: (text.strip() or "0") for party, text in texts.items()})


def parse_joint_split(text: str) -> int | None:
    """The state's percentage of the cost typed for the joint state and municipal share, in basis points.

    An empty box keeps the rule set's default split (None); the range is checked against the rule set.

    Raises:
        InputError: ``joint_split``: not a number from 0 to 100 with at most two decimals.
    """
    if not text.strip():
        return None
    try:
        return parse_mix({Party.STATE.value: text})[Party.STATE]
    except InputError:
        raise InputError(
            Problem("joint_split", "number.out_of_range", {"value": text, "min": 0, "max": 100})
        ) from None


def split_problems(problems: tuple[Problem, ...] | list[Problem]) -> list[Problem]:
    """The problems that concern the split (see :data:`SPLIT_FIELDS`)."""
    return [p for p in problems if p.field.split(".")[0] in SPLIT_FIELDS]


def marker_icon(kind: str, color: QColor, size: int = 16) -> QIcon:
    """A small drawn icon: a bar with an arrow stopped under it (capped) or a pin (fixed amount)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(color, 1.6)
    painter.setPen(pen)
    s = float(size)  # float ok: pixel geometry of an icon, not money
    if kind == "capped":
        painter.drawLine(QPointF(2, 2.5), QPointF(s - 2, 2.5))  # the cap
        painter.drawLine(QPointF(s / 2, s - 2), QPointF(s / 2, 5.5))  # the share rising to it
        arrow = QPainterPath(QPointF(s / 2 - 4, 9))
        arrow.lineTo(QPointF(s / 2, 5))
        arrow.lineTo(QPointF(s / 2 + 4, 9))
        painter.drawPath(arrow)
    else:
        painter.setBrush(color)
        painter.drawEllipse(QRectF(s / 2 - 4, 1.5, 8, 8))  # the pin's head
        painter.drawLine(QPointF(s / 2, 9.5), QPointF(s / 2, s - 1.5))
    painter.end()
    return QIcon(pixmap)


class ShareSplitPreview(QWidget):
    """A table of each party's share of the cost, or the sentence saying why there is none yet.

    Call :meth:`set_input` on every change in the form; the split follows after
    :data:`PREVIEW_DELAY_MS` (or at once with :meth:`recompute`). Rows: party, amount (es-MX money,
    right-aligned), percent of the cost, and a marker "capped" or "fixed" drawn as an icon beside
    its word; the last row is the total, always equal to the cost.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._input: PreviewInput | None = None
        self._plan: SubmissionPlan | None = None
        self._problems: list[Problem] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.recompute)

        self.title = QLabel(_("How the cost is shared"), self)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)

        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([_("Party"), _("Amount"), _("% of cost"), _("Note")])
        self.table.setAccessibleName(_("How the cost is shared"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do in it; Tab goes on to the buttons
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            item = self.table.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(_RIGHT)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.problem_icon = QLabel(self)
        self.problem_icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.problem_label = QLabel(self)
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_label.setAccessibleName(_("Why the shares cannot be shown"))

        numbers = QWidget(self)
        box = QVBoxLayout(numbers)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table)
        box.addWidget(self.caption)
        box.addStretch(1)
        message = QWidget(self)
        holder = QVBoxLayout(message)
        holder.setContentsMargins(0, 6, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.problem_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.problem_label, 1, Qt.AlignmentFlag.AlignTop)
        holder.addLayout(row)
        holder.addStretch(1)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(numbers)
        self.pages.addWidget(message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        self._show_message(
            _(
                "Choose the programme, fiscal year and category and enter the total cost to "
                "see how it is shared."
            ),
            hint=True,
        )

    # -- input -----------------------------------------------------------------------------------

    def set_input(self, data: PreviewInput | None) -> None:
        """Take the form's new state; the split follows after the typing pause."""
        if data == self._input and not self._timer.isActive():
            return
        self._input = data
        if self.pages.currentIndex() == 0:
            # Until the pause ends the numbers belong to the previous input: grey them out.
            self.table.setEnabled(False)
            self.caption.setText(_("Updating…"))
        self._timer.start()

    def pending(self) -> bool:
        """Whether a change waits for the typing pause (the shown state is not yet the input's)."""
        return self._timer.isActive()

    def recompute(self) -> None:
        """Compute the split for the current input now, and show it or the problems."""
        self._timer.stop()
        data = self._input
        if data is None:
            self._show_message(
                _(
                    "Choose the programme, fiscal year and category and enter the total cost "
                    "to see how it is shared."
                ),
                hint=True,
            )
            return
        if not data.cost_text.strip():
            self._show_message(_("Enter the total cost to see how it is shared."), hint=True)
            return
        problems: list[Problem] = []
        cost = None
        try:
            cost = Money.parse(data.cost_text, field="cost")
        except InputError as exc:
            problems.extend(exc.problems)
        mode: str | None = None
        amount = None
        try:
            mode, amount = parse_partner(data.partner)
        except InputError as exc:
            problems.extend(exc.problems)
        mix = None
        try:
            mix = parse_override(data.override)
        except InputError as exc:
            problems.extend(exc.problems)
        joint_split = None
        try:
            joint_split = parse_joint_split(data.joint_split_text) if mix is None else None
        except InputError as exc:
            problems.extend(exc.problems)
        if problems or cost is None:
            self._show_problems(problems)
            return
        request = ProjectInput(
            # Fields the split does not depend on get neutral values; their problems are the form's.
            club_id=0,
            program=data.program,
            fiscal_year=data.fiscal_year,
            category=data.category,
            state_key="01",
            municipality_key="01001",
            name="-",
            cost=cost.centavos,
            submitted_on=date.today(),
            partner_mode=mode,
            partner_amount=amount,
            mix_override=mix,
            mix_override_reason=data.override_reason,
            joint_split_bp=joint_split,
            cap_authorisations=data.cap_authorisations,
        )
        try:
            plan = plan_submission(request)
        except InputError as exc:
            self._show_problems(split_problems(exc.problems) or list(exc.problems))
            return
        except RuleSetError as exc:  # a broken administrator rule file: say which, never show numbers
            self._show_message(str(exc))
            return
        self._show_plan(plan)

    # -- what is shown ---------------------------------------------------------------------------

    def _show_message(self, text: str, *, hint: bool = False, problems: list[Problem] | None = None) -> None:
        self._plan = None
        self._problems = list(problems or [])
        self.table.setRowCount(0)
        pixmaps = QStyle.StandardPixmap
        icon = pixmaps.SP_MessageBoxInformation if hint else pixmaps.SP_MessageBoxWarning
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.problem_icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self.problem_label.setText(text)
        self.pages.setCurrentIndex(1)

    def _show_problems(self, problems: list[Problem]) -> None:
        lines = [describe(p) for p in problems]
        text = lines[0] if len(lines) == 1 else "\n".join(f"• {line}" for line in lines)
        self._show_message(text, problems=problems)

    def _show_plan(self, plan: SubmissionPlan) -> None:
        self._plan = plan
        self._problems = []
        alloc = plan.allocation
        self.table.setRowCount(len(alloc.shares) + 1)
        color = self.palette().color(QPalette.ColorRole.Text)
        for row, share in enumerate(alloc.shares):
            mark = "capped" if share.capped else ("fixed" if share.fixed else "")
            self._set_row(
                row, party_label(share.party), share.party.value, share.amount, share.percent_bp, mark, color
            )
        total = len(alloc.shares)
        self._set_row(total, _("Total"), "total", alloc.cost, 10_000, "", color)
        for column in range(4):
            item = self.table.item(total, column)
            if item is not None:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
        self.table.setEnabled(True)
        self.caption.setText(self._caption(plan))
        self.pages.setCurrentIndex(0)
        # Tall enough for every row: the table never scrolls for at most six lines.
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(height)

    def _set_row(
        self, row: int, label: str, party: str, amount: int, bp: int, mark: str, color: QColor
    ) -> None:
        name = QTableWidgetItem(label)
        name.setData(RawRole, party)
        money = QTableWidgetItem(money_text(amount))
        money.setData(RawRole, amount)
        money.setTextAlignment(_RIGHT)
        percent_item = QTableWidgetItem(percent(bp))
        percent_item.setData(RawRole, bp)
        percent_item.setTextAlignment(_RIGHT)
        note = QTableWidgetItem(_(mark) if mark else "")
        note.setData(RawRole, mark)
        note.setTextAlignment(_LEFT)
        if mark:
            note.setIcon(marker_icon(mark, color))
            note.setToolTip(
                _("This party pays its cap; the rest is covered by others")
                if mark == "capped"
                else _("An amount agreed in advance")
            )
        for column, item in enumerate((name, money, percent_item, note)):
            self.table.setItem(row, column, item)

    def _caption(self, plan: SubmissionPlan) -> str:
        rs = plan.rule_set
        lines = [
            _("Rule set {id} v{version} ({years}); source verified: {verified}").format(
                id=rs.id,
                version=rs.version,
                years=rs.years_label(),
                verified=_("yes") if rs.verified else _("no"),
            )
        ]
        caps = rs.caps_for(self._input.fiscal_year if self._input else rs.first_year)
        for party in plan.allocation.capped:
            lines.append(
                _("{party} is capped at {cap} per project; the excess is covered by: {who}").format(
                    party=party_label(party),
                    cap=money_text(caps[party]),
                    who=", ".join(party_label(p) for p in rs.shortfall),
                )
            )
        return "\n".join(lines)

    # -- read back (tests, and the form's summary) ------------------------------------------------

    @property
    def plan(self) -> SubmissionPlan | None:
        """The split shown now, or None while a message is shown."""
        return self._plan

    @property
    def problems(self) -> list[Problem]:
        """The problems shown now (empty while numbers or a hint are shown)."""
        return list(self._problems)

    def showing_numbers(self) -> bool:
        """Whether the table of shares (and not a message) is shown."""
        return self.pages.currentIndex() == 0 and self._plan is not None

    def message_text(self) -> str:
        """The hint or problem sentence shown instead of numbers ("" while numbers are shown)."""
        return self.problem_label.text() if self.pages.currentIndex() == 1 else ""

    def shown_amounts(self) -> dict[str, int]:
        """Centavos per party id as shown, plus ``"total"``."""
        result = {}
        for row in range(self.table.rowCount()):
            party, money = self.table.item(row, 0), self.table.item(row, 1)
            if party is not None and money is not None:
                result[str(party.data(RawRole))] = int(money.data(RawRole))
        return result

    def shown_texts(self, column: int) -> dict[str, str]:
        """The text of one column per party id (1: amount, 2: percent, 3: marker)."""
        result = {}
        for row in range(self.table.rowCount()):
            party, cell = self.table.item(row, 0), self.table.item(row, column)
            if party is not None and cell is not None:
                result[str(party.data(RawRole))] = cell.text()
        return result

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Wide enough for a party name, a large amount, a percent and a marker side by side."""
        metrics = self.fontMetrics()
        widest = money_text(99_999_999_99)
        width = sum(metrics.horizontalAdvance(t) for t in (_("Municipal"), widest, "100.00 %", _("capped")))
        return QSize(width + 120, 260)
