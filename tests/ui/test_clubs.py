"""The clubs and federations page and its dialogs, driven through real widgets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QDialog, QTableView

from tresxuno.demo.projects import DEFAULT_TODAY
from tresxuno.domain.problems import Problem
from tresxuno.domain.validation import ClubInput, FederationInput, TomaStatus
from tresxuno.formatting import date_text
from tresxuno.i18n import _, ngettext, set_language
from tresxuno.messages import describe
from tresxuno.services.clubs import (
    club_for_edit,
    count_clubs,
    get_club,
    list_clubs,
    list_federations_with_counts,
    register_club,
    register_federation,
    update_club,
)
from tresxuno.ui.dialogs.club import US_STATE_NAMES, ClubDialog, fold
from tresxuno.ui.dialogs.federation import FederationDialog
from tresxuno.ui.models.clubs import (
    COLUMN_OF,
    COLUMNS,
    ClubFilters,
    ClubRole,
    ClubTableModel,
    RawRole,
    toma_status_text,
)
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.clubs import COUNT_COLUMN, SEARCH_DELAY_MS, ClubsView

#: Limits of Qt's offscreen test platform, not of tresxuno: modal dialogs ask it to raise windows and
#: propagate size hints, the municipality completer's popup to grab the keyboard.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)"
)

STATUS = COLUMN_OF["status"]
JEREZ = "32020"


def _today() -> date:
    return DEFAULT_TODAY


def _club_input(**changes) -> ClubInput:
    base = ClubInput(
        name="Club Hijos de Jerez en Chicago",
        toma_folio="TN-CHI-2026-0100",
        toma_issuer="Consulado General de México en Chicago",
        toma_issued_on=date(2026, 1, 10),
        toma_expires_on=date(2028, 1, 9),
        members=30,
        us_city="Chicago",
        us_state="IL",
        home_state_key="32",
        home_municipality_key=JEREZ,
        home_contact="Rocío Muñoz",
        board=("Presidenta: Ángeles Ortiz",),
    )
    return replace(base, **changes)


def _with_dialog(fill: Callable[[QDialog], None]) -> list[QDialog]:
    """Run ``fill`` on the modal dialog about to open; close it if ``fill`` left it open."""
    seen: list[QDialog] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog), dialog
        seen.append(dialog)
        try:
            fill(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, act)
    return seen


def _fill_club(
    dialog: ClubDialog, qtbot, *, federation: str = "", members: int = 25, expires: date | None = None
) -> None:
    dialog.name.setText("Club Social Jerezano de Los Ángeles")  # accented: set, not typed
    if federation:
        dialog.federation.setCurrentIndex(dialog.federation.findText(federation))
    dialog.members.setValue(members)
    dialog.board.table.item(0, 1).setText("José Ángel Ortiz")
    qtbot.keyClicks(dialog.toma_folio, "TN-LA-2026-0007")
    dialog.toma_issuer.setText("Consulado General de México en Los Ángeles")
    dialog.issued.setDate(QDate(2026, 3, 2))
    if expires is not None:
        dialog.expires.setDate(QDate(expires.year, expires.month, expires.day))
    qtbot.keyClicks(dialog.us_city, "Los Angeles")
    dialog.us_state.setCurrentIndex(dialog.us_state.findData("CA"))
    dialog.home_state.setCurrentIndex(dialog.home_state.findData("32"))
    qtbot.keyClicks(dialog.municipality.lineEdit(), "Jerez")
    dialog.municipality.completer().popup().hide()
    dialog.home_contact.setText("Rocío Muñoz (El Cargadero)")


# -- registering through the real dialogs -------------------------------------------------------


def test_a_federation_and_a_club_registered_through_the_dialogs_appear_in_the_list(qtbot, empty_db):
    view = ClubsView(empty_db, today=_today)
    qtbot.addWidget(view)
    view.show()
    assert view.pages.currentIndex() == 1 and view.message_new.isVisible()  # the empty state

    def fill_federation(dialog: FederationDialog) -> None:
        qtbot.keyClicks(dialog.name, "Federacion Zacatecana del Sur de California")
        dialog.state.setCurrentIndex(dialog.state.findData("32"))
        qtbot.keyClicks(dialog.us_region, "Southern California")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    _with_dialog(fill_federation)
    qtbot.mouseClick(view.new_federation_button, Qt.MouseButton.LeftButton)
    [federation] = list_federations_with_counts(empty_db)
    assert (federation.name, federation.mx_state_key, federation.clubs) == (
        "Federacion Zacatecana del Sur de California",
        "32",
        0,
    )
    assert view.current_federation() == federation  # chosen in the panel at once

    def fill_club(dialog: ClubDialog) -> None:
        _fill_club(dialog, qtbot, federation=federation.name)
        # The federation proposed its state as the club's home state.
        assert dialog.home_state.currentData() == "32"
        # The expiry followed the issue date to the latest a toma de nota allows.
        assert dialog.expires.date() == QDate(2028, 3, 1)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    seen = _with_dialog(fill_club)
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted

    [row] = list_clubs(empty_db, today=DEFAULT_TODAY)
    club = get_club(empty_db, row.id)
    assert (club.federation_id, club.home_municipality_key, club.us_state, club.members) == (
        federation.id,
        JEREZ,
        "CA",
        25,
    )
    assert club.toma_expires_on == date(2028, 3, 1)
    assert club.board == (f"{_('President')}: José Ángel Ortiz",)
    # Listed at once, chosen, with its status in words; the panel counts it.
    assert view.pages.currentIndex() == 0
    assert view.current_club().id == club.id
    assert view.model.data(view.model.index(0, STATUS)) == _("Valid")
    assert view.federations.topLevelItem(1).text(COUNT_COLUMN) == "1"
    assert view.status_text() == ngettext("{count} club", "{count} clubs", 1).format(count="1")


def test_wrong_input_is_explained_under_each_field_in_spanish_and_nothing_is_written(qtbot, empty_db):
    set_language("es")
    dialog = ClubDialog(empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    _fill_club(dialog, qtbot, members=4, expires=date(2029, 3, 2))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.saved is None
    assert count_clubs(empty_db) == 0
    texts = dialog.errors.texts()
    assert texts["members"] == describe(
        Problem("members", "members.too_few", {"min": 10, "value": 4}), with_field=False
    )
    assert texts["toma_expires_on"] == describe(
        Problem("toma_expires_on", "toma.too_long", {"expires": "2029-03-02", "latest": "2028-03-01"}),
        with_field=False,
    )
    assert set(texts) == {"members", "toma_expires_on"}
    assert "10" in texts["members"] and "4" in texts["members"]
    # The first bad field on screen gets the cursor; screen readers hear the problem with it.
    assert dialog.focusWidget() is dialog.members
    assert dialog.members.accessibleDescription() == texts["members"]

    # Corrected, the same dialog saves and closes; the errors are gone.
    dialog.members.setValue(12)
    dialog.expires.setDate(QDate(2028, 3, 1))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.saved is not None and count_clubs(empty_db) == 1


def test_unchosen_lists_and_a_municipality_not_in_the_state_are_named_plainly(qtbot, empty_db):
    dialog = ClubDialog(empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    texts = dialog.errors.texts()
    chosen = describe(Problem("us_state", "choice.required"), with_field=False)
    assert texts["us_state"] == texts["home_state_key"] == chosen
    assert "home_municipality_key" not in texts  # one message, on the state: the list is empty
    assert dialog.focusWidget() is dialog.name  # the first field, required

    dialog.home_state.setCurrentIndex(dialog.home_state.findData("32"))
    qtbot.keyClicks(dialog.municipality.lineEdit(), "Guadalajara")
    dialog.municipality.completer().popup().hide()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.texts()["home_municipality_key"] == describe(
        Problem(
            "home_municipality_key", "municipality.not_in_list", {"text": "Guadalajara", "state": "Zacatecas"}
        ),
        with_field=False,
    )
    assert count_clubs(empty_db) == 0


def test_municipalities_are_found_without_accents_and_the_expiry_follows_the_issue_date(qtbot, empty_db):
    dialog = ClubDialog(empty_db)
    qtbot.addWidget(dialog)
    dialog.home_state.setCurrentIndex(dialog.home_state.findData("32"))
    dialog.municipality.setEditText("nochistlan de mejia")  # as typed on a US keyboard
    assert dialog.municipality_key() == "32034"  # Nochistlán de Mejía
    completer = dialog.municipality.completer()
    completer.setCompletionPrefix("panuco")
    assert completer.currentCompletion() == "Pánuco"
    assert fold("Río Grande") == "rio grande"

    dialog.issued.setDate(QDate(2024, 2, 29))
    assert dialog.expires.date() == QDate(2026, 2, 27)  # toma_latest_expiry of a leap day
    dialog.expires.setDate(QDate(2025, 12, 31))  # typed by the officer: kept
    dialog.issued.setDate(QDate(2024, 3, 1))
    assert dialog.expires.date() == QDate(2025, 12, 31)
    assert set(US_STATE_NAMES) == {dialog.us_state.itemData(i) for i in range(1, dialog.us_state.count())}


def test_editing_a_club_another_window_saved_meanwhile_is_refused_then_reloaded(qtbot, empty_db):
    set_language("es")
    federation = register_federation(empty_db, FederationInput("Federación de Illinois", "32", "Illinois"))
    club = register_club(empty_db, _club_input(federation_id=federation.id))
    dialog = ClubDialog(empty_db, club_for_edit(empty_db, club.id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.toma_folio.text() == club.toma_folio and dialog.municipality.currentText() == "Jerez"
    assert dialog.board.members() == club.board

    # Another window renews the toma de nota first.
    other = club_for_edit(empty_db, club.id)
    update_club(
        empty_db,
        club.id,
        replace(_club_input(federation_id=federation.id), members=44, toma_folio="TN-CHI-2026-0200"),
        expected_version=other.version,
    )

    dialog.members.setValue(31)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.saved is None
    assert dialog.general_error.text() == describe(
        Problem("club", "club.changed_elsewhere", {"club": club.name})
    )
    assert dialog.reload_button.isVisible()
    assert get_club(empty_db, club.id).members == 44  # the other window's change stands

    qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
    assert (dialog.members.value(), dialog.toma_folio.text()) == (44, "TN-CHI-2026-0200")
    assert not dialog.general_error.isVisible() and not dialog.reload_button.isVisible()
    dialog.members.setValue(45)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_club(empty_db, club.id).members == 45


def test_renewing_a_lapsed_toma_de_nota_from_the_list(qtbot, empty_db):
    lapsed = register_club(
        empty_db, _club_input(toma_issued_on=date(2024, 1, 10), toma_expires_on=date(2026, 1, 9))
    )
    view = ClubsView(empty_db, today=lambda: date(2026, 5, 2))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    index = view.model.index(0, STATUS)
    assert view.model.data(index, RawRole) is TomaStatus.LAPSED

    def renew(dialog: ClubDialog) -> None:
        assert dialog.toma_folio.text() == lapsed.toma_folio
        dialog.toma_folio.setText("TN-CHI-2026-0301")
        dialog.issued.setDate(QDate(2026, 4, 30))
        assert dialog.expires.date() == QDate(2028, 4, 29)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    _with_dialog(renew)
    rect = view.table.visualRect(view.model.index(0, 0))
    # A real double-click: a click, then the double-click event (QTest's alone lacks the press).
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.model.data(view.model.index(0, STATUS)) == _("Valid")
    assert view.model.data(view.model.index(0, COLUMN_OF["expires"])) == "29/04/2028"
    assert get_club(empty_db, lapsed.id).toma_folio == "TN-CHI-2026-0301"


def test_a_federation_is_edited_from_the_panel(qtbot, empty_db):
    federation = register_federation(empty_db, FederationInput("Federación de Texas", "32", "Texas"))
    register_club(empty_db, _club_input(federation_id=federation.id))
    view = ClubsView(empty_db, today=_today)
    qtbot.addWidget(view)
    view.show()
    assert not view.edit_federation_button.isEnabled()  # "all federations" is not one to edit
    assert view.select_federation(federation.id)
    assert view.edit_federation_button.isEnabled()

    def rename(dialog: FederationDialog) -> None:
        assert dialog.name.text() == federation.name
        dialog.name.setText("Federación Zacatecana de Texas")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    _with_dialog(rename)
    qtbot.mouseClick(view.edit_federation_button, Qt.MouseButton.LeftButton)
    assert view.federations.currentItem().text(0) == "Federación Zacatecana de Texas"
    assert view.model.total_count() == 1


def test_a_federation_name_taken_is_explained_under_the_name(qtbot, empty_db):
    taken = register_federation(empty_db, FederationInput("Federación de Texas", "32", "Texas"))
    dialog = FederationDialog(empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("federación de texas")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    texts = dialog.errors.texts()
    assert texts["name"] == describe(
        Problem("name", "federation.duplicate_name", {"name": "federación de texas"}), with_field=False
    )
    assert texts["mx_state_key"] == describe(Problem("mx_state_key", "choice.required"), with_field=False)
    assert "us_region" in texts and dialog.isVisible()
    assert [f.id for f in list_federations_with_counts(empty_db)] == [taken.id]


# -- the list ------------------------------------------------------------------------------------


def test_the_lapsed_filter_shows_only_lapsed_clubs(qtbot, big_db):
    view = ClubsView(big_db, today=_today)
    qtbot.addWidget(view)
    everyone = view.model.total_count()
    view.status.setCurrentIndex(view.status.findData(TomaStatus.LAPSED))

    lapsed = count_clubs(big_db, status="lapsed", today=DEFAULT_TODAY)
    assert 0 < lapsed < everyone
    assert view.model.total_count() == view.model.rowCount() == lapsed
    statuses = {view.model.data(view.model.index(r, STATUS), RawRole) for r in range(view.model.rowCount())}
    assert statuses == {TomaStatus.LAPSED}
    for r in range(view.model.rowCount()):
        club = view.model.data(view.model.index(r, 0), ClubRole)
        assert club.toma_expires_on < DEFAULT_TODAY


def test_a_lapsed_clubs_status_says_since_when_and_until_when_it_was_valid(qtbot, big_db):
    set_language("es")
    model = ClubTableModel(big_db, today=_today)
    model.set_filters(ClubFilters(status=TomaStatus.LAPSED))
    club = model.club(0)
    text = model.data(model.index(0, STATUS))
    lapsed_since = date_text(club.toma_expires_on + timedelta(days=1))
    assert text == _("Lapsed since {date}").format(date=lapsed_since)
    assert lapsed_since in text and len(lapsed_since) == 10 and lapsed_since[2] == lapsed_since[5] == "/"
    tooltip = model.data(model.index(0, STATUS), Qt.ItemDataRole.ToolTipRole)
    assert date_text(club.toma_expires_on) in tooltip and club.toma_folio in tooltip
    # Never by colour alone: an icon beside the words.
    assert not model.data(model.index(0, STATUS), Qt.ItemDataRole.DecorationRole).isNull()


@pytest.mark.parametrize(
    ("days", "expected"), [(0, "Expires today"), (1, "Expires in {days} day"), (23, "Expires in {days} days")]
)
def test_an_expiring_status_counts_the_days_left(days, expected):
    set_language("en")
    today = date(2026, 5, 1)
    text = toma_status_text(TomaStatus.EXPIRING, date(2024, 6, 1), today + timedelta(days=days), today)
    assert text == expected.format(days=days)
    assert toma_status_text(TomaStatus.NOT_YET_VALID, date(2026, 6, 2), date(2028, 6, 1), today) == (
        "Valid from 02/06/2026"
    )


def test_the_search_waits_for_a_pause_in_typing_and_searches_in_sql(qtbot, big_db):
    view = ClubsView(big_db, today=_today)
    qtbot.addWidget(view)
    view.show()
    qtbot.keyClicks(view.search, "jerez")
    assert view.model.filters.text == ""  # not yet: one query after the last key, not one per key
    with qtbot.waitSignal(view.model.total_changed, timeout=SEARCH_DELAY_MS * 8):
        pass
    expected = count_clubs(big_db, text="jerez", today=DEFAULT_TODAY)
    assert 0 < view.model.total_count() == expected < count_clubs(big_db)

    qtbot.keyClicks(view.search, "no existe tal club")
    view.apply_filters()
    assert view.pages.currentIndex() == 1 and view.clear_button.isVisible()
    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert view.model.total_count() == count_clubs(big_db)


def test_choosing_a_federation_in_the_panel_filters_the_clubs(qtbot, big_db):
    view = ClubsView(big_db, today=_today)
    qtbot.addWidget(view)
    federations = list_federations_with_counts(big_db)
    busiest = max(federations, key=lambda f: f.clubs)
    assert view.select_federation(busiest.id)
    assert view.model.total_count() == busiest.clubs
    assert {view.model.club(r).federation_id for r in range(view.model.rowCount())} == {busiest.id}

    last = view.federations.topLevelItem(view.federations.topLevelItemCount() - 1)
    view.federations.setCurrentItem(last)  # "no federation"
    independent = count_clubs(big_db) - sum(f.clubs for f in federations)
    assert last.text(COUNT_COLUMN) == str(independent) and view.model.total_count() == independent
    assert {view.model.club(r).federation_name for r in range(view.model.rowCount())} == {""}


def test_ctrl_n_registers_a_club_while_the_page_is_shown(qtbot, small_db, monkeypatch):
    calls = []
    monkeypatch.setattr(ClubDialog, "ask", classmethod(lambda cls, parent, db, club=None: calls.append(club)))
    view = ClubsView(small_db, today=_today)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert calls == [None]
    # Enter on a chosen club edits it.
    view.table.setCurrentIndex(view.model.index(2, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert calls[1] == view.model.club(2)


def test_in_the_main_window_ctrl_n_and_ctrl_f_reach_this_page_when_it_is_shown(qtbot, small_db, monkeypatch):
    from tresxuno.ui.main_window import MainWindow

    calls = []
    monkeypatch.setattr(ClubDialog, "ask", classmethod(lambda cls, parent, db, club=None: calls.append(club)))
    window = MainWindow(small_db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.show_view("clubs")
    view = window.current_view()
    assert isinstance(view, ClubsView)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert calls == [None]
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search.hasFocus()


def test_the_panel_width_and_columns_are_remembered(qtbot, small_db, tmp_path):
    settings = Settings(tmp_path / "s.ini")
    view = ClubsView(small_db, today=_today)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    view.splitter.setSizes([260, 300])
    view.show_column(COLUMN_OF["federation"], True)
    view.table.sortByColumn(COLUMN_OF["expires"], Qt.SortOrder.DescendingOrder)
    widths = view.splitter.sizes()
    view.save_layout(settings)

    again = ClubsView(small_db, today=_today)
    qtbot.addWidget(again)
    again.resize(1100, 600)
    again.restore_layout(settings)
    again.show()
    assert again.splitter.sizes() == widths
    assert not again.table.horizontalHeader().isSectionHidden(COLUMN_OF["federation"])
    assert (again.model.sort_key, again.model.descending) == ("expires", True)


def test_search_filters_and_federation_survive_a_rebuild_of_the_page(qtbot, big_db):
    view = ClubsView(big_db, today=_today)
    qtbot.addWidget(view)
    federation = list_federations_with_counts(big_db)[2]
    view.select_federation(federation.id)
    view.status.setCurrentIndex(view.status.findData(TomaStatus.VALID))
    view.search.setText("club")
    view.apply_filters()
    state = view.view_state()

    rebuilt = ClubsView(big_db, today=_today)  # e.g. after the language changed
    qtbot.addWidget(rebuilt)
    rebuilt.restore_view_state(state)
    assert rebuilt.model.filters == view.model.filters == ClubFilters("club", federation.id, TomaStatus.VALID)
    assert rebuilt.model.total_count() == view.model.total_count()


def test_the_page_is_walked_with_the_tab_key_in_reading_order(qtbot, small_db):
    view = ClubsView(small_db, today=_today)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    view.select_federation(list_federations_with_counts(small_db)[0].id)
    view.table.setCurrentIndex(view.model.index(0, 0))
    view.focus_search()
    walked = []
    for _step in range(8):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walked.append(QApplication.focusWidget())
    assert walked == [
        view.status,
        view.new_button,
        view.edit_button,
        view.history_button,
        view.new_federation_button,
        view.edit_federation_button,
        view.federations,
        view.table,
    ]


def test_select_club_clears_filters_that_hide_it(qtbot, big_db):
    view = ClubsView(big_db, today=_today)
    qtbot.addWidget(view)
    view.status.setCurrentIndex(view.status.findData(TomaStatus.LAPSED))
    valid = list_clubs(big_db, status="valid", today=DEFAULT_TODAY, sort_key="name", descending=True)[0]
    assert view.select_club(valid.id)
    assert view.current_club().id == valid.id and view.model.filters == ClubFilters()
    assert not view.select_club(999_999)


# -- the model -----------------------------------------------------------------------------------


def test_the_model_passes_qts_model_tester(qtmodeltester, small_db):
    model = ClubTableModel(small_db, today=_today)
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)


def test_the_model_tester_also_passes_while_paging_sorting_and_filtering(big_db):
    model = ClubTableModel(big_db, today=_today, page_size=10)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    tester.setUseFetchMore(False)  # see test_project_model: the test fetches, the tester checks
    model.fetchMore(QModelIndex())
    model.sort(STATUS, Qt.SortOrder.DescendingOrder)
    model.set_filters(ClubFilters(text="jerez"))
    model.fetchMore(QModelIndex())
    model.set_filters(ClubFilters(text="ningún club se llama así"))
    assert model.rowCount() == 0
    model.refresh()
    assert tester.model() is model


def test_rows_arrive_a_page_at_a_time(big_db):
    total = count_clubs(big_db)
    model = ClubTableModel(big_db, today=_today, page_size=20)
    assert total > 40 and model.total_count() == total
    assert model.rowCount() == 20 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 40
    model.fetchMore(QModelIndex())
    assert model.rowCount() == total and not model.canFetchMore(QModelIndex())
    # The pages join without gaps or overlaps: the same rows as one query.
    assert [model.club(r).id for r in range(total)] == [c.id for c in list_clubs(big_db, today=DEFAULT_TODAY)]


def test_the_view_fetches_only_as_it_scrolls(qtbot, big_db):
    model = ClubTableModel(big_db, today=_today, page_size=20)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.resize(600, 200)
    table.show()
    qtbot.waitExposed(table)
    assert model.rowCount() == 20
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 20)
    assert model.rowCount() == 40


@pytest.mark.parametrize("column", range(len(COLUMNS)))
def test_every_column_sorts_by_its_sql_key(big_db, column):
    model = ClubTableModel(big_db, today=_today)
    model.sort(column, Qt.SortOrder.DescendingOrder)
    expected = list_clubs(big_db, today=DEFAULT_TODAY, sort_key=COLUMNS[column].key, descending=True)
    assert [model.club(r).id for r in range(model.rowCount())] == [c.id for c in expected]


def test_cells_show_es_mx_dates_and_translated_headers(big_db):
    set_language("es")
    model = ClubTableModel(big_db, today=_today)
    club = model.club(0)
    assert model.data(model.index(0, COLUMN_OF["expires"])) == club.toma_expires_on.strftime("%d/%m/%Y")
    assert model.data(model.index(0, COLUMN_OF["expires"]), RawRole) == club.toma_expires_on
    assert model.data(model.index(0, COLUMN_OF["us_city"])) == f"{club.us_city}, {club.us_state}"
    assert model.headerData(COLUMN_OF["municipality"], Qt.Orientation.Horizontal) == _("Home municipality")
    assert model.headerData(COLUMN_OF["folio"], Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == _(
        "Toma de nota folio"
    )


def test_no_label_or_button_of_the_club_form_is_cut_in_spanish(qtbot, empty_db):
    """Issue 15 item 10 ("Mesa direct"): every caption shows whole; club members are "integrantes"."""
    from PySide6.QtWidgets import QLabel, QPushButton

    from tresxuno.i18n import set_language

    set_language("es")
    dialog = ClubDialog(empty_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for widget in dialog.findChildren(QLabel) + dialog.findChildren(QPushButton):
        if widget.isVisible() and widget.text() and not (isinstance(widget, QLabel) and widget.wordWrap()):
            assert widget.width() >= widget.sizeHint().width() - 1, widget.text()
    captions = [w.text() for w in dialog.findChildren(QLabel)]
    assert "&Integrantes:" in captions and not any("Socio" in c for c in captions)
