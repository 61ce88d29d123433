"""Mexican taxpayer ids (RFC): shape, embedded date and SAT check digit, checked before a payment is stored.

An RFC is 12 characters for a *persona moral* (company, municipality) and 13 for a *persona física*
(a person): 3 or 4 letters from the name, the date of incorporation or birth as YYMMDD, two homoclave
characters and a check digit computed by SAT's modulo-11 algorithm (:func:`rfc_check_digit`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from tresxuno.domain.problems import Problem

#: RFCs SAT issues for generic receivers and payees; they carry no real date or check digit.
GENERIC_RFCS: frozenset[str] = frozenset(
    {
        "XAXX010101000",  # público en general (a Mexican payee without an RFC of their own)
        "XEXX010101000",  # residente en el extranjero (a foreign payee)
    }
)
#: The code of a wrong check digit: a warning the officer confirms (see :func:`check_rfc`).
CHECK_DIGIT = "rfc.check_digit"
MORAL_LENGTH = 12
FISICA_LENGTH = 13

#: Value of each character in the check-digit sum (SAT's table): digits 0-9, letters A-N 10-23,
#: "&" 24, letters O-Z 25-36, the space 37 and "Ñ" 38.
_VALUES = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")}
# The pattern SAT's CFDI 4.0 schema gives for an RFC, letters and digits in their places.
_SHAPE = re.compile(r"(?P<name>[A-ZÑ&]{3,4})(?P<date>[0-9]{6})(?P<homoclave>[A-Z0-9]{2})(?P<digit>[0-9A])")


def normalize_rfc(text: str) -> str:
    """An RFC as SAT writes it: upper case, no spaces, hyphens or dots ("gode-561231-gr8": GODE561231GR8)."""
    compact = unicodedata.normalize("NFC", text or "")
    return re.sub(r"[\s\-.]", "", compact).upper()


def rfc_check_digit(stem: str) -> str:
    """SAT's check digit for the first 11 (moral) or 12 (física) characters of an RFC.

    The stem of a persona moral is padded on the left with one space so both kinds are 12
    characters; each character's value (see ``_VALUES``) is multiplied by its weight, 13 for the
    first down to 2 for the last, and the products are added. The digit is ``11 - sum % 11``,
    written ``0`` when that is 11 and ``A`` when it is 10.

    Args:
        stem: the RFC without its last character, already normalised (upper case).

    Returns:
        One character, ``0``-``9`` or ``A``.

    Raises:
        ValueError: the stem has another length or a character outside SAT's table.
    """
    if len(stem) not in (MORAL_LENGTH - 1, FISICA_LENGTH - 1):
        raise ValueError(f"an RFC stem has 11 or 12 characters, not {len(stem)}")
    padded = stem.rjust(FISICA_LENGTH - 1)
    try:
        total = sum(_VALUES[ch] * (13 - i) for i, ch in enumerate(padded))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} cannot appear in an RFC") from None
    digit = 11 - total % 11
    return "0" if digit == 11 else "A" if digit == 10 else str(digit)


def _date_is_valid(yymmdd: str) -> bool:
    """Whether YYMMDD is a real day in 19YY or 20YY (the century is not written; 29 Feb 00 is 2000)."""
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    for century in (1900, 2000):
        try:
            date(century + yy, mm, dd)
        except ValueError:
            continue
        return True
    return False


def check_rfc(text: str, field: str = "payee_rfc", *, check_digit: bool = True) -> list[Problem]:
    """Problems with an RFC typed by an officer; empty when it is valid.

    Accepts the generic RFCs in :data:`GENERIC_RFCS` as they are. Any other RFC must have the
    shape of a persona moral (12 characters) or física (13) and a real date: those are errors.
    A wrong check digit is only a warning (:data:`CHECK_DIGIT`): about 1.5 % of the RFCs SAT has
    issued fail its own formula, so the officer confirms it and the caller checks again with
    ``check_digit=False``. An RFC read from a stamped CFDI is SAT's own and is not checked at all.
    The text is normalised first (:func:`normalize_rfc`), so spaces and hyphens are fine.

    Returns:
        At most one problem, coded ``rfc.empty``, ``rfc.length`` (``length``), ``rfc.format``
        (``rfc``), ``rfc.date`` (``rfc``, ``date``: the six digits) or, with ``check_digit``,
        ``rfc.check_digit`` (``rfc``, ``expected``).
    """
    rfc = normalize_rfc(text)
    if not rfc:
        return [Problem(field, "rfc.empty", {})]
    if rfc in GENERIC_RFCS:
        return []
    if len(rfc) not in (MORAL_LENGTH, FISICA_LENGTH):
        return [Problem(field, "rfc.length", {"rfc": rfc, "length": len(rfc)})]
    shape = _SHAPE.fullmatch(rfc)
    # The name part has 3 letters for a persona moral and 4 for a física: the length decides.
    if shape is None or len(shape["name"]) != len(rfc) - 9:
        return [Problem(field, "rfc.format", {"rfc": rfc})]
    if not _date_is_valid(shape["date"]):
        return [Problem(field, "rfc.date", {"rfc": rfc, "date": shape["date"]})]
    expected = rfc_check_digit(rfc[:-1])
    if check_digit and rfc[-1] != expected:
        return [Problem(field, CHECK_DIGIT, {"rfc": rfc, "expected": expected})]
    return []


def only_check_digit(problems: Sequence[Problem]) -> bool:
    """Whether ``problems`` are all unconfirmed check-digit warnings (and there is one at least).

    Then the officer is asked to confirm the RFC as typed, and a "yes" records it; any other
    problem must be corrected first.
    """
    return bool(problems) and all(p.code == CHECK_DIGIT for p in problems)
