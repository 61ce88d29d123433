"""Every total an auditor compares between two copies of a database, read with plain sqlite3.

Works on every schema revision: tables a revision lacks are skipped, so an old database and the
same database migrated to head can be compared total for total.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_QUERIES = {
    "projects by stage": "SELECT stage, COUNT(*), SUM(cost) FROM projects GROUP BY stage ORDER BY stage",
    "shares by party": "SELECT party, COUNT(*), SUM(amount), SUM(percent_bp) FROM project_shares "
    "GROUP BY party ORDER BY party",
    "shares by project": "SELECT project_id, party, amount FROM project_shares ORDER BY project_id, party",
    "clubs": "SELECT COUNT(*), SUM(members) FROM clubs",
    "federations": "SELECT COUNT(*) FROM federations",
    "ledger by project": "SELECT project_id, COUNT(*), SUM(amount) FROM ledger_entries "
    "GROUP BY project_id ORDER BY project_id",
    "ledger by party": "SELECT party, COUNT(*), SUM(amount) FROM ledger_allocations "
    "GROUP BY party ORDER BY party",
    "ledger by project and party": "SELECT e.project_id, a.party, SUM(a.amount) FROM ledger_allocations a "
    "JOIN ledger_entries e ON e.id = a.entry_id "
    "GROUP BY e.project_id, a.party ORDER BY e.project_id, a.party",
    "covam sessions": "SELECT COUNT(*) FROM covam_sessions",
    "covam agenda": "SELECT ruling, COUNT(*) FROM covam_agenda GROUP BY ruling ORDER BY ruling",
    "progress": "SELECT COUNT(*), SUM(percent_tenths) FROM project_progress",
    "stage changes": "SELECT COUNT(*) FROM stage_changes",
    "municipalities": "SELECT COUNT(*) FROM municipalities",
}


def database_totals(path: Path) -> dict[str, list[tuple]]:
    """The totals of :data:`_QUERIES` the file's schema has (read-only; the file is not changed)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        totals = {}
        for name, query in _QUERIES.items():
            try:
                totals[name] = connection.execute(query).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such" not in str(exc):
                    raise
        return totals
    finally:
        connection.close()
