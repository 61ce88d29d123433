"""Backup, restore, moving the data folder and reloading rules are greyed out for other roles, saying why.

A courtesy only: the services refuse the same actions (tests/services/test_privilege_attacks.py).
"""

from __future__ import annotations

import pytest

from tresxuno.domain.actor import Actor, acting_as, set_actor
from tresxuno.services.users import create_user
from tresxuno.ui.dialogs.preferences import PreferencesDialog
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.permissions import needs_text
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.rules import RulesView

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture
def office(small_db):
    create_user(small_db, "admin", "Adriana Méndez", "administrador", "correcto-123")
    with acting_as(Actor("admin", "administrador")):
        create_user(small_db, "aurora", "Aurora", "auditor", "correcto-123")
    return small_db


@pytest.mark.parametrize(("role", "enabled"), [("auditor", False), ("administrador", True)])
def test_only_the_administrador_gets_backup_restore_move_and_reload(qtbot, office, role, enabled):
    set_actor(Actor("aurora" if role == "auditor" else "admin", role))
    window = MainWindow(office)
    qtbot.addWidget(window)
    for name, action in (("backup", "data.backup"), ("restore", "data.restore")):
        control = window.actions_by_name[name]
        assert control.isEnabled() is enabled
        assert (control.toolTip() == needs_text(action)) is not enabled
    dialog = PreferencesDialog(None, office, Settings())
    qtbot.addWidget(dialog)
    move = dialog.data_folder.move_button
    assert move.isEnabled() is enabled and (move.toolTip() == needs_text("data.move")) is not enabled
    rfc = dialog.office.rfc  # the municipality's RFC is the administrador's, and says so on the field
    assert rfc.isEnabled() is enabled and (rfc.toolTip() == needs_text("settings.edit")) is not enabled
    view = RulesView(office)
    qtbot.addWidget(view)
    assert view.reload_button.isEnabled() is enabled
    view.refresh()  # F5 for every role: shows the rules as loaded, never refuses
    assert view.book is not None
