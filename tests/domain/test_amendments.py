"""Convenio modificatorio checks and the shares recomputed under a project's frozen rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tresxuno.domain.allocation import compute_shares, split_joint
from tresxuno.domain.amendments import (
    AmendmentInput,
    ProjectTerms,
    check_amendment,
    recompute_shares,
    share_changes,
)
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError
from tresxuno.domain.records import ShareLine
from tresxuno.domain.rules import load_rulebook
from tresxuno.paths import seeds_dir

BOOK = load_rulebook([seeds_dir() / "rules"])
WORKS = BOOK.find("3x1", 2019, "infrastructure")
TODAY = date(2024, 6, 10)
SIGNED = date(2024, 3, 1)


def _input(**changes) -> AmendmentInput:
    base = {
        "cost": 500_000_000,
        "signed_on": date(2024, 5, 2),
        "reason": "Ampliación de metas: 200 metros más de red",
        "authorised_by": "Ing. Rosa Ávila, Directora de Obras Públicas",
        "document_reference": "CM-01/2024",
    }
    base.update(changes)
    return AmendmentInput(**base)


def _codes(data: AmendmentInput, *, paid: int = 0) -> set[str]:
    with pytest.raises(InputError) as caught:
        check_amendment(data, current_cost=400_000_000, paid=paid, convenio_signed_on=SIGNED, today=TODAY)
    return {p.code for p in caught.value.problems}


def test_a_complete_amendment_is_accepted_with_its_texts_trimmed():
    clean = check_amendment(
        _input(reason="  más metros  ", authorised_by=" Ing. Rosa Ávila "),
        current_cost=400_000_000,
        paid=0,
        convenio_signed_on=SIGNED,
        today=TODAY,
    )
    assert (clean.reason, clean.authorised_by) == ("más metros", "Ing. Rosa Ávila")


@pytest.mark.parametrize(
    ("changes", "paid", "code"),
    [
        ({"cost": 0}, 0, "cost.not_positive"),
        ({"cost": 400_000_000}, 0, "amendment.cost_unchanged"),
        ({"cost": 10**15}, 0, "amount.too_large"),
        ({"cost": 300_000_000}, 300_000_001, "amendment.below_paid"),
        ({"signed_on": date(2024, 6, 11)}, 0, "date.future"),
        ({"signed_on": date(2024, 2, 29)}, 0, "amendment.before_convenio"),
        ({"reason": "   "}, 0, "text.required"),
        ({"authorised_by": ""}, 0, "text.required"),
        ({"authorised_by": "x" * 201}, 0, "text.too_long"),
        ({"document_reference": "x" * 121}, 0, "text.too_long"),
    ],
)
def test_each_wrong_field_is_refused_with_its_own_problem(changes, paid, code):
    assert code in _codes(_input(**changes), paid=paid)


def test_a_cost_equal_to_what_was_paid_is_accepted():
    check_amendment(
        _input(cost=300_000_000),
        current_cost=400_000_000,
        paid=300_000_000,
        convenio_signed_on=SIGNED,
        today=TODAY,
    )


def test_shares_are_the_ones_a_new_request_of_that_cost_would_get():
    terms = ProjectTerms(fiscal_year=2019)
    amended = recompute_shares(WORKS, terms, 500_000_001)
    assert amended == compute_shares(WORKS, 2019, 500_000_001)
    assert sum(s.amount for s in amended.shares) == 500_000_001


def test_the_agreed_state_and_municipal_split_is_kept():
    terms = ProjectTerms(fiscal_year=2019, joint_split_bp=3000)
    amounts = recompute_shares(WORKS, terms, 200_000_000).amounts
    assert amounts[Party.STATE] == 60_000_000 and amounts[Party.MUNICIPAL] == 40_000_000
    assert amounts == compute_shares(WORKS, 2019, 200_000_000, joint_split=split_joint(WORKS, 3000)).amounts


def test_a_special_mix_is_kept_with_its_percentages():
    mix = {Party.CLUB: 4000, Party.FEDERAL: 2000, Party.STATE: 2000, Party.MUNICIPAL: 2000}
    terms = ProjectTerms(fiscal_year=2019, override_bp=mix, override_reason="Acuerdo COVAM 3/2019")
    amounts = recompute_shares(WORKS, terms, 100_000_000).amounts
    assert amounts[Party.CLUB] == 40_000_000 and amounts[Party.FEDERAL] == 20_000_000


def test_share_changes_pair_each_party_before_and_after():
    before = (ShareLine("club", 2500, 100), ShareLine("federal", 2500, 100))
    after = compute_shares(WORKS, 2019, 400_000_000)
    changes = {c.party: c for c in share_changes(before, after)}
    assert changes["club"].previous_amount == 100 and changes["club"].amount == 100_000_000
    assert changes["state"].previous_amount == 0


@settings(max_examples=60, deadline=None)
@given(cost=st.integers(min_value=100_000, max_value=10**12), split=st.integers(min_value=0, max_value=5000))
def test_the_new_shares_always_sum_exactly_to_the_new_cost(cost, split):
    allocation = recompute_shares(WORKS, ProjectTerms(fiscal_year=2019, joint_split_bp=split), cost)
    assert sum(s.amount for s in allocation.shares) == cost
