"""Use cases of the money trail: record contributions, payments, refunds and reversals; balances.

Every recording use case checks, writes and commits in one ``BEGIN IMMEDIATE`` transaction
(``db.transaction(immediate=True)``), so two desktops cannot both pass a cash or outstanding check
on the same snapshot; a refused entry raises :class:`InputError` and writes nothing (files are
copied into the attachments folder only after every check passed). Balances are never stored:
the aggregates here sum allocation lines in SQL, one statement each, grouping by the moment of
the budget each line belongs to (*aprobado*, *comprometido*, *devengado*, *pagado*; see
:mod:`tresxuno.domain.ledger`). Every function returns plain records, never ORM objects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnClause,
    ColumnElement,
    Date,
    Integer,
    Select,
    Table,
    and_,
    case,
    func,
    literal,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    FiscalYear,
    LedgerAllocation,
    LedgerEntry,
    Project,
    ProjectShare,
    utcnow,
)
from tresxuno.db.repos.settings import OFFICE_RFC, SettingsRepository
from tresxuno.db.scope import WHOLE_DATABASE, filed_in_scope, projects_in_scope
from tresxuno.domain.cfdi import MAX_CFDI_BYTES, Cfdi, parse_cfdi
from tresxuno.domain.ledger import (
    ADMIN_REFUND_STAGES,
    ADMIN_REVERSAL_STAGES,
    APPROVED_STAGES,
    COMMITTED_STAGES,
    CONTRIBUTION,
    CORRECTION_STAGES,
    KINDS,
    MAX_LONG_TEXT,
    PAYMENT,
    RECORDING_STAGES,
    REFUND,
    REVERSAL,
    AllocationLine,
    ContributionInput,
    EntryRecord,
    FiscalYearClose,
    GroupBalance,
    PaymentInput,
    ProjectBalance,
    ProjectMoney,
    RefundInput,
    UnspentFederal,
    balance_from_entries,
    cash_available,
    check_cfdi_receiver,
    check_contribution,
    check_date,
    check_payment,
    check_payment_cash,
    check_payment_source,
    check_refund,
    funds_available,
    party_balance,
    party_rank,
    payment_lines,
    reversal_lines,
    root_kinds,
    total_paid,
    with_cfdi_payee,
)
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rfc import normalize_rfc
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import clean_text
from tresxuno.services.attachments import MAX_ATTACHMENT_BYTES, store_file
from tresxuno.services.auth import check_not_own_payment, require

# The Core tables behind the models, typed as tables for the aggregate queries.
_ENTRIES = cast(Table, LedgerEntry.__table__)
_LINES = cast(Table, LedgerAllocation.__table__)
_SHARES = cast(Table, ProjectShare.__table__)
_PROJECTS = cast(Table, Project.__table__)


# --- Recording ----------------------------------------------------------------------------------


def record_contribution(
    db: Database,
    data: ContributionInput,
    *,
    user: str = "",
    today: date | None = None,
) -> EntryRecord:
    """Record a party's deposit into a project (*aportación* / *ministración*).

    A deposit in dollars keeps the dollars, the rate, its date and source, and credits the pesos
    the bank credited (or ``usd x rate`` rounded half-up); a credited amount more than 0.5 % away
    from ``usd x rate`` is refused. The entry has one allocation line, for the party, equal to its
    amount. A deposit above the party's outstanding share (approved share - received) is refused
    unless ``override_reason`` and ``authorised_by`` are both given; they are stored only then.

    Args:
        db: the database.
        data: the deposit.
        user: who records it (stored as ``created_by``).
        today: the day "future" is measured from; the computer's date when None.

    Returns:
        The stored entry with its allocation line.

    Raises:
        InputError: ``project.unknown``, ``ledger.no_convenio`` (``stage``, ``folio``),
            ``ledger.year_closed`` (``year``), ``contribution.party_not_in_project``
            (``party``, ``parties``), ``contribution.exceeds_outstanding`` (``party``,
            ``outstanding``, ``amount``: centavos), attachment problems, and those of
            :func:`~tresxuno.domain.ledger.check_contribution`. Nothing is written.
    """
    require(db, "ledger.record_contribution")
    today = today or date.today()
    amount, rate, problems = check_contribution(data, today=today)
    problems += _check_file(data.receipt_path, "receipt")
    with db.transaction(immediate=True) as session:
        project = _project_for_entry(session, data.project_id, data.entry_date, RECORDING_STAGES, problems)
        outstanding = 0
        # Balance checks only make sense for a project that may take money at all.
        if project is not None and project.stage in RECORDING_STAGES:
            shares = _shares(session, project.id)
            if data.party in shares:
                balance = balance_from_entries(
                    project.id, project.stage, shares, _entries(session, project.id)
                )
                outstanding = balance.party(data.party).outstanding
                overridden = bool(data.override_reason.strip() and data.authorised_by.strip())
                if amount is not None and amount > outstanding and not overridden:
                    problems.append(
                        Problem(
                            "amount",
                            "contribution.exceeds_outstanding",
                            {"party": data.party, "outstanding": outstanding, "amount": amount},
                        )
                    )
            elif not any(p.field == "party" for p in problems):
                problems.append(
                    Problem(
                        "party",
                        "contribution.party_not_in_project",
                        {"party": data.party, "parties": ", ".join(shares), "folio": project.folio},
                    )
                )
        if problems:
            raise InputError(problems)
        assert project is not None and amount is not None
        over = amount > outstanding
        usd = data.usd_amount is not None
        row = LedgerEntry(
            project_id=project.id,
            kind=CONTRIBUTION,
            party=data.party,
            entry_date=data.entry_date,
            amount=amount,
            usd_amount=data.usd_amount if usd else None,
            rate=str(rate) if usd else None,
            rate_date=data.rate_date if usd else None,
            rate_source=data.rate_source.strip() if usd else None,
            reference=data.reference.strip(),
            created_by=user,
            # An override is kept only when it was needed: it marks an authorised over-receipt.
            override_reason=data.override_reason.strip() if over else "",
            authorised_by=data.authorised_by.strip() if over else "",
        )
        record = _insert(session, row, (AllocationLine(data.party, amount),), project.folio)
        if data.receipt_path is not None:
            _attach(session, record, "receipt", data.receipt_path, user=user)
        return record


def record_payment(
    db: Database,
    data: PaymentInput,
    *,
    user: str = "",
    today: date | None = None,
) -> EntryRecord:
    """Record a payment out of a project's cash (*pagado*; *devengado* too when backed by a CFDI).

    Attribution rule: a payment that states a ``source_party`` is drawn wholly from that
    party's fund (one allocation line, which may not exceed that party's money available on the
    payment's date); otherwise it is drawn from what the parties have actually deposited, in
    proportion to their approved shares among the parties that still have money, each capped at
    its money (:func:`~tresxuno.domain.ledger.draw_from_funds`). No party's fund goes negative on
    any day. The lines are negative and add up to the entry's amount, ``-data.amount``. The total
    paid may not exceed the project's cost (more needs a convenio modificatorio), and nothing is
    paid from a closed or cancelled project.

    The CFDI (if given) is read safely (:func:`~tresxuno.domain.cfdi.parse_cfdi`); its UUID must
    not back any other entry, its ``Total`` must equal the amount and its issuer RFC the payee's.
    The payment may not exceed the cash available on its date without making any later running
    balance negative (:func:`~tresxuno.domain.ledger.cash_available`).

    Returns:
        The stored entry with its allocation lines.

    Raises:
        InputError: ``project.unknown``, ``ledger.no_convenio``, ``ledger.year_closed``,
            ``cfdi.*``, ``payment.cfdi_duplicate`` (``uuid``, ``folio``, ``entry_id``),
            ``payment.exceeds_cash`` (``cash``, ``amount``), ``payment.party_not_in_project``,
            ``payment.exceeds_party_funds`` (``party``, ``available``, ``amount``),
            ``payment.exceeds_funds`` (``amount``, ``available``, ``owed``),
            ``payment.exceeds_cost`` (``amount``, ``paid``, ``cost``), ``ledger.project_closed``,
            ``ledger.project_cancelled``, attachment problems and those of
            :func:`~tresxuno.domain.ledger.check_payment`. Nothing is written.
    """
    require(db, "ledger.record_payment")
    cfdi, xml, problems = _read_cfdi(data.cfdi_path)
    if cfdi is not None:
        data = with_cfdi_payee(data, cfdi)  # the form may leave payee and RFC blank: they are on it
    problems += _check_payment_fields(data, cfdi, today or date.today())
    with db.transaction(immediate=True) as session:
        project = _project_for_entry(session, data.project_id, data.entry_date, RECORDING_STAGES, problems)
        problems += _cfdi_in_use(session, cfdi)
        if cfdi is not None:
            problems += check_cfdi_receiver(
                cfdi.receiver_rfc, SettingsRepository.get(session, OFFICE_RFC, "") or ""
            )
        money = None
        if project is not None and project.stage in RECORDING_STAGES and data.amount > 0:
            money = _project_money(session, project)
            # The parties' funds are the stricter limit (their sum is the cash): when they refuse,
            # saying the cash is short as well would only repeat it.
            problems += check_payment_source(data, money) or check_payment_cash(data, money)
            problems += _beyond_cost(project.cost, data.amount, money)
        if problems:
            raise InputError(problems)
        assert project is not None and money is not None
        record = _insert(
            session, _payment_row(data, cfdi, project.id, user), payment_lines(data, money), money.folio
        )
        _attach_evidence(session, record, data, xml, user=user)
        return record


def _beyond_cost(cost: int, amount: int, money: ProjectMoney) -> list[Problem]:
    """Refuse paying out more than the convenio's cost: that needs a convenio modificatorio first."""
    from tresxuno.domain.amendments import payment_beyond_cost

    balance = balance_from_entries(money.project_id, money.stage, money.shares, money.entries)
    return payment_beyond_cost(cost, sum(p.paid for p in balance.parties), amount)


