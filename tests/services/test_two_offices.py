"""Two offices, one SQLite file: two processes writing at once lose nothing and never show "locked".

Each process (``office_writer.py``) records 1,000 operations through the services (projects submitted,
contributions recorded on the same projects); both run at the same time against one file. Every operation
either commits or is refused with a message the officer understands; here none may be refused, and
every reported operation must be in the file afterwards with its allocations.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services.test_ledger import new_club, signed_project

pytestmark = pytest.mark.sqlite_only

OPERATIONS = 1_000
WRITER = Path(__file__).with_name("office_writer.py")


@pytest.mark.slow  # about 40 s: in the slow lane (`pytest -m slow`), not the everyday run
def test_two_processes_write_one_file_and_nothing_is_lost(db, tmp_path):
    club = new_club(db)
    signed = ",".join(str(signed_project(db, tmp_path / f"p{i}", club_id=club.id).id) for i in range(4))
    path = db.path
    assert path is not None
    db.dispose()

    started = time.monotonic()
    offices = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(path), name, str(OPERATIONS), str(club.id), signed],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for name in ("oficina-norte", "oficina-sur")
    ]
    outputs = [office.communicate(timeout=600) for office in offices]
    elapsed = time.monotonic() - started
    for office, (_out, err) in zip(offices, outputs, strict=True):
        assert office.returncode == 0, err

    committed: list[tuple[str, int]] = []
    timings = []
    for out, _err in outputs:
        lines = out.splitlines()
        assert [line for line in lines if line.startswith("error")] == []
        done = [line.split() for line in lines if line.startswith("done ")]
        assert len(done) == OPERATIONS
        committed += [(kind, int(ident)) for _, kind, ident in done]
        timings.append(next(line for line in lines if line.startswith("elapsed")).split()[1])

    connection = sqlite3.connect(path)
    try:
        entries = dict(
            connection.execute(
                "SELECT e.id, e.amount - (SELECT sum(a.amount) FROM ledger_allocations a"
                " WHERE a.entry_id = e.id) FROM ledger_entries e"
            ).fetchall()
        )
        projects = {
            row[0]
            for row in connection.execute(
                "SELECT id FROM projects p"
                " WHERE EXISTS (SELECT 1 FROM project_shares s WHERE s.project_id = p.id)"
            )
        }
        by_office = dict(
            connection.execute(
                "SELECT created_by, count(*) FROM ledger_entries WHERE created_by LIKE 'oficina-%' GROUP BY 1"
            ).fetchall()
        )
    finally:
        connection.close()
    lost = [
        (kind, ident) for kind, ident in committed if ident not in (entries if kind == "entry" else projects)
    ]
    assert lost == []
    assert all(difference == 0 for difference in entries.values())
    assert len(set(committed)) == 2 * OPERATIONS  # no identity handed out twice
    assert sum(by_office.values()) == sum(kind == "entry" for kind, _ in committed)
    print(
        f"\ntwo offices: {2 * OPERATIONS} operations committed, 0 lost, 0 locked, in {elapsed:.1f} s "
        f"(each writer {' s, '.join(timings)} s)"
    )
