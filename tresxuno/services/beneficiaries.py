"""The padrón de beneficiarios of a project: persons with their CURP, added in one transaction.

Names and CURPs are personal data: listing them needs ``beneficiaries.view_personal`` (the roles
that capture and audit them); the transparency padrón reads :func:`public_rows`, which carries no
CURP and no name of a minor (a public version omits what the law protects).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Project, ProjectBeneficiary
from tresxuno.domain import limits
from tresxuno.domain.curp import ADULT_AGE, age_on, birth_date, curp_problem
from tresxuno.domain.parties import SchoolLevel
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rules import RuleSet
from tresxuno.domain.validation import clean_text
from tresxuno.services.auth import require

__all__ = ["Person", "PublicPerson", "add_beneficiaries", "age_band", "list_beneficiaries", "public_rows"]

#: Age bands the public padrón gives instead of a birth date.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 17, "0 a 17 años"),
    (18, 29, "18 a 29 años"),
    (30, 59, "30 a 59 años"),
    (60, None, "60 años o más"),
)


@dataclass(frozen=True)
class Person:
    """A beneficiary as captured: names, CURP (sex and birth date come from it), locality."""

    given_names: str
    first_surname: str
    second_surname: str
    curp: str
    locality: str = ""
    #: A scholarship student's school level (``primary``...; "" for anyone else).
    school_level: str = ""


@dataclass(frozen=True)
class PublicPerson:
    """What the public padrón may show of a person: names of adults only, sex, age band, locality."""

    project_id: int
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    age_band: str
    locality: str
    minor: bool


def age_band(born: date, day: date) -> str:
    """The padrón's age band of someone born on ``born``, on ``day``."""
    age = age_on(born, day)
    return next(label for low, high, label in AGE_BANDS if age >= low and (high is None or age <= high))


def _check(persons: Sequence[Person]) -> list[tuple[Person, str]]:
    problems: list[Problem] = []
    cleaned: list[tuple[Person, str]] = []
    seen: set[str] = set()
    for i, p in enumerate(persons):
        given = clean_text(p.given_names, f"persons[{i}].given_names", problems, max_len=limits.NAME)
        first = clean_text(p.first_surname, f"persons[{i}].first_surname", problems, max_len=limits.NAME)
        second = clean_text(
            p.second_surname, f"persons[{i}].second_surname", problems, required=False, max_len=limits.NAME
        )
        locality = clean_text(
            p.locality, f"persons[{i}].locality", problems, required=False, max_len=limits.NAME
        )
        curp, problem = curp_problem(p.curp, f"persons[{i}].curp")
        if problem is not None:
            problems.append(problem)
        elif curp in seen:
            problems.append(Problem(f"persons[{i}].curp", "curp.repeated", {"value": curp}))
        seen.add(curp)
        cleaned.append((Person(given, first, second, curp, locality, p.school_level.strip()), curp[10]))
    if problems:
        raise InputError(problems)
    return cleaned


def level_amounts(project: Project) -> dict[str, int]:
    """The scholarship amount per student by school level in the project's frozen rules ({} if none).

    In the order a school career goes (primary first), as lists and pickers show them.
    """
    try:
        frozen = RuleSet.from_data(json.loads(project.rule_set.body))
    except (ValueError, KeyError, TypeError):
        return {}
    order = list(SchoolLevel)
    ranked = sorted(frozen.scholarship_amounts, key=lambda pair: order.index(pair[0]))
    return {level.value: amount for level, amount in ranked}


def padron_level_amounts(db: Database, project_id: int) -> dict[str, int]:
    """The amount per student by level of a scholarship project's rules; {} for any other project."""
    with db.transaction() as session:
        project = session.get(Project, project_id)
        if project is None or project.category != "scholarships":
            return {}
        return level_amounts(project)


