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
from tresxuno.domain.actor import current_actor
from tresxuno.formatting import local_date
from tresxuno.i18n import _
from tresxuno.reports.data import ClubData, OfficialLine
from tresxuno.services.office import office_settings
from tresxuno.services.offices import offices_covering
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


def _signers(db: Database, municipality_key: str) -> dict[str, int | None]:
    """Per party, whose officials speak for a project of ``municipality_key`` (None: this database's own).

    A party missing from the result has nobody here to sign. The municipality's registered municipal office speaks for the municipal party, a registered
    state office covering it for the state and federal ones; otherwise this database's own office
    does, for a project of its own municipality (municipal posts) or state (the others), or for
    any project when its municipality is not set.
    """
    municipal, state = offices_covering(db, municipality_key)
    own = office_settings(db).municipality_key
    signers: dict[str, int | None] = {}
    if municipal is not None:
        signers["municipal"] = municipal.id
    elif not own or municipality_key == own:
        signers["municipal"] = None
    for party in ("state", "federal"):
        if state is not None:
            signers[party] = state.id
        elif not own or municipality_key[:2] == own[:2]:
            signers[party] = None
    return signers


def posts_for(
    db: Database, municipality_key: str, posts: tuple[str, ...] = DOCUMENT_POSTS
) -> tuple[str, ...]:
    """The posts whose holders speak for a project in ``municipality_key`` (see :func:`_signers`)."""
    signers = _signers(db, municipality_key)
    return tuple(p for p in posts if POST_PARTY.get(p, "municipal") in signers)


def officials_as_of(
    db: Database, day: date, posts: tuple[str, ...] = DOCUMENT_POSTS, municipality_key: str | None = None
) -> tuple[OfficialLine, ...]:
    """Those in office on ``day`` for ``posts`` (a post nobody held then is left out), in that order.

    With ``municipality_key`` each post's holder comes from the office that speaks for that party
    there (:func:`_signers`); without it, from the signed-in officer's office, else this database's.
    """
    if municipality_key is not None:
        signers = _signers(db, municipality_key)
        offices = {p: signers.get(POST_PARTY.get(p, "municipal")) for p in posts}
    else:
        j = current_actor().jurisdiction
        offices = dict.fromkeys(posts, j.office_id if j is not None else None)
    by_office = {office: officials_on(db, day, office_id=office) for office in set(offices.values())}
    found = {post: by_office[offices[post]][post] for post in posts if post in by_office[offices[post]]}
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
