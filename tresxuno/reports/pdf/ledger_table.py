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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice
from typing import Any

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
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
    #: Cell padding, left and right, top and bottom (points).
    pad: tuple[float, float] = (PAD_X, PAD_Y)


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


class Widest:
    """The widest text of each column at 1 pt, taken row by row: a table's rows need not be held.

    Fixed columns count their whole cells; wrapping columns their widest line (line breaks kept).
    A width at size *s* is the width at 1 pt times *s*, so the widths found here decide the layout
    at any size (:func:`layout_for`).
    """

    def __init__(self, cols: Sequence[FastCol]):
        register_fonts()
        self.cols = tuple(cols)
        self.widest = [0.0] * len(self.cols)
        self._width = Measure(REGULAR).width
        self._wrap = [c.wrap for c in self.cols]

    def add(self, row: Sequence[str]) -> None:
        """Count one row's cells."""
        widest, width = self.widest, self._width
        for i, text in enumerate(row):
            if not text:
                continue
            if self._wrap[i] and "\n" in text:
                w = max(width(line, 1.0) for line in text.split("\n"))
            else:
                w = width(text, 1.0)
            if w > widest[i]:
                widest[i] = w


def plan_layout(
    cols: Sequence[FastCol],
    rows: Sequence[Sequence[str]],
    width: float,
    *,
    size: float = 7.0,
) -> Layout:
    """Decide the column widths and font size so that no column is ever cut off (see :func:`layout_for`)."""
    widest = Widest(cols)
    for row in rows:
        widest.add(row)
    return layout_for(widest, width, size=size)


def layout_for(widest: Widest, width: float, *, size: float = 7.0) -> Layout:
    """Decide the column widths and font size from the columns' widest texts.

    Fixed columns are as wide as their widest cell (or the longest word of the heading) plus
    padding; wrapping columns share the rest by weight, none narrower than its ``min_width`` and
    none wider than its widest cell needs (what it gives up goes to the others). When the fixed
    columns leave too little, the font shrinks in 0.5 pt steps down to :data:`MIN_SIZE`; below
    that the wrapping columns just get narrower (their text still wraps, never clips), and if the
    fixed columns alone are wider than ``width`` every column wraps, in proportion to its need.
    """
    cols = widest.cols
    bold = Measure(BOLD)
    current = size
    while True:
        fixed: list[float] = []
        natural: list[float] = []
        for i, col in enumerate(cols):
            head = max((bold.width(w, current) for w in col.header.split()), default=0.0)
            cell = widest.widest[i] * current
            if col.wrap:
                fixed.append(0.0)
                natural.append(max(cell, head) + 2 * PAD_X + 0.5)
            else:
                fixed.append(max(cell, head) + 2 * PAD_X + 0.5)
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
    pad_x, pad_y = layout.pad
    wrap_cols = [(i, layout.widths[i] - 2 * pad_x) for i in range(len(cols)) if wraps[i]]
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
            heights.append(lines * leading + 2 * pad_y)
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
            heights.append(count * leading + 2 * pad_y)
            carried.append(forward)
    return RowData(cells, heights, carried)


class _Codes(dict[int, str]):
    """Character -> its one-byte code in subset 0 of an embedded font, for ``str.translate``.

    A character without a code yet translates to U+FFFF, which no one-byte encoding takes: the
    text then goes through reportlab's own ``splitString``, which assigns the code.
    """

    def __missing__(self, key: int) -> str:
        return "\uffff"


