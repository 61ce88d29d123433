"""Officials over time: who held each post on a date, and what the federal delegation was called then.

Documents that print signatures name the officials in office on the document's own date
(:func:`officials_on`), never today's: a municipality changes administration, and the federal
delegation was the SEDESOL's until 2018 and the Secretaría de Bienestar's from 2019
(:func:`institution_on`, from the ``post_titles`` rule by date). The convenio and every other signed
document can call the same two functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import OFFICIAL_POSTS, Office, Official, PostTitle
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import clean_text
from tresxuno.i18n import N_, language
from tresxuno.services.auth import require

#: Posts in the order documents and the admin list show them, with their English msgids.
POST_LABELS: dict[str, str] = {
    "presidente_municipal": N_("Municipal president"),
    "sindico": N_("Síndico"),
    "tesorero_municipal": N_("Municipal treasurer"),
    "titular_migrantes": N_("Head of the migrant affairs office"),
    "titular_estatal": N_("Head of the state migrant secretariat"),
    "delegado_federal": N_("Head of the federal delegation"),
}
#: The party each post represents at the COVAM (attendees filled from the officials in office).
POST_PARTY: dict[str, str] = {
    "delegado_federal": "federal",
    "titular_estatal": "state",
    "presidente_municipal": "municipal",
    "sindico": "municipal",
    "tesorero_municipal": "municipal",
    "titular_migrantes": "municipal",
}
FEDERAL_POST = "delegado_federal"


@dataclass(frozen=True)
class OfficialInput:
    """A holder of a post for a period (``ends_on`` None: still in office)."""

    post: str
    person_name: str
    starts_on: date
    ends_on: date | None = None
    title: str = ""
    institution: str = ""
    #: The registered office it belongs to (:mod:`tresxuno.services.offices`); None: this database's own.
    office_id: int | None = None


@dataclass(frozen=True)
class OfficialInfo:
    """A stored holder of a post, with the institution as documents print it on ``on`` (if asked)."""

    id: int
    post: str
    person_name: str
    title: str
    institution: str
    starts_on: date
    ends_on: date | None
    office_id: int | None = None

    def holds_on(self, day: date) -> bool:
        """Whether this person held the post on ``day``."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def _info(row: Official) -> OfficialInfo:
    return OfficialInfo(
        row.id,
        row.post,
        row.person_name,
        row.title,
        row.institution,
        row.starts_on,
        row.ends_on,
        row.office_id,
    )


def _check(session: Session, data: OfficialInput, problems: list[Problem], *, own_id: int | None) -> None:
    if data.post not in OFFICIAL_POSTS:
        problems.append(
            Problem(
                "post", "official.unknown_post", {"post": data.post, "allowed": ", ".join(OFFICIAL_POSTS)}
            )
        )
    clean_text(data.person_name, "person_name", problems)
    clean_text(data.title, "title", problems, required=False)
    clean_text(data.institution, "institution", problems, required=False)
    if data.ends_on is not None and data.ends_on < data.starts_on:
        problems.append(
            Problem("ends_on", "official.ends_before_start", {"start": data.starts_on, "end": data.ends_on})
        )
        return
    if data.office_id is not None and session.get(Office, data.office_id) is None:
        problems.append(Problem("office", "office.unknown", {"office": data.office_id}))
    # Two holders of one post of one office on the same day: which would sign? Periods never overlap.
    for other in session.scalars(
        select(Official).where(Official.post == data.post, _of_office(data.office_id))
    ):
        if other.id == own_id:
            continue
        other_end = other.ends_on or date.max
        mine_end = data.ends_on or date.max
        if other.starts_on <= mine_end and data.starts_on <= other_end:
            problems.append(
                Problem(
                    "starts_on",
                    "official.overlap",
                    {"name": other.person_name, "start": other.starts_on, "end": other.ends_on or "—"},
                )
            )
            return


