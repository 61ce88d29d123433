"""The home page on a demo database: the year's figures, the attention list, and opening its records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from tresxuno.db.engine import Database
from tresxuno.demo.projects import DEFAULT_TODAY
from tresxuno.formatting import money_text, party_label, stage_label
from tresxuno.formatting import party_label as _party_label
from tresxuno.i18n import _, ngettext, set_language
from tresxuno.services.overview import DEPOSIT_OWED, STUCK, TOMA_EXPIRING, year_overview
from tresxuno.ui.views.dashboard import (
    GROUP_KIND_ROLE,
    ICONS,
    RECORD_ID_ROLE,
    DashboardView,
    attention_text,
)

from .conftest import OFFSCREEN_SIZE_HINTS, _demo_file, _open_copy

pytestmark = OFFSCREEN_SIZE_HINTS
TODAY = DEFAULT_TODAY


@pytest.fixture(scope="module")
def _demo180(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo_file(tmp_path_factory.mktemp("home"), 180)


@pytest.fixture
def demo_db(_demo180: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of a 180-project demo database (seed 1, the demo's own "today")."""
    yield from _open_copy(_demo180, tmp_path)


@pytest.fixture
def home(qtbot, demo_db) -> DashboardView:
    view = DashboardView(demo_db, today=TODAY)
    qtbot.addWidget(view)
    view.resize(1180, 760)
    view.show()
    qtbot.waitExposed(view)
    return view


