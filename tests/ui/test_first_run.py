"""The first-run dialog: the office's settings stored in the database; example data loaded or cancelled."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog

from tresxuno.demo import projects as demo_module
from tresxuno.domain.problems import Problem
from tresxuno.i18n import _, ngettext
from tresxuno.messages import describe
from tresxuno.services.office import OfficeSettings, holds_records, logos_dir, office_settings
from tresxuno.services.projects import count_projects
from tresxuno.ui import prompts as prompts_module
from tresxuno.ui.dialogs import first_run
from tresxuno.ui.dialogs.first_run import FirstRunDialog
from tresxuno.ui.main_window import MainWindow

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS

OFFICE = "Oficina de Atención al Migrante de Jerez"


def _png(path: Path) -> bytes:
    """A small real PNG at ``path`` (the preview must show it); returns its bytes."""
    image = QImage(16, 12, QImage.Format.Format_RGB32)
    image.fill(QColor("darkgreen"))
    assert image.save(str(path), "PNG")
    return path.read_bytes()


def _fill(dialog: FirstRunDialog, *, demo: bool = False) -> None:
    dialog.form.name.setText(OFFICE)  # accented text: set, not typed (see the brief)
    dialog.form.state.setCurrentIndex(dialog.form.state.findData("32"))
    dialog.form.municipality.setCurrentIndex(dialog.form.municipality.findData("32020"))
    dialog.demo.setChecked(demo)


@pytest.fixture
def window(qtbot, empty_db):
    main = MainWindow(empty_db)
    qtbot.addWidget(main)
    main.show()
    main.show_view("projects")
    return main


def _run_first_run(qtbot, monkeypatch, *, demo: bool, timeout: int = 20_000):
    """Make ``FirstRunDialog.exec`` fill the form, press Start and wait as the real one would."""
    seen: list[FirstRunDialog] = []

    def exec_(self: FirstRunDialog) -> int:
        seen.append(self)
        self.show()
        _fill(self, demo=demo)
        qtbot.mouseClick(self.buttons.button(self.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not self.isVisible(), timeout=timeout)
        return self.result()

    monkeypatch.setattr(FirstRunDialog, "exec", exec_)
    return seen


def test_the_office_settings_are_stored_and_the_title_shows_them(qtbot, window, empty_db, monkeypatch):
    assert window.windowTitle() == "tresxuno — t.sqlite"
    seen = _run_first_run(qtbot, monkeypatch, demo=False)
    window.first_run_if_needed()
    assert len(seen) == 1
    assert office_settings(empty_db) == OfficeSettings(OFFICE, "32020", "")
    assert window.windowTitle() == f"tresxuno — {OFFICE}"
    assert count_projects(empty_db) == 0  # no example data unless asked

    window.first_run_if_needed()  # set up now: not asked again
    assert len(seen) == 1


def test_missing_fields_are_shown_under_them_and_nothing_is_stored(qtbot, empty_db):
    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()
    assert dialog.isVisible()
    required = describe(Problem("name", "text.required"), with_field=False)
    assert dialog.form.errors.texts() == {"name": required, "municipality_key": required}
    assert dialog.form.name.accessibleDescription() == required  # read out with the field, not colour only
    assert not office_settings(empty_db).is_set


def test_the_municipalitys_rfc_is_asked_at_the_first_run_and_a_wrong_one_stores_nothing(qtbot, empty_db):
    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog)
    qtbot.keyClicks(dialog.form.rfc, "MJZ85010")
    dialog.accept()
    assert dialog.isVisible() and set(dialog.form.errors.texts()) == {"rfc"}
    assert office_settings(empty_db) == OfficeSettings()  # neither the office nor the RFC
    dialog.form.rfc.setText("MJZ 850101 B72")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert office_settings(empty_db) == OfficeSettings(OFFICE, "32020", "", "MJZ850101B72")


def test_the_municipality_comes_from_the_chosen_state(qtbot, empty_db):
    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    form = dialog.form
    assert not form.municipality.isEnabled() and form.state.count() == 32
    form.state.setCurrentIndex(form.state.findData("32"))
    assert form.municipality.isEnabled() and form.municipality.count() == 58
    assert form.municipality.currentIndex() == -1  # chosen by the officer, never guessed
    form.state.setCurrentIndex(form.state.findData("14"))
    assert form.municipality.findData("32020") == -1 and form.municipality.count() == 125


def test_the_logo_is_previewed_and_copied_into_the_data_folder(qtbot, empty_db, tmp_path, monkeypatch):
    logo = tmp_path / "escudo.png"
    png = _png(logo)
    asked = []

    def choose(parent, title, name_filter="", directory=""):
        asked.append(name_filter)
        return str(logo)

    monkeypatch.setattr(prompts_module, "choose_open_file", choose)
    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    _fill(dialog)
    qtbot.mouseClick(dialog.form.choose_logo_button, Qt.MouseButton.LeftButton)
    assert asked and "*.png" in asked[0]
    assert dialog.form.preview.pixmap() is not None and not dialog.form.preview.pixmap().isNull()
    assert dialog.form.logo_label.text() == "escudo.png"

    dialog.accept()
    stored = Path(office_settings(empty_db).logo_path)
    assert stored.parent == logos_dir() and stored.read_bytes() == png
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_file_that_is_not_an_image_is_refused_under_the_logo(qtbot, empty_db, tmp_path, monkeypatch):
    text = tmp_path / "logo.png"
    text.write_text("not an image", encoding="utf-8")
    monkeypatch.setattr(prompts_module, "choose_open_file", lambda *args, **kwargs: str(text))
    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.form.choose_logo()
    assert dialog.form.preview.text() == _("No preview")
    dialog.accept()
    assert set(dialog.form.errors.texts()) == {"logo"}
    assert not office_settings(empty_db).is_set


def test_example_data_load_in_the_background_and_the_projects_page_shows_them(
    qtbot, window, empty_db, monkeypatch
):
    monkeypatch.setattr(first_run, "DEMO_PROJECTS", 25)
    seen = _run_first_run(qtbot, monkeypatch, demo=True)
    window.first_run_if_needed()
    dialog = seen[0]
    assert dialog.task is not None and dialog.demo_summary is not None
    assert dialog.demo_summary.projects == 25
    view = window.views["projects"]
    assert view.model.total_count() == 25
    expected = ngettext("{count} project", "{count} projects", 25).format(count="25")
    assert window.status_label.text() == expected
    # The office typed in the dialog wins over the demo office.
    assert office_settings(empty_db).name == OFFICE
    assert window.windowTitle() == f"tresxuno — {OFFICE}"


def test_cancelling_the_example_data_leaves_the_database_empty(qtbot, empty_db, monkeypatch):
    started = threading.Event()
    real = demo_module.generate_demo

    def slow_demo(db, **kwargs):
        """Wait, like a long load, until the officer cancels; then the real load sees the token."""
        started.set()
        token = kwargs["cancel"]
        for _step in range(500):
            if token.cancelled:
                break
            threading.Event().wait(0.01)
        return real(db, **kwargs)

    monkeypatch.setattr(first_run, "generate_demo", slow_demo)
    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, demo=True)
    dialog.accept()
    assert started.wait(5)
    assert not dialog.buttons.isEnabled()  # no second Start, no closing mid-load
    dialog.reject()
    assert dialog.isVisible()

    with qtbot.waitSignal(dialog.task.was_cancelled, timeout=10_000):
        dialog.task.dialog.canceled.emit()  # the progress dialog's Cancel button
    assert count_projects(empty_db) == 0 and not holds_records(empty_db)
    assert dialog.isVisible() and dialog.demo_status.isVisible()
    assert dialog.buttons.isEnabled()
    assert dialog.demo_summary is None


def test_the_app_asks_for_the_office_at_the_first_start_only(qapp, monkeypatch, tmp_path, small_db):
    from tresxuno.ui.app import QUIT_AFTER_ENV, run_gui

    monkeypatch.setenv(QUIT_AFTER_ENV, "300")
    locale = QLocale()
    asked = []
    monkeypatch.setattr(FirstRunDialog, "ask", classmethod(lambda cls, parent, db: asked.append(db.url)))
    assert run_gui(db_url=str(tmp_path / "new.sqlite"), lang=None) == 0
    assert len(asked) == 1 and asked[0].endswith("new.sqlite")
    assert run_gui(db_url=str(small_db.path), lang=None) == 0  # the demo office is set up
    assert len(asked) == 1
    QLocale.setDefault(locale)  # run_gui set es_MX for the process


def test_a_password_error_makes_room_instead_of_squashing_the_form(qtbot, empty_db):
    """Issue 15 item 10: the error line grows the dialog; every field keeps the height it needs."""
    from PySide6.QtWidgets import QLineEdit

    dialog = FirstRunDialog(None, empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.admin_username.setText("ana")
    dialog.admin_password.setText("una-clave-larga")
    dialog.admin_password_again.setText("otra-clave-larga")
    assert dialog._create_admin() is False
    qtbot.wait(20)
    assert "password_again" in dialog.admin_errors.texts()
    for edit in dialog.findChildren(QLineEdit):
        if edit.isVisible():
            assert edit.height() >= edit.minimumSizeHint().height(), edit.accessibleName()
