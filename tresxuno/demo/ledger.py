"""Demo money trail: deposits, payments with CFDIs, refunds and reversals for the demo projects.

Called by :func:`tresxuno.demo.projects.generate_demo` inside its transaction, after the projects
are written. Every entry is drawn so that it would pass the guards of :mod:`tresxuno.services.ledger`
and tells a story an auditor would accept:

* money moves only once a convenio is signed and inside the project's fiscal year;
* works start (``en_ejecucion``) only with the first ministración, at least half of every party's
  share, deposited by that day; a deposit never exceeds the party's outstanding share unless it
  carries an authorised override;
* a payment draws only on the parties holding money on the project, in proportion to their
  shares and capped at what each holds (:func:`_draw`), so no party's running balance is ever
  negative; a works contract's anticipo is 30 % of it, and its anticipo, estimaciones and
  finiquito go to one contractor;
* a closed project holds nothing: savings, excedentes and leftovers go back to each party, federal
  money to the TESOFE with its línea de captura; in the closed fiscal years the federal money not
  spent by 31 December is refunded to the TESOFE too;
* payees' RFCs are valid and dated before the payments they receive; CFDI UUIDs (unique) appear
  only from 2014, when electronic invoices became mandatory (earlier payments keep a scanned
  receipt).

Club deposits are often in dollars, converted at a FIX-like rate that is also written to
``exchange_rates``. Fiscal years up to two before "today" are written as closed.

Speed: entries and allocation lines are plain dicts written with Core ``executemany`` in batches,
with explicit ids; per project the cash is simulated in memory in date order, never read back.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from tresxuno.db.audit import audit_bulk_insert
from tresxuno.db.models import (
    ExchangeRate,
    FiscalYear,
    LedgerAllocation,
    LedgerEntry,
    Project,
    ProjectShare,
    StageChange,
)
from tresxuno.domain.ledger import (
    CONTRIBUTION,
    LEDGER_STAGES,
    PAYMENT,
    REFUND,
    REVERSAL,
    draw_from_funds,
    party_rank,
    rate_mismatch,
)
from tresxuno.domain.money import Money, convert_usd
from tresxuno.domain.rfc import rfc_check_digit
from tresxuno.domain.stages import Stage
from tresxuno.services.progress import CancelToken

#: Who the demo entries name as their author.
DEMO_USER = "demo"
#: Entries per executemany batch (allocation lines go in the same rhythm).
BATCH_SIZE = 20_000
RATE_SOURCE = "Banxico FIX"
#: Fiscal years ending this many years before "today", or earlier, are written as closed.
CLOSED_YEARS_BACK = 2
#: CFDI (electronic invoices) became mandatory for everyone in 2014; earlier payments keep a
#: scanned paper receipt and no UUID.
CFDI_FROM_YEAR = 2014

#: Mean FIX rate of each year in ten-thousandths of a peso, shaped like Banxico's annual
#: averages; the daily demo rates wander around them. Demo values, not official figures.
_FIX_BASE: dict[int, int] = {
    2005: 108_940, 2006: 109_010, 2007: 109_280, 2008: 111_300, 2009: 135_000, 2010: 126_300,
    2011: 124_200, 2012: 131_700, 2013: 127_700, 2014: 133_000, 2015: 158_700, 2016: 186_900,
    2017: 189_300, 2018: 192_400, 2019: 192_600, 2020: 214_900, 2021: 202_800, 2022: 201_200,
    2023: 177_600, 2024: 183_300, 2025: 191_000, 2026: 184_000,
}  # fmt: skip


@dataclass(frozen=True)
class _Payee:
    name: str
    rfc: str


def _payee(name: str, stem: str) -> _Payee:
    """A payee whose RFC is ``stem`` plus its SAT check digit (so every demo RFC validates)."""
    return _Payee(name, stem + rfc_check_digit(stem))


#: Contractors of public works (personas morales, 12-character RFCs).
_CONTRACTORS = (
    _payee("Construcciones y Pavimentos del Cañón, S.A. de C.V.", "CPC1005124T"),
    _payee("Edificaciones Sánchez Román, S.A. de C.V.", "ESR0803115K"),
    _payee("Constructora Los Cardos de Jerez, S.A. de C.V.", "CCJ1206187Q"),
    _payee("Obras Hidráulicas del Sur de Zacatecas, S.A. de C.V.", "OHS0911023B"),
    _payee("Urbanizadora Juchipila, S. de R.L. de C.V.", "UJU1502278M"),
    _payee("Grupo Constructor Peñasco, S.A. de C.V.", "GCP0707304A"),
    _payee("Ingeniería y Caminos de los Altos, S.A. de C.V.", "ICA1104195R"),
    _payee("Electrificaciones Ávila, S.A. de C.V.", "EAV1310081H"),
    # Older firms, incorporated before the 4x1 years (an RFC's date is its incorporation).
    _payee("Constructora Jerezana, S.A. de C.V.", "CJE9403152H"),
    _payee("Pavimentos y Caminos de Zacatecas, S.A. de C.V.", "PCZ9810067A"),
    _payee("Construcciones Tierra Michoacana, S.A. de C.V.", "CTM0108229B"),
)
#: Suppliers of productive projects: companies and persons (13-character RFCs).
_SUPPLIERS = (
    _payee("Invernaderos y Riego Tecnificado del Bajío, S.A. de C.V.", "IRT1408223D"),
    _payee("Maquinaria Agrícola Fresnillo, S.A. de C.V.", "MAF0605307J"),
    _payee("Equipos para Tortillería La Espiga, S.A. de C.V.", "ETE1111174C"),
    _payee("María Guadalupe Ortiz Núñez", "OINM7809153K"),
    _payee("José Ángel Muñoz Ibáñez", "MUIA820417B2"),
    _payee("Rocío Márquez Saldívar", "MASR850722HX"),
    _payee("Agroinsumos del Valle de Jerez, S.A. de C.V.", "AVJ9707145N"),
)
#: A scholarship batch is paid to the students by bank transfer: SAT's generic RFC, a receipt, no CFDI.
_STUDENTS = _Payee("Beneficiarios de becas 3x1 (dispersión bancaria)", "XAXX010101000")

#: Categories whose money pays a public works contract (anticipo, estimaciones, finiquito).
_WORKS_CATEGORIES = frozenset({"infrastructure", "community-services", "education"})
_PRODUCTIVE_CONCEPTS = (
    "Compra de equipo",
    "Compra de insumos y materiales",
    "Capacitación y puesta en marcha",
)
_OVERRIDE_REASONS = (
    "El club envió un excedente para obra complementaria; aprobado por el cabildo",
    "Aportación adicional del club para ampliar las metas del proyecto, autorizada por el comité",
)
_OVERRIDE_AUTHORITIES = ("Tesorero municipal", "Director de Desarrollo Social", "Contralora municipal")


def _anticipo(contract: int) -> int:
    """30 % of the contract, to the nearest centavo (half a centavo up)."""
    return (contract * 3 + 5) // 10


@functools.cache
def rfc_date(rfc: str) -> date:
    """The date an RFC carries (incorporation of a persona moral, birth of a física).

    Both lengths end in six digits and a three-character homoclave; years 30-99 are 19xx.
    """
    digits = rfc[-9:-3]
    year = int(digits[:2])
    return date((1900 if year >= 30 else 2000) + year, int(digits[2:4]), int(digits[4:6]))


def _payees_by(payees: Sequence[_Payee], when: date) -> Sequence[_Payee]:
    """The payees whose RFC existed before ``when`` (a firm is not paid before it is incorporated)."""
    return [p for p in payees if rfc_date(p.rfc) < when] or payees[:1]


def _pesos(centavos: int) -> str:
    """``$1,234,567.89``: the amount as a contract states it (not localised: a fixed concept text)."""
    return f"${centavos // 100:,}.{centavos % 100:02d}"


def _draw(amount: int, shares: dict[str, int], cash: dict[str, int]) -> dict[str, int] | None:
    """The lines of a payment of ``amount`` by the ledger's rule (:func:`draw_from_funds`), negative.

    Only parties with a share and money are drawn on; None when together they hold less than ``amount``.
    """
    pool = {p: c for p, c in cash.items() if c > 0 and shares.get(p, 0) > 0}
    if sum(pool.values()) < amount:
        return None
    return {p: -a for p, a in draw_from_funds(amount, shares, pool).items() if a}


@dataclass
class _Ids:
    entry: int
    line: int


@dataclass
class _Sink:
    """Rows waiting for the next executemany."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class DemoLedgerSummary:
    """What :func:`add_demo_ledger` wrote."""

    entries: int
    allocation_lines: int
    exchange_rates: int
    closed_years: int


