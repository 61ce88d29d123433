"""Renderer of the fiscal year's summary (*resumen del ejercicio fiscal*), portrait.

Page 1: the tables by party, category and programme; then a page of charts drawn with
reportlab's own graphics (money by party, projects by category, approved against received against
paid per party), each sized to the body frame; then the table by municipality, which may be long.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak, Paragraph

from tresxuno.formatting import PAYMENT_RULE, category_label, money_text, party_label, percent
from tresxuno.i18n import _, language
from tresxuno.reports.data import SummaryGroup, YearSummary
from tresxuno.reports.pdf import fmt
from tresxuno.reports.pdf.flow import Col, build_document, fields_table, fit_table, heading, keep, styles
from tresxuno.reports.pdf.fonts import BOLD, REGULAR, Measure
from tresxuno.reports.pdf.page import Footer, PageDecor, PageGeometry
from tresxuno.reports.pdf.statement import party_figure_columns

#: Series colours (approved, received, paid; and the pie's slices, in party order).
PALETTE = (
    colors.Color(0.20, 0.38, 0.60),
    colors.Color(0.40, 0.65, 0.35),
    colors.Color(0.85, 0.55, 0.20),
    colors.Color(0.60, 0.30, 0.55),
    colors.Color(0.45, 0.45, 0.45),
)
#: Chart text size (points).
CHART_SIZE = 7.5


def group_table(
    groups: Sequence[SummaryGroup], kind: str, first: str, width: float, lang: str, total: SummaryGroup | None
) -> Flowable:
    """One summary table: name, projects, approved, received, paid, refunded (and a totals row).

    ``kind`` says how a group's name is shown: ``party`` and ``category`` ids are translated,
    other groups carry their names.
    """
    m = money_text
    cols = [
        Col(first),
        Col(_("Projects"), "right", wrap=False),
        Col(_("Approved"), "right", wrap=False),
        Col(_("Received"), "right", wrap=False),
        Col(_("Paid"), "right", wrap=False),
        Col(_("Refunded"), "right", wrap=False),
    ]
    rows = [
        [
            _label(g, kind, lang),
            str(g.projects),
            m(g.approved, lang),
            m(g.received, lang),
            m(g.paid, lang),
            m(g.refunded, lang),
        ]
        for g in groups
    ]
    if total is not None:
        rows.append(
            [
                _("Total"),
                str(total.projects),
                m(total.approved, lang),
                m(total.received, lang),
                m(total.paid, lang),
                m(total.refunded, lang),
            ]
        )
    return fit_table(cols, rows, width, total_rows=1 if total is not None else 0)


def party_table(groups: Sequence[SummaryGroup], width: float, lang: str, total: SummaryGroup) -> Flowable:
    """Per party: projects, approved, deposited, paid, refunded, available, excess, to deposit; totals."""
    m = money_text
    cols = [
        Col(_("Party")),
        Col(_("Projects"), "right", wrap=False),
        Col(_("Approved"), "right", wrap=False),
        *party_figure_columns(),
    ]

    def cells(g: SummaryGroup) -> list[str]:
        figures = (g.approved, g.received, g.paid, g.refunded, g.available, g.over_received, g.outstanding)
        return [str(g.projects), *(m(v, lang) for v in figures)]

    rows = [[party_label(g.key), *cells(g)] for g in groups]
    rows.append([_("Total"), *cells(total)])
    return fit_table(cols, rows, width, total_rows=1)


def _label(g: SummaryGroup, kind: str, lang: str) -> str:
    if kind == "party":
        return party_label(g.key)
    if kind == "category":
        return category_label(g.key)
    return g.label(lang)


def millions(centavos: float, lang: str = "es") -> str:  # float ok: an axis value, never stored money
    """An axis label in millions of pesos, es-MX digits: ``$12.5 M`` (``MX$12.5 M`` in English)."""
    return f"{'MX$' if lang == 'en' else '$'}{centavos / 100_000_000:,.1f} M"


def _legend(x: float, y: float, pairs: list[tuple[colors.Color, str]], columns: int = 1) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y  # type: ignore[assignment]  # stubs say int; reportlab takes any number
    legend.fontName, legend.fontSize = REGULAR, CHART_SIZE
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.columnMaximum = max(1, -(-len(pairs) // columns))
    legend.dx, legend.dy = 7, 7
    legend.deltay = CHART_SIZE + 3  # type: ignore[assignment]  # stubs say int; reportlab takes any number
    legend.colorNamePairs = pairs
    return legend


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose default font is ours: reportlab's (Helvetica) would be declared, not embedded."""
    return Drawing(width, height, initialFontName=REGULAR, initialFontSize=CHART_SIZE)


def _title(drawing: Drawing, text: str, width: float) -> None:
    size = 9.0
    while Measure(BOLD).width(text, size) > width and size > 6:
        size -= 0.5
    drawing.add(String(0, drawing.height - size, text, fontName=BOLD, fontSize=size))


