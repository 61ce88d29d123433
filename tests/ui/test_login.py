"""Signing in at start, the lockout as the officer sees it, the Users dialog, and greyed actions by role."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from tresxuno.demo.users import DEMO_PASSWORD, create_demo_users
from tresxuno.domain.actor import Actor, acting_as, current_actor, set_actor
from tresxuno.domain.problems import Problem
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.users import create_user, list_users
from tresxuno.ui.app import QUIT_AFTER_ENV, run_gui
from tresxuno.ui.dialogs.login import LoginDialog
from tresxuno.ui.dialogs.users import UsersDialog
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.permissions import needs_text

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS

PW = "correcto-123"


@pytest.fixture
def office(empty_db):
    create_user(empty_db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(empty_db, "ana", "Ana Robles", "capturista", PW)
    return empty_db


def _try(qtbot, dialog: LoginDialog, username: str, password: str) -> None:
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_a_wrong_password_is_shown_in_the_dialog_which_stays_open(qtbot, office):
    dialog = LoginDialog(None, office)
    qtbot.addWidget(dialog)
    dialog.show()
    _try(qtbot, dialog, "ana", "equivocado")
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text() == describe(Problem("password", "auth.bad_credentials", {}), with_field=False)
    assert dialog.password.text() == ""  # typed again, not edited
    assert not dialog.hint.isVisibleTo(dialog)  # no demo users here


def test_five_failures_show_the_lock_and_when_it_ends(qtbot, office):
    dialog = LoginDialog(None, office)
    qtbot.addWidget(dialog)
    dialog.show()
    for _attempt in range(5):
        _try(qtbot, dialog, "ana", "equivocado")
    text = dialog.error.text()
    template = _("too many wrong passwords: the account is locked until {until}")
    assert text.startswith(template.split("{until}")[0])
    hour, minute = text.rsplit(" ", 1)[1].split(":")
    assert 0 <= int(hour) < 24 and 0 <= int(minute) < 60
    # Even the right password is refused now.
    _try(qtbot, dialog, "ana", PW)
    assert dialog.actor is None and dialog.error.text() == text


def test_the_right_password_signs_in(qtbot, office):
    dialog = LoginDialog(None, office, "ana")
    qtbot.addWidget(dialog)
    dialog.show()
    _try(qtbot, dialog, "ana", PW)
    assert dialog.actor == Actor("ana", "capturista") == current_actor()


def test_a_demo_database_hints_at_the_demo_users(qtbot, empty_db):
    create_demo_users(empty_db)
    dialog = LoginDialog(None, empty_db)
    qtbot.addWidget(dialog)
    assert dialog.hint.isVisibleTo(dialog)
    assert "admin" in dialog.hint.text() and DEMO_PASSWORD in dialog.hint.text()


def test_good_login_at_start_opens_the_window_as_that_user(qapp, qtbot, office, monkeypatch):
    monkeypatch.setenv(QUIT_AFTER_ENV, "1500")
    seen: dict[str, str] = {}

    def sign_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, LoginDialog)
        dialog.username.setText("ana")
        dialog.password.setText(PW)
        dialog.accept()

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["status"] = windows[0].user_label.text() if windows else ""
        seen["actor"] = current_actor().username

    QTimer.singleShot(200, sign_in)
    QTimer.singleShot(900, look)
    assert run_gui(db_url=str(office.path), lang="es") == 0
    assert seen["actor"] == "ana"
    assert "ana" in seen["status"] and _("Data entry") in seen["status"]


def test_leaving_the_sign_in_opens_nothing(qapp, office, monkeypatch):
    monkeypatch.setenv(QUIT_AFTER_ENV, "300")  # closes the sign-in as if the officer pressed Cancel
    assert run_gui(db_url=str(office.path), lang="es") == 0
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_the_administrator_adds_a_data_entry_user_in_the_users_dialog(qtbot, office):
    set_actor(Actor("admin", "administrador"))
    dialog = UsersDialog(None, office)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    qtbot.keyClicks(dialog.username, "carlos")
    qtbot.keyClicks(dialog.full_name, "Carlos Haro")
    dialog.role.setCurrentIndex(dialog.role.findData("capturista"))
    qtbot.keyClicks(dialog.password, "corta")
    qtbot.keyClicks(dialog.password_again, "corta")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2  # too short: refused under the field
    dialog.password.setText("clave-larga-1")
    dialog.password_again.setText("clave-larga-2")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2  # the two passwords differ
    dialog.password_again.setText("clave-larga-1")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 3 and dialog.changed
    assert {(u.username, u.role) for u in list_users(office)} >= {("carlos", "capturista")}
    # Change the selected user's role, then deactivate them.
    assert dialog.selected_user().username == "carlos"
    dialog.selected_role.setCurrentIndex(dialog.selected_role.findData("revisor"))
    qtbot.mouseClick(dialog.change_role_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.deactivate_button, Qt.MouseButton.LeftButton)
    carlos = next(u for u in list_users(office) if u.username == "carlos")
    assert (carlos.role, carlos.active) == ("revisor", False)


def test_actions_a_role_may_not_take_are_greyed_naming_the_role(qtbot, office):
    set_actor(Actor("ana", "capturista"))
    window = MainWindow(office)
    qtbot.addWidget(window)
    users = window.actions_by_name["users"]
    assert not users.isEnabled()
    assert users.toolTip() == needs_text("users.manage")
    assert _("Administrator") in users.toolTip()
    assert window.actions_by_name["import"].isEnabled()
    assert "ana" in window.user_label.text()
    window.show_view("ledger")
    ledger = window.views["ledger"]
    contribution = ledger.record_buttons[0]
    assert not contribution.isEnabled()
    assert _("Treasury") in contribution.toolTip()
    assert not window.actions_by_name["new"].isEnabled()  # File > New on the ledger page records money


def test_the_first_run_creates_the_administrator_and_signs_them_in(qtbot, empty_db):
    from tresxuno.services.office import office_settings
    from tresxuno.ui.dialogs.first_run import FirstRunDialog

    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    assert dialog.admin_box is not None
    dialog.form.name.setText("Oficina de Atención al Migrante de Jerez")
    dialog.form.state.setCurrentIndex(dialog.form.state.findData("32"))
    dialog.form.municipality.setCurrentIndex(dialog.form.municipality.findData("32020"))
    dialog.one_person.setChecked(False)  # an office of several officers: the administrator gives roles
    qtbot.keyClicks(dialog.admin_username, "adriana")
    qtbot.keyClicks(dialog.admin_full_name, "Adriana Mendez")
    qtbot.keyClicks(dialog.admin_password, "corta")
    qtbot.keyClicks(dialog.admin_password_again, "corta")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and not dialog.admin_created  # too short
    assert not office_settings(empty_db).is_set  # nothing stored while the administrator is refused
    dialog.admin_password.setText("clave-segura-1")
    dialog.admin_password_again.setText("clave-segura-1")
    dialog.accept()
    assert dialog.admin_created and dialog.result() == dialog.DialogCode.Accepted
    assert current_actor() == Actor("adriana", "administrador")
    assert [(u.username, u.role) for u in list_users(empty_db)] == [("adriana", "administrador")]
    assert office_settings(empty_db).is_set  # saved by the administrator just created