class _FastText:
    """What :class:`FastTable` needs of a reportlab text object, writing the same operators faster.

    reportlab's ``textLine`` encodes each string for the embedded font's subsets character by
    character in Python (``TTFont.splitString``); a page of the statement has about 190 strings,
    and a 100,000-entry statement a million. Here a string whose characters all already have a
    code in the font's first subset (nearly all, once the first page is drawn) is encoded with one
    ``str.translate`` and one ``encode``; any other goes through ``splitString`` as before. The
    operators written (``Tm``, ``Tf``, ``Tj``, ``T*``) are those of the text object.
    """

    def __init__(self, canvas: Any):
        self.canvas = canvas
        self.doc = canvas._doc
        self.code: list[str] = ["BT", "1 0 0 1 0 0 Tm"]
        self.subset = -1
        self.font: Any = None
        self.tmpl = ""
        self.codes = _Codes()

    def setFont(self, name: str, size: float, leading: float) -> None:  # noqa: N802 - reportlab's name
        """Use ``name`` at ``size`` with ``leading`` from the next line on."""
        self.font = pdfmetrics.getFont(name)
        self.subset = -1
        self.tmpl = f"{fp_str(size)} Tf {fp_str(leading)} TL"
        # Kept on the document: the codes are its font subsets' (a new document starts afresh).
        per_font = self.doc.__dict__.setdefault("_tresxuno_codes", {})
        self.codes = per_font.setdefault(name, _Codes())
        self._sync()

    def _sync(self) -> None:
        state = self.font.state.get(self.doc)
        if state is None:
            return
        codes = self.codes
        if len(codes) < len(state.assignments):
            for char, n in state.assignments.items():
                if n < 256:
                    codes[char] = chr(n)

    def setTextOrigin(self, x: float, y: float) -> None:  # noqa: N802 - reportlab's name
        """Start the next line at (x, y)."""
        self.code.append(f"1 0 0 1 {fp_str(x, y)} Tm")

    def textLine(self, text: str) -> None:  # noqa: N802 - reportlab's name
        """Write ``text`` and move down one line."""
        code = self.code
        if text:
            try:
                encoded = text.replace("\xa0", " ").translate(self.codes).encode("latin-1")
            except UnicodeEncodeError:
                encoded = b""
            if encoded:
                if self.subset != 0:
                    code.append(f"{self.font.getSubsetInternalName(0, self.doc)} {self.tmpl}")
                    self.subset = 0
                code.append(f"({escapePDF(encoded)}) Tj T*")
                return
            runs = self.font.splitString(text, self.doc)
            self._sync()
            parts = []
            for subset, chunk in runs:
                if subset != self.subset:
                    parts.append(f"{self.font.getSubsetInternalName(subset, self.doc)} {self.tmpl}")
                    self.subset = subset
                parts.append(f"({escapePDF(chunk)}) Tj")
            code.append(" ".join(parts) + " T*")
        else:
            code.append(" T*")

    def getCode(self) -> str:  # noqa: N802 - reportlab's name
        """The text object's operators, as ``canvas.drawText`` adds them."""
        return " ".join([*self.code, "ET"])


#: Each table's header lines, by (columns, layout): both frozen, so equal keys mean equal lines.
_HEADERS: dict[tuple[tuple[FastCol, ...], Layout], list[list[str]]] = {}


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
        pad_x, pad_y = layout.pad
        key = (self.cols, layout)
        header_lines = _HEADERS.get(key)
        if header_lines is None:  # a table split over 5,000 pages makes 5,000 pieces: split once
            header_lines = [
                bold.split(c.header, w - 2 * pad_x, layout.size)
                for c, w in zip(cols, layout.widths, strict=True)
            ]
            if len(_HEADERS) > 64:
                _HEADERS.clear()
            _HEADERS[key] = header_lines
        self.header_lines = header_lines
        self.header_height = max(len(h) for h in self.header_lines) * layout.leading + 2 * pad_y
        self.carry_height = layout.leading + 2 * pad_y
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
        pad_x, pad_y = layout.pad
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
        text = _FastText(canvas)
        ascent = size * 0.76  # baseline below the top of a line: DejaVu's ascender, near enough

        def put(lines: Sequence[str], col: int, y_top: float, font_widths: Measure) -> None:
            align = self.cols[col].align
            left, right = xs[col] + pad_x, xs[col + 1] - pad_x
            y = y_top - pad_y - ascent
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
            text.setTextOrigin(xs[0] + pad_x, y - pad_y - ascent)
            text.textLine(self.carry_label)
            # In the regular font, like the balances above it, so it fits the column they sized.
            text.setFont(REGULAR, size, leading)
            right = xs[self.carry_col + 1] - pad_x
            text.setTextOrigin(right - regular.width(carry, size), y - pad_y - ascent)
            text.textLine(carry)
            y -= self.carry_height
        text.setFont(REGULAR, size, leading)
        cells, heights = self.data.cells, self.data.heights
        rules: list[float] = []
        align_right = [c.align == "right" for c in self.cols]
        right_edges = [x - pad_x for x in xs[1:]]
        lefts = [x + pad_x for x in xs[:-1]]
        width_of = regular.width
        for r in range(self.start, self.stop):
            row = cells[r]
            base = y - pad_y - ascent
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
        canvas._code.append(text.getCode())  # type: ignore[attr-defined]  # what drawText appends
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


#: Rows prepared (split into lines, measured) at a time by :class:`StreamTable`.
CHUNK = 256


