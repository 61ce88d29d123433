"""Dates are typed straight through and Tab leaves the field (issue 15, item 4: 04/08/5000)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

from tests.ui.conftest import OFFSCREEN_SIZE_HINTS
from tresxuno.ui.dialogs.club import date_edit
from tresxuno.ui.widgets.date_field import DateField

pytestmark = OFFSCREEN_SIZE_HINTS


def form(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    before = QLineEdit(dialog)
    day = date_edit(dialog)
    day.setDate(QDate(2026, 12, 5))
    cost = QLineEdit(dialog)
    layout = QVBoxLayout(dialog)
    for widget in (before, day, cost):
        layout.addWidget(widget)
    dialog.show()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    return dialog, before, day, cost


def test_typing_a_date_then_tab_reaches_the_next_field_with_the_date_whole(qtbot):
    _dialog, before, day, cost = form(qtbot)
    assert isinstance(day, DateField)
    before.setFocus()
    qtbot.keyClick(before, Qt.Key.Key_Tab)
    assert day.hasFocus()
    qtbot.keyClicks(day, "04082019")
    qtbot.keyClick(day, Qt.Key.Key_Tab)
    assert cost.hasFocus(), "Tab leaves the date for the next field"
    qtbot.keyClicks(cost, "5000")
    assert day.date().toPython() == date(2019, 8, 4)  # the year was not overwritten
    assert cost.text() == "5000"


def test_shift_tab_goes_back_to_the_previous_field(qtbot):
    _dialog, before, day, _cost = form(qtbot)
    day.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(day, Qt.Key.Key_Backtab)
    assert before.hasFocus()
