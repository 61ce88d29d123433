"""The money trail in pure Python: entry and balance records, input checks, and balance arithmetic.

The ledger is append-only. Every entry has a signed effect on the project's cash (contribution +,
payment and refund -, a reversal the negation of the entry it reverses) split into allocation lines,
one per party it concerns, that add up to it exactly. Balances are never stored: they are sums of
those lines. The services ring computes them with SQL aggregates; :func:`balance_from_entries`
computes the same figures from entries in memory, for guards on one project and as the test oracle.

Each party's money in a project is a *fund* that never goes negative, on any day. A contribution
fills the party's fund; a refund (reintegro) empties it, never below zero. A payment that states a
source party is drawn from that party's fund only, never beyond what it holds. A payment without a
source party is drawn from what the parties have actually deposited (:func:`draw_from_funds`): in
proportion to the approved shares among the parties that still have money available, each capped
at its available money; what a capped party cannot cover is drawn from the others in proportion to
their shares, repeatedly; leftover centavos go by largest remainder, ties broken by the fixed party
order (:func:`attribute`). A payment larger than all the money available is refused
(``payment.exceeds_funds``), naming what each party still owes. Available means, for an entry dated
D, the party's lowest running balance from D to the end (:func:`funds_available`), so a
back-dated entry never makes a running balance negative either. The total paid (net of reversals)
never exceeds the project's cost (``payment.exceeds_cost``): more needs a convenio modificatorio.

Budget moments of Mexican public accounting, as used in the balance records:
*aprobado* (approved shares), *comprometido* (committed: shares of projects whose convenio is
signed), *devengado* (accrued: payments backed by a CFDI invoice) and *pagado* (paid: all payments).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from tresxuno.domain import limits
from tresxuno.domain.cfdi import Cfdi
from tresxuno.domain.money import MAX_CENTAVOS, Money, convert_usd, parse_rate
from tresxuno.domain.parties import PARTY_ORDER, Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rfc import check_rfc, normalize_rfc
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import clean_text

CONTRIBUTION, PAYMENT, REFUND, REVERSAL = "contribution", "payment", "refund", "reversal"
KINDS: tuple[str, ...] = (CONTRIBUTION, PAYMENT, REFUND, REVERSAL)

#: Stages in which money may move: the convenio de concertación is signed (comprometido).
LEDGER_STAGES: frozenset[str] = frozenset(
    s.value for s in (Stage.CONVENIO_FIRMADO, Stage.EN_EJECUCION, Stage.TERMINADO, Stage.CERRADO)
)
#: Stages whose shares count as committed (comprometido): the same as :data:`LEDGER_STAGES`.
COMMITTED_STAGES: frozenset[str] = LEDGER_STAGES
#: Stages whose shares count as approved (aprobado): COVAM approved the project and it was not
#: cancelled afterwards.
APPROVED_STAGES: frozenset[str] = LEDGER_STAGES | {Stage.APROBADO.value}
#: A cancelled project may still give back money it received (refunds) and correct mistakes
#: (reversals, authorised by an administrador: :data:`ADMIN_REVERSAL_STAGES`), but receives and
#: pays nothing more. A closed one (cerrado) takes only authorised refunds and reversals.
CORRECTION_STAGES: frozenset[str] = LEDGER_STAGES | {Stage.CANCELADO.value}
#: Stages in which contributions and payments may be recorded: the convenio is signed and the
#: project is not closed (a closed project only gives back money, with an administrador's
#: authorisation).
RECORDING_STAGES: frozenset[str] = LEDGER_STAGES - {Stage.CERRADO.value}
#: Stages in which a refund or a reversal needs an administrador's authorisation (and a reason):
#: on a closed project anything recorded reopens accounts already rendered; on a cancelled one a
#: reversal could bring money back into a project that takes none.
ADMIN_REFUND_STAGES: frozenset[str] = frozenset({Stage.CERRADO.value})
ADMIN_REVERSAL_STAGES: frozenset[str] = frozenset({Stage.CERRADO.value, Stage.CANCELADO.value})

#: A USD contribution's MXN credited may differ from USD x rate by at most 1/200 (0.5 %): banks
#: credit at their own rate, which is near the official one, never far from it.
RATE_TOLERANCE_DIVISOR = 200
#: Longest texts, as the ``ledger_entries`` columns hold them.
MAX_REFERENCE, MAX_NAME, MAX_SOURCE, MAX_USER, MAX_LONG_TEXT = (
    limits.REFERENCE,
    limits.NAME,
    limits.SOURCE,
    limits.USER,
    limits.LONG_TEXT,
)

_ORDER = {p.value: i for i, p in enumerate(PARTY_ORDER)}
PARTY_IDS: tuple[str, ...] = tuple(p.value for p in PARTY_ORDER)


# --- Records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationLine:
    """The part of an entry concerning one party: signed centavos MXN of that party's cash."""

    party: str
    amount: int


