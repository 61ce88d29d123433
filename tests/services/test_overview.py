"""The home page's figures: counts and money equal plain SQL, and the attention list finds what it must."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.db.engine import Database, open_database
from tresxuno.demo.projects import DEFAULT_TODAY, generate_demo
from tresxuno.domain.ledger import ContributionInput
from tresxuno.services.attachments import attach_document, project_checklist
from tresxuno.services.clubs import register_club
from tresxuno.services.covam import AttendeeInput, SessionInput, add_to_agenda, create_session
from tresxuno.services.ledger import project_balance, record_contribution, reverse_entry
from tresxuno.services.ministraciones import calendar
from tresxuno.services.overview import (
    APPROVED_STAGES,
    DEPOSIT_OWED,
    DEPOSIT_STAGES,
    OPEN_STAGES,
    SESSION_PENDING,
    STUCK,
    STUCK_AFTER_DAYS,
    TOMA_EXPIRING,
    TOMA_EXPIRING_DAYS,
    TOMA_LAPSED,
    TOMA_LAPSED_RECENT_DAYS,
    year_overview,
)
from tresxuno.services.project_requests import submit_project
from tresxuno.services.stages import move_project
from tresxuno.services.works import record_progress

TODAY = DEFAULT_TODAY  # the demo's own "today": its toma statuses and stage dates are relative to it


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A 180-project demo database (seed 1), shared read-only by this module's tests."""
    folder = tmp_path_factory.mktemp("dashboard")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRESXUNO_DATA_DIR", str(folder / "data"))
        db = open_database(str(folder / "demo.sqlite"))
        generate_demo(db, projects=180, seed=1, today=TODAY)
        yield db
        db.dispose()


def sql(db: Database, statement: str, **params) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(statement), params)]


def test_counts_and_approved_money_equal_plain_sql(demo):
    years = [y for (y,) in sql(demo, "SELECT DISTINCT fiscal_year FROM projects ORDER BY 1 DESC")]
    latest = year_overview(demo, None, today=TODAY)
    assert latest.fiscal_year == years[0] and latest.fiscal_years == tuple(years)
    for year in (years[0], 2019, 2018):  # 2019: the federal 3x1's last year
        board = latest if year == years[0] else year_overview(demo, year, today=TODAY)
        expected = dict(
            sql(demo, "SELECT stage, COUNT(*) FROM projects WHERE fiscal_year = :y GROUP BY stage", y=year)
        )
        assert {s.stage: s.count for s in board.stages if s.count} == expected
        assert board.projects == sum(expected.values()) > 0
        money = dict(
            sql(
                demo,
                "SELECT s.party, SUM(s.amount) FROM project_shares s JOIN projects p ON p.id = s.project_id "
                f"WHERE p.fiscal_year = :y AND p.stage IN ({', '.join(repr(s) for s in APPROVED_STAGES)}) "
                "GROUP BY s.party",
                y=year,
            )
        )
        assert {m.party: m.amount for m in board.approved} == money
        assert board.approved_total == sum(money.values()) > 0
    # Every stage is listed, in the usual order, zeros included.
    assert [s.stage for s in latest.stages][:4] == ["borrador", "solicitado", "prevalidado", "en_covam"]


def test_tomas_about_to_lapse_of_clubs_with_projects_under_way_are_listed(demo):
    board = year_overview(demo, None, today=TODAY)
    tomas = {(i.record_id, i.kind) for i in board.attention if i.kind in (TOMA_EXPIRING, TOMA_LAPSED)}
    open_stages = ", ".join(repr(s) for s in OPEN_STAGES)
    expected = set()
    for club_id, expires in sql(
        demo,
        f"SELECT DISTINCT c.id, c.toma_expires_on FROM clubs c JOIN projects p ON p.club_id = c.id "
        f"WHERE p.stage IN ({open_stages})",
    ):
        days = (date.fromisoformat(expires) - TODAY).days
        if -TOMA_LAPSED_RECENT_DAYS <= days <= TOMA_EXPIRING_DAYS:
            expected.add((club_id, TOMA_LAPSED if days < 0 else TOMA_EXPIRING))
    assert tomas == expected
    expiring = [i for i in board.attention if i.kind == TOMA_EXPIRING]
    assert expiring, "the demo has a club with projects under way whose toma de nota expires soon"
    item = expiring[0]
    assert item.record_kind == "club" and 0 <= item.days <= TOMA_EXPIRING_DAYS
    assert item.on == TODAY + timedelta(days=item.days)
    assert sql(demo, "SELECT name FROM clubs WHERE id = :i", i=item.record_id) == [(item.subject,)]


