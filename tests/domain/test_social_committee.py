"""The contraloría social committee's checks: one president, enough members, sensible dates, clean names."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tresxuno.domain.problems import InputError
from tresxuno.domain.social_committee import (
    MAX_MEMBERS,
    CommitteeInput,
    CommitteeMember,
    CommitteeRecordInput,
    check_committee,
    check_record,
)

TODAY = date(2019, 9, 1)
FIRST = date(2018, 1, 1)


def codes(exc: pytest.ExceptionInfo[InputError]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def members(*positions: str) -> tuple[CommitteeMember, ...]:
    return tuple(CommitteeMember(f"  Persona {i}  ", p, "M") for i, p in enumerate(positions))


def test_a_committee_is_cleaned_and_kept_in_order():
    clean = check_committee(
        CommitteeInput(date(2019, 7, 1), members("presidente", "secretario", "vocal")),
        today=TODAY,
        first_day=FIRST,
    )
    assert [m.name for m in clean.members] == ["Persona 0", "Persona 1", "Persona 2"]


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (
            CommitteeInput(date(2019, 9, 2), members("presidente", "vocal")),
            "constituted_on",
            "committee.date_future",
        ),
        (
            CommitteeInput(date(2017, 12, 31), members("presidente", "vocal")),
            "constituted_on",
            "committee.date_too_early",
        ),
        (CommitteeInput(TODAY, members("presidente")), "members", "committee.too_few"),
        (CommitteeInput(TODAY, members("vocal", "vocal")), "members", "committee.one_president"),
        (CommitteeInput(TODAY, members("presidente", "presidente")), "members", "committee.one_president"),
        (
            CommitteeInput(TODAY, members("presidente", "tesorero")),
            "members[1].position",
            "committee.position",
        ),
        (
            CommitteeInput(TODAY, (CommitteeMember("Ana", "presidente"), CommitteeMember(" ", "vocal"))),
            "members[1].name",
            "text.required",
        ),
        (
            CommitteeInput(
                TODAY, (CommitteeMember("Ana", "presidente"), CommitteeMember("Luis", "vocal", "X"))
            ),
            "members[1].sex",
            "committee.sex",
        ),
        (
            CommitteeInput(TODAY, members("presidente", *["vocal"] * MAX_MEMBERS)),
            "members",
            "committee.too_many",
        ),
    ],
)
def test_each_wrong_committee_is_refused_naming_its_field(data, field, code):
    with pytest.raises(InputError) as exc:
        check_committee(data, today=TODAY, first_day=FIRST)
    assert codes(exc).get(field) == code


@given(st.integers(min_value=1, max_value=MAX_MEMBERS - 1), st.integers(min_value=0, max_value=MAX_MEMBERS))
def test_any_committee_with_one_president_and_enough_members_passes(others, president_at):
    positions = ["vocal"] * others
    positions.insert(min(president_at, len(positions)), "presidente")
    clean = check_committee(CommitteeInput(TODAY, members(*positions)), today=TODAY, first_day=FIRST)
    assert [m.position for m in clean.members].count("presidente") == 1


def test_a_report_cannot_predate_the_committee_nor_come_from_the_future():
    base = CommitteeRecordInput("informe", date(2019, 8, 1), "Visita")
    assert check_record(base, today=TODAY, constituted_on=date(2019, 7, 1)).summary == "Visita"
    with pytest.raises(InputError) as exc:
        check_record(base, today=TODAY, constituted_on=date(2019, 8, 2))
    assert codes(exc) == {"held_on": "committee.record_before_committee"}
    with pytest.raises(InputError) as exc:
        check_record(
            CommitteeRecordInput("queja", date(2019, 9, 2), " "), today=TODAY, constituted_on=date(2019, 7, 1)
        )
    assert codes(exc) == {
        "kind": "committee.record_kind",
        "held_on": "committee.record_date_future",
        "summary": "text.required",
    }
