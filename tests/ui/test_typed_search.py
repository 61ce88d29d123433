"""A typed search shows its first page at once and counts the rows right after (issue: answer in 150 ms)."""

from __future__ import annotations

from tests.ui.conftest import OFFSCREEN_SIZE_HINTS
from tresxuno.db.repos.projects import ProjectFilters
from tresxuno.services.projects import count_projects
from tresxuno.ui.models.projects import ProjectTableModel
from tresxuno.ui.views.projects import SEARCH_DELAY_MS, ProjectsView

pytestmark = OFFSCREEN_SIZE_HINTS


def test_the_first_page_comes_before_the_count(qtbot, big_db):
    model = ProjectTableModel(big_db)
    model._page_size = 20
    counted: list[int] = []
    model.total_changed.connect(counted.append)
    counted.clear()
    model.defer_next_count = True
    model.set_filters(ProjectFilters(text="a"))
    assert model.rowCount() == 20 and counted == []  # rows shown, not counted yet
    with qtbot.waitSignal(model.total_changed, timeout=5_000) as signal:
        pass
    assert signal.args[0] == count_projects(big_db, ProjectFilters(text="a")) == model.total_count()


def test_typing_in_the_search_box_filters_within_the_short_delay(qtbot, big_db):
    assert SEARCH_DELAY_MS <= 100
    view = ProjectsView(big_db)
    qtbot.addWidget(view)
    view.show()
    qtbot.keyClicks(view.search, "jerez")
    expected = count_projects(big_db, ProjectFilters(text="jerez"))
    qtbot.waitUntil(lambda: view.model.total_count() == expected, timeout=5_000)
    assert view.model.rowCount() == min(expected, view.model._page_size)
