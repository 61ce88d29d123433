"""Exact money in integer centavos: parsing what officers type, display, and USD→MXN conversion.

Money is never a float: amounts are ``int`` centavos, rates are ``Decimal``, rounding is explicit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from tresxuno.domain.problems import InputError, Problem

#: Input limit: every parsed amount has ``abs(centavos) < MAX_CENTAVOS`` (10^13 pesos or dollars).
MAX_CENTAVOS = 10**15
CURRENCIES: tuple[str, ...] = ("MXN", "USD")
#: Longest text :meth:`Money.parse` looks at; the largest amount fits in about 25 characters.
MAX_TEXT = 64
MAX_RATE = Decimal(1000)
RATE_DECIMALS = 6

_TOO_LARGE = {"max": "9,999,999,999,999.99"}
# Symbols and codes officers put around a figure; a bare "$" is neutral because Mexicans write
# "$" for pesos and the dollar forms use it for dollars too.
_TOKEN = r"US\$|MX\$|USD|MXN|M\.?N\.?|DLL?S\.?|\$"
_SHAPE = re.compile(
    rf"""(?P<sign1>[-+]?)\s*(?P<pre>{_TOKEN})?\s*(?P<sign2>[-+]?)\s*
         (?P<body>[0-9.,]*|nan|snan|inf|infinity)\s*(?P<post>{_TOKEN})?""",
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)
_PLAIN = re.compile(r"(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]*))?|\.(?P<frac2>[0-9]+)")
_GROUPED = re.compile(r"(?P<int>[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.(?P<frac>[0-9]*))?")
# "1234,56" / "12,5" and "1.234,56": a comma used as the decimal point (3 digits after a lone
# comma are a thousands separator instead, so "1,234" is 1234.00).
_DECIMAL_COMMA = re.compile(
    r"(?P<int>[0-9]+),(?P<frac>[0-9]{1,2})|(?P<int2>[0-9]{1,3}(?:\.[0-9]{3})+),(?P<frac2>[0-9]+)"
)
_RATE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def _currency_of(token: str | None) -> str | None:
    """The currency a symbol or code names, or ``None`` for none or the neutral ``$``."""
    if token is None or token == "$":
        return None
    upper = token.upper()
    return "USD" if upper.startswith(("US", "DL")) else "MXN"


@dataclass(frozen=True, order=False)
class Money:
    """An exact amount of money.

    Attributes:
        centavos: the amount in hundredths of the currency unit (centavos or cents); any int.
        currency: ``"MXN"`` or ``"USD"``.

    Arithmetic never mixes currencies (``ValueError``) and never leaves integers; there is no
    division, because splitting an amount must say where the leftover centavos go (see
    ``tresxuno.domain.allocation``).
    """

    centavos: int
    currency: str = "MXN"

    def __post_init__(self) -> None:
        if type(self.centavos) is not int:  # bool and int subclasses too: money is a plain int
            raise TypeError(f"Money centavos must be int, not {type(self.centavos).__name__}")
        if self.currency not in CURRENCIES:
            raise ValueError(f"unknown currency {self.currency!r}; expected one of {CURRENCIES}")

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        currency: str = "MXN",
        field: str = "amount",
        allow_negative: bool = False,
        allow_zero: bool = False,
    ) -> Money:
        """Read an amount typed by an officer: the one way into :class:`Money` from text.

        Accepts digits with an optional decimal point and at most 2 decimals, "," thousands
        separators in groups of three, a currency symbol or code before or after the figure
        (``$``, ``MX$``, ``MXN``, ``M.N.``; ``US$``, ``USD``, ``DLLS`` for dollars) and a sign
        before or after the symbol: ``"$1,234.56"``, ``"MXN 1,234.56"``, ``"1234.5"``,
        ``"-$5"``. Spaces inside the figure are refused.

        Args:
            text: what was typed.
            currency: the currency the field is in; a symbol or code naming another is refused.
            field: the field named in any :class:`Problem`.
            allow_negative: accept amounts below zero.
            allow_zero: accept zero.

        Returns:
            The amount, with ``abs(centavos) < MAX_CENTAVOS``.

        Raises:
            InputError: with one problem coded ``amount.empty``, ``amount.decimal_comma``,
                ``amount.not_a_number``, ``amount.not_finite``, ``amount.wrong_currency``,
                ``amount.too_many_decimals``, ``amount.negative``, ``amount.zero`` or
                ``amount.too_large``.
            TypeError, ValueError: ``text`` is not a str or ``currency`` is unknown.
        """
        if not isinstance(text, str):
            raise TypeError(f"Money.parse needs a str, not {type(text).__name__}")
        if currency not in CURRENCIES:
            raise ValueError(f"unknown currency {currency!r}")

        def fail(code: str, **params: object) -> InputError:
            return InputError(Problem(field, code, params))

        stripped = text.strip().replace("\u2212", "-")  # U+2212 MINUS SIGN, pasted from documents
        if not stripped:
            raise fail("amount.empty")
        if len(stripped) > MAX_TEXT:
            # Never spend time on pasted walls of text; a long run of digits is just too large.
            if re.fullmatch(r"[-+$\s0-9.,]*", stripped, re.ASCII):
                raise fail("amount.too_large", **_TOO_LARGE)
            raise fail("amount.not_a_number", text=text)
        shape = _SHAPE.fullmatch(stripped)
        if shape is None or (shape["sign1"] and shape["sign2"]):
            raise fail("amount.not_a_number", text=text)
        body = shape["body"]
        if body.lower() in ("nan", "snan", "inf", "infinity"):
            raise fail("amount.not_finite", text=text)
        for token in (shape["pre"], shape["post"]):
            found = _currency_of(token)
            if found is not None and found != currency:
                raise fail("amount.wrong_currency", expected=currency, found=found)
        negative = (shape["sign1"] or shape["sign2"]) == "-"

        number = _PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)
        if number is None:
            comma = _DECIMAL_COMMA.fullmatch(body)
            if comma is not None:
                whole = (comma["int"] or comma["int2"]).replace(".", "")
                suggestion = f"{'-' if negative else ''}{whole}.{comma['frac'] or comma['frac2']}"
                raise fail("amount.decimal_comma", text=text, suggestion=suggestion)
            raise fail("amount.not_a_number", text=text)
        whole = (number["int"] or "0").replace(",", "")
        fraction = number["frac"] or number.groupdict().get("frac2") or ""
        if len(fraction) > 2:
            # Strict even for "12.340": a third decimal is far more often a typo than a zero.
            raise fail("amount.too_many_decimals", text=text, max=2)
        centavos = int(whole) * 100 + int(fraction.ljust(2, "0"))
        if centavos >= MAX_CENTAVOS:
            raise fail("amount.too_large", **_TOO_LARGE)
        if negative and centavos and not allow_negative:
            raise fail("amount.negative", text=text)
        if centavos == 0 and not allow_zero:
            raise fail("amount.zero")
        return cls(-centavos if negative else centavos, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str = "MXN") -> Money:
        """The exact amount of ``value`` units (pesos or dollars).

        Raises:
            TypeError: ``value`` is not a Decimal (floats are never money).
            ValueError: ``value`` is not finite or has a non-zero digit beyond the centavo.
        """
        if not isinstance(value, Decimal):
            raise TypeError(f"from_decimal needs a Decimal, not {type(value).__name__}")
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        centavos = Fraction(value) * 100
        if centavos.denominator != 1:
            raise ValueError(f"{value} has more than 2 decimals")
        return cls(int(centavos), currency)

    @classmethod
    def zero(cls, currency: str = "MXN") -> Money:
        """Zero in ``currency``."""
        return cls(0, currency)

    @classmethod
    def mxn(cls, centavos: int) -> Money:
        """``centavos`` Mexican centavos."""
        return cls(centavos, "MXN")

    # -- arithmetic ---------------------------------------------------------------------------

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.centavos + other.centavos, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.centavos - other.centavos, self.currency)

    def __mul__(self, factor: object) -> Money:
        if type(factor) is not int:  # no floats, Decimals or bools: use an allocation instead
            return NotImplemented
        return Money(self.centavos * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.centavos, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.centavos), self.currency)

    def __bool__(self) -> bool:
        return self.centavos != 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.centavos < other.centavos

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.centavos <= other.centavos

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.centavos > other.centavos

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.centavos >= other.centavos

    # -- text ---------------------------------------------------------------------------------

    def __str__(self) -> str:
        """Machine form for JSON and files: ``"1819101.55"``, ``"-0.05"``; no symbol, no grouping."""
        units, cents = divmod(abs(self.centavos), 100)
        return f"{'-' if self.centavos < 0 else ''}{units}.{cents:02d}"

    def __repr__(self) -> str:
        return f"Money('{self}', '{self.currency}')"


#: Display symbols per language: es-MX writes pesos as "$", en-US writes dollars as "$".
_SYMBOLS = {"es": {"MXN": "$", "USD": "US$"}, "en": {"MXN": "MX$", "USD": "$"}}


def format_money(m: Money, lang: str = "es", *, symbol: bool = True, code: bool = False) -> str:
    """Display ``m`` for people: ``"$1,234,567.89"`` (es-MX) or ``"MX$1,234,567.89"`` (en-US).

    Both locales group thousands with "," and use "." as the decimal point; the sign goes before
    the symbol (``"-$1,234.56"``). The result reads back with :meth:`Money.parse`.

    Args:
        m: the amount.
        lang: ``"es"`` or ``"en"`` (``"es_MX"``, ``"en-US"`` too); anything else is ``"es"``.
        symbol: put the currency symbol before the figure.
        code: append the ISO code (``" MXN"``).
    """
    base = lang.replace("-", "_").split("_")[0].lower()
    symbols = _SYMBOLS.get(base, _SYMBOLS["es"])
    units, cents = divmod(abs(m.centavos), 100)
    text = f"{'-' if m.centavos < 0 else ''}{symbols[m.currency] if symbol else ''}{units:,}.{cents:02d}"
    return f"{text} {m.currency}" if code else text


def parse_rate(text: str, field: str = "rate") -> Decimal:
    """Read an exchange rate in MXN per USD, e.g. ``"17.2345"``.

    Returns:
        The rate exactly as typed (``0 < rate < 1000``, at most 6 decimals).

    Raises:
        InputError: ``rate.empty``, ``rate.not_a_number``, ``rate.not_positive``,
            ``rate.too_many_decimals`` or ``rate.too_large``.
    """
    stripped = text.strip()
    if not stripped:
        raise InputError(Problem(field, "rate.empty", {}))
    if _RATE.fullmatch(stripped) is None:
        raise InputError(Problem(field, "rate.not_a_number", {"text": text}))
    rate = Decimal(stripped)
    if rate <= 0:
        raise InputError(Problem(field, "rate.not_positive", {"text": text}))
    if "." in stripped and len(stripped.split(".")[1]) > RATE_DECIMALS:
        raise InputError(Problem(field, "rate.too_many_decimals", {"text": text, "max": RATE_DECIMALS}))
    if rate >= MAX_RATE:
        raise InputError(Problem(field, "rate.too_large", {"text": text, "max": str(MAX_RATE)}))
    return rate


def convert_usd(usd: Money, rate: Decimal) -> Money:
    """Convert dollars to pesos at ``rate`` MXN per USD.

    The product ``usd.centavos * rate`` is computed exactly and rounded once to the centavo,
    half-up: ties go away from zero (0.5 centavo -> 1, -0.5 -> -1), so converting a negated
    amount gives the negated result.

    Raises:
        ValueError: ``usd`` is not in USD, or ``rate`` is not finite and positive.
        TypeError: ``rate`` is not a Decimal.
    """
    if usd.currency != "USD":
        raise ValueError(f"convert_usd needs USD, not {usd.currency}")
    if not isinstance(rate, Decimal):
        raise TypeError(f"rate must be a Decimal, not {type(rate).__name__}")
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"rate must be finite and positive, not {rate}")
    exact = abs(usd.centavos) * Fraction(rate)
    whole, rest = divmod(exact.numerator, exact.denominator)
    if 2 * rest >= exact.denominator:
        whole += 1
    return Money(-whole if usd.centavos < 0 else whole, "MXN")


@dataclass(frozen=True)
class RateGap:
    """Why a USD deposit's pesos differ from dollars x the published rate: the bank used its own.

    Attributes:
        expected: centavos MXN of ``usd x published rate``, rounded half-up (:func:`convert_usd`).
        effective_rate: the bank's rate, pesos credited / dollars, to 4 decimals (half-up).
        difference: ``credited - expected``, centavos MXN (negative when the bank credited less).
    """

    expected: int
    effective_rate: Decimal
    difference: int


def rate_gap(usd_cents: int, rate: Decimal, credited: int) -> RateGap | None:
    """The explanation an auditor needs when ``credited`` is not ``usd_cents x rate``; None when equal.

    Raises:
        ValueError: ``usd_cents`` is not positive, or ``rate`` is not finite and positive.
    """
    if usd_cents <= 0:
        raise ValueError(f"a USD deposit has positive cents, not {usd_cents}")
    expected = convert_usd(Money(usd_cents, "USD"), rate).centavos
    if credited == expected:
        return None
    exact = Fraction(credited, usd_cents) * 10_000  # pesos per dollar, in ten-thousandths
    whole, rest = divmod(exact.numerator, exact.denominator)
    if 2 * rest >= exact.denominator:
        whole += 1
    return RateGap(expected, Decimal(whole).scaleb(-4), credited - expected)