def _cells(table, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def _children(view: DashboardView, kind: str) -> list[QTreeWidgetItem]:
    for i in range(view.attention.topLevelItemCount()):
        group = view.attention.topLevelItem(i)
        if group.data(0, GROUP_KIND_ROLE) == kind:
            return [group.child(c) for c in range(group.childCount())]
    return []


def test_the_latest_year_shows_projects_per_stage_and_approved_money(home, demo_db):
    set_language("es")
    expected = year_overview(demo_db, None, today=TODAY)
    assert home.year.currentData() == expected.fiscal_year == max(expected.fiscal_years)
    assert [home.year.itemData(i) for i in range(home.year.count())] == list(expected.fiscal_years)

    labels, counts = _cells(home.stages, 0), _cells(home.stages, 1)
    by_stage = {s.stage: s.count for s in expected.stages}
    for stage in ("solicitado", "en_covam", "convenio_firmado"):
        assert counts[labels.index(stage_label(stage))] == str(by_stage[stage])
    assert (labels[-1], counts[-1]) == (_("Total"), str(expected.projects))

    parties = _cells(home.money, 0)
    amounts = _cells(home.money, 1)
    assert parties[:-1] == [party_label(m.party) for m in expected.approved]
    assert amounts[-1] == money_text(expected.approved_total, "es")
    total = home.money.item(home.money.rowCount() - 1, 1)
    assert Qt.AlignmentFlag(total.textAlignment()) & Qt.AlignmentFlag.AlignRight
    assert home.status_text().startswith(
        ngettext("{count} project in {year}", "{count} projects in {year}", expected.projects).format(
            count=expected.projects, year=expected.fiscal_year
        )
    )


def test_the_attention_list_shows_an_expiring_toma_and_a_stuck_project(home, demo_db):
    expected = year_overview(demo_db, None, today=TODAY)
    toma = next(i for i in expected.attention if i.kind == TOMA_EXPIRING)
    stuck = next(i for i in expected.attention if i.kind == STUCK)
    tomas = _children(home, TOMA_EXPIRING)
    assert attention_text(toma) in [c.text(0) for c in tomas]
    assert toma.subject in attention_text(toma)
    assert f"{toma.on.day:02d}/{toma.on.month:02d}/{toma.on.year}" in attention_text(toma)
    stuck_rows = _children(home, STUCK)
    assert attention_text(stuck) in [c.text(0) for c in stuck_rows]
    assert stuck.subject in attention_text(stuck) and stage_label(stuck.stage) in attention_text(stuck)
    assert sum(len(_children(home, kind)) for kind in ICONS) == len(expected.attention)
    # Every item carries an icon beside its words.
    assert all(not c.icon(0).isNull() for c in tomas + stuck_rows)


def test_activating_an_item_emits_open_record_with_its_id(qtbot, home, demo_db):
    expected = year_overview(demo_db, None, today=TODAY)
    toma = next(i for i in expected.attention if i.kind == TOMA_EXPIRING)
    [row] = [c for c in _children(home, TOMA_EXPIRING) if c.text(0) == attention_text(toma)]
    home.attention.setFocus()
    home.attention.setCurrentItem(row)
    with qtbot.waitSignal(home.open_record) as signal:
        qtbot.keyClick(home.attention, Qt.Key.Key_Return)
    assert signal.args == ["club", toma.record_id]

    stuck = next(i for i in expected.attention if i.kind == STUCK)
    [row] = [c for c in _children(home, STUCK) if c.data(0, RECORD_ID_ROLE) == stuck.record_id]
    row.parent().setExpanded(True)
    home.attention.scrollToItem(row)
    rect = home.attention.visualItemRect(row)
    # A real double-click starts with a press; QTest's alone does not send one.
    qtbot.mouseClick(home.attention.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(home.open_record, timeout=1000) as signal:
        qtbot.mouseDClick(home.attention.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["project", stuck.record_id]

    # Enter on a group's title folds it instead of opening anything.
    group = home.attention.topLevelItem(0)
    home.attention.setCurrentItem(group)
    was = group.isExpanded()
    with qtbot.assertNotEmitted(home.open_record):
        qtbot.keyClick(home.attention, Qt.Key.Key_Return)
    assert group.isExpanded() is not was


def test_a_party_behind_on_deposits_is_one_enter_from_its_project(qtbot, home, demo_db):
    owed = []
    for index in range(home.year.count()):  # the most recent year with a ministración owed
        year = home.year.itemData(index)
        owed = [i for i in year_overview(demo_db, year, today=TODAY).attention if i.kind == DEPOSIT_OWED]
        if owed:
            home.year.setCurrentIndex(index)
            break
    # Listed from the day a tranche fell due: never a day before.
    assert owed and all(i.days is not None and i.days >= 0 for i in owed if i.on)
    item = owed[0]
    rows = [c for c in _children(home, DEPOSIT_OWED) if c.text(0) == attention_text(item)]
    assert rows and _party_label(item.party) in rows[0].text(0)
    rows[0].parent().setExpanded(True)
    home.attention.setFocus()
    home.attention.setCurrentItem(rows[0])
    with qtbot.waitSignal(home.open_record) as signal:
        qtbot.keyClick(home.attention, Qt.Key.Key_Return)
    assert signal.args == ["project", item.record_id]


def test_choosing_another_year_shows_its_figures(home, demo_db):
    home.year.setCurrentIndex(home.year.findData(2018))
    expected = year_overview(demo_db, 2018, today=TODAY)
    assert home.data.fiscal_year == 2018
    assert _cells(home.stages, 1)[-1] == str(expected.projects)
    assert home.heading.text() == _("Fiscal year {year}").format(year=2018)
    home.refresh()
    assert home.year.currentData() == 2018  # F5 keeps the year


def test_an_empty_database_explains_itself(qtbot, empty_db):
    view = DashboardView(empty_db, today=TODAY)
    qtbot.addWidget(view)
    assert view.pages.currentIndex() == 1
    assert view.message.text() and not view.year.isEnabled()
    assert view.status_text() == _("No projects yet")


def test_coming_back_to_the_page_reads_the_figures_again(home, demo_db):
    from tresxuno.services.projects import ProjectFilters, list_projects
    from tresxuno.services.stages import move_project

    year = home.data.fiscal_year
    [draft] = list_projects(demo_db, ProjectFilters(fiscal_year=year, stage="borrador"), limit=1)
    before = home.data.stages
    home.hide()  # the officer goes to another page...
    move_project(demo_db, draft.id, "cancelado", comment="Cancelado a petición del club")
    assert home.data.stages == before
    home.show()  # ...and comes back
    counts = {s.stage: s.count for s in home.data.stages}
    assert counts["cancelado"] == {s.stage: s.count for s in before}["cancelado"] + 1
    assert _cells(home.stages, 1)[-1] == str(home.data.projects)
