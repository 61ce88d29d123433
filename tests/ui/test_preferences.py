"""Preferences: the language switches every label at once, without restarting; office and database shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QTabBar,
    QToolBar,
)

from tresxuno.domain.problems import Problem
from tresxuno.i18n import _, language, set_language
from tresxuno.messages import describe
from tresxuno.services.office import OfficeSettings, office_settings, save_office_settings
from tresxuno.ui import prompts as prompts_module
from tresxuno.ui.app import remove_language
from tresxuno.ui.dialogs.preferences import PreferencesDialog
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.models.projects import COLUMNS
from tresxuno.ui.settings import Settings
from tresxuno.ui.undo import undo_stack

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture(autouse=True)
def _back_to_spanish(qapp):
    """A switch installs Qt's translator and locale for the process: later tests expect neither."""
    before = QLocale()
    yield
    remove_language(qapp)
    QLocale.setDefault(before)
    undo_stack().clear()


def _open(qtbot, db) -> MainWindow:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _choose_in_preferences(monkeypatch, code: str) -> None:
    """Make the Preferences dialog pick ``code`` and press OK, as the officer would."""

    def exec_(self: PreferencesDialog) -> int:
        self.set_language(code)
        self.accept()
        return self.result()

    monkeypatch.setattr(PreferencesDialog, "exec", exec_)


