"""The audit trail in the app: a project's change history, a club's, and the Bitácora's check."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.formatting import date_text, stage_label
from tresxuno.i18n import _
from tresxuno.services.clubs import register_club
from tresxuno.services.project_requests import submit_project
from tresxuno.ui.dialogs.audit import AuditLogDialog, HistoryDialog
from tresxuno.ui.views.project_detail import CommentDialog, ProjectRecord

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture
def project(empty_db):
    club = register_club(empty_db, club_input())
    return submit_project(empty_db, project_input(club.id), user="ana")


def texts(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_the_history_tab_shows_a_stage_change_with_who_and_when(qtbot, empty_db, project, monkeypatch):
    record = ProjectRecord(empty_db, project.id)
    qtbot.addWidget(record)
    record.show()
    qtbot.waitExposed(record)
    monkeypatch.setattr(CommentDialog, "ask", lambda *args, **kwargs: "Expediente completo")
    with acting_as(Actor("rosa", "revisor")):
        record.stage_buttons["prevalidado"].click()
    record.tabs.setCurrentWidget(record.changes)
    rows = [texts(record.changes, r) for r in range(record.changes.rowCount())]
    assert record.overview.detail.stage == "prevalidado"
    moves = [r for r in rows if r[2].startswith(_("Stage change"))]
    assert moves, rows
    move = moves[0]
    assert move[1] == "rosa (Revisor)"
    now = datetime.now(UTC).astimezone()
    assert move[0].startswith(date_text(now)) or move[0].startswith(date_text(now - timedelta(minutes=1)))
    assert f"{_('To')}: {stage_label('prevalidado')}" in move[3] and "Expediente completo" in move[3]
    change = f"{_('Stage')}: {stage_label('solicitado')} → {stage_label('prevalidado')}"
    stage = next(r for r in rows if r[2].startswith(_("Project")) and change in r[3])
    assert stage[1] == "rosa (Revisor)"


def test_a_clubs_history_dialog_lists_its_changes(qtbot, empty_db, monkeypatch):
    with acting_as(Actor("beto", "capturista")):
        club = register_club(empty_db, club_input())
    shown = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: shown.append(self) or 0)
    HistoryDialog.ask(None, empty_db, "clubs", club.id, club.name)
    table = shown[0].table
    qtbot.addWidget(shown[0])
    # The club, and the toma de nota filed with it (its history belongs to the club).
    assert table.rowCount() == 2
    rows = [texts(table, r)[1:3] for r in range(table.rowCount())]
    assert ["beto (Capturista)", f"{_('Club')} {club.id} {_('added')}"] in rows
    assert any(what.startswith(_("Toma de nota")) for _who, what in rows)


def test_the_bitacora_verifies_off_the_gui_thread_and_names_a_tampered_record(qtbot, empty_db, project):
    dialog = AuditLogDialog(None, empty_db)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() >= 3
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert dialog.result.ok and dialog.verify_button.isEnabled()
    connection = sqlite3.connect(empty_db.path)
    with connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET username = 'nadie' WHERE seq = 2")
    connection.close()
    dialog.result = None
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20_000)
    assert not dialog.result.ok and dialog.result.problem.params["seq"] == 2
    assert "2" in dialog.status.text()
