"""Contraloría social committees through the services: recorded, corrected with history, guarded, asked for."""

from __future__ import annotations

from datetime import date

import pytest

from tests.services.test_ledger import new_club, signed_project
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError
from tresxuno.domain.social_committee import CommitteeInput, CommitteeMember, CommitteeRecordInput
from tresxuno.services.audit import check_integrity, history
from tresxuno.services.overview import COMMITTEE_MISSING, year_overview
from tresxuno.services.social_committees import add_committee_record, committee_of, save_committee

TODAY = date(2019, 10, 1)
ELECTED = CommitteeInput(
    date(2019, 7, 15),
    (
        CommitteeMember("Guadalupe Ávila Muñoz", "presidente", "M"),
        CommitteeMember("José Robles Flores", "secretario", "H"),
        CommitteeMember("Rosa Delgado", "vocal", "M"),
    ),
)


@pytest.fixture
def signed(db, tmp_path):
    return signed_project(db, tmp_path, club_id=new_club(db).id)


def missing(db, year: int = 2019) -> list[str]:
    data = year_overview(db, year, today=TODAY)
    return [i.subject for i in data.attention if i.kind == COMMITTEE_MISSING]


def test_the_dashboard_asks_for_the_committee_until_it_is_recorded(db, signed):
    assert missing(db) == [signed.folio]
    saved = save_committee(db, signed.id, ELECTED, today=TODAY)
    assert [m.name for m in saved.members] == [m.name for m in ELECTED.members]
    assert missing(db) == []
    assert committee_of(db, signed.id) == saved


def test_a_correction_keeps_the_earlier_members_in_the_history(db, signed):
    first = save_committee(db, signed.id, ELECTED, today=TODAY)
    fixed = CommitteeInput(
        ELECTED.constituted_on,
        (
            CommitteeMember("Guadalupe Ávila Muñoz", "presidente", "M"),
            CommitteeMember("José Robles Flores", "vocal", "H"),
        ),
    )
    second = save_committee(db, signed.id, fixed, version=first.version, today=TODAY)
    assert second.version > first.version and [m.position for m in second.members] == ["presidente", "vocal"]
    changes = history(db, "projects", signed.id)
    deleted = [c for c in changes if c.table == "social_committee_members" and c.action == "delete"]
    removed = {f.before for c in deleted for f in c.changes if f.column == "name"}
    assert "Rosa Delgado" in removed
    # Someone who read the first version cannot overwrite the correction.
    with pytest.raises(InputError) as exc:
        save_committee(db, signed.id, ELECTED, version=first.version, today=TODAY)
    assert exc.value.problems[0].code == "committee.changed_elsewhere"
    assert [m.position for m in committee_of(db, signed.id).members] == ["presidente", "vocal"]
    assert check_integrity(db).ok


def test_minutes_and_reports_are_filed_after_the_committee(db, signed):
    with pytest.raises(InputError) as exc:
        add_committee_record(
            db, signed.id, CommitteeRecordInput("acta", date(2019, 7, 15), "Asamblea"), today=TODAY
        )
    assert exc.value.problems[0].code == "committee.missing"
    save_committee(db, signed.id, ELECTED, today=TODAY)
    add_committee_record(
        db,
        signed.id,
        CommitteeRecordInput("informe", date(2019, 9, 1), "Visita", "Falta el letrero"),
        today=TODAY,
    )
    (record,) = committee_of(db, signed.id).records
    assert (record.kind, record.findings) == ("informe", "Falta el letrero")


def test_only_a_capturista_records_it_and_a_refusal_writes_nothing(db, signed):
    create_demo_users(db)
    with acting_as(Actor("revisor", "revisor")), pytest.raises(InputError) as exc:
        save_committee(db, signed.id, ELECTED, today=TODAY)
    assert exc.value.problems[0].code == "auth.role_required"
    assert committee_of(db, signed.id) is None
    with acting_as(Actor("captura", "capturista")):
        assert save_committee(db, signed.id, ELECTED, today=TODAY).members
