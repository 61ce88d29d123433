"""The report preview: pages rendered lazily, page numbers, zoom, Print to a (faked) printer, Save as PDF."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfgen import canvas

from tresxuno.i18n import ngettext
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.report_preview import ReportPreview
from tresxuno.ui.pdf_pages import PdfPages, page_range

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


def _pdf(path: Path, pages: int, *, wide_from: int | None = None) -> Path:
    """A PDF whose page N says "Hoja N" (landscape from page ``wide_from`` on)."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for number in range(1, pages + 1):
        if wide_from is not None and number >= wide_from:
            pdf.setPageSize(landscape(letter))
        pdf.setFont("Helvetica", 40)
        pdf.drawString(72, 300, f"Hoja {number}")
        pdf.rect(36, 36, 200, 200, fill=1)  # ink to find on the printed page
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def preview(qtbot, tmp_path):
    def make(pages: int, **kwargs: object) -> ReportPreview:
        folder = tmp_path / "report"
        folder.mkdir(exist_ok=True)
        path = _pdf(folder / "cedula_3X1-2024-32020-0001.pdf", pages, **kwargs)  # type: ignore[arg-type]
        dialog = ReportPreview(path, title="Cédula del proyecto", remove_folder=folder)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def _fake_printer(monkeypatch, target: Path, *, pages: tuple[int, int] | None = None) -> list[int]:
    """The print dialog replaced: the printer writes a PDF file (optionally a page range)."""
    asked: list[int] = []

    def choose(parent, printer: QPrinter, count: int) -> bool:
        asked.append(count)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        printer.setResolution(96)  # small images: the test checks pages, not print quality
        if pages is not None:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*pages)
        return True

    monkeypatch.setattr(prompts, "choose_printer", choose)
    return asked


def test_a_long_report_opens_rendering_only_the_pages_in_view(preview, qtbot):
    dialog = preview(120)
    qtbot.waitUntil(lambda: bool(dialog.canvas.rendered))
    assert dialog.page_count() == 120
    assert dialog.page_label.text() == "Página 1 de 120"
    assert not dialog.previous_button.isEnabled() and dialog.next_button.isEnabled()
    rendered = set(dialog.canvas.rendered)
    assert rendered and max(rendered) <= 3, "only the first pages are drawn when the preview opens"


def test_page_navigation_and_zoom(preview, qtbot):
    dialog = preview(5)
    dialog.next_button.click()
    assert dialog.current_page() == 2
    assert dialog.page_label.text() == "Página 2 de 5"
    dialog.go_to_page(99)
    assert dialog.current_page() == 5 and not dialog.next_button.isEnabled()
    qtbot.waitUntil(lambda: 4 in dialog.canvas.rendered)  # the last page is drawn once in view

    dialog.actual_button.click()
    assert dialog.zoom() == pytest.approx(1.0)
    assert dialog.zoom_label.text() == "100 %"
    assert dialog.current_page() == 5, "zooming keeps the page in view"
    dialog.zoom_in_button.click()
    assert dialog.zoom() == pytest.approx(1.25)
    dialog.fit_button.click()
    width = dialog.canvas.page_rect(0).width()
    room = dialog.scroll.viewport().width()
    assert room * 0.8 < width <= room


def test_print_paints_every_page_on_the_printer(preview, monkeypatch, tmp_path, qtbot):
    dialog = preview(4, wide_from=4)
    target = tmp_path / "printed.pdf"
    asked = _fake_printer(monkeypatch, target)
    task = dialog.print_report()
    assert task is not None and asked == [4]
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    printed = PdfReader(target)
    assert len(printed.pages) == 4
    assert dialog.status.text() == ngettext(
        "{pages} page sent to the printer.", "{pages} pages sent to the printer.", 4
    ).format(pages=4)
    # The landscape page went out on landscape paper; every page carries its picture.
    box = printed.pages[3].mediabox
    assert float(box.width) > float(box.height)
    assert all(len(page.images) == 1 for page in printed.pages)
    assert dialog.print_button.isEnabled()


def test_print_honours_the_page_range(preview, monkeypatch, tmp_path, qtbot):
    dialog = preview(6)
    target = tmp_path / "range.pdf"
    _fake_printer(monkeypatch, target, pages=(2, 3))
    task = dialog.print_report()
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    assert len(PdfReader(target).pages) == 2


