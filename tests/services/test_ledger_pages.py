"""Every page of the Libro shows each entry with its project's cash after it, however it is paged or filtered.

The running balance is computed per page from sums over an index (see ``services.ledger._page``);
here it is compared, entry by entry, with the plain sum of every earlier entry of the same project
(statement order: entry date, then id), on every page of the demo's ledger, for pages reached by key
and by offset, with and without filters that hide some of a project's entries.
"""

from __future__ import annotations

from itertools import accumulate

import pytest
from sqlalchemy import text

from tresxuno.demo.projects import generate_demo
from tresxuno.services.ledger import count_entries, list_entries


@pytest.fixture
def demo(db):
    generate_demo(db, projects=40, seed=11)
    return db


def cash_after_each_entry(db) -> dict[int, int]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, project_id, entry_date, amount FROM ledger_entries ORDER BY project_id, entry_date, id"
            )
        ).all()
    expected: dict[int, int] = {}
    by_project: dict[int, list] = {}
    for row in rows:
        by_project.setdefault(row.project_id, []).append(row)
    for entries in by_project.values():
        for row, total in zip(entries, accumulate(r.amount for r in entries), strict=True):
            expected[row.id] = total
    return expected


@pytest.mark.parametrize(
    "filters",
    [{}, {"kind": "payment"}, {"kind": "contribution"}, {"party": "club"}, {"start": None}],
    ids=["all", "payments", "contributions", "club", "from-a-date"],
)
@pytest.mark.parametrize("size", [1, 7, 200])
def test_every_page_shows_the_projects_cash_after_each_entry(demo, filters, size):
    expected = cash_after_each_entry(demo)
    assert len(expected) > 100
    if "start" in filters:
        dates = sorted({r.entry_date for r in list_entries(demo, limit=10_000)})
        filters = {"start": dates[len(dates) // 2]}
    seen: list[int] = []
    after = None
    while True:
        page = list_entries(demo, after=after, limit=size, **filters)
        if not page:
            break
        for record in page:
            assert record.running_balance == expected[record.id], record.id
        seen += [r.id for r in page]
        after = (page[-1].entry_date, page[-1].id)
        if size == 1 and len(seen) >= 60:  # one row a page: enough to cross projects and dates
            break
    assert seen and len(seen) == len(set(seen))
    by_offset = list_entries(demo, offset=len(seen) // 2, limit=size, **filters)
    assert all(r.running_balance == expected[r.id] for r in by_offset)


@pytest.mark.parametrize(
    "filters",
    [{}, {"party": "club"}, {"party": "federal", "kind": "payment"}, {"party": "state", "fiscal_year": 2019},
     {"kind": "contribution"}, {"party": "partner"}],
    ids=["all", "club", "federal-payments", "state-2019", "contributions", "partner"],
)  # fmt: skip
def test_the_count_is_what_the_pages_list(demo, filters):
    # A party's entries are counted through its lines; whatever the route, the count is the pages' length.
    listed = list_entries(demo, limit=100_000, **filters)
    assert count_entries(demo, **filters) == len(listed)
    if "party" in filters:
        assert all(any(line.party == filters["party"] for line in r.lines) for r in listed)
