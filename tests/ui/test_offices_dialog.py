"""Administration > Offices, the office of each user, and the office shown to the signed-in officer.

Driven through real widgets: an administrator of the whole database registers an office in the form,
places an officer in it from the users dialog, and that officer's next sign-in sees only its
jurisdiction and is told so in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from tresxuno.domain.actor import Actor, acting_as, set_actor
from tresxuno.domain.problems import Problem
from tresxuno.i18n import _, set_language
from tresxuno.messages import describe
from tresxuno.services.offices import OfficeInput, create_office, list_offices, update_office
from tresxuno.services.users import authenticate, create_user
from tresxuno.ui.dialogs.offices import OfficeChoiceDialog, OfficeDialog, OfficesDialog
from tresxuno.ui.dialogs.users import UsersDialog
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.permissions import needs_text

from .conftest import OFFSCREEN_SIZE_HINTS

#: Limits of Qt's offscreen platform (modal dialogs ask it to raise windows), not of tresxuno.
pytestmark = [OFFSCREEN_SIZE_HINTS, pytest.mark.qt_log_ignore(r"This plugin does not support raise\(\)")]

PW = "correcto-123"
ADMIN = Actor("admin", "administrador")
JEREZ, FRESNILLO, ZACATECAS = "32020", "32010", "32"


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


@pytest.fixture
def office(empty_db):
    """A database with an administrator of the whole database and a data-entry officer, signed in as the former."""
    create_user(empty_db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(ADMIN):
        create_user(empty_db, "ana", "Ana Robles", "capturista", PW)
    set_actor(ADMIN)
    return empty_db


def _jerez(db) -> None:
    create_office(
        db, OfficeInput("jerez", "Presidencia Municipal de Jerez", "municipal", ZACATECAS, (JEREZ,))
    )


def _with_dialog(fill: Callable[[QDialog], None]) -> list[QDialog]:
    """Run ``fill`` on the modal dialog about to open; close it if ``fill`` left it open."""
    seen: list[QDialog] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog), dialog
        seen.append(dialog)
        try:
            fill(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, act)
    return seen


def _cells(dialog: OfficesDialog, row: int) -> list[str]:
    return [dialog.table.item(row, c).text() for c in range(dialog.table.columnCount())]


def test_an_office_registered_in_the_form_appears_in_the_list(qtbot, office):
    dialog = OfficesDialog(None, office)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 0 and dialog.empty.isVisibleTo(dialog)
    assert not dialog.edit_button.isEnabled()

    def fill(form: QDialog) -> None:
        assert isinstance(form, OfficeDialog)
        qtbot.keyClicks(form.code, "jerez")
        form.name.setText("Presidencia Municipal de Jerez")
        form.kind.setCurrentIndex(form.kind.findData("municipal"))
        assert not form.municipalities.combo.isEnabled()  # no state yet: nothing to choose
        form.state.setCurrentIndex(form.state.findData(ZACATECAS))
        combo = form.municipalities.combo
        assert combo.isEnabled() and combo.findText("Fresnillo") > 0
        assert combo.findText("Guadalajara") < 0  # Jalisco's: only the state's municipalities
        combo.setCurrentIndex(combo.findData(JEREZ))
        qtbot.keyClicks(form.place, "Jerez, Zacatecas")
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    seen = _with_dialog(fill)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted
    assert dialog.changed and not dialog.empty.isVisibleTo(dialog)
    assert _cells(dialog, 0)[:5] == [
        "jerez",
        "Presidencia Municipal de Jerez",
        "Municipal office",
        "Jerez",
        "—",
    ]
    assert dialog.selected_office().code == "jerez"  # the new office is selected, ready to edit
    stored = list_offices(office)
    assert [(o.code, o.kind, o.municipality_keys, o.place) for o in stored] == [
        ("jerez", "municipal", (JEREZ,), "Jerez, Zacatecas")
    ]


def test_a_state_office_with_nothing_checked_covers_the_whole_state(qtbot, office):
    form = OfficeDialog(office)
    qtbot.addWidget(form)
    form.show()
    form.code.setText("zac")
    form.name.setText("Secretaría del Zacatecano Migrante")
    form.state.setCurrentIndex(form.state.findData(ZACATECAS))
    form.municipalities.combo.setCurrentIndex(form.municipalities.combo.findData(JEREZ))
    form.kind.setCurrentIndex(form.kind.findData("state"))
    picker = form.municipalities
    assert picker.checklist.isVisibleTo(form) and not picker.combo.isVisibleTo(form)
    assert picker.keys() == (JEREZ,)  # the municipality chosen before stays chosen
    jerez = next(
        picker.checklist.item(r)
        for r in range(picker.checklist.count())
        if picker.checklist.item(r).text() == "Jerez"
    )
    jerez.setCheckState(Qt.CheckState.Unchecked)
    assert picker.keys() == () and "Zacatecas" in picker.hint.text()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.saved is not None and form.saved.whole_state

    listing = OfficesDialog(None, office)
    qtbot.addWidget(listing)
    assert _cells(listing, 0)[2:4] == ["State office", "The whole state of Zacatecas"]


def test_a_bad_key_is_shown_by_the_key_field_and_nothing_is_stored(qtbot, office):
    form = OfficeDialog(office)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.code, "Jerez Zac!")
    form.name.setText("Presidencia Municipal de Jerez")
    form.state.setCurrentIndex(form.state.findData(ZACATECAS))
    form.municipalities.combo.setCurrentIndex(form.municipalities.combo.findData(JEREZ))
    form.place.setFocus()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.isVisible() and form.saved is None
    expected = describe(Problem("code", "office.code_invalid", {"code": "Jerez Zac!"}), with_field=False)
    assert form.errors.texts() == {"code": expected}
    assert form.focusWidget() is form.code and form.code.accessibleDescription() == expected
    assert list_offices(office) == []
    qtbot.keyClick(form.code, Qt.Key.Key_Backspace)
    assert form.errors.texts() == {}  # typing again hides the stale error


def test_a_state_or_municipality_left_unchosen_is_named_on_its_field(qtbot, office):
    form = OfficeDialog(office)
    qtbot.addWidget(form)
    form.code.setText("jerez")
    form.name.setText("Presidencia Municipal de Jerez")
    assert not form.save()
    choose = describe(Problem("state", "choice.required", {}), with_field=False)
    assert form.errors.texts() == {"state": choose}  # one message, on the state, not on its municipalities
    form.state.setCurrentIndex(form.state.findData(ZACATECAS))
    assert not form.save()
    assert form.errors.texts() == {"municipalities": choose}
    assert list_offices(office) == []


def test_an_edit_after_someone_else_saved_says_so_and_reloads(qtbot, office):
    _jerez(office)
    listing = OfficesDialog(None, office)
    qtbot.addWidget(listing)
    stored = listing.offices[0]
    form = OfficeDialog(office, stored)
    qtbot.addWidget(form)
    form.show()
    assert form.municipalities.keys() == (JEREZ,) and form.code.text() == "jerez"
    update_office(
        office,
        "jerez",
        OfficeInput("jerez", "H. Ayuntamiento de Jerez", "municipal", ZACATECAS, (JEREZ,)),
        expected_version=stored.version,
    )
    form.rfc.setText("MJE850101AB1")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.saved is None and form.isVisible()
    conflict = describe(Problem("office", "office.changed_elsewhere", {"office": "H. Ayuntamiento de Jerez"}))
    assert form.errors.texts() == {"_general": conflict}
    assert form.reload_button.isVisibleTo(form)
    qtbot.mouseClick(form.reload_button, Qt.MouseButton.LeftButton)
    assert form.name.text() == "H. Ayuntamiento de Jerez" and form.errors.texts() == {}
    form.place.setText("Jerez de García Salinas, Zacatecas")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.saved is not None and form.saved.place == "Jerez de García Salinas, Zacatecas"


def test_an_office_assigned_in_the_users_dialog_confines_the_next_sign_in(qtbot, office):
    _jerez(office)
    dialog = UsersDialog(None, office)
    qtbot.addWidget(dialog)
    dialog.show()
    office_column = 3
    assert dialog.table.horizontalHeaderItem(office_column).text() == _("Office")
    assert not dialog.table.isColumnHidden(office_column)
    row = next(r for r, u in enumerate(dialog.users) if u.username == "ana")
    assert dialog.table.item(row, office_column).text() == "Whole database"
    assert authenticate(office, "ana", PW).jurisdiction is None
    dialog.table.selectRow(row)

    def pick(chooser: QDialog) -> None:
        assert isinstance(chooser, OfficeChoiceDialog)
        assert not chooser.admin_warning.isVisibleTo(chooser)  # ana is no administrator
        chooser.office.setCurrentIndex(chooser.office.findData("jerez"))
        chooser.buttons.button(chooser.buttons.StandardButton.Ok).click()

    seen = _with_dialog(pick)
    qtbot.mouseClick(dialog.office_button, Qt.MouseButton.LeftButton)
    assert seen and dialog.changed
    row = next(r for r, u in enumerate(dialog.users) if u.username == "ana")
    assert dialog.table.item(row, office_column).text() == "Presidencia Municipal de Jerez"
    assert dialog.selected_user().username == "ana"
    ana = authenticate(office, "ana", PW)
    assert ana.jurisdiction is not None
    assert ana.jurisdiction.office_name == "Presidencia Municipal de Jerez"
    assert ana.jurisdiction.covers(JEREZ) and not ana.jurisdiction.covers(FRESNILLO)

    # And back to the whole database.
    def whole(chooser: QDialog) -> None:
        assert isinstance(chooser, OfficeChoiceDialog) and chooser.chosen() == "jerez"
        chooser.office.setCurrentIndex(0)
        chooser.accept()

    _with_dialog(whole)
    qtbot.mouseClick(dialog.office_button, Qt.MouseButton.LeftButton)
    assert authenticate(office, "ana", PW).jurisdiction is None


def test_without_offices_the_users_dialog_hides_the_column_and_greys_the_button(qtbot, office):
    dialog = UsersDialog(None, office)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    assert dialog.table.isColumnHidden(3)
    assert not dialog.office_button.isEnabled()


def test_placing_an_administrator_in_an_office_warns_what_they_lose(qtbot, office):
    _jerez(office)
    chooser = OfficeChoiceDialog(None, list_offices(office), "admin", "administrador")
    qtbot.addWidget(chooser)
    chooser.show()
    assert chooser.chosen() == "" and not chooser.admin_warning.isVisibleTo(chooser)
    chooser.office.setCurrentIndex(chooser.office.findData("jerez"))
    assert chooser.admin_warning.isVisibleTo(chooser)


def test_the_status_bar_names_the_office_of_the_officer_signed_in(qtbot, office):
    _jerez(office)
    from tresxuno.services.offices import assign_office

    assign_office(office, "ana", "jerez")
    set_actor(authenticate(office, "ana", PW))
    window = MainWindow(office)
    qtbot.addWidget(window)
    assert "ana" in window.user_label.text()
    assert "Presidencia Municipal de Jerez" in window.user_label.text()
    assert "Presidencia Municipal de Jerez" in window.user_label.toolTip()
    assert not window.actions_by_name["offices"].isEnabled()
    assert window.actions_by_name["offices"].toolTip() == needs_text("offices.manage")


def test_an_administrator_of_the_whole_database_opens_offices_from_the_menu(qtbot, office):
    window = MainWindow(office)
    qtbot.addWidget(window)
    assert "Presidencia" not in window.user_label.text() and window.user_label.toolTip() == ""
    action = window.actions_by_name["offices"]
    assert action.isEnabled()
    seen = _with_dialog(lambda dialog: None)
    action.trigger()
    assert seen and isinstance(seen[0], OfficesDialog)


def test_the_form_stores_a_logo_and_keeps_the_office_key_when_edited(qtbot, empty_db, tmp_path, monkeypatch):
    """A logo chosen in the form goes into the database; editing keeps the consolidation key."""
    from tests.reports.test_pdf_reports import _png
    from tresxuno.services import offices as office_service
    from tresxuno.ui import prompts
    from tresxuno.ui.dialogs.offices import OfficeDialog

    escudo = tmp_path / "escudo.png"
    escudo.write_bytes(_png(20, 20))
    key = "ab" * 32
    office_service.create_office(
        empty_db,
        office_service.OfficeInput(
            "jerez", "Presidencia de Jerez", "municipal", "32", ("32020",), public_key=key
        ),
    )
    (stored,) = office_service.list_offices(empty_db)
    dialog = OfficeDialog(empty_db, stored)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(prompts, "choose_open_file", lambda *args: str(escudo))
    qtbot.mouseClick(dialog.choose_logo_button, Qt.MouseButton.LeftButton)
    assert dialog.logo_label.text() == "escudo.png"
    assert dialog.save()
    (saved,) = office_service.list_offices(empty_db)
    assert saved.has_logo and saved.public_key == key
    dialog = OfficeDialog(empty_db, saved)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.remove_logo_button, Qt.MouseButton.LeftButton)
    assert dialog.save()
    assert not office_service.list_offices(empty_db)[0].has_logo


def test_an_offices_administrator_sees_the_whole_database_actions_greyed_and_why(qtbot, office):
    """Their role allows users, offices, backups…; their office does not: the menu says so, not the service later."""
    _jerez(office)
    from tresxuno.services.offices import assign_office

    with acting_as(ADMIN):
        create_user(office, "beto", "Beto Ruiz", "administrador", PW)
    assign_office(office, "beto", "jerez")
    set_actor(authenticate(office, "beto", PW))
    window = MainWindow(office)
    qtbot.addWidget(window)
    for name in ("users", "offices", "backup", "restore", "send_changes", "import_package"):
        action = window.actions_by_name[name]
        assert not action.isEnabled(), name
        assert "Presidencia Municipal de Jerez" in action.toolTip() and "role" not in action.toolTip(), name
    assert window.actions_by_name["audit_trail"].isEnabled()  # their office's trail is theirs to read