def payment_warnings(db: Database, cfdi: Cfdi | None) -> list[Problem]:
    """What to tell the officer before recording a payment backed by ``cfdi``, without refusing it.

    ``payment.cfdi_receiver_unchecked`` (``receiver_rfc``) when the office has no RFC set
    (:func:`~tresxuno.services.office.set_office_rfc`): the invoice's receiver cannot be checked, so
    an invoice billed to someone else would pass. With an RFC set, :func:`record_payment` refuses
    such an invoice instead.
    """
    if cfdi is None:
        return []
    with db.transaction() as session:
        office_rfc = SettingsRepository.get(session, OFFICE_RFC, "") or ""
    if office_rfc:
        return []
    return [Problem("cfdi", "payment.cfdi_receiver_unchecked", {"receiver_rfc": cfdi.receiver_rfc})]


def _read_cfdi(path: Path | None) -> tuple[Cfdi | None, bytes | None, list[Problem]]:
    """The payment's CFDI read safely (at most :data:`MAX_CFDI_BYTES`), its bytes, and the problems found."""
    if path is None:
        return None, None, []
    xml, problems = _read_capped(path, MAX_CFDI_BYTES, "cfdi")
    if xml is None:
        return None, None, problems
    try:
        return parse_cfdi(xml), xml, problems
    except InputError as exc:
        return None, xml, [*problems, *exc.problems]


def _check_payment_fields(data: PaymentInput, cfdi: Cfdi | None, today: date) -> list[Problem]:
    """The payment's own fields, their agreement with the CFDI, and the receipt file to attach."""
    problems = check_payment(
        data,
        today=today,
        cfdi_total=cfdi.total if cfdi else None,
        cfdi_issuer_rfc=cfdi.issuer_rfc if cfdi else None,
        cfdi_currency=cfdi.currency if cfdi else None,
        cfdi_issued_on=cfdi.issued_at.date() if cfdi else None,
    )
    return problems + _check_file(data.receipt_path, "receipt")


def _cfdi_in_use(session: Session, cfdi: Cfdi | None) -> list[Problem]:
    """``payment.cfdi_duplicate`` (``uuid``, ``folio``, ``entry_id``) when a live entry already cites the CFDI."""
    used = _live_cfdi_use(session, cfdi.uuid) if cfdi is not None else None
    if used is None:
        return []
    assert cfdi is not None
    return [
        Problem(
            "cfdi", "payment.cfdi_duplicate", {"uuid": cfdi.uuid, "folio": used.folio, "entry_id": used.id}
        )
    ]


def _project_money(session: Session, project: Project) -> ProjectMoney:
    """The project's shares and entries, as the payment checks read them."""
    return ProjectMoney(
        project.id, project.folio, project.stage, _shares(session, project.id), _entries(session, project.id)
    )


def _attach_evidence(
    session: Session, record: EntryRecord, data: PaymentInput, xml: bytes | None, *, user: str
) -> None:
    """File the payment's CFDI (the very bytes checked) and its receipt with the stored entry."""
    if xml is not None and data.cfdi_path is not None:
        _attach(session, record, "cfdi", data.cfdi_path, user=user, expected=xml)
    if data.receipt_path is not None:
        _attach(session, record, "receipt", data.receipt_path, user=user)


