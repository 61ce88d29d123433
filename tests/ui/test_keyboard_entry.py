"""An officer fills the forms from the keyboard (issue 15, item 4), driven with real key clicks.

Dates are typed through and Tab leaves them; Enter presses Save, even with a row button focused;
the quarterly report offers "all municipalities" as a choice of its own.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from tresxuno.db.engine import Database
from tresxuno.i18n import _
from tresxuno.ui.dialogs.social_committee import CommitteeDialog
from tresxuno.ui.views.ledger_export import ExportDialog
from tresxuno.ui.views.reports import ReportsView
from tresxuno.ui.widgets.date_field import DateField

#: Typing in a search box opens its completer popup, which offscreen Qt cannot raise or grab.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)"
)

TODAY = date(2026, 12, 5)


def _active(qtbot, dialog) -> None:
    dialog.show()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()


def _project(db: Database) -> int:
    from tresxuno.services.projects import ProjectFilters, list_projects

    return list_projects(db, ProjectFilters(stage="en_ejecucion"), limit=1)[0].id


def test_a_date_is_typed_through_and_tab_goes_on_to_the_members(qtbot, small_db):
    dialog = CommitteeDialog(small_db, _project(small_db), None, today=TODAY)
    qtbot.addWidget(dialog)
    _active(qtbot, dialog)
    day = dialog.constituted
    assert isinstance(day, DateField)
    day.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(day, "04082026")
    qtbot.keyClick(day, Qt.Key.Key_Tab)
    assert day.date() == QDate(2026, 8, 4)  # typing replaced the day, month and year in turn
    assert not day.hasFocus() and dialog.focusWidget() is not None
    assert dialog.members.isAncestorOf(dialog.focusWidget()) or dialog.focusWidget() is dialog.members


def test_enter_on_a_focused_row_button_saves_instead_of_adding_a_row(qtbot, small_db):
    dialog = CommitteeDialog(small_db, _project(small_db), None, today=TODAY)
    qtbot.addWidget(dialog)
    _active(qtbot, dialog)
    rows = dialog.members.rowCount()
    box = dialog.findChild(QDialogButtonBox)
    dialog.add_button.setFocus()
    with qtbot.waitSignal(box.accepted, timeout=2000):
        qtbot.keyClick(dialog.add_button, Qt.Key.Key_Return)
    assert dialog.members.rowCount() == rows
    # The members have no names yet: Save refused and said why, the dialog stays open.
    assert dialog.isVisible() and dialog.saved is None


def test_enter_in_the_format_list_exports(qtbot):
    dialog = ExportDialog("todo el libro")
    qtbot.addWidget(dialog)
    _active(qtbot, dialog)
    dialog.format.setFocus()
    qtbot.keyClick(dialog.format, Qt.Key.Key_Down)
    chosen = dialog.format.currentData()
    qtbot.keyClick(dialog.format, Qt.Key.Key_Return)
    assert dialog.result() == ExportDialog.DialogCode.Accepted and dialog.format.currentData() == chosen


@pytest.fixture
def reports(qtbot, small_db) -> ReportsView:
    view = ReportsView(small_db)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    assert view.choose_kind("quarterly")
    return view


def test_the_quarterly_report_offers_all_municipalities_as_a_choice(qtbot, reports):
    combo = reports.municipality
    assert combo.itemText(0) == _("All municipalities") and combo.itemData(0) is None
    assert reports.order().options["municipality"] == "32020"  # the office's own, chosen for it
    line = combo.lineEdit()
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, _("All municipalities"))
    qtbot.keyClick(line, Qt.Key.Key_Tab)
    order = reports.order()
    assert order is not None and "municipality" not in order.options
    combo.setCurrentIndex(combo.findData("32020"))
    assert reports.order().options["municipality"] == "32020"
    combo.setCurrentIndex(0)  # picked from the list
    assert "municipality" not in reports.order().options


def test_a_municipality_without_projects_is_explained_without_command_line_words(qtbot, reports, prompts):
    combo = reports.municipality
    empty = next(
        combo.itemData(i) for i in range(1, combo.count()) if combo.itemData(i) not in {"32020", "32022"}
    )
    combo.setCurrentIndex(combo.findData(empty))
    task = reports.generate()
    assert task is not None
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    shown = " ".join(text for _icon, _title, text, _details in prompts.messages)
    shown += " ".join(label.text() for label in reports.findChildren(QLabel) if label.isVisibleTo(reports))
    assert empty in shown, "the officer is told which municipality has nothing to report"
    assert "--" not in shown and "omita" not in shown.lower()