def add_demo_ledger(
    session: Session, rng: random.Random, today: date, *, cancel: CancelToken | None = None
) -> DemoLedgerSummary:
    """Write a consistent money trail for every demo project whose convenio is signed.

    Args:
        session: the demo's session, inside its transaction (projects, shares and stage history
            already written).
        rng: the random generator; the same seed (and ``today``) writes the same entries.
        today: nothing is dated after it; years up to ``today.year - 2`` are closed.
        cancel: checked between batches; cancelling rolls the whole demo back.

    Returns:
        How many entries, allocation lines, exchange rates and closed years were written.
    """
    token = cancel or CancelToken()
    projects = session.execute(
        select(Project.id, Project.folio, Project.fiscal_year, Project.stage, Project.category)
        .where(Project.stage.in_(sorted(LEDGER_STAGES)))
        .order_by(Project.id)
    ).all()
    if not projects:
        return DemoLedgerSummary(0, 0, 0, 0)
    shares: dict[int, dict[str, int]] = {}
    for project_id, party, amount in session.execute(
        select(ProjectShare.project_id, ProjectShare.party, ProjectShare.amount).where(
            ProjectShare.project_id.in_(select(Project.id).where(Project.stage.in_(sorted(LEDGER_STAGES))))
        )
    ):
        shares.setdefault(project_id, {})[party] = amount
    milestones: dict[tuple[int, str], date] = {}
    for project_id, stage, changed_at in session.execute(
        select(StageChange.project_id, StageChange.to_stage, StageChange.changed_at).where(
            StageChange.to_stage.in_(sorted(LEDGER_STAGES)),
            StageChange.project_id.in_(select(Project.id).where(Project.stage.in_(sorted(LEDGER_STAGES)))),
        )
    ):
        milestones[(project_id, stage)] = changed_at.date()

    first_year = min(p.fiscal_year for p in projects)
    # From December of the year before, so a deposit on 2 January has a previous banking day's rate.
    rates, rate_rows = _fix_rates(
        session, random.Random(rng.getrandbits(64)), date(first_year - 1, 12, 1), today
    )
    if rate_rows:
        session.execute(insert(cast(Table, ExchangeRate.__table__)), rate_rows)

    ids = _Ids(
        entry=(session.scalar(select(func.max(LedgerEntry.id))) or 0) + 1,
        line=(session.scalar(select(func.max(LedgerAllocation.id))) or 0) + 1,
    )
    sink = _Sink()
    written_entries = written_lines = 0
    showcase_done = False
    for project in projects:
        writer = _ProjectLedger(rng, ids, sink, project, shares.get(project.id, {}), milestones, rates, today)
        showcase_done |= writer.write(showcase=not showcase_done)
        if len(sink.entries) >= BATCH_SIZE:
            token.raise_if_cancelled()
            written_entries, written_lines = _flush(session, sink, written_entries, written_lines)
    token.raise_if_cancelled()
    written_entries, written_lines = _flush(session, sink, written_entries, written_lines)
    closed = _close_old_years(session, {p.fiscal_year for p in projects}, today)
    return DemoLedgerSummary(written_entries, written_lines, len(rate_rows), closed)


