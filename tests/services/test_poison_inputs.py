"""Accepted poison, now refused with a clear message and nothing written (issue 12, items 15 and 16)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.services.test_covam_and_works import ATTENDEES, prevalidated, session  # noqa: F401 (fixtures)
from tests.services.test_registry_and_projects import club_input, project_input, table_digest
from tresxuno.domain import limits
from tresxuno.domain.problems import InputError
from tresxuno.i18n import language, set_language
from tresxuno.messages import describe as _describe
from tresxuno.services.clubs import register_club
from tresxuno.services.covam import (
    AttendeeInput,
    RulingInput,
    SessionInput,
    add_to_agenda,
    create_session,
    record_rulings,
)
from tresxuno.services.project_requests import submit_project
from tresxuno.services.stages import move_project


def describe(problem) -> str:
    """The problem's sentence in English, with the field's label."""
    before = language()
    set_language("en")
    try:
        return _describe(problem)
    finally:
        set_language(before)


def refused(call) -> list:
    with pytest.raises(InputError) as caught:
        call()
    return list(caught.value.problems)


def test_five_megabytes_of_conditions_with_nul_and_bidi_override_are_refused(db, prevalidated, session):  # noqa: F811
    add_to_agenda(db, session.id, prevalidated, user="revisor")
    before = table_digest(db)
    poison = ("Condición \x00 \u202e" * 400_000)[: 5 * 1024 * 1024]
    problems = refused(
        lambda: record_rulings(db, session.id, [RulingInput(prevalidated[0], "aprobado", 80, poison)])
    )
    assert [(p.code, p.params["max"], p.params["length"]) for p in problems] == [
        ("text.too_long", limits.LONG_TEXT, len(poison))
    ]
    assert f"{len(poison)} characters; at most {limits.LONG_TEXT}" in describe(problems[0])
    for bad, char, position in (("Sin \x00 permiso", "U+0000", 5), ("abc\u202edcba", "U+202E", 4)):
        problems = refused(
            lambda bad=bad: record_rulings(
                db, session.id, [RulingInput(prevalidated[0], "aprobado", 80, bad)]
            )
        )
        assert [(p.code, p.params["char"], p.params["position"]) for p in problems] == [
            ("text.control_chars", char, position)
        ]
        assert f"({char}) at position {position}" in describe(problems[0])
        assert describe(problems[0]).startswith("Conditions: ")
    assert table_digest(db) == before


def test_a_project_listed_twice_in_one_ruling_call_is_refused(db, prevalidated, session):  # noqa: F811
    add_to_agenda(db, session.id, prevalidated, user="revisor")
    before = table_digest(db)
    twice = [
        RulingInput(prevalidated[0], "rechazado", 10, "Sin predio"),
        RulingInput(prevalidated[0], "aprobado", 90, ""),
    ]
    problems = refused(lambda: record_rulings(db, session.id, twice))
    assert [p.code for p in problems] == ["ruling.duplicate"]
    assert "listed twice" in describe(problems[0])
    assert table_digest(db) == before


def test_a_stage_comment_longer_than_its_limit_is_refused(db, tmp_path):
    club = register_club(db, club_input())
    project = submit_project(db, project_input(club.id))
    before = table_digest(db)
    long = "x" * (limits.LONG_TEXT + 1)
    problems = refused(lambda: move_project(db, project.id, "prevalidado", comment=long))
    assert [(p.field, p.code, p.params["length"]) for p in problems] == [
        ("comment", "text.too_long", limits.LONG_TEXT + 1)
    ]
    assert table_digest(db) == before


@pytest.mark.parametrize("char", ["\u200b", "\u200e", "\ufeff"])
def test_invisible_characters_in_names_are_refused_with_their_position(db, char):
    before = table_digest(db)
    problems = refused(lambda: register_club(db, club_input(name=f"Club{char} Jerezano")))
    assert [(p.field, p.params["position"], p.params["char"]) for p in problems] == [
        ("name", 5, f"U+{ord(char):04X}")
    ]
    assert "position 5" in describe(problems[0])
    assert table_digest(db) == before


def test_an_attendee_position_with_control_characters_is_refused(db):
    before = table_digest(db)
    bad = SessionInput(
        "2/2016", date(2016, 6, 1), "Jerez", attendees=(AttendeeInput("federal", "Ana", "Delegada\x1b[31m"),)
    )
    problems = refused(lambda: create_session(db, bad))
    assert [p.code for p in problems] == ["text.control_chars"]
    assert table_digest(db) == before
    assert ATTENDEES  # the shared fixtures' attendees stay valid
