"""The main window and the projects page, driven through real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

import tresxuno
from tresxuno.demo.projects import generate_demo
from tresxuno.i18n import _, ngettext, set_language
from tresxuno.services.projects import ProjectFilters, count_projects, list_projects
from tresxuno.ui.main_window import MainWindow
from tresxuno.ui.models.projects import COLUMN_OF, ProjectTableModel
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.projects import SEARCH_DELAY_MS, ProjectsView

from .conftest import BIG, OFFSCREEN_SIZE_HINTS

pytestmark = OFFSCREEN_SIZE_HINTS


def _count_text(n: int) -> str:
    return ngettext("{count} project", "{count} projects", n).format(count=f"{n:,}")


@pytest.fixture
def window_for(qtbot):
    """Open a main window on a database, shown and ready for keyboard input."""

    def make(db) -> MainWindow:
        window = MainWindow(db)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        window.show_view("projects")  # the window opens on Inicio; these tests are about Proyectos
        return window

    return make


def _projects(window: MainWindow) -> ProjectsView:
    view = window.views["projects"]
    assert isinstance(view, ProjectsView)
    return view


def test_the_window_opens_in_spanish_on_the_projects_page(window_for, big_db):
    set_language("es")
    window = window_for(big_db)
    view = _projects(window)

    assert window.windowTitle().startswith("tresxuno — Presidencia Municipal de Jerez")  # the demo's office
    titles = [window.nav.item(r).text() for r in range(window.nav.count())]
    assert titles[:4] == [_("Home"), _("Projects"), _("Clubs and federations"), _("COVAM sessions")]
    assert window.current_view() is view
    model = view.table.model()
    assert model.headerData(0, Qt.Orientation.Horizontal) == _("Folio")
    assert model.headerData(COLUMN_OF["cost"], Qt.Orientation.Horizontal) == _("Cost (MXN)")
    assert [a.text() for a in window.menuBar().actions()] == [
        _("&File"),
        _("&Edit"),
        _("&View"),
        _("&Administration"),
        _("&Tools"),
        _("&Help"),
    ]
    assert window.status_label.text() == _count_text(BIG)
    assert str(big_db.path) in window.location_label.toolTip()
    assert view.pages.currentWidget() is view.table and view.table.isVisible()


def test_costs_are_right_aligned_and_fit_their_column(window_for, big_db):
    window = window_for(big_db)
    view = _projects(window)
    table = view.table
    cost = COLUMN_OF["cost"]
    model = table.model()
    model.sort(cost, Qt.SortOrder.DescendingOrder)

    index = model.index(0, cost)
    alignment = Qt.AlignmentFlag(model.data(index, Qt.ItemDataRole.TextAlignmentRole))
    assert alignment & Qt.AlignmentFlag.AlignRight
    # The dearest amount is drawn whole: the column is wider than its text.
    text = model.data(index)
    assert table.columnWidth(cost) > table.fontMetrics().horizontalAdvance(text)
    assert table.columnWidth(cost) > table.fontMetrics().horizontalAdvance("$7,276,406.19")
    # And the header is not clipped either.
    assert table.columnWidth(cost) >= table.horizontalHeader().sectionSizeHint(cost)


def test_typing_a_search_filters_after_a_pause_and_the_status_follows(qtbot, window_for, big_db):
    window = window_for(big_db)
    view = _projects(window)
    expected = count_projects(big_db, ProjectFilters(text="Jerez"))
    assert 0 < expected < BIG

    qtbot.keyClicks(view.search, "Jerez")
    # Debounced: nothing is queried while the officer is still typing.
    assert view.model.filters.text == ""
    assert view._debounce.isActive() and view._debounce.interval() == SEARCH_DELAY_MS

    qtbot.waitUntil(lambda: view.model.filters.text == "Jerez", timeout=3000)
    assert view.model.total_count() == expected
    assert window.status_label.text() == _count_text(expected)
    folios = {p.folio for p in list_projects(big_db, ProjectFilters(text="Jerez"), limit=BIG)}
    assert {view.model.project(r).folio for r in range(view.model.rowCount())} == folios


def test_the_combos_filter_at_once(window_for, big_db):
    window = window_for(big_db)
    view = _projects(window)
    view.year.setCurrentIndex(view.year.findData(2018))
    view.programme.setCurrentIndex(view.programme.findData("3x1"))
    filters = ProjectFilters(fiscal_year=2018, program="3x1")
    assert view.model.filters == filters
    assert window.status_label.text() == _count_text(count_projects(big_db, filters))

    stage = list_projects(big_db, limit=1)[0].stage
    view.stage.setCurrentIndex(view.stage.findData(stage))
    assert view.model.filters.stage == stage


def test_no_match_offers_to_clear_the_filters(qtbot, window_for, big_db):
    window = window_for(big_db)
    view = _projects(window)
    view.search.setText("zzzz no such thing")
    view.apply_filters()
    assert view.pages.currentIndex() == 1
    assert view.message.text() == _("No project matches the search and filters.")
    assert window.status_label.text() == _count_text(0)

    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert view.search.text() == ""
    assert view.model.total_count() == BIG
    assert view.pages.currentWidget() is view.table


def test_an_empty_database_explains_how_to_load_demo_data_and_f5_shows_it(qtbot, window_for, empty_db):
    window = window_for(empty_db)
    view = _projects(window)
    assert view.pages.currentIndex() == 1
    assert not view.table.isVisible()
    command = f'tresxuno --db "{empty_db.path}" demo'
    assert view.message.text() == _(
        "No projects yet. To see example data, run: {command}\nthen press F5 to refresh."
    ).format(command=command)
    assert window.status_label.text() == _count_text(0)

    generate_demo(empty_db, projects=30, seed=1)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert view.pages.currentWidget() is view.table and view.table.isVisible()
    assert window.status_label.text() == _count_text(30)


def test_ctrl_f_goes_to_the_search_box_and_tab_reaches_every_control(qtbot, window_for, small_db):
    window = window_for(small_db)
    view = _projects(window)
    view.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search.hasFocus()

    window.nav.setFocus()
    reached = []
    for _step in range(7):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached[:6] == [view.new_button, view.search, view.year, view.programme, view.stage, view.table]
    assert reached[6] is window.nav  # round again, not stuck walking table cells


def test_controls_without_a_visible_label_have_accessible_names(window_for, small_db):
    window = window_for(small_db)
    view = _projects(window)
    for widget in (window.nav, view.search, view.year, view.programme, view.stage, view.table):
        assert widget.accessibleName(), widget


def test_layout_and_last_view_are_remembered(qtbot, window_for, small_db):
    window = window_for(small_db)
    # The offscreen screen is 800 x 800, narrower than the window may be: restoring clamps the width.
    window.resize(window.width(), 640)
    window.close()
    settings = Settings()
    assert settings.last_view == "projects"
    assert settings.window_geometry

    again = MainWindow(small_db)
    qtbot.addWidget(again)
    assert again.height() == 640
    assert again.current_view() is again.views["projects"]


def test_menus_quit_and_about(window_for, small_db, prompts):
    window = window_for(small_db)
    actions = {a.text(): a for m in window.menuBar().actions() for a in m.menu().actions()}
    actions[_("&About tresxuno")].trigger()
    assert len(prompts.abouts) == 1 and tresxuno.__version__ in prompts.abouts[0][1]
    assert actions[_("&Refresh")].shortcut().toString() == "F5"
    assert actions[_("&Quit")].shortcut().toString() == "Ctrl+Q"
    actions[_("&Quit")].trigger()
    assert not window.isVisible()


def test_the_project_model_stays_lazy_inside_the_window(qtbot, window_for, big_db):
    window = window_for(big_db)
    model = _projects(window).model
    assert isinstance(model, ProjectTableModel)
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    _projects(window).table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 400)


def test_year_and_programme_start_hidden_and_the_column_menu_shows_them(window_for, small_db):
    window = window_for(small_db)
    view = _projects(window)
    header = view.table.horizontalHeader()
    assert header.isSectionHidden(COLUMN_OF["fiscal_year"]) and header.isSectionHidden(COLUMN_OF["program"])

    menu = view.columns_menu()
    actions = {a.text(): a for a in menu.actions()}
    assert not actions[_("Folio")].isEnabled()  # the folio always stays
    assert actions[_("Cost (MXN)")].isChecked() and not actions[_("Fiscal year")].isChecked()
    actions[_("Fiscal year")].setChecked(True)
    assert not header.isSectionHidden(COLUMN_OF["fiscal_year"])
    # It arrives wide enough for its header, not squeezed to nothing.
    year = COLUMN_OF["fiscal_year"]
    assert view.table.columnWidth(year) >= header.sectionSizeHint(year)


def test_columns_and_sort_order_are_remembered(qtbot, window_for, small_db):
    window = window_for(small_db)
    view = _projects(window)
    header = view.table.horizontalHeader()
    header.setSectionHidden(COLUMN_OF["club"], True)
    view.table.sortByColumn(COLUMN_OF["cost"], Qt.SortOrder.DescendingOrder)
    window.close()

    again = MainWindow(small_db)
    qtbot.addWidget(again)
    view = _projects(again)
    assert view.table.horizontalHeader().isSectionHidden(COLUMN_OF["club"])
    assert (view.model.sort_key, view.model.descending) == ("cost", True)
    dearest = list_projects(small_db, sort_key="cost", descending=True, limit=1)[0]
    assert view.model.project(0).id == dearest.id


def test_every_category_label_shows_whole(window_for, small_db):
    from tresxuno.formatting import CATEGORY_LABELS, category_label

    window = window_for(small_db)
    table = _projects(window).table
    widest = max(table.fontMetrics().horizontalAdvance(category_label(c)) for c in CATEGORY_LABELS)
    assert table.columnWidth(COLUMN_OF["category"]) > widest


def test_a_locked_database_at_start_is_reported_not_shown_as_empty(qtbot, small_db, monkeypatch, prompts):
    from tresxuno.domain.problems import StorageError
    from tresxuno.messages import describe_storage
    from tresxuno.ui.models import projects as model_module

    def locked(*args, **kwargs):
        raise StorageError("db.locked")

    monkeypatch.setattr(model_module, "count_projects", locked)
    view = ProjectsView(small_db)
    qtbot.addWidget(view)
    assert [m[2] for m in prompts.messages] == [describe_storage(StorageError("db.locked"))]
    assert view.pages.currentWidget() is view.table  # not "no projects yet"

    monkeypatch.undo()
    view.refresh()
    assert view.model.total_count() == count_projects(small_db)
