"""A project's goals (*metas*): what the works deliver, how much of it and for how many people.

The convenio states them and the quarterly report measures progress against them, so each goal is
a quantity of a unit ("350 metros lineales de pavimento") with the people it serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tresxuno.domain import limits
from tresxuno.domain.problems import Problem
from tresxuno.domain.validation import MAX_BENEFICIARIES, clean_text

#: Longest goal description: one sentence of the convenio's table of goals.
MAX_DESCRIPTION = limits.NAME
#: Longest unit ("metros cuadrados", "becas", "luminarias").
MAX_UNIT = 40
#: Most goals per project: a convenio lists a handful; more means the works were split wrongly.
MAX_GOALS = 20
#: Largest quantity, in thousandths (quantities allow three decimals: 1.250 km).
MAX_QUANTITY_MILLI = 10**12


@dataclass(frozen=True)
class Goal:
    """One goal: ``quantity_milli`` thousandths of ``unit`` (1250 = 1.25), serving ``beneficiaries`` people."""

    description: str
    quantity_milli: int
    unit: str
    beneficiaries: int

    @property
    def quantity_text(self) -> str:
        """The quantity with only the decimals it needs ("350", "1.25", "1,200.5")."""
        whole, frac = divmod(self.quantity_milli, 1000)
        text = f"{whole:,}"
        if frac:
            text += "." + f"{frac:03d}".rstrip("0")
        return text


def check_goals(goals: Sequence[Goal]) -> tuple[list[Goal], list[Problem]]:
    """The goals cleaned (text trimmed), and the problems of each one (field ``goals[i].name``)."""
    problems: list[Problem] = []
    if len(goals) > MAX_GOALS:
        problems.append(Problem("goals", "goal.too_many", {"count": len(goals), "max": MAX_GOALS}))
    cleaned: list[Goal] = []
    for i, g in enumerate(goals):
        number = i + 1
        description = clean_text(g.description, f"goals[{i}].description", problems, max_len=MAX_DESCRIPTION)
        unit = clean_text(g.unit, f"goals[{i}].unit", problems, max_len=MAX_UNIT)
        if not 0 < g.quantity_milli <= MAX_QUANTITY_MILLI:
            problems.append(
                Problem(
                    f"goals[{i}].quantity",
                    "goal.quantity_range",
                    {"number": number, "max": f"{MAX_QUANTITY_MILLI // 1000:,}"},
                )
            )
        if not 0 <= g.beneficiaries <= MAX_BENEFICIARIES:
            problems.append(
                Problem(
                    f"goals[{i}].beneficiaries",
                    "goal.beneficiaries_range",
                    {"number": number, "max": f"{MAX_BENEFICIARIES:,}"},
                )
            )
        cleaned.append(Goal(description, g.quantity_milli, unit, g.beneficiaries))
    return cleaned, problems


def parse_quantity(text: str) -> int | None:
    """A quantity typed by the officer ("350", "1,250.5") in thousandths; None when it is not a number.

    Commas group thousands; at most three decimals after a point.
    """
    compact = text.strip().replace(",", "")
    whole, dot, frac = compact.partition(".")
    if not whole.isascii() or not whole.isdigit() or (dot and not (frac.isascii() and frac.isdigit())):
        return None
    if len(frac) > 3 or len(whole) > 15:
        return None
    return int(whole) * 1000 + int(frac.ljust(3, "0") or "0")
