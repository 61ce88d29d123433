"""The statement reads its project page by key and adds the running balance up itself: linear, and equal."""

from __future__ import annotations

from tests.reports.conftest import PRINTED_BY
from tresxuno.services import ledger as ledger_service
from tresxuno.services.ledger import list_entries
from tresxuno.services.reporting import statement as statement_module


def test_pages_by_key_give_the_same_running_balances_as_the_window(demo_db, picks, monkeypatch):
    calls: list[dict] = []
    real = ledger_service.list_entries

    def spy(db, **kwargs):
        calls.append(kwargs)
        return real(db, **kwargs)

    monkeypatch.setattr(statement_module, "list_entries", spy)
    monkeypatch.setattr(statement_module, "PAGE", 7)  # many pages on the demo's busiest project
    built = statement_module.build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY)
    summed_in_sql = list_entries(demo_db, project_id=picks.busiest, limit=100_000)
    assert [e.running_balance for e in built.entries] == [e.running_balance for e in summed_in_sql]
    assert len(calls) > 2 and all(not c.get("offset") for c in calls)
    assert all(c.get("after") is not None for c in calls[1:])
