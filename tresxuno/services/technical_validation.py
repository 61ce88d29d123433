"""Scoring a project's technical file (the cédula de validación técnica), and reading the scorings back.

A revisor scores each criterion of the set in force for the project's fiscal year; each scoring is
one transaction that adds a validation and its scores (none is ever changed: a project scored
again gets a new scoring, and the cédula prints the latest).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import select

from tresxuno import paths
from tresxuno.db.engine import Database
from tresxuno.db.models import Project, TechnicalValidation, TechnicalValidationScore
from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.technical_validation import (
    CriteriaSet,
    Criterion,
    Score,
    Verdict,
    check_scores,
    parse_criteria,
    set_for_year,
    verdict,
)
from tresxuno.domain.validation import clean_text
from tresxuno.formatting import local_date
from tresxuno.services.auth import require

#: Who scores: the revisor, who also prevalidates (the same review of the technical file).
PERMISSION = "projects.prevalidate"


@lru_cache(maxsize=4)
def _sets_at(path: str, mtime: float) -> tuple[CriteriaSet, ...]:
    with open(path, "rb") as fh:
        return parse_criteria(tomllib.load(fh))


def criteria_sets() -> tuple[CriteriaSet, ...]:
    """The criteria sets of ``seeds/validation.toml`` (read again when the file changes)."""
    path = paths.seeds_dir() / "validation.toml"
    return _sets_at(str(path), path.stat().st_mtime)


def criteria_for_year(year: int) -> CriteriaSet:
    """The criteria in force in fiscal ``year``.

    Raises:
        InputError: ``validation.no_criteria`` when no set covers that year.
    """
    found = set_for_year(criteria_sets(), year)
    if found is None:
        raise InputError(Problem("fiscal_year", "validation.no_criteria", {"year": year}))
    return found


def criteria_by_id(set_id: str) -> CriteriaSet | None:
    """A criteria set by its id (a stored scoring names the set it used)."""
    return next((s for s in criteria_sets() if s.id == set_id), None)


@dataclass(frozen=True)
class ValidationInput:
    """A scoring as the revisor types it: the day, who validated (name and post), notes, each score."""

    validated_on: date
    validator_name: str
    validator_post: str
    observations: str
    scores: tuple[Score, ...]


@dataclass(frozen=True)
class ValidationInfo:
    """A stored scoring: its criteria set, scores in the set's order, and what they add up to."""

    id: int
    project_id: int
    validated_on: date
    validator_name: str
    validator_post: str
    observations: str
    criteria: CriteriaSet
    scores: tuple[Score, ...]
    verdict: Verdict
    created_by: str


def record_validation(
    db: Database, project_id: int, data: ValidationInput, *, today: date | None = None
) -> ValidationInfo:
    """Store one scoring of the project's technical file, all of it or nothing.

    Raises:
        InputError: ``auth.role_required``; ``project.unknown``; ``validation.no_criteria``;
            ``validation.*`` per criterion (unknown, repeated, missing, points out of range);
            ``date.future``, ``validation.date_before_year``; text problems of the names and notes.
    """
    actor = require(db, PERMISSION)
    with db.transaction(immediate=True) as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        criteria = criteria_for_year(project.fiscal_year)
        problems = check_scores(criteria, data.scores)
        name = clean_text(data.validator_name, "validator_name", problems, max_len=limits.NAME)
        post = clean_text(
            data.validator_post, "validator_post", problems, required=False, max_len=limits.NAME
        )
        notes = clean_text(
            data.observations,
            "observations",
            problems,
            required=False,
            max_len=limits.LONG_TEXT,
            multiline=True,
        )
        now = today or local_date(datetime.now().astimezone())
        if data.validated_on > now:
            problems.append(Problem("validated_on", "date.future", {"date": data.validated_on.isoformat()}))
        elif data.validated_on.year < project.fiscal_year - 1:
            problems.append(
                Problem(
                    "validated_on",
                    "validation.date_before_year",
                    {"date": data.validated_on.isoformat(), "year": project.fiscal_year},
                )
            )
        if problems:
            raise InputError(problems)
        row = TechnicalValidation(
            project_id=project_id,
            validated_on=data.validated_on,
            validator_name=name,
            validator_post=post,
            criteria_set=criteria.id,
            observations=notes,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        for s in data.scores:
            session.add(
                TechnicalValidationScore(
                    validation_id=row.id, criterion=s.criterion, points=s.points, note=s.note.strip()
                )
            )
        session.flush()
        return _info(row, [Score(s.criterion, s.points, s.note.strip()) for s in data.scores], criteria)


def _info(row: TechnicalValidation, scores: list[Score], criteria: CriteriaSet) -> ValidationInfo:
    order = {c.id: i for i, c in enumerate(criteria.criteria)}
    ordered = tuple(sorted(scores, key=lambda s: order.get(s.criterion, len(order))))
    return ValidationInfo(
        id=row.id,
        project_id=row.project_id,
        validated_on=row.validated_on,
        validator_name=row.validator_name,
        validator_post=row.validator_post,
        observations=row.observations,
        criteria=criteria,
        scores=ordered,
        verdict=verdict(criteria, ordered),
        created_by=row.created_by,
    )


def validations_of(db: Database, project_id: int) -> list[ValidationInfo]:
    """Every scoring of the project, oldest first (the last one is the one in force)."""
    with db.transaction() as session:
        rows = session.scalars(
            select(TechnicalValidation)
            .where(TechnicalValidation.project_id == project_id)
            .order_by(TechnicalValidation.validated_on, TechnicalValidation.id)
        ).all()
        by_validation: dict[int, list[Score]] = {row.id: [] for row in rows}
        for s in session.scalars(  # every scoring's points in one query, in the order they were given
            select(TechnicalValidationScore)
            .where(TechnicalValidationScore.validation_id.in_(list(by_validation)))
            .order_by(TechnicalValidationScore.validation_id, TechnicalValidationScore.id)
        ):
            by_validation[s.validation_id].append(Score(s.criterion, s.points, s.note))
        found: list[ValidationInfo] = []
        for row in rows:
            scores = by_validation[row.id]
            criteria = criteria_by_id(row.criteria_set)
            if criteria is None:  # a set removed from the file: print what was scored, as scored
                criteria = _set_from_scores(row.criteria_set, scores)
            found.append(_info(row, scores, criteria))
        return found


def latest_validation(db: Database, project_id: int) -> ValidationInfo | None:
    """The scoring in force (the latest), None when the project was never scored."""
    found = validations_of(db, project_id)
    return found[-1] if found else None


def _set_from_scores(set_id: str, scores: list[Score]) -> CriteriaSet:
    """A stand-in for a criteria set no longer in the file: its ids as labels, the points as the maxima."""
    criteria = tuple(Criterion(s.criterion, max(s.points, 1), s.criterion, s.criterion) for s in scores)
    total = sum(c.points for c in criteria) or 1
    return CriteriaSet(set_id, 0, None, total, criteria)
