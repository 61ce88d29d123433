"""Demo padrones: scholarship students and the members of family and individual productive projects.

Each person gets a CURP built like RENAPO's (initials, birth date, sex, Zacatecas, consonants) with its
check digit, so the demo's padrón passes the same checks an officer's does.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tresxuno.db.models import Project, ProjectBeneficiary
from tresxuno.domain.curp import birth_date, with_check_digit
from tresxuno.domain.stages import Stage
from tresxuno.services.beneficiaries import level_amounts

#: Categories whose beneficiaries are persons, and how many each project has.
PERSON_CATEGORIES: dict[str, tuple[int, int]] = {
    "scholarships": (8, 25),
    "productive-family": (3, 7),
    "productive-individual": (1, 1),
}
_APPROVED = (
    Stage.APROBADO.value,
    Stage.CONVENIO_FIRMADO.value,
    Stage.EN_EJECUCION.value,
    Stage.TERMINADO.value,
    Stage.CERRADO.value,
)
_GIVEN = {
    "M": ("MARIA", "GUADALUPE", "ROSA", "JUANA", "LETICIA", "ALEJANDRA", "DIANA", "KARLA"),
    "H": ("JOSE", "JUAN", "FRANCISCO", "ANTONIO", "MIGUEL", "LUIS", "CARLOS", "JORGE"),
}
_SURNAMES = ("GARCIA", "HERNANDEZ", "MARTINEZ", "LOPEZ", "RAMIREZ", "FLORES", "AVILA", "SANDOVAL", "MUNOZ")
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"


def _inner_consonant(word: str) -> str:
    return next((ch for ch in word[1:] if ch in _CONSONANTS), "X")


def _person(rng: random.Random, born: date) -> tuple[str, str, str, str]:
    sex = rng.choice("MH")
    given = rng.choice(_GIVEN[sex])
    first, second = rng.choice(_SURNAMES), rng.choice(_SURNAMES)
    vowel = next((ch for ch in first[1:] if ch in "AEIOU"), "X")
    head = f"{first[0]}{vowel}{second[0]}{given[0]}{born:%y%m%d}{sex}ZS"
    tail = f"{_inner_consonant(first)}{_inner_consonant(second)}{_inner_consonant(given)}"
    differentiator = str(rng.randint(0, 9)) if born.year < 2000 else rng.choice("ABCDEFGH")
    curp = with_check_digit(head + tail + differentiator)
    assert birth_date(curp) == born
    return given.title(), first.title(), second.title(), curp


#: Ages of a student at each school level, for their birth dates.
_LEVEL_AGES: dict[str, tuple[int, int]] = {
    "primary": (6, 12),
    "secondary": (12, 15),
    "upper-secondary": (15, 18),
    "higher": (18, 23),
}


def student_levels(cost: int, count: int, amounts: dict[str, int]) -> list[str]:
    """``count`` school levels whose amounts add up to ``cost`` when the demo's batch allows it.

    The demo priced its batches as primary and secondary students plus some of upper secondary;
    this finds such a batch again (the most upper-secondary students first), so the padrón adds up
    to the project's cost. Without one, every student is of the cheapest level.
    """
    if not amounts:
        return []
    ordered = sorted(amounts, key=lambda lvl: amounts[lvl])
    cheapest = ordered[0]
    if len(ordered) >= 2:
        low, mid = ordered[0], ordered[1]
        extra = [lvl for lvl in ordered[2:3]]
        for n_top in range(count, -1, -1) if extra else [0]:
            rest = cost - n_top * (amounts[extra[0]] if extra else 0)
            left = count - n_top
            step = amounts[mid] - amounts[low]
            n_mid, remainder = divmod(rest - left * amounts[low], step) if step else (0, 1)
            if remainder == 0 and 0 <= n_mid <= left:
                return [low] * (left - n_mid) + [mid] * n_mid + (extra * n_top)
    return [cheapest] * count


def _scholarship_batch(session: Session, project_id: int) -> list[str]:
    """The school level of each student of a demo scholarship project (see :func:`student_levels`)."""
    project = session.get(Project, project_id)
    assert project is not None
    return student_levels(project.cost, max(project.beneficiaries, 1), level_amounts(project))


def add_demo_beneficiaries(session: Session, rng: random.Random) -> int:
    """Write the padrón of each approved scholarship or productive project; how many persons.

    A scholarship project lists every student it pays, each with their level, so the padrón adds up
    to the project's cost.
    """
    rows = []
    projects = session.execute(
        select(Project.id, Project.category, Project.fiscal_year, Project.locality, Project.created_at).where(
            Project.category.in_(sorted(PERSON_CATEGORIES)), Project.stage.in_(_APPROVED)
        )
    ).all()
    for pid, category, year, locality, created in projects:
        low, high = PERSON_CATEGORIES[category]
        seen: set[str] = set()
        levels = _scholarship_batch(session, pid) if category == "scholarships" else []
        for n in range(len(levels) or rng.randint(low, high)):
            level = levels[n] if levels else ""
            if level:
                young, old = _LEVEL_AGES.get(level, (8, 22))
                born = date(year - rng.randint(young, old), rng.randint(1, 12), rng.randint(1, 28))
            else:
                born = date(year - rng.randint(18, 70), rng.randint(1, 12), rng.randint(1, 28))
            given, first, second, curp = _person(rng, born)
            while curp in seen:  # every student of the batch is listed: draw another name
                given, first, second, curp = _person(rng, born)
            seen.add(curp)
            rows.append(
                {
                    "project_id": pid,
                    "given_names": given,
                    "first_surname": first,
                    "second_surname": second,
                    "curp": curp,
                    "sex": curp[10],
                    "birth_date": born,
                    "locality": locality,
                    "created_at": (created or datetime(year, 3, 1)) + timedelta(days=1),
                    "created_by": "demo",
                    "school_level": level,
                }
            )
    if rows:
        session.execute(insert(ProjectBeneficiary), rows)
    return len(rows)
