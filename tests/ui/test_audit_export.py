"""The Bitácora's export: the whole trail in words, written off the GUI thread to the file chosen."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt

from tests.services.test_registry_and_projects import club_input
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.services.clubs import register_club
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.audit import AuditLogDialog

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


def test_the_bitacora_exports_the_trail_in_words_to_the_file_chosen(qtbot, empty_db, tmp_path, monkeypatch):
    with acting_as(Actor("beto", "capturista")):
        club = register_club(empty_db, club_input())
    target = tmp_path / "bitácora"  # no suffix typed: ".csv" is added
    monkeypatch.setattr(prompts, "choose_save_file", lambda *args, **kwargs: str(target))
    dialog = AuditLogDialog(None, empty_db)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.exported is not None, timeout=20_000)
    assert dialog.exported == tmp_path / "bitácora.csv"
    with dialog.exported.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Núm. de registro", "Cuándo (hora local)", "Quién", "Qué", "Antes → después"]
    added = [r for r in rows if r[3] == f"Club {club.id} agregado"]
    assert added and added[0][2] == "beto (Capturista)" and "Nombre: " in added[0][4]
    assert str(dialog.exported) in dialog.status.text()