@dataclass(frozen=True)
class EntryRecord:
    """One ledger entry as stored, with its allocation lines.

    Attributes:
        id: the entry's id; with ``entry_date`` it orders a project's statement.
        project_id, folio: the project it belongs to.
        kind: ``contribution``, ``payment``, ``refund`` or ``reversal``.
        party: the contributing or refunded party; a payment's stated source party (None when
            attributed to all parties); a reversal copies the reversed entry's.
        entry_date: the day the money moved (a reversal: the day the correction was made).
        amount: signed effect on the project's cash, centavos MXN (never 0);
            ``amount == sum(line.amount for line in lines)``.
        lines: allocation lines in party order.
        usd_amount: a USD contribution's dollars, in cents; None otherwise.
        rate, rate_date, rate_source: the exchange rate used (MXN per USD, decimal text), its date
            and who published it, for USD contributions.
        reference: bank reference or cheque number.
        payee_name, payee_rfc, concept, cfdi_uuid: a payment's payee, what was paid, and the UUID
            of its CFDI (None when the evidence is a scanned receipt).
        reverses_id: the entry a reversal cancels; None for the other kinds.
        reversed_by: the id of the reversal that cancels this entry, if any.
        reason: why a refund or reversal was made.
        override_reason, authorised_by: why a contribution above the outstanding share was
            accepted and who authorised it (empty otherwise).
        created_at, created_by: when (naive UTC) and by whom it was recorded.
        running_balance: the project's cash after this entry in statement order (entry date, then
            id), when read through a listing; None otherwise.
    """

    id: int
    project_id: int
    kind: str
    entry_date: date
    amount: int
    lines: tuple[AllocationLine, ...] = ()
    party: str | None = None
    folio: str = ""
    usd_amount: int | None = None
    rate: str | None = None
    rate_date: date | None = None
    rate_source: str | None = None
    reference: str = ""
    payee_name: str | None = None
    payee_rfc: str | None = None
    concept: str = ""
    cfdi_uuid: str | None = None
    reverses_id: int | None = None
    reversed_by: int | None = None
    reason: str = ""
    override_reason: str = ""
    authorised_by: str = ""
    created_at: datetime | None = None
    created_by: str = ""
    running_balance: int | None = None


@dataclass(frozen=True)
class PartyBalance:
    """One party's money in one project (or summed over a group of projects); centavos MXN.

    Attributes:
        party: the party id.
        share: the party's computed share of the project cost (``project_shares.amount``).
        approved: *aprobado*: the share, when the project is approved and not cancelled
            (:data:`APPROVED_STAGES`), else 0.
        committed: *comprometido*: the share, once the convenio is signed
            (:data:`COMMITTED_STAGES`), else 0.
        received: contributions received, net of their reversals.
        outstanding: ``max(0, approved - received)``: what the party still owes; never negative.
        over_received: ``max(0, received - approved)``: the *excedente*, money deposited beyond
            the approved share (authorised overrides, cancelled projects); reported, never netted
            against others; it must be refunded or applied by a convenio modificatorio (amendment)
            before the project is closed.
        paid: *pagado*: payments attributed to the party, net of reversals, as a positive number.
        accrued: *devengado*: the part of ``paid`` backed by a CFDI invoice.
        refunded: refunds (reintegros) to the party, net of reversals, positive.
        cash: ``received - paid - refunded``: the party's fund, its part of the cash on hand. Never
            negative: payments and refunds draw only on what the party deposited (see
            :func:`draw_from_funds`).
    """

    party: str
    share: int = 0
    approved: int = 0
    committed: int = 0
    received: int = 0
    outstanding: int = 0
    over_received: int = 0
    paid: int = 0
    accrued: int = 0
    refunded: int = 0
    cash: int = 0


@dataclass(frozen=True)
class ProjectBalance:
    """A project's money, per party and in total; centavos MXN; derived, never stored.

    Invariant: ``cash == sum(p.cash for p in parties)``, the sum of every entry's amount.
    """

    project_id: int
    folio: str
    stage: str
    parties: tuple[PartyBalance, ...]
    cash: int

    def party(self, party: str) -> PartyBalance:
        """The balance of ``party`` (zeros when it has no share and no entries)."""
        for line in self.parties:
            if line.party == party:
                return line
        return PartyBalance(party)

    @property
    def approved(self) -> int:
        """*Aprobado*: sum of the parties' approved shares."""
        return sum(p.approved for p in self.parties)

    @property
    def committed(self) -> int:
        """*Comprometido*: sum of the committed shares."""
        return sum(p.committed for p in self.parties)

    @property
    def received(self) -> int:
        """All contributions received, net of reversals."""
        return sum(p.received for p in self.parties)

    @property
    def outstanding(self) -> int:
        """What the parties still owe (each party's outstanding, never netted)."""
        return sum(p.outstanding for p in self.parties)

    @property
    def over_received(self) -> int:
        """What parties paid in beyond their approved shares."""
        return sum(p.over_received for p in self.parties)

    @property
    def paid(self) -> int:
        """*Pagado*: all payments, net of reversals."""
        return sum(p.paid for p in self.parties)

    @property
    def accrued(self) -> int:
        """*Devengado*: payments backed by a CFDI, net of reversals."""
        return sum(p.accrued for p in self.parties)

    @property
    def refunded(self) -> int:
        """Refunds to all parties, net of reversals."""
        return sum(p.refunded for p in self.parties)


