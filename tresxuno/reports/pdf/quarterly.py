"""Renderer of the quarterly physical-financial progress report (*informe trimestral*), landscape.

Per municipality, a :class:`~tresxuno.reports.pdf.ledger_table.FastTable` of its projects (one
row per project, one line per party) ending in a bold subtotal row; then the totals per party.
The fast table keeps a year of thousands of projects to a few seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from reportlab.platypus import Flowable, Paragraph

from tresxuno.domain.goals import Goal
from tresxuno.formatting import (
    date_text,
    money_text,
    party_label,
    percent,
    progress_bp,
    quarter_title,
    stage_label,
)
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.reports.data import OfficialLine, PartyFlow, QuarterLine, QuarterlyReport
from tresxuno.reports.pdf import fmt
from tresxuno.reports.pdf.flow import (
    Col,
    SignatureBlock,
    build_document,
    cond_break,
    fields_table,
    fit_table,
    heading,
    signature_blocks,
    styles,
)
from tresxuno.reports.pdf.fonts import BOLD, REGULAR, Measure
from tresxuno.reports.pdf.ledger_table import PAD_X, PAD_Y, FastCol, FastTable, Layout, RowData, plan_layout
from tresxuno.reports.pdf.page import Footer, PageDecor, PageGeometry

#: What a long render calls after each page: (rows drawn, total rows of the current table).
PageProgress = Callable[[int, int], None]
#: Columns whose text wraps (project name, goals, stage): their cells are split to the column width.
_NAME, _GOALS, _STAGE = 1, 2, 3
#: Who signs, under each official's line, by post (the report is prepared, checked and authorised).
SIGN_CAPTIONS: dict[str, str] = {
    "titular_migrantes": N_("Prepared by"),
    "tesorero_municipal": N_("Reviewed by"),
    "presidente_municipal": N_("Authorised by"),
}


def project_columns() -> tuple[FastCol, ...]:
    """The project table's columns, headings translated."""
    return (
        FastCol(_("Folio")),
        FastCol(_("Project"), wrap=True, weight=3.0, min_width=90.0),
        FastCol(_("Goals"), wrap=True, weight=1.6, min_width=60.0),
        FastCol(_("Stage"), wrap=True, weight=1.0, min_width=50.0),
        FastCol(_("Physical progress"), "right"),
        FastCol(_("Party")),
        FastCol(_("Approved"), "right"),
        FastCol(_("Received"), "right"),
        FastCol(_("Paid"), "right"),
        FastCol(_("Financial progress"), "right"),
    )


def financial_text(paid: int, approved: int) -> str:
    """Paid as a share of approved, two decimals rounded down; "—" when nothing was approved."""
    bp = progress_bp(paid, approved)
    return "—" if bp is None else percent(bp)


def goal_lines(goals: Sequence[Goal]) -> list[str]:
    """A project's goals, one line each ("350 metros lineales"), then the people they serve."""
    if not goals:
        return ["—"]
    lines = [f"{g.quantity_text} {g.unit}" for g in goals]
    people = sum(g.beneficiaries for g in goals)
    if people:
        lines.append(
            ngettext("{count:,} beneficiary", "{count:,} beneficiaries", people).format(count=people)
        )
    return lines


def _money_lines(flows: Sequence[PartyFlow], lang: str, total: bool) -> list[list[str]]:
    """The party, approved, received and paid lines of a row (and a total line for a subtotal)."""
    m = money_text
    lines = [
        [party_label(f.party) for f in flows],
        [m(f.approved, lang) for f in flows],
        [m(f.received, lang) for f in flows],
        [m(f.paid, lang) for f in flows],
        [financial_text(f.paid, f.approved) for f in flows],
    ]
    if total or not flows:
        approved, paid = sum(f.approved for f in flows), sum(f.paid for f in flows)
        lines[0].append(_("Total"))
        lines[1].append(m(approved, lang))
        lines[2].append(m(sum(f.received for f in flows), lang))
        lines[3].append(m(paid, lang))
        lines[4].append(financial_text(paid, approved))
    return lines


def project_cells(line: QuarterLine, lang: str) -> list[list[str]]:
    """A project's cells, each a list of lines (the project and stage not yet wrapped)."""
    progress = "—" if line.percent_tenths is None else percent(line.percent_tenths * 10, decimals=1)
    money = _money_lines(line.money, lang, False)
    return [[line.folio], [line.name], goal_lines(line.goals), [stage_label(line.stage)], [progress], *money]


def block_table(
    rows: list[list[list[str]]], bold: set[int], layout: Layout, on_page: PageProgress | None
) -> FastTable:
    """Wrap the text columns to the layout and measure each row once (as ``prepare_rows`` does)."""
    regular = Measure(REGULAR)
    cells: list[list[list[str]]] = []
    heights: list[float] = []
    for row in rows:
        split = list(row)
        for i in (_NAME, _GOALS, _STAGE):
            split[i] = [
                piece
                for text in row[i]
                for piece in regular.split(text, layout.widths[i] - 2 * PAD_X, layout.size)
            ]
        cells.append(split)
        heights.append(max(len(c) for c in split) * layout.leading + 2 * PAD_Y)
    data = RowData(cells, heights, [""] * len(cells), frozenset(bold))
    return FastTable(project_columns(), data, layout, on_page=on_page)


