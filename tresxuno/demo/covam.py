"""Demo COVAM sessions and physical progress reports, consistent with the demo's stage history.

Every demo project that was ruled on (its history moves it from "en_covam" to approved, rejected
or returned) sits on the agenda of a session of its state held in the month of that ruling; every
project whose works started gets quarterly progress reports up to its stage (100 % once finished).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import (
    CovamAgendaItem,
    CovamAttendee,
    CovamSession,
    ProgressReport,
    Project,
    StageChange,
    State,
)
from tresxuno.demo.officials import demo_official_on
from tresxuno.domain.parties import closing_act
from tresxuno.domain.stages import Stage
from tresxuno.services.progress import CancelToken

RULINGS = {Stage.APROBADO.value, Stage.RECHAZADO.value, Stage.DEVUELTO.value}
WORKS_STARTED = (Stage.EN_EJECUCION.value, Stage.TERMINADO.value, Stage.CERRADO.value)

_PEOPLE = {
    "federal": [
        ("Lic. Ana Lucía Bermúdez Solís", "Delegada de Programas para el Bienestar"),
        ("Mtro. Héctor Ramírez Ávila", "Subdelegado de Desarrollo Social"),
    ],
    "state": [
        ("Ing. Ramón Ibáñez Muñoz", "Secretaría del Migrante"),
        ("Lic. Martha Elena Núñez", "Directora de Atención a Migrantes"),
    ],
    "municipal": [
        ("C. Rosa María Castañeda", "Presidenta municipal"),
        ("Arq. Jesús Peña Ortega", "Director de Obras Públicas"),
    ],
    "club": [
        ("Sr. José Ángel Ortiz", "Presidente de federación"),
        ("Sra. Guadalupe Fernández", "Representante de clubes"),
    ],
    "partner": [("Ms. Laura Gómez", "Western Union Foundation")],
}
_CONDITIONS = {
    Stage.APROBADO.value: [
        "",
        "",
        "Presentar el permiso de construcción antes de la firma del convenio.",
        "Ajustar el presupuesto a precios unitarios vigentes.",
    ],
    Stage.RECHAZADO.value: [
        "El predio no está acreditado a nombre del municipio.",
        "El proyecto no es de beneficio comunitario.",
        "Rebasa el techo presupuestal del ejercicio.",
    ],
    Stage.DEVUELTO.value: [
        "Falta el expediente técnico completo.",
        "Actualizar el presupuesto y los planos.",
        "Aclarar el número de beneficiarios.",
    ],
}


def add_demo_covam_and_progress(
    session: Session, rng: random.Random, today: date, *, cancel: CancelToken | None = None
) -> tuple[int, int]:
    """Write sessions (with attendees and rulings) and progress reports; returns (sessions, reports)."""
    token = cancel or CancelToken()
    sessions = _sessions(session, rng)
    token.raise_if_cancelled()
    reports = _progress(session, rng, today)
    return sessions, reports


def _sessions(session: Session, rng: random.Random) -> int:
    rulings = session.execute(
        select(
            StageChange.project_id,
            StageChange.to_stage,
            StageChange.changed_at,
            Project.state_key,
            Project.program,
        )
        .join(Project, Project.id == StageChange.project_id)
        .where(StageChange.from_stage == Stage.EN_COVAM.value, StageChange.to_stage.in_(sorted(RULINGS)))
        .order_by(StageChange.changed_at, StageChange.project_id)
    ).all()
    abbrevs = dict(session.execute(select(State.key, State.abbrev)).all())
    groups: dict[tuple[str, int, int], list] = defaultdict(list)
    for row in rulings:
        groups[(row.state_key, row.changed_at.year, row.changed_at.month)].append(row)
    numbers: dict[tuple[str, int], int] = defaultdict(int)
    agenda: list[dict[str, Any]] = []
    attendees: list[dict[str, Any]] = []
    held_sessions: list[CovamSession] = []
    for (state_key, year, _month), rows in sorted(groups.items()):
        numbers[(state_key, year)] += 1
        held = min(r.changed_at for r in rows)
        covam = CovamSession(
            number=f"{abbrevs[state_key].rstrip('.').upper()}-{numbers[(state_key, year)]:02d}/{year}",
            held_on=held.date(),
            place=f"Sala de juntas de la delegación, {abbrevs[state_key]}",
            kind="ordinaria" if rng.random() < 0.85 else "extraordinaria",
            notes="Sesión con quórum de todas las partes.",
            created_at=held,
            created_by="demo",
        )
        session.add(covam)
        session.flush()
        held_sessions.append(covam)
        parties = ["state", "municipal", "club"]
        if any(r.program in ("3x1", "4x1") for r in rows):
            parties.insert(0, "federal")
        if any(r.program == "4x1" for r in rows):
            parties.append("partner")
        for party in parties:
            name, position = rng.choice(_PEOPLE[party])
            attendees.append({"session_id": covam.id, "party": party, "name": name, "position": position})
        for r in rows:
            agenda.append(
                {
                    "session_id": covam.id,
                    "project_id": r.project_id,
                    "ruling": r.to_stage,
                    "priority": rng.randint(40, 100)
                    if r.to_stage == Stage.APROBADO.value
                    else rng.randint(0, 60),
                    "conditions": rng.choice(_CONDITIONS[r.to_stage]),
                    "ruled_at": r.changed_at,
                    "ruled_by": "demo",
                }
            )
    _acta_details(held_sessions, attendees, agenda, rng)
    if attendees:
        session.execute(insert(CovamAttendee), attendees)
    if agenda:
        session.execute(insert(CovamAgendaItem), agenda)
    session.flush()
    return len(groups)


#: The priority criteria the demo's committees apply (as a real acta lists them).
_CRITERIA = (
    "Obras de infraestructura básica (agua potable, drenaje, electrificación) primero.",
    "Mayor número de beneficiarios por peso invertido.",
    "Localidades de alta y muy alta marginación.",
    "Expediente técnico completo y aportación del club comprometida.",
)
#: The federal delegation was the SEDESOL's until 2018: a demo acta of those years never names Bienestar.
_SEDESOL_POSITIONS = {
    "Delegada de Programas para el Bienestar": "Delegada de la SEDESOL en el estado",
}


def _acta_details(
    held: list[CovamSession],
    attendees: list[dict[str, Any]],
    agenda: list[dict[str, Any]],
    rng: random.Random,
) -> None:
    """What a signed acta records: the call 30 days ahead, president and technical secretary, votes, criteria.

    The federal attendee chairs (the state's when there is none) and a state attendee is the
    technical secretary; everyone present votes, so the demo's sessions have quorum. Each ruling
    takes effect on its session's date. Filled in before the rows are written, so each row is
    inserted whole (30,000 updates afterwards doubled what the trail cost the demo).
    """
    people_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for person in attendees:
        people_of[person["session_id"]].append(person)
    items_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in agenda:
        items_of[item["session_id"]].append(item)
    for covam in held:
        people = people_of[covam.id]
        chair = next((a for a in people if a["party"] == "federal"), None) or next(
            (a for a in people if a["party"] == "state"), None
        )
        secretary = next((a for a in people if a["party"] == "state" and a is not chair), None)
        for person in people:
            person["role"] = (
                "presidente" if person is chair else "secretario_tecnico" if person is secretary else "vocal"
            )
            if covam.held_on.year < 2019:
                person["position"] = _SEDESOL_POSITIONS.get(person["position"], person["position"])
            # The federal member is the delegate in office on the session's date (as the officials say).
            head = (
                demo_official_on("delegado_federal", covam.held_on) if person["party"] == "federal" else None
            )
            if head is not None:
                person["name"], person["position"] = head
        covam.called_on = covam.held_on - timedelta(days=30)
        covam.voting_members = len(people)
        covam.criteria = "\n".join(_CRITERIA)
        voters = len(people)
        for item in items_of[covam.id]:
            abstaining = 1 if voters > 3 and rng.random() < 0.2 else 0
            if item["ruling"] == Stage.RECHAZADO.value:
                item["votes_for"], item["votes_against"] = 0, voters - abstaining
            else:
                item["votes_for"], item["votes_against"] = voters - abstaining, 0
            item["abstentions"], item["effective_on"] = abstaining, covam.held_on


#: The progress notes of each kind of project: (a quarter's report, the last one), in Spanish.
PROGRESS_NOTES: dict[str, tuple[str, str]] = {
    "works": (
        "Avance reportado por la dirección de obras.",
        "Obra terminada; acta de entrega-recepción firmada.",
    ),
    "scholarships": (
        "Becas pagadas a los estudiantes del padrón, según sus recibos.",
        "Becas entregadas a todos los estudiantes; acta de entrega de becas firmada.",
    ),
    "goods": (
        "Avance en la compra y entrega de los bienes del proyecto.",
        "Bienes entregados; acta de entrega de bienes firmada.",
    ),
}


def _progress(session: Session, rng: random.Random, today: date) -> int:
    started = session.execute(
        select(Project.id, Project.stage, StageChange.to_stage, StageChange.changed_at, Project.category)
        .join(StageChange, StageChange.project_id == Project.id)
        .where(
            Project.stage.in_(WORKS_STARTED),
            StageChange.to_stage.in_((Stage.EN_EJECUCION.value, Stage.TERMINADO.value)),
        )
        .order_by(Project.id, StageChange.changed_at)
    ).all()
    spans: dict[int, dict[str, datetime]] = defaultdict(dict)
    stages: dict[int, str] = {}
    notes: dict[int, tuple[str, str]] = {}
    for project_id, stage, to_stage, changed_at, category in started:
        spans[project_id][to_stage] = changed_at
        stages[project_id] = stage
        notes[project_id] = PROGRESS_NOTES[closing_act(category) or "works"]
    rows = []
    for project_id, span in spans.items():
        begin = span.get(Stage.EN_EJECUCION.value)
        if begin is None:
            continue
        finished = span.get(Stage.TERMINADO.value)
        end = finished.date() if finished else today
        # One report at the end of every quarter while the works ran, and one on hand-over.
        days = max((end - begin.date()).days, 1)
        steps = max(1, days // 91)
        target = 1000 if finished else rng.randint(150, 900)
        percent = 0
        for step in range(1, steps + 1):
            on = begin.date() + timedelta(days=91 * step)
            if on > end:
                break
            percent = min(target, max(percent + 50, target * step // (steps + 1)))
            rows.append(
                {
                    "project_id": project_id,
                    "reported_on": on,
                    "percent_tenths": percent,
                    "note": notes[project_id][0],
                    "created_by": "demo",
                    "created_at": datetime(on.year, on.month, on.day, 17, 0),
                }
            )
        if finished:
            rows.append(
                {
                    "project_id": project_id,
                    "reported_on": end,
                    "percent_tenths": 1000,
                    "note": notes[project_id][1],
                    "created_by": "demo",
                    # The 100 % report is what lets the project move to "terminado": on file first.
                    "created_at": finished - timedelta(hours=1),
                }
            )
    if rows:
        session.execute(insert(ProgressReport), rows)
    return len(rows)
