"""A printed report on screen before it goes to paper: pages, zoom, Print and Save as PDF.

Pages are rendered only when they scroll into view (and a few are kept), so a 300-page statement
opens as fast as a one-page receipt. The preview is not modal: the officer may keep it open beside
the record it came from, or open several.
"""

from __future__ import annotations

import shutil
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import percent
from tresxuno.i18n import _, ngettext
from tresxuno.services.output_files import copy_output
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error
from tresxuno.ui.pdf_pages import POINTS_PER_INCH, PdfPages, print_pdf
from tresxuno.ui.tasks import Task, run_task

#: Grey space around and between pages, in pixels.
GAP = 12
#: Rendered pages kept in memory (the ones on screen and their neighbours).
CACHE_PAGES = 12
#: Zoom steps offered by the minus and plus buttons, as fractions of the real size.
ZOOM_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)


def _release(pages: PdfPages, folder: Path | None) -> None:
    """Close the PDF and delete its temporary folder (both may already be gone)."""
    pages.close()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class PagesCanvas(QWidget):
    """Every page stacked vertically at one zoom; only pages in the exposed area are rendered."""

    def __init__(self, pages: PdfPages, parent: QWidget | None = None):
        super().__init__(parent)
        self.pages = pages
        self.zoom = 1.0  # logical pixels per point
        self.rendered: list[int] = []  # every render, in order (tests prove laziness with it)
        self._cache: OrderedDict[int, tuple[float, object]] = OrderedDict()
        self._tops: list[int] = []
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.set_zoom(1.0)

    def set_zoom(self, zoom: float) -> None:
        """Lay the pages out at ``zoom`` logical pixels per point."""
        self.zoom = max(0.05, zoom)
        top = GAP
        self._tops = []
        widest = 0
        for size in self.pages.sizes:
            self._tops.append(top)
            top += round(size.height() * self.zoom) + GAP
            widest = max(widest, round(size.width() * self.zoom))
        self.setFixedSize(widest + 2 * GAP, top)
        self.update()

    def page_rect(self, index: int) -> QRect:
        """Where page ``index`` is drawn, centred horizontally."""
        size = self.pages.sizes[index]
        width, height = round(size.width() * self.zoom), round(size.height() * self.zoom)
        return QRect((self.width() - width) // 2, self._tops[index], width, height)

    def page_at(self, y: int) -> int:
        """The page at height ``y`` (the one above when ``y`` falls in a gap)."""
        found = 0
        for index, top in enumerate(self._tops):
            if top > y:
                break
            found = index
        return found

    def image(self, index: int) -> object:
        """Page ``index`` at the current zoom and screen density (rendered now if not kept)."""
        dpi = self.zoom * POINTS_PER_INCH * self.devicePixelRatioF()
        kept = self._cache.get(index)
        if kept is not None and abs(kept[0] - dpi) < 0.01:
            self._cache.move_to_end(index)
            return kept[1]
        image = self.pages.render(index, dpi)
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self.rendered.append(index)
        self._cache[index] = (dpi, image)
        while len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)
        return image

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """Grey desk, white pages; only the pages meeting the exposed rectangle are drawn."""
        painter = QPainter(self)
        area = event.rect()
        painter.fillRect(area, QColor("#6b6b6b"))
        first = self.page_at(area.top())
        for index in range(first, self.pages.count):
            rect = self.page_rect(index)
            if rect.top() > area.bottom():
                break
            if not rect.intersects(area):
                continue
            painter.fillRect(rect.adjusted(2, 2, 2, 2), QColor(0, 0, 0, 70))  # a faint shadow
            painter.drawImage(QRectF(rect), self.image(index))  # type: ignore[call-overload]
        painter.end()


class _Scroller(QScrollArea):
    """The scroll area; tells the dialog when its width changes (fit width follows it)."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Pass the new size on."""
        super().resizeEvent(event)
        self.resized.emit()


