"""What every page of every report carries: the letterhead, the title, and the footer with "Page N of M".

:class:`NumberedCanvas` keeps each finished page's drawing state instead of emitting it, so when
the document is saved it knows the page count and stamps each page's footer ("Página 3 de 7",
printed on ... by ...) before writing it: a two-pass canvas, the reportlab recipe for "of M".
:func:`atomic_output` writes the PDF beside its destination and renames it into place only when
complete, so a failed or cancelled report never leaves half a file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas

from tresxuno.domain.transparency import LGDS_LEGEND
from tresxuno.formatting import date_text, time_text
from tresxuno.i18n import N_, _, language
from tresxuno.reports.data import Letterhead, PrintStamp, ProjectHead
from tresxuno.reports.pdf.fmt import translator
from tresxuno.reports.pdf.fonts import BOLD, ITALIC, REGULAR, Measure, register_fonts

log = logging.getLogger(__name__)

#: Page margins (points; 72 points = 1 inch).
MARGIN = 36.0
#: Space the footer takes above the bottom margin.
FOOTER_HEIGHT = 16.0
#: Largest logo box (points); the logo keeps its proportions inside it.
LOGO_BOX = 52.0
#: Gap between the letterhead band and the body.
HEAD_GAP = 8.0
#: Line colour of rules and table grids.
RULE_GREY = (0.55, 0.55, 0.55)
#: The footer's texts (marked here, translated when a footer is made, in one or more languages).
PRINTED_BY = N_("Printed on {date} at {time} by {user}")
PRINTED = N_("Printed on {date} at {time}")
PAGE_OF = N_("Page {page} of {pages}")
#: The audit chain's head, under the footer: ``tresxuno check --anchor`` takes the hash.
AUDIT_HEAD = N_("Audit trail: head {hash} · {records} records (tresxuno check --anchor)")
#: Size of that line, and how far below the footer's baseline it sits (inside the bottom margin).
HEAD_SIZE, HEAD_DROP = 5.5, 8.0


@dataclass(frozen=True)
class PageGeometry:
    """A page size and the body frame inside its margins, letterhead and footer."""

    width: float
    height: float
    head_height: float

    @classmethod
    def letter(cls, *, wide: bool, head_height: float) -> PageGeometry:
        """US Letter (Mexico's *carta*), portrait or landscape (``wide``)."""
        w, h = landscape(LETTER) if wide else LETTER
        return cls(w, h, head_height)

    @property
    def size(self) -> tuple[float, float]:
        """(width, height)."""
        return self.width, self.height

    @property
    def body_left(self) -> float:
        """Left edge of the body."""
        return MARGIN

    @property
    def body_width(self) -> float:
        """Width of the body."""
        return self.width - 2 * MARGIN

    @property
    def body_top(self) -> float:
        """Top edge of the body (below the letterhead)."""
        return self.height - MARGIN - self.head_height - HEAD_GAP

    @property
    def body_bottom(self) -> float:
        """Bottom edge of the body (above the footer)."""
        return MARGIN + FOOTER_HEIGHT

    @property
    def body_height(self) -> float:
        """Height of the body."""
        return self.body_top - self.body_bottom


class PageDecor:
    """The letterhead band drawn at the top of every page: logo, office, municipality, title.

    The office lines take the left part (after the logo), the title and subtitle lines the right
    part, right-aligned; each wraps to its part and shrinks if it would need more than its lines,
    so nothing ever runs off the page. :attr:`height` is known before any page is drawn, so the
    body frame can start below it.
    """

    OFFICE_SIZE, PLACE_SIZE, TITLE_SIZE, SUB_SIZE = 10.5, 8.5, 13.0, 8.5

    def __init__(self, head: Letterhead, title: str, subtitles: tuple[str, ...] = (), *, wide: bool = False):
        register_fonts()
        self.head = head
        self.title = title
        self.subtitles = subtitles
        w, _h = landscape(LETTER) if wide else LETTER
        self.width = w - 2 * MARGIN
        self.logo = self._logo(head.logo_path)
        self.bold, self.regular = Measure(BOLD), Measure(REGULAR)
        logo_w = LOGO_BOX + 8 if self.logo is not None else 0.0
        self.left_x = logo_w
        self.left_w = (self.width - logo_w) * 0.55
        self.right_w = self.width - logo_w - self.left_w - 12
        office = head.office_name or _("Migrant affairs office")
        self.left_lines = self._fit(
            [
                (office, BOLD, self.OFFICE_SIZE),
                (head.municipality, REGULAR, self.PLACE_SIZE),
                (head.note, ITALIC, self.PLACE_SIZE),
            ],
            self.left_w,
        )
        self.right_lines = self._fit(
            [(title, BOLD, self.TITLE_SIZE)] + [(s, REGULAR, self.SUB_SIZE) for s in subtitles], self.right_w
        )
        text_h = max(self._height(self.left_lines), self._height(self.right_lines))
        self.band = max(LOGO_BOX if self.logo is not None else 0.0, text_h)
        self.height = self.band + 4.0  # and the rule under it

    @staticmethod
    def _logo(path: str) -> ImageReader | None:
        """The logo image if the file exists and reads as an image; None otherwise."""
        if not path or not Path(path).is_file():
            return None
        try:
            image = ImageReader(path)
            image.getSize()
        except Exception:  # a damaged logo must not stop printing: leave it out, say why in the log
            log.warning("logo %s cannot be read; printing without it", path, exc_info=True)
            return None
        return image

    def _fit(self, parts: list[tuple[str, str, float]], width: float) -> list[tuple[str, str, float]]:
        """Lines (text, font, size) of each non-empty part wrapped to ``width``, at most 3 per part.

        A part that would need more than 3 lines is drawn smaller, down to 6 pt (then wrapped
        however many lines it takes).
        """
        lines: list[tuple[str, str, float]] = []
        for text, font, size in parts:
            if not text:
                continue
            measure = self.bold if font == BOLD else self.regular
            while True:
                wrapped = measure.split(text, width, size)
                if len(wrapped) <= 3 or size <= 6:
                    break
                size -= 0.5
            lines.extend((line, font, size) for line in wrapped)
        return lines

    @staticmethod
    def _height(lines: list[tuple[str, str, float]]) -> float:
        return sum(size * 1.25 for _t, _f, size in lines)

    def draw(self, canvas: Canvas, page_width: float, page_height: float) -> None:
        """Draw the band at the top of the current page."""
        canvas.saveState()
        top = page_height - MARGIN
        x0 = MARGIN
        if self.logo is not None:
            iw, ih = self.logo.getSize()
            scale = min(LOGO_BOX / iw, LOGO_BOX / ih)
            w, h = iw * scale, ih * scale
            canvas.drawImage(self.logo, x0, top - h, w, h, mask="auto")
        y = top
        for text, font, size in self.left_lines:
            y -= size * 1.25
            canvas.setFont(font, size)
            canvas.drawString(x0 + self.left_x, y + size * 0.25, text)
        y = top
        right = x0 + self.width
        for text, font, size in self.right_lines:
            y -= size * 1.25
            canvas.setFont(font, size)
            canvas.drawRightString(right, y + size * 0.25, text)
        canvas.setStrokeColorRGB(*RULE_GREY)
        canvas.setLineWidth(0.8)
        rule_y = top - self.band - 2
        canvas.line(x0, rule_y, right, rule_y)
        canvas.restoreState()


class Footer:
    """Every page's footer: who printed and when, the title, "Page N of M"; below, the audit chain's head."""

    SIZE = 7.0

    def __init__(self, stamp: PrintStamp, label: str = "", *, languages: tuple[str, ...] = ()):
        """Footer texts in the language in force, or in each of ``languages`` joined by " / "."""
        register_fonts()
        translations = [translator(code) for code in languages] or [_]
        codes: list[str | None] = list(languages) or [None]
        printed = []
        for tr, code in zip(translations, codes, strict=True):
            day = date_text(stamp.printed_at, code, style="short")
            time = time_text(stamp.printed_at, code, style="short")
            if stamp.printed_by:
                text = tr(PRINTED_BY).format(date=day, time=time, user=stamp.printed_by)
            else:
                text = tr(PRINTED).format(date=day, time=time)
            printed.append(text)
        self.printed = " / ".join(printed)
        self.printed_by = stamp.printed_by
        # One language is enough for a line that is mostly a hash (a bilingual receipt: the first).
        head = stamp.head
        self.head_line = (
            "" if head is None else translations[0](AUDIT_HEAD).format(hash=head.hash, records=head.records)
        )
        self.label = label
        self.page_text = " / ".join(tr(PAGE_OF) for tr in translations)
        self.measure = Measure(REGULAR)

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        """Draw the footer on the current page (``page`` of ``pages``)."""
        # The size of the page being drawn: reportlab has no public getter, nor its stubs the attribute.
        width, _height = canvas._pagesize  # type: ignore[attr-defined]
        right = width - MARGIN
        usable = width - 2 * MARGIN
        number = self.page_text.format(page=page, pages=pages)
        size = self.SIZE

        def needed(size: float) -> float:
            # The label is centred, so the wider side text decides how much room it leaves.
            sides = max(self.measure.width(self.printed, size), self.measure.width(number, size))
            return 2 * sides + self.measure.width(self.label, size) + 24

        # Three texts share one line; shrink them together until they fit side by side.
        while size > 4.5 and needed(size) > usable:
            size -= 0.25
        label = self.label
        if needed(size) > usable:
            label = ""  # the title is also in the letterhead: the one text that may give way
        canvas.saveState()
        canvas.setStrokeColorRGB(*RULE_GREY)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, MARGIN + FOOTER_HEIGHT - 4, right, MARGIN + FOOTER_HEIGHT - 4)
        canvas.setFont(REGULAR, size)
        baseline = MARGIN + 2
        canvas.drawString(MARGIN, baseline, self.printed)
        if label:
            canvas.drawCentredString(MARGIN + usable / 2, baseline, label)
        canvas.drawRightString(right, baseline, number)
        if self.head_line:
            # In the bottom margin, so no report's body loses room; shrunk to the page if need be.
            head_size = HEAD_SIZE
            while head_size > 3.5 and self.measure.width(self.head_line, head_size) > usable:
                head_size -= 0.25
            canvas.setFont(REGULAR, head_size)
            canvas.drawString(MARGIN, baseline - HEAD_DROP, self.head_line)
        # The programme's legend (Ley General de Desarrollo Social, art. 28), verbatim, on every page.
        legend_size = HEAD_SIZE
        while legend_size > 3.5 and self.measure.width(LGDS_LEGEND, legend_size) > usable:
            legend_size -= 0.25
        canvas.setFont(REGULAR, legend_size)
        canvas.drawString(MARGIN, baseline - 2 * HEAD_DROP, LGDS_LEGEND)
        canvas.restoreState()


