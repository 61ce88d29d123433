"""Offices sharing one database, their jurisdictions, and which office each officer works in.

A state server holds many municipalities; each officer belongs to an office and sees only its
jurisdiction (:mod:`tresxuno.db.scope`). Registering offices and placing officers in them changes what
every office relies on, so only an administrator of the whole database does it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db import row_security
from tresxuno.db.engine import Database
from tresxuno.db.models import Municipality, Office, OfficeMunicipality, State, User
from tresxuno.domain import limits
from tresxuno.domain.actor import current_actor
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rfc import check_rfc, normalize_rfc
from tresxuno.domain.validation import clean_text
from tresxuno.services.auth import require
from tresxuno.services.office import check_logo
from tresxuno.services.users import normalise_username

#: What officers type for an office at the command line: lower-case letters, digits and hyphens.
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,19}$")
#: A PostgreSQL role name the policies compare with ``current_user`` (an unquoted identifier).
_DB_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: An Ed25519 public key as ``tresxuno consolidate key`` prints it: 64 hex digits.
_PUBLIC_KEY = re.compile(r"^[0-9a-f]{64}$")
KINDS = ("municipal", "state")


@dataclass(frozen=True)
class OfficeInput:
    """An office as typed: a municipal one names one municipality; a state one its state, and may list some.

    Attributes:
        code: the short key ("jerez").
        name: the name its letterhead prints ("Presidencia Municipal de Jerez").
        kind: ``"municipal"`` or ``"state"``.
        state_key: its state's two-digit key.
        municipality_keys: a municipal office's one key; a state office's, or none for its whole state.
        rfc: the RFC its documents print ("" for none).
        place: where its documents are signed ("Jerez de García Salinas, Zacatecas").
        db_role: the PostgreSQL role its desks connect as, confined to its jurisdiction ("" for none).
    """

    code: str
    name: str
    kind: str
    state_key: str
    municipality_keys: tuple[str, ...] = ()
    rfc: str = ""
    place: str = ""
    db_role: str = ""
    public_key: str = ""
    #: A PNG or JPEG file for the letterhead ("" keeps the current logo, or none).
    logo_path: str = ""
    remove_logo: bool = False


@dataclass(frozen=True)
class OfficeInfo:
    """An office as lists and documents show it."""

    id: int
    code: str
    name: str
    kind: str
    state_key: str
    state_name: str
    municipality_keys: tuple[str, ...]
    municipality_names: tuple[str, ...]
    rfc: str
    place: str
    db_role: str
    version: int
    users: tuple[str, ...] = field(default=())
    public_key: str = ""
    has_logo: bool = False

    @property
    def whole_state(self) -> bool:
        """A state office listing no municipality covers its whole state."""
        return self.kind == "state" and not self.municipality_keys


def _info(session: Session, row: Office) -> OfficeInfo:
    keys = tuple(m.municipality_key for m in row.municipalities)
    names = dict(
        session.execute(select(Municipality.key, Municipality.name).where(Municipality.key.in_(keys))).all()
    )
    users = tuple(
        session.scalars(select(User.username).where(User.office_id == row.id).order_by(User.username))
    )
    state = session.get(State, row.state_key)
    return OfficeInfo(
        row.id,
        row.code,
        row.name,
        row.kind,
        row.state_key,
        state.name if state else row.state_key,
        keys,
        tuple(names.get(k, k) for k in keys),
        row.rfc,
        row.place,
        row.db_role or "",
        row.version,
        users,
        row.public_key or "",
        row.logo is not None,
    )


def _checked(session: Session, data: OfficeInput, office_id: int | None) -> tuple[str, str, str, str, str]:
    """Code, name, RFC, place and role of ``data`` cleaned; every problem at once."""
    problems: list[Problem] = []
    code = (data.code or "").strip().lower()
    if not _CODE.match(code):
        problems.append(Problem("code", "office.code_invalid", {"code": data.code}))
    name = clean_text(data.name, "name", problems, max_len=limits.NAME)
    place = clean_text(data.place, "place", problems, required=False, max_len=limits.NAME)
    rfc = normalize_rfc(data.rfc)
    if rfc:
        problems.extend(check_rfc(rfc, "rfc", check_digit=False))
    role = (data.db_role or "").strip()
    key = (data.public_key or "").strip().lower()
    if key and not _PUBLIC_KEY.match(key):
        problems.append(Problem("public_key", "office.public_key_invalid", {}))
    if role and not _DB_ROLE.match(role):
        problems.append(Problem("db_role", "office.db_role_invalid", {"role": data.db_role}))
    if data.kind not in KINDS:
        problems.append(
            Problem("kind", "office.kind_unknown", {"kind": data.kind, "allowed": ", ".join(KINDS)})
        )
    if session.get(State, data.state_key) is None:
        problems.append(Problem("state", "office.state_unknown", {"state": data.state_key}))
    keys = sorted(set(data.municipality_keys))
    known = set(session.scalars(select(Municipality.key).where(Municipality.key.in_(keys))))
    for key in keys:
        if key not in known:
            problems.append(Problem("municipalities", "office.municipality_unknown", {"municipality": key}))
        elif key[:2] != data.state_key:
            problems.append(
                Problem(
                    "municipalities",
                    "office.municipality_elsewhere",
                    {"municipality": key, "state": data.state_key},
                )
            )
    if data.kind == "municipal" and len(keys) != 1:
        problems.append(Problem("municipalities", "office.municipal_needs_one", {"count": len(keys)}))
    for column, value, code_ in (
        (Office.code, code, "office.code_taken"),
        (Office.name, name, "office.name_taken"),
    ):
        other = session.scalar(select(Office.id).where(column == value))
        if other is not None and other != office_id:
            problems.append(Problem(column.key, code_, {"value": value}))
    if role:
        other = session.scalar(select(Office.id).where(Office.db_role == role))
        if other is not None and other != office_id:
            problems.append(Problem("db_role", "office.db_role_taken", {"role": role}))
    if problems:
        raise InputError(problems)
    return code, name, rfc, place, role


def _logo(data: OfficeInput) -> bytes | None:
    """The new logo's bytes (None: none given).

    Raises:
        InputError: on field ``logo``: no such file, too large, or not a PNG or JPEG image.
    """
    if not data.logo_path.strip():
        return None
    problems: list[Problem] = []
    found = check_logo(data.logo_path, problems)
    if found is None:
        raise InputError(problems)
    return found[0].read_bytes()


def _grant(session: Session, role: str) -> None:
    """On PostgreSQL, give an office's role what the application needs (confined by the policies)."""
    connection = session.connection()
    if role and connection.dialect.name == "postgresql":
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}
        ).first()
        if exists is None:
            raise InputError(Problem("db_role", "office.db_role_missing", {"role": role}))
        for statement in row_security.grant_statements(role):
            connection.exec_driver_sql(statement)


