"""Money: parsing what officers type, every refusal code, display, arithmetic, USD conversion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tresxuno.domain.money import MAX_CENTAVOS, Money, convert_usd, format_money, parse_rate
from tresxuno.domain.problems import InputError, Problem

TOO_LARGE = {"max": "9,999,999,999,999.99"}


def refusal(text: str, **kwargs: object) -> Problem:
    with pytest.raises(InputError) as exc:
        Money.parse(text, **kwargs)  # type: ignore[arg-type]
    (problem,) = exc.value.problems
    return problem


# -- accepted forms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "centavos"),
    [
        ("1,234.56", 123456),
        ("$1,234.56", 123456),
        ("$ 1,234.56", 123456),
        ("MXN 1,234.56", 123456),
        ("mxn 1,234.56", 123456),
        ("1234.56 MXN", 123456),
        ("$1,234.56 MXN", 123456),
        ("1,234.56 M.N.", 123456),
        ("MX$1,234.56", 123456),
        ("1234.5", 123450),
        ("1234", 123400),
        ("1,234", 123400),
        ("1,234,567.89", 123456789),
        ("  1234.56\t", 123456),
        ("\u00a01234.56\u00a0", 123456),
        ("+5", 500),
        ("0.05", 5),
        (".5", 50),
        ("5.", 500),
        ("007", 700),
        ("9,999,999,999,999.99", MAX_CENTAVOS - 1),
        ("9999999999999.99", MAX_CENTAVOS - 1),
    ],
)
def test_parse_accepts_what_officers_type(text, centavos):
    assert Money.parse(text) == Money(centavos, "MXN")


@pytest.mark.parametrize(
    ("text", "centavos"),
    [
        ("USD 10.00", 1000),
        ("US$10.00", 1000),
        ("$10.00", 1000),
        ("10 USD", 1000),
        ("us$ 1,000", 100000),
        ("10.50 DLLS", 1050),
    ],
)
def test_parse_dollars(text, centavos):
    assert Money.parse(text, currency="USD") == Money(centavos, "USD")


@pytest.mark.parametrize(
    ("text", "centavos"),
    [
        ("-5", -500),
        ("-$1,234.56", -123456),
        ("$-1,234.56", -123456),
        ("MXN -5", -500),
        ("\u22125.25", -525),
        ("- 0.01", -1),
    ],
)
def test_parse_negative_when_allowed(text, centavos):
    assert Money.parse(text, allow_negative=True) == Money(centavos)


@pytest.mark.parametrize("text", ["0", "0.00", "$0", "-0"])
def test_parse_zero_when_allowed(text):
    assert Money.parse(text, allow_zero=True, allow_negative=True) == Money.zero()


# -- refusals ------------------------------------------------------------------------------------

S = "t"  # ``text`` placeholder: replaced by the input in the expected params


@pytest.mark.parametrize(
    ("text", "kwargs", "code", "params"),
    [
        ("", {}, "amount.empty", {}),
        ("   \t", {}, "amount.empty", {}),
        ("1.234,56", {}, "amount.decimal_comma", {"text": S, "suggestion": "1234.56"}),
        ("1234,56", {}, "amount.decimal_comma", {"text": S, "suggestion": "1234.56"}),
        ("12,5", {}, "amount.decimal_comma", {"text": S, "suggestion": "12.5"}),
        ("$1.234.567,8", {}, "amount.decimal_comma", {"text": S, "suggestion": "1234567.8"}),
        (
            "-1.234,56",
            {"allow_negative": True},
            "amount.decimal_comma",
            {"text": S, "suggestion": "-1234.56"},
        ),
        ("abc", {}, "amount.not_a_number", {"text": S}),
        ("12abc", {}, "amount.not_a_number", {"text": S}),
        ("1,23.45", {}, "amount.not_a_number", {"text": S}),
        ("1234,567", {}, "amount.not_a_number", {"text": S}),
        ("12,34,567", {}, "amount.not_a_number", {"text": S}),
        ("1 234.56", {}, "amount.not_a_number", {"text": S}),
        ("1.2.3", {}, "amount.not_a_number", {"text": S}),
        ("$", {}, "amount.not_a_number", {"text": S}),
        ("-", {}, "amount.not_a_number", {"text": S}),
        (".", {}, "amount.not_a_number", {"text": S}),
        ("--5", {}, "amount.not_a_number", {"text": S}),
        ("-$-5", {"allow_negative": True}, "amount.not_a_number", {"text": S}),
        ("1e5", {}, "amount.not_a_number", {"text": S}),
        ("0x10", {}, "amount.not_a_number", {"text": S}),
        ("١٢٣", {}, "amount.not_a_number", {"text": S}),
        ("5-", {}, "amount.not_a_number", {"text": S}),
        ("x" * 65, {}, "amount.not_a_number", {"text": S}),
        ("nan", {}, "amount.not_finite", {"text": S}),
        ("NaN", {}, "amount.not_finite", {"text": S}),
        ("inf", {}, "amount.not_finite", {"text": S}),
        ("-inf", {}, "amount.not_finite", {"text": S}),
        ("Infinity", {}, "amount.not_finite", {"text": S}),
        ("$ -INFINITY", {}, "amount.not_finite", {"text": S}),
        ("12.345", {}, "amount.too_many_decimals", {"text": S, "max": 2}),
        ("12.340", {}, "amount.too_many_decimals", {"text": S, "max": 2}),
        ("1,234.567", {}, "amount.too_many_decimals", {"text": S, "max": 2}),
        ("-5", {}, "amount.negative", {"text": S}),
        ("-$0.01", {}, "amount.negative", {"text": S}),
        ("0", {}, "amount.zero", {}),
        ("$0.00", {}, "amount.zero", {}),
        ("-0", {}, "amount.zero", {}),
        ("10000000000000", {}, "amount.too_large", TOO_LARGE),
        ("10,000,000,000,000.00", {}, "amount.too_large", TOO_LARGE),
        ("-10000000000000", {"allow_negative": True}, "amount.too_large", TOO_LARGE),
        ("9" * 65, {}, "amount.too_large", TOO_LARGE),
        ("9" * 100_000, {}, "amount.too_large", TOO_LARGE),
        ("USD 10", {}, "amount.wrong_currency", {"expected": "MXN", "found": "USD"}),
        ("US$10.00", {}, "amount.wrong_currency", {"expected": "MXN", "found": "USD"}),
        ("$10 USD", {}, "amount.wrong_currency", {"expected": "MXN", "found": "USD"}),
        ("MXN 10", {"currency": "USD"}, "amount.wrong_currency", {"expected": "USD", "found": "MXN"}),
        ("10 M.N.", {"currency": "USD"}, "amount.wrong_currency", {"expected": "USD", "found": "MXN"}),
        ("MX$10", {"currency": "USD"}, "amount.wrong_currency", {"expected": "USD", "found": "MXN"}),
    ],
)
def test_parse_refusals_have_exact_code_and_params(text, kwargs, code, params):
    expected = {k: (text if v is S else v) for k, v in params.items()}
    assert refusal(text, field="cost", **kwargs) == Problem("cost", code, expected)


def test_refusal_names_the_default_field():
    assert refusal("abc").field == "amount"


def test_parse_programmer_errors():
    with pytest.raises(TypeError):
        Money.parse(12.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money.parse("1", currency="EUR")


# -- construction and conversion to Decimal -----------------------------------------------------


@pytest.mark.parametrize("bad", [1.5, True, Decimal("1"), "100", None])
def test_centavos_must_be_a_plain_int(bad):
    with pytest.raises(TypeError):
        Money(bad)


def test_currency_must_be_known():
    with pytest.raises(ValueError):
        Money(1, "EUR")


def test_from_decimal_is_exact():
    assert Money.from_decimal(Decimal("1819101.55")) == Money(181910155)
    assert Money.from_decimal(Decimal("-0.5"), "USD") == Money(-50, "USD")
    assert Money.from_decimal(Decimal("12.300")) == Money(1230)  # trailing zeros are still exact
    assert Money.mxn(5) == Money(5, "MXN")
    assert Money.zero("USD") == Money(0, "USD")


@pytest.mark.parametrize("bad", [Decimal("0.001"), Decimal("NaN"), Decimal("Infinity")])
def test_from_decimal_refuses_what_is_not_centavos(bad):
    with pytest.raises(ValueError):
        Money.from_decimal(bad)


def test_from_decimal_refuses_floats():
    with pytest.raises(TypeError):
        Money.from_decimal(0.1)  # type: ignore[arg-type]


# -- arithmetic ----------------------------------------------------------------------------------


def test_arithmetic_stays_in_centavos():
    a, b = Money(150), Money(275)
    assert a + b == Money(425)
    assert a - b == Money(-125)
    assert -a == Money(-150)
    assert abs(Money(-3)) == Money(3)
    assert a * 3 == 3 * a == Money(450)
    assert sum([a, b, a], Money.zero()) == Money(575)
    assert a < b <= b and b > a >= a
    assert not Money.zero() and Money(-1) and Money(1)


def test_currencies_never_mix():
    mxn, usd = Money(100), Money(100, "USD")
    assert mxn != usd
    for operation in (lambda: mxn + usd, lambda: mxn - usd, lambda: mxn < usd, lambda: mxn >= usd):
        with pytest.raises(ValueError):
            operation()


@pytest.mark.parametrize("factor", [1.5, Decimal(2), True, Money(2)])
def test_no_multiplication_by_non_integers(factor):
    with pytest.raises(TypeError):
        Money(100) * factor


def test_no_division_and_no_mixing_with_plain_numbers():
    with pytest.raises(TypeError):
        Money(100) / 2  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(100) + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(100) < 1  # type: ignore[operator]  # noqa: B015


def test_money_is_hashable_and_immutable():
    assert len({Money(1), Money(1), Money(1, "USD")}) == 2
    with pytest.raises(AttributeError):
        Money(1).centavos = 2  # type: ignore[misc]


# -- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("centavos", "text"),
    [
        (181910155, "1819101.55"),
        (-5, "-0.05"),
        (0, "0.00"),
        (100, "1.00"),
        (-123456, "-1234.56"),
        (MAX_CENTAVOS - 1, "9999999999999.99"),
    ],
)
def test_str_is_the_machine_form(centavos, text):
    assert str(Money(centavos)) == text


def test_repr():
    assert repr(Money(181910155)) == "Money('1819101.55', 'MXN')"
    assert repr(Money(-5, "USD")) == "Money('-0.05', 'USD')"


@pytest.mark.parametrize(
    ("money", "lang", "kwargs", "text"),
    [
        (Money(123456789), "es", {}, "$1,234,567.89"),
        (Money(123456789, "USD"), "es", {}, "US$1,234,567.89"),
        (Money(123456789), "en", {}, "MX$1,234,567.89"),
        (Money(123456789, "USD"), "en", {}, "$1,234,567.89"),
        (Money(-123456), "es", {}, "-$1,234.56"),
        (Money(-123456, "USD"), "en", {}, "-$1,234.56"),
        (Money(-123456), "en", {}, "-MX$1,234.56"),
        (Money(123456789), "es", {"symbol": False}, "1,234,567.89"),
        (Money(123456789), "es", {"code": True}, "$1,234,567.89 MXN"),
        (Money(100, "USD"), "en", {"symbol": False, "code": True}, "1.00 USD"),
        (Money(0), "es", {}, "$0.00"),
        (Money(5), "es", {}, "$0.05"),
        (Money(99999), "es", {}, "$999.99"),
        (Money(100000), "es", {}, "$1,000.00"),
        (Money(MAX_CENTAVOS - 1), "es", {}, "$9,999,999,999,999.99"),
        (Money(100), "es_MX", {}, "$1.00"),
        (Money(100), "en-US", {}, "MX$1.00"),
        (Money(100), "fr", {}, "$1.00"),
    ],
)
def test_format_money(money, lang, kwargs, text):
    assert format_money(money, lang, **kwargs) == text


# -- exchange rates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("17.2345", Decimal("17.2345")),
        (" 18 ", Decimal(18)),
        ("0.000001", Decimal("0.000001")),
        ("999.999999", Decimal("999.999999")),
        (".5", Decimal("0.5")),
    ],
)
def test_parse_rate_accepts(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "rate.empty", {}),
        ("  ", "rate.empty", {}),
        ("abc", "rate.not_a_number", {"text": "abc"}),
        ("17,23", "rate.not_a_number", {"text": "17,23"}),
        ("$17.2", "rate.not_a_number", {"text": "$17.2"}),
        ("nan", "rate.not_a_number", {"text": "nan"}),
        ("1e2", "rate.not_a_number", {"text": "1e2"}),
        ("0", "rate.not_positive", {"text": "0"}),
        ("-17.5", "rate.not_positive", {"text": "-17.5"}),
        ("17.1234567", "rate.too_many_decimals", {"text": "17.1234567", "max": 6}),
        ("1000", "rate.too_large", {"text": "1000", "max": "1000"}),
        ("12345.5", "rate.too_large", {"text": "12345.5", "max": "1000"}),
    ],
)
def test_parse_rate_refusals(text, code, params):
    with pytest.raises(InputError) as exc:
        parse_rate(text, field="fx")
    assert exc.value.problems == (Problem("fx", code, params),)


@pytest.mark.parametrize(
    ("cents", "rate", "centavos"),
    [
        (100, "17.2345", 1723),  # 1723.45 -> down
        (1000, "17.2345", 17235),  # 17234.5 exactly -> half up
        (3, "0.5", 2),  # 1.5 -> 2
        (1, "0.5", 1),  # 0.5 -> 1
        (1, "0.499999", 0),
        (-1000, "17.2345", -17235),  # ties away from zero: symmetric
        (0, "17.2345", 0),
        (10**14, "999.999999", 99999999900000000),
    ],
)
def test_convert_usd_rounds_half_up_to_the_centavo(cents, rate, centavos):
    assert convert_usd(Money(cents, "USD"), Decimal(rate)) == Money(centavos, "MXN")


def test_convert_usd_refuses_wrong_inputs():
    with pytest.raises(ValueError):
        convert_usd(Money(100, "MXN"), Decimal("17"))
    with pytest.raises(ValueError):
        convert_usd(Money(100, "USD"), Decimal("0"))
    with pytest.raises(TypeError):
        convert_usd(Money(100, "USD"), 17.5)  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------------------------

amounts = st.builds(
    Money, st.integers(-(MAX_CENTAVOS - 1), MAX_CENTAVOS - 1), st.sampled_from(["MXN", "USD"])
)


@settings(max_examples=1000, deadline=None)
@given(amounts, st.sampled_from(["es", "en"]), st.booleans())
def test_formatted_and_machine_forms_read_back(m, lang, code):
    def read(text: str) -> Money:
        return Money.parse(text, currency=m.currency, allow_negative=True, allow_zero=True)

    assert read(format_money(m, lang, code=code)) == m
    assert read(format_money(m, "es")) == m
    assert read(str(m)) == m


@settings(max_examples=1000, deadline=None)
@given(st.text() | st.text(alphabet="0123456789.,-+$ MXNUSD", max_size=30))
def test_parse_only_ever_raises_input_error(text):
    try:
        m = Money.parse(text, allow_negative=True, allow_zero=True)
    except InputError as exc:
        assert len(exc.problems) == 1 and exc.problems[0].code.startswith("amount.")
    else:
        assert abs(m.centavos) < MAX_CENTAVOS and m.currency == "MXN"


def test_rate_gap_names_the_bank_rate_and_the_difference_exactly():
    from tresxuno.domain.money import rate_gap

    # Demo receipt 5: US$14,497.83 at 10.8937 is $157,935.01; the bank credited $157,935.04.
    gap = rate_gap(1_449_783, Decimal("10.8937"), 15_793_504)
    assert gap is not None and gap.expected == 15_793_501 and gap.difference == 3
    assert gap.effective_rate == Decimal("10.8937")  # 3 centavos do not move the 4th decimal
    wide = rate_gap(100_000, Decimal("17.2500"), 1_700_000)  # US$1,000.00 credited as $17,000.00
    assert wide is not None and wide.effective_rate == Decimal("17.0000") and wide.difference == -25_000
    assert rate_gap(100_000, Decimal("17.25"), 1_725_000) is None
    half = rate_gap(3, Decimal("1"), 5)  # 5/3 = 1.66666… rounds half-up to 1.6667
    assert half is not None and half.effective_rate == Decimal("1.6667")
