"""Small builders of valid rows for database tests (amounts in centavos)."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy.orm import Session

from tresxuno.db.models import Club, Federation, Project, ProjectShare, RuleSetRecord
from tresxuno.db.repos import RuleSetRepository

_serial = count(1)


def federation(session: Session, name: str = "Federación Zacatecana de Illinois") -> Federation:
    """A federation of Zacatecas clubs in Illinois."""
    row = Federation(name=name, mx_state_key="32", us_region="Illinois")
    session.add(row)
    session.flush()
    return row


def club(
    session: Session,
    name: str = "Club Jerez Unido",
    *,
    municipality_key: str = "32020",
    federation_id: int | None = None,
) -> Club:
    """A club from ``municipality_key`` with a valid toma de nota."""
    row = Club(
        federation_id=federation_id,
        name=name,
        toma_folio=f"TN-{next(_serial):05d}",
        toma_issuer="Consulado de México en Chicago",
        toma_issued_on=date(2015, 3, 1),
        toma_expires_on=date(2017, 3, 1),
        members=25,
        board='["Presidente: Juan Pérez"]',
        us_city="Chicago",
        us_state="IL",
        home_state_key=municipality_key[:2],
        home_municipality_key=municipality_key,
    )
    session.add(row)
    session.flush()
    return row


def rule_set(session: Session) -> RuleSetRecord:
    """The frozen 3x1 infrastructure rule set (25/25/25/25)."""
    return RuleSetRepository.freeze(
        session,
        rule_id="3x1-infra",
        version=1,
        program="3x1",
        body={"mix": {"club": 25, "federal": 25, "state": 25, "municipal": 25}},
        source="Reglas de operación 2016",
    )


def project(
    session: Session,
    *,
    club_row: Club,
    rule: RuleSetRecord,
    folio: str | None = None,
    name: str = "Pavimentación de calle",
    municipality_key: str = "32020",
    fiscal_year: int = 2016,
    program: str = "3x1",
    category: str = "infrastructure",
    stage: str = "borrador",
    cost: int = 1_000_000_00,
) -> Project:
    """A project with four equal shares of ``cost`` (which must divide by four)."""
    row = Project(
        folio=folio or f"T-{next(_serial):06d}",
        fiscal_year=fiscal_year,
        program=program,
        category=category,
        club_id=club_row.id,
        state_key=municipality_key[:2],
        municipality_key=municipality_key,
        name=name,
        cost=cost,
        rule_set_pk=rule.id,
        stage=stage,
    )
    row.shares = [
        ProjectShare(party=party, percent_bp=2500, amount=cost // 4)
        for party in ("club", "federal", "state", "municipal")
    ]
    session.add(row)
    session.flush()
    return row
