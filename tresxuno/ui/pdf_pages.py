"""A written PDF's pages as images, or printed on a QPrinter: how the preview and Print read a PDF.

QtPdf would need a PySide6 release we cannot use (see pyproject.toml), so pages are rasterised with
pypdfium2. PDFium is not thread-safe: every call into it holds :data:`PDFIUM_LOCK`, so a print
running off the GUI thread and the preview painting on it take turns page by page.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrinter

from tresxuno.services.progress import CancelToken, Progress, no_progress

#: One lock for every PDFium call in the process (PDFium keeps global state).
PDFIUM_LOCK = threading.RLock()
#: Points per inch: PDF page sizes are in points.
POINTS_PER_INCH = 72.0
#: PDFium's BGRx bytes are Qt's RGB32 on little-endian machines, the format Qt paints and prints
#: fastest (a quarter less time per printed page than RGBX8888); elsewhere ask for RGBx.
_LITTLE_ENDIAN = sys.byteorder == "little"
_FORMAT = QImage.Format.Format_RGB32 if _LITTLE_ENDIAN else QImage.Format.Format_RGBX8888
#: Highest resolution a page is printed at: a printer driver reporting 1200 dpi would otherwise make
#: each letter page a 500 MB image; 300 dpi is what an office laser prints text at.
MAX_PRINT_DPI = 300


class PdfPages:
    """An open PDF: page count, page sizes in points, and pages rendered to :class:`QImage`.

    Args:
        path: the PDF file; it stays open until :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.closed = False
        with PDFIUM_LOCK:
            self._doc = pdfium.PdfDocument(str(self.path))
            self.count = len(self._doc)
            # Sizes without loading the pages: a 300-page statement opens at once.
            self.sizes = [QSizeF(*self._doc.get_page_size(i)) for i in range(self.count)]

    def render(self, index: int, dpi: float) -> QImage:
        """Page ``index`` (0-based) at ``dpi`` dots per inch, on white."""
        scale = max(dpi, 1.0) / POINTS_PER_INCH  # float ok: a resolution, not money
        with PDFIUM_LOCK:
            page = self._doc[index]
            try:
                bitmap = page.render(scale=scale, rev_byteorder=not _LITTLE_ENDIAN, prefer_bgrx=True)
                try:
                    image = QImage(
                        bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, _FORMAT
                    ).copy()  # own the pixels before the bitmap is freed
                finally:
                    bitmap.close()
            finally:
                page.close()
        return image

    def close(self) -> None:
        """Release the file (again: nothing)."""
        with PDFIUM_LOCK:
            if not self.closed:
                self.closed = True
                self._doc.close()


def page_range(printer: QPrinter, count: int) -> range:
    """The 0-based pages the printer dialog asked for (all of them unless a range was chosen)."""
    first, last = printer.fromPage(), printer.toPage()
    if printer.printRange() != QPrinter.PrintRange.PageRange or first <= 0:
        return range(count)
    return range(min(first, count) - 1, min(max(last, first), count))


def print_pdf(
    pages: PdfPages, printer: QPrinter, *, progress: Progress = no_progress, cancel: CancelToken | None = None
) -> int:
    """Paint the PDF's pages on ``printer`` (its page range honoured), each fitted to the paper.

    Each page is rendered at the printer's resolution (at most :data:`MAX_PRINT_DPI`) and drawn
    centred, keeping its proportions; a landscape page turns the paper to landscape. Runs on any
    thread (QPainter may paint on a QPrinter off the GUI thread).

    Returns:
        The number of pages sent. A cancel aborts the print job and raises ``Cancelled``.
    """
    wanted = page_range(printer, pages.count)
    if not wanted:
        return 0
    printer.setFullPage(True)  # the PDF carries its own margins
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    sent = 0
    try:
        for number, index in enumerate(wanted):
            size = pages.sizes[index]
            orientation = (
                QPageLayout.Orientation.Landscape
                if size.width() > size.height()
                else QPageLayout.Orientation.Portrait
            )
            if number == 0:
                printer.setPageOrientation(orientation)
                if not painter.begin(printer):
                    raise OSError("the printer could not be opened")
            else:
                printer.setPageOrientation(orientation)
                printer.newPage()
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(number, len(wanted), "")
            image = pages.render(index, dpi)
            paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            fitted = QSizeF(image.size()).scaled(paper.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(
                paper.x() + (paper.width() - fitted.width()) / 2,
                paper.y() + (paper.height() - fitted.height()) / 2,
                fitted.width(),
                fitted.height(),
            )
            painter.drawImage(target, image)
            sent += 1
        progress(len(wanted), len(wanted), "")
    except BaseException:
        printer.abort()
        raise
    finally:
        if painter.isActive():
            painter.end()
    return sent
