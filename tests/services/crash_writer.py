"""A process that writes to a tresxuno database through the services, to be killed mid-write.

Run as ``python crash_writer.py DATABASE``. It imports tresxuno once and then serves commands read from
standard input, one a line, so each victim costs a ``fork`` instead of a fresh interpreter:

At start it records 20 operations itself (reported like the writers'), which also warms it up.

- ``run SEED``: fork a writer; answer ``child PID``. The writer opens the database and records
  operations chosen by ``random.Random(SEED)`` until killed; after each commit *returns* it writes
  ``done KIND ID`` (``project`` or ``entry``) to standard output with one ``os.write`` (atomic on a pipe).
- ``wait PID``: reap that writer (after the test killed it); answer ``dead PID``. Everything the writer
  wrote comes before that answer on the pipe.

Operations: submit a project (shares computed, first stage change), record a contribution, a payment
(with a receipt file copied into the attachments folder) and a reversal. Refusals (InputError, e.g. a
payment above the cash) are part of normal work and are not reported.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tresxuno.db.engine import Database, open_database
from tresxuno.domain.ledger import ContributionInput, PaymentInput
from tresxuno.domain.problems import InputError
from tresxuno.domain.validation import ProjectInput
from tresxuno.services.ledger import record_contribution, record_payment, reverse_entry
from tresxuno.services.project_requests import submit_project

#: Every ledger entry is dated this day, so "cash on a date" and "cash now" are the same number.
DAY = date(2019, 6, 3)
TODAY = date(2019, 12, 31)
PARTIES = ("club", "federal", "state", "municipal")


def _report(kind: str, ident: int) -> None:
    os.write(1, f"done {kind} {ident}\n".encode())


def write(db: Database, seed: int, club_id: int, signed: list[int], receipt: Path, count: int = -1) -> None:
    """Record random operations until killed (or ``count`` attempts)."""
    rng = random.Random(seed)
    entries: list[int] = []
    while count != 0:
        count -= 1
        roll = rng.random()
        project_id = rng.choice(signed)
        try:
            if roll < 0.15:
                project = submit_project(
                    db,
                    ProjectInput(
                        club_id=club_id,
                        program="3x1",
                        fiscal_year=2019,
                        category="infrastructure",
                        state_key="32",
                        municipality_key="32020",
                        name=f"Obra de prueba {seed}-{rng.random()}",
                        cost=rng.randrange(100_000, 400_000_000),
                        submitted_on=date(2019, 3, 1),
                        beneficiaries=10,
                    ),
                    user="crash",
                )
                _report("project", project.id)
                continue
            if roll < 0.55:
                record = record_contribution(
                    db,
                    ContributionInput(project_id, rng.choice(PARTIES), DAY, amount=rng.randrange(1, 500_000)),
                    user="crash",
                    today=TODAY,
                )
            elif roll < 0.85:
                record = record_payment(
                    db,
                    PaymentInput(
                        project_id,
                        DAY,
                        rng.randrange(1, 200_000),
                        payee_name="Constructora del Valle",
                        payee_rfc="CVA0501014T1",
                        concept="Avance de obra",
                        receipt_path=receipt,
                    ),
                    user="crash",
                    today=TODAY,
                )
            elif entries:
                record = reverse_entry(
                    db, rng.choice(entries), reason="Captura equivocada", on=DAY, user="crash", today=TODAY
                )
            else:
                continue
        except InputError:
            continue
        entries.append(record.id)
        _report("entry", record.id)


def main() -> None:
    """Serve ``run`` and ``wait`` commands until standard input closes."""
    url, club_id, signed, receipt = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    projects = [int(i) for i in signed.split(",")]
    db = open_database(url, migrate=False)
    # Warm up before the first fork (mappers configured, statements compiled, rule book read), so a
    # writer starts writing at once; then close every connection: a forked child must not share one.
    write(db, -1, club_id, projects, receipt, count=20)
    db.engine.dispose()
    for line in sys.stdin:
        command, value = line.split()
        if command == "run":
            pid = os.fork()
            if pid == 0:
                try:
                    db.engine.dispose(close=False)  # the pool is empty; never touch the parent's
                    write(db, int(value), club_id, projects, receipt)
                finally:
                    os._exit(3)  # only reached on an unexpected error: the test sees the exit
            os.write(1, f"child {pid}\n".encode())
        elif command == "wait":
            _, status = os.waitpid(int(value), 0)
            os.write(1, f"dead {value} {status}\n".encode())


if __name__ == "__main__":
    main()