def _check_levels(project: Project, persons: Sequence[Person]) -> None:
    """A scholarship project's students each have a level of its rules; nobody else has one."""
    if project.category != "scholarships":
        wrong = [i for i, p in enumerate(persons) if p.school_level]
        if wrong:
            raise InputError(
                [
                    Problem(
                        f"persons[{i}].school_level",
                        "scholarship.level_unknown",
                        {"level": persons[i].school_level, "allowed": "—"},
                    )
                    for i in wrong
                ]
            )
        return
    amounts = level_amounts(project)
    allowed = ", ".join(amounts) or "—"
    problems = [
        Problem(f"persons[{i}].school_level", "scholarship.level_required", {"allowed": allowed})
        if not p.school_level
        else Problem(
            f"persons[{i}].school_level",
            "scholarship.level_unknown",
            {"level": p.school_level, "allowed": allowed},
        )
        for i, p in enumerate(persons)
        if p.school_level not in amounts
    ]
    if problems:
        raise InputError(problems)


def add_beneficiaries(db: Database, project_id: int, persons: Sequence[Person]) -> int:
    """Add persons to the project's padrón, all or none; how many were added.

    Raises:
        InputError: ``auth.role_required``; ``project.unknown``; per person its names' text problems,
            ``curp.*`` (shape, date, state, check digit), ``curp.repeated`` (twice in the list or
            already in the project's padrón). Nothing is written.
    """
    actor = require(db, "projects.edit")
    cleaned = _check(persons)
    with db.transaction(immediate=True) as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        _check_levels(project, [p for p, _sex in cleaned])
        present = set(
            session.scalars(
                select(ProjectBeneficiary.curp).where(ProjectBeneficiary.project_id == project_id)
            )
        )
        repeated = [
            Problem(f"persons[{i}].curp", "curp.repeated", {"value": p.curp})
            for i, (p, _sex) in enumerate(cleaned)
            if p.curp in present
        ]
        if repeated:
            raise InputError(repeated)
        for person, sex in cleaned:
            born = birth_date(person.curp)
            assert born is not None  # curp_problem refused any other
            session.add(
                ProjectBeneficiary(
                    project_id=project_id,
                    given_names=person.given_names,
                    first_surname=person.first_surname,
                    second_surname=person.second_surname,
                    curp=person.curp,
                    sex=sex,
                    birth_date=born,
                    locality=person.locality,
                    school_level=person.school_level,
                    created_by=actor.username,
                )
            )
        session.flush()
    return len(cleaned)


def list_beneficiaries(db: Database, project_id: int) -> list[Person]:
    """The project's padrón with CURPs (personal data: ``beneficiaries.view_personal``).

    Raises:
        InputError: ``auth.role_required``.
    """
    require(db, "beneficiaries.view_personal")
    with db.transaction() as session:
        rows = session.scalars(
            select(ProjectBeneficiary)
            .where(ProjectBeneficiary.project_id == project_id)
            .order_by(ProjectBeneficiary.first_surname, ProjectBeneficiary.given_names, ProjectBeneficiary.id)
        ).all()
        return [
            Person(r.given_names, r.first_surname, r.second_surname, r.curp, r.locality, r.school_level)
            for r in rows
        ]


def public_rows(session: Session, project_ids: Iterable[int], on: date) -> dict[int, list[PublicPerson]]:
    """The public version of the padrón of ``project_ids`` as of ``on``: no CURP, no minor's name."""
    found: dict[int, list[PublicPerson]] = defaultdict(list)
    ids = list(project_ids)
    if not ids:
        return found
    rows = session.execute(
        select(
            ProjectBeneficiary.project_id,
            ProjectBeneficiary.given_names,
            ProjectBeneficiary.first_surname,
            ProjectBeneficiary.second_surname,
            ProjectBeneficiary.sex,
            ProjectBeneficiary.birth_date,
            ProjectBeneficiary.locality,
        )
        .where(ProjectBeneficiary.project_id.in_(ids))
        .order_by(ProjectBeneficiary.project_id, ProjectBeneficiary.id)
    )
    for pid, given, first, second, sex, born, locality in rows:
        minor = age_on(born, on) < ADULT_AGE
        found[pid].append(
            PublicPerson(
                pid,
                "" if minor else given,
                "" if minor else first,
                "" if minor else second,
                sex,
                age_band(born, on),
                locality,
                minor,
            )
        )
    return found
