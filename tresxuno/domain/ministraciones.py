"""The deposit calendar (*ministraciones*): when each party must deposit which part of its share.

The convenio de concertación sets, per party, tranches that fall due on signing, on a date, or when
the works' physical progress reaches a percentage. Pure rules: the default calendar, the checks of an
edited one, and the status of each tranche given what the party has deposited so far.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.domain.problems import Problem

FIRMA, FECHA, AVANCE = "firma", "fecha", "avance"
#: What makes a tranche due: signing the convenio, a due date, or physical progress reaching N %.
TRIGGERS: tuple[str, ...] = (FIRMA, FECHA, AVANCE)
#: The default calendar: half on signing, half when the works reach 50 % (weights, trigger, percent).
DEFAULT_PLAN: tuple[tuple[int, str, int | None], ...] = ((1, FIRMA, None), (1, AVANCE, 50))
#: Due dates outside these years are typing mistakes (a convenio runs for a fiscal year or two).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Tranche:
    """One ministración: a party's ``number``-th deposit of ``amount`` centavos MXN and its trigger.

    ``due_date`` is set for ``fecha`` only, ``progress_percent`` (1-100) for ``avance`` only.
    """

    party: str
    number: int
    amount: int
    trigger: str
    due_date: date | None = None
    progress_percent: int | None = None


@dataclass(frozen=True)
class TrancheStatus:
    """Where a tranche stands on ``today``.

    Attributes:
        tranche: the tranche.
        due: whether it has fallen due (the convenio is signed, the date came, or progress reached it).
        due_on: the day it fell or falls due; None when unknown (progress not reached yet, or a
            convenio signed before the app recorded stage moves).
        received: the part of it covered by the party's deposits (applied to tranches in order).
        pending: ``amount - received``.
        overdue_days: days since ``due_on`` while something is pending after that day, else 0.
    """

    tranche: Tranche
    due: bool
    due_on: date | None
    received: int
    pending: int
    overdue_days: int

    @property
    def owed(self) -> bool:
        """Due and not fully covered: the party is behind on this deposit."""
        return self.due and self.pending > 0


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """``amount`` split by ``weights`` with the largest-remainder method: parts sum exactly to it.

    Ties of the remainder go to the earlier part (the first tranche gets the odd centavo).
    """
    total = sum(weights)
    parts = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in remainders[: amount - sum(parts)]:
        parts[i] += 1
    return parts


def default_calendar(shares: Mapping[str, int]) -> tuple[Tranche, ...]:
    """Each party's share, half on signing and half at 50 % progress; tranches of 0 left out."""
    result: list[Tranche] = []
    for party in _ordered(shares):
        parts = split(shares[party], [w for w, _t, _p in DEFAULT_PLAN])
        number = 0
        for amount, (_w, trigger, percent) in zip(parts, DEFAULT_PLAN, strict=True):
            if amount > 0:
                number += 1
                result.append(Tranche(party, number, amount, trigger, None, percent))
    return tuple(result)


_RANK = {p.value: i for i, p in enumerate(PARTY_ORDER)}


def _rank(party: str) -> tuple[int, str]:
    return _RANK.get(party, len(_RANK)), party


def _ordered(parties: Iterable[str]) -> list[str]:
    return sorted(set(parties), key=_rank)


def check_calendar(
    tranches: Sequence[Tranche], shares: Mapping[str, int], *, signed_on: date | None = None
) -> list[Problem]:
    """Everything wrong with a calendar (empty when it can be stored).

    Each tranche: a party with a share, an amount above 0, a known trigger; a ``fecha`` tranche needs
    a date between :data:`EARLIEST_YEAR` and :data:`LATEST_YEAR`, not before the convenio's signing;
    an ``avance`` tranche a percent from 1 to 100. Each party's tranches sum exactly to its share.
    """
    problems: list[Problem] = []
    totals: dict[str, int] = dict.fromkeys((p for p, s in shares.items() if s > 0), 0)
    for t in tranches:
        where = f"tranche.{t.party}.{t.number}"
        shown = {"party": t.party, "number": t.number}
        if t.party not in totals:
            problems.append(Problem(where, "ministracion.party_without_share", shown))
            continue
        if t.amount <= 0:
            problems.append(Problem(where, "ministracion.amount_not_positive", {**shown, "amount": t.amount}))
        totals[t.party] += t.amount
        if t.trigger not in TRIGGERS:
            problems.append(
                Problem(
                    where,
                    "ministracion.trigger_unknown",
                    {**shown, "trigger": t.trigger, "allowed": ", ".join(TRIGGERS)},
                )
            )
        elif t.trigger == FECHA:
            if t.due_date is None:
                problems.append(Problem(where, "ministracion.date_missing", shown))
            elif not EARLIEST_YEAR <= t.due_date.year <= LATEST_YEAR:
                problems.append(
                    Problem(
                        where,
                        "ministracion.date_out_of_range",
                        {**shown, "date": t.due_date.isoformat(), "min": EARLIEST_YEAR, "max": LATEST_YEAR},
                    )
                )
            elif signed_on is not None and t.due_date < signed_on:
                problems.append(
                    Problem(
                        where,
                        "ministracion.date_before_signing",
                        {**shown, "date": t.due_date.isoformat(), "signed": signed_on.isoformat()},
                    )
                )
        elif t.trigger == AVANCE and (t.progress_percent is None or not 1 <= t.progress_percent <= 100):
            problems.append(
                Problem(where, "ministracion.percent_out_of_range", {**shown, "value": t.progress_percent})
            )
    for party in _ordered(totals):
        if totals[party] != shares[party]:
            problems.append(
                Problem(
                    f"calendar.{party}",
                    "ministracion.sum_differs",
                    {"party": party, "total": totals[party], "share": shares[party]},
                )
            )
    return problems


def reached_on(percent: int, progress: Iterable[tuple[date, int]]) -> date | None:
    """The date of the first progress report at or above ``percent`` % (reports as (date, tenths))."""
    for on, tenths in sorted(progress, key=lambda r: r[0]):
        if tenths >= percent * 10:
            return on
    return None


def tranche_status(
    tranches: Sequence[Tranche],
    received: Mapping[str, int],
    *,
    signed: bool,
    signed_on: date | None,
    progress: Iterable[tuple[date, int]],
    today: date,
) -> tuple[TrancheStatus, ...]:
    """The status of every tranche on ``today``, party by party in tranche order.

    A party's deposits so far (``received``, net of reversals) cover its tranches in order. A
    ``firma`` tranche is due once ``signed`` (on ``signed_on`` when known); a ``fecha`` tranche on
    its date; an ``avance`` tranche on the day a report first reached its percent.
    """
    reports = sorted(progress, key=lambda r: r[0])
    left = {party: max(0, amount) for party, amount in received.items()}
    result: list[TrancheStatus] = []
    for t in sorted(tranches, key=lambda t: (_rank(t.party), t.number)):
        got = min(t.amount, left.get(t.party, 0))
        left[t.party] = left.get(t.party, 0) - got
        if t.trigger == FIRMA:
            due_on = signed_on if signed else None
            due = signed and (signed_on is None or signed_on <= today)
        elif t.trigger == FECHA:
            due_on = t.due_date
            due = due_on is not None and due_on <= today
        else:
            due_on = reached_on(t.progress_percent or 0, reports)
            due = due_on is not None and due_on <= today
        pending = t.amount - got
        late = (today - due_on).days if due and pending > 0 and due_on is not None else 0
        result.append(TrancheStatus(t, due, due_on, got, pending, max(0, late)))
    return tuple(result)
