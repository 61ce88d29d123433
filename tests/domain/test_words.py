"""Amounts in Spanish words: hand-checked cases, and a words-to-number reader as the oracle."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tresxuno.domain.money import MAX_CENTAVOS, Money
from tresxuno.domain.words import amount_in_words, amount_with_words, number_in_words

# -- hand-checked table --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("centavos", "words"),
    [
        (0, "cero pesos 00/100 M.N."),
        (50, "cero pesos 50/100 M.N."),
        (100, "un peso 00/100 M.N."),
        (150, "un peso 50/100 M.N."),
        (200, "dos pesos 00/100 M.N."),
        (1000, "diez pesos 00/100 M.N."),
        (1500, "quince pesos 00/100 M.N."),
        (1600, "dieciséis pesos 00/100 M.N."),
        (2000, "veinte pesos 00/100 M.N."),
        (2100, "veintiún pesos 00/100 M.N."),
        (2200, "veintidós pesos 00/100 M.N."),
        (2300, "veintitrés pesos 00/100 M.N."),
        (2600, "veintiséis pesos 00/100 M.N."),
        (3000, "treinta pesos 00/100 M.N."),
        (3100, "treinta y un pesos 00/100 M.N."),
        (9999, "noventa y nueve pesos 99/100 M.N."),
        (10000, "cien pesos 00/100 M.N."),
        (10100, "ciento un pesos 00/100 M.N."),
        (11600, "ciento dieciséis pesos 00/100 M.N."),
        (20000, "doscientos pesos 00/100 M.N."),
        (50000, "quinientos pesos 00/100 M.N."),
        (70000, "setecientos pesos 00/100 M.N."),
        (90000, "novecientos pesos 00/100 M.N."),
        (100000, "mil pesos 00/100 M.N."),
        (100100, "mil un pesos 00/100 M.N."),
        (2100000, "veintiún mil pesos 00/100 M.N."),
        (10000000, "cien mil pesos 00/100 M.N."),
        (20100000, "doscientos un mil pesos 00/100 M.N."),
        (100000000, "un millón de pesos 00/100 M.N."),
        (100000001, "un millón de pesos 01/100 M.N."),
        (150000000, "un millón quinientos mil pesos 00/100 M.N."),
        (200000000, "dos millones de pesos 00/100 M.N."),
        (2100000000, "veintiún millones de pesos 00/100 M.N."),
        (100000000001, "mil millones de pesos 01/100 M.N."),
        (100000100000, "mil millones mil pesos 00/100 M.N."),
        (100000000000000, "un billón de pesos 00/100 M.N."),
        (100100000000000, "un billón mil millones de pesos 00/100 M.N."),
        (200000000000000, "dos billones de pesos 00/100 M.N."),
        (
            MAX_CENTAVOS - 1,
            "nueve billones novecientos noventa y nueve mil novecientos noventa y nueve millones "
            "novecientos noventa y nueve mil novecientos noventa y nueve pesos 99/100 M.N.",
        ),
    ],
)
def test_pesos_in_words(centavos, words):
    assert amount_in_words(Money(centavos)) == words


@pytest.mark.parametrize(
    ("centavos", "words"),
    [
        (100, "un dólar 00/100 USD"),
        (2100, "veintiún dólares 00/100 USD"),
        (100000000, "un millón de dólares 00/100 USD"),
        (123456, "mil doscientos treinta y cuatro dólares 56/100 USD"),
    ],
)
def test_dollars_in_words(centavos, words):
    assert amount_in_words(Money(centavos, "USD")) == words


def test_amount_with_words_puts_the_figure_first():
    assert amount_with_words(Money(125000000)) == (
        "$1,250,000.00 (un millón doscientos cincuenta mil pesos 00/100 M.N.)"
    )
    assert amount_with_words(Money(150, "USD")) == "US$1.50 (un dólar 50/100 USD)"


@pytest.mark.parametrize("centavos", [-1, MAX_CENTAVOS])
def test_out_of_range_amounts_are_refused(centavos):
    with pytest.raises(ValueError):
        amount_in_words(Money(centavos))


def test_number_in_words():
    assert number_in_words(0) == "cero"
    assert number_in_words(1) == "un"
    assert number_in_words(10**9) == "mil millones"
    for bad in (-1, 10**18, True):
        with pytest.raises(ValueError):
            number_in_words(bad)


# -- an independent reader: Spanish words back to a number ---------------------------------------

ONES = {"un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9}
TEENS = {
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciséis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
}
TWENTIES = {
    "veintiún": 21,
    "veintidós": 22,
    "veintitrés": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiséis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
}
TENS = {
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
}
HUNDREDS = {
    "ciento": 100,
    "doscientos": 200,
    "trescientos": 300,
    "cuatrocientos": 400,
    "quinientos": 500,
    "seiscientos": 600,
    "setecientos": 700,
    "ochocientos": 800,
    "novecientos": 900,
}
SCALES = {"millón": 10**6, "millones": 10**6, "billón": 10**12, "billones": 10**12}
SHAPE = re.compile(
    r"(?P<words>\S+(?: \S+)*?)(?P<de> de)? (?P<noun>pesos?|dólar|dólares) (?P<cents>\d\d)/100 "
    r"(?P<suffix>M\.N\.|USD)"
)


def read_group(tokens: list[str]) -> int:
    """1..999 from "[hundreds] [tens [y units] | 1..29]", or "cien" alone; refuses anything else."""
    if tokens == ["cien"]:
        return 100
    value = 0
    if tokens and tokens[0] in HUNDREDS:
        assert tokens[0] != "ciento" or len(tokens) > 1, "100 alone is 'cien', not 'ciento'"
        value, tokens = HUNDREDS[tokens[0]], tokens[1:]
    small = ONES | TEENS | TWENTIES
    if len(tokens) == 1 and tokens[0] in small:
        value += small[tokens[0]]
    elif len(tokens) == 1 and tokens[0] in TENS:
        value += TENS[tokens[0]]
    elif len(tokens) == 3 and tokens[0] in TENS and tokens[1] == "y" and tokens[2] in ONES:
        value += TENS[tokens[0]] + ONES[tokens[2]]
    else:
        assert not tokens, f"not a number below a thousand: {tokens}"
    assert value > 0
    return value


def read_number(words: str) -> int:
    """Words -> int: groups below a thousand, times "mil", summed into millón/billón sections."""
    if words == "cero":
        return 0
    total, section, pending, has_mil, last_scale = 0, 0, [], False, 10**18
    for token in words.split(" "):
        if token == "mil":
            assert not has_mil and pending != ["un"], f"bad 'mil' in {words!r}"
            section, pending, has_mil = (read_group(pending) if pending else 1) * 1000, [], True
        elif token in SCALES:
            value = section + (read_group(pending) if pending else 0)
            scale = SCALES[token]
            assert value > 0 and scale < last_scale, f"bad scale word in {words!r}"
            assert (value == 1) == token.endswith("ón"), f"singular/plural mismatch in {words!r}"
            total, section, pending, has_mil, last_scale = total + value * scale, 0, [], False, scale
        else:
            pending.append(token)
    return total + section + (read_group(pending) if pending else 0)


def read_amount(text: str) -> tuple[int, int, str]:
    """Parse "<words> [de] <noun> NN/100 <suffix>" into (units, centavos, currency), checking grammar."""
    match = SHAPE.fullmatch(text)
    assert match, f"unexpected shape: {text!r}"
    units = read_number(match["words"])
    currency = "MXN" if match["suffix"] == "M.N." else "USD"
    assert match["noun"] in (("peso", "pesos") if currency == "MXN" else ("dólar", "dólares"))
    assert (match["noun"] in ("peso", "dólar")) == (units == 1), text
    assert bool(match["de"]) == (units > 0 and units % 10**6 == 0), text
    return units, int(match["cents"]), currency


@pytest.mark.parametrize(
    "bad",
    [
        "un mil pesos",
        "ciento pesos",
        "veinte y uno pesos",
        "dos millón de pesos",
        "un millón pesos",
        "veintiun pesos",
        "mil mil pesos",
        "un millón un billón de pesos",
        "dos  pesos",
        "uno pesos",
        "dos peso",
        "un pesos",
        "ciento cien pesos",
        "treinta y diez pesos",
        "un billón un mil pesos",
    ],
)
def test_the_reader_itself_refuses_bad_spanish(bad):
    with pytest.raises(AssertionError):
        read_amount(f"{bad} 00/100 M.N.")


def test_the_reader_reads_good_spanish():
    assert read_amount("un billón mil millones de pesos 00/100 M.N.") == (10**12 + 10**9, 0, "MXN")
    assert read_amount("ciento un mil un pesos 07/100 M.N.") == (101_001, 7, "MXN")


def check(m: Money) -> None:
    text = amount_in_words(m)
    assert read_amount(text) == (m.centavos // 100, m.centavos % 100, m.currency)
    tokens = text.split(" ")
    assert "" not in tokens and text == text.strip(), "no double or stray spaces"
    assert "uno" not in tokens and "veintiuno" not in tokens, "apocope before a noun"
    assert not text.startswith("un mil ") and tokens[:2] != ["un", "mil"]
    assert amount_with_words(m).endswith(f"({text})")


whole_range = st.integers(0, MAX_CENTAVOS - 1)
# Uniform draws almost never hit exact thousands or millions, where "mil", "cien", "de" and the
# singular scale words are decided; k * 10^j (plus a small tail) lands on them every time.
round_numbers = st.builds(
    lambda k, j, extra: min(k * 10**j + extra, MAX_CENTAVOS - 1),
    st.integers(1, 999),
    st.integers(0, 15),
    st.sampled_from([0, 0, 0, 1, 100, 2100, 100000]),
)


@settings(max_examples=1000, deadline=None)
@given(whole_range, st.sampled_from(["MXN", "USD"]))
def test_words_read_back_over_the_whole_range(centavos, currency):
    check(Money(centavos, currency))


@settings(max_examples=1000, deadline=None)
@given(round_numbers, st.sampled_from(["MXN", "USD"]))
def test_words_read_back_for_round_numbers(centavos, currency):
    check(Money(centavos, currency))