@dataclass(frozen=True)
class GroupBalance:
    """A party's money summed over the projects of one fiscal year, programme and municipality.

    ``fiscal_year`` is the projects' fiscal (budget) year, not the dates of the entries. The
    money fields mean what they mean in :class:`PartyBalance`; ``outstanding`` and
    ``over_received`` are summed per project, so one project's over-receipt never hides
    another's shortfall. ``projects`` counts the projects with a share or an entry of the party.
    """

    fiscal_year: int
    program: str
    municipality_key: str
    party: str
    projects: int
    approved: int
    committed: int
    received: int
    outstanding: int
    over_received: int
    paid: int
    accrued: int
    refunded: int
    cash: int


@dataclass(frozen=True)
class UnspentFederal:
    """Federal money of a project not spent nor refunded: to be refunded to the federal treasury.

    ``unspent == received - paid - refunded`` of the federal party, centavos MXN, > 0.
    """

    project_id: int
    folio: str
    name: str
    municipality_key: str
    received: int
    paid: int
    refunded: int
    unspent: int


@dataclass(frozen=True)
class FiscalYearClose:
    """A closed fiscal year: entries dated in it are locked; what federal money is left to refund."""

    year: int
    closed_at: datetime
    closed_by: str
    unspent_federal: tuple[UnspentFederal, ...]


# --- Inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionInput:
    """A party's deposit into a project, as an officer records it.

    For a deposit in pesos give ``amount``. For one in dollars give ``usd_amount`` (cents), the
    ``rate`` (MXN per USD, as typed), its ``rate_date`` and ``rate_source``; ``amount`` is then
    what the bank credited in pesos, or None to credit ``usd_amount x rate`` rounded half-up.
    ``override_reason`` and ``authorised_by`` (both) allow a deposit above the party's outstanding
    share. ``receipt_path`` is a file (the bank slip) copied into the attachments folder.
    """

    project_id: int
    party: str
    entry_date: date
    amount: int | None = None
    usd_amount: int | None = None
    rate: str = ""
    rate_date: date | None = None
    rate_source: str = ""
    reference: str = ""
    receipt_path: Path | None = None
    override_reason: str = ""
    authorised_by: str = ""


@dataclass(frozen=True)
class PaymentInput:
    """A payment out of a project's cash, with its evidence.

    The evidence is a stamped CFDI 3.2, 3.3 or 4.0 XML invoice (``cfdi_path``) or a scanned
    receipt (``receipt_path``), at least one. With a CFDI, blank ``payee_name`` and ``payee_rfc``
    are taken from its issuer. ``source_party`` states that the money came from one party only;
    None draws it from the parties' funds by their approved shares (see :func:`draw_from_funds`).
    ``accept_rfc_check_digit`` records that the officer confirmed a typed ``payee_rfc`` whose SAT
    check digit does not match (some real RFCs fail it); without it such an RFC is refused with
    ``rfc.check_digit`` so the form can ask.
    """

    project_id: int
    entry_date: date
    amount: int
    payee_name: str = ""
    payee_rfc: str = ""
    concept: str = ""
    cfdi_path: Path | None = None
    receipt_path: Path | None = None
    source_party: str | None = None
    reference: str = ""
    accept_rfc_check_digit: bool = False


@dataclass(frozen=True)
class RefundInput:
    """A refund (reintegro) of unspent or disallowed money to a party; the reason is required.

    ``authorisation`` is the administrador's reason for authorising a refund on a closed project
    (required there, stored as the entry's ``override_reason``; ignored elsewhere).
    """

    project_id: int
    party: str
    entry_date: date
    amount: int
    reason: str
    reference: str = ""
    receipt_path: Path | None = None
    authorisation: str = ""


# --- Checks that need no database ---------------------------------------------------------------


