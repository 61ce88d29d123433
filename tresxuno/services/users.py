"""Use cases of the office's users: create, change role, set password, deactivate, sign in.

Passwords are hashed with argon2id (argon2-cffi's default parameters in production; tests swap
:data:`HASHER` for a cheap one). Five wrong passwords in a row lock the account for five minutes;
the count and the lock end live in the ``users`` row, so quitting and restarting does not unlock it.
A wrong user name and a wrong password get the same message, so nobody can probe for names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import User, utcnow
from tresxuno.db.repos.offices import jurisdiction_of
from tresxuno.domain import limits
from tresxuno.domain.actor import Actor
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.roles import Role, has_role, join_roles, parse_roles
from tresxuno.domain.validation import clean_text
from tresxuno.formatting import time_text
from tresxuno.services.auth import has_users, require

#: The password hasher (argon2id). Tests replace it with cheap parameters; production keeps the defaults.
HASHER = PasswordHasher()
#: Wrong passwords in a row that lock an account, and for how long.
MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = limits.PASSWORD

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


@dataclass(frozen=True)
class UserInfo:
    """A user as the administration screen shows it (never the hash)."""

    id: int
    username: str
    full_name: str
    role: str
    active: bool
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None


def _info(row: User) -> UserInfo:
    return UserInfo(
        row.id,
        row.username,
        row.full_name,
        row.role,
        row.active,
        row.locked_until,
        row.created_at,
        row.last_login_at,
    )


def normalise_username(username: str) -> str:
    """User names are compared lower-case and without surrounding spaces."""
    return username.strip().lower()


def _check_password(password: str, problems: list[Problem]) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem("password", "user.password_too_short", {"min": MIN_PASSWORD_LENGTH}))
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(
            Problem("password", "text.too_long", {"max": MAX_PASSWORD_LENGTH, "length": len(password)})
        )


def _role(role: str, problems: list[Problem]) -> frozenset[Role] | None:
    """The roles asked for: one id, or several joined by "+" (a one-person office holds them all)."""
    parsed = parse_roles("+".join(part.strip().lower() for part in role.split("+"))) if role else None
    if parsed is None:
        problems.append(
            Problem("role", "user.role_unknown", {"role": role, "allowed": ", ".join(r.value for r in Role)})
        )
    return parsed


def _get(session: Session, username: str) -> User:
    row = session.scalar(select(User).where(User.username == normalise_username(username)))
    if row is None:
        raise InputError(Problem("username", "user.unknown", {"username": username}))
    return row


def _keeps_an_admin(session: Session, row: User) -> None:
    """Refuse to leave the office without an active administrador (nobody could manage users)."""
    if not has_role(row.role, Role.ADMINISTRADOR) or not row.active:
        return
    # Role ids never contain one another, so "contains" finds the role in any list of roles.
    others = session.scalar(
        select(func.count()).where(
            User.role.contains(Role.ADMINISTRADOR.value), User.active, User.id != row.id
        )
    )
    if not others:
        raise InputError(Problem("username", "user.last_admin", {"username": row.username}))


def create_user(
    db: Database, username: str, full_name: str, role: str, password: str, *, now: datetime | None = None
) -> UserInfo:
    """Add a user. The first user of a database must be an administrador (it ends bootstrap mode).

    Raises:
        InputError: ``auth.role_required``, ``user.username_invalid``, ``user.exists``,
            ``user.role_unknown``, ``user.password_too_short``, ``user.first_must_be_admin``.
    """
    actor = require(db, "users.manage")
    name = normalise_username(username)
    problems: list[Problem] = []
    if not _USERNAME.match(name):
        problems.append(Problem("username", "user.username_invalid", {"username": username}))
    parsed = _role(role, problems)
    _check_password(password, problems)
    clean_text(full_name, "full_name", problems, required=False, max_len=limits.NAME)
    with db.transaction(immediate=True) as session:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            problems.append(Problem("username", "user.exists", {"username": name}))
        if parsed is not None and Role.ADMINISTRADOR not in parsed and not has_users(session):
            problems.append(Problem("role", "user.first_must_be_admin", {}))
        if problems:
            raise InputError(problems)
        assert parsed is not None
        row = User(
            username=name,
            full_name=full_name.strip(),
            role=join_roles(parsed),
            password_hash=HASHER.hash(password),
            created_at=now or utcnow(),
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        return _info(row)


def list_users(db: Database) -> list[UserInfo]:
    """Every user, active first, by name (administrador only: it names who holds which role)."""
    require(db, "users.manage")
    with db.transaction() as session:
        rows = session.scalars(select(User).order_by(User.active.desc(), User.username))
        return [_info(row) for row in rows]


def change_role(db: Database, username: str, role: str) -> UserInfo:
    """Give ``username`` another role (takes effect at their next sign-in).

    Raises:
        InputError: ``auth.role_required``, ``user.unknown``, ``user.role_unknown``, ``user.last_admin``.
    """
    require(db, "users.manage")
    problems: list[Problem] = []
    parsed = _role(role, problems)
    if problems:
        raise InputError(problems)
    assert parsed is not None
    with db.transaction(immediate=True) as session:
        row = _get(session, username)
        if Role.ADMINISTRADOR not in parsed:
            _keeps_an_admin(session, row)
        row.role = join_roles(parsed)
        session.flush()
        return _info(row)


def set_password(db: Database, username: str, password: str) -> UserInfo:
    """Reset ``username``'s password; also lifts a lock and clears the failed attempts.

    Raises:
        InputError: ``auth.role_required``, ``user.unknown``, ``user.password_too_short``.
    """
    require(db, "users.manage")
    problems: list[Problem] = []
    _check_password(password, problems)
    if problems:
        raise InputError(problems)
    with db.transaction(immediate=True) as session:
        row = _get(session, username)
        row.password_hash = HASHER.hash(password)
        row.failed_attempts, row.locked_until = 0, None
        session.flush()
        return _info(row)


def deactivate(db: Database, username: str, *, active: bool = False) -> UserInfo:
    """Deactivate (or, with ``active=True``, reactivate) a user; users are never deleted.

    Raises:
        InputError: ``auth.role_required``, ``user.unknown``, ``user.last_admin``.
    """
    require(db, "users.manage")
    with db.transaction(immediate=True) as session:
        row = _get(session, username)
        if not active:
            _keeps_an_admin(session, row)
        row.active = active
        session.flush()
        return _info(row)


def lock_end_text(locked_until: datetime) -> str:
    """The local ``HH:MM`` at which a lock (stored as naive UTC) ends."""
    return time_text(locked_until.replace(tzinfo=UTC).astimezone())


def authenticate(
    db: Database, username: str, password: str, *, now: datetime | None = None, record_login: bool = True
) -> Actor:
    """Check a user name and password; the :class:`Actor` to sign in, or a specific refusal.

    A locked account refuses even the right password until the lock ends. A wrong password counts
    one failed attempt (stored); the fifth in a row locks the account for :data:`LOCK_DURATION`. A
    good password resets the count and stamps ``last_login_at``.

    Args:
        db: the database holding the users.
        username: the name typed (any case, spaces trimmed).
        password: the password typed.
        now: the current naive UTC time (tests inject a clock); the computer's when None.
        record_login: False to leave a good sign-in unrecorded (no last-login time), for a command
            about to replace this very file, whose refusal must leave it byte for byte as it was.
            Wrong passwords are counted and lock the account all the same.

    Raises:
        InputError: ``auth.bad_credentials`` (unknown user or wrong password: one message for both),
            ``auth.locked`` (``until``: local HH:MM), ``auth.inactive`` (right password, deactivated).
    """
    now = now or utcnow()
    name = normalise_username(username)
    refusal: Problem | None = None
    # An archive copy opened read-only: check the password, but store nothing (no count, no lock,
    # no last-login time) since a write would fail the sign-in; whoever holds the file can read it anyway.
    read_only = bool(getattr(db, "read_only", False))
    with db.transaction(immediate=not read_only) as session:
        row = session.scalar(select(User).where(User.username == name))
        if row is None:
            # Hash anyway so an unknown name takes as long as a wrong password.
            HASHER.hash(password or "-")
            refusal = Problem("password", "auth.bad_credentials", {})
        elif row.locked_until is not None and row.locked_until > now:
            refusal = Problem("username", "auth.locked", {"until": lock_end_text(row.locked_until)})
        elif not _verify(row, password):
            refusal = Problem("password", "auth.bad_credentials", {})
            if not read_only:
                row.failed_attempts += 1
                if row.failed_attempts >= MAX_FAILED_ATTEMPTS:
                    row.failed_attempts, row.locked_until = 0, now + LOCK_DURATION
                    refusal = Problem("username", "auth.locked", {"until": lock_end_text(row.locked_until)})
        elif not row.active:
            refusal = Problem("username", "auth.inactive", {"username": row.username})
        else:
            if not read_only and (record_login or row.failed_attempts or row.locked_until):
                row.failed_attempts, row.locked_until, row.last_login_at = 0, None, now
                if HASHER.check_needs_rehash(row.password_hash):
                    row.password_hash = HASHER.hash(password)
            actor = Actor(row.username, row.role, jurisdiction_of(session, row.office_id))
        session.flush()
    # Raised after the commit: the failed attempt and the lock must be stored.
    if refusal is not None:
        raise InputError(refusal)
    return actor


def _verify(row: User, password: str) -> bool:
    try:
        return HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
