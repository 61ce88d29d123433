"""One desktop of a two-office test: records operations through the services, as fast as it can.

Run as ``python office_writer.py DATABASE NAME COUNT CLUB_ID PROJECT_IDS [reads] [MUNICIPALITY]``.
With a municipality (a five-digit key), the desk signs in as user NAME (password from
``TRESXUNO_PASSWORD``), works in that user's office and submits its projects there. Each operation's
identity is printed after its commit returned (``done KIND ID``); a refusal the officer would see is
printed as ``error CODE``. Every seventh operation submits a project, the rest record contributions;
with ``reads``, every third operation instead reads what an officer's screen shows (a project's
balance and the last page of its Libro), printed as ``read ID``. The slowest operation's time is
printed last (``slowest SECONDS``).
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tresxuno.db.engine import open_database
from tresxuno.domain.actor import set_actor
from tresxuno.domain.ledger import ContributionInput
from tresxuno.domain.problems import InputError, StorageError
from tresxuno.domain.validation import ProjectInput
from tresxuno.services.ledger import list_entries, project_balance, record_contribution
from tresxuno.services.project_requests import submit_project
from tresxuno.services.users import authenticate

PARTIES = ("club", "federal", "state", "municipal")


def main() -> None:
    """Record COUNT operations and print what was committed."""
    url, name, count, club_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    projects = [int(i) for i in sys.argv[5].split(",")]
    reads = "reads" in sys.argv[6:]
    municipality = next((a for a in sys.argv[6:] if a.isdigit()), "32020")
    rng = random.Random(name)
    slowest = 0.0
    db = open_database(url, migrate=False)
    if os.environ.get("TRESXUNO_PASSWORD"):
        set_actor(authenticate(db, name, os.environ["TRESXUNO_PASSWORD"]))
    started = time.perf_counter()
    for number in range(count):
        began = time.perf_counter()
        try:
            if reads and number % 3 == 1:
                shown = rng.choice(projects)
                project_balance(db, shown)
                list_entries(db, project_id=shown, limit=200)
                print(f"read {shown}")
            elif number % 7 == 0:
                project = submit_project(
                    db,
                    ProjectInput(
                        club_id=club_id,
                        program="3x1",
                        fiscal_year=2019,
                        category="infrastructure",
                        state_key=municipality[:2],
                        municipality_key=municipality,
                        name=f"Obra {name} {number}",
                        cost=rng.randrange(100_000, 400_000_000),
                        submitted_on=date(2019, 3, 1),
                        beneficiaries=10,
                    ),
                    user=name,
                )
                print(f"done project {project.id}")
            else:
                record = record_contribution(
                    db,
                    ContributionInput(
                        rng.choice(projects),
                        rng.choice(PARTIES),
                        date(2019, 6, 3),
                        amount=rng.randrange(1, 9999),
                        reference=f"{name}-{number}",
                    ),
                    user=name,
                    today=date(2019, 12, 31),
                )
                print(f"done entry {record.id}")
        except (InputError, StorageError) as exc:
            print(f"error {exc}")
        slowest = max(slowest, time.perf_counter() - began)
    print(f"elapsed {time.perf_counter() - started:.2f}")
    print(f"slowest {slowest:.3f}")
    db.dispose()


if __name__ == "__main__":
    main()
