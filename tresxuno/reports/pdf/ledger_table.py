"""A long table drawn straight on the canvas, page by page: the statement's movements, fast at 10,000 rows.

A platypus ``Table`` builds a Paragraph (or at least a cell object) per cell and measures every cell
again on every page; for thousands of rows that dominates the run. :class:`FastTable` instead takes
plain strings, measures each once with a cached per-character width table
(:class:`~tresxuno.reports.pdf.fonts.Measure`), fixes the column widths once, breaks only the
wrapping columns into lines with a greedy width-based splitter, and precomputes every row's height
and their running sums. Splitting at a page break is then a binary search, and drawing a page is one
text object (one ``Tm`` and one ``Tj`` per cell) and one path for the rules.

It is a platypus ``Flowable`` all the same, so it flows after other content (the statement's summary)
and its pages get the letterhead and numbered footer like any report. Rows never split across pages
unless a single row is taller than a whole page (a 4,000-character concept); such a row is cut
into continuation rows beforehand. Every continued page repeats the header and starts with a
"brought forward" line carrying the balance of the last row on the previous page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from reportlab.platypus import Flowable

from tresxuno.reports.pdf.fonts import BOLD, REGULAR, Measure, register_fonts

#: Smallest size the table shrinks to before wrapping columns get narrower than their minimum.
MIN_SIZE = 5.5
PAD_X, PAD_Y = 2.5, 1.6
GRID_GREY = (0.65, 0.65, 0.65)
HEADER_FILL = (0.88, 0.90, 0.93)
CARRY_FILL = (0.95, 0.95, 0.95)


@dataclass(frozen=True)
class FastCol:
    """A column of :class:`FastTable`: heading, alignment, and whether (and how much) it wraps.

    ``weight`` shares the width left by the fixed columns among wrapping ones; ``min_width`` is
    the narrowest a wrapping column may get before the whole table is drawn smaller. A
    ``prefer_whole`` wrapping column (references, UUIDs: text without spaces to break at) is served
    first, up to its widest line, as long as the other wrapping columns keep their minimum.
    """

    header: str
    align: str = "left"
    wrap: bool = False
    weight: float = 1.0
    min_width: float = 60.0
    prefer_whole: bool = False


@dataclass(frozen=True)
class Layout:
    """Column widths, font size and line height decided for a table and a frame width.

    ``wrap`` says which columns break their text into lines: the wrapping columns, or every
    column when even the smallest font leaves no room for the fixed ones.
    """

    widths: tuple[float, ...]
    size: float
    leading: float
    wrap: tuple[bool, ...] = ()


class RowData:
    """The table's rows, prepared once: cell lines, row heights and their running sums.

    Attributes:
        cells: per row, per column, the lines of text (fixed columns: one line).
        heights: per row, its height in points.
        offsets: ``offsets[i]`` is the sum of ``heights[:i]`` (length rows + 1).
        carry: per row, the amount brought forward to a page starting at that row.
        bold: rows drawn bold on a light band (subtotals); their widths must be measured in bold.
    """

    def __init__(
        self,
        cells: list[list[list[str]]],
        heights: list[float],
        carry: list[str],
        bold: frozenset[int] = frozenset(),
    ):
        self.cells = cells
        self.heights = heights
        self.offsets = [0.0, *accumulate(heights)]
        self.carry = carry
        self.bold = bold


def plan_layout(
    cols: Sequence[FastCol],
    rows: Sequence[Sequence[str]],
    width: float,
    *,
    size: float = 7.0,
) -> Layout:
    """Decide the column widths and font size so that no column is ever cut off.

    Fixed columns are as wide as their widest cell (or the longest word of the heading) plus
    padding; wrapping columns share the rest by weight, none narrower than its ``min_width`` and
    none wider than its widest cell needs (what it gives up goes to the others). When the fixed
    columns leave too little, the font shrinks in 0.5 pt steps down to :data:`MIN_SIZE`; below
    that the wrapping columns just get narrower (their text still wraps, never clips), and if the
    fixed columns alone are wider than ``width`` every column wraps, in proportion to its need.
    """
    register_fonts()
    regular, bold = Measure(REGULAR), Measure(BOLD)
    current = size
    while True:
        fixed: list[float] = []
        natural: list[float] = []
        for i, col in enumerate(cols):
            head = max((bold.width(w, current) for w in col.header.split()), default=0.0)
            if col.wrap:
                widest = max(
                    (regular.width(line, current) for r in rows for line in r[i].split("\n")), default=0.0
                )
                fixed.append(0.0)
                natural.append(max(widest, head) + 2 * PAD_X + 0.5)
            else:
                # Distinct values only: amounts and dates repeat, and measuring is the cost here.
                widest = max((regular.width(v, current) for v in {r[i] for r in rows}), default=0.0)
                fixed.append(max(widest, head) + 2 * PAD_X + 0.5)
                natural.append(0.0)
        spare = width - sum(fixed)
        wrapping = [i for i, c in enumerate(cols) if c.wrap]
        need = sum(cols[i].min_width for i in wrapping)
        if spare >= need or current <= MIN_SIZE:
            break
        current -= 0.5
    leading = round(current * 1.22, 2)
    if spare < 0:
        # Even the smallest type is too wide: every column wraps rather than run off the page.
        needs = [f if not c.wrap else c.min_width for f, c in zip(fixed, cols, strict=True)]
        scale = width / sum(needs)
        return Layout(tuple(n * scale for n in needs), current, leading, (True,) * len(cols))
    widths = list(fixed)
    open_cols = list(wrapping)
    for i in [i for i in wrapping if cols[i].prefer_whole]:
        others = sum(cols[j].min_width for j in open_cols if j != i)
        give = min(natural[i], spare - others)
        if give >= cols[i].min_width:
            widths[i] = give
            spare -= give
            open_cols.remove(i)
    # Share the spare width by weight; a column that needs less than its share gives the rest back.
    while open_cols:
        total_weight = sum(cols[i].weight for i in open_cols)
        share = {i: spare * cols[i].weight / total_weight for i in open_cols}
        capped = [i for i in open_cols if natural[i] <= share[i]]
        if not capped:
            for i in open_cols:
                widths[i] = share[i]
            break
        for i in capped:
            widths[i] = natural[i]
            spare -= natural[i]
            open_cols.remove(i)
    if not wrapping and spare > 0:
        widths = [w + spare / len(widths) for w in widths]
    elif wrapping and sum(widths) < width:
        # Every wrapping column got all it needs: give the leftover to the first one, to span the frame.
        widths[wrapping[0]] += width - sum(widths)
    return Layout(tuple(widths), current, leading, tuple(c.wrap for c in cols))


def prepare_rows(
    cols: Sequence[FastCol],
    rows: Sequence[Sequence[str]],
    layout: Layout,
    carry: Sequence[str],
    *,
    max_lines: int,
) -> RowData:
    """Split the wrapping cells into lines and measure every row, once.

    A row of more than ``max_lines`` lines (taller than a page) is cut into several rows; the
    continuation rows repeat nothing but the wrapped text, and carry the same "brought forward"
    text as the row they continue.
    """
    regular = Measure(REGULAR)
    wraps = layout.wrap or tuple(c.wrap for c in cols)
    wrap_cols = [(i, layout.widths[i] - 2 * PAD_X) for i in range(len(cols)) if wraps[i]]
    size, leading = layout.size, layout.leading
    cells: list[list[list[str]]] = []
    heights: list[float] = []
    carried: list[str] = []
    n = len(cols)
    for row, forward in zip(rows, carry, strict=True):
        split = [[text] for text in row]
        lines = 1
        for i, inner in wrap_cols:
            split[i] = regular.split(row[i], inner, size)
            lines = max(lines, len(split[i]))
        if lines <= max_lines:
            cells.append(split)
            heights.append(lines * leading + 2 * PAD_Y)
            carried.append(forward)
            continue
        for start in range(0, lines, max_lines):
            part = [
                (split[i][start : start + max_lines] if wraps[i] else (split[i] if start == 0 else []))
                or [""]
                for i in range(n)
            ]
            count = max(len(p) for p in part)
            cells.append(part)
            heights.append(count * leading + 2 * PAD_Y)
            carried.append(forward)
    return RowData(cells, heights, carried)


class FastTable(Flowable):
    """A long table of plain strings drawn directly on the canvas (see the module docstring).

    Args:
        cols: the columns.
        data: the prepared rows (:func:`prepare_rows`), shared by every piece of a split table.
        layout: the widths and font size (:func:`plan_layout`).
        start, stop: the rows this piece draws.
        on_page: called with (rows drawn so far, total rows) after each piece is drawn: progress
            and cancel checks (raising there aborts the document).
        carry_label: the label of the "brought forward" line that starts every continued page.
        carry_col: the column the brought-forward amount is drawn in (right-aligned).
        first: whether this piece starts the table (no brought-forward line).
    """

    def __init__(
        self,
        cols: Sequence[FastCol],
        data: RowData,
        layout: Layout,
        *,
        start: int = 0,
        stop: int | None = None,
        on_page: Callable[[int, int], None] | None = None,
        carry_label: str = "",
        carry_col: int = -1,
        first: bool = True,
    ):
        super().__init__()
        self.cols = tuple(cols)
        self.data = data
        self.layout = layout
        self.start = start
        self.stop = len(data.heights) if stop is None else stop
        self.on_page = on_page
        self.carry_label = carry_label
        self.carry_col = carry_col % len(self.cols)
        self.first = first
        bold = Measure(BOLD)
        self.header_lines = [
            bold.split(c.header, w - 2 * PAD_X, layout.size) for c, w in zip(cols, layout.widths, strict=True)
        ]
        self.header_height = max(len(h) for h in self.header_lines) * layout.leading + 2 * PAD_Y
        self.carry_height = layout.leading + 2 * PAD_Y
        self.table_width = sum(layout.widths)

    @property
    def _carry_text(self) -> str:
        return "" if self.first else self.data.carry[self.start]

    def _top_height(self) -> float:
        return self.header_height + (self.carry_height if self._carry_text else 0.0)

    def _rows_height(self, start: int, stop: int) -> float:
        return self.data.offsets[stop] - self.data.offsets[start]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Full height of the rows left (platypus then splits when it does not fit)."""
        return self.table_width, self._top_height() + self._rows_height(self.start, self.stop)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Split into this page's rows and the rest; [] when not even one row fits (try the next page)."""
        room = available_height - self._top_height()
        offsets = self.data.offsets
        # The last row index whose bottom is within the room: one binary search.
        end = bisect_right(offsets, offsets[self.start] + room + 1e-6, lo=self.start) - 1
        end = min(end, self.stop)
        if end <= self.start:
            return []
        return [self._piece(self.start, end, self.first), self._piece(end, self.stop, False)]

    def _piece(self, start: int, stop: int, first: bool) -> FastTable:
        return FastTable(
            self.cols,
            self.data,
            self.layout,
            start=start,
            stop=stop,
            on_page=self.on_page,
            carry_label=self.carry_label,
            carry_col=self.carry_col,
            first=first,
        )

    def draw(self) -> None:
        """Draw the header, the brought-forward line and this piece's rows at the frame's position."""
        canvas = self.canv
        layout = self.layout
        widths = layout.widths
        size, leading = layout.size, layout.leading
        xs = [0.0, *accumulate(widths)]
        total_height = self._top_height() + self._rows_height(self.start, self.stop)
        top = total_height  # the flowable's origin is its bottom-left corner
        canvas.saveState()
        # Header background and the brought-forward band.
        canvas.setFillColorRGB(*HEADER_FILL)
        canvas.rect(0, top - self.header_height, self.table_width, self.header_height, stroke=0, fill=1)
        carry = self._carry_text
        if carry:
            canvas.setFillColorRGB(*CARRY_FILL)
            canvas.rect(0, top - self._top_height(), self.table_width, self.carry_height, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        text = canvas.beginText()
        ascent = size * 0.76  # baseline below the top of a line: DejaVu's ascender, near enough

        def put(lines: Sequence[str], col: int, y_top: float, font_widths: Measure) -> None:
            align = self.cols[col].align
            left, right = xs[col] + PAD_X, xs[col + 1] - PAD_X
            y = y_top - PAD_Y - ascent
            for line in lines:
                if line:
                    if align == "right":
                        x = right - font_widths.width(line, size)
                    elif align == "center":
                        x = (left + right - font_widths.width(line, size)) / 2
                    else:
                        x = left
                    text.setTextOrigin(x, y)
                    text.textLine(line)
                y -= leading

        bold, regular = Measure(BOLD), Measure(REGULAR)
        text.setFont(BOLD, size, leading)
        for col, lines in enumerate(self.header_lines):
            put(lines, col, top, bold)
        y = top - self.header_height
        if carry:
            # The label runs from the left edge; the amount sits in its column, right-aligned.
            text.setTextOrigin(xs[0] + PAD_X, y - PAD_Y - ascent)
            text.textLine(self.carry_label)
            # In the regular font, like the balances above it, so it fits the column they sized.
            text.setFont(REGULAR, size, leading)
            right = xs[self.carry_col + 1] - PAD_X
            text.setTextOrigin(right - regular.width(carry, size), y - PAD_Y - ascent)
            text.textLine(carry)
            y -= self.carry_height
        text.setFont(REGULAR, size, leading)
        cells, heights = self.data.cells, self.data.heights
        rules: list[float] = []
        align_right = [c.align == "right" for c in self.cols]
        right_edges = [x - PAD_X for x in xs[1:]]
        lefts = [x + PAD_X for x in xs[:-1]]
        width_of = regular.width
        for r in range(self.start, self.stop):
            row = cells[r]
            base = y - PAD_Y - ascent
            emphasis = r in self.data.bold
            if emphasis:
                # A subtotal: a light band behind it, bold text measured in bold.
                canvas.setFillColorRGB(*CARRY_FILL)
                canvas.rect(0, y - heights[r], self.table_width, heights[r], stroke=0, fill=1)
                canvas.setFillColorRGB(0, 0, 0)
                text.setFont(BOLD, size, leading)
                width_of = bold.width
            for col, lines in enumerate(row):
                if align_right[col]:
                    line_y = base
                    for line in lines:
                        if line:
                            text.setTextOrigin(right_edges[col] - width_of(line, size), line_y)
                            text.textLine(line)
                        line_y -= leading
                elif lines[0] or len(lines) > 1:
                    # Left-aligned lines share one origin: textLine moves down by the leading itself
                    # (and, unlike textOut, does not measure the text again).
                    text.setTextOrigin(lefts[col], base)
                    for line in lines:
                        text.textLine(line)
            if emphasis:
                text.setFont(REGULAR, size, leading)
                width_of = regular.width
            y -= heights[r]
            rules.append(y)
        canvas.drawText(text)
        # Rules: one path for every line of this page.
        canvas.setStrokeColorRGB(*GRID_GREY)
        canvas.setLineWidth(0.3)
        path = canvas.beginPath()
        bottom = y
        band_top, band_bottom = top - self.header_height, top - self._top_height()
        for i, x in enumerate(xs):
            path.moveTo(x, top)
            if carry and i not in (0, self.carry_col, self.carry_col + 1, len(xs) - 1):
                # Inner rules stop at the brought-forward band, whose label runs across them.
                path.lineTo(x, band_top)
                path.moveTo(x, band_bottom)
            path.lineTo(x, bottom)
        for line_y in (top, top - self.header_height, top - self._top_height(), *rules):
            path.moveTo(0, line_y)
            path.lineTo(self.table_width, line_y)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.restoreState()
        if self.on_page is not None:
            self.on_page(self.stop, len(self.data.heights))
