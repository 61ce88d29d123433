"""Year end: federal money unspent on 31 December goes back to the federal treasury (TESOFE).

Ley de Disciplina Financiera de las Entidades Federativas y los Municipios, art. 17: federal
transfers not spent (*devengadas*) by 31 December are refunded to the Tesorería de la Federación
within the first 15 calendar days of January. For each project of a fiscal year whose federal money
received minus paid minus refunded, as of 31 December, is above zero, a *reintegro* of that amount
is required by 15 January of the next year. Its status comes from the federal refunds recorded
after 31 December (in date order, until they cover the amount) and from an administrador's recorded
exception. Pure: the caller gives the aggregates and records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tresxuno.i18n import N_, _


class ReintegroStatus(StrEnum):
    """Where a required reintegro stands."""

    ON_TIME = "on_time"  # refunded by 15 January
    LATE = "late"  # refunded, but the refund completing it is dated after 15 January
    EXCEPTED = "excepted"  # not (fully) refunded; an administrador recorded why
    MISSING = "missing"  # not (fully) refunded and no exception


STATUS_LABELS: dict[ReintegroStatus, str] = {
    ReintegroStatus.ON_TIME: N_("Refunded in time"),
    ReintegroStatus.LATE: N_("Refunded late"),
    ReintegroStatus.EXCEPTED: N_("Excepted"),
    ReintegroStatus.MISSING: N_("Missing"),
}


def status_label(status: ReintegroStatus) -> str:
    """The status's name in the current language."""
    return _(STATUS_LABELS[status])


@dataclass(frozen=True)
class FederalYearEnd:
    """A project's federal money as of 31 December of its fiscal year, centavos MXN (net of reversals)."""

    project_id: int
    folio: str
    name: str
    received: int
    paid: int
    refunded: int

    @property
    def unspent(self) -> int:
        """What must go back to the federal treasury."""
        return self.received - self.paid - self.refunded


@dataclass(frozen=True)
class FederalRefund:
    """A federal refund dated after 31 December and not reversed: ``amount`` centavos > 0."""

    entry_id: int
    entry_date: date
    amount: int
    reference: str


@dataclass(frozen=True)
class ReintegroException:
    """An administrador's recorded reason why one project's reintegro is not (fully) made."""

    id: int
    fiscal_year: int
    project_id: int
    reason: str
    authorised_by: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class RequiredReintegro:
    """One project's required reintegro and where it stands.

    ``refunded`` is what federal refunds after 31 December add up to (capped at nothing: a larger
    refund shows as such); ``refund_date`` and ``refund_reference`` are those of the refund that
    completed the amount (on time or late), else empty. ``overdue`` is true when the deadline has
    passed (relative to the day asked about) and the reintegro is neither made nor excepted.
    """

    project_id: int
    folio: str
    name: str
    amount: int
    deadline: date
    status: ReintegroStatus
    refunded: int
    refund_date: date | None
    refund_reference: str
    exception: ReintegroException | None
    overdue: bool

    @property
    def blocks_close(self) -> bool:
        """A fiscal year cannot be closed while this reintegro is missing."""
        return self.status is ReintegroStatus.MISSING


def reintegro_deadline(year: int) -> date:
    """The last day to refund fiscal year ``year``'s unspent federal money: 15 January of the next year."""
    return date(year + 1, 1, 15)


def required_reintegros(
    year: int,
    federal: Iterable[FederalYearEnd],
    refunds: Mapping[int, Sequence[FederalRefund]],
    exceptions: Mapping[int, ReintegroException],
    *,
    today: date,
) -> tuple[RequiredReintegro, ...]:
    """The reintegros fiscal year ``year`` requires, by folio.

    Args:
        year: the fiscal year.
        federal: each project of that year's federal money as of 31 December.
        refunds: per project id, its federal refunds dated after 31 December of ``year``.
        exceptions: per project id, the exception recorded for its reintegro, if any.
        today: the day asked about, for ``overdue``.
    """
    deadline = reintegro_deadline(year)
    result = []
    for money in sorted(federal, key=lambda m: (m.folio, m.project_id)):
        amount = money.unspent
        if amount <= 0:
            continue
        covered = 0
        completing: FederalRefund | None = None
        for refund in sorted(refunds.get(money.project_id, ()), key=lambda r: (r.entry_date, r.entry_id)):
            covered += refund.amount
            if completing is None and covered >= amount:
                completing = refund
        exception = exceptions.get(money.project_id)
        if completing is not None:
            status = ReintegroStatus.ON_TIME if completing.entry_date <= deadline else ReintegroStatus.LATE
        elif exception is not None:
            status = ReintegroStatus.EXCEPTED
        else:
            status = ReintegroStatus.MISSING
        result.append(
            RequiredReintegro(
                project_id=money.project_id,
                folio=money.folio,
                name=money.name,
                amount=amount,
                deadline=deadline,
                status=status,
                refunded=covered,
                refund_date=completing.entry_date if completing else None,
                refund_reference=completing.reference if completing else "",
                exception=exception,
                overdue=status is ReintegroStatus.MISSING and today > deadline,
            )
        )
    return tuple(result)
