"""Plain, immutable records that services return to the UI, CLI and reports.

They carry no database session and no Qt object, so any ring can hold them safely.
Amounts are integer centavos (MXN unless a field says otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class FederationInfo:
    """A federation of clubs from one Mexican state, based in a US region."""

    id: int
    name: str
    mx_state_key: str
    us_region: str
    contact: str = ""


@dataclass(frozen=True)
class ClubInfo:
    """A hometown club and its toma de nota (registration issued by a consulate or federation)."""

    id: int
    name: str
    federation_id: int | None
    federation_name: str
    toma_folio: str
    toma_issuer: str
    toma_issued_on: date
    toma_expires_on: date
    members: int
    us_city: str
    us_state: str
    home_state_key: str
    home_municipality_key: str
    home_contact: str
    board: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShareLine:
    """One party's share of a project as computed and stored."""

    party: str
    percent_bp: int  # basis points of the cost, 2500 = 25.00 %
    amount: int  # centavos
    capped: bool = False


@dataclass(frozen=True)
class CapAuthorisationLine:
    """A recorded leave for ``party`` to pay ``amount`` above its ``cap`` (centavos): who, why, the oficio."""

    party: str
    cap: int
    amount: int
    authorised_by: str
    reason: str
    document: str
    recorded_by: str = ""


@dataclass(frozen=True)
class ProjectSummary:
    """One row of the project list."""

    id: int
    folio: str
    fiscal_year: int
    program: str
    category: str
    stage: str
    name: str
    club_name: str
    state_name: str
    municipality_name: str
    cost: int  # centavos MXN


@dataclass(frozen=True)
class ProjectDetail:
    """A whole project with its computed shares and the rule set it was computed under."""

    id: int
    folio: str
    fiscal_year: int
    program: str
    category: str
    stage: str
    name: str
    description: str
    club_id: int
    club_name: str
    state_key: str
    municipality_key: str
    locality: str
    beneficiaries: int
    cost: int
    rule_set_id: str
    rule_set_version: int
    partner_mode: str  # "none", "rule" or "fixed"
    partner_amount: int | None
    mix_override_reason: str
    shares: tuple[ShareLine, ...] = field(default_factory=tuple)
    #: The state's basis points of the joint state and municipal share as agreed (None: the default).
    joint_split_bp: int | None = None
    cap_authorisations: tuple[CapAuthorisationLine, ...] = ()
    #: The locality's INEGI key (9 digits), "" when not recorded.
    locality_key: str = ""
