"""Demo cédulas de validación técnica: every project that was prevalidated was scored first.

The score is dated the day the project moved to ``prevalidado`` and given by the demo's revisor; a
project the COVAM later rejected scored lower, one that reached execution scored well (the data
tells a plausible story: technical validity is what lets a project reach the committee).
"""

from __future__ import annotations

import random

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import Project, StageChange, TechnicalValidation, TechnicalValidationScore
from tresxuno.domain.stages import Stage
from tresxuno.domain.technical_validation import set_for_year
from tresxuno.formatting import local_date
from tresxuno.services.technical_validation import criteria_sets

#: Who scores in the demo (the revisor's name and post, as the cédula prints them).
VALIDATOR = ("Ing. Rosa Elena Castañeda Ruiz", "Revisora técnica, Oficina de Atención al Migrante")


def add_demo_validations(session: Session, rng: random.Random) -> int:
    """Score each prevalidated project on the day it was prevalidated; how many scorings."""
    sets = criteria_sets()
    moves = session.execute(
        select(StageChange.project_id, StageChange.changed_at, Project.fiscal_year, Project.stage)
        .join(Project, Project.id == StageChange.project_id)
        .where(StageChange.to_stage == Stage.PREVALIDADO.value)
        .order_by(StageChange.project_id, StageChange.changed_at)
    ).all()
    seen: set[int] = set()
    validations: list[dict[str, object]] = []
    scores: list[dict[str, object]] = []
    # Ids given here (after any row already stored), so each score names its scoring in one bulk insert.
    next_id = (session.scalar(select(func.max(TechnicalValidation.id))) or 0) + 1
    for project_id, changed_at, year, stage in moves:
        if project_id in seen:
            continue
        seen.add(project_id)
        criteria = set_for_year(sets, year)
        if criteria is None:
            continue
        weak = stage == Stage.RECHAZADO.value
        validations.append(
            {
                "id": next_id,
                "project_id": project_id,
                "validated_on": local_date(changed_at),
                "validator_name": VALIDATOR[0],
                "validator_post": VALIDATOR[1],
                "criteria_set": criteria.id,
                "observations": "",
                "created_at": changed_at,
                "created_by": "revisor",
            }
        )
        for c in criteria.criteria:
            low = 0.3 if weak else 0.7
            points = min(c.points, max(1 if c.required else 0, round(c.points * rng.uniform(low, 1.0))))
            scores.append({"validation_id": next_id, "criterion": c.id, "points": points, "note": ""})
        next_id += 1
    if validations:
        session.execute(insert(TechnicalValidation), validations)
        session.execute(insert(TechnicalValidationScore), scores)
    count = len(validations)
    return count