def visible_texts(window: MainWindow) -> list[str]:
    """Every label the officer can read now: menus, tool bar, navigation, status, and the page shown."""
    texts = [a.text() for a in window.menuBar().actions()]
    for menu_action in window.menuBar().actions():
        texts += [a.text() for a in menu_action.menu().actions() if not a.isSeparator()]
    texts += [a.iconText() for a in window.tool_bar.actions() if not a.isSeparator()]
    texts += [window.nav.item(r).text() for r in range(window.nav.count())]
    texts += [window.status_label.text(), window.windowTitle()]
    page = window.current_view()
    for widget in page.findChildren(QLabel):
        if widget.isVisible():
            texts.append(widget.text())
    for widget in page.findChildren(QAbstractButton):
        if widget.isVisible():
            texts.append(widget.text())
    for widget in page.findChildren(QLineEdit):
        if widget.isVisible():
            texts.append(widget.placeholderText())
    for widget in page.findChildren(QComboBox):
        if widget.isVisible():
            texts.append(widget.currentText())
    for widget in page.findChildren(QTabBar):
        if widget.isVisible():
            texts += [widget.tabText(i) for i in range(widget.count())]
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisible() and model is not None:
            texts += [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    return texts


def test_english_in_preferences_changes_every_label_without_restart_and_back(qtbot, monkeypatch, small_db):
    set_language("es")
    window = _open(qtbot, small_db)
    window.show_view("projects")
    projects = window.views["projects"]
    projects.search.setText("Jerez")
    projects.apply_filters()
    spanish = visible_texts(window)
    assert [a.text() for a in window.menuBar().actions()] == [
        _("&File"),
        _("&Edit"),
        _("&View"),
        _("&Administration"),
        _("&Tools"),
        _("&Help"),
    ]

    _choose_in_preferences(monkeypatch, "en")
    window.actions_by_name["preferences"].trigger()
    assert language() == "en" and QLocale().name() == "en_US"
    assert Settings().language == "en"
    english = visible_texts(window)
    # Word for word, a window built in English from scratch.
    fresh = _open(qtbot, small_db)
    fresh.show_view("projects")
    fresh.views["projects"].search.setText("Jerez")
    fresh.views["projects"].apply_filters()
    assert english == visible_texts(fresh)
    assert english != spanish
    menus = ["&File", "&Edit", "&View", "&Administration", "&Tools", "&Help"]
    assert [a.text() for a in window.menuBar().actions()] == menus
    # One tool bar, in English: the Spanish one is gone, not left beside it.
    bars = [bar for bar in window.findChildren(QToolBar) if bar.isVisibleTo(window)]
    assert len(bars) == 1 and bars[0].actions()[0].text() == "&New…"
    assert window.nav.item(list(window.views).index("projects")).text() == "Projects"
    view = window.views["projects"]
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert headers == [column.header for column in COLUMNS]  # the English msgids themselves
    # Still on the same page, with the same search.
    assert window.current_view() is view and view.search.text() == "Jerez"
    assert view.model.filters.text == "Jerez"
    fresh.close()

    _choose_in_preferences(monkeypatch, "es")
    window.actions_by_name["preferences"].trigger()
    assert language() == "es" and Settings().language == "es"
    assert visible_texts(window) == spanish


def test_every_page_is_rebuilt_in_the_new_language(qtbot, monkeypatch, small_db):
    window = _open(qtbot, small_db)
    window.tool_bar.toggleViewAction().trigger()  # the officer hid the tool bar
    _choose_in_preferences(monkeypatch, "en")
    window.show_preferences()
    assert window.tool_bar.isHidden()  # and it stays hidden in the rebuilt window
    fresh = _open(qtbot, small_db)
    for key in window.views:
        window.show_view(key)
        fresh.show_view(key)
        assert visible_texts(window) == visible_texts(fresh), key


def test_cancel_changes_nothing(qtbot, monkeypatch, small_db):
    window = _open(qtbot, small_db)
    monkeypatch.setattr(PreferencesDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    before = visible_texts(window)
    window.show_preferences()
    assert language() == "es" and Settings().language is None
    assert visible_texts(window) == before


def test_the_dialog_shows_the_database_read_only_and_the_current_language(qtbot, small_db):
    dialog = PreferencesDialog(None, small_db)
    qtbot.addWidget(dialog)
    assert dialog.location.isReadOnly() and dialog.location.text() == str(small_db.path)
    assert dialog.language.currentData() == "es"
    assert [dialog.language.itemData(i) for i in range(dialog.language.count())] == ["es", "en"]
    # The demo database's office, ready to edit.
    assert dialog.office.name.text() == office_settings(small_db).name
    assert dialog.office.municipality.currentData() == "32020"


def test_the_office_can_be_changed_in_preferences(qtbot, monkeypatch, small_db):
    window = _open(qtbot, small_db)

    def exec_(self: PreferencesDialog) -> int:
        self.office.name.setText("Oficina Municipal de Jalpa")
        self.office.select_municipality("32019")
        self.accept()
        return self.result()

    monkeypatch.setattr(PreferencesDialog, "exec", exec_)
    window.show_preferences()
    assert office_settings(small_db) == OfficeSettings("Oficina Municipal de Jalpa", "32019", "")
    assert window.windowTitle() == "tresxuno — Oficina Municipal de Jalpa"


def test_a_wrong_office_field_keeps_the_dialog_open_with_the_problem_shown(qtbot, empty_db):
    save_office_settings(empty_db, OfficeSettings("Oficina", "32020"))
    dialog = PreferencesDialog(None, empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.office.name.clear()
    dialog.set_language("en")
    dialog.accept()
    assert dialog.isVisible() and set(dialog.office.errors.texts()) == {"name"}
    assert Settings().language is None  # nothing stored until every field is right
    assert office_settings(empty_db).name == "Oficina"


def test_qt_own_strings_follow_the_language(qtbot, monkeypatch, small_db):
    """Qt's built-in texts (a line edit's context menu...) come from qtbase_<lang>.qm, swapped too."""
    window = _open(qtbot, small_db)
    _choose_in_preferences(monkeypatch, "en")
    window.show_preferences()
    assert QApplication.translate("QLineEdit", "&Undo") == "&Undo"
    _choose_in_preferences(monkeypatch, "es")
    window.show_preferences()
    assert QApplication.translate("QLineEdit", "&Undo") != "&Undo"  # "&Deshacer" from Qt's catalogue


# --- The municipality's RFC (the receiver every paid invoice must name) --------------------------


def test_the_municipalitys_rfc_set_in_preferences_is_stored_normalised(qtbot, small_db):
    before = office_settings(small_db)
    dialog = PreferencesDialog(None, small_db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.office.rfc.text() == "" and "RFC" in dialog.office.rfc.toolTip()
    qtbot.keyClicks(dialog.office.rfc, "mjz-850101-b72")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert office_settings(small_db) == OfficeSettings(
        before.name, before.municipality_key, before.logo_path, "MJZ850101B72"
    )
    assert dialog.chosen is not None and dialog.chosen.office.rfc == "MJZ850101B72"
    # Shown again next time; emptied, the check stops.
    again = PreferencesDialog(None, small_db)
    qtbot.addWidget(again)
    assert again.office.rfc.text() == "MJZ850101B72"
    again.office.rfc.clear()
    again.accept()
    assert office_settings(small_db).rfc == ""


def test_a_wrong_check_digit_is_asked_about_and_stored_only_when_confirmed(qtbot, small_db, monkeypatch):
    # About 1.5 % of real RFCs fail SAT's check-digit formula: the officer is asked, not blocked.
    asked: list[str] = []
    answer = [False]

    def confirm(parent, title, text, **kwargs):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(prompts_module, "confirm", confirm)
    before = office_settings(small_db)
    dialog = PreferencesDialog(None, small_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.office.name.setText("Otra oficina")  # changed too: not stored either
    qtbot.keyClicks(dialog.office.rfc, "MJZ850101B73")
    dialog.accept()
    assert len(asked) == 1 and "MJZ850101B73" in asked[0]
    # "No": back to the field, with the reason under it, and nothing stored.
    assert dialog.isVisible() and dialog.chosen is None
    assert dialog.office.errors.texts() == {
        "rfc": describe(
            Problem("rfc", "rfc.check_digit", {"rfc": "MJZ850101B73", "expected": "2"}), with_field=False
        )
    }
    assert office_settings(small_db) == before
    # "Yes": stored as typed.
    answer[0] = True
    dialog.accept()
    assert len(asked) == 2 and dialog.result() == QDialog.DialogCode.Accepted
    assert office_settings(small_db).rfc == "MJZ850101B73"


def test_a_wrong_rfc_date_is_shown_under_its_field_without_asking(qtbot, small_db, monkeypatch):
    monkeypatch.setattr(prompts_module, "confirm", lambda *a, **k: pytest.fail("a wrong date is no question"))
    before = office_settings(small_db)
    dialog = PreferencesDialog(None, small_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.office.rfc, "MJZ851301B72")
    dialog.accept()
    assert dialog.isVisible() and dialog.chosen is None
    assert list(dialog.office.errors.texts()) == ["rfc"]
    assert office_settings(small_db) == before