def check_amount(amount: int | None, field: str = "amount", currency: str = "MXN") -> list[Problem]:
    """Problems with an amount in centavos, coded like :meth:`Money.parse`'s.

    ``amount.empty`` (None), ``amount.zero``, ``amount.negative`` (``text``) or
    ``amount.too_large`` (``max``).
    """
    if amount is None:
        return [Problem(field, "amount.empty", {})]
    if type(amount) is not int:
        raise TypeError(f"amounts are int centavos, not {type(amount).__name__}")
    if amount == 0:
        return [Problem(field, "amount.zero", {})]
    if amount < 0:
        return [Problem(field, "amount.negative", {"text": str(Money(amount, currency))})]
    if amount >= MAX_CENTAVOS:
        return [Problem(field, "amount.too_large", {"max": str(Money(MAX_CENTAVOS - 1, currency))})]
    return []


def check_date(day: date, today: date, field: str = "entry_date") -> list[Problem]:
    """``date.future`` (``date``, ``today``) when ``day`` is after ``today``; money moves are facts."""
    if day > today:
        return [Problem(field, "date.future", {"date": day.isoformat(), "today": today.isoformat()})]
    return []


def check_party(party: str | None, field: str = "party") -> list[Problem]:
    """``party.unknown`` (``party``, ``allowed``) unless ``party`` is one of the party ids."""
    if party not in PARTY_IDS:
        return [Problem(field, "party.unknown", {"party": party or "", "allowed": ", ".join(PARTY_IDS)})]
    return []


def rate_mismatch(credited: int, expected: int) -> bool:
    """Whether MXN ``credited`` differs from ``expected`` (USD x rate) by more than 0.5 % of it.

    Exact integer arithmetic: ``|credited - expected| * 200 > expected``.
    """
    return abs(credited - expected) * RATE_TOLERANCE_DIVISOR > expected


def check_contribution(
    data: ContributionInput, *, today: date
) -> tuple[int | None, Decimal | None, list[Problem]]:
    """Check a contribution's own fields and work out the pesos credited.

    Returns:
        ``(amount, rate, problems)``: the centavos MXN to credit (None when it cannot be
        worked out), the exchange rate of a USD deposit (None for pesos), and every problem:
        amount and date problems, ``party.unknown``, ``contribution.rate_required``,
        ``contribution.rate_date_required``, ``contribution.rate_date_after_entry``,
        ``contribution.rate_mismatch`` (``expected``, ``amount``), ``rate.*``, ``text.*``
        and ``override.incomplete`` (one of reason and authoriser given without the other).
    """
    problems = check_party(data.party) + check_date(data.entry_date, today)
    amount: int | None = data.amount
    rate: Decimal | None = None
    if data.usd_amount is None:
        problems += check_amount(data.amount)
    else:
        problems += check_amount(data.usd_amount, "usd_amount", "USD")
        if not data.rate.strip():
            problems.append(Problem("rate", "contribution.rate_required", {}))
        else:
            try:
                rate = parse_rate(data.rate)
            except InputError as exc:
                problems += exc.problems
        if data.rate_date is None:
            problems.append(Problem("rate_date", "contribution.rate_date_required", {}))
        elif data.rate_date > data.entry_date:
            problems.append(
                Problem(
                    "rate_date",
                    "contribution.rate_date_after_entry",
                    {"rate_date": data.rate_date.isoformat(), "entry_date": data.entry_date.isoformat()},
                )
            )
        clean_text(data.rate_source, "rate_source", problems, max_len=MAX_SOURCE)
        if data.amount is not None:
            problems += check_amount(data.amount)
        if rate is not None and not any(p.field == "usd_amount" for p in problems):
            expected = convert_usd(Money(data.usd_amount, "USD"), rate).centavos
            if amount is None:
                amount = expected
                if expected == 0:  # a few cents at a small rate round to no pesos at all
                    problems.append(Problem("usd_amount", "amount.zero", {}))
            elif amount > 0 and rate_mismatch(amount, expected):
                problems.append(
                    Problem(
                        "amount",
                        "contribution.rate_mismatch",
                        {"expected": expected, "amount": amount, "rate": str(rate)},
                    )
                )
    clean_text(data.reference, "reference", problems, required=False, max_len=MAX_REFERENCE)
    reason = clean_text(
        data.override_reason,
        "override_reason",
        problems,
        required=False,
        max_len=MAX_LONG_TEXT,
        multiline=True,
    )
    who = clean_text(data.authorised_by, "authorised_by", problems, required=False, max_len=MAX_USER)
    if bool(reason) != bool(who):
        missing = "authorised_by" if reason else "override_reason"
        problems.append(Problem(missing, "override.incomplete", {}))
    return (amount if not problems else None), rate, problems


#: An invoice backs a payment made at most this many days after it was issued (works are invoiced
#: as they are estimated and paid within the fiscal year; a year of slack covers a late payment)...
CFDI_DAYS_BEFORE_PAYMENT = 366
#: ... or at most this many days before it (an invoice issued once the transfer was seen).
CFDI_DAYS_AFTER_PAYMENT = 31


