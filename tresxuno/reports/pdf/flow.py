"""Platypus building blocks shared by the reports: styles, tables that never cut a column, signatures.

:func:`fit_table` is the rule "no column is ever cut off" in one place: columns that must not wrap
(amounts, dates, percents) get their measured width, text columns share what is left and wrap
(words too long for a line are split); if the fixed columns do not fit, the whole table is drawn
smaller, down to :data:`MIN_SIZE`, and past that even fixed columns wrap rather than overflow.
:func:`build_document` lays a story out on letter pages with the letterhead and numbered footer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from tresxuno.reports.pdf.fmt import esc
from tresxuno.reports.pdf.fonts import BOLD, ITALIC, REGULAR, Measure, register_fonts
from tresxuno.reports.pdf.page import (
    Footer,
    NumberedCanvas,
    PageDecor,
    PageGeometry,
    StreamingCanvas,
    atomic_output,
)

#: Smallest font a table shrinks to before its fixed columns start wrapping.
MIN_SIZE = 6.0
#: Cell padding (points) left and right, and above and below.
PAD_X, PAD_Y = 3.0, 2.0
HEADER_FILL = colors.Color(0.88, 0.90, 0.93)
TOTAL_FILL = colors.Color(0.95, 0.95, 0.95)
GRID = colors.Color(0.6, 0.6, 0.6)
_ALIGN: dict[str, Literal[0, 1, 2]] = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of a report (DejaVu, embedded)."""

    body: ParagraphStyle
    small: ParagraphStyle
    heading: ParagraphStyle
    clause: ParagraphStyle
    note: ParagraphStyle
    center: ParagraphStyle


