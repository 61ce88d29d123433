"""The convenio modificatorio, driven through the real dialog and the project record."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.services.test_ledger import COST, SHARE, new_club, signed_project
from tresxuno.db.engine import Database, open_database
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.formatting import money_text, party_label
from tresxuno.i18n import _
from tresxuno.services.amendments import amendments
from tresxuno.services.projects import get_project
from tresxuno.ui.dialogs import amendment as amendment_module
from tresxuno.ui.dialogs.amendment import AmendmentDialog
from tresxuno.ui.views.project_detail import ProjectRecord

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS

TODAY = date.today()


@pytest.fixture(scope="module")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(path.parent / "data"))
        open_database(str(path)).dispose()
    return path


@pytest.fixture
def db(_migrated: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "t.sqlite"
    shutil.copyfile(_migrated, path)
    database = open_database(str(path))
    yield database
    database.dispose()


@pytest.fixture
def signed(db, tmp_path):
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def _dialog(qtbot, db, project_id) -> AmendmentDialog:
    dialog = AmendmentDialog(db, project_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _fill(qtbot, dialog: AmendmentDialog, cost: str) -> None:
    dialog.cost.selectAll()
    qtbot.keyClicks(dialog.cost, cost)
    dialog.reason.setPlainText("Ampliación de metas: 200 metros más de red")
    qtbot.keyClicks(dialog.authorised_by, "Ing. Rosa Avila, Directora de Obras")
    qtbot.keyClicks(dialog.document, "CM-01")


def _preview(dialog: AmendmentDialog) -> dict[str, tuple[str, str]]:
    table = dialog.preview
    return {
        table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
        for r in range(table.rowCount())
    }


def test_typing_a_cost_previews_each_share_and_enter_records_the_amendment(qtbot, db, signed):
    dialog = _dialog(qtbot, db, signed.id)
    _fill(qtbot, dialog, "4,400,000.00")
    qtbot.waitUntil(lambda: money_text(SHARE + 10_000_000) in _preview(dialog)[party_label("club")][1])
    before, after = _preview(dialog)[party_label("federal")]
    assert before.startswith(money_text(SHARE)) and after.startswith(money_text(SHARE))  # at its cap
    state_after = _preview(dialog)[party_label("state")][1]
    assert state_after.startswith(money_text(SHARE + 15_000_000))  # the shortfall goes to the state
    assert money_text(COST + 40_000_000) in dialog.preview_note.text()

    dialog.cost.setFocus()
    qtbot.keyClick(dialog.cost, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_project(db, signed.id).cost == COST + 40_000_000
    [_original, first] = amendments(db, signed.id)
    assert first.document_reference == "CM-01" and first.authorised_by.startswith("Ing. Rosa")


def test_a_refusal_stays_open_with_the_problem_under_its_field(qtbot, db, signed):
    dialog = _dialog(qtbot, db, signed.id)
    _fill(qtbot, dialog, "4,000,000.00")  # the current cost
    dialog.reason.clear()
    qtbot.keyClick(dialog.cost, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    errors = dialog.errors.texts()
    assert {"cost", "reason"} <= set(errors)
    assert len(amendments(db, signed.id)) == 1


def test_the_dialog_fits_a_1366_by_768_screen(qtbot, db, signed):
    dialog = _dialog(qtbot, db, signed.id)
    hint = dialog.sizeHint().expandedTo(dialog.minimumSizeHint())
    assert hint.width() <= 1366 and hint.height() <= 768 - 60  # room for the taskbar and title bar
    assert dialog.width() <= 1366 and dialog.height() <= 768 - 60


def test_the_record_offers_the_amendment_and_shows_every_version(qtbot, db, signed, monkeypatch):
    record = ProjectRecord(db, signed.id, today=TODAY)
    qtbot.addWidget(record)
    assert record.amend_button.isEnabled()
    assert record.versions_table.rowCount() == 1

    def drive(parent, database, project_id):
        dialog = _dialog(qtbot, database, project_id)
        _fill(qtbot, dialog, "3,600,000.00")
        dialog.try_accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(amendment_module.AmendmentDialog, "ask", staticmethod(drive))
    qtbot.mouseClick(record.amend_button, Qt.MouseButton.LeftButton)
    assert record.did_change
    table = record.versions_table
    assert table.rowCount() == 2
    assert table.item(0, 0).text() == _("Original") and table.item(0, 2).text() == money_text(COST)
    assert table.item(1, 0).text() == "1" and table.item(1, 2).text() == money_text(COST - 40_000_000)
    assert money_text(SHARE - 10_000_000) in [table.item(1, c).text() for c in range(table.columnCount())]
    cost_line = record.data_values["cost"].text()
    assert money_text(COST - 40_000_000) in cost_line and money_text(COST) in cost_line


def test_the_action_is_disabled_with_a_reason_before_the_convenio_and_for_other_roles(qtbot, db, tmp_path):
    approved = signed_project(db, tmp_path, club_id=new_club(db).id, stage="aprobado")
    record = ProjectRecord(db, approved.id, today=TODAY)
    qtbot.addWidget(record)
    assert not record.amend_button.isEnabled() and record.amend_button.toolTip()

    signed = signed_project(db, tmp_path / "b", club_id=new_club(db, 2).id)
    create_demo_users(db)
    with acting_as(Actor("tesoreria", "tesoreria")):
        record = ProjectRecord(db, signed.id, today=TODAY)
        qtbot.addWidget(record)
        assert not record.amend_button.isEnabled()
        assert (
            "role" in record.amend_button.toolTip().lower() or "rol" in record.amend_button.toolTip().lower()
        )