class ReportPreview(QDialog):
    """A written report's pages with page navigation, zoom, Print and Save as PDF.

    Args:
        path: the PDF to show (it is read, never changed).
        title: the report's name, for the window title.
        remove_folder: a temporary folder to delete when the preview closes (the PDF's own).
        parent: the window it belongs to.
    """

    def __init__(
        self,
        path: Path,
        *,
        title: str,
        remove_folder: Path | None = None,
        parent: QWidget | None = None,
        db: object | None = None,
    ):
        super().__init__(parent)
        self.db = db  # its file and side files are never a "Save as" target
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.path = path
        self._remove_folder = remove_folder
        self.pages = PdfPages(path)
        # Deleted with its parent (a record closed first): still release the file and the folder.
        pages, folder = self.pages, remove_folder
        self.destroyed.connect(lambda *_args: _release(pages, folder))
        self.printer: QPrinter | None = None  # kept referenced: Qt segfaults on a temporary printer
        self.print_task: Task | None = None
        self.saved_to: Path | None = None
        self.setWindowTitle(_("Preview: {report}").format(report=title))

        self.canvas = PagesCanvas(self.pages)
        self.scroll = _Scroller(self)
        self.scroll.setWidget(self.canvas)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll.setBackgroundRole(self.scroll.backgroundRole())
        self.scroll.setStyleSheet("QScrollArea { background: #6b6b6b; }")
        self.scroll.setAccessibleName(_("Pages of the report"))
        self.scroll.verticalScrollBar().valueChanged.connect(lambda _v: self._show_page_number())
        self.scroll.resized.connect(self._refit)

        style = self.style()
        self.print_button = QPushButton(_("&Print…"), self)
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_button.setToolTip(_("Send the report to a printer (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_report)
        self.save_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), _("&Save as PDF…"), self
        )
        self.save_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.save_button.setToolTip(_("Keep a copy of the PDF, e.g. to send it by e-mail (Ctrl+S)"))
        self.save_button.clicked.connect(self.save_as)
        self.previous_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_ArrowUp), "", self)
        self.previous_button.setAccessibleName(_("Previous page"))
        self.previous_button.setToolTip(_("Previous page"))
        self.previous_button.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.next_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_ArrowDown), "", self)
        self.next_button.setAccessibleName(_("Next page"))
        self.next_button.setToolTip(_("Next page"))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.page_label = QLabel(self)
        self.page_label.setAccessibleName(_("Page shown"))
        self.page_label.setMinimumWidth(
            self.fontMetrics().horizontalAdvance(_("Page {page} of {pages}").format(page=8888, pages=8888))
            + 8
        )
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.fit_button = QPushButton(_("&Fit width"), self)
        self.actual_button = QPushButton(_("&100 %"), self)
        self.actual_button.setToolTip(_("The page at its real size"))
        self.fit_button.setToolTip(_("Pages as wide as the window"))
        self.zoom_group = QButtonGroup(self)
        for button in (self.fit_button, self.actual_button):
            button.setCheckable(True)
            self.zoom_group.addButton(button)
        self.fit_button.setChecked(True)
        self.fit_button.clicked.connect(self._refit)
        self.actual_button.clicked.connect(lambda: self.set_zoom(1.0))
        self.zoom_out_button = QPushButton("−", self)
        self.zoom_out_button.setAccessibleName(_("Zoom out"))
        self.zoom_out_button.setToolTip(_("Zoom out (Ctrl+-)"))
        self.zoom_out_button.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut))
        self.zoom_out_button.clicked.connect(lambda: self._step_zoom(-1))
        self.zoom_in_button = QPushButton("+", self)
        self.zoom_in_button.setAccessibleName(_("Zoom in"))
        self.zoom_in_button.setToolTip(_("Zoom in (Ctrl++)"))
        self.zoom_in_button.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn))
        self.zoom_in_button.clicked.connect(lambda: self._step_zoom(1))
        self.zoom_label = QLabel(self)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("888 %") + 8)
        small = self.fontMetrics().horizontalAdvance("M") * 3 + 16
        for button in (self.zoom_out_button, self.zoom_in_button, self.previous_button, self.next_button):
            button.setFixedWidth(small)
        self.status = QLabel(self)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(_("&Close"), self)
        self.close_button.clicked.connect(self.close)

        bar = QHBoxLayout()
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addSpacing(16)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.actual_button)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.status)
        self.resize(980, 760)
        self._refit()
        self._show_page_number()

    # -- pages and zoom --------------------------------------------------------------------------

    def page_count(self) -> int:
        """How many pages the report has."""
        return self.pages.count

    def current_page(self) -> int:
        """The 1-based page at the top of the window (the last one once scrolled to the end)."""
        bar = self.scroll.verticalScrollBar()
        if bar.maximum() > 0 and bar.value() >= bar.maximum():
            return self.page_count()
        return self.canvas.page_at(bar.value() + 2 * GAP) + 1

    def go_to_page(self, number: int) -> None:
        """Scroll page ``number`` (1-based, clamped) to the top."""
        number = min(max(number, 1), self.page_count())
        self.scroll.verticalScrollBar().setValue(self.canvas.page_rect(number - 1).top() - GAP)
        self._show_page_number()

    def _show_page_number(self) -> None:
        page = self.current_page()
        self.page_label.setText(_("Page {page} of {pages}").format(page=page, pages=self.page_count()))
        self.previous_button.setEnabled(page > 1)
        self.next_button.setEnabled(page < self.page_count())

    def set_zoom(self, zoom: float) -> None:
        """Show the pages at ``zoom`` times their real size (1.0: 100 %), keeping the page in view."""
        page = self.current_page()
        real = self.logicalDpiX() / POINTS_PER_INCH
        self.canvas.set_zoom(zoom * real)
        self.zoom_label.setText(percent(round(zoom * 10_000), decimals=0))
        self.go_to_page(page)

    def zoom(self) -> float:
        """The zoom shown, as a fraction of the real size."""
        return self.canvas.zoom / (self.logicalDpiX() / POINTS_PER_INCH)

    def _refit(self) -> None:
        if not self.fit_button.isChecked() or not self.pages.sizes:
            return
        widest = max(size.width() for size in self.pages.sizes)
        room = self.scroll.viewport().width() - 2 * GAP - self.scroll.verticalScrollBar().sizeHint().width()
        self.set_zoom(max(room, 100) / widest / (self.logicalDpiX() / POINTS_PER_INCH))

    def _step_zoom(self, direction: int) -> None:
        current = self.zoom()
        if direction > 0:
            steps = [z for z in ZOOM_STEPS if z > current + 0.01]
            target = steps[0] if steps else ZOOM_STEPS[-1]
        else:
            steps = [z for z in ZOOM_STEPS if z < current - 0.01]
            target = steps[-1] if steps else ZOOM_STEPS[0]
        self.zoom_group.setExclusive(False)
        self.fit_button.setChecked(False)
        self.actual_button.setChecked(abs(target - 1.0) < 0.001)
        self.zoom_group.setExclusive(True)
        self.set_zoom(target)

    # -- print and save --------------------------------------------------------------------------

    def print_report(self) -> Task | None:
        """Ask for a printer and a page range, then print off the GUI thread (Cancel stops it)."""
        if self.print_task is not None and self.print_task.running:
            return self.print_task
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(self.path.stem)
        self.printer.setFromTo(1, self.page_count())
        if not prompts.choose_printer(self, self.printer, self.page_count()):
            return None
        printer, pages = self.printer, self.pages
        self.print_button.setEnabled(False)
        self.print_task = run_task(
            self,
            _("Printing…"),
            lambda progress, cancel: print_pdf(pages, printer, progress=progress, cancel=cancel),
            on_success=self._printed,
            on_cancel=lambda: self.print_button.setEnabled(True),
        )
        self.print_task.failed.connect(lambda _exc: self.print_button.setEnabled(True))
        return self.print_task

    def _printed(self, sent: int) -> None:
        self.print_button.setEnabled(True)
        sentence = ngettext("{pages} page sent to the printer.", "{pages} pages sent to the printer.", sent)
        self.status.setText(sentence.format(pages=sent))

    def save_as(self) -> Path | None:
        """Ask where to keep a copy of the PDF and copy it there; the path, or None if cancelled."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder or Path.home()) / self.path.name)
        chosen = prompts.choose_save_file(self, _("Save as PDF"), _("PDF documents (*.pdf)"), suggested)
        if not chosen:
            return None
        target = prompts.save_target(self, chosen, ".pdf")
        if target is None:
            return None
        try:
            # The dialog asked before replacing a file: force; never the database nor a non-file.
            copy_output(self.path, target, db=self.db, force=True)
        except (InputError, StorageError) as exc:
            show_error(self, exc)
            return None
        self.saved_to = target
        self.status.setText(_("Saved to {path}").format(path=target))
        return target

    # -- life ------------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Close: release the PDF and delete its temporary folder; a print running is cancelled first."""
        task = self.print_task
        if task is not None and task.running:
            # The print uses the pages: stop it, and close once it has stopped.
            task.cancel()
            for signal in (task.was_cancelled, task.finished_ok, task.failed):
                signal.connect(lambda *_args: self.done(result))
            return
        super().done(result)
        self._release()

    def _release(self) -> None:
        _release(self.pages, self._remove_folder)

    @classmethod
    def present(
        cls,
        parent: QWidget | None,
        path: Path,
        *,
        title: str,
        remove_folder: Path | None = None,
        db: object | None = None,
    ) -> ReportPreview | None:
        """Open a preview of ``path`` without blocking; None (after saying why) when it cannot be read."""
        try:
            preview = cls(path, title=title, remove_folder=remove_folder, parent=parent, db=db)
        except Exception as exc:  # a damaged or vanished file: a bug somewhere, shown once
            show_error(parent, exc)
            return None
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.show()
        return preview