def _payment_row(data: PaymentInput, cfdi: Cfdi | None, project_id: int, user: str) -> LedgerEntry:
    """The ``ledger_entries`` row of a checked payment (its amount negative: money out)."""
    return LedgerEntry(
        project_id=project_id,
        kind=PAYMENT,
        party=data.source_party,
        entry_date=data.entry_date,
        amount=-data.amount,
        reference=data.reference.strip(),
        payee_name=clean_text(data.payee_name, "payee_name", []),
        payee_rfc=normalize_rfc(data.payee_rfc),
        concept=clean_text(data.concept, "concept", [], max_len=MAX_LONG_TEXT, multiline=True),
        cfdi_uuid=cfdi.uuid if cfdi else None,
        created_by=user,
    )


def record_refund(
    db: Database,
    data: RefundInput,
    *,
    user: str = "",
    today: date | None = None,
) -> EntryRecord:
    """Record a refund (*reintegro*) of unspent or disallowed money to one party, with its reason.

    Allowed once the convenio is signed, and also for a cancelled project (its money goes back).
    On a closed project only an administrador may record it, giving ``data.authorisation`` (stored
    as the entry's ``override_reason``, with ``authorised_by`` the administrador). The refund may
    not exceed the party's money available on its date (its lowest running balance from then on,
    :func:`~tresxuno.domain.ledger.funds_available`) nor the project's cash available. One
    allocation line, for the party, equal to the entry's amount ``-data.amount``.

    Raises:
        InputError: ``project.unknown``, ``ledger.no_convenio``, ``ledger.year_closed``,
            ``refund.exceeds_party_funds`` (``party``, ``available``, ``amount``),
            ``refund.exceeds_cash`` (``cash``, ``amount``), ``ledger.authorisation_required``,
            ``auth.role_required``, attachment problems and those of
            :func:`~tresxuno.domain.ledger.check_refund`. Nothing is written.
    """
    _require_any(db, "ledger.record_refund")
    today = today or date.today()
    problems = check_refund(data, today=today) + _check_file(data.receipt_path, "receipt")
    with db.transaction(immediate=True) as session:
        project = _project_for_entry(session, data.project_id, data.entry_date, CORRECTION_STAGES, problems)
        authorised_by, authorisation = _authorise(
            session, project, ADMIN_REFUND_STAGES, "ledger.record_refund", data.authorisation, problems
        )
        if (
            project is not None
            and project.stage in CORRECTION_STAGES
            and data.amount > 0
            and not any(p.field == "party" for p in problems)
        ):
            entries = _entries(session, project.id)
            available = funds_available(entries, data.entry_date).get(data.party, 0)
            if data.amount > available:
                problems.append(
                    Problem(
                        "amount",
                        "refund.exceeds_party_funds",
                        {"party": data.party, "available": max(available, 0), "amount": data.amount},
                    )
                )
            cash = cash_available(entries, data.entry_date)
            if data.amount > cash:
                problems.append(
                    Problem("amount", "refund.exceeds_cash", {"cash": max(cash, 0), "amount": data.amount})
                )
        if problems:
            raise InputError(problems)
        assert project is not None
        row = LedgerEntry(
            project_id=project.id,
            kind=REFUND,
            party=data.party,
            entry_date=data.entry_date,
            amount=-data.amount,
            reference=data.reference.strip(),
            reason=clean_text(data.reason, "reason", [], max_len=MAX_LONG_TEXT, multiline=True),
            created_by=user,
            override_reason=authorisation,
            authorised_by=authorised_by,
        )
        record = _insert(session, row, (AllocationLine(data.party, -data.amount),), project.folio)
        if data.receipt_path is not None:
            _attach(session, record, "receipt", data.receipt_path, user=user)
        return record


def reverse_entry(
    db: Database,
    entry_id: int,
    *,
    reason: str,
    on: date,
    user: str = "",
    today: date | None = None,
    authorisation: str = "",
) -> EntryRecord:
    """Cancel an entry by appending its reversal: amount and lines negated, dated ``on``.

    The original stays as it was (the ledger is append-only). A reversal can itself be reversed,
    which restores the original's effect. An entry is reversed at most once. The reversal's own
    date must be in an open fiscal year, not before the reversed entry and not in the future; the
    reversed entry may be dated in a closed year (the correction is booked in the open one). A
    reversal that takes money out of the project (of a contribution, or of a reversed payment)
    may not exceed the cash available on ``on``, nor take from a party more than its money
    available then (reversing a contribution whose money was already spent is refused); a
    reversal that brings a payment back may not take the total paid beyond the cost. Reversals
    are allowed once the convenio is signed; on a closed or cancelled project only an
    administrador may record one, giving ``authorisation`` (stored as ``override_reason``).

    Raises:
        InputError: ``entry.unknown`` (``id``), ``reversal.already_reversed`` (``entry_id``,
            ``reversal_id``), ``text.required`` (reason), ``date.future``, ``ledger.year_closed``,
            ``reversal.before_entry`` (``date``), ``reversal.exceeds_cash`` (``cash``, ``amount``),
            ``reversal.money_spent`` (``party``, ``available``, ``amount``), ``payment.exceeds_cost``,
            ``ledger.authorisation_required``, ``auth.role_required``, ``ledger.no_convenio``.
            Nothing is written.
    """
    _require_any(db, "ledger.reverse_entry")
    today = today or date.today()
    problems = check_date(on, today, "on")
    clean_reason = clean_text(reason, "reason", problems, max_len=MAX_LONG_TEXT, multiline=True)
    with db.transaction(immediate=True) as session:
        target = session.get(LedgerEntry, entry_id)
        if target is None:
            raise InputError([Problem("entry", "entry.unknown", {"id": entry_id}), *problems])
        check_not_own_payment(session, target)
        reversal_id = session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == target.id))
        if reversal_id is not None:
            problems.append(
                Problem(
                    "entry", "reversal.already_reversed", {"entry_id": target.id, "reversal_id": reversal_id}
                )
            )
        project = _project_for_entry(session, target.project_id, on, CORRECTION_STAGES, problems, field="on")
        authorised_by, authorisation_text = _authorise(
            session, project, ADMIN_REVERSAL_STAGES, "ledger.reverse_entry", authorisation, problems
        )
        revived = _revived_payment(session, target)
        if revived is not None and revived.cfdi_uuid:
            # Reversing this reversal would make the payment use its invoice again.
            used = _live_cfdi_use(session, revived.cfdi_uuid)
            if used is not None:
                params = {"uuid": revived.cfdi_uuid, "folio": used.folio, "entry_id": used.id}
                problems.append(Problem("entry", "payment.cfdi_duplicate", params))
        if on < target.entry_date:
            problems.append(Problem("on", "reversal.before_entry", {"date": target.entry_date.isoformat()}))
        entries = _entries(session, target.project_id)
        original = next(e for e in entries if e.id == target.id)
        if target.amount > 0:
            # Reversing money that came in takes it out again: there must be that much left.
            cash = cash_available(entries, on)
            if target.amount > cash:
                problems.append(
                    Problem("entry", "reversal.exceeds_cash", {"cash": max(cash, 0), "amount": target.amount})
                )
        problems += _reversal_fund_problems(original, entries, on, project)
        if problems:
            raise InputError(problems)
        assert project is not None
        row = LedgerEntry(
            project_id=target.project_id,
            kind=REVERSAL,
            party=target.party,
            entry_date=on,
            amount=-target.amount,
            reverses_id=target.id,
            reason=clean_reason,
            created_by=user,
            override_reason=authorisation_text,
            authorised_by=authorised_by,
        )
        return _insert(session, row, reversal_lines(original), project.folio)


