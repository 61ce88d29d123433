"""Crash safety: a writer killed with SIGKILL at random moments never leaves a broken or half-written ledger.

A writer process (``crash_writer.py``) submits projects and records contributions, payments and
reversals through the services; it reports an operation only after its commit returned. The test kills
it at a random moment, over and over, and after every kill checks what an auditor relies on: SQLite's
``integrity_check``, the ledger's invariants, every reported operation present, none half-present.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services.test_ledger import new_club, signed_project
from tresxuno.services.ledger import project_balance

pytestmark = [pytest.mark.sqlite_only, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]

KILLS = 120
WRITER = Path(__file__).with_name("crash_writer.py")


class Writer:
    """The forking writer server, spoken to line by line over pipes."""

    def __init__(self, args: list[str], log: Path):
        # Standard error goes to a file: a pipe nobody reads would fill up and stall the writers.
        self.log = log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, str(WRITER), *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=os.environ.copy(),
            )
        self._buffer = b""
        self.committed: list[tuple[str, int]] = []

    def _line(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            assert self.process.stdout is not None
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self.process.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"writer server silent or gone: {self.log.read_text()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def _send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        self.process.stdin.flush()

    def _collect_until(self, prefix: str) -> str:
        while True:
            line = self._line()
            if line.startswith("done "):
                _, kind, ident = line.split()
                self.committed.append((kind, int(ident)))
            elif line.startswith(prefix):
                return line

    def start(self, seed: int) -> int:
        self._send(f"run {seed}")
        return int(self._collect_until("child ").split()[1])

    def reap(self, pid: int) -> int:
        """Wait for a killed writer; returns its wait status, after collecting all it reported."""
        self._send(f"wait {pid}")
        return int(self._collect_until(f"dead {pid} ").split()[2])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def check_database(path: Path, committed: list[tuple[str, int]]) -> dict[str, int]:
    """Everything that must hold after a crash; returns a few counts."""
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        # Each entry's allocation lines add up to its amount; an entry without lines sums to NULL.
        broken = connection.execute(
            "SELECT e.id, e.amount, (SELECT sum(a.amount) FROM ledger_allocations a WHERE a.entry_id = e.id)"
            " FROM ledger_entries e"
        ).fetchall()
        assert [row for row in broken if row[1] != row[2]] == []
        # No project's cash below zero, per party and in all (every entry has the same date).
        negative = connection.execute(
            "SELECT e.project_id, a.party, sum(a.amount) FROM ledger_entries e"
            " JOIN ledger_allocations a ON a.entry_id = e.id GROUP BY e.project_id, a.party"
            " HAVING sum(a.amount) < 0"
        ).fetchall()
        assert negative == []
        # A project is whole: shares adding up to its cost, and its first stage change.
        projects = connection.execute(
            "SELECT p.id, p.cost, (SELECT sum(s.amount) FROM project_shares s WHERE s.project_id = p.id),"
            " (SELECT count(*) FROM stage_changes c WHERE c.project_id = p.id) FROM projects p"
        ).fetchall()
        assert [row for row in projects if row[1] != row[2] or row[3] < 1] == []
        # Every payment has its receipt row (it was written in the same transaction).
        orphans = connection.execute(
            "SELECT e.id FROM ledger_entries e WHERE e.kind = 'payment' AND NOT EXISTS"
            " (SELECT 1 FROM attachments t WHERE t.ledger_entry_id = e.id)"
        ).fetchall()
        assert orphans == []
        entries = {row[0] for row in connection.execute("SELECT id FROM ledger_entries")}
        project_ids = {row[0] for row in projects}
        lost = [
            (kind, ident)
            for kind, ident in committed
            if ident not in (entries if kind == "entry" else project_ids)
        ]
        assert lost == [], f"reported committed but missing: {lost}"
        return {"entries": len(entries), "projects": len(project_ids)}
    finally:
        connection.close()


@pytest.mark.slow  # about 25 s: in the slow lane (`pytest -m slow`), not the everyday run
def test_sigkill_at_random_moments_loses_nothing_and_breaks_nothing(db, tmp_path):
    club = new_club(db)
    signed = [signed_project(db, tmp_path / f"p{i}", club_id=club.id).id for i in range(3)]
    receipt = tmp_path / "recibo.pdf"
    receipt.write_bytes(b"%PDF-1.4 recibo de pago")
    path = db.path
    assert path is not None
    db.dispose()

    rng = random.Random(20260323)
    writer = Writer(
        [str(path), str(club.id), ",".join(map(str, signed)), str(receipt)], tmp_path / "writer.log"
    )
    started = time.monotonic()
    try:
        for kill in range(KILLS):
            pid = writer.start(seed=kill)
            time.sleep(rng.uniform(0.0, 0.25))
            os.kill(pid, signal.SIGKILL)
            status = writer.reap(pid)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, writer.log.read_text()
            counts = check_database(path, writer.committed)
    finally:
        writer.close()
    elapsed = time.monotonic() - started

    # The balances the app shows are the sums of the surviving entries.
    from tresxuno.db.engine import open_database

    reopened = open_database(str(path))
    connection = sqlite3.connect(path)
    for project_id in signed:
        cash = connection.execute(
            "SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE project_id = ?", (project_id,)
        ).fetchone()[0]
        balance = project_balance(reopened, project_id)
        assert balance.cash == cash == sum(p.cash for p in balance.parties)
    connection.close()
    reopened.dispose()
    print(
        f"\ncrash safety: {KILLS} kills survived, {len(writer.committed)} operations reported committed, "
        f"0 lost; {counts['entries']} entries, {counts['projects']} projects in {elapsed:.1f} s"
    )
    # Real work between the kills: on average one commit every other kill at least (an idle machine
    # commits about one per kill; a loaded one, with the other core busy, fewer, and that is no fault).
    assert len(writer.committed) > KILLS // 2, writer.log.read_text()[-3000:]
