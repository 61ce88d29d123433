"""The CLABE (Clave Bancaria Estandarizada): the 18-digit account the parties deposit into.

Digits 1-3 are the bank, 4-6 the branch square, 7-17 the account and 18 a control digit: each of
the first 17 digits times 3, 7, 1, 3, 7, 1... (modulo 10), summed; the control digit is
``(10 - sum mod 10) mod 10``. A typo in one digit always fails it, so a deposit is not sent astray.
"""

from __future__ import annotations

from tresxuno.domain.problems import Problem

#: Digits of a CLABE.
LENGTH = 18
_WEIGHTS = (3, 7, 1)


def normalize_clabe(text: str) -> str:
    """The CLABE without the spaces or hyphens it is often written with."""
    return "".join(ch for ch in text if ch not in " -\t")


def clabe_control_digit(first17: str) -> str:
    """The control digit of the first 17 digits."""
    total = sum(int(d) * _WEIGHTS[i % 3] % 10 for i, d in enumerate(first17))
    return str((10 - total % 10) % 10)


def check_clabe(text: str, field: str = "clabe") -> list[Problem]:
    """Problems of a CLABE: empty, not 18 digits, or a wrong control digit (nothing when valid)."""
    value = normalize_clabe(text)
    if not value:
        return [Problem(field, "clabe.empty", {})]
    if not value.isascii() or not value.isdigit() or len(value) != LENGTH:
        return [Problem(field, "clabe.format", {"clabe": value, "length": len(value)})]
    expected = clabe_control_digit(value[:17])
    if value[17] != expected:
        return [
            Problem(field, "clabe.check_digit", {"clabe": value, "found": value[17], "expected": expected})
        ]
    return []
