"""``tresxuno demo`` is all or nothing: users, office settings and data in one transaction.

The attack (issue 12, item 4): a kill -9 during ``demo`` left projects with 2 to 4 of the 5 demo
users, and could leave the data with none (bootstrap mode: anyone may then do anything). Here the
command is killed with SIGKILL at random moments of its run, the last ones in the stretch where
the users are written, and every time the database holds either nothing of the demo (no users, no
federations, clubs or projects, no office settings) or all of it, and ``check`` passes.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.digest import database_digest
from tresxuno.db.engine import Database
from tresxuno.db.models import Club, Federation, Project, Setting, User
from tresxuno.demo.projects import generate_demo
from tresxuno.demo.users import DEMO_USERS

PROJECTS = 200


def _counts(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (User, Federation, Club, Project, Setting)
        }


def test_a_failure_while_writing_the_users_leaves_nothing(db, monkeypatch):
    """The third demo user's password hash fails: no user, no data, no settings were written."""
    from tresxuno.services import users

    real = users.HASHER
    calls = []

    class Failing:
        def hash(self, password: str) -> str:
            calls.append(1)
            if len(calls) == 3:
                raise OSError("disco lleno (simulado)")
            return real.hash(password)

    before = database_digest(db)
    monkeypatch.setattr(users, "HASHER", Failing())
    with pytest.raises(OSError, match="simulado"):
        generate_demo(db, projects=5, seed=3, with_users=True)
    assert len(calls) == 3
    assert database_digest(db) == before
    assert _counts(db)["users"] == 0 and _counts(db)["projects"] == 0


def test_the_demo_writes_its_users_with_its_data(db):
    generate_demo(db, projects=5, seed=3, with_users=True)
    with db.transaction() as session:
        names = set(session.scalars(select(User.username)))
    assert names == {name for name, _full, _role in DEMO_USERS}


# --- The attack: SIGKILL at random moments of ``tresxuno demo`` -------------------------------------------


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = ("users", "federations", "clubs", "projects", "settings")
        return {t: connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        connection.close()


def _tresxuno(*args: str) -> list[str]:
    return [sys.executable, "-m", "tresxuno", *args]


@pytest.mark.sqlite_only
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_demo_leaves_all_or_nothing(tmp_path, migrated_template):
    env = {**os.environ, "TRESXUNO_LANG": "en"}
    # One full run: how long the command takes on this machine now, and what "all" is.
    full = tmp_path / "full.sqlite"
    full.write_bytes(migrated_template.read_bytes())
    started = time.monotonic()
    done = subprocess.run(
        _tresxuno("--db", str(full), "demo", "--projects", str(PROJECTS)),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    everything = _sqlite_counts(full)
    assert everything["users"] == len(DEMO_USERS) and everything["projects"] == PROJECTS

    rng = random.Random(int(os.environ.get("TRESXUNO_KILL_SEED", "12")))
    # Spread over the run, more of them late (where the data is committed and the users written).
    fractions = [rng.uniform(0.3, 0.7), rng.uniform(0.7, 0.9), *(rng.uniform(0.85, 1.05) for _ in range(4))]
    outcomes = []
    for n, fraction in enumerate(fractions):
        path = tmp_path / f"killed-{n}.sqlite"
        path.write_bytes(migrated_template.read_bytes())
        process = subprocess.Popen(
            _tresxuno("--db", str(path), "demo", "--projects", str(PROJECTS)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        counts = _sqlite_counts(path)
        nothing = dict.fromkeys(counts, 0)
        assert counts in (nothing, everything), f"kill {n} at {fraction:.2f} of the run left {counts}"
        outcomes.append("all" if counts == everything else "nothing")
        check = subprocess.run(
            _tresxuno("--db", str(path), "check"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert check.returncode == 0, f"kill {n}: {check.stdout}{check.stderr}"
    assert "nothing" in outcomes, outcomes  # at least one kill landed while it was writing
