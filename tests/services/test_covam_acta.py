"""The COVAM acta's rules: quorum from attendance, votes per project, edits until final, versions; officials by date."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.services.test_covam_and_works import prevalidated  # noqa: F401 - fixture
from tresxuno.domain.problems import InputError
from tresxuno.domain.quorum import quorum
from tresxuno.services.covam import (
    AttendeeInput,
    RulingInput,
    SessionInput,
    VoteInput,
    add_to_agenda,
    attendees_from_officials,
    create_session,
    finalize_session,
    get_session,
    list_versions,
    open_new_version,
    record_rulings,
    record_votes,
    ruling_effective_on,
    session_version,
    update_session,
)
from tresxuno.services.officials import (
    OfficialInput,
    add_official,
    institution_on,
    list_officials,
    officials_on,
    update_official,
)

CHAIR = AttendeeInput("federal", "Lic. Ana Lucía Bermúdez", "Delegada", role="presidente")
SECRETARY = AttendeeInput("state", "Ing. Ramón Ibáñez", "Secretaría del Migrante", role="secretario_tecnico")
MAYOR = AttendeeInput("municipal", "C. Rosa María Núñez", "Presidenta municipal")
CLUB = AttendeeInput("club", "Sr. José Ángel Ortiz", "Federación Zacatecana")
GUEST = AttendeeInput("partner", "Ms. Laura Gómez", "Fundación", role="invitado", has_vote=False)


def codes(caught: pytest.ExceptionInfo[InputError]) -> set[str]:
    return {p.code for p in caught.value.problems}


def session_input(**changes) -> SessionInput:
    values = {
        "number": "1/2017",
        "held_on": date(2017, 5, 12),
        "place": "Sala de juntas, Zacatecas",
        "called_on": date(2017, 4, 12),
        "attendees": (CHAIR, SECRETARY, MAYOR, CLUB, GUEST),
        "criteria": "Agua potable primero\nMás beneficiarios por peso",
    }
    values.update(changes)
    return SessionInput(**values)


# --- quorum ---------------------------------------------------------------------------------------


def test_the_quorum_rule_is_more_than_half_with_the_president():
    assert quorum(3, 5, True).reached and quorum(3, 5, True).needed == 3
    assert not quorum(2, 4, True).reached  # half is not more than half
    assert not quorum(5, 5, False).reached  # everyone but no president
    assert quorum(2, None, True).reached  # members unknown: those present with vote


def test_without_quorum_no_ruling_is_recorded(db, prevalidated):  # noqa: F811
    # Five members with vote in the committee, two attended (the president among them): no quorum.
    info = create_session(db, session_input(attendees=(CHAIR, CLUB, GUEST), voting_members=5))
    assert not info.quorum.reached and (info.quorum.present, info.quorum.members) == (2, 5)
    add_to_agenda(db, info.id, prevalidated[:1])
    with pytest.raises(InputError) as caught:
        record_rulings(db, info.id, [RulingInput(prevalidated[0], "aprobado", 80)])
    assert codes(caught) == {"session.no_quorum"}
    assert get_session(db, info.id).agenda[0].ruling is None
    # Without the president there is no quorum either, however many attend.
    no_chair = create_session(db, session_input(number="2/2017", attendees=(SECRETARY, MAYOR, CLUB)))
    assert not no_chair.quorum.reached and not no_chair.quorum.president_present


# --- votes and the ruling's date -----------------------------------------------------------------


def test_votes_are_recorded_per_project_and_must_add_up(db, prevalidated):  # noqa: F811
    info = create_session(db, session_input())
    assert info.voters == 4  # the guest does not vote
    add_to_agenda(db, info.id, prevalidated)
    with pytest.raises(InputError) as caught:
        record_rulings(
            db,
            info.id,
            [
                RulingInput(prevalidated[0], "aprobado", 80, votes_for=3, votes_against=1, abstentions=1),
                RulingInput(prevalidated[1], "aprobado", 70, votes_for=2, votes_against=2, abstentions=0),
                RulingInput(prevalidated[2], "devuelto", None, "Falta el presupuesto", votes_for=4),
            ],
        )
    assert codes(caught) == {"votes.too_many", "votes.not_a_majority", "votes.incomplete"}
    typed_at = datetime(2017, 6, 30, 18, 0)
    ruled = record_rulings(
        db,
        info.id,
        [
            RulingInput(prevalidated[0], "aprobado", 80, votes_for=3, votes_against=0, abstentions=1),
            RulingInput(
                prevalidated[1], "rechazado", 10, "Sin predio", votes_for=1, votes_against=3, abstentions=0
            ),
        ],
        at=typed_at,
    )
    lines = {line.project_id: line for line in ruled.agenda}
    assert (lines[prevalidated[0]].votes_for, lines[prevalidated[0]].abstentions) == (3, 1)
    assert (lines[prevalidated[1]].votes_against, lines[prevalidated[1]].ruling) == (3, "rechazado")
    # The ruling took effect on the session's date, not the day it was typed.
    assert lines[prevalidated[0]].effective_on == date(2017, 5, 12)
    assert ruling_effective_on(db, prevalidated[0]) == date(2017, 5, 12)
    # Votes can be corrected afterwards (while the acta is not final), within the same rules.
    record_votes(db, info.id, [VoteInput(prevalidated[0], 4, 0, 0)])
    assert get_session(db, info.id).agenda[0].votes_for == 4
    with pytest.raises(InputError) as caught:
        record_votes(db, info.id, [VoteInput(prevalidated[0], 1, 2, 0)])
    assert codes(caught) == {"votes.not_a_majority"}


def test_roles_are_checked(db):
    bad = session_input(
        attendees=(
            CHAIR,
            AttendeeInput("state", "Otra persona", role="presidente"),
            AttendeeInput("partner", "Invitada", role="invitado", has_vote=True),
        ),
        called_on=date(2017, 6, 1),
        voting_members=1,
    )
    with pytest.raises(InputError) as caught:
        create_session(db, bad)
    assert codes(caught) == {
        "session.role_taken",
        "session.guest_votes",
        "session.called_after_held",
        "session.voting_members_range",
    }


# --- editable until final, then versions ---------------------------------------------------------


def test_a_session_is_editable_until_final_then_needs_a_new_version(db, prevalidated):  # noqa: F811
    info = create_session(db, session_input(attendees=(CHAIR, MAYOR, CLUB)))
    add_to_agenda(db, info.id, prevalidated[:1])
    record_rulings(
        db,
        info.id,
        [RulingInput(prevalidated[0], "aprobado", 90, votes_for=3, votes_against=0, abstentions=0)],
    )
    # A typo fixed, an attendee added, the date corrected: the ruling follows the session's date.
    fixed_mayor = AttendeeInput("municipal", "C. Rosa María Núñez Castañeda", "Presidenta municipal")
    edited = update_session(
        db,
        info.id,
        session_input(attendees=(CHAIR, fixed_mayor, CLUB, SECRETARY), held_on=date(2017, 5, 13)),
    )
    assert [a.name for a in edited.attendees][1] == "C. Rosa María Núñez Castañeda"
    assert len(edited.attendees) == 4 and edited.agenda[0].effective_on == date(2017, 5, 13)
    # An edit that would take away the quorum the rulings stood on is refused.
    with pytest.raises(InputError) as caught:
        update_session(db, info.id, session_input(attendees=(MAYOR, CLUB), held_on=date(2017, 5, 13)))
    assert codes(caught) == {"session.no_quorum"}

    final = finalize_session(db, info.id, user="revisor", at=datetime(2017, 5, 20, 10, 0))
    assert final.final and final.version == 1 and final.final_by == "revisor"
    with pytest.raises(InputError) as caught:
        update_session(db, info.id, session_input(attendees=(CHAIR, MAYOR, CLUB)))
    assert codes(caught) == {"session.final"}
    for refused in (
        lambda: record_votes(db, info.id, [VoteInput(prevalidated[0], 2, 0, 1)]),
        lambda: add_to_agenda(db, info.id, prevalidated[1:2]),
        lambda: finalize_session(db, info.id),
    ):
        with pytest.raises(InputError) as caught:
            refused()
        assert codes(caught) == {"session.final"}
    assert get_session(db, info.id).attendees[1].name == "C. Rosa María Núñez Castañeda"

    # A new version needs a reason; then the acta is editable again and prints version 2.
    with pytest.raises(InputError) as caught:
        open_new_version(db, info.id, "  ")
    assert codes(caught) == {"text.required"}
    reopened = open_new_version(db, info.id, "El nombre del síndico estaba incompleto", user="revisor")
    assert (reopened.version, reopened.final, reopened.version_reason) == (
        2,
        False,
        "El nombre del síndico estaba incompleto",
    )
    with pytest.raises(InputError) as caught:
        open_new_version(db, info.id, "otra vez")
    assert codes(caught) == {"session.not_final"}
    update_session(db, info.id, session_input(attendees=(CHAIR, MAYOR, CLUB), held_on=date(2017, 5, 13)))
    finalize_session(db, info.id, user="revisor")
    # Version 1 is still there as it was printed: four attendees, the corrected mayor's name.
    first = session_version(db, info.id, 1)
    assert first.version == 1 and len(first.attendees) == 4 and first.final
    assert first.attendees[1].name == "C. Rosa María Núñez Castañeda"
    assert first.agenda[0].votes_for == 3 and first.agenda[0].effective_on == date(2017, 5, 13)
    assert len(session_version(db, info.id, 2).attendees) == 3
    assert [(v.version, v.reason) for v in list_versions(db, info.id)] == [
        (1, ""),
        (2, "El nombre del síndico estaba incompleto"),
    ]
    with pytest.raises(InputError) as caught:
        session_version(db, info.id, 3)
    assert codes(caught) == {"session.unknown_version"}


# --- officials over time -------------------------------------------------------------------------


def test_the_federal_delegation_is_sedesol_before_2019_and_bienestar_after(db):
    assert "SEDESOL" in institution_on(db, "delegado_federal", date(2017, 5, 12), "es")
    assert "Bienestar" not in institution_on(db, "delegado_federal", date(2018, 12, 31), "es")
    assert "Bienestar" in institution_on(db, "delegado_federal", date(2019, 1, 1), "es")
    assert "Bienestar" in institution_on(db, "delegado_federal", date(2020, 3, 2), "en")
    add_official(db, OfficialInput("delegado_federal", "Lic. Héctor Ramírez", date(2016, 1, 1), None))
    assert "SEDESOL" in officials_on(db, date(2017, 5, 12))["delegado_federal"].institution
    assert "Bienestar" in officials_on(db, date(2020, 5, 12))["delegado_federal"].institution


def test_a_new_presidente_municipal_mid_year_is_named_on_each_side_of_the_date(db):
    old = add_official(
        db, OfficialInput("presidente_municipal", "C. Rosa María Castañeda", date(2016, 9, 15), None)
    )
    # The new administration starts on 15 September 2018: the old term ends the day before.
    with pytest.raises(InputError) as caught:
        add_official(db, OfficialInput("presidente_municipal", "Ing. Jesús Peña", date(2018, 9, 15)))
    assert codes(caught) == {"official.overlap"}
    update_official(
        db,
        old.id,
        OfficialInput(
            "presidente_municipal", "C. Rosa María Castañeda", date(2016, 9, 15), date(2018, 9, 14)
        ),
    )
    add_official(db, OfficialInput("presidente_municipal", "Ing. Jesús Peña", date(2018, 9, 15)))
    assert (
        officials_on(db, date(2018, 9, 14))["presidente_municipal"].person_name == "C. Rosa María Castañeda"
    )
    assert officials_on(db, date(2018, 9, 15))["presidente_municipal"].person_name == "Ing. Jesús Peña"
    assert "presidente_municipal" not in officials_on(db, date(2016, 1, 1))
    assert [o.person_name for o in list_officials(db)] == ["Ing. Jesús Peña", "C. Rosa María Castañeda"]
    # A session's attendance filled from the officials names those in office on the session's date.
    before = {a.party: a.name for a in attendees_from_officials(db, date(2018, 5, 1))}
    after = {a.party: a.name for a in attendees_from_officials(db, date(2018, 11, 1))}
    assert (before["municipal"], after["municipal"]) == ("C. Rosa María Castañeda", "Ing. Jesús Peña")
    with pytest.raises(InputError) as caught:
        add_official(db, OfficialInput("tesorero_municipal", "", date(2019, 1, 2), date(2019, 1, 1)))
    assert codes(caught) == {"text.required", "official.ends_before_start"}