def test_projects_stuck_in_a_stage_are_listed_with_their_days(demo):
    board = year_overview(demo, None, today=TODAY)
    stuck = {i.record_id: i for i in board.attention if i.kind == STUCK}
    expected = {}
    for pid, stage, entered in sql(
        demo,
        "SELECT p.id, p.stage, MAX(c.changed_at) FROM projects p JOIN stage_changes c "
        "ON c.project_id = p.id WHERE p.fiscal_year = :y GROUP BY p.id, p.stage",
        y=board.fiscal_year,
    ):
        days = (TODAY - datetime.fromisoformat(entered).date()).days
        if stage in STUCK_AFTER_DAYS and days > STUCK_AFTER_DAYS[stage]:
            expected[pid] = (stage, days)
    assert expected, "the demo's current year has projects waiting too long"
    assert {pid: (i.stage, i.days) for pid, i in stuck.items()} == expected
    assert all(i.record_kind == "project" for i in stuck.values())
    # The longest wait comes first.
    days = [i.days for i in board.attention if i.kind == STUCK]
    assert days == sorted(days, reverse=True)


def test_deposits_owed_agree_with_the_calendar_and_the_ledger(demo):
    """Per project and party, what the page says is owed is what fell due minus what the ledger received."""
    stages = ", ".join(repr(s) for s in DEPOSIT_STAGES)
    checked = shown = 0
    for (year,) in sql(demo, f"SELECT DISTINCT fiscal_year FROM projects WHERE stage IN ({stages})"):
        board = year_overview(demo, year, today=TODAY)
        owed = {(i.record_id, i.party): i.amount for i in board.attention if i.kind == DEPOSIT_OWED}
        expected = {}
        chosen = f"SELECT id FROM projects WHERE fiscal_year = :y AND stage IN ({stages})"
        for (pid,) in sql(demo, chosen, y=year):
            due: dict[str, int] = {}
            for line in calendar(demo, pid, today=TODAY).lines:
                if line.due:
                    due[line.tranche.party] = due.get(line.tranche.party, 0) + line.tranche.amount
            for party, amount in due.items():
                behind = amount - project_balance(demo, pid).party(party).received
                if behind > 0:
                    expected[(pid, party)] = behind
            checked += 1
        assert owed == expected, year
        shown += len(owed)
    assert checked > 20
    assert shown, "the demo has a party behind on a ministracion that fell due"


# --- Built by hand: exact thresholds, reversal chains, sessions ------------------------------------


def _attach_all(db: Database, project_id: int, folder: Path) -> None:
    for item in project_checklist(db, project_id):
        scan = folder / f"{project_id}-{item.requirement.id}.pdf"
        scan.write_bytes(b"%PDF-1.4 " + scan.name.encode())
        attach_document(db, project_id, item.requirement.id, scan)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12)


@pytest.fixture
def project(db, tmp_path):
    """A 2026 Zacatecas 2x1 project, requested on 2 February 2026."""
    club = register_club(db, club_input(toma_issued_on=date(2025, 6, 1), toma_expires_on=date(2027, 5, 31)))
    detail = submit_project(
        db, project_input(club.id, program="2x1-zacatecas", fiscal_year=2026, submitted_on=date(2026, 2, 2))
    )
    _attach_all(db, detail.id, tmp_path)
    return detail


def test_a_project_is_stuck_only_after_more_days_than_its_stage_allows(db, project):
    entered = date(2026, 3, 1)
    move_project(db, project.id, "prevalidado", at=_noon(entered))
    limit = STUCK_AFTER_DAYS["prevalidado"]

    on_the_day = year_overview(db, 2026, today=entered + timedelta(days=limit))
    assert [i for i in on_the_day.attention if i.kind == STUCK] == []
    late = year_overview(db, 2026, today=entered + timedelta(days=limit + 1))
    [item] = [i for i in late.attention if i.kind == STUCK]
    assert (item.record_id, item.subject, item.stage, item.days) == (
        project.id,
        project.folio,
        "prevalidado",
        limit + 1,
    )
    # Another year's page does not list it.
    other = year_overview(db, 2025, today=entered + timedelta(days=400))
    assert not [i for i in other.attention if i.kind == STUCK]


