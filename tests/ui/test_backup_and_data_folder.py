"""File > Backup now / Restore and the data folder in Preferences, driven through the real widgets."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.totals import database_totals
from tresxuno import paths
from tresxuno.ui import prompts as prompt_module
from tresxuno.ui.dialogs.preferences import PreferencesDialog
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.settings import Settings

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


def _window(qtbot, db) -> MainWindow:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_backup_now_then_restore_bring_the_data_back(qtbot, monkeypatch, small_db, tmp_path, prompts):
    window = _window(qtbot, small_db)
    target = tmp_path / "lunes.sqlite"
    monkeypatch.setattr(prompt_module, "choose_save_file", lambda *a, **k: str(target))
    window.actions_by_name["backup"].trigger()
    qtbot.waitUntil(lambda: window.backup_task is None, timeout=20_000)
    expected = database_totals(small_db.path)
    assert database_totals(target) == expected
    assert str(target) in prompts.messages[-1][2]

    with small_db.transaction() as session:
        session.execute(text("DELETE FROM project_progress"))
    asked = []
    monkeypatch.setattr(prompt_module, "choose_open_file", lambda *a, **k: str(target))
    monkeypatch.setattr(
        prompt_module, "confirm", lambda parent, title, question, **k: asked.append(question) or True
    )
    window.actions_by_name["restore"].trigger()
    qtbot.waitUntil(lambda: window.backup_task is None, timeout=20_000)
    assert str(small_db.path) in asked[0]
    assert database_totals(small_db.path) == expected
    assert "-before-restore" in prompts.messages[-1][2]


def test_restore_refuses_a_file_that_is_not_a_backup_without_asking(
    qtbot, monkeypatch, small_db, tmp_path, prompts
):
    window = _window(qtbot, small_db)
    bogus = tmp_path / "notas.sqlite"
    bogus.write_text("no")
    monkeypatch.setattr(prompt_module, "choose_open_file", lambda *a, **k: str(bogus))
    monkeypatch.setattr(prompt_module, "confirm", lambda *a, **k: pytest.fail("must not ask"))
    before = small_db.path.read_bytes()
    window.actions_by_name["restore"].trigger()
    assert window.backup_task is None
    assert str(bogus) in prompts.messages[-1][2]
    assert small_db.path.read_bytes() == before


def test_preferences_shows_the_data_folder_and_keeps_the_backup_count(qtbot, small_db):
    settings = Settings()
    dialog = PreferencesDialog(None, small_db, settings)
    qtbot.addWidget(dialog)
    assert dialog.data_folder.folder.text() == str(paths.user_data_dir())
    assert dialog.data_folder.keep.value() == 10
    dialog.data_folder.keep.setValue(4)
    dialog.accept()
    assert Settings().backups_keep == 4


def test_moving_the_data_folder_from_preferences(qtbot, monkeypatch, tmp_path, small_db, prompts):
    old = paths.user_data_dir()
    (old / "logos").mkdir(parents=True, exist_ok=True)
    (old / "logos" / "escudo.png").write_bytes(b"png")
    monkeypatch.delenv("TRESXUNO_DATA_DIR")
    monkeypatch.setattr(paths, "default_data_dir", lambda: old)
    new = tmp_path / "nueva"
    monkeypatch.setattr(prompt_module, "choose_folder", lambda *a, **k: str(new))
    monkeypatch.setattr(prompt_module, "confirm", lambda *a, **k: True)
    dialog = PreferencesDialog(None, small_db, Settings())
    qtbot.addWidget(dialog)
    dialog.data_folder.move_button.click()
    qtbot.waitUntil(lambda: dialog.data_folder.moved is not None, timeout=20_000)
    assert paths.user_data_dir() == new.resolve()
    assert (new / "logos" / "escudo.png").read_bytes() == b"png"
    assert (old / "logos" / "escudo.png").exists()
    assert str(new.resolve()) in prompts.messages[-1][2]


def test_closing_the_app_leaves_a_dated_backup_keeping_the_newest_n(qapp, monkeypatch, small_db):
    from tresxuno.services.backups import automatic_backups
    from tresxuno.ui.app import QUIT_AFTER_ENV, run_gui

    monkeypatch.setenv(QUIT_AFTER_ENV, "200")
    Settings().backups_keep = 2
    small_db.dispose()
    for _ in range(3):
        assert run_gui(db_url=str(small_db.path), lang="es") == 0
    backups = automatic_backups(small_db.path)
    assert len(backups) == 2
    assert database_totals(backups[-1]) == database_totals(small_db.path)


def test_a_database_in_a_synchronised_folder_is_warned_about_at_open_and_in_preferences(
    qtbot, tmp_path, small_db
):
    import shutil

    from tresxuno.db.engine import open_database
    from tresxuno.ui.app import _warn_about_location

    small_db.dispose()
    risky = tmp_path / "OneDrive - Municipio" / "tresxuno.sqlite"
    risky.parent.mkdir()
    shutil.copyfile(small_db.path, risky)
    db = open_database(str(risky))
    try:
        window = _window(qtbot, db)
        _warn_about_location(window, db)
        assert str(risky.parent) in window.statusBar().currentMessage()
        dialog = PreferencesDialog(None, db, Settings())
        qtbot.addWidget(dialog)
        assert not dialog.risk.isHidden() and str(risky.parent) in dialog.risk.text()
    finally:
        db.dispose()