def create_office(db: Database, data: OfficeInput) -> OfficeInfo:
    """Register an office and its jurisdiction (administrator of the whole database).

    Raises:
        InputError: ``auth.role_required``, ``auth.office_may_not``, ``office.*`` (every problem at once).
    """
    require(db, "offices.manage")
    logo = _logo(data)
    with db.transaction(immediate=True) as session:
        code, name, rfc, place, role = _checked(session, data, None)
        row = Office(
            code=code,
            name=name,
            kind=data.kind,
            state_key=data.state_key,
            rfc=rfc,
            place=place,
            db_role=role or None,
            public_key=(data.public_key or "").strip().lower() or None,
            logo=logo,
            created_by=current_actor().username,
            municipalities=[
                OfficeMunicipality(municipality_key=k) for k in sorted(set(data.municipality_keys))
            ],
        )
        session.add(row)
        session.flush()
        _grant(session, role)
        return _info(session, row)


def update_office(db: Database, code: str, data: OfficeInput, *, expected_version: int) -> OfficeInfo:
    """Change an office's name, letterhead or jurisdiction; refuses when someone else changed it first.

    Raises:
        InputError: as :func:`create_office`; ``office.unknown``; ``office.changed_elsewhere``.
    """
    require(db, "offices.manage")
    logo = _logo(data)
    with db.transaction(immediate=True) as session:
        row = _get(session, code)
        if row.version != expected_version:
            raise InputError(Problem("office", "office.changed_elsewhere", {"office": row.name}))
        new_code, name, rfc, place, role = _checked(session, data, row.id)
        row.code, row.name, row.kind, row.state_key = new_code, name, data.kind, data.state_key
        row.rfc, row.place, row.db_role = rfc, place, role or None
        row.public_key = (data.public_key or "").strip().lower() or None
        if logo is not None or data.remove_logo:
            row.logo = logo
        wanted = sorted(set(data.municipality_keys))
        if [m.municipality_key for m in row.municipalities] != wanted:
            row.municipalities = [OfficeMunicipality(municipality_key=k) for k in wanted]
        session.flush()
        _grant(session, role)
        return _info(session, row)


