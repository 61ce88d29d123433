"""An administrador's password reset is recorded in the audit trail: who reset whose password, and when.

The attack: an administrador resets a colleague's password to sign in as them. The hash is redacted
in the trail, and the redaction used to be a bare ``***`` on both sides, so the reset left no record at
all. Now the redaction carries a fingerprint of the stored hash: the reset is an ``update`` of the
user's row, by the administrador, that ``check`` verifies like every other record, and removing it
breaks the chain.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from tresxuno.db.models import AuditLogRow, User
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError
from tresxuno.services.audit import check_integrity, history
from tresxuno.services.users import authenticate, create_user, set_password

PW = "correcto-123"


@pytest.fixture
def office(db):
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    with acting_as(Actor("admin", "administrador")):
        create_user(db, "ana", "Ana Ruiz", "capturista", PW)
        create_user(db, "tomas", "Tomás Pérez", "tesoreria", PW)
    return db


def _records(db) -> list[AuditLogRow]:
    with db.transaction() as session:
        return list(session.scalars(select(AuditLogRow).order_by(AuditLogRow.seq)))


def test_a_password_reset_is_recorded_naming_who_reset_whose_password(office):
    before = len(_records(office))
    with acting_as(Actor("admin", "administrador")):
        set_password(office, "tomas", "me-lo-quedo-1")
    # The administrador can now sign in as the treasurer: the trail must say so.
    new = _records(office)[before:]
    with office.transaction() as session:
        tomas_id = session.scalar(select(User.id).where(User.username == "tomas"))
    assert [(r.action, r.table_name, r.row_id, r.username, r.role) for r in new] == [
        ("update", "users", str(tomas_id), "admin", "administrador")
    ]
    reset = new[0]
    old_image, new_image = json.loads(reset.before), json.loads(reset.after)
    assert new_image["username"] == "tomas" and reset.at is not None
    assert old_image["password_hash"] != new_image["password_hash"]
    assert old_image["password_hash"].startswith("***") and new_image["password_hash"].startswith("***")
    # Nothing of the password or its hash is readable in the trail.
    assert "me-lo-quedo" not in reset.after and "argon2" not in reset.after
    assert authenticate(office, "tomas", "me-lo-quedo-1") == Actor("tomas", "tesoreria")
    # The user's history (the Bitácora) lists it, and the chain verifies with it.
    changes = [c.column for i in history(office, "users", tomas_id) for c in i.changes if i.seq == reset.seq]
    assert changes == ["password_hash"]
    assert check_integrity(office).ok


def test_resetting_twice_to_the_same_password_is_recorded_twice(office):
    """Each reset salts anew: no two resets look alike, so none can hide behind an earlier one."""
    before = len(_records(office))
    with acting_as(Actor("admin", "administrador")):
        set_password(office, "ana", "me-lo-quedo-1")
        set_password(office, "ana", "me-lo-quedo-1")
    assert [r.action for r in _records(office)[before:]] == ["update", "update"]


@pytest.mark.sqlite_only
def test_removing_the_reset_record_from_the_trail_is_caught_by_check(office):
    with acting_as(Actor("admin", "administrador")):
        set_password(office, "ana", "me-lo-quedo-1")
    assert check_integrity(office).ok
    with office.engine.begin() as connection:  # the hostile insider with sqlite3
        connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        connection.execute(text("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"))
    result = check_integrity(office)
    assert not result.ok
    assert result.problem.code in ("audit.gap", "audit.head_mismatch")


def test_a_refused_reset_leaves_no_event_and_changes_nothing(office):
    before = _records(office)
    with office.transaction() as session:
        hashes = dict(session.execute(select(User.username, User.password_hash)).all())
    with acting_as(Actor("ana", "capturista")), pytest.raises(InputError) as refused:
        set_password(office, "tomas", "me-lo-quedo-1")
    assert [p.code for p in refused.value.problems] == ["auth.role_required"]
    assert [r.seq for r in _records(office)] == [r.seq for r in before]
    with office.transaction() as session:
        assert dict(session.execute(select(User.username, User.password_hash)).all()) == hashes
