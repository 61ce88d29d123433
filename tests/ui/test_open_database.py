"""Preferences opens another database: tried first, kept for this computer, the window reopens on it."""

from __future__ import annotations

import pytest

from tests.ui.conftest import OFFSCREEN_SIZE_HINTS
from tresxuno.services.office import office_settings
from tresxuno.ui import app as app_module
from tresxuno.ui.dialogs import open_database as dialogs
from tresxuno.ui.dialogs.preferences import Preferences, PreferencesDialog
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.settings import Settings

pytestmark = OFFSCREEN_SIZE_HINTS


def test_a_new_file_becomes_a_database_and_a_wrong_one_is_explained(qtbot, tmp_path):
    dialog = dialogs.OpenDatabaseDialog(None, "")
    qtbot.addWidget(dialog)
    not_a_db = tmp_path / "notas.sqlite"
    not_a_db.write_bytes(b"no es una base de datos " * 200)
    dialog.path.setText(str(not_a_db))
    assert dialog.try_open() is False and dialog.chosen is None
    assert dialog.error.isVisibleTo(dialog) and dialog.error.text()
    new = tmp_path / "oficina nueva.sqlite"
    dialog.path.setText(str(new))
    assert dialog.try_open() is True
    assert dialog.chosen == str(new) and new.exists()


def test_an_empty_choice_says_what_to_write(qtbot):
    dialog = dialogs.OpenDatabaseDialog(None, "")
    qtbot.addWidget(dialog)
    dialog.server.setChecked(True)
    assert dialog.try_open() is False and dialog.error.text()


def test_preferences_keeps_the_choice_and_the_window_closes_to_reopen_on_it(
    qtbot, small_db, tmp_path, monkeypatch
):
    settings = Settings(tmp_path / "settings.ini")
    other = str(tmp_path / "otra.sqlite")

    def choose(self) -> int:
        self.path.setText(other)
        return 1 if self.try_open() else 0

    monkeypatch.setattr(dialogs.OpenDatabaseDialog, "exec", choose)
    prefs = PreferencesDialog(None, small_db, settings)
    qtbot.addWidget(prefs)
    assert prefs.open_other_database() == other
    assert settings.database_url == other and prefs.chosen is not None and prefs.chosen.reopen == other

    window = MainWindow(small_db, settings)
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(
        PreferencesDialog,
        "ask",
        classmethod(lambda cls, *a, **k: Preferences("es", office_settings(small_db), other)),
    )
    window.show_preferences()
    assert window.reopen_with == other and not window.isVisible()


def test_the_application_reopens_on_the_chosen_database_and_asks_who_signs_in(qapp, monkeypatch):
    calls = []
    answers = iter([(0, "/datos/otra.sqlite"), (0, None)])

    def run_window(app, settings, target, user):
        calls.append((target, user))
        return next(answers)

    monkeypatch.setattr(app_module, "_run_window", run_window)
    assert app_module.run_gui(db_url="/datos/primera.sqlite", lang="es", user="captura") == 0
    assert calls == [("/datos/primera.sqlite", "captura"), ("/datos/otra.sqlite", None)]


@pytest.mark.parametrize(
    "current", ["postgresql+psycopg://oficina@servidor/tresxuno", "/datos/oficina.sqlite"]
)
def test_the_dialog_starts_on_the_kind_of_database_in_use(qtbot, current):
    dialog = dialogs.OpenDatabaseDialog(None, current)
    qtbot.addWidget(dialog)
    assert dialog.target() == current
    assert dialog.server.isChecked() == current.startswith("postgresql")


def test_ok_reads_aceptar_in_spanish(qtbot, small_db, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox

    from tresxuno.i18n import set_language

    set_language("es")
    prefs = PreferencesDialog(None, small_db, Settings(tmp_path / "s.ini"))
    qtbot.addWidget(prefs)
    assert prefs.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Aceptar"