def styles(size: float = 9.0) -> Styles:
    """Styles for body text of ``size`` points."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=size, leading=size * 1.3)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=size - 1.5, leading=(size - 1.5) * 1.3),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=size + 2,
            leading=(size + 2) * 1.3,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        clause=ParagraphStyle(
            "clause",
            parent=body,
            alignment=4,
            spaceAfter=4,  # 4 = justified
        ),
        note=ParagraphStyle(
            "note", parent=body, fontName=ITALIC, fontSize=size - 1.5, leading=(size - 1.5) * 1.3
        ),
        center=ParagraphStyle("center", parent=body, alignment=TA_CENTER),
    )


@dataclass(frozen=True)
class Col:
    """A column of :func:`fit_table`.

    Attributes:
        header: the column's heading (wraps at spaces).
        align: ``left``, ``right`` (amounts: always right) or ``center``.
        wrap: whether the cells may wrap; False for amounts, dates, percents, folios.
        weight: share of the spare width among wrapping columns.
        min_width: narrowest a wrapping column may get (points).
    """

    header: str
    align: str = "left"
    wrap: bool = True
    weight: float = 1.0
    min_width: float = 40.0


def heading(text: str, st: Styles, *, keep_with_next: bool = True) -> Flowable:
    """A section heading, kept with what follows it.

    With ``keep_with_next=False`` it is not: for a heading over a long table that splits itself
    (platypus would otherwise push the whole table to the next page whenever it fits on one); put
    a :func:`cond_break` before it instead.
    """
    if keep_with_next:
        return Paragraph(esc(text), st.heading)
    return Paragraph(esc(text), ParagraphStyle("heading-loose", parent=st.heading, keepWithNext=0))


def column_widths(
    cols: Sequence[Col], rows: Sequence[Sequence[str]], width: float, size: float
) -> list[float] | None:
    """Widths of the columns at font ``size``, or None when the fixed columns do not fit in ``width``.

    Every column first gets its minimum: a fixed (non-wrapping) column its widest cell (measured
    in bold, as totals rows are) and the longest word of its heading; a wrapping column its
    ``min_width`` and the longest heading word. What is left goes, in turn, to fixed columns
    whose heading would otherwise wrap, to wrapping columns (by weight, never beyond what their
    longest text needs), and finally to the wrapping columns by weight (to all evenly when none
    wraps), so the table spans ``width``.
    """
    regular, bold = Measure(REGULAR), Measure(BOLD)
    pad = 2 * PAD_X + 0.5
    minimum: list[float] = []
    heading_full: list[float] = []
    natural: list[float] = []
    for i, col in enumerate(cols):
        words = max((bold.width(w, size) for w in col.header.split()), default=0.0) + pad
        heading_full.append(bold.width(col.header, size) + pad)
        if col.wrap:
            minimum.append(max(col.min_width, words))
            longest = max((regular.width(r[i], size) for r in rows), default=0.0) + pad
            natural.append(max(longest, heading_full[i]))
        else:
            cells = max((bold.width(r[i], size) for r in rows), default=0.0) + pad
            minimum.append(max(cells, words))
            natural.append(max(cells, heading_full[i]))
    widths = list(minimum)
    spare = width - sum(widths)
    if spare < 0:
        return None

    def grow(indices: list[int], target: list[float], weights: list[float]) -> None:
        nonlocal spare
        open_ = [i for i in indices if target[i] > widths[i]]
        while open_ and spare > 1e-6:
            total = sum(weights[i] for i in open_)
            share = {i: spare * weights[i] / total for i in open_}
            done = [i for i in open_ if target[i] - widths[i] <= share[i]]
            if not done:
                for i in open_:
                    widths[i] += share[i]
                spare = 0.0
                return
            for i in done:
                spare -= target[i] - widths[i]
                widths[i] = target[i]
                open_.remove(i)

    fixed = [i for i, c in enumerate(cols) if not c.wrap]
    wrapping = [i for i, c in enumerate(cols) if c.wrap]
    grow(fixed, heading_full, [1.0] * len(cols))
    grow(wrapping, natural, [c.weight for c in cols])
    if spare > 0 and wrapping:
        # Text columns take the rest: figures stay compact beside their labels.
        total = sum(cols[i].weight for i in wrapping)
        for i in wrapping:
            widths[i] += spare * cols[i].weight / total
    elif spare > 0:
        widths = [w + spare / len(widths) for w in widths]
    return widths


def fit_table(
    cols: Sequence[Col],
    rows: Sequence[Sequence[str]],
    width: float,
    *,
    size: float = 8.0,
    total_rows: int = 0,
    header: bool = True,
) -> Table:
    """A table of plain-text cells that fits ``width`` without ever cutting a column off.

    Args:
        cols: the columns.
        rows: the cells as text (already formatted); escaped here.
        width: the frame width available.
        size: the preferred font size; lowered in 0.5 pt steps down to :data:`MIN_SIZE` until the
            fixed columns fit.
        total_rows: how many rows at the end are totals (bold, shaded).
        header: draw the header row (repeated on every page the table spans).
    """
    register_fonts()
    current = size
    widths = column_widths(cols, rows, width, current)
    while widths is None and current > MIN_SIZE:
        current -= 0.5
        widths = column_widths(cols, rows, width, current)
    if widths is None:
        # Even the smallest font is too wide: let every column wrap, in proportion to its text.
        loose = [Col(c.header, c.align, True, 1.0, 10.0) for c in cols]
        widths = column_widths(loose, rows, width, current) or [width / len(cols)] * len(cols)
    leading = current * 1.22
    cell = {
        a: ParagraphStyle(
            f"cell-{a}", fontName=REGULAR, fontSize=current, leading=leading, alignment=_ALIGN[a]
        )
        for a in _ALIGN
    }
    bold = {a: ParagraphStyle(f"bold-{a}", parent=cell[a], fontName=BOLD) for a in _ALIGN}
    data: list[list[Flowable]] = []
    if header:
        data.append([Paragraph(esc(c.header), bold[c.align]) for c in cols])
    first_total = len(rows) - total_rows
    for r, row in enumerate(rows):
        look = bold if r >= first_total else cell
        data.append([Paragraph(esc(text), look[c.align]) for text, c in zip(row, cols, strict=True)])
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, current),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    if total_rows:
        start = first_total + (1 if header else 0)
        commands.append(("BACKGROUND", (0, start), (-1, -1), TOTAL_FILL))
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle(commands))
    return table


def fields_table(
    pairs: Sequence[tuple[str, str]], width: float, *, columns: int = 2, size: float = 8.5
) -> Table:
    """Label / value pairs in ``columns`` side-by-side groups; labels bold, values wrap.

    An empty value prints as a dash, so a blank field is visibly blank rather than missing.
    """
    register_fonts()
    label_style = ParagraphStyle("label", fontName=BOLD, fontSize=size, leading=size * 1.25)
    value_style = ParagraphStyle("value", fontName=REGULAR, fontSize=size, leading=size * 1.25)
    bold = Measure(BOLD)
    group = width / columns
    # The label column is as wide as the longest label word (so no label word splits), at most 40 %.
    label_w = min(
        group * 0.4,
        max((bold.width(w, size) for label, _v in pairs for w in label.split()), default=0.0) + 2 * PAD_X,
    )
    label_w = max(label_w, group * 0.28)
    rows: list[list[Flowable | str]] = []
    for start in range(0, len(pairs), columns):
        row: list[Flowable | str] = []
        for label, value in pairs[start : start + columns]:
            row += [Paragraph(esc(label), label_style), Paragraph(esc(value or "—"), value_style)]
        while len(row) < 2 * columns:
            row += ["", ""]
        rows.append(row)
    widths = [label_w, group - label_w] * columns
    table = Table(rows, colWidths=widths, hAlign="LEFT", splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, size),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.Color(0.8, 0.8, 0.8)),
            ]
        )
    )
    return table


@dataclass(frozen=True)
class SignatureBlock:
    """One place to sign: the signer's name (blank for a handwritten one), role, and whom they sign for."""

    name: str
    role: str
    body: str