def _flush(session: Session, sink: _Sink, entries: int, lines: int) -> tuple[int, int]:
    if sink.entries:
        _bulk_insert(session, cast(Table, LedgerEntry.__table__), sink.entries)
        _bulk_insert(session, cast(Table, LedgerAllocation.__table__), sink.lines)
    entries, lines = entries + len(sink.entries), lines + len(sink.lines)
    sink.entries.clear()
    sink.lines.clear()
    return entries, lines


def _bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """``INSERT`` many rows through the driver's ``executemany``, in the session's transaction.

    The same statement and values as a Core ``insert(table)`` with a list of rows, but each value
    goes through its column type's bind processor directly (a date becomes SQLite's text form,
    PostgreSQL's driver takes it as it is), skipping SQLAlchemy's generic per-row parameter
    handling, which took about a third of the time spent writing the demo ledger.
    """
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    processors = {key: table.c[key].type.bind_processor(dialect) for key in keys}
    if compiled.positional and compiled.positiontup is not None:
        order = [(key, processors[key]) for key in compiled.positiontup]
        params: list[Any] = [tuple(p(row[k]) if p else row[k] for k, p in order) for row in rows]
    else:
        params = [{k: _bound(processors[k], v) for k, v in row.items()} for row in rows]
    connection.exec_driver_sql(str(compiled), params)
    # Straight to the driver, so past the session's audit hook: record the rows here.
    audit_bulk_insert(connection, table, rows)


