"""The technical validation dialog and the padrón's school level, driven as the officers use them."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from sqlalchemy import text

from tests.ui.conftest import OFFSCREEN_SIZE_HINTS
from tresxuno.services.technical_validation import validations_of
from tresxuno.ui.dialogs import technical_validation as dialogs
from tresxuno.ui.views.project_detail import ProjectRecord

TODAY = date(2026, 11, 20)
pytestmark = OFFSCREEN_SIZE_HINTS


def _project(db, where: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text(f"SELECT id FROM projects WHERE {where} ORDER BY id LIMIT 1")).scalar_one()


def test_scoring_each_criterion_shows_the_total_and_stores_the_scoring(qtbot, small_db, monkeypatch):
    pid = _project(small_db, "stage = 'solicitado'")
    before = len(validations_of(small_db, pid))
    record = ProjectRecord(small_db, pid, today=TODAY)
    qtbot.addWidget(record)
    assert record.validation_button.isEnabled()
    seen = {}

    def score_and_save(dialog) -> int:
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.day.setDate(QDate(2026, 11, 2))
        dialog.validator.clear()
        qtbot.keyClicks(dialog.validator, "Ing. Rosa Castaneda")
        spins = list(dialog.points.values())
        for spin in spins:
            spin.setValue(spin.maximum())
        seen["full"] = dialog.total.text()
        spins[0].setValue(0)  # the technical file is required: 0 fails whatever the total
        seen["failed"] = dialog.total.text()
        spins[0].setValue(spins[0].maximum())
        qtbot.keyClicks(dialog.notes[next(iter(dialog.points))], "Planos completos")
        qtbot.keyClick(dialog.validator, Qt.Key.Key_Return)  # Enter saves: Save is the default button
        return dialog.result()

    monkeypatch.setattr(dialogs.TechnicalValidationDialog, "exec", score_and_save)
    dialog = record.open_validation()
    assert dialog is not None and dialog.saved is not None
    assert "100 de 100" in seen["full"] and "técnicamente válido" in seen["full"]
    assert "no válido" in seen["failed"]
    stored = validations_of(small_db, pid)
    assert len(stored) == before + 1 and stored[-1].verdict.points == 100
    assert stored[-1].scores[0].note == "Planos completos" and stored[-1].validated_on == date(2026, 11, 2)


def test_the_dialog_refuses_a_missing_name_in_place_and_fits_the_screen(qtbot, small_db):
    pid = _project(small_db, "stage = 'solicitado'")
    dialog = dialogs.TechnicalValidationDialog(small_db, pid, "F", 2019)
    qtbot.addWidget(dialog)
    dialog.validator.clear()
    assert dialog.save() is False
    assert dialog.errors._fields["validator_name"][1].isVisibleTo(dialog)
    dialog.show()
    size = dialog.frameGeometry()
    assert size.width() <= 1366 and size.height() <= 728  # a 1366×768 laptop, less the taskbar


def test_the_padron_of_a_scholarship_project_asks_for_the_level_and_shows_the_amount(qtbot, small_db):
    pid = _project(small_db, "category = 'scholarships' AND program = '3x1'")
    record = ProjectRecord(small_db, pid, today=TODAY)
    qtbot.addWidget(record)
    assert record.padron_level.isEnabled() and record.padron_level.count() >= 2
    assert not record.padron_table.isColumnHidden(5)
    rows = record.padron_table.rowCount()
    fields = record.padron_fields
    qtbot.keyClicks(fields["given_names"], "Guadalupe")
    qtbot.keyClicks(fields["first_surname"], "Hernandez")
    qtbot.keyClicks(fields["curp"], "HEGG560427MVZRRL04")
    record.padron_level.setCurrentIndex(1)
    level = record.padron_level.currentText()
    record.padron_button.click()
    assert record.padron_table.rowCount() == rows + 1
    found = [
        r
        for r in range(record.padron_table.rowCount())
        if record.padron_table.item(r, 3).text() == "HEGG560427MVZRRL04"
    ]
    assert found and record.padron_table.item(found[0], 5).text() in level
    assert record.padron_table.item(found[0], 6).text().startswith("$")
