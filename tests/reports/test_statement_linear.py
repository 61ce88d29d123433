"""The statement reads its project page by key and adds the running balance up itself: linear, and equal."""

from __future__ import annotations

from tests.reports.conftest import PRINTED_BY
from tresxuno.services.ledger import list_entries
from tresxuno.services.reporting import statement as statement_module


def test_pages_by_key_give_the_same_running_balances_as_the_window(demo_db, picks, monkeypatch):
    calls: list[tuple] = []
    real = statement_module._page_of_entries

    def spy(db, project_id, after, balance_before, shared):
        calls.append((after, balance_before))
        return real(db, project_id, after, balance_before, shared)

    monkeypatch.setattr(statement_module, "_page_of_entries", spy)
    monkeypatch.setattr(statement_module, "PAGE", 7)  # many pages on the demo's busiest project
    built = statement_module.build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY)
    summed_in_sql = list_entries(demo_db, project_id=picks.busiest, limit=100_000)
    assert [e.running_balance for e in built.entries] == [e.running_balance for e in summed_in_sql]
    assert len(calls) > 2 and calls[0] == (None, 0)
    # Each later page starts after the previous page's last entry, from its running balance.
    assert all(after is not None for after, _balance in calls[1:])
    assert [balance for _after, balance in calls[1:]] == [e.running_balance for e in built.entries[6::7]][
        : len(calls) - 1
    ]
