"""Demo contraloría social committees: every works project past its convenio has one, with its filings.

The committee is constituted a week or two after the convenio was signed (never after the demo's
today), with a president, a secretary and one to three vocales from the community; projects whose
works started also filed the constitution minutes and, once halfway, a report on a visit.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import (
    Project,
    SocialCommittee,
    SocialCommitteeMember,
    SocialCommitteeRecord,
    StageChange,
)
from tresxuno.domain.stages import Stage
from tresxuno.services.social_committees import NO_COMMITTEE_CATEGORIES

_GIVEN_F = (
    "María",
    "Guadalupe",
    "Rosa",
    "Juana",
    "Leticia",
    "Martha",
    "Verónica",
    "Silvia",
    "Teresa",
    "Alicia",
)
_GIVEN_M = ("José", "Juan", "Francisco", "Antonio", "Miguel", "Pedro", "Ramón", "Jesús", "Salvador", "Rafael")
_SURNAMES = (
    "García",
    "Hernández",
    "Martínez",
    "López",
    "Ramírez",
    "Flores",
    "Ávila",
    "Sandoval",
    "Muñoz",
    "Delgado",
    "Robles",
    "Castañeda",
)
_SIGNED_OR_LATER = (
    Stage.CONVENIO_FIRMADO.value,
    Stage.EN_EJECUCION.value,
    Stage.TERMINADO.value,
    Stage.CERRADO.value,
)
_STARTED = (Stage.EN_EJECUCION.value, Stage.TERMINADO.value, Stage.CERRADO.value)


def _person(rng: random.Random) -> tuple[str, str]:
    female = rng.random() < 0.55
    given = rng.choice(_GIVEN_F if female else _GIVEN_M)
    return f"{given} {rng.choice(_SURNAMES)} {rng.choice(_SURNAMES)}", "M" if female else "H"


def add_demo_committees(session: Session, rng: random.Random, today: date) -> int:
    """Write a committee (members, minutes, report) for each works project past its convenio; how many."""
    signed = dict(
        session.execute(
            select(StageChange.project_id, func.max(StageChange.changed_at))
            .join(Project, Project.id == StageChange.project_id)
            .where(
                StageChange.to_stage == Stage.CONVENIO_FIRMADO.value,
                Project.stage.in_(_SIGNED_OR_LATER),
                Project.category.not_in(sorted(NO_COMMITTEE_CATEGORIES)),
            )
            .group_by(StageChange.project_id)
        ).all()
    )
    stages = dict(
        session.execute(select(Project.id, Project.stage).where(Project.id.in_(list(signed)))).all()
    )
    next_id = (session.scalar(select(func.max(SocialCommittee.id))) or 0) + 1
    committees, members, records = [], [], []
    for pid in sorted(signed):
        at: datetime = signed[pid]
        constituted = min(at.date() + timedelta(days=rng.randint(5, 15)), today)
        cid = next_id
        next_id += 1
        committees.append(
            {
                "id": cid,
                "project_id": pid,
                "constituted_on": constituted,
                "created_at": datetime.combine(constituted, datetime.min.time()).replace(hour=18),
                "created_by": "demo",
                "version": 1,
            }
        )
        positions = ["presidente", "secretario"] + ["vocal"] * rng.randint(1, 3)
        for seat, position in enumerate(positions, start=1):
            name, sex = _person(rng)
            members.append(
                {
                    "committee_id": cid,
                    "project_id": pid,
                    "seat": seat,
                    "name": name,
                    "position": position,
                    "sex": sex,
                }
            )
        if stages[pid] in _STARTED:
            records.append(
                {
                    "committee_id": cid,
                    "project_id": pid,
                    "kind": "acta",
                    "held_on": constituted,
                    "summary": "Asamblea de beneficiarios: se constituye el comité y se le entrega el expediente técnico.",
                    "findings": "",
                    "created_at": datetime.combine(constituted, datetime.min.time()).replace(hour=19),
                    "created_by": "demo",
                }
            )
            visit = min(constituted + timedelta(days=rng.randint(40, 120)), today)
            records.append(
                {
                    "committee_id": cid,
                    "project_id": pid,
                    "kind": "informe",
                    "held_on": visit,
                    "summary": "Visita de verificación a la obra con el residente.",
                    "findings": rng.choice(
                        (
                            "Sin observaciones: la obra avanza conforme al calendario.",
                            "Se pidió colocar el letrero del programa con la leyenda de la Ley General de Desarrollo Social.",
                            "La comunidad pide que se informe el avance en la asamblea del mes.",
                        )
                    ),
                    "created_at": datetime.combine(visit, datetime.min.time()).replace(hour=17),
                    "created_by": "demo",
                }
            )
    if committees:
        session.execute(insert(SocialCommittee), committees)
        session.execute(insert(SocialCommitteeMember), members)
    if records:
        session.execute(insert(SocialCommitteeRecord), records)
    return len(committees)
