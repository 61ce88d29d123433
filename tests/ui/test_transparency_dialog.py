"""Reportes > Transparency and audit files: the dialog, the file, the work off the GUI thread."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from tresxuno.services.transparency import transparency_book
from tresxuno.ui import prompts as prompt_functions
from tresxuno.ui.dialogs import transparency as module
from tresxuno.ui.views.reports import ReportsView


def _drive(monkeypatch, qtbot, configure) -> None:
    """Replace the modal run of the dialog by an officer's choices and a click on Export."""

    def exec_(dialog: QDialog) -> int:
        qtbot.addWidget(dialog)
        configure(dialog)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        return dialog.result()

    monkeypatch.setattr(module.TransparencyDialog, "exec", exec_)


def _choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_the_srft_is_exported_from_the_reports_page(qtbot, small_db, tmp_path, monkeypatch, prompts):
    view = ReportsView(small_db)
    qtbot.addWidget(view)
    target = tmp_path / "srft.xlsx"
    monkeypatch.setattr(prompt_functions, "choose_save_file", lambda *args, **kwargs: str(target))

    def configure(dialog):
        _choose(dialog.what, "srft")
        assert dialog.visible_fields() == ["what", "year", "quarter"]
        _choose(dialog.year, 2018)
        _choose(dialog.quarter, 4)

    _drive(monkeypatch, qtbot, configure)
    task = view.export_transparency()
    assert task is not None
    qtbot.waitUntil(lambda: not task.running, timeout=30_000)
    assert target.exists()
    headers = [c.value for c in next(load_workbook(target).worksheets[0].iter_rows(max_row=1))]
    assert headers == [c.header for c in transparency_book().layouts["srft"].columns]
    title, text = prompts.messages[-1][1], prompts.messages[-1][2]
    assert title == "Archivo exportado" and "Pagado (federal)" in text and str(target) in text


def test_an_audit_package_needs_a_project_and_says_so_beside_the_field(
    qtbot, small_db, tmp_path, monkeypatch
):
    dialog = module.TransparencyDialog(small_db)
    qtbot.addWidget(dialog)
    _choose(dialog.what, "audit-project")
    assert dialog.visible_fields() == ["what", "project"]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.errors._fields["project"][1].isVisibleTo(dialog)


@pytest.mark.parametrize("what", ["audit-project"])
def test_a_projects_audit_package_from_the_dialog(qtbot, small_db, tmp_path, monkeypatch, prompts, what):
    from sqlalchemy import text

    with small_db.engine.connect() as conn:
        pid = conn.execute(
            text("SELECT id FROM projects WHERE stage = 'cerrado' ORDER BY id LIMIT 1")
        ).scalar()
    target = tmp_path / "paquete.zip"
    monkeypatch.setattr(prompt_functions, "choose_save_file", lambda *args, **kwargs: str(target))

    def configure(dialog):
        _choose(dialog.what, what)
        dialog.project.set_project_id(pid)

    _drive(monkeypatch, qtbot, configure)
    view = ReportsView(small_db)
    qtbot.addWidget(view)
    task = view.export_transparency()
    assert task is not None
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    names = zipfile.ZipFile(target).namelist()
    assert "MANIFIESTO.sha256" in names and "LEEME.txt" in names
    assert prompts.messages[-1][1] == "Paquete de auditoría escrito"
