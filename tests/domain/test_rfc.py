"""RFC validation: shape by kind of taxpayer, embedded date, SAT check digit, generic RFCs."""

from __future__ import annotations

import pytest

from tresxuno.domain.rfc import check_rfc, normalize_rfc, only_check_digit, rfc_check_digit


def codes(text: str) -> list[str]:
    return [p.code for p in check_rfc(text)]


def test_check_digit_worked_by_hand_for_a_persona_moral():
    # EKU9003173C9 is SAT's published test RFC. Padded to " EKU9003173C", weights 13..2:
    # 37*13 + 14*12 + 20*11 + 31*10 + 9*9 + 0*8 + 0*7 + 3*6 + 1*5 + 7*4 + 3*3 + 12*2 = 1344;
    # 1344 % 11 = 2, and 11 - 2 = 9.
    assert rfc_check_digit("EKU9003173C") == "9"
    assert codes("EKU9003173C9") == []


def test_check_digit_worked_by_hand_for_a_persona_fisica():
    # GODE561231GR8 (SAT's example): 16*13 + 25*12 + 13*11 + 14*10 + 5*9 + 6*8 + 1*7 + 2*6 + 3*5
    # + 1*4 + 16*3 + 28*2 = 1026; 1026 % 11 = 3, and 11 - 3 = 8.
    assert rfc_check_digit("GODE561231GR") == "8"
    assert codes("GODE561231GR8") == []


def test_remainder_one_gives_a_and_remainder_zero_gives_0():
    # Find stems whose sums leave remainders 1 and 0 by varying the homoclave (no hard-coding).
    digits = {rfc_check_digit(f"CPC100512{a}{b}") for a in "ABCDEFGHJK" for b in "123456789"}
    assert {"A", "0"} <= digits


@pytest.mark.parametrize(
    "rfc",
    [
        "EKU9003173C9",  # persona moral, SAT test RFC
        "XIA190128J61",  # persona moral, SAT test RFC
        "IIA040805DZ4",  # persona moral, SAT test RFC
        "CACX7605101P8",  # persona física, SAT test RFC
        "GODE561231GR8",  # persona física
        "CPC1005124T0",  # the CFDI fixture's issuer
        "MJZ850101B72",  # the CFDI fixture's receiver
        "XAXX010101000",  # generic: público en general (its check digit would be 4)
        "XEXX010101000",  # generic: foreign resident
        " gode-561231-gr8 ",  # typed with spaces, hyphens, lower case
        "HEG000229AB" + rfc_check_digit("HEG000229AB"),  # 29 Feb 2000 exists
        "ÑAM850101AB" + rfc_check_digit("ÑAM850101AB"),  # Ñ and & are letters of RFCs
        "A&B850101AB" + rfc_check_digit("A&B850101AB"),
    ],
)
def test_valid_rfcs(rfc):
    assert codes(rfc) == []


@pytest.mark.parametrize(
    ("rfc", "code"),
    [
        ("", "rfc.empty"),
        ("   ", "rfc.empty"),
        ("EKU9003173C", "rfc.length"),  # the check digit is missing
        ("GODE561231GR8X", "rfc.length"),
        ("EKU90031739C9", "rfc.format"),  # 13 characters but only 3 letters: digits out of place
        ("GOD1561231GR8", "rfc.format"),  # 13 characters need 4 letters
        ("EKUA003173C9", "rfc.format"),  # 12 characters with 4 letters
        ("EKU9003173CB", "rfc.format"),  # the check digit is a digit or A
        ("EKU900317-C9", "rfc.length"),  # the hyphen is dropped: one character short
        ("EKU9013173C9", "rfc.date"),  # month 13
        ("GODE560231GR8", "rfc.date"),  # 31 February
        ("EKU9003173C8", "rfc.check_digit"),
        ("GODE561231GR1", "rfc.check_digit"),
        ("XAXX010101001", "rfc.check_digit"),  # near the generic RFC is not generic
    ],
)
def test_invalid_rfcs(rfc, code):
    assert codes(rfc) == [code]


def test_29_february_of_a_year_that_is_leap_in_neither_century_is_refused():
    stem = "HEG010229AB"  # 1901 and 2001 are not leap years
    assert codes(stem + rfc_check_digit(stem)) == ["rfc.date"]


def test_problem_names_the_field_and_the_expected_digit():
    (problem,) = check_rfc("EKU9003173C8", field="payee_rfc")
    assert problem.field == "payee_rfc"
    assert problem.params == {"rfc": "EKU9003173C8", "expected": "9"}


def test_normalise():
    assert normalize_rfc(" gode 561231-gr8") == "GODE561231GR8"
    assert normalize_rfc("ñam850101ab1") == "ÑAM850101AB1"


def test_check_digit_refuses_impossible_stems():
    with pytest.raises(ValueError):
        rfc_check_digit("EKU90031")
    with pytest.raises(ValueError):
        rfc_check_digit("EK$9003173C")


def test_a_confirmed_check_digit_passes_but_the_shape_and_date_stay_errors():
    # Real RFCs SAT issued that fail its formula (the Municipio de Cuautitlán Izcalli's is one)
    # pass once the officer confirms them; a wrong shape or date is never confirmable.
    assert codes("MCI7306249Y1") == ["rfc.check_digit"]
    assert check_rfc("MCI7306249Y1", check_digit=False) == []
    assert [p.code for p in check_rfc("MCI730624", check_digit=False)] == ["rfc.length"]
    assert [p.code for p in check_rfc("MCI7313249Y1", check_digit=False)] == ["rfc.date"]
    assert [p.code for p in check_rfc("M1I7306249Y1", check_digit=False)] == ["rfc.format"]


def test_only_a_lone_check_digit_warning_is_put_to_the_officer():
    (digit,) = check_rfc("MCI7306249Y1", "rfc")
    (date_problem,) = check_rfc("MCI7313249Y1", "rfc")
    assert only_check_digit([digit])
    assert not only_check_digit([])
    assert not only_check_digit([digit, date_problem])
