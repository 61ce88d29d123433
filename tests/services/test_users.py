"""Users and roles as the services enforce them: hashing, lockout, bootstrap, roles, separation of duties."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.services.test_ledger import attach_all, contribute, fund, new_club, signed_project
from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.db.engine import open_database
from tresxuno.db.models import User
from tresxuno.domain.actor import Actor, acting_as, set_actor
from tresxuno.domain.ledger import PaymentInput
from tresxuno.domain.problems import InputError
from tresxuno.domain.roles import ROLE_LABELS, Role
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.auth import has_users
from tresxuno.services.clubs import register_club
from tresxuno.services.exports import export_ledger
from tresxuno.services.ledger import close_fiscal_year, record_payment, reverse_entry
from tresxuno.services.office import OfficeSettings, save_office_settings
from tresxuno.services.project_requests import submit_project
from tresxuno.services.stages import move_project
from tresxuno.services.users import (
    authenticate,
    change_role,
    create_user,
    deactivate,
    list_users,
    lock_end_text,
    set_password,
)

PW = "correcto-123"
NOW = datetime(2026, 3, 2, 17, 0)


def codes(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [p.code for p in exc.value.problems]


def sign_in(db, username: str, password: str = PW) -> Actor:
    actor = authenticate(db, username, password)
    set_actor(actor)
    return actor


@pytest.fixture
def office(db):
    """A database with one user per role, the administrador signed in to create them."""
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        for name, role in (
            ("ana", "capturista"),
            ("rosa", "revisor"),
            ("raul", "revisor"),
            ("tomas", "tesoreria"),
            ("teresa", "tesoreria"),
            ("aurora", "auditor"),
        ):
            create_user(db, name, name.title(), role, PW)
    return db


# --- Hashing and signing in -----------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_never_in_clear(db):
    create_user(db, "Admin ", "Adriana", "administrador", PW)
    with db.transaction() as session:
        row = session.scalar(select(User))
    assert row.username == "admin"
    assert row.password_hash.startswith("$argon2id$")
    assert PW not in row.password_hash
    assert authenticate(db, "ADMIN", PW) == Actor("admin", "administrador")


def test_wrong_user_and_wrong_password_get_the_same_message(office):
    with pytest.raises(InputError) as wrong_user:
        authenticate(office, "nadie", PW)
    with pytest.raises(InputError) as wrong_password:
        authenticate(office, "ana", "equivocado")
    assert codes(wrong_user) == codes(wrong_password) == ["auth.bad_credentials"]
    assert describe(wrong_user.value.problems[0], with_field=False) == describe(
        wrong_password.value.problems[0], with_field=False
    )


def test_five_failures_lock_for_five_minutes_even_across_a_restart(office, tmp_path):
    for attempt in range(4):
        with pytest.raises(InputError) as exc:
            authenticate(office, "ana", "equivocado", now=NOW + timedelta(seconds=attempt))
        assert codes(exc) == ["auth.bad_credentials"]
    with pytest.raises(InputError) as exc:
        authenticate(office, "ana", "equivocado", now=NOW + timedelta(seconds=4))
    assert codes(exc) == ["auth.locked"]
    until = NOW + timedelta(seconds=4, minutes=5)
    assert exc.value.problems[0].params["until"] == lock_end_text(until)
    # A restart (a new engine on the same file) does not unlock; the right password is refused too.
    # The same database again: the file on SQLite, the server's URL (password included) on PostgreSQL.
    target = str(office.path) if office.path is not None else office.engine.url.render_as_string(False)
    office.dispose()
    reopened = open_database(target)
    try:
        with pytest.raises(InputError) as exc:
            authenticate(reopened, "ana", PW, now=until - timedelta(seconds=1))
        assert codes(exc) == ["auth.locked"]
        assert authenticate(reopened, "ana", PW, now=until) == Actor("ana", "capturista")
        # Signing in cleared the count: one more mistake is not a lock.
        with pytest.raises(InputError) as exc:
            authenticate(reopened, "ana", "equivocado", now=until)
        assert codes(exc) == ["auth.bad_credentials"]
    finally:
        reopened.dispose()


def test_a_deactivated_user_is_told_so_only_with_the_right_password(office):
    with acting_as(Actor("admin", "administrador")):
        deactivate(office, "ana")
    with pytest.raises(InputError) as exc:
        authenticate(office, "ana", PW)
    assert codes(exc) == ["auth.inactive"]
    with pytest.raises(InputError) as exc:
        authenticate(office, "ana", "equivocado")
    assert codes(exc) == ["auth.bad_credentials"]


def test_administration_checks_names_passwords_roles_and_keeps_an_administrator(office):
    sign_in(office, "admin")
    with pytest.raises(InputError) as exc:
        create_user(office, "ana", "Otra Ana", "jefe", "corta")
    assert set(codes(exc)) == {"user.exists", "user.role_unknown", "user.password_too_short"}
    with pytest.raises(InputError) as exc:
        create_user(office, "no vale!", "X", "auditor", PW)
    assert codes(exc) == ["user.username_invalid"]
    with pytest.raises(InputError) as exc:
        deactivate(office, "admin")
    assert codes(exc) == ["user.last_admin"]
    with pytest.raises(InputError) as exc:
        change_role(office, "admin", "auditor")
    assert codes(exc) == ["user.last_admin"]
    change_role(office, "ana", "revisor")
    set_password(office, "ana", "nueva-clave-1")
    assert authenticate(office, "ana", "nueva-clave-1") == Actor("ana", "revisor")
    assert [u.username for u in list_users(office)][:2] == ["admin", "ana"]


def test_only_the_administrator_manages_users(office):
    sign_in(office, "ana")
    with pytest.raises(InputError) as exc:
        create_user(office, "nuevo", "Nuevo", "auditor", PW)
    assert codes(exc) == ["auth.role_required"]
    assert _(ROLE_LABELS[Role.ADMINISTRADOR]) in describe(exc.value.problems[0])


# --- Bootstrap ------------------------------------------------------------------------------------


def test_without_users_everything_is_allowed_and_the_first_user_is_an_administrator(db):
    assert not has_users(db)
    new_club(db)  # nobody signed in: bootstrap mode
    with pytest.raises(InputError) as exc:
        create_user(db, "ana", "Ana", "capturista", PW)
    assert codes(exc) == ["user.first_must_be_admin"]
    create_user(db, "admin", "Adriana", "administrador", PW)
    assert has_users(db)
    # Now roles apply: nobody signed in may do nothing.
    with pytest.raises(InputError) as exc:
        new_club(db, 2)
    assert codes(exc) == ["auth.role_required"]


# --- Roles on representative services --------------------------------------------------------------


def _register(db):
    register_club(
        db,
        club_input(
            toma_folio="TN-LA-2018-0777",
            name="Club Nuevo de Fresnillo",
            toma_issued_on=date(2018, 6, 1),
            toma_expires_on=date(2020, 5, 31),
        ),
    )


def _office_settings(db):
    save_office_settings(db, OfficeSettings(name="Oficina de Atención a Migrantes", municipality_key="32020"))


def _export(db, tmp_path):
    export_ledger(db, "csv", tmp_path / "libro.csv")


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("admin", {"settings", "export"}),
        ("ana", {"club", "export"}),
        ("rosa", {"export"}),
        ("tomas", {"contribution", "close", "export"}),
        ("aurora", {"export"}),
    ],
)
def test_each_role_is_refused_what_it_may_not_do_naming_who_may(office, tmp_path, user, allowed):
    # The project is prepared in the back office's name (test set-up, not under test).
    with acting_as(Actor("setup", "capturista")):
        club = new_club(office)
        data = project_input(club.id, fiscal_year=2019, submitted_on=date(2019, 3, 1))
        project = submit_project(office, data)
    attempts = {
        "club": (lambda: _register(office), _("Data entry")),
        "settings": (lambda: _office_settings(office), _("Administrator")),
        "contribution": (lambda: contribute(office, project.id, "club", 1_000), _("Treasury")),
        "close": (lambda: close_fiscal_year(office, 2019, user=user, today=date(2021, 1, 1)), _("Treasury")),
        "export": (lambda: _export(office, tmp_path), _("Auditor")),
    }
    sign_in(office, user)
    for name, (attempt, role_needed) in attempts.items():
        if name in allowed:
            try:
                attempt()
            except InputError as exc:  # refused for another reason (the project is no convenio yet)
                assert "auth.role_required" not in [p.code for p in exc.problems]
        else:
            with pytest.raises(InputError) as exc:
                attempt()
            assert codes(exc) == ["auth.role_required"], name
            assert role_needed in describe(exc.value.problems[0])


# --- Separation of duties ---------------------------------------------------------------------------


def test_nobody_rules_on_a_project_they_submitted(office):
    with acting_as(Actor("admin", "administrador")):
        change_role(office, "raul", "capturista")
    sign_in(office, "raul")
    club = new_club(office)
    project = submit_project(
        office, project_input(club.id, fiscal_year=2019, submitted_on=date(2019, 3, 1)), user="raul"
    )
    # Raúl becomes a reviewer: he still may not pre-validate what he submitted.
    with acting_as(Actor("admin", "administrador")):
        change_role(office, "raul", "revisor")
    sign_in(office, "raul")
    with pytest.raises(InputError) as exc:
        move_project(office, project.id, "prevalidado", user="raul")
    assert codes(exc) == ["auth.own_submission"]
    assert project.folio in describe(exc.value.problems[0])
    sign_in(office, "rosa")
    assert move_project(office, project.id, "prevalidado", user="rosa").stage == "prevalidado"


def test_nobody_reverses_their_own_payment(office, tmp_path):
    receipt = tmp_path / "recibo.pdf"
    receipt.write_bytes(b"%PDF-1.4 recibo")
    with acting_as(Actor("ana", "capturista")):
        club = new_club(office)
    project = _signed(office, tmp_path, club.id)
    sign_in(office, "tomas")
    fund(office, project.id)
    paid = record_payment(
        office,
        PaymentInput(
            project.id,
            date(2019, 8, 1),
            50_000,
            payee_name="Ferretería Ávila",
            payee_rfc="GODE561231GR8",
            concept="Cemento",
            receipt_path=receipt,
        ),
        user="tomas",
        today=date(2021, 3, 31),
    )
    with pytest.raises(InputError) as exc:
        reverse_entry(
            office, paid.id, reason="Duplicado", on=date(2019, 8, 2), user="tomas", today=date(2021, 3, 31)
        )
    assert codes(exc) == ["auth.own_payment"]
    sign_in(office, "teresa")
    reversal = reverse_entry(
        office, paid.id, reason="Duplicado", on=date(2019, 8, 2), user="teresa", today=date(2021, 3, 31)
    )
    assert reversal.amount == 50_000


def _signed(db, tmp_path, club_id):
    """A signed project, each step done by the role allowed to do it."""
    with acting_as(Actor("ana", "capturista")):
        project = submit_project(
            db, project_input(club_id, fiscal_year=2019, submitted_on=date(2019, 3, 1)), user="ana"
        )
        attach_all(db, project.id, tmp_path / "scans")
    with acting_as(Actor("rosa", "revisor")):
        for step in ("prevalidado", "en_covam", "aprobado"):
            project = move_project(db, project.id, step, user="rosa")
    with acting_as(Actor("ana", "capturista")):
        return move_project(db, project.id, "convenio_firmado", user="ana")


def test_signed_project_helper_is_unchanged_in_bootstrap(db, tmp_path):
    club = new_club(db)
    assert signed_project(db, tmp_path, club_id=club.id).stage == "convenio_firmado"


def test_demo_data_brings_one_user_per_role_with_the_documented_password(db):
    from tresxuno.demo.projects import generate_demo
    from tresxuno.demo.users import DEMO_PASSWORD, DEMO_USERS, demo_usernames

    generate_demo(db, projects=3, with_users=True)
    assert demo_usernames(db) == [name for name, _full, _role in DEMO_USERS]
    for name, _full, role in DEMO_USERS:
        assert authenticate(db, name, DEMO_PASSWORD) == Actor(name, role)
    assert {role for _n, _f, role in DEMO_USERS} == {r.value for r in Role}


def test_nobody_records_a_covam_ruling_on_a_project_they_submitted(office, tmp_path):
    from tresxuno.services.covam import (
        AttendeeInput,
        RulingInput,
        SessionInput,
        add_to_agenda,
        create_session,
        record_rulings,
    )

    with acting_as(Actor("ana", "capturista")):
        club = new_club(office)
        project = submit_project(
            office, project_input(club.id, fiscal_year=2019, submitted_on=date(2019, 3, 1)), user="ana"
        )
        attach_all(office, project.id, tmp_path / "scans")
    with acting_as(Actor("rosa", "revisor")):
        move_project(office, project.id, "prevalidado", user="rosa")
        chair = AttendeeInput("federal", "Lic. Ana Lucía Bermúdez", role="presidente")
        data = SessionInput("COVAM-2019-01", date(2019, 4, 2), "Jerez", attendees=(chair,))
        session = create_session(office, data, user="rosa")
        add_to_agenda(office, session.id, [project.id], user="rosa")
    with acting_as(Actor("admin", "administrador")):
        change_role(office, "ana", "revisor")
    sign_in(office, "ana")
    with pytest.raises(InputError) as exc:
        record_rulings(office, session.id, [RulingInput(project.id, "aprobado", 80)], user="ana")
    assert codes(exc) == ["auth.own_submission"]
    sign_in(office, "rosa")
    record_rulings(office, session.id, [RulingInput(project.id, "aprobado", 80)], user="rosa")
    from tresxuno.services.projects import get_project

    assert get_project(office, project.id).stage == "aprobado"
