"""The permission guard every service calls first: checks that the signed-in person may take an action.

The UI only greys out what a role cannot do; the services refuse it themselves, so the command
line, scripts and a stale window obey the same table (:mod:`tresxuno.domain.roles`).

Bootstrap rule: while the database has no users at all (a fresh database, the command line on a
new file, the existing tests), whoever runs tresxuno acts as the administrador of a one-person
office and every action is allowed, separation of duties included. Once one user exists, roles
apply: the actor must be signed in (:func:`tresxuno.domain.actor.set_actor`) with a role that may
take the action. Users are never deleted (only deactivated), so once a database has users it keeps
them; that is why a positive answer is remembered per engine and a negative one is asked again.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, Engine, exists, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from tresxuno.db.engine import Database, make_engine, read_only_uri, sqlite_url
from tresxuno.db.models import LedgerEntry, Project, StageChange, User
from tresxuno.db.repos.settings import SEPARATION_OF_DUTIES, SettingsRepository
from tresxuno.domain.actor import Actor, current_actor
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.roles import ACTION_LABELS, ROLE_LABELS, Role, may, roles_for
from tresxuno.domain.stages import Stage
from tresxuno.i18n import N_, _

#: Connection pools (one per opened database, shared by its option engines) known to hold a user.
_HAS_USERS: weakref.WeakKeyDictionary[Pool, bool] = weakref.WeakKeyDictionary()


#: What the guard accepts: a database, or an open session, connection or engine of one.
Target = Database | Session | Connection | Engine


def _pool_of(target: Target) -> Pool:
    if isinstance(target, Database | Connection | Engine):
        return target.engine.pool
    bind = target.get_bind()
    return bind.engine.pool


def has_users(target: Target) -> bool:
    """Whether the database holds any user (roles apply) or none (bootstrap: everything allowed)."""
    if not isinstance(target, Database | Session | Connection | Engine):
        if not callable(getattr(target, "transaction", None)):
            raise TypeError(f"not a database, session, connection or engine: {target!r}")
        # A stand-in database whose transactions run in an outer session (the importer's).
        with target.transaction() as session:
            return has_users(session)
    pool = _pool_of(target)
    if _HAS_USERS.get(pool):
        return True
    query = select(exists().where(User.id.is_not(None)))
    if isinstance(target, Session | Connection):
        found = bool(target.scalar(query))
    elif isinstance(target, Engine):
        with target.connect() as connection:
            found = bool(connection.scalar(query))
    else:
        with target.transaction() as session:
            found = bool(session.scalar(query))
    if found:
        _HAS_USERS[pool] = True
    return found


def forget(target: Target) -> None:
    """Drop the remembered answer of :func:`has_users` (after a restore replaced the file)."""
    _HAS_USERS.pop(_pool_of(target), None)


def role_names(roles: Iterable[Role]) -> str:
    """The translated names of ``roles``, in the fixed role order, joined for a message."""
    order = list(Role)
    return ", ".join(_(ROLE_LABELS[r]) for r in sorted(roles, key=order.index))


def refusal(action: str) -> Problem:
    """The ``auth.role_required`` problem for ``action``: what was refused and who may do it."""
    return Problem(
        "user",
        "auth.role_required",
        {"action": _(ACTION_LABELS[action]), "roles": role_names(roles_for(action))},
    )


def require(target: Target, action: str) -> Actor:
    """Refuse unless the signed-in person may take ``action``; call it first in every service.

    Args:
        target: the database (or an open session of it) the action works on.
        action: an id of :data:`tresxuno.domain.roles.PERMISSIONS`.

    Returns:
        The acting person (with every permission while the database has no users).

    Raises:
        InputError: ``auth.role_required`` (``action``, ``roles``: translated names);
            ``auth.office_may_not`` (``action``, ``office``): the actor's office may not take an
            action that changes what every office shares (:mod:`tresxuno.domain.jurisdiction`).
        KeyError: ``action`` is unknown (a bug).
    """
    roles_for(action)  # an unknown action is a bug even in bootstrap mode
    actor = current_actor()
    if not has_users(target):
        return actor
    if not may(actor.role, action):
        raise InputError(refusal(action))
    j = actor.jurisdiction
    if j is not None and not j.may_take(action):
        raise InputError(
            Problem(
                "user",
                "auth.office_may_not",
                {"action": _(ACTION_LABELS[action]), "office": j.office_name},
            )
        )
    return actor


def refuse_municipal_office(actor: Actor, what: str) -> None:
    """Refuse a municipal office's officer a change to what all of the state's offices share.

    ``what`` is the translated action ("change a federation"). A federation, for instance, groups
    clubs of many municipalities: a municipal office registers one, only the state office (or the
    whole database) changes it.

    Raises:
        InputError: ``auth.office_may_not`` (``action``, ``office``).
    """
    j = actor.jurisdiction
    if j is not None and j.kind == "municipal":
        raise InputError(Problem("user", "auth.office_may_not", {"action": what, "office": j.office_name}))


def user_count(file: Path) -> int:
    """How many users the SQLite file ``file`` holds (0 when it has no users table, or is no database).

    Read through a read-only connection: the file is often one the caller is about to replace.
    """
    if not file.is_file():
        return 0
    try:
        connection = sqlite3.connect(read_only_uri(file), uri=True)
    except sqlite3.Error:
        return 0
    try:
        if (
            connection.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='users'").fetchone()
            is None
        ):
            return 0
        return int(connection.execute("SELECT COUNT(*) FROM users").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        connection.close()


def require_on_file(file: Path | None, action: str) -> Actor:
    """:func:`require` for a use case that works on a database file no connection holds open.

    A restore or a move of the data folder runs with the database closed; the users who decide are
    those of that file (none, or no file: bootstrap rule, everything allowed).

    Raises:
        InputError: ``auth.role_required``.
        KeyError: ``action`` is unknown (a bug).
    """
    roles_for(action)
    if file is None or user_count(file) == 0:
        return current_actor()
    engine = make_engine(sqlite_url(file), read_only=True)
    try:
        return require(engine, action)
    finally:
        engine.dispose()


#: Appended to what a waived separation of duties lets a person do, so histories and documents say so.
WAIVER_NOTE = N_("separation of duties waived by the office (one-person office)")


def duties_separated(session: Session) -> bool:
    """Whether the office keeps separation of duties (the default; a one-person office waives it)."""
    return SettingsRepository.get(session, SEPARATION_OF_DUTIES, "on") != "off"


def check_not_submitter(session: Session, project: Project) -> bool:
    """Refuse a ruling (prevalidation, COVAM) on a project the actor captured or submitted.

    The submitters are the project's ``created_by`` and whoever moved it to *solicitado*. Where the
    office waived separation of duties the ruling is allowed, and True says it was the submitter's
    own, so the caller records the waiver with it.

    Raises:
        InputError: ``auth.own_submission`` (``folio``).
    """
    name = current_actor().username
    if not name or not has_users(session):
        return False
    submitters = {project.created_by}
    submitters.update(
        session.scalars(
            select(StageChange.changed_by).where(
                StageChange.project_id == project.id, StageChange.to_stage == Stage.SOLICITADO.value
            )
        )
    )
    if name not in submitters:
        return False
    if not duties_separated(session):
        return True
    raise InputError(Problem("project", "auth.own_submission", {"folio": project.folio}))


def check_not_own_payment(session: Session, entry: LedgerEntry) -> None:
    """Refuse the reversal of a payment the actor recorded: another officer must undo it.

    Raises:
        InputError: ``auth.own_payment`` (``id``).
    """
    name = current_actor().username
    if entry.kind != "payment" or not name or not has_users(session):
        return
    if entry.created_by == name and duties_separated(session):
        raise InputError(Problem("entry", "auth.own_payment", {"id": entry.id}))