def party_pie(data: YearSummary, width: float, lang: str) -> Drawing:
    """Approved money by party: a pie, its legend naming each party with its amount and share."""
    height = 170.0
    drawing = _drawing(width, height)
    _title(drawing, _("Approved money by party"), width)
    groups = [g for g in data.by_party if g.approved > 0]
    total = sum(g.approved for g in groups) or 1
    if not groups:
        drawing.add(String(0, height / 2, _("No approved money"), fontName=REGULAR, fontSize=CHART_SIZE))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 10, 10, 130, 130
    pie.data = [g.approved / 100 for g in groups]  # float ok: pie slice proportions only
    pie.labels = None
    pie.strokeColor = colors.white
    for i in range(len(groups)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    pairs = [
        (
            PALETTE[i % len(PALETTE)],
            f"{party_label(g.key)}: {money_text(g.approved, lang)} ({percent(g.approved * 10_000 // total)})",
        )
        for i, g in enumerate(groups)
    ]
    drawing.add(_legend(165, 130, pairs))
    return drawing


def category_bars(data: YearSummary, width: float, lang: str) -> Drawing:
    """Projects by category: horizontal bars, the category names on the left."""
    groups = sorted(data.by_category, key=lambda g: -g.projects)
    labels = [category_label(g.key) for g in groups]
    label_w = max((Measure(REGULAR).width(t, CHART_SIZE) for t in labels), default=40.0) + 8
    bar_h = 16.0
    height = max(80.0, 40 + bar_h * len(groups))
    drawing = _drawing(width, height)
    _title(drawing, _("Projects by category"), width)
    if not groups:
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, 20  # type: ignore[assignment]  # stubs say int; reportlab takes any number
    chart.width, chart.height = width - label_w - 20, height - 40  # type: ignore[assignment]  # stubs say int; reportlab takes any number
    chart.data = [[g.projects for g in reversed(groups)]]
    chart.bars[0].fillColor = PALETTE[0]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = CHART_SIZE
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = CHART_SIZE
    chart.valueAxis.labelTextFormat = lambda v: f"{int(v):,}"
    top = max(g.projects for g in groups)
    chart.valueAxis.valueMax = max(1, top + max(1, top // 10))
    chart.barLabelFormat = lambda v: f"{int(v):,}"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = CHART_SIZE - 0.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def party_bars(data: YearSummary, width: float, lang: str) -> Drawing:
    """Approved against received against paid per party: grouped vertical bars, axis in millions."""
    height = 200.0
    drawing = _drawing(width, height)
    _title(drawing, _("Approved, received and paid per party (millions of pesos)"), width)
    groups = list(data.by_party)
    if not groups:
        return drawing
    chart = VerticalBarChart()
    top = max(max(g.approved, g.received, g.paid) for g in groups)
    axis_w = max(Measure(REGULAR).width(millions(top * 1.2, lang), CHART_SIZE) + 12, 40)
    chart.x, chart.y = axis_w, 45  # type: ignore[assignment]  # stubs say int; reportlab takes any number
    chart.width, chart.height = width - axis_w - 10, height - 70  # type: ignore[assignment]  # stubs say int; reportlab takes any number
    chart.data = [
        [g.approved for g in groups],
        [g.received for g in groups],
        [g.paid for g in groups],
    ]
    for i in range(3):
        chart.bars[i].fillColor = PALETTE[i]
        chart.bars[i].strokeColor = None
    chart.categoryAxis.categoryNames = [party_label(g.key) for g in groups]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = CHART_SIZE
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = CHART_SIZE
    chart.valueAxis.labelTextFormat = lambda v: millions(v, lang)
    chart.groupSpacing = 10
    drawing.add(chart)
    pairs = [(PALETTE[0], _("Approved")), (PALETTE[1], _("Received")), (PALETTE[2], _("Paid"))]
    legend = _legend(axis_w, 14, pairs, columns=3)
    legend.columnMaximum = 1
    legend.deltax = max(Measure(REGULAR).width(t, CHART_SIZE) for _c, t in pairs) + 30  # type: ignore[assignment]  # stubs say int; reportlab takes any number
    drawing.add(legend)
    return drawing


def render_summary(data: YearSummary, output: str | os.PathLike[str]) -> int:
    """Draw the year's summary into ``output`` (a PDF, written atomically).

    Returns:
        The number of pages.
    """
    code = language()
    st = styles(8.5)
    title = _("Fiscal year summary")
    scope = data.municipality_name or _("Every municipality")
    decor = PageDecor(data.letterhead, title, (_("Fiscal year {year}").format(year=data.year), scope))
    footer = Footer(data.stamp, f"{title} {data.year}")
    geometry = PageGeometry.letter(wide=False, head_height=decor.height)
    width = geometry.body_width
    total = data.total
    story: list[Flowable] = [
        fields_table(
            [
                (_("Fiscal year"), str(data.year)),
                (_("Municipality"), scope),
                (_("Projects"), str(data.projects)),
                (_("Approved"), money_text(total.approved, code)),
                (_("Received"), money_text(total.received, code)),
                (_("Paid"), money_text(total.paid, code)),
            ],
            width,
            columns=2,
        ),
        Paragraph(
            fmt.esc(
                _(
                    "Every project of the fiscal year counts, whatever its stage; approved is the share of "
                    "projects approved and not cancelled; received, paid and refunded are net of reversals. "
                    "A party's projects are those it takes part in."
                )
            ),
            st.note,
        ),
        heading(_("By party"), st),
        party_table(data.by_party, width, code, total),
        Paragraph(fmt.esc(_(PAYMENT_RULE)), st.note),
        heading(_("By category"), st),
        group_table(data.by_category, "category", _("Category"), width, code, total),
        heading(_("By programme"), st),
        group_table(data.by_program, "named", _("Programme"), width, code, total),
        PageBreak(),
        heading(_("Charts"), st),
        keep(party_pie(data, width, code)),
        keep(category_bars(data, width, code)),
        keep(party_bars(data, width, code)),
        PageBreak(),
        heading(_("By municipality"), st, keep_with_next=False),
        group_table(data.by_municipality, "named", _("Municipality"), width, code, total),
    ]
    return build_document(output, story, decor, footer, title=f"{title} {data.year}")
