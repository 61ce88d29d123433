"""Demo officials over time and each club's earlier tomas de nota, so demo documents name those of their date.

The demo office is Jerez's migrant office (Zacatecas): its presidentes municipales change every
15 September of an election year, the federal delegation was the SEDESOL's until 2018 and the
Secretaría de Bienestar's from 2019. Each club's stored toma is its latest renewal; the two-year
tomas before it are written back to before the demo's first fiscal year, so a 2017 project's
cédula prints the toma the club held in 2017.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import Club, ClubToma, Official

#: (post, name, title, starts_on, ends_on): the demo office's officials, no overlaps within a post.
DEMO_OFFICIALS: tuple[tuple[str, str, str, date, date | None], ...] = (
    ("delegado_federal", "Ing. Fernando Ruiz Medina", "Delegado federal de la SEDESOL en Zacatecas",
     date(2003, 1, 1), date(2012, 12, 31)),
    ("delegado_federal", "Lic. Héctor Ramírez Ávila", "Delegado federal de la SEDESOL en Zacatecas",
     date(2013, 1, 1), date(2018, 12, 31)),
    ("delegado_federal", "Lic. Ana Lucía Bermúdez Solís", "Delegada de Programas para el Bienestar",
     date(2019, 1, 1), None),
    ("titular_estatal", "Ing. Ramón Ibáñez Muñoz", "Secretario del Zacatecano Migrante",
     date(2016, 9, 12), date(2021, 9, 11)),
    ("titular_estatal", "Lic. Martha Elena Núñez", "Secretaria del Zacatecano Migrante",
     date(2021, 9, 12), None),
    ("presidente_municipal", "C. Antonio Pérez Robles", "Presidente municipal de Jerez",
     date(2013, 9, 15), date(2016, 9, 14)),
    ("presidente_municipal", "C. Rosa María Castañeda", "Presidenta municipal de Jerez",
     date(2016, 9, 15), date(2018, 9, 14)),
    ("presidente_municipal", "Ing. Jorge Luis Saldívar", "Presidente municipal de Jerez",
     date(2018, 9, 15), date(2021, 9, 14)),
    ("presidente_municipal", "Mtra. Leticia Haro Sánchez", "Presidenta municipal de Jerez",
     date(2021, 9, 15), None),
    ("tesorero_municipal", "C.P. Manuel Acuña Reveles", "Tesorero municipal",
     date(2016, 9, 15), date(2021, 9, 14)),
    ("tesorero_municipal", "C.P. Silvia Ortega Luna", "Tesorera municipal", date(2021, 9, 15), None),
    ("titular_migrantes", "Lic. Pedro Villagrana", "Director de Atención al Migrante",
     date(2016, 9, 15), date(2021, 9, 14)),
    ("titular_migrantes", "Lic. Carmen Rosales Díaz", "Directora de Atención al Migrante",
     date(2021, 9, 15), None),
)  # fmt: skip

#: Tomas are written back until one was issued on or before this day (before the demo's earliest request).
HISTORY_FROM = date(2005, 1, 1)
#: A toma de nota lasts two years.
TOMA_YEARS = 2

_FOLIO_YEAR = re.compile(r"-(\d{4})-(\d{4})$")


def demo_official_on(post: str, day: date) -> tuple[str, str] | None:
    """(name, title) of the demo's holder of ``post`` on ``day``; None when nobody held it then."""
    for p, name, title, start, end in DEMO_OFFICIALS:
        if p == post and start <= day and (end is None or day <= end):
            return name, title
    return None


def add_demo_officials(session: Session) -> int:
    """Write the demo office's officials; returns how many."""
    rows = [
        {
            "post": p,
            "person_name": n,
            "title": t,
            "starts_on": s,
            "ends_on": e,
            # Every value given: the audit trail records the row as written, defaults included.
            "created_at": datetime(s.year, s.month, s.day, 9, 0),
            "created_by": "demo",
        }
        for p, n, t, s, e in DEMO_OFFICIALS
    ]
    session.execute(insert(Official), rows)
    return len(rows)


def _at(day: date) -> datetime:
    """When a demo toma was recorded: the morning it was issued."""
    return datetime(day.year, day.month, day.day, 10, 0)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


def add_demo_toma_history(session: Session) -> int:
    """Write every club's toma history: its current toma and the two-year ones before it; returns how many.

    Each earlier toma expires the day before the next was issued, so the club held one on every
    day since :data:`HISTORY_FROM`; its folio is the current one's with that year and number.
    """
    rows = []
    for club in session.execute(
        select(Club.id, Club.toma_folio, Club.toma_issuer, Club.toma_issued_on, Club.toma_expires_on)
    ):
        rows.append(
            {
                "club_id": club.id,
                "folio": club.toma_folio,
                "issuer": club.toma_issuer,
                "issued_on": club.toma_issued_on,
                "expires_on": club.toma_expires_on,
                "recorded_at": _at(club.toma_issued_on),
                "recorded_by": "demo",
            }
        )
        issued, step = club.toma_issued_on, 0
        while issued > HISTORY_FROM:
            step += 1
            expires = issued - timedelta(days=1)
            issued = _years_before(issued, TOMA_YEARS)
            match = _FOLIO_YEAR.search(club.toma_folio)
            number = (int(match.group(2)) + 7 * step) % 10_000 if match else step
            stem = club.toma_folio[: match.start()] if match else club.toma_folio
            rows.append(
                {
                    "club_id": club.id,
                    "folio": f"{stem}-{issued.year}-{number:04d}",
                    "issuer": club.toma_issuer,
                    "issued_on": issued,
                    "expires_on": expires,
                    "recorded_at": _at(issued),
                    "recorded_by": "demo",
                }
            )
    if rows:
        session.execute(insert(ClubToma), rows)
    return len(rows)
