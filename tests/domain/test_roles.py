"""The permission table: who may do what, with no database and no Qt."""

from __future__ import annotations

import pytest

from tresxuno.domain.roles import (
    ACTION_LABELS,
    PERMISSIONS,
    ROLE_LABELS,
    Role,
    actions_of,
    is_ruling,
    may,
    parse_role,
    stage_action,
)
from tresxuno.domain.stages import TRANSITIONS, Stage


def test_every_action_has_a_label_and_at_least_one_role():
    assert set(ACTION_LABELS) == set(PERMISSIONS)
    assert all(PERMISSIONS[action] for action in PERMISSIONS)
    assert set(ROLE_LABELS) == set(Role)


def test_auditor_changes_nothing_but_reads_and_exports():
    # Reading the padrón's personal data is reading too: auditors check who received support.
    assert actions_of(Role.AUDITOR) == {"records.export", "reports.print", "beneficiaries.view_personal"}


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            Role.ADMINISTRADOR,
            ["users.manage", "rules.edit", "settings.edit"],
            ["ledger.record_payment", "projects.edit", "covam.rule"],
        ),
        (
            Role.CAPTURISTA,
            ["clubs.edit", "projects.edit", "data.import"],
            ["users.manage", "covam.rule", "ledger.record_contribution"],
        ),
        (
            Role.REVISOR,
            ["projects.prevalidate", "covam.rule", "covam.edit"],
            ["projects.edit", "ledger.record_payment", "rates.edit"],
        ),
        (
            Role.TESORERIA,
            [
                "ledger.record_contribution",
                "ledger.record_payment",
                "ledger.record_refund",
                "ledger.reverse_entry",
                "rates.edit",
                "ledger.close_year",
            ],
            ["projects.edit", "covam.rule", "users.manage"],
        ),
    ],
)
def test_each_role_may_do_its_work_and_nothing_of_the_others(role, allowed, refused):
    assert all(may(role, action) for action in allowed)
    assert not any(may(role, action) for action in refused)


def test_the_reviewer_never_changes_amounts():
    money = {a for a in PERMISSIONS if a.startswith(("ledger.", "rates.")) or a == "projects.edit"}
    assert not actions_of(Role.REVISOR) & money


def test_no_role_and_an_unknown_role_may_do_nothing():
    assert not may("", "records.export")
    assert not may(None, "records.export")
    assert not may("director", "records.export")
    with pytest.raises(KeyError):
        may(Role.ADMINISTRADOR, "no.such_action")


def test_role_names_parse_in_any_case_and_with_the_accent():
    assert parse_role(" Tesorería ") is Role.TESORERIA
    assert parse_role("REVISOR") is Role.REVISOR
    assert parse_role("jefe") is None


def test_prevalidation_and_covam_outcomes_are_reviews_other_moves_are_data_entry():
    assert stage_action(Stage.SOLICITADO, Stage.PREVALIDADO) == "projects.prevalidate"
    assert stage_action(Stage.EN_COVAM, Stage.APROBADO) == "covam.rule"
    assert stage_action(Stage.BORRADOR, Stage.SOLICITADO) == "projects.advance"
    assert stage_action(Stage.APROBADO, Stage.CONVENIO_FIRMADO) == "projects.advance"
    # Every allowed move needs some action of the table.
    for current, targets in TRANSITIONS.items():
        for target in targets:
            assert stage_action(current, target) in PERMISSIONS
    assert is_ruling("covam.rule") and is_ruling("projects.prevalidate")
    assert not is_ruling("projects.advance")
