"""The close-year dialog: the year's federal reintegros, an administrador's exception, the refusal.

Closing is refused while a reintegro is missing, with the service's message naming folio, amount and
deadline; an administrador records an exception in the dialog, and then the year closes.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from tests.services.test_ledger import SHARE, fund, new_club, signed_project
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.ledger import FiscalYearClose
from tresxuno.formatting import money_text
from tresxuno.i18n import set_language
from tresxuno.services.users import create_user
from tresxuno.services.year_end import required_reintegros
from tresxuno.ui import prompts as prompts_module
from tresxuno.ui.dialogs.close_year import CloseYearDialog, ReintegroExceptionDialog

from .conftest import OFFSCREEN_SIZE_HINTS
from .test_entry_dialogs import make_template, open_copy, show, type_into

pytestmark = OFFSCREEN_SIZE_HINTS
TODAY = date(2026, 3, 31)
PW = "una clave larga y segura 42"


@pytest.fixture(scope="module")
def _migrated(tmp_path_factory):
    return make_template(tmp_path_factory)


@pytest.fixture
def db(_migrated, tmp_path):
    set_language("en")
    yield from open_copy(_migrated, tmp_path)


@pytest.fixture
def project(db, tmp_path):
    project = signed_project(db, tmp_path, club_id=new_club(db).id)
    fund(db, project.id, date(2019, 7, 1))  # the federal 1,000,000.00 never spent nor refunded
    return project


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_closing_is_refused_until_an_administrador_excepts_the_missing_reintegro(
    qtbot, db, project, monkeypatch
):
    monkeypatch.setattr(prompts_module, "confirm", lambda *a, **k: True)
    dialog = show(qtbot, CloseYearDialog(db, today=TODAY))
    dialog.year.setCurrentIndex(dialog.year.findData(2019))
    assert dialog.reintegros.isVisible() and dialog.reintegros.rowCount() == 1
    row = cells(dialog.reintegros, 0)
    assert row[0] == project.folio and row[2] == money_text(SHARE) and row[3] == "15/01/2020"
    assert row[4] == "Missing (overdue)"
    assert "15/01/2020" in dialog.reintegros_label.text()
    assert not dialog.exception_button.isEnabled()  # nothing selected yet

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    refusal = dialog.errors.texts().get("year", "")
    assert dialog.result_close is None
    assert project.folio in refusal and money_text(SHARE) in refusal and "15/01/2020" in refusal

    def fill(form: QDialog) -> None:
        save = form.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)  # nothing typed: both fields are required
        assert (
            set(form.errors.texts()) == {"reason", "authorised_by"}
            and form.result() != QDialog.DialogCode.Accepted
        )
        qtbot.keyClicks(form.reason, "Obra suspendida por litigio")
        type_into(qtbot, form.authorised_by, "Lic. Ana Ruiz, Tesorera")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    seen: list[str] = []

    def fake_exec(self) -> int:
        self.show()  # not handed to qtbot: the close dialog deletes it after exec
        qtbot.waitExposed(self)
        seen.append(" ".join(label.text() for label in self.findChildren(QLabel)))
        fill(self)
        return self.result()

    monkeypatch.setattr(ReintegroExceptionDialog, "exec", fake_exec)
    dialog.reintegros.selectRow(0)
    assert dialog.exception_button.isEnabled()
    qtbot.mouseClick(dialog.exception_button, Qt.MouseButton.LeftButton)
    assert seen and project.folio in seen[0] and money_text(SHARE) in seen[0]
    row = cells(dialog.reintegros, 0)
    assert row[4] == "Excepted" and row[5] == "Lic. Ana Ruiz, Tesorera: Obra suspendida por litigio"
    assert [r.status.value for r in required_reintegros(db, 2019, today=TODAY)] == ["excepted"]

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert isinstance(dialog.result_close, FiscalYearClose) and dialog.result_close.year == 2019
    assert cells(dialog.reintegros, 0)[4] == "Excepted"  # the closed year's reintegros stay in view
    assert dialog.year.findData(2019) < 0


def test_the_dialog_fits_a_1366_by_768_screen_and_gates_each_button_by_role(qtbot, db, project):
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "tesorera", "Teresa Ruiz", "tesoreria", PW)
        admin = show(qtbot, CloseYearDialog(db, today=TODAY))
        admin.year.setCurrentIndex(admin.year.findData(2019))
        admin.reintegros.selectRow(0)
        assert admin.exception_button.isEnabled() and not admin.close_button.isEnabled()
        assert admin.width() <= 1366 and admin.height() <= 700  # room for the frame and a taskbar
        assert admin.minimumSizeHint().width() <= 1366 and admin.minimumSizeHint().height() <= 700
    with acting_as(Actor("tesorera", "tesoreria")):
        treasury = show(qtbot, CloseYearDialog(db, today=TODAY))
        treasury.year.setCurrentIndex(treasury.year.findData(2019))
        treasury.reintegros.selectRow(0)
        assert treasury.close_button.isEnabled() and not treasury.exception_button.isEnabled()
        assert "Administrator" in treasury.exception_button.toolTip()