def signature_blocks(
    blocks: Sequence[SignatureBlock], width: float, *, per_row: int = 2, space: float = 42.0
) -> list[Flowable]:
    """Signature blocks, ``per_row`` side by side (a short last row centred): space, line, name, role, body.

    Each row is one table row, so a signature is never separated from its caption by a page break.
    """
    register_fonts()
    st = styles(8.5)
    name_style = ParagraphStyle("sig-name", parent=st.center, fontName=BOLD)
    cell_w = width / per_row

    def block(b: SignatureBlock) -> list[Flowable]:
        parts: list[Flowable] = [Spacer(1, space), _Line(cell_w - 24)]
        parts.append(Paragraph(esc(b.name) if b.name else "&nbsp;", name_style))
        if b.role:
            parts.append(Paragraph(esc(b.role), st.center))
        parts.append(Paragraph(esc(b.body), st.center))
        return parts

    rows: list[Flowable] = []
    for start in range(0, len(blocks), per_row):
        chunk = [block(b) for b in blocks[start : start + per_row]]
        table = Table([chunk], colWidths=[cell_w] * len(chunk), hAlign="CENTER")
        table.setStyle(
            TableStyle(
                [
                    # Tables set each cell's font even around flowables: ours, never Helvetica.
                    ("FONT", (0, 0), (-1, -1), REGULAR, 8.5),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 12),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        rows.append(table)
    return rows


class _Line(Flowable):
    """A horizontal line to sign on, centred in its cell."""

    def __init__(self, width: float):
        super().__init__()
        self.line_width = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.avail = available_width
        return available_width, 3.0

    def draw(self) -> None:
        offset = max(0.0, (self.avail - self.line_width) / 2)
        self.canv.setLineWidth(0.6)
        self.canv.line(offset, 2.0, offset + min(self.line_width, self.avail), 2.0)


def keep(*flowables: Flowable) -> Flowable:
    """Keep ``flowables`` on one page when they fit on one."""
    return KeepTogether(list(flowables))


def build_document(
    output: str | os.PathLike[str],
    story: list[Flowable],
    decor: PageDecor,
    footer: Footer,
    *,
    wide: bool = False,
    title: str = "",
    stream: bool = False,
) -> int:
    """Lay ``story`` out on letter pages (landscape when ``wide``) and write the PDF atomically.

    Every page gets the letterhead band (``decor``) and the footer with "Page N of M". With
    ``stream``, finished pages are compressed and let go at once (:class:`StreamingCanvas`): for
    reports of thousands of pages.

    Returns:
        The number of pages written.
    """
    register_fonts()
    geometry = PageGeometry.letter(wide=wide, head_height=decor.height)
    canvases: list[NumberedCanvas | StreamingCanvas] = []

    def on_page(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        decor.draw(canvas, geometry.width, geometry.height)

    def make_canvas(*args: Any, **kwargs: Any) -> NumberedCanvas | StreamingCanvas:
        canvas = (StreamingCanvas if stream else NumberedCanvas)(*args, footer=footer, **kwargs)
        canvases.append(canvas)
        return canvas

    with atomic_output(output) as temp:
        doc = BaseDocTemplate(
            str(temp),
            pagesize=geometry.size,
            leftMargin=geometry.body_left,
            rightMargin=geometry.body_left,
            topMargin=geometry.height - geometry.body_top,
            bottomMargin=geometry.body_bottom,
            title=title,
            author=footer.printed_by,
            creator="tresxuno",
            pageCompression=1,
        )
        frame = Frame(
            geometry.body_left,
            geometry.body_bottom,
            geometry.body_width,
            geometry.body_height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
        doc.build(story, canvasmaker=make_canvas)
    return canvases[-1].page_count if canvases else 0


def cond_break(height: float) -> Flowable:
    """Start a new page unless ``height`` points are left on this one."""
    return CondPageBreak(height)