def _reversal_fund_problems(
    original: EntryRecord, entries: list[EntryRecord], on: date, project: Project | None
) -> list[Problem]:
    """What reversing ``original`` on ``on`` would break: a party's fund, or the project's cost.

    ``reversal.money_spent`` for each party the reversal takes more from than it has available
    (reversing a contribution already spent); ``payment.exceeds_cost`` when it brings back a
    payment beyond the cost. Reversing a payment or a refund gives money back: always fine.
    """
    problems = []
    available = funds_available(entries, on)
    for line in reversal_lines(original):
        if line.amount < 0 and -line.amount > available.get(line.party, 0):
            params = {
                "party": line.party,
                "available": max(available.get(line.party, 0), 0),
                "amount": -line.amount,
            }
            problems.append(Problem("entry", "reversal.money_spent", params))
    revives_payment = root_kinds(entries)[original.id].kind == PAYMENT and original.amount > 0
    if project is not None and revives_payment:
        from tresxuno.domain.amendments import payment_beyond_cost

        beyond = payment_beyond_cost(project.cost, total_paid(entries), original.amount)
        problems += [Problem("entry", p.code, p.params) for p in beyond]
    return problems


def _require_any(db: Database, action: str) -> None:
    """Refuse (naming ``action``) unless the actor may take ``action`` or authorise on closed projects.

    Which of the two is needed depends on the project's stage, read inside the transaction by
    :func:`_authorise`; this first guard only keeps everyone else out before anything is read.
    """
    try:
        require(db, "ledger.authorise_closed")
    except InputError:
        require(db, action)


def _authorise(
    session: Session,
    project: Project | None,
    admin_stages: frozenset[str],
    action: str,
    authorisation: str,
    problems: list[Problem],
) -> tuple[str, str]:
    """The guard of a refund or reversal once the project's stage is known: who authorised it, why.

    On ``admin_stages`` an administrador (``ledger.authorise_closed``) must record it and give the
    reason (``ledger.authorisation_required`` otherwise); elsewhere the ordinary ``action``
    applies and nothing is stored. Returns (``authorised_by``, reason) to store.
    """
    if project is None or project.stage not in admin_stages:
        require(session, action)
        return "", ""
    actor = require(session, "ledger.authorise_closed")
    reason = authorisation.strip()
    if not reason:
        problems.append(
            Problem(
                "authorisation",
                "ledger.authorisation_required",
                {"folio": project.folio, "stage": project.stage},
            )
        )
    return actor.username or "administrador", reason


# --- Reading ------------------------------------------------------------------------------------


def entry(db: Database, entry_id: int) -> EntryRecord:
    """One entry with its lines, the reversal that cancels it (if any) and its running balance.

    Raises:
        InputError: ``entry.unknown``.
    """
    with db.transaction() as session:
        project_id = session.scalar(select(LedgerEntry.project_id).where(LedgerEntry.id == entry_id))
        if project_id is None:
            raise InputError(Problem("entry", "entry.unknown", {"id": entry_id}))
        stmt = _page([_ENTRIES.c.id == entry_id])
        return _records(session, session.execute(stmt).all())[0]