def check_cfdi_date(issued_on: date, paid_on: date) -> list[Problem]:
    """``payment.cfdi_date_out_of_window`` (``date``, ``start``, ``end``): an invoice far from the payment.

    A 1900 or 2099 invoice is a typo or a forgery; see :data:`CFDI_DAYS_BEFORE_PAYMENT`.
    """
    start = paid_on - timedelta(days=CFDI_DAYS_BEFORE_PAYMENT)
    end = paid_on + timedelta(days=CFDI_DAYS_AFTER_PAYMENT)
    if start <= issued_on <= end:
        return []
    window = {"date": issued_on.isoformat(), "start": start.isoformat(), "end": end.isoformat()}
    return [Problem("cfdi", "payment.cfdi_date_out_of_window", window)]


def check_cfdi_receiver(receiver_rfc: str, office_rfc: str) -> list[Problem]:
    """``payment.cfdi_receiver_differs`` (``receiver_rfc``, ``office_rfc``): billed to someone else.

    With ``office_rfc`` empty there is nothing to compare, and no problem.
    """
    office = normalize_rfc(office_rfc)
    if not office or normalize_rfc(receiver_rfc) == office:
        return []
    return [
        Problem(
            "cfdi",
            "payment.cfdi_receiver_differs",
            {"receiver_rfc": normalize_rfc(receiver_rfc), "office_rfc": office},
        )
    ]


def check_payment(
    data: PaymentInput,
    *,
    today: date,
    cfdi_total: int | None = None,
    cfdi_issuer_rfc: str | None = None,
    cfdi_currency: str | None = None,
    cfdi_issued_on: date | None = None,
    cfdi_receiver_rfc: str | None = None,
    office_rfc: str = "",
) -> list[Problem]:
    """Check a payment's own fields, and that they agree with its CFDI when there is one.

    Returns:
        Amount and date problems, ``text.*`` for payee name and concept, ``rfc.*`` (the
        check-digit warning only for a typed RFC not confirmed and not the CFDI issuer's),
        ``party.unknown`` for a source party, ``payment.evidence_required``,
        ``payment.cfdi_currency`` (``currency``), ``payment.cfdi_total_differs`` (``amount``,
        ``total``), ``payment.cfdi_rfc_differs`` (``rfc``, ``issuer_rfc``), and those of
        :func:`check_cfdi_date` and :func:`check_cfdi_receiver`.
    """
    problems = check_amount(data.amount) + check_date(data.entry_date, today)
    clean_text(data.payee_name, "payee_name", problems, max_len=MAX_NAME)
    problems += check_rfc(data.payee_rfc, "payee_rfc", check_digit=_check_payee_digit(data, cfdi_issuer_rfc))
    clean_text(data.concept, "concept", problems, max_len=MAX_LONG_TEXT, multiline=True)
    clean_text(data.reference, "reference", problems, required=False, max_len=MAX_REFERENCE)
    if data.source_party is not None:
        problems += check_party(data.source_party, "source_party")
    if data.cfdi_path is None and data.receipt_path is None:
        problems.append(Problem("evidence", "payment.evidence_required", {}))
    if cfdi_total is not None:
        if cfdi_currency is not None and cfdi_currency != "MXN":
            problems.append(Problem("cfdi", "payment.cfdi_currency", {"currency": cfdi_currency}))
        elif data.amount != cfdi_total:
            problems.append(
                Problem("amount", "payment.cfdi_total_differs", {"amount": data.amount, "total": cfdi_total})
            )
        rfc = normalize_rfc(data.payee_rfc)
        if cfdi_issuer_rfc is not None and rfc and rfc != cfdi_issuer_rfc:
            problems.append(
                Problem("payee_rfc", "payment.cfdi_rfc_differs", {"rfc": rfc, "issuer_rfc": cfdi_issuer_rfc})
            )
    if cfdi_issued_on is not None:
        problems += check_cfdi_date(cfdi_issued_on, data.entry_date)
    if cfdi_receiver_rfc is not None:
        problems += check_cfdi_receiver(cfdi_receiver_rfc, office_rfc)
    return problems


def _check_payee_digit(data: PaymentInput, cfdi_issuer_rfc: str | None) -> bool:
    """Whether the payee RFC's check digit is tested: not once confirmed, nor when the CFDI's stamp vouches for it."""
    if data.accept_rfc_check_digit:
        return False
    return cfdi_issuer_rfc is None or normalize_rfc(data.payee_rfc) != cfdi_issuer_rfc


def with_cfdi_payee(data: PaymentInput, cfdi: Cfdi) -> PaymentInput:
    """The payment with a blank payee name or RFC taken from its CFDI's issuer (who was paid)."""
    return replace(
        data,
        payee_name=data.payee_name if data.payee_name.strip() else cfdi.issuer_name,
        payee_rfc=data.payee_rfc if data.payee_rfc.strip() else cfdi.issuer_rfc,
    )


