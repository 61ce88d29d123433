"""Which reintegros a fiscal year requires and where each stands (LDF art. 17: refund by 15 January)."""

from __future__ import annotations

from datetime import date, datetime

from tresxuno.domain.year_end import (
    FederalRefund,
    FederalYearEnd,
    ReintegroException,
    ReintegroStatus,
    reintegro_deadline,
    required_reintegros,
)

YEAR = 2019
TODAY = date(2020, 3, 1)


def money(pid: int, received: int, paid: int = 0, refunded: int = 0) -> FederalYearEnd:
    return FederalYearEnd(pid, f"3X1-2019-{pid:04d}", f"Obra {pid}", received, paid, refunded)


def refund(entry_id: int, day: date, amount: int, reference: str = "LC 1") -> FederalRefund:
    return FederalRefund(entry_id, day, amount, reference)


def exception(pid: int) -> ReintegroException:
    return ReintegroException(
        1, YEAR, pid, "Obra en litigio", "Lic. Ana Ruiz", datetime(2020, 1, 10), "admin"
    )


def test_the_deadline_is_15_january_of_the_next_year():
    assert reintegro_deadline(2019) == date(2020, 1, 15)


def test_only_projects_with_federal_money_left_on_31_december_owe_a_reintegro():
    owed = required_reintegros(
        YEAR, [money(1, 100_00, 100_00), money(2, 100_00, 30_00, 20_00), money(3, 0)], {}, {}, today=TODAY
    )
    assert [(r.project_id, r.amount, r.deadline) for r in owed] == [(2, 50_00, date(2020, 1, 15))]


def test_a_refund_by_15_january_is_on_time_and_names_the_refund_that_completed_it():
    owed = required_reintegros(
        YEAR,
        [money(1, 100_00)],
        {1: [refund(8, date(2020, 1, 15), 60_00, "LC 2"), refund(7, date(2020, 1, 3), 40_00, "LC 1")]},
        {},
        today=TODAY,
    )
    (r,) = owed
    assert (r.status, r.refund_date, r.refund_reference, r.refunded) == (
        ReintegroStatus.ON_TIME,
        date(2020, 1, 15),
        "LC 2",
        100_00,
    )
    assert not r.blocks_close and not r.overdue


def test_a_refund_completed_after_15_january_is_late_even_with_an_exception():
    late = required_reintegros(
        YEAR,
        [money(1, 100_00)],
        {1: [refund(7, date(2020, 1, 10), 40_00), refund(9, date(2020, 1, 16), 60_00, "LC 9")]},
        {1: exception(1)},
        today=TODAY,
    )[0]
    assert (late.status, late.refund_date, late.refund_reference) == (
        ReintegroStatus.LATE,
        date(2020, 1, 16),
        "LC 9",
    )
    assert not late.blocks_close and not late.overdue


def test_a_partial_refund_is_missing_unless_excepted_and_overdue_after_the_deadline():
    refunds = {1: [refund(7, date(2020, 1, 10), 40_00)]}
    missing = required_reintegros(YEAR, [money(1, 100_00)], refunds, {}, today=date(2020, 1, 15))[0]
    assert (missing.status, missing.refunded, missing.refund_date) == (ReintegroStatus.MISSING, 40_00, None)
    assert missing.blocks_close and not missing.overdue  # the deadline day itself is still in time
    assert required_reintegros(YEAR, [money(1, 100_00)], refunds, {}, today=date(2020, 1, 16))[0].overdue
    excepted = required_reintegros(YEAR, [money(1, 100_00)], refunds, {1: exception(1)}, today=TODAY)[0]
    assert excepted.status is ReintegroStatus.EXCEPTED and excepted.exception == exception(1)
    assert not excepted.blocks_close and not excepted.overdue