def _bound(processor: Callable[[Any], Any] | None, value: Any) -> Any:
    return processor(value) if processor is not None else value


def _close_old_years(session: Session, years: set[int], today: date) -> int:
    """Old fiscal years are closed, as an office's would be; a year already listed is left alone."""
    have = set(session.scalars(select(FiscalYear.year)))
    rows = [
        {"year": y, "closed_at": datetime(y + 1, 1, 20, 13, 0), "closed_by": DEMO_USER}
        for y in sorted(years)
        if y <= today.year - CLOSED_YEARS_BACK and y not in have
    ]
    if rows:
        session.execute(insert(cast(Table, FiscalYear.__table__)), rows)
    return len(rows)


def _fix_rates(
    session: Session, rng: random.Random, start: date, end: date
) -> tuple[dict[date, tuple[Decimal, int]], list[dict[str, Any]]]:
    """A FIX-like rate for every weekday from ``start`` to ``end``; rates already stored are kept.

    The walk is in whole ten-thousandths of a peso (no floats, so every platform draws the same
    rates) and is pulled towards each year's mean in :data:`_FIX_BASE`.

    Returns:
        ``{day: (rate, rate in ten-thousandths)}`` for every weekday, and the rows to insert.
    """
    stored = {
        day: Decimal(rate)
        for day, rate in session.execute(
            select(ExchangeRate.rate_date, ExchangeRate.rate).where(
                ExchangeRate.rate_date >= start, ExchangeRate.rate_date <= end
            )
        )
    }
    rates: dict[date, tuple[Decimal, int]] = {}
    rows = []
    years = sorted(_FIX_BASE)
    level = _FIX_BASE.get(start.year, _FIX_BASE[years[0]])
    day = start
    while day <= end:
        if day.weekday() < 5:
            target = _FIX_BASE.get(day.year, _FIX_BASE[min(max(day.year, years[0]), years[-1])])
            level += rng.randint(-300, 300) + (target - level) // 15
            if day in stored:
                rate = stored[day]
                rates[day] = (rate, int(rate * 10_000))
            else:
                rate = Decimal(level).scaleb(-4)
                rates[day] = (rate, level)
                rows.append({"rate_date": day, "rate": str(rate), "source": RATE_SOURCE})
        day += timedelta(days=1)
    return rates, rows