@dataclass(frozen=True)
class ProjectMoney:
    """What the payment checks read about a project: its folio, stage, shares and entries.

    ``shares`` is each party's approved share in centavos, in party order; ``entries`` is every
    entry of the project with its allocation lines.
    """

    project_id: int
    folio: str
    stage: str
    shares: Mapping[str, int]
    entries: Sequence[EntryRecord]


def check_payment_cash(data: PaymentInput, money: ProjectMoney) -> list[Problem]:
    """``payment.exceeds_cash`` (``cash``, ``amount``) when the payment takes more than the cash allows.

    The cash allowed is :func:`cash_available` on the payment's date, so no later running balance
    becomes negative either.
    """
    cash = cash_available(money.entries, data.entry_date)
    if data.amount > cash:
        return [Problem("amount", "payment.exceeds_cash", {"cash": max(cash, 0), "amount": data.amount})]
    return []


def check_payment_source(data: PaymentInput, money: ProjectMoney) -> list[Problem]:
    """Problems with whose funds the payment is drawn from.

    With a ``source_party``: ``payment.party_not_in_project`` (``party``, ``parties``, ``folio``)
    when the project has no share of that party (not repeated when the party is unknown, which
    :func:`check_payment` already says), or ``payment.exceeds_party_funds`` (``party``,
    ``available``, ``amount``) when it takes more than that party's money available on the
    payment's date (:func:`funds_available`). Without one: ``payment.no_shares`` (``folio``) when
    no party has a share, or ``payment.exceeds_funds`` (``amount``, ``available``: all the money
    available; ``owed``: each party's outstanding deposit as ``party=centavos`` pairs, see
    :func:`owed_text`) when the parties' funds together cannot cover it.
    """
    source = data.source_party
    available = funds_available(money.entries, data.entry_date)
    if source is None:
        if not any(money.shares.values()):
            return [Problem("project", "payment.no_shares", {"folio": money.folio})]
        total = sum(max(0, a) for a in available.values())
        if data.amount > total:
            balance = balance_from_entries(money.project_id, money.stage, money.shares, money.entries)
            owed = {p.party: p.outstanding for p in balance.parties if p.outstanding > 0}
            return [
                Problem(
                    "amount",
                    "payment.exceeds_funds",
                    {"amount": data.amount, "available": total, "owed": owed_text(owed)},
                )
            ]
        return []
    if source not in money.shares:
        if check_party(source, "source_party"):
            return []
        return [
            Problem(
                "source_party",
                "payment.party_not_in_project",
                {"party": source, "parties": ", ".join(money.shares), "folio": money.folio},
            )
        ]
    funds = available.get(source, 0)
    if data.amount > funds:
        return [
            Problem(
                "amount",
                "payment.exceeds_party_funds",
                {"party": source, "available": max(funds, 0), "amount": data.amount},
            )
        ]
    return []


def owed_text(owed: Mapping[str, int]) -> str:
    """Each party's outstanding deposit as ``party=centavos`` pairs joined by ``;`` (a Problem param).

    Kept as plain text so a problem stays serialisable; :mod:`tresxuno.messages` shows it with
    party names and money.
    """
    return ";".join(f"{party}={amount}" for party, amount in owed.items())


def total_paid(entries: Iterable[EntryRecord]) -> int:
    """What a project has paid, net of reversals, centavos (positive)."""
    listed = list(entries)
    roots = root_kinds(listed)
    return -sum(e.amount for e in listed if roots[e.id].kind == PAYMENT)


def payment_lines(data: PaymentInput, money: ProjectMoney) -> tuple[AllocationLine, ...]:
    """The payment's allocation lines (negative, adding up to ``-data.amount``) once it passed its checks.

    Wholly the ``source_party``'s when it states one; otherwise drawn from the parties' funds
    available on the payment's date with :func:`draw_from_funds`.
    """
    if data.source_party is not None:
        return (AllocationLine(data.source_party, -data.amount),)
    split = draw_from_funds(data.amount, money.shares, funds_available(money.entries, data.entry_date))
    return tuple(AllocationLine(party, -amount) for party, amount in split.items() if amount)


def check_refund(data: RefundInput, *, today: date) -> list[Problem]:
    """Check a refund's own fields: party, amount, date, and the reason (``text.required``)."""
    problems = check_party(data.party) + check_amount(data.amount) + check_date(data.entry_date, today)
    clean_text(data.reason, "reason", problems, max_len=MAX_LONG_TEXT, multiline=True)
    clean_text(data.reference, "reference", problems, required=False, max_len=MAX_REFERENCE)
    if data.party == Party.FEDERAL and not data.reference.strip():
        # A reintegro to TESOFE is traced by its línea de captura or bank reference (LDF art. 17).
        problems.append(Problem("reference", "refund.federal_reference_required", {}))
    return problems


