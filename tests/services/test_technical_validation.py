"""Scoring a project's technical file: the revisor's, all or nothing, never changing an earlier scoring."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from tests.services.test_ledger import new_club, signed_project
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError
from tresxuno.domain.technical_validation import Score
from tresxuno.services.technical_validation import (
    ValidationInput,
    criteria_for_year,
    latest_validation,
    record_validation,
    validations_of,
)

TODAY = date(2019, 6, 1)


@pytest.fixture
def project(db, tmp_path):
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def full(points_off: int = 0, **notes: str) -> tuple[Score, ...]:
    criteria = criteria_for_year(2019).criteria
    return tuple(Score(c.id, max(0, c.points - points_off), notes.get(c.id, "")) for c in criteria)


def entry(scores, day=date(2019, 2, 1), name="Ing. Rosa Castañeda") -> ValidationInput:
    return ValidationInput(day, name, "Revisora técnica", "Expediente revisado.", scores)


def rows(db) -> tuple[int, int]:
    with db.engine.connect() as conn:
        return (
            conn.execute(text("SELECT count(*) FROM technical_validations")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM validation_scores")).scalar_one(),
        )


def test_a_scoring_is_stored_whole_and_the_latest_is_the_one_in_force(db, project):
    first = record_validation(db, project.id, entry(full(5, expediente="faltan planos")), today=TODAY)
    criteria = criteria_for_year(2019)
    assert first.verdict.points == criteria.total - 5 * len(criteria.criteria)
    assert [s.criterion for s in first.scores] == [c.id for c in criteria.criteria]
    second = record_validation(db, project.id, entry(full(), day=date(2019, 3, 1)), today=TODAY)
    history = validations_of(db, project.id)
    assert [v.id for v in history] == [first.id, second.id]
    assert history[0].verdict.points == first.verdict.points  # the earlier scoring is unchanged
    assert history[0].scores[0].note == "faltan planos"
    assert latest_validation(db, project.id).verdict.points == criteria.total
    assert rows(db) == (2, 2 * len(criteria.criteria))


def test_bad_input_stores_nothing_and_names_each_field(db, project):
    scores = (*full()[:-1], Score("sostenibilidad", 99))
    with pytest.raises(InputError) as exc:
        record_validation(db, project.id, entry(scores, day=date(2019, 7, 1), name=" "), today=TODAY)
    fields = {p.field for p in exc.value.problems}
    assert {"scores.sostenibilidad", "validated_on", "validator_name"} <= fields
    assert rows(db) == (0, 0)
    with pytest.raises(InputError) as exc:
        record_validation(db, project.id, entry(full(), day=date(2001, 1, 1)), today=TODAY)
    assert exc.value.problems[0].code == "validation.date_before_year"


def test_only_the_revisor_scores(db, project):
    create_demo_users(db)
    for role in ("captura", "tesoreria", "auditor"):
        with acting_as(Actor(role, role)), pytest.raises(InputError) as exc:
            record_validation(db, project.id, entry(full()), today=TODAY)
        assert exc.value.problems[0].code == "auth.role_required"
    with acting_as(Actor("revisor", "revisor")):
        info = record_validation(db, project.id, entry(full()), today=TODAY)
    assert info.created_by == "revisor" and rows(db)[0] == 1