def test_cancelling_the_print_dialog_prints_nothing(preview, monkeypatch):
    dialog = preview(2)
    monkeypatch.setattr(prompts, "choose_printer", lambda parent, printer, count: False)
    assert dialog.print_report() is None
    assert dialog.print_button.isEnabled()


def test_save_as_pdf_copies_the_report_under_the_suggested_name(preview, monkeypatch, tmp_path):
    dialog = preview(3)
    asked: list[str] = []

    def choose(parent, title, name_filter="", directory=""):
        asked.append(directory)
        return str(tmp_path / "para el club")  # no extension typed

    monkeypatch.setattr(prompts, "choose_save_file", choose)
    saved = dialog.save_as()
    assert Path(asked[0]).name == "cedula_3X1-2024-32020-0001.pdf"
    assert saved == tmp_path / "para el club.pdf"
    assert saved.read_bytes() == dialog.path.read_bytes()
    assert "Hoja 3" in PdfReader(saved).pages[2].extract_text()


def test_save_cancelled_writes_nothing(preview, monkeypatch, tmp_path):
    dialog = preview(1)
    monkeypatch.setattr(prompts, "choose_save_file", lambda *args, **kwargs: "")
    assert dialog.save_as() is None
    assert dialog.saved_to is None


def test_closing_releases_the_temporary_folder(preview, qtbot):
    dialog = preview(2)
    folder = dialog.path.parent
    dialog.close()
    assert not folder.exists()
    assert dialog.pages.closed


def test_page_range_defaults_to_every_page():
    printer = QPrinter()
    assert page_range(printer, 7) == range(7)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(3, 20)
    assert page_range(printer, 7) == range(2, 7)


def test_pdf_pages_render_at_the_asked_resolution(tmp_path):
    pages = PdfPages(_pdf(tmp_path / "one.pdf", 1))
    try:
        image = pages.render(0, 72)
        assert (image.width(), image.height()) == (612, 792)  # letter, in points
        assert pages.render(0, 144).width() == 1224
        assert image.pixelColor(100, 700).black() > 200  # the black square, near the bottom left
    finally:
        pages.close()


def test_save_as_never_writes_onto_the_database(qtbot, monkeypatch, tmp_path):
    """Attack: "Save as PDF" aimed at the open database through a link; refused, file unchanged."""
    import hashlib

    from tresxuno.db.engine import open_database
    from tresxuno.ui.dialogs import report_preview

    db = open_database(str(tmp_path / "oficina.sqlite"))
    before = hashlib.sha256(db.path.read_bytes()).hexdigest()
    folder = tmp_path / "report"
    folder.mkdir()
    dialog = ReportPreview(_pdf(folder / "x.pdf", 1), title="Cédula", remove_folder=folder, db=db)
    qtbot.addWidget(dialog)
    shown: list[BaseException] = []
    monkeypatch.setattr(report_preview, "show_error", lambda parent, exc: shown.append(exc))
    link, hard = tmp_path / "copia.pdf", tmp_path / "otra.pdf"
    link.symlink_to(db.path)
    os.link(db.path, hard)
    for chosen in (link, hard):
        monkeypatch.setattr(prompts, "choose_save_file", lambda *args, chosen=chosen, **kwargs: str(chosen))
        assert dialog.save_as() is None
    assert [p.code for exc in shown for p in exc.problems] == ["output.is_database"] * 2  # type: ignore[attr-defined]
    assert hashlib.sha256(db.path.read_bytes()).hexdigest() == before
    dialog.done(0)  # releases the PDF
    db.dispose()


def test_save_as_asks_before_replacing_a_file_the_dialog_did_not_ask_about(preview, monkeypatch, tmp_path):
    """The ".pdf" added to what was typed may name an existing file: asked here; "no" keeps it."""
    dialog = preview(1)
    existing = tmp_path / "para el club.pdf"
    existing.write_bytes(b"el de ayer")
    monkeypatch.setattr(prompts, "choose_save_file", lambda *args, **kwargs: str(tmp_path / "para el club"))
    questions: list[str] = []
    answer = [False]
    monkeypatch.setattr(
        prompts, "confirm", lambda parent, title, text, **kw: questions.append(text) or answer[0]
    )
    assert dialog.save_as() is None
    assert existing.read_bytes() == b"el de ayer" and str(existing) in questions[0]
    answer[0] = True
    assert dialog.save_as() == existing
    assert existing.read_bytes() == dialog.path.read_bytes()
