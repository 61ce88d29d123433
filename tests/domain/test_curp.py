"""The CURP check: structure, birth date, state and RENAPO's check digit (compared with python-stdnum)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.mx import curp as stdnum_curp

from tresxuno.domain.curp import _ALPHABET, birth_date, check_digit, curp_problem, with_check_digit

VALID = ("HEGG560427MVZRRL04", "LOOA531113HTCPBN07", "MAHJ280603MSPRRV09")


@pytest.mark.parametrize("value", VALID)
def test_published_curps_pass_and_give_their_birth_date(value):
    assert curp_problem(f"  {value.lower()} ") == (value, None)
    assert birth_date(value) is not None and birth_date(value).year < 2000


#: Positions whose weight (18 - i) shares no factor with 10: a character whose value differs by other than
#: a multiple of 10 changes the digit there (a sum modulo 10 cannot see more: RENAPO's design).
COPRIME = [i for i in range(17) if (18 - i) % 2 and (18 - i) % 5]


@pytest.mark.parametrize("position", COPRIME)
def test_any_other_character_in_a_fully_guarded_position_is_caught(position):
    value = VALID[0]
    pool = "0123456789" if position in range(4, 10) or position == 16 else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for wrong in pool.replace(value[position], ""):
        if (_ALPHABET.index(wrong) - _ALPHABET.index(value[position])) % 10 == 0:
            continue
        typo = value[:position] + wrong + value[position + 1 :]
        _clean, problem = curp_problem(typo)
        assert problem is not None, typo


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("HEGG56042MVZRRL04", "curp.shape"),
        ("HEGG561327MVZRRL04", "curp.date"),
        ("HEGG560427MQQRRL04", "curp.state"),
        ("HEGG560427MVZRRL05", "curp.check_digit"),
    ],
)
def test_each_kind_of_mistake_has_its_own_message(value, code):
    _clean, problem = curp_problem(value, "persons[0].curp")
    assert problem is not None and (problem.field, problem.code) == ("persons[0].curp", code)


letters = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
consonants = st.sampled_from("BCDFGHJKLMNPQRSTVWXYZ")


@given(
    st.lists(letters, min_size=4, max_size=4),
    st.dates(min_value=date(1930, 1, 1), max_value=date(2024, 12, 31)),
    st.sampled_from("HM"),
    st.sampled_from(["ZS", "JC", "MN", "DF", "NE", "GT"]),
    st.lists(consonants, min_size=3, max_size=3),
    st.integers(min_value=0, max_value=9),
)
def test_our_check_digit_agrees_with_an_independent_validator(initials, born, sex, state, inner, digit):
    differentiator = str(digit) if born.year < 2000 else _ALPHABET[10 + digit]
    first17 = f"{''.join(initials)}{born:%y%m%d}{sex}{state}{''.join(inner)}{differentiator}"
    value = with_check_digit(first17)
    assert curp_problem(value)[1] is None
    assert stdnum_curp.is_valid(value) or not stdnum_curp.is_valid(
        value[:17] + str((check_digit(first17) + 1) % 10)
    )
    assert stdnum_curp.compact(value) == value and stdnum_curp.calc_check_digit(value) == value[17]
    assert birth_date(value) == born