def add_official(db: Database, data: OfficialInput, *, user: str = "") -> OfficialInfo:
    """Record who held a post and from when to when.

    Raises:
        InputError: an unknown post, no name, an end before the start, or a period overlapping
            another holder of the same post.
    """
    require(db, "settings.edit")
    with db.transaction(immediate=True) as session:
        problems: list[Problem] = []
        _check(session, data, problems, own_id=None)
        if problems:
            raise InputError(problems)
        row = Official(
            post=data.post,
            person_name=data.person_name.strip(),
            title=data.title.strip(),
            institution=data.institution.strip(),
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            created_by=user,
            office_id=data.office_id,
        )
        session.add(row)
        session.flush()
        return _info(row)


def update_official(db: Database, official_id: int, data: OfficialInput, *, user: str = "") -> OfficialInfo:
    """Correct a holder's record, e.g. set the end of a term when the successor takes office.

    Raises:
        InputError: ``official.unknown`` or any problem :func:`add_official` names.
    """
    require(db, "settings.edit")
    with db.transaction(immediate=True) as session:
        row = session.get(Official, official_id)
        if row is None:
            raise InputError(Problem("official", "official.unknown", {"id": official_id}))
        problems: list[Problem] = []
        _check(session, data, problems, own_id=official_id)
        if problems:
            raise InputError(problems)
        row.post, row.person_name = data.post, data.person_name.strip()
        row.title, row.institution = data.title.strip(), data.institution.strip()
        row.starts_on, row.ends_on = data.starts_on, data.ends_on
        row.office_id = data.office_id
        session.flush()
        return _info(row)


def _of_office(office_id: int | None) -> Any:
    """The condition keeping one office's officials (None: this database's own office)."""
    return Official.office_id.is_(None) if office_id is None else Official.office_id == office_id


def list_officials(db: Database, *, office_id: int | None = None) -> list[OfficialInfo]:
    """Every holder of every post of one office (None: this database's own), by post then newest term first."""
    order = {post: i for i, post in enumerate(POST_LABELS)}
    with db.transaction() as session:
        rows = [_info(r) for r in session.scalars(select(Official).where(_of_office(office_id)))]
    return sorted(rows, key=lambda o: (order.get(o.post, len(order)), -o.starts_on.toordinal()))


def officials_on(db: Database, day: date, *, office_id: int | None = None) -> dict[str, OfficialInfo]:
    """Who held each post of an office (None: this database's own) on ``day`` (posts nobody held are absent).

    The federal delegation's head carries the institution valid that day when none was typed
    (the SEDESOL's delegation before 2019, the Secretaría de Bienestar's from 2019).
    """
    with db.transaction() as session:
        rows = session.scalars(
            select(Official).where(
                Official.starts_on <= day,
                or_(Official.ends_on.is_(None), Official.ends_on >= day),
                _of_office(office_id),
            )
        ).all()
        found = {row.post: _info(row) for row in rows}
    federal = found.get(FEDERAL_POST)
    if federal is not None and not federal.institution:
        institution = institution_on(db, FEDERAL_POST, day)
        found[FEDERAL_POST] = OfficialInfo(
            federal.id,
            federal.post,
            federal.person_name,
            federal.title,
            institution,
            federal.starts_on,
            federal.ends_on,
            federal.office_id,
        )
    return found


def institution_on(db: Database, post: str, day: date, lang: str | None = None) -> str:
    """The institution ``post`` belonged to on ``day`` in ``lang`` (the user's language by default); "" if no rule."""
    code = lang or language()
    with db.transaction() as session:
        row = session.scalars(
            select(PostTitle)
            .where(
                PostTitle.post == post,
                PostTitle.starts_on <= day,
                or_(PostTitle.ends_on.is_(None), PostTitle.ends_on >= day),
            )
            .order_by(PostTitle.starts_on.desc())
            .limit(1)
        ).first()
    if row is None:
        return ""
    return row.institution_es if code == "es" else row.institution_en