class StreamTable(Flowable):
    """A :class:`FastTable` whose rows come from an iterator, prepared a page at a time.

    The rows (cell texts, and the "brought forward" text of a page starting at each) are taken
    from ``rows`` only as pages need them; each page is drawn by a :class:`FastTable` of just its
    rows, and the rows drawn are dropped. So a table of 100,000 rows holds one page of rows, not
    all of them, and the layout must be decided beforehand (:class:`Widest`, :func:`layout_for`).
    It splits exactly where a FastTable of all the rows would. A split hands its rows over to the
    pieces it returns, so it belongs at the top level of a story (platypus then always uses them),
    not inside a ``KeepTogether`` that may split and discard.

    Args:
        cols, layout: the columns and their widths.
        rows: (cells, brought-forward text) per row, in order.
        total: how many rows ``rows`` gives (for ``on_page``).
        max_lines: the most lines a row may take before it is cut into continuation rows.
        on_page: called with (rows drawn so far, total) after each page is drawn.
        carry_label, carry_col: as for :class:`FastTable`.
    """

    def __init__(
        self,
        cols: Sequence[FastCol],
        layout: Layout,
        rows: Iterator[tuple[list[str], str]],
        *,
        total: int,
        max_lines: int,
        on_page: Callable[[int, int], None] | None = None,
        carry_label: str = "",
        carry_col: int = -1,
        _state: _Stream | None = None,
        _first: bool = True,
    ):
        super().__init__()
        self.cols = tuple(cols)
        self.layout = layout
        self.state = _state or _Stream(self.cols, layout, rows, max_lines)
        self.total = total
        self.on_page = on_page
        self.carry_label = carry_label
        self.carry_col = carry_col
        self.first = _first
        # A FastTable with no rows measures the header and the brought-forward band the same way.
        probe = FastTable(cols, RowData([], [], []), layout, carry_label=carry_label, carry_col=carry_col)
        self.header_height, self.carry_height = probe.header_height, probe.carry_height
        self.table_width = probe.table_width
        self._whole: FastTable | None = None

    def _top_height(self) -> float:
        carry = not self.first and self.state.carry and self.state.carry[0]
        return self.header_height + (self.carry_height if carry else 0.0)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The height of the rows left when they fit; else more than ``available_height`` (then split)."""
        state = self.state
        state.fill_beyond(available_height)  # the top's height depends on the first row's carry
        room = available_height - self._top_height()
        if state.exhausted and state.height() <= room + 1e-6:
            return self.table_width, self._top_height() + state.height()
        return self.table_width, self._top_height() + max(state.height(), room) + 1.0

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Split into a FastTable of the rows that fit and the rest; [] when not even one row fits."""
        state = self.state
        state.fill_beyond(available_height)
        room = available_height - self._top_height()
        count = state.fitting(room)
        if count == 0:
            return []
        piece = self._fast(state.take(count))
        if state.exhausted and not state.heights:
            return [piece]
        rest = StreamTable(
            self.cols,
            self.layout,
            iter(()),
            total=self.total,
            max_lines=state.max_lines,
            on_page=self.on_page,
            carry_label=self.carry_label,
            carry_col=self.carry_col,
            _state=state,
            _first=False,
        )
        return [piece, rest]

    def _fast(self, data: RowData) -> FastTable:
        done = self.state.drawn
        total = self.total

        def progress(stop: int, _rows: int) -> None:
            if self.on_page is not None:
                self.on_page(min(done + stop, total), total)

        self.state.drawn += len(data.heights)
        return FastTable(
            self.cols,
            data,
            self.layout,
            on_page=progress,
            carry_label=self.carry_label,
            carry_col=self.carry_col,
            first=self.first,
        )

    def draw(self) -> None:
        """Draw every row left (they fit: :meth:`wrap` said so)."""
        if self._whole is None:
            self._whole = self._fast(self.state.take(len(self.state.heights)))
        self._whole.canv = self.canv
        self._whole.draw()


class _Stream:
    """The rows of a :class:`StreamTable` prepared so far and not yet drawn, and the rows to come."""

    def __init__(
        self,
        cols: tuple[FastCol, ...],
        layout: Layout,
        rows: Iterator[tuple[list[str], str]],
        max_lines: int,
    ):
        self.cols, self.layout, self.rows, self.max_lines = cols, layout, rows, max_lines
        self.cells: list[list[list[str]]] = []
        self.heights: list[float] = []
        self.carry: list[str] = []
        self.exhausted = False
        self.drawn = 0

    def height(self) -> float:
        return sum(self.heights)

    def fill_beyond(self, room: float) -> None:
        """Prepare rows until they are taller than ``room`` or there are no more."""
        total = self.height()
        while total <= room + 1e-6 and not self.exhausted:
            chunk = list(islice(self.rows, CHUNK))
            if len(chunk) < CHUNK:
                self.exhausted = True
            if not chunk:
                break
            data = prepare_rows(
                self.cols,
                [cells for cells, _carry in chunk],
                self.layout,
                [carry for _cells, carry in chunk],
                max_lines=self.max_lines,
            )
            self.cells += data.cells
            self.heights += data.heights
            self.carry += data.carry
            total += sum(data.heights)

    def fitting(self, room: float) -> int:
        """How many of the prepared rows fit in ``room`` (the rows' bottoms, as FastTable.split counts)."""
        offsets = [0.0, *accumulate(self.heights)]
        return max(0, bisect_right(offsets, room + 1e-6) - 1)

    def take(self, count: int) -> RowData:
        """The first ``count`` prepared rows, removed."""
        data = RowData(self.cells[:count], self.heights[:count], self.carry[:count])
        del self.cells[:count], self.heights[:count], self.carry[:count]
        return data
