"""Who may do what: the five office roles, the actions each may take, and their labels.

A plain table, Qt- and SQLAlchemy-free, so the services (which enforce it) and the UI (which only
greys out what a role cannot do) read the same facts. Separation of duties on top of roles:

- *tesorería* keeps the money (contributions, payments, refunds, exchange rates) and also closes the
  fiscal year: closing is the treasurer's statement that the year's books are complete, and it
  touches nothing but the money trail, so it stays with the role that answers for it.
- *revisor* rules (prevalidation, COVAM) but never changes amounts; *auditor* reads and exports
  everything and changes nothing; *administrador* manages users, rule sets and office settings.
- Every signed-in role may read and export (reports, ledger exports): the data is public money.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from tresxuno.domain.stages import Stage
from tresxuno.i18n import N_


class Role(StrEnum):
    """Role ids as stored in ``users.role`` (Spanish, as officers name them)."""

    ADMINISTRADOR = "administrador"
    CAPTURISTA = "capturista"
    REVISOR = "revisor"
    TESORERIA = "tesoreria"
    AUDITOR = "auditor"


R = Role

#: Role names shown to the officer (msgids; translate with ``_()`` when shown).
ROLE_LABELS: dict[Role, str] = {
    R.ADMINISTRADOR: N_("Administrator"),
    R.CAPTURISTA: N_("Data entry"),
    R.REVISOR: N_("Reviewer"),
    R.TESORERIA: N_("Treasury"),
    R.AUDITOR: N_("Auditor"),
}

ALL_ROLES: frozenset[Role] = frozenset(Role)

#: Action id -> roles that may take it. Services call the guard with these ids; a missing id is a bug.
PERMISSIONS: dict[str, frozenset[Role]] = {
    # administrador
    "users.manage": frozenset({R.ADMINISTRADOR}),
    "rules.edit": frozenset({R.ADMINISTRADOR}),
    "settings.edit": frozenset({R.ADMINISTRADOR}),
    "offices.manage": frozenset({R.ADMINISTRADOR}),
    # A municipal office sends its changes to the state server; the state imports them.
    "consolidation.export": frozenset({R.ADMINISTRADOR}),
    "consolidation.import": frozenset({R.ADMINISTRADOR}),
    # The whole database at once: a backup file carries every row (users' hashes included), a
    # restore replaces them all, moving the data folder relocates them, and reloading rules changes
    # the shares of every proposal captured afterwards.
    "data.backup": frozenset({R.ADMINISTRADOR}),
    "data.restore": frozenset({R.ADMINISTRADOR}),
    "data.move": frozenset({R.ADMINISTRADOR}),
    "rules.reload": frozenset({R.ADMINISTRADOR}),
    # An exception to a stage gate (works started without the signed convenio or a first deposit).
    "gates.authorise": frozenset({R.ADMINISTRADOR}),
    # A refund or reversal on a closed project (and a reversal on a cancelled one) reopens
    # accounts already rendered: an administrador authorises it, with the reason.
    "ledger.authorise_closed": frozenset({R.ADMINISTRADOR}),
    # A convenio modificatorio changes a signed project's cost and shares: the role that records the
    # signed convenio (capturista) and the administrador.
    "projects.amend": frozenset({R.CAPTURISTA, R.ADMINISTRADOR}),
    # lets a fiscal year close without a project's federal reintegro (LDF art. 17), with the reason
    "ledger.reintegro_exception": frozenset({R.ADMINISTRADOR}),
    # capturista
    "clubs.edit": frozenset({R.CAPTURISTA}),
    "projects.edit": frozenset({R.CAPTURISTA}),
    "projects.advance": frozenset({R.CAPTURISTA}),
    "attachments.add": frozenset({R.CAPTURISTA}),
    "works.record_progress": frozenset({R.CAPTURISTA}),
    # the contraloría social committee of a project and the minutes and reports it files
    "committees.edit": frozenset({R.CAPTURISTA}),
    "data.import": frozenset({R.CAPTURISTA}),
    # revisor
    "projects.prevalidate": frozenset({R.REVISOR}),
    "covam.edit": frozenset({R.REVISOR}),
    "covam.rule": frozenset({R.REVISOR}),
    # tesorería
    "ledger.record_contribution": frozenset({R.TESORERIA}),
    "ledger.record_payment": frozenset({R.TESORERIA}),
    "ledger.record_refund": frozenset({R.TESORERIA}),
    "ledger.reverse_entry": frozenset({R.TESORERIA}),
    "rates.edit": frozenset({R.TESORERIA}),
    "ledger.close_year": frozenset({R.TESORERIA}),
    # The deposit calendar (ministraciones) is the money's timetable: the treasury keeps it.
    "ministraciones.edit": frozenset({R.TESORERIA}),
    # everyone signed in (auditor included)
    "records.export": ALL_ROLES,
    # Names and CURPs of the persons in a padrón: those who capture them, administer, or audit them.
    "beneficiaries.view_personal": frozenset({R.CAPTURISTA, R.ADMINISTRADOR, R.AUDITOR}),
    "reports.print": ALL_ROLES,
    # the demo fills every table at once: only an administrador may do it to a database with users
    "demo.generate": frozenset({R.ADMINISTRADOR}),
}

#: Stage moves that are a review decision; every other move is the capturista's ``projects.advance``.
_REVIEW_MOVES: dict[tuple[Stage, Stage], str] = {
    (Stage.SOLICITADO, Stage.PREVALIDADO): "projects.prevalidate",
    (Stage.SOLICITADO, Stage.DEVUELTO): "projects.prevalidate",
    (Stage.PREVALIDADO, Stage.EN_COVAM): "projects.prevalidate",
    (Stage.PREVALIDADO, Stage.DEVUELTO): "projects.prevalidate",
    (Stage.EN_COVAM, Stage.APROBADO): "covam.rule",
    (Stage.EN_COVAM, Stage.RECHAZADO): "covam.rule",
    (Stage.EN_COVAM, Stage.DEVUELTO): "covam.rule",
}


def parse_role(value: str) -> Role | None:
    """The role ``value`` names (id, any case), or None when it is not a role."""
    try:
        return Role(value.strip().lower().replace("í", "i"))
    except ValueError:
        return None


#: Joins the roles of a user who holds several ("administrador+capturista"), as ``users.role`` stores them.
ROLE_SEPARATOR = "+"


def parse_roles(value: str | None) -> frozenset[Role] | None:
    """The roles ``value`` names (one id, or several joined by "+"); None when empty or any is unknown."""
    if not value:
        return None
    found = [parse_role(part) for part in value.split(ROLE_SEPARATOR)]
    if not found or any(r is None for r in found):
        return None
    return frozenset(r for r in found if r is not None)


def roles_label(value: str | None, label: Callable[[str], str]) -> str:
    """The roles of ``value`` named with ``label`` (a translator), joined by " + "; "" for none."""
    held = parse_roles(value)
    if held is None:
        return value or ""
    return " + ".join(label(ROLE_LABELS[r]) for r in Role if r in held)


def join_roles(roles: Iterable[Role | str]) -> str:
    """The stored form of a set of roles, always in the same order (administrador first)."""
    chosen = {Role(r) for r in roles}
    return ROLE_SEPARATOR.join(r.value for r in Role if r in chosen)


def has_role(value: str | None, role: Role) -> bool:
    """Whether the stored roles ``value`` include ``role``."""
    return role in (parse_roles(value) or ())


def roles_for(action: str) -> frozenset[Role]:
    """The roles that may take ``action``.

    Raises:
        KeyError: ``action`` is not in :data:`PERMISSIONS` (a programming error, never user input).
    """
    return PERMISSIONS[action]


def may(role: str | Role | None, action: str) -> bool:
    """Whether ``role`` (one role, or several joined by "+") may take ``action`` (no role may do nothing)."""
    held = parse_roles(str(role)) if role else None
    return held is not None and not held.isdisjoint(roles_for(action))


def actions_of(role: Role) -> frozenset[str]:
    """Every action ``role`` may take."""
    return frozenset(action for action, roles in PERMISSIONS.items() if role in roles)


def stage_action(current: Stage, target: Stage) -> str:
    """The action a move from ``current`` to ``target`` needs (prevalidation and rulings are reviews)."""
    return _REVIEW_MOVES.get((current, target), "projects.advance")


def is_ruling(action: str) -> bool:
    """Whether ``action`` is a ruling, which nobody may make on a project they submitted."""
    return action in ("projects.prevalidate", "covam.rule")


#: What each action is called in a refusal ("Only Treasury may record a payment").
ACTION_LABELS: dict[str, str] = {
    "users.manage": N_("manage users"),
    "rules.edit": N_("edit rule sets"),
    "settings.edit": N_("change the office settings"),
    "offices.manage": N_("register offices and their jurisdictions"),
    "consolidation.export": N_("export a consolidation package for the state office"),
    "consolidation.import": N_("import an office's consolidation package"),
    "data.backup": N_("back up the database"),
    "data.restore": N_("restore a backup"),
    "data.move": N_("move the data folder"),
    "rules.reload": N_("reload the rule files"),
    "ledger.reintegro_exception": N_("record an exception to a federal reintegro"),
    "clubs.edit": N_("register or edit clubs and federations"),
    "projects.edit": N_("capture or edit projects"),
    "projects.advance": N_("move a project along its stages"),
    "attachments.add": N_("attach documents"),
    "works.record_progress": N_("record the works' progress"),
    "committees.edit": N_("record the contraloría social committee and its reports"),
    "beneficiaries.view_personal": N_("see the personal data of a padrón (names, CURP)"),
    "data.import": N_("import clubs or projects"),
    "projects.prevalidate": N_("pre-validate a project"),
    "covam.edit": N_("prepare COVAM sessions"),
    "covam.rule": N_("record COVAM rulings"),
    "ledger.record_contribution": N_("record a contribution"),
    "ledger.record_payment": N_("record a payment"),
    "ledger.record_refund": N_("record a refund"),
    "ledger.reverse_entry": N_("reverse a ledger entry"),
    "rates.edit": N_("set exchange rates"),
    "ledger.close_year": N_("close a fiscal year"),
    "ministraciones.edit": N_("change the deposit calendar"),
    "gates.authorise": N_("authorise an exception to a stage gate"),
    "ledger.authorise_closed": N_("authorise a refund or reversal on a closed or cancelled project"),
    "projects.amend": N_("record a convenio modificatorio"),
    "records.export": N_("export records"),
    "reports.print": N_("print reports"),
    "demo.generate": N_("fill the database with demo data"),
}
