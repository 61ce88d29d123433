"""The parties that pay into a project and the project categories, as stable string ids."""

from __future__ import annotations

from enum import StrEnum


class Party(StrEnum):
    """Who pays a share of a project (ids are part of the CLI/JSON contract)."""

    CLUB = "club"
    FEDERAL = "federal"
    STATE = "state"
    MUNICIPAL = "municipal"
    PARTNER = "partner"


#: The fixed order used everywhere parties are listed and to break allocation ties:
#: the club first (the migrants' peso that the programme matches), then the three
#: governments from federal down, then the optional outside partner.
PARTY_ORDER: tuple[Party, ...] = (
    Party.CLUB,
    Party.FEDERAL,
    Party.STATE,
    Party.MUNICIPAL,
    Party.PARTNER,
)

PARTY_IDS: frozenset[str] = frozenset(p.value for p in Party)


class Category(StrEnum):
    """Project categories of the programme (ids are part of the CLI contract)."""

    INFRASTRUCTURE = "infrastructure"
    COMMUNITY_SERVICES = "community-services"
    EDUCATION = "education"
    SCHOLARSHIPS = "scholarships"
    PRODUCTIVE_COMMUNITY = "productive-community"
    PRODUCTIVE_FAMILY = "productive-family"
    PRODUCTIVE_INDIVIDUAL = "productive-individual"


class SchoolLevel(StrEnum):
    """School levels for scholarship (becas 3x1) amounts per student."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    UPPER_SECONDARY = "upper-secondary"
    HIGHER = "higher"


def closing_act(category: str) -> str | None:
    """The act that closes a project of ``category``: ``scholarships``, ``goods``, or None (works).

    Works are handed over to the community (acta de entrega-recepción); scholarships end with the
    delivery of each student's scholarship, productive projects with the delivery of their goods:
    the convenio's clauses and the closing documents follow this.
    """
    if category == Category.SCHOLARSHIPS.value:
        return "scholarships"
    if category.startswith("productive"):
        return "goods"
    return None
