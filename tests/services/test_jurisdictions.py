"""Offices on one database: an officer of one office reads and changes only its jurisdiction.

The attack is every writer of :data:`tests.services.test_every_writer_is_guarded.WRITERS`, called by
an officer holding every role but working in another office, on the demo office's projects, clubs,
entries and sessions: each is refused and the database is exactly as before. Then every read a
report or export is built from, as the same officer: nothing of the other office shows. An officer
of the office that holds the project works on it as before.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.digest import database_digest
from tests.services.test_every_writer_is_guarded import WRITERS, Office, _club_input
from tests.services.test_every_writer_is_guarded import demo_office as demo_office
from tresxuno.db.models import Club, LedgerEntry, Municipality, Project
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.jurisdiction import STATE_ACTIONS, WHOLE_DATABASE_ACTIONS
from tresxuno.domain.ledger import ContributionInput
from tresxuno.domain.problems import InputError
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services import (
    audit,
    audit_text,
    clubs,
    exports,
    ledger,
    offices,
    overview,
    projects,
    transparency,
    users,
    year_reports,
)
from tresxuno.services.audit_package import export_audit_package
from tresxuno.services.reporting.run import write_report
from tresxuno.services.users import authenticate

EVERY_ROLE = "administrador+capturista+revisor+tesoreria+auditor"
ADMIN = Actor("admin", "administrador")
#: Writers an officer of another office may still call: they create something no office owns.
SHARED_WRITERS = {"tresxuno.services.clubs.register_federation"}


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


def _home(o: Office) -> str:
    with o.db.transaction() as session:
        return session.get(Project, o.project).municipality_key


def _elsewhere(o: Office) -> str:
    """A municipality of the demo's state where the demo has no project and no club."""
    with o.db.transaction() as session:
        used = set(session.scalars(select(Project.municipality_key)))
        used |= set(session.scalars(select(Club.home_municipality_key)))
        return next(
            key
            for key in session.scalars(
                select(Municipality.key).where(Municipality.state_key == "32").order_by(Municipality.key)
            )
            if key not in used
        )


def _officer(o: Office, code: str, municipality: str) -> Actor:
    """Sign in (as a desk would) an officer with every role, of a new municipal office for ``municipality``."""
    with acting_as(ADMIN):
        offices.create_office(
            o.db,
            offices.OfficeInput(code, f"Presidencia Municipal {code}", "municipal", "32", (municipality,)),
        )
        users.create_user(o.db, f"oficial-{code}", "", EVERY_ROLE, "correcto-123")
        offices.assign_office(o.db, f"oficial-{code}", code)
    return authenticate(o.db, f"oficial-{code}", "correcto-123")


@pytest.fixture
def outsider(demo_office) -> Actor:
    return _officer(demo_office, "ajena", _elsewhere(demo_office))


@pytest.mark.parametrize("writer", sorted(set(WRITERS) - SHARED_WRITERS))
def test_an_officer_of_another_office_changes_nothing(demo_office, outsider, writer):
    _action, call = WRITERS[writer]
    before = database_digest(demo_office.db)
    with acting_as(outsider), pytest.raises(InputError) as refused:
        call(demo_office)
    codes = [p.code for p in refused.value.problems]
    assert "auth.role_required" not in codes, codes  # every role: the office is what refuses
    assert database_digest(demo_office.db) == before, f"{writer} changed another office's data"


def test_the_refusals_say_why(demo_office, outsider):
    with acting_as(outsider):
        with pytest.raises(InputError) as refused:
            ledger.record_contribution(
                demo_office.db,
                ContributionInput(demo_office.project, "club", date(2026, 3, 2), amount=100_00),
            )
        assert [p.code for p in refused.value.problems] == ["project.unknown"]
        with pytest.raises(InputError) as refused:
            users.create_user(demo_office.db, "intrusa", "", "capturista", "correcto-123")
        text = describe(refused.value.problems[0], with_field=False)
        assert "Presidencia Municipal ajena" in text and "manage users" in text
    home = _home(demo_office)
    with acting_as(outsider), pytest.raises(InputError) as refused:
        # A club of a municipality that is not the office's: named in the refusal.
        clubs.register_club(demo_office.db, replace(_club_input(demo_office), home_municipality_key=home))
    problem = refused.value.problems[0]
    assert problem.code == "office.outside_jurisdiction"
    assert home in describe(problem, with_field=False)


def test_a_municipal_office_may_not_take_state_or_whole_database_actions(demo_office, outsider):
    from tresxuno.services.auth import require

    for action in sorted(STATE_ACTIONS | WHOLE_DATABASE_ACTIONS):
        with acting_as(outsider), pytest.raises(InputError) as refused:
            require(demo_office.db, action)
        assert [p.code for p in refused.value.problems] == ["auth.office_may_not"], action


