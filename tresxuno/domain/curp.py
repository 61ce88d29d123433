"""The CURP (Clave Única de Registro de Población) of a person in a padrón: structure and check digit.

Eighteen characters: four letters from the names, the birth date (YYMMDD), the sex (H, M, or X
since 2023), the state of birth (two letters; NE for born abroad), three internal consonants, a
differentiator (a digit for people born before 2000, a letter after) and the check digit. The check
digit is RENAPO's: each of the first 17 characters takes its value in ``0-9A-NÑO-Z`` (0 to 36),
weighted 18 down to 2; the digit is ``(10 - sum % 10) % 10``. Most mistyped characters change it
(a sum modulo 10 cannot see them all; the birth date and state checks catch others).
"""

from __future__ import annotations

import re
from datetime import date

from tresxuno.domain.problems import Problem

#: Values of the characters in the check-digit sum (Ñ sits between N and O).
_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
#: State codes RENAPO uses (NE: born abroad).
STATES = frozenset(
    "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL VZ YN ZS NE".split()
)
_SHAPE = re.compile(r"[A-ZÑ]{4}[0-9]{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-ZÑ]{3}[0-9A-Z][0-9]")


def check_digit(first17: str) -> int:
    """The check digit of the first 17 characters of a CURP."""
    total = sum(_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(first17))
    return (10 - total % 10) % 10


def birth_date(curp: str) -> date | None:
    """The birth date a CURP encodes (the differentiator tells the century), or None when impossible."""
    year, month, day = int(curp[4:6]), int(curp[6:8]), int(curp[8:10])
    century = 2000 if curp[16].isalpha() else 1900
    try:
        return date(century + year, month, day)
    except ValueError:
        return None


#: The age of majority in Mexico: a younger student's receipt is signed by a parent or guardian.
ADULT_AGE = 18


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def minor_on(curp: str, day: date) -> bool:
    """Whether the person whose CURP this is is under age on ``day`` (False when it encodes no date)."""
    born = birth_date(curp)
    return born is not None and age_on(born, day) < ADULT_AGE


def curp_problem(value: str, field: str = "curp") -> tuple[str, Problem | None]:
    """The CURP cleaned (trimmed, upper case), and what is wrong with it, if anything.

    Problems: ``curp.shape`` (not 18 characters of the right kinds), ``curp.date`` (no such birth
    date), ``curp.state`` (not a state code), ``curp.check_digit`` (the last digit does not match:
    a character was mistyped), each naming the field and what is allowed.
    """
    curp = (value or "").strip().upper()
    if not _SHAPE.fullmatch(curp):
        return curp, Problem(field, "curp.shape", {"value": value})
    if birth_date(curp) is None:
        return curp, Problem(field, "curp.date", {"value": curp})
    if curp[11:13] not in STATES:
        return curp, Problem(field, "curp.state", {"value": curp, "state": curp[11:13]})
    expected = check_digit(curp[:17])
    if int(curp[17]) != expected:
        return curp, Problem(field, "curp.check_digit", {"value": curp, "expected": expected})
    return curp, None


def with_check_digit(first17: str) -> str:
    """A CURP completed with its check digit (for the demo and tests)."""
    return first17 + str(check_digit(first17))
