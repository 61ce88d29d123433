"""The project record's Convenio tab: edit the account, modality and goals; a wrong CLABE is refused."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from sqlalchemy import text

from tresxuno.domain.convenio import CONTRATO
from tresxuno.services.convenio_terms import convenio_terms
from tresxuno.services.goals import goals_of
from tresxuno.ui.dialogs import convenio_terms as dialogs
from tresxuno.ui.views.project_detail import ProjectRecord

TODAY = date(2026, 11, 20)


def _draft_project(db) -> int:
    """A project the demo gave no convenio terms (not approved yet)."""
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT p.id FROM projects p LEFT JOIN project_convenio_terms t ON t.project_id = p.id "
                "WHERE t.project_id IS NULL ORDER BY p.id LIMIT 1"
            )
        ).scalar_one()


def _save(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def _set_goal(dialog, row: int, *values: str) -> None:
    for column, value in enumerate(values):
        edit = dialog.goals.cellWidget(row, column)
        assert isinstance(edit, QLineEdit)
        edit.setText(value)


def test_editing_terms_and_goals_from_the_project_record(qtbot, small_db, monkeypatch):
    project_id = _draft_project(small_db)
    record = ProjectRecord(small_db, project_id, today=TODAY)
    qtbot.addWidget(record)
    assert record.convenio_fields["clabe"].text() == "—"
    seen: dict[str, str] = {}

    def fill_and_save(dialog) -> int:
        qtbot.addWidget(dialog)
        size = dialog.sizeHint().expandedTo(dialog.size())
        seen["size"] = f"{size.width()}x{size.height()}"
        assert size.width() <= 1366 and size.height() <= 768 - 60  # fits the screen with its title bar
        dialog.clabe.setText("032180000118359711")  # one digit wrong
        dialog.bank.setText("BanBajío")
        dialog.modality.setCurrentIndex(dialog.modality.findData(CONTRATO))
        assert dialog.contractor_name.isEnabled()
        dialog.contractor_name.setText("Constructora Ejemplo, S.A. de C.V.")
        dialog.contractor_rfc.setText("GODE561231GR8")
        _set_goal(dialog, 0, "Pavimentación de calle", "1,250.5", "metros cuadrados", "420")
        _save(dialog)
        seen["refused"] = dialog.errors.texts().get("clabe", "")
        assert dialog.result() == 0  # not accepted: nothing stored
        dialog.clabe.setText("0321 8000 0118 3597 19")
        dialog.add_goal()
        _set_goal(dialog, 1, "Luminarias", "mucho", "piezas", "420")
        _save(dialog)
        seen["goal"] = dialog.general.text()
        _set_goal(dialog, 1, "Luminarias", "12", "piezas", "420")
        _save(dialog)
        return dialog.result()

    monkeypatch.setattr(dialogs.ConvenioTermsDialog, "exec", fill_and_save)
    record.edit_convenio_terms()
    assert "032180000118359711" in seen["refused"] and "9" in seen["refused"]  # the control digit it needs
    assert "mucho" in seen["goal"] and "2" in seen["goal"]
    terms = convenio_terms(small_db, project_id)
    assert terms.clabe == "032180000118359719" and terms.modality == CONTRATO
    assert terms.contractor_rfc == "GODE561231GR8"
    goals = goals_of(small_db, project_id)
    assert [(g.description, g.quantity_milli, g.unit, g.beneficiaries) for g in goals] == [
        ("Pavimentación de calle", 1_250_500, "metros cuadrados", 420),
        ("Luminarias", 12_000, "piezas", 420),
    ]
    assert record.convenio_fields["clabe"].text() == "032180000118359719"
    assert record.goals_table.rowCount() == 2 and record.goals_table.item(0, 1).text() == "1,250.5"


def test_declarations_are_edited_in_their_own_dialog_and_a_wrong_rfc_is_refused(qtbot, empty_db):
    from tresxuno.services.convenio_terms import office_declarations
    from tresxuno.ui.dialogs.declarations import DeclarationsDialog

    dialog = DeclarationsDialog(empty_db)
    qtbot.addWidget(dialog)
    assert dialog.fields[("municipal", "rfc")].isReadOnly()  # the office's RFC, set in Preferences
    dialog.fields[("state", "representative")].setText("Lic. Adriana Ruvalcaba Ortiz")
    dialog.fields[("state", "rfc")].setText("GEZ850101C41")  # wrong check digit
    _save(dialog)
    assert dialog.result() == 0 and dialog.errors.texts().get("state.rfc")
    assert office_declarations(empty_db)["state"].representative == ""  # nothing stored
    dialog.fields[("state", "rfc")].setText("gez-850101-c40")
    _save(dialog)
    assert dialog.result() == 1
    state = office_declarations(empty_db)["state"]
    assert (state.representative, state.rfc) == ("Lic. Adriana Ruvalcaba Ortiz", "GEZ850101C40")
