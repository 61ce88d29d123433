"""The project record's Contraloría social tab: record the committee, correct it, file a report, print."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit
from sqlalchemy import text

from tresxuno.ui.dialogs import social_committee as dialogs
from tresxuno.ui.views.project_detail import ProjectRecord

TODAY = date(2026, 11, 20)


def _approved_project(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT p.id FROM projects p LEFT JOIN social_committees c ON c.project_id = p.id "
                "WHERE c.id IS NULL AND p.stage IN ('aprobado', 'convenio_firmado') ORDER BY p.id LIMIT 1"
            )
        ).scalar_one()


def _save(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def test_recording_the_committee_shows_it_and_offers_its_documents(qtbot, small_db, monkeypatch):
    record = ProjectRecord(small_db, _approved_project(small_db), today=TODAY)
    qtbot.addWidget(record)
    assert not record.committee_record_button.isEnabled()
    assert "committee" not in [a.data() for a in record.print_menu.actions()]
    shown = {}

    def fill_and_save(dialog) -> int:
        qtbot.addWidget(dialog)
        shown["problems"] = None
        for row, name in enumerate(("Guadalupe Ávila", "José Robles", "")):
            edit = dialog.members.cellWidget(row, dialog.NAME)
            assert isinstance(edit, QLineEdit)
            edit.setText(name)
        _save(dialog)  # the third member has no name: refused, naming the row
        shown["problems"] = dialog.general.text()
        dialog.members.selectRow(2)
        dialog.remove_member()
        _save(dialog)
        return dialog.result()

    monkeypatch.setattr(dialogs.CommitteeDialog, "exec", fill_and_save)
    record.edit_committee()
    assert "Integrante 3" in shown["problems"]
    assert record.committee_members.rowCount() == 2
    assert record.committee_members.item(0, 0).text() == "Guadalupe Ávila"
    assert record.committee_members.item(0, 1).text() == "Presidente"
    assert record.committee_record_button.isEnabled()
    assert {"committee", "committee_report"} <= {a.data() for a in record.print_menu.actions()}


def test_filing_a_report_and_correcting_a_position(qtbot, small_db, monkeypatch):
    project_id = _approved_project(small_db)
    record = ProjectRecord(small_db, project_id, today=TODAY)
    qtbot.addWidget(record)

    def elect(dialog) -> int:
        qtbot.addWidget(dialog)
        for row, name in enumerate(("Rosa Delgado", "Luis Mora", "Ana Ruiz")):
            dialog.members.cellWidget(row, dialog.NAME).setText(name)
        _save(dialog)
        return dialog.result()

    monkeypatch.setattr(dialogs.CommitteeDialog, "exec", elect)
    record.edit_committee()

    def report(dialog) -> int:
        qtbot.addWidget(dialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData("informe"))
        dialog.summary.setPlainText("Visita a la obra")
        dialog.findings.setPlainText("Falta el letrero del programa")
        _save(dialog)
        return dialog.result()

    monkeypatch.setattr(dialogs.CommitteeRecordDialog, "exec", report)
    record.file_committee_record()
    assert record.committee_records.rowCount() == 1
    assert record.committee_records.item(0, 3).text() == "Falta el letrero del programa"

    def swap(dialog) -> int:
        qtbot.addWidget(dialog)
        position = dialog.members.cellWidget(1, dialog.POSITION)
        assert isinstance(position, QComboBox)
        position.setCurrentIndex(position.findData("vocal"))
        _save(dialog)
        return dialog.result()

    monkeypatch.setattr(dialogs.CommitteeDialog, "exec", swap)
    record.edit_committee()
    assert record.committee_members.item(1, 1).text() == "Vocal"
    assert record.committee_button.text().replace("&", "") == "Corregir el comité…"
