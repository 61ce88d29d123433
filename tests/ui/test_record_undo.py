"""Undo and redo of the officer's edits: a club or federation saved through its dialog comes back.

The ledger is never undone (append-only): on the Libro, the disabled Undo says so.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tresxuno.domain.validation import ClubInput, FederationInput
from tresxuno.i18n import _
from tresxuno.services.clubs import (
    club_for_edit,
    get_club,
    list_federations_with_counts,
    register_club,
    register_federation,
    update_club,
)
from tresxuno.ui.dialogs.club import ClubDialog
from tresxuno.ui.dialogs.federation import FederationDialog
from tresxuno.ui.main_window import MainWindow, ledger_no_undo_tip
from tresxuno.ui.undo import undo_stack

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = [
    OFFSCREEN_SIZE_HINTS,
    pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)"),
]


@pytest.fixture(autouse=True)
def _empty_undo_history():
    undo_stack().clear()
    yield
    undo_stack().clear()


@pytest.fixture
def window(qtbot, empty_db):
    window = MainWindow(empty_db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.show_view("clubs")
    return window


def _club(db) -> int:
    federation = register_federation(db, FederationInput("Federación de Illinois", "32", "Illinois"))
    club = register_club(
        db,
        ClubInput(
            name="Club Hijos de Jerez",
            toma_folio="TN-CHI-2026-0100",
            toma_issuer="Consulado en Chicago",
            toma_issued_on=date(2026, 1, 10),
            toma_expires_on=date(2028, 1, 9),
            members=30,
            us_city="Chicago",
            us_state="IL",
            home_state_key="32",
            home_municipality_key="32020",
            federation_id=federation.id,
        ),
    )
    return club.id


def _edit_members(qtbot, window, db, club_id: int, members: int) -> None:
    dialog = ClubDialog(db, club_for_edit(db, club_id), window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.members.setValue(members)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved is not None


def test_a_club_edit_is_undone_and_redone_with_ctrl_z_and_ctrl_shift_z(qtbot, window, empty_db):
    club_id = _club(empty_db)
    _edit_members(qtbot, window, empty_db, club_id, 44)
    undo, redo = window.actions_by_name["undo"], window.actions_by_name["redo"]
    what = _("edit club {name}").format(name="Club Hijos de Jerez")
    assert undo.isEnabled() and undo.text() == _("&Undo: {what}").format(what=what)

    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert get_club(empty_db, club_id).members == 30
    assert redo.text() == _("&Redo: {what}").format(what=what) and not undo.isEnabled()
    # The clubs page re-read the club: the list shows what the database holds.
    assert window.views["clubs"].model.club(0).members == 30

    qtbot.keyClick(
        window.nav, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert get_club(empty_db, club_id).members == 44
    assert undo.isEnabled() and not redo.isEnabled()


def test_undo_refuses_to_overwrite_a_change_made_elsewhere_since(qtbot, window, empty_db, prompts):
    club_id = _club(empty_db)
    _edit_members(qtbot, window, empty_db, club_id, 44)
    other = club_for_edit(empty_db, club_id)  # another computer renames the club afterwards
    fields = {f: getattr(other.club, f) for f in ClubInput.__dataclass_fields__}
    update_club(
        empty_db, club_id, replace(ClubInput(**fields), name="Club Jerezano"), expected_version=other.version
    )

    window.undo()
    club = get_club(empty_db, club_id)
    assert (club.name, club.members) == ("Club Jerezano", 44)  # nothing overwritten
    assert len(prompts.messages) == 1
    assert "Club Jerezano" in prompts.messages[0][2]
    assert not window.actions_by_name["undo"].isEnabled()  # the step left the history


def test_a_federation_rename_is_undone(qtbot, window, empty_db):
    federation = register_federation(empty_db, FederationInput("Federación de Texas", "32", "Texas"))
    row = list_federations_with_counts(empty_db)[0]
    dialog = FederationDialog(empty_db, row, window)
    qtbot.addWidget(dialog)
    dialog.name.setText("Federación Zacatecana de Texas")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.actions_by_name["undo"].text() == _("&Undo: {what}").format(
        what=_("edit federation {name}").format(name="Federación Zacatecana de Texas")
    )
    window.undo()
    assert list_federations_with_counts(empty_db)[0].name == federation.name
    window.redo()
    assert list_federations_with_counts(empty_db)[0].name == "Federación Zacatecana de Texas"


def test_on_the_ledger_the_disabled_undo_says_entries_are_never_undone(window):
    window.show_view("ledger")
    undo = window.actions_by_name["undo"]
    assert not undo.isEnabled()
    assert undo.toolTip() == ledger_no_undo_tip()
    window.show_view("clubs")
    assert undo.toolTip() != ledger_no_undo_tip()