def _get(session: Session, code: str) -> Office:
    row = session.scalar(select(Office).where(Office.code == (code or "").strip().lower()))
    if row is None:
        raise InputError(Problem("office", "office.unknown", {"office": code}))
    return row


def list_offices(db: Database) -> list[OfficeInfo]:
    """Every office, by name, with its jurisdiction and its officers (any signed-in officer may read it)."""
    with db.transaction() as session:
        rows = session.scalars(select(Office).order_by(Office.name)).all()
        return [_info(session, row) for row in rows]


def assign_office(db: Database, username: str, office_code: str | None) -> str:
    """Place an officer in an office (None: the whole database); they see its jurisdiction from their next sign-in.

    Returns:
        The office's name, or "" for the whole database.

    Raises:
        InputError: ``auth.role_required``, ``auth.office_may_not``, ``user.unknown``, ``office.unknown``.
    """
    require(db, "users.manage")
    with db.transaction(immediate=True) as session:
        user = session.scalar(select(User).where(User.username == normalise_username(username)))
        if user is None:
            raise InputError(Problem("username", "user.unknown", {"username": username}))
        office = _get(session, office_code) if office_code else None
        user.office_id = office.id if office else None
        session.flush()
        return office.name if office else ""


def _office_row_for(session: Session, municipality_key: str) -> Office | None:
    """The office that executes projects of ``municipality_key``: its municipal office, else a state office.

    A state office listing the municipality comes before one covering its whole state.
    """
    listed = session.scalars(
        select(Office)
        .join(OfficeMunicipality, OfficeMunicipality.office_id == Office.id)
        .where(OfficeMunicipality.municipality_key == municipality_key)
        .order_by(Office.kind, Office.id)  # "municipal" sorts before "state"
    ).first()
    if listed is not None:
        return listed
    return session.scalars(
        select(Office)
        .where(Office.kind == "state", Office.state_key == municipality_key[:2], ~Office.municipalities.any())
        .order_by(Office.id)
    ).first()


def offices_covering(db: Database, municipality_key: str) -> tuple[OfficeInfo | None, OfficeInfo | None]:
    """The municipal office and the state office registered for ``municipality_key`` (None where none).

    A state office that lists the municipality comes before one covering its whole state.
    """
    with db.transaction() as session:
        found: dict[str, OfficeInfo] = {}
        for row in session.scalars(
            select(Office)
            .join(OfficeMunicipality, OfficeMunicipality.office_id == Office.id)
            .where(OfficeMunicipality.municipality_key == municipality_key)
            .order_by(Office.id)
        ):
            found.setdefault(row.kind, _info(session, row))
        if "state" not in found:
            whole = session.scalars(
                select(Office)
                .where(
                    Office.kind == "state",
                    Office.state_key == municipality_key[:2],
                    ~Office.municipalities.any(),
                )
                .order_by(Office.id)
            ).first()
            if whole is not None:
                found["state"] = _info(session, whole)
        return found.get("municipal"), found.get("state")


def office_for(db: Database, municipality_key: str) -> OfficeInfo | None:
    """The office whose letterhead a document about a project of ``municipality_key`` prints (None: no office)."""
    with db.transaction() as session:
        row = _office_row_for(session, municipality_key)
        return _info(session, row) if row is not None else None


def office_logo(db: Database, office_id: int) -> bytes | None:
    """An office's logo (None: it has none)."""
    with db.transaction() as session:
        return session.scalar(select(Office.logo).where(Office.id == office_id))


def office_by_id(db: Database, office_id: int) -> OfficeInfo | None:
    """One office by id (None when there is none)."""
    with db.transaction() as session:
        row = session.get(Office, office_id)
        return _info(session, row) if row is not None else None
