"""Grey out what the signed-in role may not do, with a tooltip naming the role that may.

Only a courtesy: the services refuse the same actions themselves (:mod:`tresxuno.services.auth`).
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from tresxuno.domain.actor import current_actor
from tresxuno.domain.roles import Role, may, roles_for, roles_label
from tresxuno.i18n import _
from tresxuno.services.auth import has_users, role_names
from tresxuno.services.store import Database

#: Property remembering a control's own tooltip, restored when the role allows it again.
OWN_TIP = "tresxuno_own_tooltip"


def allowed(db: Database, action: str) -> bool:
    """Whether the signed-in person may take ``action`` (everyone may while the database has no users).

    Their role must allow it, and so must their office: an officer of one office may not take
    what changes every office's data (users, offices, rules, backups…), whatever the role.
    """
    if not has_users(db):
        return True
    actor = current_actor()
    office = actor.jurisdiction
    return may(actor.role, action) and (office is None or office.may_take(action))


def needs_text(action: str) -> str:
    """The tooltip of a control the signed-in person may not use: which role may, or why the office may not."""
    actor = current_actor()
    office = actor.jurisdiction
    if office is not None and not office.may_take(action) and may(actor.role, action):
        return _(
            "Not for officers of {office}: the whole database's administration, or the state office, does it"
        ).format(office=office.office_name)
    return _("Needs the role: {roles}").format(roles=role_names(roles_for(action)))


def gate(control: QAction | QWidget, db: Database, action: str) -> bool:
    """Enable ``control`` only when the role may take ``action``; otherwise say who may. Returns it."""
    if control.property(OWN_TIP) is None:
        control.setProperty(OWN_TIP, control.toolTip())
    ok = allowed(db, action)
    control.setEnabled(ok)
    control.setToolTip(str(control.property(OWN_TIP)) if ok else needs_text(action))
    return ok


def role_label(role: str) -> str:
    """The translated name of a role id ("" for none)."""
    return roles_label(role, _) if role else ""


def signed_in_text(db: Database) -> str:
    """Status-bar text: who is signed in and their role, or nothing before the office has users."""
    actor = current_actor()
    if not has_users(db) or not actor.role:
        return ""
    if actor.jurisdiction is not None:  # whose data the officer sees: their office's only
        return _("{user} ({role}) — {office}").format(
            user=actor.username, role=role_label(actor.role), office=actor.jurisdiction.office_name
        )
    return _("{user} ({role})").format(user=actor.username, role=role_label(actor.role))


def jurisdiction_tip() -> str:
    """Tooltip of the status bar's user: what the signed-in officer sees ("" for the whole database)."""
    j = current_actor().jurisdiction
    if j is None:
        return ""
    return _("You see and change only the projects, clubs and documents of {office}.").format(
        office=j.office_name
    )


__all__ = [
    "OWN_TIP",
    "Role",
    "allowed",
    "gate",
    "jurisdiction_tip",
    "needs_text",
    "role_label",
    "signed_in_text",
]
