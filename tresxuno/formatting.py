"""How the app writes things for people: labels of parties and categories (one module for UI, PDFs, exports).

Every screen, printed report and export takes its wording from here, so a party or a category reads
the same everywhere and in both languages.
"""

from __future__ import annotations

from tresxuno.domain.parties import PARTY_LABELS, Party
from tresxuno.i18n import N_, _

CATEGORY_LABELS: dict[str, str] = {
    "infrastructure": N_("Social infrastructure"),
    "community-services": N_("Community services"),
    "education": N_("Education"),
    "scholarships": N_("Scholarships"),
    "productive-community": N_("Productive, community"),
    "productive-family": N_("Productive, family"),
    "productive-individual": N_("Productive, individual"),
}


def party_label(party: Party | str) -> str:
    """Translated display name of a party."""
    return _(PARTY_LABELS[Party(party)])


def category_label(category: str) -> str:
    """Translated display name of a category id."""
    label = CATEGORY_LABELS.get(category)
    return _(label) if label else category