# --- Attribution and balances -------------------------------------------------------------------


def attribute(amount: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Attribute ``amount`` centavos to parties in proportion to ``weights``, exactly.

    Used by :func:`draw_from_funds` for each round of a payment without a source party. Each
    party gets the whole centavos of its exact part
    ``amount * weight / total``; the centavos left over go one each to the parties with the
    largest remainders, ties broken by the fixed party order club, federal, state, municipal,
    partner. This is the largest-remainder rule of
    :func:`tresxuno.domain.allocation.allocate`, which cannot be called here only because it
    takes weights in basis points summing to 10,000 while shares are arbitrary centavos;
    a property test checks both give the same split whenever both apply.

    Args:
        amount: centavos to attribute, >= 0.
        weights: the approved share of each party, centavos >= 0; parties with 0 get nothing.

    Returns:
        Centavos per party with a positive weight, in party order; they add up to ``amount``.

    Raises:
        ValueError: ``amount`` is negative, a weight is negative, or no weight is positive.
    """
    if amount < 0:
        raise ValueError(f"cannot attribute a negative amount: {amount}")
    if any(w < 0 for w in weights.values()):
        raise ValueError(f"weights cannot be negative: {dict(weights)}")
    positive = sorted((p for p, w in weights.items() if w > 0), key=_ORDER.__getitem__)
    total = sum(weights[p] for p in positive)
    if total == 0:
        raise ValueError("no party has a positive share to attribute to")
    parts = {p: amount * weights[p] // total for p in positive}
    # Remainders share the denominator ``total``, so comparing the integer remainders is exact.
    ranked = sorted(positive, key=lambda p: (-(amount * weights[p] % total), _ORDER[p]))
    for party in ranked[: amount - sum(parts.values())]:
        parts[party] += 1
    return parts


def draw_from_funds(amount: int, shares: Mapping[str, int], available: Mapping[str, int]) -> dict[str, int]:
    """Draw a payment without a source party from the parties' funds, exactly.

    In proportion to the approved ``shares`` among the parties that still have money available,
    each capped at its ``available`` money: whoever's proportional part exceeds what it has gives
    all it has, and the rest is drawn from the others in proportion to their shares, round after
    round. Leftover centavos of each round go by largest remainder, ties broken by the fixed party
    order (:func:`attribute`). When every party with a share has money and enough for its part,
    this is ``attribute(amount, shares)``.
    Should the parties with a positive share run dry, money of parties without one (none in
    practice) is drawn in proportion to what they have.

    Args:
        amount: centavos to draw, >= 0.
        shares: each party's approved share, centavos >= 0.
        available: each party's money available (:func:`funds_available`); negatives count as 0.

    Returns:
        Centavos per party, in party order, each <= its available money, adding up to ``amount``
        (parties drawn nothing are left out).

    Raises:
        ValueError: ``amount`` is negative or more than all the money available.
    """
    if amount < 0:
        raise ValueError(f"cannot draw a negative amount: {amount}")
    room = {p: max(0, available.get(p, 0)) for p in {*shares, *available}}
    if amount > sum(room.values()):
        raise ValueError(f"cannot draw {amount} from funds holding {sum(room.values())}")
    drawn: dict[str, int] = {}
    remaining = amount
    for weights_of in (shares, room):
        # Only parties that still have money take part: one that has none is not even rounded with.
        open_parties = {p: weights_of.get(p, 0) for p in room if room[p] > 0 and weights_of.get(p, 0) > 0}
        while remaining > 0 and open_parties:
            split = attribute(remaining, open_parties)
            capped = [p for p, part in split.items() if part > room[p]]
            if not capped:
                for p, part in split.items():
                    drawn[p] = drawn.get(p, 0) + part
                    room[p] -= part
                remaining = 0
                break
            for p in capped:  # gives all it has; the others cover the rest next round
                drawn[p] = drawn.get(p, 0) + room[p]
                remaining -= room[p]
                room[p] = 0
                del open_parties[p]
    assert remaining == 0
    return {p: drawn[p] for p in sorted(drawn, key=party_rank) if drawn[p]}


def funds_available(entries: Iterable[EntryRecord], on: date) -> dict[str, int]:
    """The most a new entry dated ``on`` may take from each party's fund, centavos MXN.

    :func:`cash_available` per party: the lowest running balance of the party's lines from ``on``
    to the end of the statement (a new entry goes after every entry dated on or before ``on``), so
    no running balance of any party becomes negative on any day, even for a back-dated entry.
    Parties with no lines are left out.
    """
    ordered = sorted(entries, key=lambda e: (e.entry_date, e.id))
    balance: dict[str, int] = {}
    for entry in ordered:
        if entry.entry_date <= on:
            for line in entry.lines:
                balance[line.party] = balance.get(line.party, 0) + line.amount
    lowest = dict(balance)
    for entry in ordered:
        if entry.entry_date > on:
            for line in entry.lines:
                balance[line.party] = balance.get(line.party, 0) + line.amount
                lowest[line.party] = min(lowest.get(line.party, 0), balance[line.party])
    return {p: lowest[p] for p in sorted(lowest, key=party_rank)}


def root_kinds(entries: Iterable[EntryRecord]) -> dict[int, EntryRecord]:
    """For each entry id, the entry at the root of its reversal chain (itself unless a reversal).

    A reversal's lines negate those of what it reverses, so a reversal counts against the same
    moment (received, paid, refunded) as the contribution, payment or refund at the root of its
    chain; a reversal of a reversal counts for it again.

    Raises:
        ValueError: a reversal's target is missing from ``entries`` (entries of one project must
            be given whole).
    """
    by_id = {e.id: e for e in entries}
    roots: dict[int, EntryRecord] = {}
    for entry in by_id.values():
        seen = entry
        while seen.kind == REVERSAL:
            if seen.reverses_id not in by_id:
                raise ValueError(f"entry {seen.id} reverses {seen.reverses_id}, which is not given")
            seen = by_id[seen.reverses_id]
        roots[entry.id] = seen
    return roots


def balance_from_entries(
    project_id: int,
    stage: str,
    shares: Mapping[str, int],
    entries: Sequence[EntryRecord],
    *,
    folio: str = "",
) -> ProjectBalance:
    """A project's balance computed from its entries in memory (the SQL aggregates' oracle).

    Args:
        project_id: the project's id.
        stage: the project's stage (decides what counts as approved and committed).
        shares: each party's share, centavos (``project_shares.amount``).
        entries: every entry of the project, with their allocation lines.
        folio: the project's folio, copied into the record.

    Returns:
        The balance per party (the shares' parties in party order, then any other party with
        lines) and the cash on hand, the sum of the entries' amounts.
    """
    roots = root_kinds(entries)
    sums: dict[str, dict[str, int]] = {}
    for entry in entries:
        root = roots[entry.id]
        for line in entry.lines:
            moments = sums.setdefault(line.party, {"received": 0, "paid": 0, "accrued": 0, "refunded": 0})
            if root.kind == CONTRIBUTION:
                moments["received"] += line.amount
            elif root.kind == PAYMENT:
                moments["paid"] -= line.amount
                if root.cfdi_uuid is not None:
                    moments["accrued"] -= line.amount
            elif root.kind == REFUND:
                moments["refunded"] -= line.amount
    parties = sorted(set(shares) | set(sums), key=lambda p: _ORDER.get(p, len(_ORDER)))
    lines = []
    for party in parties:
        share = shares.get(party, 0)
        got = sums.get(party, {"received": 0, "paid": 0, "accrued": 0, "refunded": 0})
        lines.append(
            party_balance(
                party,
                share=share,
                approved=share if stage in APPROVED_STAGES else 0,
                committed=share if stage in COMMITTED_STAGES else 0,
                **got,
            )
        )
    return ProjectBalance(project_id, folio, stage, tuple(lines), sum(e.amount for e in entries))


def party_balance(
    party: str,
    *,
    share: int,
    approved: int,
    committed: int,
    received: int,
    paid: int,
    accrued: int,
    refunded: int,
) -> PartyBalance:
    """A :class:`PartyBalance` with its derived fields (outstanding, over-received, cash) filled in."""
    return PartyBalance(
        party=party,
        share=share,
        approved=approved,
        committed=committed,
        received=received,
        outstanding=max(0, approved - received),
        over_received=max(0, received - approved),
        paid=paid,
        accrued=accrued,
        refunded=refunded,
        cash=received - paid - refunded,
    )


def cash_available(entries: Iterable[EntryRecord], on: date) -> int:
    """The most a new entry dated ``on`` may take out of a project's cash, centavos MXN.

    A new entry goes after every entry dated on or before ``on`` (its id is the largest), so it
    lowers the running balance from there on; it may take no more than the lowest running
    balance from that point to the end of the statement. Then no running balance, and so no cash
    on hand on any day, becomes negative, even for an entry dated before others.
    """
    ordered = sorted(entries, key=lambda e: (e.entry_date, e.id))
    balance = sum(e.amount for e in ordered if e.entry_date <= on)
    lowest = balance
    for entry in ordered:
        if entry.entry_date > on:
            balance += entry.amount
            lowest = min(lowest, balance)
    return lowest


def reversal_lines(entry: EntryRecord) -> tuple[AllocationLine, ...]:
    """The allocation lines of a reversal of ``entry``: each of its lines negated."""
    return tuple(AllocationLine(line.party, -line.amount) for line in entry.lines)


def party_rank(party: str) -> int:
    """Position of ``party`` in the fixed party order (for sorting)."""
    return _ORDER.get(party, len(_ORDER))