class _ProjectLedger:
    """Draws one project's entries in date order while tracking its cash and each party's.

    The story follows the stage history: deposits after the convenio is signed (at least the first
    ministración, half of every party's share, by the day works start), the works contract's
    anticipo, the rest of the deposits, estimaciones and finiquito before the works are finished,
    and, on closing, every party's remaining money refunded (federal money to the TESOFE). A payment
    takes money only from parties that hold some (:func:`_draw`), so no party's balance on the
    project ever goes below zero.
    """

    def __init__(
        self,
        rng: random.Random,
        ids: _Ids,
        sink: _Sink,
        project: Any,
        shares: dict[str, int],
        milestones: dict[tuple[int, str], date],
        rates: dict[date, tuple[Decimal, int]],
        today: date,
    ):
        self.rng, self.ids, self.sink, self.project = rng, ids, sink, project
        self.shares = {p: a for p, a in sorted(shares.items(), key=lambda pa: party_rank(pa[0])) if a > 0}
        self.rates = rates
        self.last_day = min(date(project.fiscal_year, 12, 31), today)
        pid = project.id
        self.signed = milestones.get((pid, Stage.CONVENIO_FIRMADO.value), self.last_day)
        self.started = milestones.get((pid, Stage.EN_EJECUCION.value))
        self.finished = milestones.get((pid, Stage.TERMINADO.value))
        self.closed = milestones.get((pid, Stage.CERRADO.value))
        self.closed_year = project.fiscal_year <= today.year - CLOSED_YEARS_BACK
        self.works = project.category in _WORKS_CATEGORIES
        self.contract_no = f"OP-{project.fiscal_year}-{pid:05d}"
        self.contractor: _Payee | None = None
        self.cash = 0
        self.party_cash = dict.fromkeys(self.shares, 0)
        self.received = dict.fromkeys(self.shares, 0)
        # This project's entries and lines by id, for reversals (the sink holds many projects).
        self.written: dict[int, tuple[dict[str, Any], dict[str, int]]] = {}
        self.latest = date.min
        self.before_hours = False  # set while closing: entries typed before the close is recorded
        self.showcase = False
        self.showcased = False

    # --- drawing

    def write(self, *, showcase: bool) -> bool:
        """Write the project's entries; returns True when it wrote the reversal of a reversal.

        ``showcase`` asks for a reversal of a reversal on the first project that can take one, so
        even the smallest demo shows a correction being corrected.
        """
        if not self.shares:
            return False
        self.showcase = showcase
        if self.project.stage == Stage.CONVENIO_FIRMADO.value or self.started is None:
            self._signed_only()
        else:
            self._works(self.project.stage)
        if self.project.stage == Stage.CERRADO.value:
            self._close(self.closed or self.last_day)
        elif self.closed_year:
            self._refund_federal(self.last_day)
        return self.showcased

    def _signed_only(self) -> None:
        """Signed, works not started: some parties deposited, perhaps the contractor's anticipo."""
        rng = self.rng
        plan = []
        for party, share in self.shares.items():
            amount = share * rng.choice((0, 0, 50, 100)) // 100
            if amount > 0:
                plan.append((party, amount))
        self._deposits(plan, self.signed, min(self.signed + timedelta(days=75), self.last_day))
        if self.works and rng.random() < 0.3:
            contract = self._contract()
            self._pay(
                self._day_between(self.latest, self.last_day), _anticipo(contract), 1, "anticipo", contract
            )

    def _works(self, stage: str) -> None:
        """Works started: first ministración by the start, then payments and the rest of the money."""
        rng = self.rng
        started = self.started or self.signed
        end = max(self.finished or min(self.last_day, started + timedelta(days=150)), started)
        span = (end - started).days
        quarter, half = started + timedelta(days=span // 4), started + timedelta(days=span // 2)
        whole_at_once = rng.random() < 0.8
        complete = stage != Stage.EN_EJECUCION.value or rng.random() < 0.8
        first, second = [], []
        for party, share in self.shares.items():
            if whole_at_once or share < 200_000:
                first.append((party, share))
            else:
                opening = share - share // 2  # the first ministración: half the share, rounded up
                first.append((party, opening))
                if complete:
                    second.append((party, share - opening))
        self._deposits(first, min(self.signed + timedelta(days=1), started), started)
        contract = self._contract()
        paid = number = 0
        if self.works:
            anticipo = _anticipo(contract)
            number = 1
            if self._pay(self._day_between(started, quarter), anticipo, number, "anticipo", contract):
                paid = anticipo
        self._deposits(second, quarter, half)
        finishing = stage in (Stage.TERMINADO.value, Stage.CERRADO.value)
        target = contract if finishing else paid + (contract - paid) * rng.randint(0, 60) // 100
        count = rng.randint(1, 2) if self.works else rng.randint(1, 3)  # estimación(es) and finiquito
        amounts = list(_split(target - paid, count, rng)) if target > paid else []
        days = sorted(self._day_between(half, end) for _ in amounts)
        for position, (when, amount) in enumerate(zip(days, amounts, strict=True), start=1):
            number += 1
            final = finishing and position == len(amounts)
            kind = "finiquito" if final else "estimacion"
            if not self._pay(when, min(amount, self.cash), number, kind, contract):
                break

    def _contract(self) -> int:
        """The works contract (or the budget spent): the cost, or 90-99 % of it (savings refunded)."""
        cost = sum(self.shares.values())
        return cost if self.rng.random() < 0.75 else max(1, cost * self.rng.randint(90, 99) // 100)

    def _deposits(self, plan: Sequence[tuple[str, int]], start: date, end: date) -> None:
        dated = sorted(
            ((self._day_between(start, end), party, amount) for party, amount in plan),
            key=lambda item: (item[0], party_rank(item[1])),
        )
        for when, party, amount in dated:
            self._deposit(when, party, amount)

    def _deposit(self, when: date, party: str, amount: int) -> None:
        rng = self.rng
        if rng.random() < 0.02 and amount > 10_000:
            # A typo caught at once: the wrong amount is reversed and the right one recorded.
            wrong = amount - rng.randint(1, 9) * 10 ** rng.randint(2, 4) if amount > 100_000 else amount // 2
            wrong_id = self._contribution(when, party, max(wrong, 1))
            self._reversal(
                wrong_id, when, "Importe capturado con error; se registra de nuevo con el importe correcto"
            )
        self._contribution(when, party, amount)
        if party == "club" and self.received[party] == self.shares[party] and rng.random() < 0.03:
            # An authorised over-receipt: the club, its share paid in full, sent more.
            extra = max(100_00, self.shares[party] // 20)
            self._contribution(
                when,
                party,
                extra,
                override=(rng.choice(_OVERRIDE_REASONS), rng.choice(_OVERRIDE_AUTHORITIES)),
            )

    def _pay(self, when: date, amount: int, number: int, kind: str, contract: int) -> bool:
        """One payment (with the demo's corrections around it); False when the money is not there."""
        rng = self.rng
        written = self._payment(when, amount, number, kind, contract)
        if written is None:
            return False
        payment_id, with_cfdi = written
        if self.showcase and not self.showcased and with_cfdi:
            first = self._reversal(payment_id, when, "Se creyó pago duplicado; se revierte")
            self._reversal(first, when, "La reversa fue un error: el pago sí se realizó una sola vez")
            self.showcased = True
        elif not with_cfdi and self.cash >= amount and rng.random() < 0.05:
            # The same receipt typed twice; the second copy is reversed.
            twin = self._payment(when, amount, number, kind, contract, cfdi=False)
            if twin is not None:
                self._reversal(twin[0], when, "Pago registrado dos veces por error")
        return True

    def _close(self, closed: date) -> None:
        """Closing: every party's remaining money goes back to it (federal money to the TESOFE)."""
        # After the works were received (terminado) and the last payment, by the closing day.
        start = max(self.latest, self.finished or self.latest)
        when = self._day_between(start, closed) if start <= closed else start
        # Recorded before the close itself (stage moves happen from 9:00): a refund on the closing
        # day typed after the close would need an administrador's authorisation.
        self.before_hours = True
        for party in self.shares:
            amount = self.party_cash[party]
            if amount <= 0:
                continue
            if party == "federal":
                self._federal_refund(when, amount, "al cierre del proyecto")
            elif self.received[party] > self.shares[party]:
                reason = f"Devolución a la aportante ({party}) del excedente y de los recursos no ejercidos"
                self._entry(
                    REFUND,
                    when,
                    -amount,
                    {party: -amount},
                    party=party,
                    reason=reason,
                    reference=self._spei(),
                )
            else:
                reason = f"Reintegro de recursos no ejercidos a la aportante ({party})"
                self._entry(
                    REFUND,
                    when,
                    -amount,
                    {party: -amount},
                    party=party,
                    reason=reason,
                    reference=self._spei(),
                )

    def _refund_federal(self, when: date) -> None:
        """A closed fiscal year: federal money not spent by 31 December went back to the TESOFE."""
        amount = self.party_cash.get("federal", 0)
        if amount > 0:
            self._federal_refund(when, amount, "al 31 de diciembre")

    def _federal_refund(self, when: date, amount: int, moment: str) -> None:
        reason = f"Reintegro a la TESOFE de recursos federales no ejercidos {moment}"
        reference = f"Línea de captura TESOFE {self.rng.randint(10**19, 10**20 - 1)}"
        self._entry(
            REFUND, when, -amount, {"federal": -amount}, party="federal", reason=reason, reference=reference
        )

    def _spei(self) -> str:
        return f"SPEI {self.rng.randint(10**9, 10**10 - 1)}"

    # --- writing

    def _contribution(
        self, when: date, party: str, amount: int, *, override: tuple[str, str] | None = None
    ) -> int:
        rng = self.rng
        extra: dict[str, Any] = {"reference": self._spei()}
        if party == "club" and rng.random() < 0.6:
            rate_day, rate, level = self._rate_before(when)
            usd = (amount * 10_000 + level // 2) // level
            if usd > 0 and not rate_mismatch(amount, convert_usd(Money(usd, "USD"), rate).centavos):
                # The bank credited ``amount`` pesos at its own rate, within 0.5 % of the FIX one.
                extra = {
                    "usd_amount": usd,
                    "rate": str(rate),
                    "rate_date": rate_day,
                    "rate_source": RATE_SOURCE,
                    "reference": f"Transferencia internacional {rng.randint(10**7, 10**8 - 1)}",
                }
        if override is not None:
            extra["override_reason"], extra["authorised_by"] = override
        else:
            assert self.received[party] + amount <= self.shares[party], (
                "demo deposit above the outstanding share"
            )
        self.received[party] += amount
        return self._entry(CONTRIBUTION, when, amount, {party: amount}, party=party, **extra)

    def _payment(
        self, when: date, amount: int, number: int, kind: str, contract: int, *, cfdi: bool | None = None
    ) -> tuple[int, bool] | None:
        """A payment drawn from the parties holding money; None when they hold less than ``amount``."""
        rng = self.rng
        category = self.project.category
        if amount <= 0:
            return None
        lines = _draw(amount, self.shares, self.party_cash)
        if lines is None:
            return None
        when = max(when, self.latest)
        if category == "scholarships":
            payee, concept, cfdi = _STUDENTS, f"Dispersión de becas, pago {number}", False
        elif category.startswith("productive"):
            payee = rng.choice(_payees_by(_SUPPLIERS, when))
            concept = f"{rng.choice(_PRODUCTIVE_CONCEPTS)}, pago {number}"
        else:
            if self.contractor is None:  # one contractor for the whole contract
                eligible = _payees_by(_CONTRACTORS, when)
                self.contractor = eligible[self.project.id % len(eligible)]
            payee = self.contractor
            if kind == "anticipo":
                concept = f"Anticipo del 30 % del contrato de obra {self.contract_no} por {_pesos(contract)}"
            elif kind == "finiquito":
                concept = f"Finiquito del contrato de obra {self.contract_no}"
            else:
                concept = f"Estimación {number - 1} del contrato de obra {self.contract_no}"
        if when.year < CFDI_FROM_YEAR:
            cfdi = False  # before 2014 an invoice was paper: the scanned receipt is the evidence
        elif cfdi is None:
            cfdi = rng.random() < 0.93
        return self._entry(
            PAYMENT,
            when,
            -amount,
            lines,
            payee_name=payee.name,
            payee_rfc=payee.rfc,
            concept=f"{concept} — {self.project.folio}",
            cfdi_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper() if cfdi else None,
            reference=f"Transferencia {rng.randint(10**6, 10**7 - 1)}",
        ), cfdi

    def _reversal(self, target_id: int, when: date, reason: str) -> int:
        target, target_lines = self.written[target_id]
        if target["kind"] == CONTRIBUTION:
            self.received[target["party"]] -= target["amount"]
        lines = {party: -amount for party, amount in target_lines.items()}
        return self._entry(
            REVERSAL,
            when,
            -target["amount"],
            lines,
            party=target["party"],
            reverses_id=target_id,
            reason=reason,
        )

    def _entry(self, kind: str, when: date, amount: int, lines: dict[str, int], **columns: Any) -> int:
        """Append an entry and its lines; its id is the next one, so statement order is draw order."""
        assert sum(lines.values()) == amount and amount != 0
        # Entries are drawn in date order per project: an earlier date would reorder the statement.
        when = max(when, self.latest)
        self.latest = when
        assert self.cash + amount >= 0, "demo ledger would make the cash negative"
        entry_id = self.ids.entry
        self.ids.entry += 1
        hour = 8 if self.before_hours else 9 + (entry_id * 7) % 8
        row = {
            "id": entry_id,
            "project_id": self.project.id,
            "kind": kind,
            "party": columns.get("party"),
            "entry_date": when,
            "amount": amount,
            "usd_amount": columns.get("usd_amount"),
            "rate": columns.get("rate"),
            "rate_date": columns.get("rate_date"),
            "rate_source": columns.get("rate_source"),
            "reference": columns.get("reference", ""),
            "payee_name": columns.get("payee_name"),
            "payee_rfc": columns.get("payee_rfc"),
            "concept": columns.get("concept", ""),
            "cfdi_uuid": columns.get("cfdi_uuid"),
            "reverses_id": columns.get("reverses_id"),
            "reason": columns.get("reason", ""),
            "created_at": datetime(when.year, when.month, when.day, hour, (entry_id * 13) % 60),
            "created_by": DEMO_USER,
            "override_reason": columns.get("override_reason", ""),
            "authorised_by": columns.get("authorised_by", ""),
        }
        self.sink.entries.append(row)
        self.written[entry_id] = (row, lines)
        for party, line in lines.items():  # already in party order (see _draw)
            self.sink.lines.append(
                {"id": self.ids.line, "entry_id": entry_id, "party": party, "amount": line}
            )
            self.ids.line += 1
            self.party_cash[party] = self.party_cash.get(party, 0) + line
        self.cash += amount
        return entry_id

    # --- dates and rates

    def _day_between(self, start: date, end: date) -> date:
        """A random day from ``start`` to ``end`` (both inside the fiscal year and not after today)."""
        start, end = min(start, self.last_day), min(max(end, start), self.last_day)
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def _rate_before(self, when: date) -> tuple[date, Decimal, int]:
        """The FIX determined on the last weekday before ``when`` (it applies the next banking day)."""
        day = when - timedelta(days=1)
        for _step in range(10):
            if day in self.rates:
                rate, level = self.rates[day]
                return day, rate, level
            day -= timedelta(days=1)
        raise RuntimeError(f"no demo exchange rate in the ten days before {when}")


def _split(total: int, parts: int, rng: random.Random) -> Sequence[int]:
    """``total`` centavos in ``parts`` positive amounts of roughly similar size, summing exactly."""
    if parts <= 1 or total < parts * 100:
        return [total]
    weights = [rng.randint(60, 140) for _ in range(parts)]
    amounts = [total * w // sum(weights) for w in weights]
    amounts[-1] += total - sum(amounts)
    return [a for a in amounts if a > 0]
