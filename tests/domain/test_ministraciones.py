"""The deposit calendar's rules: the default split, the checks of an edited one, each tranche's status."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tresxuno.domain.ministraciones import (
    AVANCE,
    FECHA,
    FIRMA,
    Tranche,
    check_calendar,
    default_calendar,
    split,
    tranche_status,
)

SHARES = {"club": 100_001, "federal": 200_000, "state": 1, "municipal": 0}


def test_default_calendar_is_half_on_signing_and_half_at_fifty_percent_summing_exactly():
    tranches = default_calendar(SHARES)
    assert [(t.party, t.number, t.amount, t.trigger, t.progress_percent) for t in tranches] == [
        ("club", 1, 50_001, FIRMA, None),  # the odd centavo goes with the first tranche
        ("club", 2, 50_000, AVANCE, 50),
        ("federal", 1, 100_000, FIRMA, None),
        ("federal", 2, 100_000, AVANCE, 50),
        ("state", 1, 1, FIRMA, None),  # a tranche of 0 is left out
    ]
    assert check_calendar(tranches, SHARES) == []


@given(
    st.dictionaries(
        st.sampled_from(["club", "federal", "state", "municipal", "partner"]), st.integers(0, 10**12)
    )
)
def test_default_calendar_always_adds_up_to_each_share(shares):
    tranches = default_calendar(shares)
    for party, share in shares.items():
        assert sum(t.amount for t in tranches if t.party == party) == share
    assert all(t.amount > 0 for t in tranches)


@given(st.integers(0, 10**12), st.lists(st.integers(1, 100), min_size=1, max_size=6))
def test_split_by_largest_remainder_is_exact_and_fair(amount, weights):
    parts = split(amount, weights)
    assert sum(parts) == amount
    total = sum(weights)
    assert all(abs(p * total - amount * w) < total for p, w in zip(parts, weights, strict=True))


def test_an_edited_calendar_is_checked_tranche_by_tranche_and_party_by_party():
    signed = date(2026, 6, 20)
    tranches = [
        Tranche("club", 1, 100_001, FECHA, date(2026, 6, 1)),  # before the signing
        Tranche("federal", 1, 0, FIRMA),
        Tranche("federal", 2, 150_000, AVANCE, None, 101),
        Tranche("state", 1, 1, FECHA, None),
        Tranche("partner", 1, 5, FIRMA),
        Tranche("club", 2, 3, "lunes"),
        Tranche("club", 3, 3, FECHA, date(1999, 12, 31)),
    ]
    codes = {(p.field, p.code) for p in check_calendar(tranches, SHARES, signed_on=signed)}
    assert codes == {
        ("tranche.club.1", "ministracion.date_before_signing"),
        ("tranche.federal.1", "ministracion.amount_not_positive"),
        ("tranche.federal.2", "ministracion.percent_out_of_range"),
        ("tranche.state.1", "ministracion.date_missing"),
        ("tranche.partner.1", "ministracion.party_without_share"),
        ("tranche.club.2", "ministracion.trigger_unknown"),
        ("tranche.club.3", "ministracion.date_out_of_range"),
        ("calendar.club", "ministracion.sum_differs"),
        ("calendar.federal", "ministracion.sum_differs"),
    }


def test_a_party_with_a_share_and_no_tranche_is_named():
    problems = check_calendar([Tranche("club", 1, 100_001, FIRMA)], {"club": 100_001, "state": 7})
    assert [(p.code, dict(p.params)) for p in problems] == [
        ("ministracion.sum_differs", {"party": "state", "total": 0, "share": 7})
    ]


def test_deposits_cover_tranches_in_order_and_each_falls_due_by_its_trigger():
    tranches = [
        Tranche("club", 1, 1000, FIRMA),
        Tranche("club", 2, 500, FECHA, date(2026, 8, 1)),
        Tranche("club", 3, 500, AVANCE, None, 50),
        Tranche("state", 1, 300, FIRMA),
    ]
    progress = [(date(2026, 9, 30), 300), (date(2026, 12, 31), 500), (date(2027, 3, 31), 800)]
    status = tranche_status(
        tranches,
        {"club": 1200},
        signed=True,
        signed_on=date(2026, 6, 20),
        progress=progress,
        today=date(2027, 1, 10),
    )
    rows = [
        (s.tranche.party, s.tranche.number, s.due, s.due_on, s.received, s.pending, s.overdue_days)
        for s in status
    ]
    assert rows == [
        ("club", 1, True, date(2026, 6, 20), 1000, 0, 0),
        ("club", 2, True, date(2026, 8, 1), 200, 300, 162),
        ("club", 3, True, date(2026, 12, 31), 0, 500, 10),  # the first report at 50 % or more
        ("state", 1, True, date(2026, 6, 20), 0, 300, 204),
    ]
    assert [s.owed for s in status] == [False, True, True, True]


def test_nothing_is_due_before_signing_and_progress_never_reached_is_not_due():
    tranches = [Tranche("club", 1, 10, FIRMA), Tranche("club", 2, 10, AVANCE, None, 100)]
    before = tranche_status(tranches, {}, signed=False, signed_on=None, progress=[], today=date(2026, 1, 1))
    assert [(s.due, s.due_on, s.overdue_days) for s in before] == [(False, None, 0), (False, None, 0)]
    # Signed before the app recorded stage moves: the signing tranche is due since an unknown day.
    old = tranche_status(
        tranches, {}, signed=True, signed_on=None, progress=[(date(2025, 1, 1), 990)], today=date(2026, 1, 1)
    )
    assert [(s.due, s.due_on, s.overdue_days) for s in old] == [(True, None, 0), (False, None, 0)]
    # A date in the future is not due yet; a deposit beyond the share covers no more than the tranches.
    later = tranche_status(
        [Tranche("club", 1, 10, FECHA, date(2026, 2, 1))],
        {"club": 50},
        signed=True,
        signed_on=date(2025, 12, 1),
        progress=[],
        today=date(2026, 1, 1),
    )
    assert [(s.due, s.received, s.pending) for s in later] == [(False, 10, 0)]
