"""The main window shell: pages in order, shared commands routed to the page shown, undo and redo.

Also records opened from one page shown on another, the tool bar and the remembered layout.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from tresxuno.demo.projects import generate_demo
from tresxuno.i18n import _
from tresxuno.services.projects import list_projects
from tresxuno.ui import main_window as main_window_module
from tresxuno.ui import window_commands
from tresxuno.ui.main_window import PAGES, MainWindow
from tresxuno.ui.undo import FieldEdit, RestoreValues, UndoCommand, undo_stack
from tresxuno.ui.views.projects import ProjectsView
from tresxuno.ui.views.rules import RulesView

from .conftest import OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS

#: The keys of the pages in the order the officer sees them (Inicio, Proyectos, Clubes...).
ORDER = ["home", "projects", "clubs", "covam", "ledger", "reports", "rules"]


@pytest.fixture(autouse=True)
def _empty_undo_history():
    undo_stack().clear()
    yield
    undo_stack().clear()


@pytest.fixture
def window_for(qtbot):
    """Open a main window on a database, shown, active, on the page asked for."""

    def make(db, page: str | None = None, **kwargs) -> MainWindow:
        window = MainWindow(db, **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        if page is not None:
            window.show_view(page)
        return window

    return make


def _texts(window: MainWindow) -> list[str]:
    return [window.nav.item(r).text() for r in range(window.nav.count())]


def test_pages_are_listed_in_order_with_translated_titles(window_for, small_db):
    window = window_for(small_db)
    keys = list(window.views)
    # Whatever pages exist yet, they come in the agreed order; projects and rules always exist.
    assert keys == [k for k in ORDER if k in keys]
    assert {"projects", "rules"} <= set(keys)
    assert _texts(window) == [_(type(v).title_msgid) for v in window.views.values()]
    assert _texts(window)[keys.index("projects")] == _("Projects")
    assert _texts(window)[keys.index("rules")] == _("Rules")
    # Ctrl+1, Ctrl+2... in the same order, in the View menu.
    shortcuts = {a.text(): a.shortcut().toString() for a in window._page_actions}
    assert [shortcuts[t] for t in _texts(window)] == [f"Ctrl+{n}" for n in range(1, len(keys) + 1)]
    assert window.current_view() is window.views[keys[0]]  # a first start opens on the first page


def test_the_pages_come_in_the_agreed_order():
    modules = ("dashboard", "projects", "clubs", "covam", "ledger", "reports", "rules")
    assert [page.__module__ for page in PAGES] == [f"tresxuno.ui.views.{n}" for n in modules]


def test_ctrl_n_on_the_projects_page_calls_its_new_record(qtbot, window_for, small_db, monkeypatch):
    calls = []
    monkeypatch.setattr(ProjectsView, "new_record", lambda self: calls.append(self), raising=False)
    window = window_for(small_db, "projects")
    new = window.actions_by_name["new"]
    assert new.isEnabled() and new.shortcut().toString() == "Ctrl+N"

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert calls == [window.views["projects"]]

    # A page without "new" (the rule book) leaves File > New disabled, and Ctrl+N does nothing.
    window.show_view("rules")
    assert not new.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(calls) == 1


def test_ctrl_p_prints_where_the_page_can_print(qtbot, window_for, small_db, monkeypatch):
    printed = []
    monkeypatch.setattr(RulesView, "print_current", lambda self: printed.append(self), raising=False)
    monkeypatch.setattr(ProjectsView, "print_current", None, raising=False)
    window = window_for(small_db, "projects")
    action = window.actions_by_name["print"]
    assert not action.isEnabled()
    window.show_view("rules")
    assert action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed == [window.views["rules"]]


def test_f5_refreshes_the_page_shown(qtbot, window_for, empty_db):
    window = window_for(empty_db, "projects")
    view = window.views["projects"]
    assert view.model.total_count() == 0
    generate_demo(empty_db, projects=20, seed=3)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert view.model.total_count() == 20
    assert window.status_label.text() == view.status_text()
    assert window.actions_by_name["refresh"].shortcut().toString() == "F5"


def test_ctrl_f_goes_to_the_search_box_of_the_page_shown(qtbot, window_for, small_db):
    window = window_for(small_db, "projects")
    view = window.views["projects"]
    view.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search.hasFocus()


def test_the_status_bar_shows_the_page_status_and_the_database(window_for, small_db):
    window = window_for(small_db, "rules")
    assert window.status_label.text() == window.views["rules"].status_text()
    assert str(small_db.path) in window.location_label.toolTip()
    window.show_view("projects")
    assert window.status_label.text() == window.views["projects"].status_text()


def test_the_tool_bar_has_icons_text_and_accessible_names(window_for, small_db):
    window = window_for(small_db)
    bar = window.tool_bar
    assert bar is not None and bar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    actions = [a for a in bar.actions() if not a.isSeparator()]
    assert [a for a in actions] == [
        window.actions_by_name[n] for n in ("new", "import", "print", "undo", "redo", "refresh")
    ]
    for action in actions:
        button = bar.widgetForAction(action)
        assert not action.icon().isNull(), action.text()
        assert button.accessibleName() and button.accessibleName() == action.iconText().replace("&", "")


def test_menus_and_their_shortcuts(window_for, small_db):
    window = window_for(small_db)
    assert [a.text() for a in window.menuBar().actions()] == [
        _("&File"),
        _("&Edit"),
        _("&View"),
        _("&Administration"),
        _("&Tools"),
        _("&Help"),
    ]
    keys = {n: a.shortcut().toString() for n, a in window.actions_by_name.items()}
    assert keys["new"] == "Ctrl+N" and keys["quit"] == "Ctrl+Q" and keys["find"] == "Ctrl+F"
    assert keys["undo"] == "Ctrl+Z" and keys["redo"] == "Ctrl+Shift+Z" and keys["print"] == "Ctrl+P"
    file_menu = window.menuBar().actions()[0].menu()
    names = [a.text() for a in file_menu.actions() if not a.isSeparator()]
    assert names == [
        _("&New…"),
        _("&Import…"),
        _("&Print…"),
        _("&Backup now…"),
        _("&Restore…"),
        _("P&references…"),
        _("Sign &out / switch user…"),
        _("&Quit"),
    ]


def test_import_opens_the_import_dialog(window_for, small_db, monkeypatch):
    asked = []

    class FakeImportDialog:
        @classmethod
        def ask(cls, parent, db):
            asked.append((parent, db))
            return object()

    monkeypatch.setattr(window_commands, "ImportDialog", FakeImportDialog)
    window = window_for(small_db)
    action = window.actions_by_name["import"]
    assert action.isEnabled()
    action.trigger()
    assert asked == [(window, small_db)]


# -- undo and redo ---------------------------------------------------------------------------------


def test_undo_and_redo_follow_the_history_and_say_what_they_undo(qtbot, window_for, small_db):
    window = window_for(small_db)
    undo, redo = window.actions_by_name["undo"], window.actions_by_name["redo"]
    assert not undo.isEnabled() and not redo.isEnabled()
    assert undo.text() == _("&Undo") and redo.text() == _("&Redo")

    field = QLineEdit("Club Jerez")
    qtbot.addWidget(field)
    field.setText("Club Social Jerezano")
    undo_stack().push(FieldEdit("Edit name", "name", field.setText, "Club Jerez", "Club Social Jerezano"))
    assert undo.isEnabled() and not redo.isEnabled()
    assert undo.text() == _("&Undo: {what}").format(what="Edit name")

    window.nav.setFocus()  # not in a text box, whose own Ctrl+Z would win
    qtbot.keyClick(window.nav, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "Club Jerez"
    assert not undo.isEnabled() and redo.isEnabled()
    assert redo.text() == _("&Redo: {what}").format(what="Edit name")

    redo.trigger()
    assert field.text() == "Club Social Jerezano"
    assert undo.isEnabled() and not redo.isEnabled()


def test_typing_in_one_field_is_one_undo_step():
    values = []
    stack = undo_stack()
    stack.push(FieldEdit("Edit name", "name", values.append, "A", "AB"))
    stack.push(FieldEdit("Edit name", "name", values.append, "AB", "ABC"))
    stack.push(FieldEdit("Edit place", "place", values.append, "", "Jerez"))
    assert stack.count() == 2 and values == []  # done=True: the fields already hold the new values
    stack.undo()
    stack.undo()
    assert values == ["", "A"] and not stack.canUndo()


def test_restore_values_puts_a_whole_form_back():
    shown = {}
    before, after = {"name": "A", "members": 10}, {"name": "B", "members": 12}
    command = RestoreValues("Edit club", shown.update, before, after)
    undo_stack().push(command)
    undo_stack().undo()
    assert shown == {"name": "A", "members": 10}
    undo_stack().redo()
    assert shown == {"name": "B", "members": 12}


def test_an_undo_that_fails_is_shown_and_leaves_the_history(prompts):
    from tresxuno.domain.problems import StorageError

    def locked():
        raise StorageError("db.locked")

    stack = undo_stack()
    stack.push(UndoCommand("Record payment", lambda: None, locked, done=True))
    stack.undo()
    assert len(prompts.messages) == 1
    assert stack.count() == 0 and not stack.canUndo() and not stack.canRedo()


# -- records opened from another page ---------------------------------------------------------------


class FakeRecord:
    """Stands for the project record window."""

    opened: ClassVar[list[tuple[object, object, int]]] = []

    @classmethod
    def open(cls, parent, db, project_id):
        cls.opened.append((parent, db, project_id))
        return True  # "something changed"


def test_a_project_opens_in_its_record_window_when_there_is_one(window_for, small_db, monkeypatch):
    FakeRecord.opened = []
    monkeypatch.setattr(main_window_module, "ProjectRecord", FakeRecord)
    window = window_for(small_db, "projects")
    refreshed = []
    monkeypatch.setattr(window.views["projects"], "refresh", lambda: refreshed.append(True))
    window.open_record("project", 7)
    assert FakeRecord.opened == [(window, small_db, 7)]
    assert refreshed == [True]  # the record changed the project: the list reads it again


def test_a_project_from_the_home_page_opens_in_its_record_window(window_for, small_db, monkeypatch):
    FakeRecord.opened = []
    monkeypatch.setattr(main_window_module, "ProjectRecord", FakeRecord)
    window = window_for(small_db)
    project = list_projects(small_db, limit=30)[-1]
    window.views["home"].open_record.emit("project", project.id)  # what the dashboard does on a double click
    assert FakeRecord.opened == [(window, small_db, project.id)]


def test_clubs_and_sessions_open_on_their_pages(window_for, small_db, monkeypatch):
    window = window_for(small_db)
    selected = []
    for key, method in (("clubs", "select_club"), ("covam", "select_session")):
        if key in window.views:
            monkeypatch.setattr(window.views[key], method, lambda i, k=key: selected.append((k, i)))
    window.open_record("club", 3)
    if "clubs" in window.views:
        assert window.current_view() is window.views["clubs"]
    window.open_record("session", 2)
    if "covam" in window.views:
        assert window.current_view() is window.views["covam"]
    assert selected == [(k, i) for k, i in (("clubs", 3), ("covam", 2)) if k in window.views]


def test_the_project_record_window_is_the_one_used(window_for, small_db, monkeypatch):
    record = main_window_module.ProjectRecord
    shown = []
    monkeypatch.setattr(record, "ask", classmethod(lambda cls, parent, db, pid: shown.append(pid) or False))
    window = window_for(small_db)
    window.open_record("project", 5)
    assert shown == [5]


# -- remembered between runs ----------------------------------------------------------------------------


def test_last_page_size_and_page_layouts_are_remembered(qtbot, window_for, small_db):
    window = window_for(small_db, "rules")
    window.resize(window.width(), 640)
    window.views["rules"].tree.header().resizeSection(0, 321)
    window.close()

    again = MainWindow(small_db)
    qtbot.addWidget(again)
    assert again.current_view() is again.views["rules"]
    assert again.height() == 640
    assert again.views["rules"].tree.header().sectionSize(0) == 321


# -- pages built when first shown ----------------------------------------------------------------------


def test_only_the_page_shown_is_built_and_others_when_first_shown(qtbot, window_for, small_db):
    window = window_for(small_db, "rules")
    window.close()

    again = MainWindow(small_db)  # restores the last page, rules: no other page reads its data
    qtbot.addWidget(again)
    assert list(again.views.built()) == ["rules"]
    assert again.current_view() is again.views.built()["rules"]
    assert list(again.views) == list(window.views)  # every page is still listed and reachable
    again.show_view("projects")
    assert set(again.views.built()) == {"rules", "projects"}
    assert again.current_view() is again.views["projects"]
    assert again.views["projects"].model.total_count() > 0


def test_a_rebuilt_page_keeps_its_search_when_built_after_a_language_switch(window_for, small_db):
    window = window_for(small_db, "projects")
    window.views["projects"].search.setText("Jerez")
    window.show_view("rules")
    window.switch_language("en")
    assert list(window.views.built()) == ["rules"]  # projects is rebuilt only when shown again
    window.show_view("projects")
    assert window.views["projects"].search.text() == "Jerez"
