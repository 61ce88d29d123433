"""What a document prints as of its own date: the club's toma de nota then and the officials in office then.

A 2017 project's cédula and convenio must show the toma the club held in 2017 (not a 2023
renewal) and sign with the presidente municipal and the federal delegation of that date (the
SEDESOL's until 2018, the Secretaría de Bienestar's from 2019). Builders call these helpers with
the document's date (:func:`project_date`, the convenio's signing day).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tresxuno.db.engine import Database
from tresxuno.formatting import local_date
from tresxuno.i18n import _
from tresxuno.reports.data import ClubData, OfficialLine
from tresxuno.services.office import office_settings
from tresxuno.services.officials import POST_LABELS, POST_PARTY, officials_on
from tresxuno.services.projects import ProjectOverview
from tresxuno.services.tomas import toma_on

#: The posts a project document lists, in the order they sign (the municipality executes).
DOCUMENT_POSTS: tuple[str, ...] = (
    "presidente_municipal",
    "tesorero_municipal",
    "titular_migrantes",
    "titular_estatal",
    "delegado_federal",
)
#: The post that signs for each government party of a convenio.
SIGNING_POSTS: dict[str, str] = {
    "municipal": "presidente_municipal",
    "state": "titular_estatal",
    "federal": "delegado_federal",
}


def project_date(overview: ProjectOverview) -> date:
    """The project's own date: the day it was requested (else its first recorded move, else 1 January of its year)."""
    if overview.requested_on is not None:
        return overview.requested_on
    if overview.history:
        return local_date(overview.history[0].changed_at)
    return date(overview.detail.fiscal_year, 1, 1)


def club_as_of(db: Database, club: ClubData, day: date) -> ClubData:
    """The club with the toma de nota it held on ``day`` (see :func:`tresxuno.services.tomas.toma_on`)."""
    toma = toma_on(db, club.id, day)
    if toma is None:
        return club
    return replace(
        club,
        toma_folio=toma.folio,
        toma_issuer=toma.issuer,
        toma_issued_on=toma.issued_on,
        toma_expires_on=toma.expires_on,
    )


def posts_for(
    db: Database, municipality_key: str, posts: tuple[str, ...] = DOCUMENT_POSTS
) -> tuple[str, ...]:
    """The posts of the office's officials that speak for a project in ``municipality_key``.

    The officials recorded are the office's: its municipality's posts only for a project of that
    municipality, the state and federal ones for any project of its state (all when the office's
    municipality is not set).
    """
    office = office_settings(db).municipality_key
    if not office:
        return posts
    same_state = municipality_key[:2] == office[:2]
    return tuple(
        p for p in posts if (municipality_key == office if POST_PARTY.get(p) == "municipal" else same_state)
    )


def officials_as_of(
    db: Database, day: date, posts: tuple[str, ...] = DOCUMENT_POSTS
) -> tuple[OfficialLine, ...]:
    """Those in office on ``day`` for ``posts`` (a post nobody held then is left out), in that order."""
    found = officials_on(db, day)
    return tuple(
        OfficialLine(
            post=post,
            post_label=_(POST_LABELS[post]),
            name=found[post].person_name,
            title=found[post].title,
            institution=found[post].institution,
        )
        for post in posts
        if post in found
    )
