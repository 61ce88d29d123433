"""A state office's server under load: 20 desks writing and reading one PostgreSQL database at once.

Twenty processes (``office_writer.py``), each signed in as a different user of one of four municipal
offices, perform 500 operations each, 10,000 in all: projects submitted in the office's municipality
(each takes the next folio), contributions recorded on the projects the office's desks share, and
reads of what an officer's screen shows; every query runs through the office's jurisdiction. Every operation must commit
or be refused with a message an officer understands; here none may be refused (no deadlock, no
serialisation failure, no duplicate folio reaches a user), every committed operation must be in the
database afterwards, and ``check`` must find the trail and the ledger whole.

In the slow lane, on the PostgreSQL server CI starts (``.ci/run``); the figures it prints are in
``benchmarks/README.md``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.backends import ON_POSTGRES
from tests.services.test_ledger import new_club, signed_project
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.services import offices, users
from tresxuno.services.audit import check_integrity

USERS = 20
OPERATIONS = 500
WRITER = Path(__file__).with_name("office_writer.py")
#: Jerez, Fresnillo, Guadalupe and Zacatecas: one municipal office each, five desks in each.
MUNICIPALITIES = ("32020", "32010", "32017", "32056")
PASSWORD = "correcto-123"


def _office_of(desk: int) -> str:
    return MUNICIPALITIES[desk % len(MUNICIPALITIES)]


@pytest.mark.slow
def test_twenty_desks_on_one_server_lose_nothing_and_see_no_deadlock(db, tmp_path):
    if not ON_POSTGRES:
        pytest.skip(
            "a server's load: runs with TRESXUNO_TEST_BACKEND=postgres (the CI's slow PostgreSQL lane)"
        )
    clubs = [new_club(db, number) for number in range(1, 5)]
    shared = {
        key: [
            signed_project(db, tmp_path / f"p{key}-{i}", club_id=clubs[n].id, municipality_key=key).id
            for i in range(2)
        ]
        for n, key in enumerate(MUNICIPALITIES)
    }
    users.create_user(db, "admin", "", "administrador", PASSWORD)
    with acting_as(Actor("admin", "administrador")):
        for key in MUNICIPALITIES:
            offices.create_office(
                db, offices.OfficeInput(f"m{key}", f"Presidencia {key}", "municipal", "32", (key,))
            )
        for n in range(USERS):
            users.create_user(db, f"oficina-{n:02d}", "", "capturista+tesoreria", PASSWORD)
            offices.assign_office(db, f"oficina-{n:02d}", f"m{_office_of(n)}")
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()

    started = time.monotonic()
    desks = [
        subprocess.Popen(
            [
                sys.executable,
                str(WRITER),
                url,
                f"oficina-{n:02d}",
                str(OPERATIONS),
                str(clubs[MUNICIPALITIES.index(_office_of(n))].id),
                ",".join(map(str, shared[_office_of(n)])),
                "reads",
                _office_of(n),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TRESXUNO_PASSWORD": PASSWORD},
        )
        for n in range(USERS)
    ]
    outputs = [desk.communicate(timeout=1200) for desk in desks]
    elapsed = time.monotonic() - started
    committed: list[tuple[str, int]] = []
    reads = 0
    slowest = 0.0
    for desk, (out, err) in zip(desks, outputs, strict=True):
        assert desk.returncode == 0, err
        lines = out.splitlines()
        assert [line for line in lines if line.startswith("error")] == []
        done = [line.split() for line in lines if line.startswith("done ")]
        reads += sum(line.startswith("read ") for line in lines)
        assert len(done) + sum(line.startswith("read ") for line in lines) == OPERATIONS
        committed += [(kind, int(ident)) for _, kind, ident in done]
        slowest = max(slowest, float(next(line for line in lines if line.startswith("slowest")).split()[1]))

    with db.engine.connect() as connection:
        entries = dict(
            connection.execute(
                text(
                    "SELECT e.id, e.amount - (SELECT sum(a.amount) FROM ledger_allocations a"
                    " WHERE a.entry_id = e.id) FROM ledger_entries e"
                )
            ).all()
        )
        projects = {row[0] for row in connection.execute(text("SELECT id FROM projects"))}
        folios = connection.execute(text("SELECT count(*), count(DISTINCT folio) FROM projects")).one()
        by_desk = dict(
            connection.execute(
                text(
                    "SELECT created_by, count(*) FROM ledger_entries"
                    " WHERE created_by LIKE 'oficina-%' GROUP BY 1"
                )
            ).all()
        )
        # Every desk wrote only in its own office's municipality.
        where = connection.execute(
            text(
                "SELECT DISTINCT e.created_by, p.municipality_key FROM ledger_entries e"
                " JOIN projects p ON p.id = e.project_id WHERE e.created_by LIKE 'oficina-%'"
                " UNION SELECT DISTINCT created_by, municipality_key FROM projects WHERE created_by LIKE 'oficina-%'"
            )
        ).all()
    lost = [
        (kind, ident) for kind, ident in committed if ident not in (entries if kind == "entry" else projects)
    ]
    assert lost == []
    assert all(difference == 0 for difference in entries.values())  # every entry's lines add up
    assert len(set(committed)) == len(committed)  # no identity handed out twice
    assert folios[0] == folios[1]  # every folio once
    assert len(by_desk) == USERS and sum(by_desk.values()) == sum(k == "entry" for k, _ in committed)
    assert all(key == _office_of(int(name.split("-")[1])) for name, key in where), where
    result = check_integrity(db)
    assert result.ok, result.problem
    total = len(committed) + reads
    assert total == USERS * OPERATIONS
    print(
        f"\nstate office: {USERS} desks of {len(MUNICIPALITIES)} offices, {total:,} operations ({len(committed):,} writes, {reads:,} reads) "
        f"in {elapsed:.1f} s ({total / elapsed:.0f} per second), slowest {slowest * 1000:.0f} ms; "
        f"0 lost, 0 refused; check: {result.records:,} records, {result.rows:,} rows intact"
    )


def test_read_check_write_transactions_take_turns_on_either_back_end(db):
    # Two desks record against one balance at once: the second must read after the first committed,
    # or both could pass a check that only one fits (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    # writer lock). Runs on both back ends.
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with db.transaction(immediate=True) as session:
            session.execute(text("SELECT 1"))
            order.append("first begins")
            inside.set()
            time.sleep(0.4)
            order.append("first commits")

    def second() -> None:
        inside.wait(10)
        with db.transaction(immediate=True) as session:
            session.execute(text("SELECT 1"))
            order.append("second begins")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert order == ["first begins", "first commits", "second begins"]


def test_a_desk_waiting_too_long_for_the_writer_is_told_the_database_is_busy(db, monkeypatch):
    # PostgreSQL: a writer lock held past the busy timeout gives db.locked, not a window frozen for ever.
    if not ON_POSTGRES:
        pytest.skip("SQLite's own busy timeout is tested in tests/db/test_engine.py")
    from tresxuno.db import engine
    from tresxuno.domain.problems import StorageError

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(engine, "LOCK_RETRY_DELAYS", (0.05,))
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.transaction(immediate=True):
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(StorageError) as caught, db.transaction(immediate=True):
            pass
        assert caught.value.code == "db.locked"
    finally:
        release.set()
        holder.join(30)
    with db.transaction(immediate=True):  # once released, the next desk writes
        pass