def list_entries(
    db: Database,
    *,
    project_id: int | None = None,
    fiscal_year: int | None = None,
    kind: str | None = None,
    party: str | None = None,
    start: date | None = None,
    end: date | None = None,
    offset: int = 0,
    limit: int = 200,
    after: tuple[date, int] | None = None,
    balance_before: int | None = None,
) -> list[EntryRecord]:
    """One page of entries in statement order (entry date, then id), each with its running balance.

    The running balance is the project's cash after the entry:
    ``SUM(amount) OVER (PARTITION BY project_id ORDER BY entry_date, id)``, computed over all the
    project's entries up to it, whatever the filters; only the projects on the page are summed, so
    a page is quick however long the ledger.

    Args:
        db: the database.
        project_id: only this project's entries.
        fiscal_year: only entries dated in this calendar (fiscal) year: the year a fiscal-year
            close locks. (Balances by fiscal year group by the projects' budget year instead.)
        kind: only entries of this kind.
        party: only entries with an allocation line of this party (a payment shared by shares
            concerns every party it is attributed to).
        start: only entries dated on or after this day.
        end: only entries dated on or before this day.
        offset: entries to skip.
        limit: most entries to return.
        after: ``(entry_date, id)`` of the last entry already shown: the page starts right after it,
            found through the index (keyset paging), so the last page of a million entries costs what
            the first does; ``offset`` counts from there.
        balance_before: with ``project_id`` and ``after``, the project's running balance after the
            ``after`` entry (or 0 for the first page): the running balances are then added up from it
            instead of summing every earlier entry again, so reading a project's whole statement page
            by page stays linear. The caller vouches for it (the statement checks the last against
            the project's cash).

    Raises:
        ValueError: an unknown kind, or a negative offset or limit.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown entry kind {kind!r}; use one of {KINDS}")
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    conditions = _entry_filters(project_id, fiscal_year, kind, party, start, end)
    if after is not None:
        key = tuple_(_ENTRIES.c.entry_date, _ENTRIES.c.id)
        conditions.append(key > tuple_(literal(after[0], Date()), literal(after[1], Integer())))
    summed = (
        balance_before is None
        or project_id is None
        or kind is not None
        or party is not None
        or (after is None and offset != 0)
    )
    stmt = _page(conditions, offset=offset, limit=limit, with_running=summed)
    with db.transaction() as session:
        records = _records(session, session.execute(stmt).all())
    if not summed:
        total = balance_before or 0
        for i, record in enumerate(records):
            total += record.amount
            records[i] = replace(record, running_balance=total)
    return records


def count_entries(
    db: Database,
    *,
    project_id: int | None = None,
    fiscal_year: int | None = None,
    kind: str | None = None,
    party: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """How many entries :func:`list_entries` lists with the same filters (all pages).

    With a party, the entries are counted through their lines of that party (one at most per entry):
    on a million entries that reads the index on ``party`` instead of testing every entry for a line.
    """
    conditions = _entry_filters(project_id, fiscal_year, kind, None, start, end)
    if party is None:
        stmt = select(func.count()).select_from(_ENTRIES).where(*conditions)
    elif not conditions:
        stmt = select(func.count()).select_from(_LINES).where(_LINES.c.party == party)
    else:
        stmt = (
            select(func.count())
            .select_from(_LINES.join(_ENTRIES, _ENTRIES.c.id == _LINES.c.entry_id))
            .where(_LINES.c.party == party, *conditions)
        )
    with db.transaction() as session:
        return session.scalar(stmt) or 0


def project_balance(db: Database, project_id: int, *, as_of: date | None = None) -> ProjectBalance:
    """A project's balance per party, from one SQL aggregate over its allocation lines.

    Per party: share, approved (*aprobado*), committed (*comprometido*), received, outstanding
    (never negative), over-received, paid (*pagado*), accrued (*devengado*: payments with a
    CFDI), refunded and cash; the project's cash on hand is the sum of its entries' amounts.
    With ``as_of`` only entries dated on or before that day count (approved and committed
    follow the project's current stage).

    Raises:
        InputError: ``project.unknown``.
    """
    with db.transaction() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        money = _money_per_project_party(_PROJECTS.c.id == project_id, as_of=as_of)
        rows = session.execute(select(money).order_by(money.c.party)).all()
        cash_stmt = select(func.coalesce(func.sum(_ENTRIES.c.amount), 0)).where(
            _ENTRIES.c.project_id == project_id
        )
        if as_of is not None:
            cash_stmt = cash_stmt.where(_ENTRIES.c.entry_date <= as_of)
        cash = session.scalar(cash_stmt)
        parties = tuple(
            sorted(
                (
                    party_balance(
                        r.party,
                        share=int(r.share),
                        approved=int(r.share) if project.stage in APPROVED_STAGES else 0,
                        committed=int(r.share) if project.stage in COMMITTED_STAGES else 0,
                        received=int(r.received),
                        paid=int(r.paid),
                        accrued=int(r.accrued),
                        refunded=int(r.refunded),
                    )
                    for r in rows
                ),
                key=lambda p: party_rank(p.party),
            )
        )
        return ProjectBalance(project.id, project.folio, project.stage, parties, int(cash or 0))


def balances_by(
    db: Database,
    *,
    fiscal_year: int | None = None,
    program: str | None = None,
    municipality_key: str | None = None,
    as_of: date | None = None,
) -> list[GroupBalance]:
    """Balances per projects' fiscal year, programme, municipality and party: one SQL aggregate.

    Allocation lines are summed per project and party (so outstanding and over-received are
    worked out per project, never netted across projects), then per group, in one statement;
    no row is looped over in Python. The filters narrow the projects; ``as_of`` counts only
    entries dated on or before that day.

    Returns:
        One record per group and party, ordered by year, programme, municipality, party order.
    """
    conditions = []
    if fiscal_year is not None:
        conditions.append(_PROJECTS.c.fiscal_year == fiscal_year)
    if program is not None:
        conditions.append(_PROJECTS.c.program == program)
    if municipality_key is not None:
        conditions.append(_PROJECTS.c.municipality_key == municipality_key)
    money = _money_per_project_party(and_(*conditions) if conditions else None, as_of=as_of)
    p = _PROJECTS
    approved = case((p.c.stage.in_(sorted(APPROVED_STAGES)), money.c.share), else_=0)
    committed = case((p.c.stage.in_(sorted(COMMITTED_STAGES)), money.c.share), else_=0)
    stmt = (
        select(
            p.c.fiscal_year,
            p.c.program,
            p.c.municipality_key,
            money.c.party,
            func.count().label("projects"),
            func.sum(approved).label("approved"),
            func.sum(committed).label("committed"),
            func.sum(money.c.received).label("received"),
            func.sum(case((approved > money.c.received, approved - money.c.received), else_=0)).label(
                "outstanding"
            ),
            func.sum(case((money.c.received > approved, money.c.received - approved), else_=0)).label(
                "over_received"
            ),
            func.sum(money.c.paid).label("paid"),
            func.sum(money.c.accrued).label("accrued"),
            func.sum(money.c.refunded).label("refunded"),
            func.sum(money.c.cash).label("cash"),
        )
        .join_from(money, p, p.c.id == money.c.project_id)
        .group_by(p.c.fiscal_year, p.c.program, p.c.municipality_key, money.c.party)
    )
    with db.transaction() as session:
        rows = session.execute(stmt).all()
    result = [
        GroupBalance(
            fiscal_year=r.fiscal_year,
            program=r.program,
            municipality_key=r.municipality_key,
            party=r.party,
            # SUM gives NUMERIC on PostgreSQL: back to int centavos.
            **{k: int(getattr(r, k)) for k in _MONEY_KEYS},
        )
        for r in rows
    ]
    result.sort(key=lambda g: (g.fiscal_year, g.program, g.municipality_key, party_rank(g.party)))
    return result


_MONEY_KEYS = (
    "projects",
    "approved",
    "committed",
    "received",
    "outstanding",
    "over_received",
    "paid",
    "accrued",
    "refunded",
    "cash",
)


# --- Fiscal years -------------------------------------------------------------------------------


def close_fiscal_year(
    db: Database, year: int, *, user: str, today: date | None = None, now: datetime | None = None
) -> FiscalYearClose:
    """Close a fiscal year: from now on no entry (reversals included) may be dated in it.

    Also lists the projects of that fiscal year holding federal money neither spent nor
    refunded (federal received - attributed paid - refunded > 0), which must go back to the
    federal treasury.

    Args:
        db: the database.
        year: the fiscal (calendar) year.
        user: who closes it (stored as ``closed_by``).
        today: years after ``today``'s cannot be closed; the computer's date when None.
        now: the closing time stored (naive UTC); the current time when None.

    Raises:
        InputError: ``fiscal_year.already_closed`` (``year``, ``closed_at``, ``closed_by``),
            ``fiscal_year.future`` (``year``) or ``fiscal_year.reintegros_missing`` (federal money
            unspent on 31 December neither refunded nor excepted; see
            :mod:`tresxuno.services.year_end`). Nothing is written.
    """
    require(db, "ledger.close_year")
    today = today or date.today()
    with db.transaction(immediate=True) as session:
        row = session.get(FiscalYear, year)
        if row is not None and row.closed_at is not None:
            raise InputError(
                Problem(
                    "year",
                    "fiscal_year.already_closed",
                    {
                        "year": year,
                        "closed_at": row.closed_at.isoformat(sep=" "),
                        "closed_by": row.closed_by or "",
                    },
                )
            )
        if year > today.year:
            raise InputError(Problem("year", "fiscal_year.future", {"year": year}))
        from tresxuno.services.year_end import refuse_close_with_missing_reintegros  # imports this module

        refuse_close_with_missing_reintegros(session, year, today=today)
        if row is None:
            row = FiscalYear(year=year)
            session.add(row)
        row.closed_at = now or utcnow()
        row.closed_by = user
        session.flush()
        unspent = _unspent_federal(session, year)
        return FiscalYearClose(year, row.closed_at, user, unspent)


def closed_years(db: Database) -> list[int]:
    """The fiscal years closed so far, in order."""
    with db.transaction() as session:
        return list(
            session.scalars(
                select(FiscalYear.year).where(FiscalYear.closed_at.is_not(None)).order_by(FiscalYear.year)
            )
        )


def _unspent_federal(session: Session, year: int) -> tuple[UnspentFederal, ...]:
    money = _money_per_project_party(_PROJECTS.c.fiscal_year == year)
    p = _PROJECTS
    stmt = (
        select(
            p.c.id,
            p.c.folio,
            p.c.name,
            p.c.municipality_key,
            money.c.received,
            money.c.paid,
            money.c.refunded,
            money.c.cash,
        )
        .join_from(money, p, p.c.id == money.c.project_id)
        .where(money.c.party == Party.FEDERAL.value, money.c.cash > 0)
        .order_by(p.c.folio)
    )
    return tuple(
        UnspentFederal(
            r.id,
            r.folio,
            r.name,
            r.municipality_key,
            int(r.received),
            int(r.paid),
            int(r.refunded),
            int(r.cash),
        )
        for r in session.execute(stmt)
    )


# --- SQL building blocks ------------------------------------------------------------------------


def _reversal_roots(projects: Select | None = None) -> CTE:
    """Recursive CTE ``(id, root_kind, root_cfdi)`` of every reversal, naming the root of its chain.

    ``root_kind`` is the kind of the entry at the root of the reversal's chain and ``root_cfdi``
    is 1 when that root is a payment backed by a CFDI. It starts from reversals of ordinary
    entries and follows ``reverses_id`` (unique, indexed) down the rare chains of reversals of
    reversals; ordinary entries are their own root. ``projects`` (a SELECT of project ids)
    limits it to those projects' reversals.
    """
    reversal, target = _ENTRIES.alias("reversal"), _ENTRIES.alias("target")
    first = (
        select(
            reversal.c.id.label("id"),
            target.c.kind.label("root_kind"),
            case((target.c.cfdi_uuid.is_not(None), 1), else_=0).label("root_cfdi"),
        )
        .join_from(reversal, target, target.c.id == reversal.c.reverses_id)
        .where(reversal.c.reverses_id.is_not(None), target.c.kind != REVERSAL)
    )
    if projects is not None:
        first = first.where(reversal.c.project_id.in_(projects))
    start = first.cte("reversal_roots", recursive=True)
    later = _ENTRIES.alias("later")
    return start.union_all(
        select(later.c.id, start.c.root_kind, start.c.root_cfdi).where(later.c.reverses_id == start.c.id)
    )


def _money_per_project_party(
    project_condition: ColumnElement[bool] | None, *, as_of: date | None = None
) -> Any:
    """Subquery ``(project_id, party, share, received, paid, accrued, refunded, cash)``, centavos.

    Shares and allocation lines are stacked (UNION ALL) and summed per project and party, so a
    party with a share and no entries, or entries and no share, still gets its row. A line counts
    for the moment of the root of its reversal chain: received (contributions), paid and accrued
    (payments; accrued when the payment has a CFDI), refunded (refunds), each net of reversals;
    paid, accrued and refunded are positive numbers. ``project_condition`` (on ``projects``)
    narrows both branches before summing, so filtered reports touch only their projects' rows;
    ``as_of`` keeps only entries dated on or before that day (a reversal counts from its own date).
    """
    scoped = projects_in_scope()
    if scoped:  # an officer of one office sums only its jurisdiction's projects
        project_condition = and_(*scoped) if project_condition is None else and_(project_condition, *scoped)
    chosen = None if project_condition is None else select(_PROJECTS.c.id).where(project_condition)
    roots = _reversal_roots(chosen)
    e, a, s = _ENTRIES, _LINES, _SHARES
    kind = func.coalesce(roots.c.root_kind, e.c.kind)
    has_cfdi = func.coalesce(roots.c.root_cfdi, case((e.c.cfdi_uuid.is_not(None), 1), else_=0))
    # Inline "0", not a bound parameter: PostgreSQL cannot type a bare parameter in a UNION.
    zero: ColumnClause[int] = literal_column("0", BigInteger)
    shares = select(
        s.c.project_id.label("project_id"),
        s.c.party.label("party"),
        s.c.amount.label("share"),
        zero.label("received"),
        zero.label("paid"),
        zero.label("accrued"),
        zero.label("refunded"),
        zero.label("cash"),
    )
    lines = (
        select(
            e.c.project_id,
            a.c.party,
            zero,
            case((kind == CONTRIBUTION, a.c.amount), else_=0),
            case((kind == PAYMENT, -a.c.amount), else_=0),
            case((and_(kind == PAYMENT, has_cfdi == 1), -a.c.amount), else_=0),
            case((kind == REFUND, -a.c.amount), else_=0),
            a.c.amount,
        )
        .join_from(a, e, e.c.id == a.c.entry_id)
        .outerjoin(roots, roots.c.id == e.c.id)
    )
    if chosen is not None:
        shares = shares.where(s.c.project_id.in_(chosen))
        lines = lines.where(e.c.project_id.in_(chosen))
    if as_of is not None:
        lines = lines.where(e.c.entry_date <= as_of)
    stacked = union_all(shares, lines).subquery("stacked")
    return (
        select(
            stacked.c.project_id,
            stacked.c.party,
            func.sum(stacked.c.share).label("share"),
            func.sum(stacked.c.received).label("received"),
            func.sum(stacked.c.paid).label("paid"),
            func.sum(stacked.c.accrued).label("accrued"),
            func.sum(stacked.c.refunded).label("refunded"),
            func.sum(stacked.c.cash).label("cash"),
        )
        .group_by(stacked.c.project_id, stacked.c.party)
        .subquery("money")
    )


#: Public name of the building block every balance, report and transparency file sums.
money_per_project_party = _money_per_project_party


def _entry_filters(
    project_id: int | None,
    fiscal_year: int | None,
    kind: str | None,
    party: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if project_id is not None:
        conditions.append(_ENTRIES.c.project_id == project_id)
    conditions.extend(filed_in_scope(_ENTRIES.c.project_id))
    if fiscal_year is not None:
        # A date range, not a year function, so the index on entry_date serves it.
        conditions.append(_ENTRIES.c.entry_date >= date(fiscal_year, 1, 1))
        conditions.append(_ENTRIES.c.entry_date < date(fiscal_year + 1, 1, 1))
    if kind is not None:
        conditions.append(_ENTRIES.c.kind == kind)
    if party is not None:
        lines = select(_LINES.c.entry_id).where(_LINES.c.entry_id == _ENTRIES.c.id, _LINES.c.party == party)
        conditions.append(lines.exists())
    if start is not None:
        conditions.append(_ENTRIES.c.entry_date >= start)
    if end is not None:
        conditions.append(_ENTRIES.c.entry_date <= end)
    return conditions


def _page(
    conditions: Sequence[ColumnElement[bool]],
    *,
    offset: int = 0,
    limit: int | None = None,
    with_running: bool = True,
) -> Select:
    """A page of entries with folio, reversing entry and running balance, in statement order.

    The page is chosen first (filters, order by entry date then id, offset, limit: the index on
    ``entry_date``, or on ``project_id, entry_date, id``, serves it). Each running balance counts all
    of its project's earlier entries, whatever the filters: the first row of each project on the page
    sums the project's entries up to it, each later row only those since the row before it of the
    same project, and the page adds these up per project. Every sum is a range of the index on
    ``project_id, entry_date, id, amount`` (no table row read), so a page costs about the same at the
    end of a million entries as at the start.
    """
    e = _ENTRIES
    chosen = (
        select(e.c.id, e.c.project_id, e.c.entry_date)
        .where(*conditions)
        .order_by(e.c.entry_date, e.c.id)
        .offset(offset)
    )
    page = (chosen.limit(limit) if limit is not None else chosen).cte("page")
    reversal = _ENTRIES.alias("reversed_by")
    if not with_running:  # the caller adds the running balance up itself (see list_entries)
        return (
            select(
                *e.c,
                literal_column("0").label("running_balance"),
                reversal.c.id.label("reversed_by"),
                _PROJECTS.c.folio,
            )
            .join_from(page, e, e.c.id == page.c.id)
            .join(_PROJECTS, _PROJECTS.c.id == e.c.project_id)
            .outerjoin(reversal, reversal.c.reverses_id == e.c.id)
            .order_by(e.c.entry_date, e.c.id)
        )
    in_order = (page.c.entry_date, page.c.id)
    ordered = select(
        page.c.id,
        page.c.project_id,
        page.c.entry_date,
        func.lag(page.c.entry_date)
        .over(partition_by=page.c.project_id, order_by=in_order)
        .label("previous_date"),
        func.lag(page.c.id).over(partition_by=page.c.project_id, order_by=in_order).label("previous_id"),
    ).cte("ordered")
    earlier = _ENTRIES.alias("earlier")
    key = tuple_(earlier.c.entry_date, earlier.c.id)
    same_project = earlier.c.project_id == ordered.c.project_id
    up_to = and_(same_project, key <= tuple_(ordered.c.entry_date, ordered.c.id))
    total = func.coalesce(func.sum(earlier.c.amount), 0)
    since_previous = key > tuple_(ordered.c.previous_date, ordered.c.previous_id)
    # A project's first row sums everything before its day, then that day up to its id: plain
    # column bounds end each index range, where a row value (entry_date, id) <= (...) would be tested
    # again on every one of the hundreds of thousands of earlier rows (3x slower at a million).
    before_day = select(total).where(same_project, earlier.c.entry_date < ordered.c.entry_date)
    that_day = select(total).where(
        same_project, earlier.c.entry_date == ordered.c.entry_date, earlier.c.id <= ordered.c.id
    )
    # Separate subqueries rather than one with an OR, so that each is one range of the index.
    part = case(
        (ordered.c.previous_id.is_(None), before_day.scalar_subquery() + that_day.scalar_subquery()),
        else_=select(total).where(up_to, since_previous).scalar_subquery(),
    )
    parts = select(ordered.c.id, ordered.c.project_id, ordered.c.entry_date, part.label("part")).cte("parts")
    running = select(
        parts.c.id,
        func.sum(parts.c.part)
        .over(partition_by=parts.c.project_id, order_by=(parts.c.entry_date, parts.c.id))
        .label("running_balance"),
    ).subquery("running")
    return (
        select(*e.c, running.c.running_balance, reversal.c.id.label("reversed_by"), _PROJECTS.c.folio)
        .join_from(page, e, e.c.id == page.c.id)
        .join(running, running.c.id == e.c.id)
        .join(_PROJECTS, _PROJECTS.c.id == e.c.project_id)
        .outerjoin(reversal, reversal.c.reverses_id == e.c.id)
        .order_by(e.c.entry_date, e.c.id)
    )


def _records(session: Session, rows: Sequence[Any]) -> list[EntryRecord]:
    """Entry records of listing rows, with their allocation lines fetched in one query."""
    ids = [r.id for r in rows]
    lines: dict[int, list[AllocationLine]] = {i: [] for i in ids}
    if ids:
        for entry_id, party, amount in session.execute(
            select(_LINES.c.entry_id, _LINES.c.party, _LINES.c.amount).where(_LINES.c.entry_id.in_(ids))
        ):
            lines[entry_id].append(AllocationLine(party, amount))
    return [
        _record_of(
            r,
            tuple(sorted(lines[r.id], key=lambda line: party_rank(line.party))),
            running_balance=int(r.running_balance),
            reversed_by=r.reversed_by,
            folio=r.folio,
        )
        for r in rows
    ]


def _record_of(
    row: Any,
    lines: tuple[AllocationLine, ...],
    *,
    running_balance: int | None,
    reversed_by: int | None,
    folio: str,
) -> EntryRecord:
    return EntryRecord(
        id=row.id,
        project_id=row.project_id,
        kind=row.kind,
        entry_date=row.entry_date,
        amount=row.amount,
        lines=lines,
        party=row.party,
        folio=folio,
        usd_amount=row.usd_amount,
        rate=row.rate,
        rate_date=row.rate_date,
        rate_source=row.rate_source,
        reference=row.reference,
        payee_name=row.payee_name,
        payee_rfc=row.payee_rfc,
        concept=row.concept,
        cfdi_uuid=row.cfdi_uuid,
        reverses_id=row.reverses_id,
        reversed_by=reversed_by,
        reason=row.reason,
        override_reason=row.override_reason,
        authorised_by=row.authorised_by,
        created_at=row.created_at,
        created_by=row.created_by,
        running_balance=running_balance,
    )


# --- Helpers of the recording use cases ---------------------------------------------------------


def _project_for_entry(
    session: Session,
    project_id: int,
    day: date,
    stages: frozenset[str],
    problems: list[Problem],
    *,
    field: str = "entry_date",
) -> Project | None:
    """The project, after the guards every entry shares; problems found are appended.

    The project must exist, its convenio must be signed (its stage in ``stages``) and ``day``
    must not be in a closed fiscal year.
    """
    project = session.get(Project, project_id)
    if project is None:
        problems.append(Problem("project", "project.unknown", {"id": project_id}))
        return None
    if project.stage not in stages:
        code = {
            Stage.CERRADO.value: "ledger.project_closed",
            Stage.CANCELADO.value: "ledger.project_cancelled",
        }
        problems.append(
            Problem(
                "project",
                code.get(project.stage, "ledger.no_convenio"),
                {"stage": project.stage, "folio": project.folio},
            )
        )
    closed = session.scalar(
        select(FiscalYear.closed_at).where(FiscalYear.year == day.year, FiscalYear.closed_at.is_not(None))
    )
    if closed is not None:
        problems.append(Problem(field, "ledger.year_closed", {"year": day.year}))
    return project


def _is_live(session: Session, entry_id: int) -> bool:
    """Whether entry ``entry_id`` stands: not reversed, or its reversal is itself reversed, and so on."""
    live = True
    current: int | None = entry_id
    while current is not None:
        current = session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == current))
        if current is not None:
            live = not live
    return live


def _live_cfdi_use(session: Session, uuid: str) -> Any:
    """The live entry (id, folio) whose evidence is the CFDI ``uuid``, or None.

    A reversed payment no longer uses its invoice (the money went back), so the corrected payment
    may cite the same UUID; any entry still standing with it keeps it to itself.
    """
    rows = session.execute(
        select(LedgerEntry.id, Project.folio)
        .join(Project, Project.id == LedgerEntry.project_id)
        .where(LedgerEntry.cfdi_uuid == uuid)
        .order_by(LedgerEntry.id)
        .execution_options(**WHOLE_DATABASE)  # a CFDI is cited once in the whole state
    ).all()
    return next((row for row in rows if _is_live(session, row.id)), None)


def _revived_payment(session: Session, target: LedgerEntry) -> LedgerEntry | None:
    """The payment a reversal of ``target`` would bring back into force, if any.

    Reversing a reversal restores what it cancelled: walking the chain down from ``target``, every
    second entry is restored; the chain's root is revived when its depth from ``target`` is odd.
    """
    depth, current = 0, target
    while current.reverses_id is not None:
        parent = session.get(LedgerEntry, current.reverses_id)
        if parent is None:
            return None
        depth, current = depth + 1, parent
    return current if depth % 2 == 1 and current.kind == PAYMENT else None


def _shares(session: Session, project_id: int) -> dict[str, int]:
    """Each party's share of the project, centavos, in party order."""
    rows = session.execute(
        select(ProjectShare.party, ProjectShare.amount).where(ProjectShare.project_id == project_id)
    )
    return dict(sorted(((party, int(amount)) for party, amount in rows), key=lambda pa: party_rank(pa[0])))


def _entries(session: Session, project_id: int) -> list[EntryRecord]:
    """Every entry of a project with its lines (a project has tens of entries, not millions)."""
    rows = session.execute(select(_ENTRIES).where(_ENTRIES.c.project_id == project_id)).all()
    lines: dict[int, list[AllocationLine]] = {r.id: [] for r in rows}
    for entry_id, party, amount in session.execute(
        select(_LINES.c.entry_id, _LINES.c.party, _LINES.c.amount)
        .join(_ENTRIES, _ENTRIES.c.id == _LINES.c.entry_id)
        .where(_ENTRIES.c.project_id == project_id)
    ):
        lines[entry_id].append(AllocationLine(party, amount))
    return [_record_of(r, tuple(lines[r.id]), running_balance=None, reversed_by=None, folio="") for r in rows]


def _insert(session: Session, row: LedgerEntry, lines: tuple[AllocationLine, ...], folio: str) -> EntryRecord:
    """Write an entry and its allocation lines; they must add up to its amount."""
    if sum(line.amount for line in lines) != row.amount or not lines:
        raise AssertionError(f"allocation lines {lines} do not add up to {row.amount}")
    session.add(row)
    session.flush()
    session.add_all(LedgerAllocation(entry_id=row.id, party=line.party, amount=line.amount) for line in lines)
    session.flush()
    ordered = tuple(sorted(lines, key=lambda line: party_rank(line.party)))
    return _record_of(row, ordered, running_balance=None, reversed_by=None, folio=folio)


# --- Attachments --------------------------------------------------------------------------------


def _check_file(path: Path | None, field: str) -> list[Problem]:
    """Problems with a file to attach, found before the transaction so they come with the others.

    Codes as :func:`~tresxuno.services.attachments.store_file` raises them: ``file.not_found``
    (``path``) and ``file.too_large`` (``max_mb``).
    """
    if path is None:
        return []
    source = Path(path)
    if not source.is_file():
        return [Problem(field, "file.not_found", {"path": str(source)})]
    if source.stat().st_size > MAX_ATTACHMENT_BYTES:
        return [Problem(field, "file.too_large", {"max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)})]
    return []


def _read_capped(path: Path, limit: int, field: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, reading at most ``limit + 1`` so a huge file is never loaded whole."""
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None, [Problem(field, "file.not_found", {"path": str(path)})]
    if len(data) > limit:
        return None, [Problem(field, "cfdi.too_large", {"max": limit, "size": len(data)})]
    return data, []


def _attach(
    session: Session,
    record: EntryRecord,
    kind: str,
    source: Path,
    *,
    user: str,
    expected: bytes | None = None,
) -> None:
    """File ``source`` with the entry under ``<data folder>/attachments/<folio>/`` (sha256, size).

    ``expected`` is the content already read and checked (a CFDI): the stored copy must be those
    very bytes, so a file changed on disk between reading and copying is refused.
    """
    project = session.get(Project, record.project_id)
    assert project is not None
    row = store_file(session, project, kind, Path(source), user=user, ledger_entry_id=record.id)
    if expected is not None and row.sha256 != hashlib.sha256(expected).hexdigest():
        raise InputError(Problem(kind, "cfdi.changed", {"path": str(source)}))
