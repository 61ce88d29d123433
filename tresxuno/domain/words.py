"""Amounts in Spanish words, as Mexican official documents write them.

``$1,250,000.00 (un millón doscientos cincuenta mil pesos 00/100 M.N.)``; long scale (billón = 10^12).
"""

from __future__ import annotations

from tresxuno.domain.money import MAX_CENTAVOS, Money, format_money

# 1..29 are single words; "un"/"veintiún" are the forms used before a noun, the only ones needed.
_SMALL = (
    "", "un", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
    "diez", "once", "doce", "trece", "catorce", "quince",
    "dieciséis", "diecisiete", "dieciocho", "diecinueve",
    "veinte", "veintiún", "veintidós", "veintitrés", "veinticuatro",
    "veinticinco", "veintiséis", "veintisiete", "veintiocho", "veintinueve",
)  # fmt: skip
_TENS = ("", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa")
_HUNDREDS = (
    "", "ciento", "doscientos", "trescientos", "cuatrocientos",
    "quinientos", "seiscientos", "setecientos", "ochocientos", "novecientos",
)  # fmt: skip
_MILLION = 10**6
_BILLION = 10**12  # long scale: un billón is a million millions
_NOUNS = {"MXN": ("peso", "pesos", "M.N."), "USD": ("dólar", "dólares", "USD")}


def _below_thousand(n: int) -> str:
    """1..999 in words."""
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if rest >= 30:
        tens, units = divmod(rest, 10)
        words.append(f"{_TENS[tens]} y {_SMALL[units]}" if units else _TENS[tens])
    elif rest:
        words.append(_SMALL[rest])
    return " ".join(words)


def _below_million(n: int) -> str:
    """1..999,999 in words; a thousand is "mil", never "un mil"."""
    thousands, rest = divmod(n, 1000)
    words = []
    if thousands:
        words.append("mil" if thousands == 1 else f"{_below_thousand(thousands)} mil")
    if rest:
        words.append(_below_thousand(rest))
    return " ".join(words)


def number_in_words(n: int) -> str:
    """A whole number in Spanish words, in the form used before a noun.

    ``21`` -> ``"veintiún"``, ``1000`` -> ``"mil"``, ``10**9`` -> ``"mil millones"``,
    ``2 * 10**12`` -> ``"dos billones"``, ``0`` -> ``"cero"``.

    Args:
        n: 0 <= n < 10^18.

    Raises:
        ValueError: ``n`` is out of range.
    """
    if type(n) is not int or not 0 <= n < _BILLION * _MILLION:
        raise ValueError(f"number_in_words needs an int in [0, 10**18), not {n!r}")
    if n == 0:
        return "cero"
    billions, rest = divmod(n, _BILLION)
    millions, rest = divmod(rest, _MILLION)
    words = []
    if billions:
        words.append("un billón" if billions == 1 else f"{_below_million(billions)} billones")
    if millions:
        words.append("un millón" if millions == 1 else f"{_below_million(millions)} millones")
    if rest:
        words.append(_below_million(rest))
    return " ".join(words)


def amount_in_words(m: Money, *, capitals: bool = False) -> str:
    """``m`` in words with the centavos as a fraction, as on Mexican cheques and contracts.

    ``capitals`` writes it in capitals, as convenios and contracts do
    (``"UN MILLÓN DOSCIENTOS CINCUENTA MIL PESOS 00/100 M.N."``); other documents keep lower case.

    ``"un millón doscientos cincuenta mil pesos 00/100 M.N."``; dollars end in ``"dólares NN/100 USD"``.
    Exact millions take "de": ``"dos millones de pesos 00/100 M.N."``.

    Raises:
        ValueError: ``m`` is negative or not below ``MAX_CENTAVOS``.
    """
    if not 0 <= m.centavos < MAX_CENTAVOS:
        raise ValueError(f"amount_in_words needs 0 <= amount < 10^13, not {m!r}")
    units, cents = divmod(m.centavos, 100)
    singular, plural, suffix = _NOUNS[m.currency]
    # Only exactly one unit is singular ("un peso 50/100"), and "de" joins a bare scale word to
    # the noun ("un millón de pesos", but "un millón quinientos mil pesos").
    noun = singular if units == 1 else plural
    of = " de" if units and units % _MILLION == 0 else ""
    text = f"{number_in_words(units)}{of} {noun} {cents:02d}/100 {suffix}"
    return text.upper() if capitals else text


def amount_with_words(m: Money, *, capitals: bool = False) -> str:
    """The figure followed by the words: ``"$1,250,000.00 (un millón ... pesos 00/100 M.N.)"``."""
    return f"{format_money(m, 'es')} ({amount_in_words(m, capitals=capitals)})"