def plan_table(rows: list[list[list[str]]], bold_rows: Sequence[int], width: float) -> Layout:
    """One layout for every municipality's table (their columns line up), wide enough for bold subtotals.

    :func:`plan_layout` measures one line per cell in the regular font; each line is given to it as
    a row of its own, and the fixed columns are then widened for the bold subtotal lines, taken
    from the project column.
    """
    cols = project_columns()
    measured = [[c[min(k, len(c) - 1)] for c in row] for row in rows for k in range(max(len(c) for c in row))]
    layout = plan_layout(cols, measured, width, size=7.0)
    bold = Measure(BOLD)
    widths = list(layout.widths)
    for i, col in enumerate(cols):
        if col.wrap or layout.wrap[i]:
            continue
        need = max((bold.width(line, layout.size) for r in bold_rows for line in rows[r][i]), default=0.0)
        extra = need + 2 * PAD_X + 0.5 - widths[i]
        if extra > 0 and widths[_NAME] - extra >= 40.0:
            widths[i] += extra
            widths[_NAME] -= extra
    return Layout(tuple(widths), layout.size, layout.leading, layout.wrap)


def count_text(name: str, count: int) -> str:
    """The subtotal row's label, as in "Jerez, Zacatecas: 12 projects"."""
    text = ngettext("{name}: {count} project", "{name}: {count} projects", count)
    return text.format(name=name, count=count)


def render_quarterly(
    data: QuarterlyReport, output: str | os.PathLike[str], *, on_page: PageProgress | None = None
) -> int:
    """Draw the quarterly progress report into ``output`` (a PDF, written atomically).

    Args:
        data: the report from :func:`~tresxuno.services.reporting.quarterly.build_quarterly`.
        output: the PDF file to write.
        on_page: called after each page of a project table; raising in it (a cancel) aborts.

    Returns:
        The number of pages.
    """
    code = language()
    st = styles(8.5)
    title = _("Quarterly physical-financial progress report")
    quarter = quarter_title(data.quarter, data.year)
    period = _("{quarter}: {first} to {last}").format(
        quarter=quarter,
        first=date_text(data.first_day, code, style="short"),
        last=date_text(data.last_day, code, style="short"),
    )
    scope = data.municipality_name or _("Every municipality")
    decor = PageDecor(data.letterhead, title, (period, scope), wide=True)
    footer = Footer(data.stamp, f"{title} — {quarter}")
    geometry = PageGeometry.letter(wide=True, head_height=decor.height)
    width = geometry.body_width
    story: list[Flowable] = [
        fields_table(
            [
                (_("Fiscal year"), str(data.year)),
                (_("Quarter"), period),
                (_("Municipality"), scope),
                (_("Projects"), str(data.project_count)),
                (_("Municipalities"), str(len(data.blocks))),
                (_("Figures as of"), date_text(data.last_day, code, style="long")),
            ],
            width,
            columns=2,
        ),
        Paragraph(
            fmt.esc(
                _(
                    "Projects of the fiscal year approved or later (not cancelled) at the quarter's end. "
                    "Stage and physical progress as of the quarter's end (— : no progress reported yet); "
                    "money received and paid from entries dated up to that day, net of reversals. Goals as "
                    "agreed in the convenio. Financial progress: paid as a share of the approved amount, "
                    "rounded down."
                )
            ),
            st.note,
        ),
    ]
    all_rows: list[list[list[str]]] = []
    per_block: list[tuple[int, int]] = []
    for block in data.blocks:
        start = len(all_rows)
        all_rows += [project_cells(p, code) for p in block.projects]
        subtotal = [
            [_("Subtotal")],
            [count_text(block.name, len(block.projects))],
            [""],
            [""],
            [""],
            *_money_lines(block.totals, code, True),
        ]
        all_rows.append(subtotal)
        per_block.append((start, len(all_rows)))
    if data.blocks:
        # One layout for every municipality, so the columns line up from table to table.
        layout = plan_table(all_rows, [stop - 1 for _start, stop in per_block], width)
        for block, (start, stop) in zip(data.blocks, per_block, strict=True):
            rows = all_rows[start:stop]
            story += [
                cond_break(90),
                heading(f"{block.name} ({block.key})", st, keep_with_next=False),
                block_table(rows, {len(rows) - 1}, layout, on_page),
            ]
    else:
        story.append(Paragraph(fmt.esc(_("No project was active in this quarter.")), st.body))
    story += [heading(_("Totals per party"), st), totals_table(data.totals, width, code)]
    story += signatures(data.signatories, width)
    return build_document(output, story, decor, footer, wide=True, title=f"{title} {data.year}", stream=True)


def signatures(officials: Sequence[OfficialLine], width: float) -> list[Flowable]:
    """The officials' blocks side by side, kept together: name (blank when the post was vacant), post, role."""
    if not officials:
        return []
    blocks = [
        SignatureBlock(o.name, o.title or o.post_label, _(SIGN_CAPTIONS.get(o.post, o.post_label)))
        for o in officials
    ]
    return [cond_break(110), *signature_blocks(blocks, width * 0.9, per_row=len(blocks))]


def totals_table(totals: Sequence[PartyFlow], width: float, lang: str) -> Flowable:
    """Per party: approved, received and paid up to the quarter's end, with a totals row."""
    m = money_text
    rows = [
        [
            party_label(f.party),
            m(f.approved, lang),
            m(f.received, lang),
            m(f.paid, lang),
            financial_text(f.paid, f.approved),
        ]
        for f in totals
    ]
    approved, paid = sum(f.approved for f in totals), sum(f.paid for f in totals)
    rows.append(
        [
            _("Total"),
            m(approved, lang),
            m(sum(f.received for f in totals), lang),
            m(paid, lang),
            financial_text(paid, approved),
        ]
    )
    cols = [
        Col(_("Party")),
        Col(_("Approved"), "right", wrap=False),
        Col(_("Received"), "right", wrap=False),
        Col(_("Paid"), "right", wrap=False),
        Col(_("Financial progress"), "right", wrap=False),
    ]
    return fit_table(cols, rows, width * 0.7, total_rows=1)