def _in_our_font(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A canvas's keywords, starting it in our font.

    Reportlab's default (Helvetica) would otherwise be declared on every page. Platypus passes these
    keywords explicitly, as None, so setdefault would not do.
    """
    register_fonts()
    for key, value in (("initialFontName", REGULAR), ("initialFontSize", 9), ("initialLeading", 11)):
        if kwargs.get(key) is None:
            kwargs[key] = value
    return kwargs


class NumberedCanvas(Canvas):
    """A canvas that holds every page until :meth:`save`, then stamps "Page N of M" footers.

    ``showPage`` saves the page's state (its drawing operators and settings) instead of writing
    it; ``save`` replays each state, draws its footer with the total now known, and writes it.
    """

    def __init__(self, *args: Any, footer: Footer, **kwargs: Any):
        super().__init__(*args, **_in_our_font(kwargs))
        self._footer = footer
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        """Keep the finished page; start a new one."""
        self._page_states.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own next step, private, not in its stubs

    def save(self) -> None:
        """Write every kept page with its footer, then the file."""
        total = len(self._page_states)
        for number, state in enumerate(self._page_states, start=1):
            self.__dict__.update(state)
            self._footer.draw(self, number, total)
            Canvas.showPage(self)
        Canvas.save(self)

    @property
    def page_count(self) -> int:
        """Pages finished so far."""
        return len(self._page_states)


#: The file a :class:`_StraightFile` made in this thread writes to (None: collect, as reportlab does).
_straight = threading.local()


class _StraightFile(pdfdoc.PDFFile):
    """reportlab's output collector, writing straight to a file while a StreamingCanvas saves.

    reportlab gathers every formatted object of the document in a list and joins them before
    writing; this writes each as it comes (offsets counted the same way). Other threads, and any
    document not saved by :meth:`StreamingCanvas.save`, collect as before.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        out = getattr(_straight, "out", None)
        if out is not None:
            out.write(b"".join(self.strings))  # the header, already counted in the offset
            self.strings = []
            self.write = out.write


pdfdoc.PDFFile = _StraightFile  # type: ignore[misc]  # looked up by name in PDFDocument.format


class _CompressedStream(PDFStream):
    """A page's content, compressed already; let go once written (a document is written once)."""

    def format(self, document: Any) -> bytes:
        """The stream object's bytes; the content is then dropped, so the file's copy is the only one."""
        out: bytes = super().format(document)
        self.content = b""
        return out


class StreamingCanvas(Canvas):
    """A canvas that lets each page go as soon as it is finished: for reports of thousands of pages.

    :class:`NumberedCanvas` holds every page's drawing until the end, because "Page N of M" needs M.
    Here each page instead ends with a reference to its own footer, a form XObject drawn only at
    :meth:`save` once M is known (PDF lets a page name a form defined later); the page's content is
    compressed at once and its drawing dropped. A reader sees the same footer in the same place; the
    memory held per page is its compressed stream, about a tenth of its drawing.
    """

    def __init__(self, *args: Any, footer: Footer, **kwargs: Any):
        super().__init__(*args, **_in_our_font(kwargs))
        self._footer = footer
        self._finished = 0

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        """Finish the page: name its footer, compress its content and keep only that."""
        self._finished += 1
        self.doForm(f"tresxunoFooter{self._finished}")
        super().showPage()
        page = self._doc.Pages.pages[-1]  # type: ignore[attr-defined]  # reportlab's own page list
        if page.stream is not None and page.compression:
            stream = _CompressedStream(
                dictionary=PDFDictionary({"Filter": PDFArray([PDFName("FlateDecode")])}),
                content=zlib.compress(page.stream.encode("utf8")),
            )
            stream.__Comment__ = "page stream"  # type: ignore[attr-defined]  # reportlab's own marker
            page.Contents, page.stream = stream, None

    def save(self) -> None:
        """Draw every page's footer, now that the page count is known, then write the file.

        The file is written object by object as reportlab formats them, instead of being joined
        in memory first (for 5,000 pages that is twice the file's size less at the peak).
        """
        total = self._finished
        for number in range(1, total + 1):
            self.beginForm(f"tresxunoFooter{number}")
            self._footer.draw(self, number, total)
            self.endForm()
        name = self._filename  # type: ignore[attr-defined]  # reportlab's, set in __init__
        if not isinstance(name, str) or len(self._code):  # type: ignore[attr-defined]
            super().save()
            return
        with open(name, "wb") as out:
            _straight.out = out
            try:
                self._doc.SaveToFile(out, self)  # type: ignore[attr-defined]
            finally:
                _straight.out = None

    @property
    def page_count(self) -> int:
        """Pages finished so far."""
        return self._finished


@contextlib.contextmanager
def atomic_output(output: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``output``; move it onto ``output`` only if the block succeeds.

    An existing file at ``output`` is replaced atomically; on any error (or cancel) the temporary
    file is removed and ``output`` is left as it was.
    """
    target = Path(output)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        yield temp
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def project_document(
    letterhead: Letterhead, stamp: PrintStamp, title: str, p: ProjectHead
) -> tuple[PageDecor, Footer, float]:
    """The head, footer and body width of a portrait document about one project.

    Every page names the document, the project's folio and its programme and year, and every footer
    the document and folio, so a loose page of any act or sheet still says what it belongs to.
    """
    decor = PageDecor(
        letterhead,
        title,
        (_("Project {folio}").format(folio=p.folio), f"{p.program.name(language())} — {p.fiscal_year}"),
    )
    footer = Footer(stamp, f"{title} — {p.folio}")
    return decor, footer, PageGeometry.letter(wide=False, head_height=decor.height).body_width
