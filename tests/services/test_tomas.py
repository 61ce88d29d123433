"""A club's tomas de nota over time: a renewal keeps the earlier toma, and a date finds the toma then."""

from __future__ import annotations

from datetime import date

from tests.services.test_registry_and_projects import club_input
from tresxuno.services.clubs import club_for_edit, register_club, update_club
from tresxuno.services.tomas import TomaInfo, pick_toma, toma_history, toma_on


def test_a_renewed_toma_joins_the_history_and_each_date_finds_its_own(db):
    club = register_club(
        db,
        club_input(
            toma_folio="TN-LA-2016-0007", toma_issued_on=date(2016, 3, 1), toma_expires_on=date(2018, 2, 28)
        ),
    )
    assert [t.folio for t in toma_history(db, club.id)] == ["TN-LA-2016-0007"]
    renewed = club_input(
        toma_folio="TN-LA-2023-0101", toma_issued_on=date(2023, 1, 10), toma_expires_on=date(2025, 1, 9)
    )
    update_club(db, club.id, renewed, expected_version=club_for_edit(db, club.id).version)
    # Correcting other fields (same toma) adds nothing.
    update_club(db, club.id, renewed, expected_version=club_for_edit(db, club.id).version)
    assert [t.folio for t in toma_history(db, club.id)] == ["TN-LA-2016-0007", "TN-LA-2023-0101"]
    # A 2017 document prints the 2016 toma, a 2024 one the renewal; the gap prints the last one held.
    assert toma_on(db, club.id, date(2017, 5, 12)).folio == "TN-LA-2016-0007"
    assert toma_on(db, club.id, date(2024, 5, 12)).folio == "TN-LA-2023-0101"
    lapsed = toma_on(db, club.id, date(2020, 1, 1))
    assert lapsed.folio == "TN-LA-2016-0007" and not lapsed.valid_on(date(2020, 1, 1))
    # Before any toma was issued, the earliest one.
    assert toma_on(db, club.id, date(2010, 1, 1)).folio == "TN-LA-2016-0007"


def test_the_toma_in_force_wins_over_a_later_issued_overlapping_one():
    old = TomaInfo("A", "Consulado", date(2016, 1, 1), date(2018, 12, 31))
    new = TomaInfo("B", "Consulado", date(2018, 6, 1), date(2020, 5, 31))
    assert pick_toma([old, new], date(2018, 7, 1)).folio == "B"
    assert pick_toma([old, new], date(2018, 5, 31)).folio == "A"
    assert pick_toma([], date(2018, 5, 31)) is None


def test_an_old_database_gets_each_clubs_toma_as_its_history_and_rulings_their_session_date(tmp_path):
    """Upgrading to 0014_officials: every club's current toma starts its history; rulings take effect on the session day."""
    import shutil
    import sqlite3
    from pathlib import Path

    from tresxuno.db.engine import open_database

    old = Path(__file__).resolve().parents[1] / "fixtures" / "db" / "0003_covam_progress.sqlite"
    path = tmp_path / "old.sqlite"
    shutil.copyfile(old, path)
    open_database(str(path)).dispose()
    with sqlite3.connect(path) as conn:
        clubs = conn.execute(
            "SELECT id, toma_folio, toma_issued_on, toma_expires_on FROM clubs ORDER BY id"
        ).fetchall()
        tomas = conn.execute(
            "SELECT club_id, folio, issued_on, expires_on FROM club_tomas ORDER BY club_id"
        ).fetchall()
        mismatched = conn.execute(
            "SELECT COUNT(*) FROM covam_agenda a JOIN covam_sessions s ON s.id = a.session_id "
            "WHERE a.ruling IS NOT NULL AND (a.effective_on IS NULL OR a.effective_on <> s.held_on)"
        ).fetchone()[0]
        ruled = conn.execute("SELECT COUNT(*) FROM covam_agenda WHERE ruling IS NOT NULL").fetchone()[0]
        titles = conn.execute("SELECT COUNT(*) FROM post_titles WHERE post = 'delegado_federal'").fetchone()[
            0
        ]
    assert len(clubs) == 20 and tomas == clubs
    assert ruled > 0 and mismatched == 0
    assert titles == 2  # SEDESOL until 2018, Bienestar from 2019