def test_a_reversed_deposit_is_owed_again_and_a_reversed_reversal_is_not(db, project):
    for stage, day in (
        ("prevalidado", date(2026, 3, 1)),
        ("en_covam", date(2026, 4, 15)),
        ("aprobado", date(2026, 5, 20)),
        ("convenio_firmado", date(2026, 6, 20)),
    ):
        move_project(db, project.id, stage, at=_noon(day))
    today = date(2026, 7, 21)
    # The default calendar: the first half (the odd centavo with it) falls due on signing.
    share = {s.party: s.amount - s.amount // 2 for s in project.shares}

    def owed() -> dict[str, int]:
        board = year_overview(db, 2026, today=today)
        return {i.party: i.amount for i in board.attention if i.kind == DEPOSIT_OWED}

    assert owed() == share
    deposit = record_contribution(
        db, ContributionInput(project.id, "state", date(2026, 6, 25), amount=100_000_00), today=today
    )
    assert owed()["state"] == share["state"] - 100_000_00
    reversal = reverse_entry(db, deposit.id, reason="Depósito duplicado", on=date(2026, 6, 26), today=today)
    assert owed()["state"] == share["state"]
    reverse_entry(db, reversal.id, reason="El depósito sí era válido", on=date(2026, 6, 27), today=today)
    assert owed()["state"] == share["state"] - 100_000_00
    received = project_balance(db, project.id).party("state").received
    assert received == 100_000_00 and owed()["state"] == share["state"] - received
    for party, amount in share.items():
        if party != "state":
            record_contribution(
                db, ContributionInput(project.id, party, date(2026, 6, 28), amount=amount), today=today
            )
    assert set(owed()) == {"state"}


def test_parties_are_behind_on_deposits_from_the_day_each_tranche_falls_due(db, project):
    for stage, day in (
        ("prevalidado", date(2026, 3, 1)),
        ("en_covam", date(2026, 4, 15)),
        ("aprobado", date(2026, 5, 20)),
    ):
        move_project(db, project.id, stage, at=_noon(day))
    share = {s.party: s.amount for s in project.shares}
    first = {party: amount - amount // 2 for party, amount in share.items()}

    def owed(today: date) -> list:
        return [i for i in year_overview(db, 2026, today=today).attention if i.kind == DEPOSIT_OWED]

    assert owed(date(2026, 6, 19)) == []  # approved, not signed: nothing is due yet
    move_project(db, project.id, "convenio_firmado", at=_noon(date(2026, 6, 20)))
    items = owed(date(2026, 7, 1))
    assert {i.party: i.amount for i in items} == first  # the signing tranche only
    # Each item opens the project, and says since when the tranche is due.
    assert {(i.record_kind, i.record_id, i.on, i.days) for i in items} == {
        ("project", project.id, date(2026, 6, 20), 11)
    }
    # The works reach 50 % on 1 September: the second tranche falls due that day.
    record_progress(db, project.id, date(2026, 9, 1), "50", today=date(2026, 9, 1))
    assert {i.party: i.amount for i in owed(date(2026, 8, 31))} == first
    later = owed(date(2026, 9, 2))
    assert {i.party: i.amount for i in later} == share
    assert {(i.on, i.days) for i in later} == {(date(2026, 6, 20), 74)}  # since the oldest unpaid tranche


def test_a_session_held_with_projects_waiting_for_a_ruling_is_listed(db, project):
    move_project(db, project.id, "prevalidado", at=_noon(date(2026, 3, 1)))
    session = create_session(
        db,
        SessionInput(
            "2/2026", date(2026, 5, 14), "Jerez", attendees=(AttendeeInput("state", "Ing. Ramón Ibáñez"),)
        ),
    )
    add_to_agenda(db, session.id, [project.id])
    before = year_overview(db, 2026, today=date(2026, 5, 13))
    assert [i for i in before.attention if i.kind == SESSION_PENDING] == []
    [item] = [
        i for i in year_overview(db, 2026, today=date(2026, 5, 20)).attention if i.kind == SESSION_PENDING
    ]
    assert (item.record_kind, item.record_id, item.subject, item.count, item.on) == (
        "session",
        session.id,
        "2/2026",
        1,
        date(2026, 5, 14),
    )


def test_an_empty_database_has_no_year_and_nothing_to_attend(db):
    board = year_overview(db, None, today=TODAY)
    assert (board.fiscal_year, board.fiscal_years, board.projects, board.approved, board.attention) == (
        None,
        (),
        0,
        (),
        (),
    )
    assert len(board.stages) == 12
