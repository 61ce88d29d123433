"""What a convenio states beyond the money: the project's terms and the governments' declarations.

A project's terms (account, modality, contractor, partner) are edited with the project; the
declarations of the municipality, the state and the federal delegation (representative, domicile,
RFC) are office settings, the same in every convenio the office prints.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Project, ProjectConvenioTerms
from tresxuno.db.repos.settings import OFFICE_RFC, SettingsRepository
from tresxuno.domain.convenio import (
    DECLARING_PARTIES,
    ConvenioTerms,
    PartyDeclaration,
    check_declaration,
    check_terms,
)
from tresxuno.domain.problems import InputError, Problem
from tresxuno.services.auth import require

_TERM_FIELDS = tuple(f.name for f in fields(ConvenioTerms))
#: The declaration fields stored as settings (``convenio.<party>.<field>``); the municipality's RFC
#: is the office's RFC (:func:`tresxuno.services.office.set_office_rfc`).
_DECLARATION_FIELDS = ("representative", "role", "domicile", "rfc")


def terms_in(session: Session, project_id: int) -> ConvenioTerms:
    """The project's convenio terms; all blank when never recorded."""
    row = session.get(ProjectConvenioTerms, project_id)
    if row is None:
        return ConvenioTerms()
    return ConvenioTerms(**{name: getattr(row, name) for name in _TERM_FIELDS})


def convenio_terms(db: Database, project_id: int) -> ConvenioTerms:
    """:func:`terms_in` in a transaction of its own."""
    with db.transaction() as session:
        return terms_in(session, project_id)


def set_convenio_terms(db: Database, project_id: int, terms: ConvenioTerms) -> ConvenioTerms:
    """Check and store the project's convenio terms, replacing the previous ones.

    Raises:
        InputError: ``auth.role_required``; ``project.unknown``; ``clabe.*``, ``rfc.*``,
            ``convenio.*``, ``text.*``; nothing is stored.
    """
    require(db, "projects.edit")
    cleaned, problems = check_terms(terms)
    if problems:
        raise InputError(problems)
    with db.transaction(immediate=True) as session:
        _store_terms(session, project_id, cleaned)
    return cleaned


def _store_terms(session: Session, project_id: int, terms: ConvenioTerms) -> None:
    """Write already-checked ``terms`` inside the caller's transaction."""
    if session.get(Project, project_id) is None:
        raise InputError(Problem("project", "project.unknown", {"id": project_id}))
    row = session.get(ProjectConvenioTerms, project_id)
    if row is None:
        row = ProjectConvenioTerms(project_id=project_id)
        session.add(row)
    for name, value in asdict(terms).items():
        setattr(row, name, value)
    session.flush()


def _key(party: str, name: str) -> str:
    return OFFICE_RFC if (party, name) == ("municipal", "rfc") else f"convenio.{party}.{name}"


def declarations_in(session: Session) -> dict[str, PartyDeclaration]:
    """The declarations of the municipality, the state and the federal delegation (blank when unset)."""
    return {
        party: PartyDeclaration(
            party,
            **{
                name: SettingsRepository.get(session, _key(party, name), "") or ""
                for name in _DECLARATION_FIELDS
            },
        )
        for party in DECLARING_PARTIES
    }


def office_declarations(db: Database) -> dict[str, PartyDeclaration]:
    """:func:`declarations_in` in a transaction of its own."""
    with db.transaction() as session:
        return declarations_in(session)


def save_declarations(db: Database, declarations: list[PartyDeclaration]) -> dict[str, PartyDeclaration]:
    """Check and store the parties' declarations (an office setting).

    The municipality's RFC is not changed here (it is the office's RFC, set with its own check).

    Raises:
        InputError: ``auth.role_required``; ``party.unknown``; ``rfc.*`` and ``text.*`` on
            ``<party>.<field>``; nothing is stored.
    """
    require(db, "settings.edit")
    problems: list[Problem] = []
    cleaned = []
    for d in declarations:
        if d.party == "municipal":
            d = PartyDeclaration(d.party, d.representative, d.role, d.domicile, "")
        c, found = check_declaration(d)
        cleaned.append(c)
        problems += found
    if problems:
        raise InputError(problems)
    with db.transaction(immediate=True) as session:
        for d in cleaned:
            for name in _DECLARATION_FIELDS:
                if (d.party, name) != ("municipal", "rfc"):
                    SettingsRepository.set(session, _key(d.party, name), getattr(d, name))
        return declarations_in(session)
