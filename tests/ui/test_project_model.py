"""The project table model: a correct Qt model, lazy by pages, sorted and filtered in SQL only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QTableView

from tresxuno.domain.problems import StorageError
from tresxuno.formatting import category_label, money_text, stage_label
from tresxuno.i18n import _, set_language
from tresxuno.services.projects import ProjectFilters, count_projects, list_projects
from tresxuno.ui.models import projects as model_module
from tresxuno.ui.models.projects import COLUMN_OF, COLUMNS, ProjectRole, ProjectTableModel, RawRole

from .conftest import BIG

COST = COLUMN_OF["cost"]


def _fetch_all(model: ProjectTableModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def test_the_model_passes_qts_model_tester(qtmodeltester, small_db):
    model = ProjectTableModel(small_db)
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)


def test_the_model_tester_also_passes_while_paging_sorting_and_filtering(big_db):
    model = ProjectTableModel(big_db)
    # Qt's tester reports failures as Qt warnings, which fail the test (qt_log_level_fail). Its own
    # fetchMore calls are off: it makes them from inside the modelReset signal, before clearing its
    # "reset in flight" flag, and then blames any model that still has pages to fetch after a reset
    # (pytest-qt's Python port does the same). Here the test fetches, and the tester checks each step.
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    tester.setUseFetchMore(False)
    model.fetchMore(QModelIndex())
    model.sort(COST, Qt.SortOrder.DescendingOrder)
    model.set_filters(ProjectFilters(text="Jerez"))
    model.fetchMore(QModelIndex())
    model.set_filters(ProjectFilters(text="no such project anywhere"))
    assert model.rowCount() == 0
    model.refresh()
    assert tester.model() is model


def test_rows_arrive_a_page_at_a_time(big_db):
    model = ProjectTableModel(big_db)
    assert model.total_count() == count_projects(big_db) == BIG
    assert model.rowCount() == ProjectTableModel.PAGE_SIZE == 200
    assert model.canFetchMore(QModelIndex())

    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == BIG
    assert not model.canFetchMore(QModelIndex())
    # The pages join without gaps or overlaps: the same rows, in the same order, as one big query.
    folios = [model.project(r).folio for r in range(model.rowCount())]
    assert folios == [p.folio for p in list_projects(big_db, limit=1000)]


def test_the_view_fetches_only_as_it_scrolls(qtbot, big_db):
    model = ProjectTableModel(big_db)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == 200  # showing the top of the list loads nothing more

    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 200)
    assert model.rowCount() == 400


def test_sorting_by_cost_descending_happens_in_sql(big_db):
    model = ProjectTableModel(big_db)
    model.sort(COST, Qt.SortOrder.DescendingOrder)
    assert (model.sort_key, model.descending) == ("cost", True)

    # The first loaded row is the dearest of all 450, not just of the first page.
    dearest = list_projects(big_db, sort_key="cost", descending=True, limit=1)[0]
    assert model.data(model.index(0, COST), RawRole) == dearest.cost
    assert dearest.cost == max(p.cost for p in list_projects(big_db, limit=BIG))

    _fetch_all(model)
    costs = [model.data(model.index(r, COST), RawRole) for r in range(model.rowCount())]
    assert costs == sorted(costs, reverse=True)
    assert [model.project(r).id for r in range(model.rowCount())] == [
        p.id for p in list_projects(big_db, sort_key="cost", descending=True, limit=BIG)
    ]


@pytest.mark.parametrize("column", range(len(COLUMNS)))
def test_every_column_sorts_by_its_sql_key(big_db, column):
    model = ProjectTableModel(big_db)
    model.sort(column, Qt.SortOrder.AscendingOrder)
    expected = list_projects(big_db, sort_key=COLUMNS[column].key, limit=200)
    assert [model.project(r).id for r in range(model.rowCount())] == [p.id for p in expected]


def test_filters_reset_the_list_and_count_in_sql(qtbot, big_db):
    model = ProjectTableModel(big_db)
    model.fetchMore(QModelIndex())
    filters = ProjectFilters(text="Jerez")
    expected = count_projects(big_db, filters)
    assert 0 < expected < BIG

    with qtbot.waitSignal(model.total_changed) as signal:
        model.set_filters(filters)
    assert signal.args == [expected]
    assert model.total_count() == model.rowCount() == expected
    assert [model.project(r).id for r in range(model.rowCount())] == [
        p.id for p in list_projects(big_db, filters, limit=BIG)
    ]

    model.set_filters(ProjectFilters(fiscal_year=2018, program="3x1"))
    assert model.total_count() == count_projects(big_db, ProjectFilters(fiscal_year=2018, program="3x1"))
    assert {model.project(r).fiscal_year for r in range(model.rowCount())} == {2018}


def test_cells_show_translated_labels_and_money(big_db):
    model = ProjectTableModel(big_db)
    project = model.data(model.index(0, 0), ProjectRole)
    row = {c.key: model.data(model.index(0, i)) for i, c in enumerate(COLUMNS)}
    assert row["folio"] == project.folio
    assert row["fiscal_year"] == str(project.fiscal_year)
    assert row["category"] == category_label(project.category)
    assert row["stage"] == stage_label(project.stage)
    assert row["cost"] == money_text(project.cost, "es")
    assert model.data(model.index(0, COST), RawRole) == project.cost
    assert isinstance(model.data(model.index(0, COST), RawRole), int)
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert model.data(model.index(0, COST), Qt.ItemDataRole.TextAlignmentRole) == int(right)
    assert model.headerData(COST, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole) == int(right)
    assert model.data(model.index(0, COLUMN_OF["name"]), Qt.ItemDataRole.ToolTipRole) == project.name

    set_language("en")
    assert model.data(model.index(0, COST)) == money_text(project.cost, "en")


def test_headers_are_translated(big_db):
    model = ProjectTableModel(big_db)
    set_language("es")
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers == [
        _(m)
        for m in (
            "Folio",
            "Fiscal year",
            "Programme",
            "Category",
            "Stage",
            "Project",
            "Club",
            "Municipality",
            "Cost (MXN)",
        )
    ]


def test_a_storage_problem_keeps_the_rows_and_is_reported(qtbot, big_db, monkeypatch):
    model = ProjectTableModel(big_db)

    def locked(*args, **kwargs):
        raise StorageError("db.locked")

    monkeypatch.setattr(model_module, "list_projects", locked)
    with qtbot.waitSignal(model.load_failed) as failed:
        model.fetchMore(QModelIndex())
    assert isinstance(failed.args[0], StorageError)
    assert model.rowCount() == 200
    assert not model.canFetchMore(QModelIndex())  # no retry loop from the view

    with qtbot.waitSignal(model.load_failed):
        model.sort(COST, Qt.SortOrder.DescendingOrder)
    assert (model.sort_key, model.rowCount()) == ("folio", 200)

    monkeypatch.undo()
    model.refresh()
    assert model.canFetchMore(QModelIndex())
