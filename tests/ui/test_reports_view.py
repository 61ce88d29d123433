"""The Reportes page and printing from the records: choose, fill, generate off the GUI thread, preview."""

from __future__ import annotations

import importlib.util
import random
import tempfile
from pathlib import Path

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlalchemy import text

from tresxuno.i18n import _
from tresxuno.services.projects import ProjectFilters, list_projects
from tresxuno.services.reporting import kinds as report_kinds
from tresxuno.ui import prompts as prompt_functions
from tresxuno.ui.dialogs.entries import ProjectChoice
from tresxuno.ui.dialogs.report_preview import ReportPreview
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.reporting import report_title
from tresxuno.ui.views.ledger import LedgerView
from tresxuno.ui.views.project_detail import ProjectRecord
from tresxuno.ui.views.reports import ReportsView

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def report_folder(tmp_path, monkeypatch) -> Path:
    """Temporary report files go to a folder the test can look into."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _scalar(db, sql: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _view(qtbot, db) -> ReportsView:
    view = ReportsView(db)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    return view


@pytest.fixture(autouse=True)
def _close_previews(qapp):
    """Previews delete themselves on close; close those a test left open (releasing their files)."""
    yield
    for widget in qapp.topLevelWidgets():
        for preview in [widget, *widget.findChildren(ReportPreview)]:
            if isinstance(preview, ReportPreview) and shiboken6.isValid(preview):
                preview.close()


def _wait_preview(qtbot, holder, attribute: str = "preview") -> ReportPreview:
    qtbot.waitUntil(lambda: isinstance(getattr(holder, attribute, None), ReportPreview), timeout=30_000)
    return getattr(holder, attribute)


def _titles(view: ReportsView) -> dict[str, tuple[str, bool]]:
    items = (view.kind_model.item(row) for row in range(view.kind_model.rowCount()))
    return {
        item.data(Qt.ItemDataRole.UserRole): (item.text(), bool(item.flags() & Qt.ItemFlag.ItemIsEnabled))
        for item in items
    }


def test_every_kind_is_listed_with_the_fields_it_needs(qtbot, small_db):
    view = _view(qtbot, small_db)
    titles = _titles(view)
    for kind in report_kinds.REPORT_KINDS:
        assert titles[kind] == (report_title(kind), True)
    assert titles["project"][0] == "Cédula del proyecto"
    assert titles["statement"][0] == "Estado de cuenta"
    expected = {
        "receipt": ["project", "entry"],
        "agreement": ["project"],
        "session": ["session"],
        "handover": ["project"],
        "quarterly": ["year", "quarter", "municipality"],
        "summary": ["year", "municipality"],
    }
    for kind, fields in expected.items():
        assert view.choose_kind(kind) and view.visible_fields() == fields


def test_only_the_registry_kinds_are_offered(qtbot, small_db, monkeypatch):
    kinds = tuple(k for k in report_kinds.REPORT_KINDS if k != "handover")
    monkeypatch.setattr(report_kinds, "REPORT_KINDS", (*kinds, "future"))
    view = _view(qtbot, small_db)
    titles = _titles(view)
    assert "handover" not in titles and not view.choose_kind("handover")
    assert titles["future"] == ("future", True)  # a kind without a title yet shows its id, last
    assert list(titles) == [*kinds, "future"]


def test_the_quarterly_report_takes_the_office_municipality_as_optional(qtbot, small_db):
    view = _view(qtbot, small_db)
    assert _titles(view)["quarterly"][1]
    assert view.choose_kind("quarterly")
    assert view.visible_fields() == ["year", "quarter", "municipality"]
    assert view.captions["municipality"].text().startswith(_("{label} (optional)").format(label="&Municipio"))
    order = view.order()
    assert order is not None and order.options["year"] == view.year.currentData()
    assert order.options["municipality"] == "32020"  # the office's municipality (demo: Jerez)
    view.municipality.setCurrentIndex(-1)
    view.municipality.setEditText("")
    assert "municipality" not in view.order().options


def test_the_chosen_report_survives_a_language_switch(qtbot, small_db):
    window = MainWindow(small_db)
    qtbot.addWidget(window)
    window.show_view("reports")
    view = window.views["reports"]
    assert isinstance(view, ReportsView) and view.choose_kind("quarterly")
    view.quarter.setCurrentIndex(2)
    window.switch_language("en")
    view = window.views["reports"]
    assert isinstance(view, ReportsView)
    assert view.current_kind() == "quarterly" and view.quarter.currentIndex() == 2
    assert view.heading.text() == "Quarterly report"
    window.switch_language("es")


def test_missing_project_is_reported_next_to_the_field_in_spanish(qtbot, small_db):
    view = _view(qtbot, small_db)
    assert view.choose_kind("project")
    assert view.generate() is None
    assert view.errors.texts()["project"] == "elija uno de la lista"
    assert view.choose_kind("receipt")
    assert view.generate() is None
    assert view.errors.texts()["project"] == "elija uno de la lista"
    assert view.task is None


def test_cedula_generated_off_the_gui_thread_and_previewed(
    qtbot, small_db, monkeypatch, tmp_path, report_folder
):
    project = list_projects(small_db, ProjectFilters(), limit=1)[0]
    view = _view(qtbot, small_db)
    assert view.choose_kind("project")
    view.project.edit.setFocus()
    qtbot.keyClicks(view.project.edit, project.folio)
    qtbot.keyClick(view.project.edit, Qt.Key.Key_Return)
    assert view.project.choice is not None and view.project.choice.id == project.id
    task = view.generate()
    assert task is not None
    preview = _wait_preview(qtbot, view)
    assert preview.path.name == f"cedula_{project.folio}.pdf"
    assert preview.page_count() == len(PdfReader(preview.path).pages) >= 1
    assert preview.windowTitle().endswith("Cédula del proyecto")

    copy = str(tmp_path / "copia.pdf")
    monkeypatch.setattr(prompt_functions, "choose_save_file", lambda *args, **kwargs: copy)
    saved = preview.save_as()
    assert saved is not None
    words = "".join(page.extract_text() for page in PdfReader(saved).pages)
    assert project.folio in words and "Cédula del proyecto" in words
    preview.close()
    assert list(report_folder.iterdir()) == [], "the temporary report goes with the preview"


def test_cancel_during_a_long_statement_leaves_no_file(qtbot, small_db, report_folder):
    source = ROOT / "benchmarks" / "bench_statement.py"
    spec = importlib.util.spec_from_file_location("bench_statement", source)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    project_id = _scalar(small_db, "SELECT MIN(project_id) FROM ledger_entries")
    assert small_db.path is not None
    bench.fill_ledger(small_db.path, project_id, 4000, random.Random(5))

    view = _view(qtbot, small_db)
    assert view.choose_kind("statement")
    view.project.set_project_id(project_id)
    task = view.generate()
    assert task is not None and task.dialog is not None
    qtbot.waitUntil(lambda: task.dialog.value() > 0, timeout=20_000)  # reading or drawing has begun
    with qtbot.waitSignal(task.was_cancelled, timeout=30_000):
        task.dialog.canceled.emit()  # the progress dialog's Cancel button
    assert list(report_folder.iterdir()) == []
    assert view.preview is None
    # Still usable: the next report is prepared and shown.
    assert view.generate_button.isEnabled()
    assert view.choose_kind("project")
    view.generate()
    preview = _wait_preview(qtbot, view)
    assert preview.page_count() >= 1


def test_a_report_refused_by_the_service_is_explained(qtbot, small_db, prompts):
    draft = _scalar(small_db, "SELECT MIN(id) FROM projects WHERE stage IN ('borrador', 'solicitado')")
    view = _view(qtbot, small_db)
    assert view.choose_kind("agreement")
    view.project.set_project_id(draft)
    task = view.generate()
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    assert prompts.messages, "the refusal was shown"
    assert "COVAM" in prompts.messages[-1][2]
    assert view.generate_button.isEnabled()


def test_no_projects_says_what_to_do(qtbot, empty_db):
    view = _view(qtbot, empty_db)
    assert view.empty.isVisible()
    assert "tresxuno demo" in view.empty.text()


def test_ctrl_p_in_the_main_window_previews_the_chosen_report(qtbot, small_db):
    window = MainWindow(small_db)
    qtbot.addWidget(window)
    window.show()
    window.show_view("reports")
    view = window.views["reports"]
    assert isinstance(view, ReportsView)
    view.project.set_project_id(list_projects(small_db, ProjectFilters(), limit=1)[0].id)
    assert window.actions_by_name["print"].isEnabled()
    window.actions_by_name["print"].trigger()
    assert _wait_preview(qtbot, view).page_count() >= 1


def test_ctrl_p_on_the_project_list_previews_the_selected_cedula(qtbot, small_db):
    window = MainWindow(small_db)
    qtbot.addWidget(window)
    window.show()
    window.show_view("projects")
    view = window.views["projects"]
    print_action = window.actions_by_name["print"]
    assert not print_action.isEnabled(), "nothing selected, nothing to print"
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    view.table.selectRow(0)
    assert print_action.isEnabled()
    print_action.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(ReportPreview)), timeout=30_000)
    preview = window.findChildren(ReportPreview)[0]
    assert preview.path.name.startswith("cedula_")


def test_project_record_prints_its_reports(qtbot, small_db):
    approved = _scalar(small_db, "SELECT MIN(id) FROM projects WHERE stage = 'en_ejecucion'")
    draft = _scalar(small_db, "SELECT MIN(id) FROM projects WHERE stage = 'borrador'")
    record = ProjectRecord(small_db, draft)
    qtbot.addWidget(record)
    kinds = [a.data() for a in record.print_menu.actions()]
    assert kinds == ["project", "statement"], "no agreement before the COVAM approves"

    record = ProjectRecord(small_db, approved)
    qtbot.addWidget(record)
    record.show()
    actions = {a.data(): a for a in record.print_menu.actions()}
    assert list(actions) == ["project", "validation", "agreement", "statement"], "scored before the COVAM"
    actions["agreement"].trigger()
    preview = _wait_preview(qtbot, record)
    words = PdfReader(preview.path).pages[0].extract_text()
    assert "Convenio de concertación" in words
    assert preview.path.name.startswith("convenio_")
    preview.close()

    record.preview = None
    qtbot.waitUntil(lambda: not record.report_task.running)
    with qtbot.waitActive(record):
        record.activateWindow()
    qtbot.keyClick(record, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # Ctrl+P: the cédula
    assert _wait_preview(qtbot, record).path.name.startswith("cedula_")


def test_ledger_prints_the_receipt_of_a_selected_contribution(qtbot, small_db):
    view = LedgerView(small_db)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    kinds = [view.model.entry(row).kind for row in range(view.model.rowCount())]
    view.table.selectRow(kinds.index("payment"))
    assert not view.receipt_action.isEnabled() and not view.can_print()
    row = kinds.index("contribution")
    view.table.selectRow(row)
    assert view.receipt_action.isEnabled() and view.can_print()
    entry = view.model.entry(row)
    view.print_current()
    qtbot.waitUntil(lambda: bool(view.findChildren(ReportPreview)), timeout=30_000)
    preview = view.findChildren(ReportPreview)[0]
    assert preview.path.name == f"recibo_{entry.id}.pdf"
    assert "Recibo de aportación" in PdfReader(preview.path).pages[0].extract_text()


def test_a_receipt_is_chosen_from_the_projects_contributions(qtbot, small_db):
    """Issue 15 item 4: no raw ledger number; the project's contributions, each with its receipt folio."""
    from tresxuno.services.ledger import list_entries
    from tresxuno.services.reporting.receipt import receipt_number

    view = _view(qtbot, small_db)
    assert view.choose_kind("receipt")
    pid = _scalar(
        small_db, "SELECT project_id FROM ledger_entries WHERE kind = 'contribution' ORDER BY id LIMIT 1"
    )
    project = next(p for p in list_projects(small_db, ProjectFilters(), limit=1000) if p.id == pid)
    view.project.set_choice(ProjectChoice(project.id, project.folio, project.name, project.stage))
    contributions = list_entries(small_db, project_id=pid, kind="contribution", limit=1000)
    assert view.entry.count() == len(contributions) > 0
    assert view.entry.currentIndex() == -1  # nothing chosen for the officer
    assert view.generate() is None and "entry" in view.errors.texts()
    view.entry.setCurrentIndex(0)
    assert receipt_number(small_db, contributions[0]) in view.entry.currentText()
    order = view.order()
    assert order is not None and order.options == {"entry_id": contributions[0].id}
