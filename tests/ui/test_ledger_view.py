"""The Libro page: a correct and lazy model, forms, running balances, filters, balances, exports.

Entries are recorded through the real forms; reversals show both lines; the party and date filters match
the services exactly; exports reconcile with the balances; the page speaks English; a project has its own
Libro.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialog, QTableView

from tests.services.test_ledger import SHARE, contribute, fund, new_club, pay, signed_project
from tresxuno.db.engine import Database
from tresxuno.domain.money import Money
from tresxuno.formatting import money_text, party_label
from tresxuno.i18n import _, ngettext, set_language
from tresxuno.services.ledger import balances_by, count_entries, list_entries, project_balance
from tresxuno.services.rates import set_rate
from tresxuno.ui import prompts as prompts_module
from tresxuno.ui.dialogs.entries import ContributionDialog, ReversalDialog
from tresxuno.ui.dialogs.project_ledger import ProjectLedgerDialog
from tresxuno.ui.models.ledger import (
    COLUMN_OF,
    EntryRole,
    LedgerFilters,
    LedgerTableModel,
    entries_to_date,
    money_to_date,
)
from tresxuno.ui.views import ledger as view_module
from tresxuno.ui.views import project_detail
from tresxuno.ui.views.ledger import LedgerView

from .conftest import OFFSCREEN_SIZE_HINTS
from .test_entry_dialogs import TODAY, answer_with, make_template, open_copy, set_day, type_into

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture(scope="module")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory)


@pytest.fixture
def db(_migrated: Path, tmp_path: Path) -> Iterator[Database]:
    yield from open_copy(_migrated, tmp_path)


@pytest.fixture
def project(db, tmp_path):
    """A 3x1 public-works project of 2019 with its agreement signed: four shares of 1,000,000.00."""
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def _fetch_all(model: LedgerTableModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def cell(view: LedgerView, row: int, key: str) -> str:
    return view.model.index(row, COLUMN_OF[key]).data()


@pytest.fixture
def open_view(qtbot):
    def make(db, **kwargs) -> LedgerView:
        view = LedgerView(db, today=TODAY, **kwargs)
        qtbot.addWidget(view)
        view.resize(1130, 700)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


# --- The model -----------------------------------------------------------------------------------


def test_the_model_passes_qts_model_tester(qtmodeltester, small_db):
    project_id = list_entries(small_db, limit=1)[0].project_id
    model = LedgerTableModel(small_db, filters=LedgerFilters(project_id=project_id))
    assert 0 < model.rowCount() < LedgerTableModel.PAGE_SIZE
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)


def test_the_model_tester_also_passes_while_paging_and_filtering(small_db):
    model = LedgerTableModel(small_db)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    tester.setUseFetchMore(False)  # see test_project_model: the test fetches, the tester checks each step
    model.fetchMore(QModelIndex())
    model.set_filters(LedgerFilters(party="federal", start=date(2018, 1, 1)))
    model.fetchMore(QModelIndex())
    model.set_filters(LedgerFilters(kind="reversal"))
    model.refresh()
    assert tester.model() is model


def test_entries_arrive_a_page_at_a_time_in_statement_order(small_db):
    total = count_entries(small_db)
    assert total > LedgerTableModel.PAGE_SIZE  # the demo writes more entries than one page
    model = LedgerTableModel(small_db)
    assert model.total_count() == total
    assert model.rowCount() == LedgerTableModel.PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == total and not model.canFetchMore(QModelIndex())
    everything = list_entries(small_db, limit=100_000)
    assert [model.entry(r) for r in range(total)] == everything
    assert [(e.entry_date, e.id) for e in everything] == sorted((e.entry_date, e.id) for e in everything)


def test_the_view_fetches_only_as_it_scrolls(qtbot, small_db):
    model = LedgerTableModel(small_db)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == LedgerTableModel.PAGE_SIZE
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == count_entries(small_db))


@pytest.mark.parametrize("page", [7, 200])
def test_party_and_date_filters_match_the_ledger_exactly(small_db, monkeypatch, page):
    monkeypatch.setattr(LedgerTableModel, "PAGE_SIZE", page)
    everything = list_entries(small_db, limit=100_000)
    start, end = date(2018, 3, 1), date(2020, 6, 30)
    cases = [
        (LedgerFilters(start=start, end=end), lambda e: start <= e.entry_date <= end),
        (LedgerFilters(end=date(2016, 12, 31)), lambda e: e.entry_date <= date(2016, 12, 31)),
        (
            LedgerFilters(party="club", kind="contribution"),
            lambda e: e.kind == "contribution" and any(line.party == "club" for line in e.lines),
        ),
        (
            LedgerFilters(party="partner", start=start, end=end),
            lambda e: start <= e.entry_date <= end and any(line.party == "partner" for line in e.lines),
        ),
        (
            LedgerFilters(fiscal_year=2019, start=date(2019, 6, 1)),
            lambda e: e.entry_date.year == 2019 and e.entry_date >= date(2019, 6, 1),
        ),
        (LedgerFilters(start=date(2030, 1, 1)), lambda e: False),
    ]
    for filters, keep in cases:
        model = LedgerTableModel(small_db, filters=filters)
        _fetch_all(model)
        wanted = [e for e in everything if keep(e)]
        assert [model.entry(r).id for r in range(model.rowCount())] == [e.id for e in wanted], filters
        assert model.total_count() == len(wanted)
        # The balance stays the project's running balance, whatever is filtered out.
        assert all(model.entry(r).running_balance == e.running_balance for r, e in enumerate(wanted))


def test_a_party_filter_is_counted_in_sql_before_any_page_is_read(small_db, monkeypatch):
    monkeypatch.setattr(LedgerTableModel, "PAGE_SIZE", 10)
    model = LedgerTableModel(small_db, filters=LedgerFilters(party="club"))
    assert model.rowCount() == 10
    total = model.total_count()
    assert total == count_entries(small_db, party="club") > 10
    _fetch_all(model)
    assert model.rowCount() == total


def test_money_to_date_is_the_project_records_column(db, project):
    assert project_detail.money_to_date is money_to_date
    assert money_to_date(db, project.id, date(2019, 12, 31)) == ""  # no money moved: nothing made up
    contribute(db, project.id, "club", SHARE, date(2019, 7, 1))
    contribute(db, project.id, "state", 50_000_00, date(2019, 9, 1))
    assert money_to_date(db, project.id, date(2019, 8, 1)) == f"{money_text(SHARE)} / {money_text(0)}"
    entries = list_entries(db, project_id=project.id)
    assert entries_to_date(entries, date(2019, 9, 1)) == (SHARE + 50_000_00, 0)


# --- The page ------------------------------------------------------------------------------------


def test_contributions_in_pesos_and_dollars_through_the_forms_show_with_the_running_balance(
    qtbot, db, project, open_view, monkeypatch
):
    set_rate(db, date(2019, 7, 1), "19.0512", "Banxico FIX", today=TODAY)
    view = open_view(db)
    view.project.set_project_id(project.id)
    assert view.pages.currentIndex() == 1  # nothing yet: the empty state explains what to do
    assert view.message.text() == _(view_module.EMPTY_PROJECT)

    def in_pesos(dialog: ContributionDialog) -> None:
        assert dialog.project.choice.id == project.id  # the project the Libro shows
        dialog.party.setCurrentIndex(dialog.party.findData("federal"))
        set_day(dialog.date, date(2019, 6, 20))
        type_into(qtbot, dialog.amount, "500,000.00")
        dialog.try_accept()

    forms = answer_with(monkeypatch, ContributionDialog, in_pesos, qtbot)
    view.new_record()  # File > New (Ctrl+N) on this page
    assert len(forms) == 1 and forms[0].record is not None

    def in_dollars(dialog: ContributionDialog) -> None:
        set_day(dialog.date, date(2019, 7, 3))
        dialog.currency.setCurrentIndex(dialog.currency.findData("USD"))
        assert dialog.rate.text() == "19.0512"  # suggested from the rate table
        type_into(qtbot, dialog.usd, "10,000.00")
        dialog.try_accept()

    answer_with(monkeypatch, ContributionDialog, in_dollars, qtbot)
    view.contribution_action.trigger()

    assert view.pages.currentIndex() == 0
    assert view.model.rowCount() == 2
    assert [cell(view, r, "kind") for r in range(2)] == [_("Contribution")] * 2
    assert [cell(view, r, "date") for r in range(2)] == ["20/06/2019", "03/07/2019"]
    assert [cell(view, r, "party") for r in range(2)] == [_("Federal"), _("Club")]
    assert [cell(view, r, "in") for r in range(2)] == [money_text(500_000_00), money_text(190_512_00)]
    assert [cell(view, r, "balance") for r in range(2)] == [money_text(500_000_00), money_text(690_512_00)]
    usd_row = view.model.entry(1)
    assert (usd_row.usd_amount, usd_row.rate, usd_row.rate_source) == (10_000_00, "19.0512", "Banxico FIX")
    tooltip = view.model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert (
        money_text(Money(10_000_00, "USD")) in tooltip and "19.0512" in tooltip and "Banxico FIX" in tooltip
    )
    header = view.table.horizontalHeader()
    assert header.isSectionHidden(COLUMN_OF["usd"]) and header.isSectionHidden(COLUMN_OF["rate"])
    # The last entry recorded is selected; the balance panel shows the project per party.
    assert view.selected_entry() == usd_row
    assert view.balance_panel.value("federal", "received") == 500_000_00
    assert view.balance_panel.value("club", "outstanding") == SHARE - 190_512_00
    assert view.balance_panel.value("total", "cash") == 690_512_00
    assert view.status_text().startswith("2")


def test_reversing_an_entry_shows_both_lines_and_restores_the_balance(
    qtbot, db, project, open_view, monkeypatch
):
    first = contribute(db, project.id, "club", 300_000_00, date(2019, 7, 1))
    contribute(db, project.id, "state", 200_000_00, date(2019, 7, 2))
    view = open_view(db)
    qtbot.keyClicks(view.project.edit, project.folio)  # the folio search, by keyboard
    qtbot.keyClick(view.project.edit, Qt.Key.Key_Return)
    assert view.model.filters == LedgerFilters(project_id=project.id)
    assert view.balance_panel.value("club", "received") == 300_000_00
    assert not view.reverse_action.isEnabled()  # nothing selected yet
    view.table.selectRow(0)
    assert view.reverse_action.isEnabled()

    def reverse(dialog: ReversalDialog) -> None:
        assert str(first.id) in dialog.windowTitle()
        set_day(dialog.date, date(2019, 7, 10))
        qtbot.keyClicks(dialog.reason, "Deposito registrado dos veces")
        dialog.try_accept()

    answer_with(monkeypatch, ReversalDialog, reverse, qtbot)
    view.reverse_action.trigger()

    assert view.model.rowCount() == 3
    reversal = view.model.entry(2)
    assert (reversal.kind, reversal.reverses_id, reversal.amount) == ("reversal", first.id, -300_000_00)
    assert cell(view, 0, "reversal") == _("By No. {id}").format(id=reversal.id)
    assert cell(view, 2, "reversal") == _("Reverses No. {id}").format(id=first.id)
    assert cell(view, 2, "out") == money_text(-300_000_00) and cell(view, 2, "out").startswith("-")
    assert cell(view, 2, "balance") == money_text(200_000_00)
    assert project_balance(db, project.id).party("club").received == 0
    # An entry already reversed cannot be reversed again.
    view.table.selectRow(0)
    assert not view.reverse_action.isEnabled()


def test_export_writes_a_csv_whose_total_is_the_cash_of_the_balances(
    qtbot, small_db, open_view, prompts, monkeypatch, tmp_path
):
    view = open_view(small_db)
    monkeypatch.setattr(view_module.ExportDialog, "ask", classmethod(lambda cls, parent, scope: "csv"))
    asked: list[str] = []
    monkeypatch.setattr(
        prompts_module,
        "choose_save_file",
        lambda parent, title, name_filter="", directory="": (
            asked.append(name_filter) or str(tmp_path / "libro")
        ),
    )
    view.export_action.trigger()
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=10_000)
    path = tmp_path / "libro.csv"
    assert view.last_export.path == path and "*.csv" in asked[0]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = sum(Money.from_decimal(Decimal(r["monto"])).centavos for r in rows)
    cash = sum(g.cash for g in balances_by(small_db))
    assert total == cash == view.last_export.total_centavos
    assert len(rows) == view.last_export.rows
    title, text = prompts.messages[-1][1:3]
    assert title == _("Ledger exported")
    assert f"{len(rows):,}" in text and money_text(cash, "es") in text
    # The audit chain's head of the snapshot exported, to write down for `tresxuno check --anchor`.
    head = view.last_export.head
    assert head is not None and f"{head.hash} · {head.records}" in text


def test_an_empty_ledger_explains_how_money_gets_in(db, open_view):
    view = open_view(db)
    assert view.pages.currentIndex() == 1
    assert view.message.text() == _(view_module.EMPTY_LEDGER)
    assert view.empty_record.isVisible() and not view.empty_clear.isVisible()
    assert view.status_text() == ngettext("{count} entry", "{count} entries", 0).format(count="0")


def test_filters_that_match_nothing_offer_to_clear_them(qtbot, small_db, open_view):
    view = open_view(small_db)
    view.kind.setCurrentIndex(view.kind.findData("refund"))
    view.party.setCurrentIndex(view.party.findData("club"))
    view.year.setCurrentIndex(view.year.findData(2007))
    assert view.model.rowCount() == 0 and view.pages.currentIndex() == 1
    assert view.message.text() == _(view_module.NO_MATCH)
    qtbot.mouseClick(view.empty_clear, Qt.MouseButton.LeftButton)
    assert view.model.filters == LedgerFilters()
    assert view.model.total_count() == count_entries(small_db)


def test_the_page_in_english_shows_english_headers(db, open_view):
    set_language("en")
    view = open_view(db)
    header = view.table.horizontalHeader()
    shown = [
        view.model.headerData(i, Qt.Orientation.Horizontal)
        for i in range(view.model.columnCount())
        if not header.isSectionHidden(i)
    ]
    assert shown == [
        "No.",
        "Date",
        "Folio",
        "Type",
        "Party",
        "Concept",
        "Reference",
        "Money in",
        "Money out",
        "Balance",
        "Reversed",
    ]
    assert view.record_buttons[0].text() == "Record &contribution…"
    assert view.balance_panel.table.horizontalHeaderItem(1).text() == "Approved"
    assert view.title() == "Ledger"


def test_the_project_record_opens_the_projects_own_ledger(qtbot, db, project, monkeypatch):
    contribute(db, project.id, "club", SHARE, date(2019, 7, 1))
    dialog = ProjectLedgerDialog(db, project.id, today=TODAY)
    qtbot.addWidget(dialog)
    view = dialog.view
    assert view.model.filters.project_id == project.id and view.project.isHidden()
    assert view.table.horizontalHeader().isSectionHidden(COLUMN_OF["folio"])
    assert view.balance_panel.value("club", "received") == SHARE
    assert project.folio in dialog.windowTitle()

    opened: list[int] = []
    monkeypatch.setattr(
        ProjectLedgerDialog,
        "ask",
        classmethod(lambda cls, parent, db_, project_id: opened.append(project_id) or False),
    )
    record = project_detail.ProjectRecord(db, project.id, today=TODAY)
    qtbot.addWidget(record)
    qtbot.mouseClick(record.ledger_button, Qt.MouseButton.LeftButton)
    assert opened == [project.id]
    record.deleteLater()


def test_model_columns_name_payments_by_their_attribution(db, project, tmp_path):
    receipt = tmp_path / "recibo.pdf"
    receipt.write_bytes(b"%PDF-1.4 recibo")
    fund(db, project.id)
    pay(db, project.id, 100_000_00, receipt=receipt)
    model = LedgerTableModel(db, filters=LedgerFilters(project_id=project.id, kind="payment"))
    entry = model.index(0, 0).data(EntryRole)
    assert model.index(0, COLUMN_OF["party"]).data() == ngettext(
        "By shares ({count} party)", "By shares ({count} parties)", 4
    ).format(count=4)
    tooltip = model.index(0, COLUMN_OF["party"]).data(Qt.ItemDataRole.ToolTipRole)
    assert all(
        f"{party_label(p)}: {money_text(-25_000_00)}" in tooltip
        for p in ("club", "federal", "state", "municipal")
    )
    assert model.index(0, COLUMN_OF["out"]).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert entry.payee_name in model.index(0, COLUMN_OF["detail"]).data()


def test_a_cancelled_form_records_nothing(db, project, open_view, monkeypatch, qtbot):
    view = open_view(db)
    monkeypatch.setattr(ContributionDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert view.record_contribution() is None
    assert count_entries(db) == 0
