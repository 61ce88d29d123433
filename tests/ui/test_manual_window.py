"""Help > Manual and F1: the manual opens at the page of the view shown, in the language in force."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tresxuno.i18n import set_language
from tresxuno.paths import manual_dir
from tresxuno.ui.dialogs.manual import ManualWindow
from tresxuno.ui.main_window import MainWindow

# The offscreen platform cannot size or raise a top-level window; a desktop does both.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, small_db):
    window = MainWindow(small_db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    if ManualWindow._instance is not None:
        ManualWindow._instance.close()
        ManualWindow._instance = None


def test_f1_opens_the_page_of_the_view_shown(qtbot, window):
    window.show_view("ledger")
    qtbot.keyClick(window, Qt.Key.Key_F1)
    manual = ManualWindow._instance
    assert manual is not None and manual.isVisible()
    assert manual.current_page() == "ledger"
    assert "El libro: aportaciones en pesos y dólares" in manual.browser.toPlainText()
    window.show_view("covam")
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert manual.current_page() == "covam" and "Sesiones del COVAM" in manual.browser.toPlainText()
    manual.back_button.click()
    assert manual.current_page() == "ledger"


def test_help_manual_in_english_opens_the_english_contents(qtbot, window):
    set_language("en")
    try:
        window.show_view("rules")
        window.actions_by_name["manual"].trigger()
        manual = ManualWindow._instance
        assert manual.current_page() == "rules" and "Programme rules" in manual.browser.toPlainText()
        manual.contents_button.click()
        assert manual.current_page() == "index" and "tresxuno manual" in manual.browser.toPlainText()
    finally:
        set_language("es")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_menu_action_is_described_in_the_manual(window, lang):
    """The manual's menu page names every action of every menu, as the window spells it."""
    set_language(lang)
    try:
        window.switch_language(lang)
        described = (manual_dir() / lang / "menus.md").read_text(encoding="utf-8")
        missing = []
        for top in window.menuBar().actions():
            for action in top.menu().actions():
                if action.isSeparator():
                    continue
                text = action.text().replace("&", "").rstrip("…")
                if f"**{text}" not in described:
                    missing.append(f"{top.text().replace('&', '')} > {text}")
        assert missing == []
    finally:
        set_language("es")
        window.switch_language("es")
