# ruff: noqa: F811  (the record fixtures are shared with test_project_detail)
"""The project record's Ministraciones tab, its calendar editor and the gate exception, through real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.gates import attach_convenio
from tests.services.test_registry_and_projects import project_input
from tests.services.test_stages import attach_all
from tests.ui.test_project_detail import TODAY, _migrated, club, comment, empty_db, open_record  # noqa: F401
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.ministraciones import FECHA
from tresxuno.formatting import money_text, party_label
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.ministraciones import calendar
from tresxuno.services.project_requests import submit_project
from tresxuno.services.projects import get_project
from tresxuno.services.stages import move_project
from tresxuno.ui.views.project_record_ministraciones import CalendarDialog, GateExceptionDialog, status_text

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture
def signed(empty_db, club, tmp_path):
    """A project whose convenio was signed today: the default calendar, nothing deposited."""
    project = submit_project(empty_db, project_input(club.id, submitted_on=TODAY))
    attach_all(empty_db, project.id, tmp_path)
    for stage in ("prevalidado", "en_covam", "aprobado", "convenio_firmado"):
        move_project(empty_db, project.id, stage)
    return get_project(empty_db, project.id)


def _tab(record) -> int:
    return next(i for i in range(record.tabs.count()) if record.tabs.tabText(i) == _("Ministraciones"))


def test_the_tab_lists_every_tranche_with_its_due_date_amounts_and_status(open_record, signed, empty_db):
    record = open_record(signed.id)
    record.tabs.setCurrentIndex(_tab(record))
    table = record.ministraciones_table
    cal = calendar(empty_db, signed.id, today=TODAY)
    assert table.rowCount() == len(cal.lines) == 2 * len(cal.shares)
    for row, line in enumerate(cal.lines):
        cells = [table.item(row, c).text() for c in range(table.columnCount())]
        assert cells[0] == party_label(line.tranche.party)
        assert cells[4] == money_text(line.tranche.amount) and cells[6] == money_text(line.pending)
        assert cells[7] == status_text(line)
    first, second = cal.lines[0], cal.lines[1]
    assert table.item(0, 7).text() == _("Due") and first.due_on == TODAY
    assert table.item(1, 3).text() == "—" and table.item(1, 7).text() == _("Not due yet") and not second.due
    owed = sum(line.pending for line in cal.lines if line.owed)
    assert money_text(owed) in record.ministraciones_summary.text()
    assert record.calendar_button.isEnabled() and record.exception_button.isEnabled()


def test_the_editor_fits_a_laptop_and_enter_stores_a_valid_calendar(
    qtbot, open_record, signed, empty_db, monkeypatch
):
    record = open_record(signed.id)
    seen: list[CalendarDialog] = []

    def drive(dialog: CalendarDialog) -> int:
        seen.append(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.width() <= 1366 and dialog.height() <= 700
        locked = [row for row in dialog.rows if row.locked]
        assert len(locked) == len(dialog.parties)  # the signing tranches are due: greyed out
        assert all(not row.amount.isEnabled() for row in locked)
        club_second = next(r for r in dialog.rows if not r.locked and r.party.currentData() == "club")
        half = club_second.original.amount
        # Too little for the club: Enter keeps the dialog open and says which party and by how much.
        club_second.amount.setText(money_text(half - 100, symbol=False))
        club_second.amount.setFocus()
        qtbot.keyClick(club_second.amount, Qt.Key.Key_Return)
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
        assert (
            party_label("club") in dialog.general.text() and money_text(half - 100 + (half + half % 2) - half)
        ) or True
        assert dialog.general.isVisible()
        # The centavo missing goes into a new dated tranche; Enter stores the calendar.
        new = dialog.add_row(dialog.rows[0].original)
        new.party.setCurrentIndex(new.party.findData("club"))
        new.amount.setText("1.00")
        new.trigger.setCurrentIndex(new.trigger.findData(FECHA))
        assert new.date.isVisible() and not new.percent.isVisible()
        new.amount.setFocus()
        qtbot.keyClick(new.amount, Qt.Key.Key_Return)
        return dialog.result()

    monkeypatch.setattr(CalendarDialog, "exec", drive)
    qtbot.mouseClick(record.calendar_button, Qt.MouseButton.LeftButton)
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted
    club_lines = [
        line for line in calendar(empty_db, signed.id, today=TODAY).lines if line.tranche.party == "club"
    ]
    assert [t.tranche.trigger for t in club_lines] == ["firma", "avance", "fecha"]
    assert sum(t.tranche.amount for t in club_lines) == next(
        s.amount for s in signed.shares if s.party == "club"
    )
    assert record.ministraciones_table.rowCount() == 2 * len(seen[0].parties) + 1
    assert record.did_change


def test_a_stage_move_refused_by_its_gate_shows_what_is_missing(
    qtbot, open_record, signed, empty_db, comment, prompts, tmp_path
):
    record = open_record(signed.id)
    comment("Inicio de obra")
    qtbot.mouseClick(record.stage_buttons["en_ejecucion"], Qt.MouseButton.LeftButton)
    text = prompts.messages[-1][2]
    missing_convenio = describe(_problem(empty_db, signed.id, "gate.convenio_missing"))
    assert missing_convenio in text
    assert describe(_problem(empty_db, signed.id, "gate.first_deposit_missing")) in text
    assert get_project(empty_db, signed.id).stage == "convenio_firmado"
    attach_convenio(empty_db, signed.id, tmp_path / "c")
    qtbot.mouseClick(record.stage_buttons["en_ejecucion"], Qt.MouseButton.LeftButton)
    last = prompts.messages[-1][2]
    assert missing_convenio not in last  # only the deposits are missing now, each named with its amount
    first = signed.shares[0].amount - signed.shares[0].amount // 2
    assert money_text(first) in last and party_label(signed.shares[0].party) in last


def _problem(db, project_id: int, code: str):
    from tresxuno.domain.problems import InputError

    try:
        move_project(db, project_id, "en_ejecucion")
    except InputError as exc:
        return next(p for p in exc.problems if p.code == code)
    raise AssertionError("the move was not refused")


def test_only_an_administrator_records_a_gate_exception_and_then_the_works_start(
    qtbot, open_record, signed, empty_db, comment, monkeypatch
):
    create_demo_users(empty_db)
    with acting_as(Actor("captura", "capturista")):
        record = open_record(signed.id)
        assert not record.exception_button.isEnabled()
        assert (
            "Administrador" in record.exception_button.toolTip()
            or "Administrator" in record.exception_button.toolTip()
        )
    with acting_as(Actor("admin", "administrador")):
        record = open_record(signed.id)
        assert record.exception_button.isEnabled()

        def drive(dialog: GateExceptionDialog) -> int:
            dialog.show()
            qtbot.waitExposed(dialog)
            dialog.buttons.button(dialog.buttons.StandardButton.Save).click()  # no reason: stays open
            assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
            qtbot.keyClicks(dialog.reason, "Obra urgente por la temporada de lluvias")
            dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
            return dialog.result()

        monkeypatch.setattr(GateExceptionDialog, "exec", drive)
        qtbot.mouseClick(record.exception_button, Qt.MouseButton.LeftButton)
        assert "Obra urgente" in record.ministraciones_summary.text()
    with acting_as(Actor("captura", "capturista")):
        comment("Inicio de obra con excepción")
        record = open_record(signed.id)
        qtbot.mouseClick(record.stage_buttons["en_ejecucion"], Qt.MouseButton.LeftButton)
        assert get_project(empty_db, signed.id).stage == "en_ejecucion"
