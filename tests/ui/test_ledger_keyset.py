"""The Libro pages by key: every page after the first starts after the last row shown, never by offset."""

from __future__ import annotations

from tresxuno.services import ledger as ledger_service
from tresxuno.services.ledger import count_entries, list_entries
from tresxuno.ui.models.ledger import LedgerTableModel


def test_scrolling_to_the_end_reads_every_entry_once_in_statement_order(qtbot, small_db, monkeypatch):
    calls: list[dict] = []
    real = ledger_service.list_entries

    def spy(db, **kwargs):
        calls.append(kwargs)
        return real(db, **kwargs)

    monkeypatch.setattr("tresxuno.ui.models.ledger.list_entries", spy)
    model = LedgerTableModel(small_db)
    model._page_size = 37  # many pages on the small demo
    model.refresh()
    while model.canFetchMore():
        model.fetchMore()
    shown = [model.entry(r).id for r in range(model.rowCount())]
    total = count_entries(small_db)
    assert len(shown) == total and len(set(shown)) == total
    assert shown == [e.id for e in list_entries(small_db, limit=total)]
    by_key = [c for c in calls if c.get("after") is not None]
    assert len(by_key) >= total // 37 - 1
    assert all(not c.get("offset") for c in calls), "no page is read by offset"
    # The running balance of a row found by key is the same as read by offset.
    deep = list_entries(small_db, offset=total - 5, limit=5)
    assert [model.entry(total - 5 + i).running_balance for i in range(5)] == [e.running_balance for e in deep]
