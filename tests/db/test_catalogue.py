"""The INEGI catalogue seed: complete, quick to load, safe to load again."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import delete, event, func, select

from tresxuno.db.catalogue import inegi_csv_path, load_inegi
from tresxuno.db.models import Municipality, State
from tresxuno.db.repos import CatalogueRepository


def test_the_seed_ships_with_the_package():
    assert inegi_csv_path().is_file()
    assert (inegi_csv_path().parent / "README.md").is_file()


@pytest.mark.sqlite_only  # the time limit is SQLite's
def test_loading_into_an_empty_catalogue_is_one_quick_bulk_insert(db):
    with db.transaction() as session:
        session.execute(delete(Municipality))
        session.execute(delete(State))
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.transaction() as session:
            started = time.perf_counter()
            inserted = load_inegi(session)
            elapsed = time.perf_counter() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert inserted == 2478
    # One batched INSERT per table (states, municipalities), not 2,510 round trips; the time bound only
    # catches a pathological slowdown (a shared 2-core machine under load took 0.5 s, idle 0.05 s).
    assert len(statements) <= 4, statements[:5]
    assert elapsed < 3, elapsed
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(State)) == 32
        # The census total INEGI published for 2020.
        assert session.scalar(select(func.sum(Municipality.population))) == 126_014_024


def test_loading_again_adds_nothing_and_keeps_administrators_rows(db):
    with db.transaction() as session:
        CatalogueRepository.add_municipality(session, state_key="32", code="059", name="Nuevo Municipio")
    with db.transaction() as session:
        assert load_inegi(session) == 0
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Municipality)) == 2479
        assert session.get(Municipality, "32059").added_by_admin


def test_every_municipality_key_is_its_state_and_code(db):
    with db.session() as session:
        rows = session.execute(select(Municipality.key, Municipality.state_key, Municipality.code)).all()
    assert len(rows) == 2478
    assert all(key == state + code and len(code) == 3 for key, state, code in rows)