def test_an_officer_of_another_office_reads_nothing_of_it(demo_office, outsider, tmp_path):
    o = demo_office
    with o.db.transaction() as session:
        folio = session.get(Project, o.project).folio
        year = session.get(Project, o.project).fiscal_year
        club_name = session.get(Club, o.club).name
    with acting_as(outsider):
        assert projects.count_projects(o.db) == 0
        assert projects.list_projects(o.db) == []
        with pytest.raises(InputError):
            projects.get_project(o.db, o.project)
        with pytest.raises(InputError):
            ledger.project_balance(o.db, o.project)
        assert ledger.list_entries(o.db) == []
        assert ledger.count_entries(o.db) == 0
        assert ledger.count_entries(o.db, party="federal") == 0
        assert ledger.balances_by(o.db) == []
        assert clubs.count_clubs(o.db) == 0
        assert club_name not in [c.name for c in clubs.all_clubs(o.db)]
        with pytest.raises(InputError):
            clubs.get_club(o.db, o.club)
        out = tmp_path / "libro.csv"
        exports.export_ledger(o.db, "csv", out)
        with out.open(encoding="utf-8-sig") as fh:
            assert len(list(csv.reader(fh))) == 1  # the header alone
        with pytest.raises(InputError):
            exports.export_ledger(o.db, "csv", tmp_path / "uno.csv", folio=folio)
        rows = transparency.transparency_rows(o.db, "srft", year=year)
        assert folio not in repr(rows)
        assert year_reports.year_figures(o.db, year).projects == 0
        assert year_reports.quarter_projects(o.db, year, 4) == []
        for kind in ("project", "statement"):
            with pytest.raises(InputError):
                write_report(o.db, kind, tmp_path / f"{kind}.pdf", project_id=o.project)
        with pytest.raises(InputError):
            export_audit_package(o.db, tmp_path / "paquete.zip", folio=folio)
        # The trail: its images hold the other office's rows, so none of its records shows.
        assert audit.history(o.db, "projects", o.project) == []
        assert audit.recent(o.db, limit=10_000) == []
        assert audit_text.export_trail(o.db, tmp_path / "bitacora.csv") == 0
        assert overview.year_overview(o.db, year, today=date(2026, 12, 5)).projects == 0


def test_the_office_that_holds_the_project_works_on_it(demo_office):
    o = demo_office
    with o.db.transaction() as session:
        ids = session.scalars(
            select(Project.id)
            .where(Project.stage.in_(("convenio_firmado", "en_ejecucion")))
            .order_by(Project.id)
        )
    # A running project with money still owed by some party, so a contribution can be recorded.
    project, party = next(
        (pid, p.party) for pid in ids for p in ledger.project_balance(o.db, pid).parties if p.outstanding > 0
    )
    with o.db.transaction() as session:
        home = session.get(Project, project).municipality_key
        home_projects = set(session.scalars(select(Project.folio).where(Project.municipality_key == home)))
        home_entries = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .join(Project)
            .where(Project.municipality_key == home)
        )
    own = _officer(o, "propia", home)
    with acting_as(own):
        assert {p.folio for p in projects.list_projects(o.db, limit=1000)} == home_projects
        assert ledger.count_entries(o.db) == home_entries
        balance = ledger.project_balance(o.db, project)
        entry = ledger.record_contribution(
            o.db, ContributionInput(project, party, date(2026, 3, 2), amount=100_00)
        )
        assert ledger.project_balance(o.db, project).cash == balance.cash + 100_00
        assert entry.id in [e.id for e in ledger.list_entries(o.db, project_id=project)]
        assert ledger.count_entries(o.db) == home_entries + 1
        assert audit.history(o.db, "projects", project)  # its own project's history shows
        assert {item.seq for item in audit.recent(o.db, limit=10_000)} >= {
            item.seq for item in audit.history(o.db, "projects", project)
        }


def test_a_state_office_sees_its_whole_state(demo_office):
    o = demo_office
    with acting_as(ADMIN):
        offices.create_office(
            o.db, offices.OfficeInput("zac", "Secretaría del Zacatecano Migrante", "state", "32")
        )
        users.create_user(o.db, "estatal", "", EVERY_ROLE, "correcto-123")
        offices.assign_office(o.db, "estatal", "zac")
    state = authenticate(o.db, "estatal", "correcto-123")
    with o.db.transaction() as session:
        zacatecas = session.scalar(select(func.count()).select_from(Project).where(Project.state_key == "32"))
        others = session.scalar(select(func.count()).select_from(Project).where(Project.state_key != "32"))
    assert others, "the demo has projects in other states"
    with acting_as(state):
        assert projects.count_projects(o.db) == zacatecas
