"""Pure ledger arithmetic: payment attribution, balances from entries, cash available, input checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tresxuno.domain.allocation import allocate
from tresxuno.domain.cfdi import Cfdi
from tresxuno.domain.ledger import (
    AllocationLine,
    ContributionInput,
    EntryRecord,
    PaymentInput,
    ProjectMoney,
    RefundInput,
    attribute,
    balance_from_entries,
    cash_available,
    check_contribution,
    check_payment,
    check_payment_cash,
    check_payment_source,
    check_refund,
    draw_from_funds,
    funds_available,
    payment_lines,
    rate_mismatch,
    reversal_lines,
    root_kinds,
    with_cfdi_payee,
)
from tresxuno.domain.money import Money, convert_usd
from tresxuno.domain.parties import PARTY_ORDER, Party
from tresxuno.domain.problems import Problem
from tresxuno.messages import describe

TODAY = date(2021, 3, 31)
IDS = [p.value for p in PARTY_ORDER]


# --- Attribution ---------------------------------------------------------------------------------


def test_attribution_is_proportional_to_shares_and_exact():
    shares = {"club": 181_910_155, "federal": 100_000_000, "state": 222_865_232, "municipal": 222_865_232}
    split = attribute(50_000_000, shares)
    assert sum(split.values()) == 50_000_000
    assert split == {"club": 12_500_000, "federal": 6_871_524, "state": 15_314_238, "municipal": 15_314_238}


def test_attribution_ties_go_by_party_order():
    # 1 centavo over four equal shares: every remainder ties, the club (first in order) gets it.
    equal = dict.fromkeys(["municipal", "state", "federal", "club"], 100)
    assert attribute(1, equal) == {"club": 1, "federal": 0, "state": 0, "municipal": 0}
    assert attribute(3, equal) == {"club": 1, "federal": 1, "state": 1, "municipal": 0}
    # The order in which the shares are given does not matter, only the party order.
    assert list(attribute(7, equal)) == ["club", "federal", "state", "municipal"]


def test_largest_remainder_beats_party_order():
    # 10 centavos over 35/40/25: exact 3.5, 4.0, 2.5 -> floors 3, 4, 2 and one left over; club and
    # municipal tie at .5, club wins by order. With weights 1/2 the state's remainder is largest.
    assert attribute(10, {"club": 35, "state": 40, "municipal": 25}) == {
        "club": 4,
        "state": 4,
        "municipal": 2,
    }
    assert attribute(2, {"club": 1, "state": 2}) == {"club": 1, "state": 1}
    assert attribute(1, {"club": 1, "state": 2}) == {"club": 0, "state": 1}


def test_zero_weights_get_nothing_and_bad_input_is_refused():
    assert attribute(100, {"club": 0, "federal": 5}) == {"federal": 100}
    with pytest.raises(ValueError):
        attribute(100, {"club": 0})
    with pytest.raises(ValueError):
        attribute(-1, {"club": 1})
    with pytest.raises(ValueError):
        attribute(1, {"club": -1, "state": 2})


@given(
    amount=st.integers(min_value=0, max_value=10**15),
    weights=st.dictionaries(st.sampled_from(IDS), st.integers(min_value=0, max_value=10**13), min_size=1),
)
def test_attribution_sums_exactly_and_each_part_is_within_a_centavo(amount, weights):
    if not any(weights.values()):
        return
    split = attribute(amount, weights)
    assert sum(split.values()) == amount
    total = sum(weights.values())
    for party, part in split.items():
        assert abs(part - Fraction(amount * weights[party], total)) < 1


@given(
    amount=st.integers(min_value=1, max_value=10**14),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), min_size=4, max_size=4),
)
def test_attribution_is_the_share_allocation_rule(amount, cuts):
    # With weights in basis points summing to 100 %, attribute() and allocate() give the same split.
    points = sorted(cuts)
    bounds = [0, *points, 10_000]
    mix = {party: bounds[i + 1] - bounds[i] for i, party in enumerate(PARTY_ORDER)}
    if not any(mix.values()):
        return
    expected = {p.value: a for p, a in allocate(amount, mix).amounts.items()}
    got = attribute(amount, {p.value: bp for p, bp in mix.items()})
    assert {p: a for p, a in got.items()} == expected


# --- Drawing a payment from the parties' funds ---------------------------------------------------

funds_cases = st.fixed_dictionaries(
    {
        "shares": st.dictionaries(st.sampled_from(IDS), st.integers(0, 10**9), min_size=1),
        "available": st.dictionaries(st.sampled_from(IDS), st.integers(-(10**6), 10**9)),
        "portion": st.integers(0, 1_000),
    }
)


@given(case=funds_cases)
def test_a_drawn_payment_sums_exactly_and_takes_no_party_beyond_its_money(case):
    shares, available = case["shares"], case["available"]
    total = sum(max(0, a) for a in available.values())
    amount = total * case["portion"] // 1_000
    drawn = draw_from_funds(amount, shares, available)
    assert sum(drawn.values()) == amount
    assert all(0 < part <= available.get(p, 0) for p, part in drawn.items())
    assert draw_from_funds(amount, shares, available) == drawn  # deterministic
    assert list(drawn) == sorted(drawn, key=IDS.index)  # party order
    with pytest.raises(ValueError):
        draw_from_funds(total + 1, shares, available)


@given(
    amount=st.integers(0, 10**9),
    shares=st.dictionaries(st.sampled_from(IDS), st.integers(0, 10**9), min_size=1),
    extra=st.lists(st.integers(1, 10**6), min_size=len(IDS), max_size=len(IDS)),
)
def test_when_every_party_has_enough_the_draw_is_the_split_by_shares(amount, shares, extra):
    # Every party holds its part and at least a centavo more: nobody is capped, nobody left out.
    if not any(shares.values()):
        return
    split = attribute(amount, shares)
    available = {p: split.get(p, 0) + more for p, more in zip(IDS, extra, strict=True)}
    assert draw_from_funds(amount, shares, available) == {p: a for p, a in split.items() if a}


def test_what_a_party_cannot_cover_is_drawn_from_the_others_by_their_shares():
    shares = {"club": 1_000, "federal": 1_000, "state": 2_000}
    # Club has 100 of its 300 part; the other 200 are split federal 1 : state 2.
    assert draw_from_funds(1_200, shares, {"club": 100, "federal": 5_000, "state": 5_000}) == {
        "club": 100,
        "federal": 367,
        "state": 733,
    }
    # A party that deposited nothing gives nothing; it is never made negative.
    assert draw_from_funds(500, shares, {"club": 500, "state": 0}) == {"club": 500}
    # The cap is repeated: federal is capped in the second round too.
    assert draw_from_funds(1_000, shares, {"club": 0, "federal": 10, "state": 990}) == {
        "federal": 10,
        "state": 990,
    }


def test_a_payment_beyond_all_the_funds_names_what_each_party_still_owes():
    money = _money([entry(1, "contribution", 1_000, {"club": 1_000})])
    [problem] = check_payment_source(_payment(1_001), money)
    assert problem.code == "payment.exceeds_funds"
    assert problem.params == {
        "amount": 1_001,
        "available": 1_000,
        "owed": "federal=1000;state=1000;municipal=1000",
    }
    text = describe(problem)
    assert "Federal" in text and "$10.00" in text


def test_a_back_dated_entry_takes_no_more_than_the_partys_lowest_balance_from_its_date_on():
    entries = [
        entry(1, "contribution", 1_000, {"club": 1_000}, day=1),
        entry(2, "payment", -800, {"club": -800}, day=20),
        entry(3, "contribution", 1_000, {"federal": 1_000}, day=25),
    ]
    # On day 10 the club holds 1,000 but will pay 800 on day 20: only 200 may be taken then.
    assert funds_available(entries, date(2019, 7, 10)) == {"club": 200, "federal": 0}
    assert funds_available(entries, date(2019, 7, 30)) == {"club": 200, "federal": 1_000}


# --- Balances from entries -----------------------------------------------------------------------

SHARES = {"club": 1_000, "federal": 1_000, "state": 1_000, "municipal": 1_000}


def entry(id_: int, kind: str, amount: int, lines: dict[str, int], *, day: int = 1, **extra) -> EntryRecord:
    return EntryRecord(
        id=id_,
        project_id=1,
        kind=kind,
        entry_date=date(2019, 7, day),
        amount=amount,
        lines=tuple(AllocationLine(p, a) for p, a in lines.items()),
        **extra,
    )


def trail() -> list[EntryRecord]:
    return [
        entry(1, "contribution", 1_000, {"club": 1_000}, party="club"),
        entry(2, "contribution", 1_000, {"federal": 1_000}, party="federal"),
        entry(3, "contribution", 600, {"state": 600}, party="state"),
        entry(4, "payment", -800, {"club": -300, "federal": -300, "state": -200}, day=2, cfdi_uuid="A"),
        entry(5, "payment", -400, {"club": -200, "federal": -200}, day=3),
        entry(6, "refund", -100, {"federal": -100}, day=4, party="federal", reason="no ejercido"),
    ]


def test_balance_moments_per_party():
    balance = balance_from_entries(1, "en_ejecucion", SHARES, trail(), folio="F")
    club, federal, state, municipal = balance.parties
    assert (club.received, club.paid, club.accrued, club.refunded, club.cash) == (1_000, 500, 300, 0, 500)
    assert (federal.received, federal.paid, federal.refunded, federal.cash) == (1_000, 500, 100, 400)
    assert (state.received, state.outstanding, state.over_received, state.cash) == (600, 400, 0, 400)
    assert (municipal.approved, municipal.committed, municipal.outstanding) == (1_000, 1_000, 1_000)
    assert balance.cash == sum(p.cash for p in balance.parties) == 1_300
    assert (balance.received, balance.paid, balance.accrued, balance.refunded) == (2_600, 1_200, 800, 100)
    assert balance.outstanding == 1_400


def test_reversals_count_against_the_moment_of_their_root():
    entries = trail()
    pay = entries[3]
    r1 = entry(
        7, "reversal", 800, {line.party: line.amount for line in reversal_lines(pay)}, day=5, reverses_id=4
    )
    r2 = entry(
        8, "reversal", -800, {line.party: line.amount for line in reversal_lines(r1)}, day=6, reverses_id=7
    )
    r3 = entry(9, "reversal", -1_000, {"club": -1_000}, day=6, reverses_id=1)
    assert root_kinds([*entries, r1, r2, r3])[8].id == 4
    once = balance_from_entries(1, "en_ejecucion", SHARES, [*entries, r1])
    assert once.party("club").paid == 200 and once.accrued == 0
    twice = balance_from_entries(1, "en_ejecucion", SHARES, [*entries, r1, r2])
    assert twice == balance_from_entries(1, "en_ejecucion", SHARES, entries)
    contribution_reversed = balance_from_entries(1, "en_ejecucion", SHARES, [*entries, r3])
    assert contribution_reversed.party("club").received == 0
    assert contribution_reversed.party("club").outstanding == 1_000


def test_over_receipt_is_reported_not_netted_and_stages_decide_approved():
    entries = [entry(1, "contribution", 1_500, {"club": 1_500}, party="club")]
    balance = balance_from_entries(1, "convenio_firmado", SHARES, entries)
    assert (balance.party("club").outstanding, balance.party("club").over_received) == (0, 500)
    assert balance.outstanding == 3_000 and balance.over_received == 500
    cancelled = balance_from_entries(1, "cancelado", SHARES, entries)
    assert (cancelled.approved, cancelled.committed, cancelled.over_received) == (0, 0, 1_500)
    approved = balance_from_entries(1, "aprobado", SHARES, [])
    assert (approved.approved, approved.committed) == (4_000, 0)


def test_a_reversal_whose_target_is_missing_is_a_bug():
    with pytest.raises(ValueError):
        root_kinds([entry(2, "reversal", -5, {"club": -5}, reverses_id=1)])


def test_cash_available_protects_every_later_running_balance():
    entries = [
        entry(1, "contribution", 1_000, {"club": 1_000}, day=1),
        entry(2, "payment", -700, {"club": -700}, day=10),
        entry(3, "contribution", 500, {"club": 500}, day=20),
    ]
    assert cash_available(entries, date(2019, 7, 25)) == 800
    # On day 5 there are 1,000, but the payment of day 10 needs 700 of them.
    assert cash_available(entries, date(2019, 7, 5)) == 300
    assert cash_available(entries, date(2019, 6, 30)) == 0
    assert cash_available([], date(2019, 7, 1)) == 0


# --- Input checks --------------------------------------------------------------------------------


def contribution(**changes) -> ContributionInput:
    base = {"project_id": 1, "party": "club", "entry_date": date(2019, 7, 1), "amount": 1_000_00}
    base.update(changes)
    return ContributionInput(**base)


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_mxn_contribution_checks():
    assert check_contribution(contribution(), today=TODAY) == (1_000_00, None, [])
    assert codes(check_contribution(contribution(amount=0), today=TODAY)[2]) == ["amount.zero"]
    assert codes(check_contribution(contribution(amount=-5), today=TODAY)[2]) == ["amount.negative"]
    assert codes(check_contribution(contribution(amount=None), today=TODAY)[2]) == ["amount.empty"]
    assert codes(check_contribution(contribution(party="banco"), today=TODAY)[2]) == ["party.unknown"]
    future = check_contribution(contribution(entry_date=date(2021, 4, 1)), today=TODAY)[2]
    assert [(p.code, p.params) for p in future] == [
        ("date.future", {"date": "2021-04-01", "today": "2021-03-31"})
    ]
    with pytest.raises(TypeError):
        check_contribution(contribution(amount=Decimal("10.00")), today=TODAY)


def usd(**changes) -> ContributionInput:
    base = {
        "amount": None,
        "usd_amount": 5_000_00,
        "rate": "19.1234",
        "rate_date": date(2019, 6, 28),
        "rate_source": "Banxico FIX",
    }
    base.update(changes)
    return contribution(**base)


def test_usd_contribution_credits_usd_times_rate_rounded_half_up():
    amount, rate, problems = check_contribution(usd(), today=TODAY)
    assert problems == [] and rate == Decimal("19.1234")
    assert amount == convert_usd(Money(5_000_00, "USD"), rate).centavos == 95_617_00
    # 0.01 USD at 17.25 is 0.1725 pesos: 17.25 centavos, rounded half-up to 17.
    assert check_contribution(usd(usd_amount=1, rate="17.25"), today=TODAY)[0] == 17
    assert check_contribution(usd(usd_amount=2, rate="17.25"), today=TODAY)[0] == 35  # 34.5 -> 35


def test_bank_credited_amount_within_half_a_percent_is_kept():
    expected = 95_617_00
    tolerance = expected // 200  # 0.5 % = 478.08 pesos -> 47,808 centavos, whole centavos
    assert check_contribution(usd(amount=expected - tolerance), today=TODAY)[0] == expected - tolerance
    assert check_contribution(usd(amount=expected + tolerance), today=TODAY)[0] == expected + tolerance
    problems = check_contribution(usd(amount=expected + tolerance + 1), today=TODAY)[2]
    assert [(p.code, p.params["expected"]) for p in problems] == [("contribution.rate_mismatch", expected)]
    # Exactly 0.5 % off is accepted; one centavo more is not.
    assert not rate_mismatch(201, 200) and rate_mismatch(202, 200) and rate_mismatch(1, 200)


def test_usd_needs_rate_date_and_source():
    assert codes(check_contribution(usd(rate=""), today=TODAY)[2]) == ["contribution.rate_required"]
    assert codes(check_contribution(usd(rate="17,20"), today=TODAY)[2]) == ["rate.not_a_number"]
    assert codes(check_contribution(usd(rate_date=None), today=TODAY)[2]) == [
        "contribution.rate_date_required"
    ]
    later = check_contribution(usd(rate_date=date(2019, 7, 2)), today=TODAY)[2]
    assert codes(later) == ["contribution.rate_date_after_entry"]
    assert codes(check_contribution(usd(rate_source=" "), today=TODAY)[2]) == ["text.required"]
    assert codes(check_contribution(usd(usd_amount=0), today=TODAY)[2]) == ["amount.zero"]
    # 0.01 USD at 0.4 pesos is 0.004 pesos: no centavo to credit.
    assert codes(check_contribution(usd(usd_amount=1, rate="0.4"), today=TODAY)[2]) == ["amount.zero"]


def test_override_needs_both_reason_and_authoriser():
    assert codes(check_contribution(contribution(override_reason="acuerdo"), today=TODAY)[2]) == [
        "override.incomplete"
    ]
    assert (
        check_contribution(contribution(override_reason="acuerdo", authorised_by="Tesorero"), today=TODAY)[2]
        == []
    )


def payment(**changes) -> PaymentInput:
    base = {
        "project_id": 1,
        "entry_date": date(2019, 8, 1),
        "amount": 500_000_00,
        "payee_name": "Construcciones y Pavimentos del Cañón",
        "payee_rfc": "CPC1005124T0",
        "concept": "Estimación 2",
        "receipt_path": Path("recibo.pdf"),
    }
    base.update(changes)
    return PaymentInput(**base)


def test_payment_checks_and_cfdi_agreement():
    assert check_payment(payment(), today=TODAY) == []
    assert codes(check_payment(payment(payee_rfc="CPC1005124T1"), today=TODAY)) == ["rfc.check_digit"]
    assert codes(check_payment(payment(receipt_path=None), today=TODAY)) == ["payment.evidence_required"]
    assert codes(check_payment(payment(concept=""), today=TODAY)) == ["text.required"]
    assert codes(check_payment(payment(source_party="nadie"), today=TODAY)) == ["party.unknown"]
    differs = check_payment(
        payment(amount=400_000_00), today=TODAY, cfdi_total=500_000_00, cfdi_issuer_rfc="EKU9003173C9"
    )
    assert [(p.code, p.params) for p in differs] == [
        ("payment.cfdi_total_differs", {"amount": 400_000_00, "total": 500_000_00}),
        ("payment.cfdi_rfc_differs", {"rfc": "CPC1005124T0", "issuer_rfc": "EKU9003173C9"}),
    ]
    dollars = check_payment(payment(), today=TODAY, cfdi_total=500_000_00, cfdi_currency="USD")
    assert codes(dollars) == ["payment.cfdi_currency"]


def test_refund_needs_a_reason():
    refund = RefundInput(1, "federal", date(2019, 12, 1), 100, reason="  ", reference="LC 1")
    assert codes(check_refund(refund, today=TODAY)) == ["text.required"]
    assert (
        check_refund(
            RefundInput(1, "federal", date(2019, 12, 1), 100, reason="no ejercido", reference="LC 1"),
            today=TODAY,
        )
        == []
    )


def test_a_refund_to_the_federal_party_needs_its_reference_others_may_omit_it():
    # The TESOFE línea de captura (or bank reference) traces a reintegro of federal money (LDF art. 17).
    federal = RefundInput(1, "federal", date(2020, 1, 10), 100, reason="no ejercido", reference=" \t")
    assert [(p.field, p.code) for p in check_refund(federal, today=TODAY)] == [
        ("reference", "refund.federal_reference_required")
    ]
    assert (
        check_refund(RefundInput(1, "state", date(2020, 1, 10), 100, reason="no ejercido"), today=TODAY) == []
    )
    assert Party.FEDERAL.value == "federal"


# --- the payment's checks against its project's money (pure: record_payment reads, these decide) ---


def _money(entries: list[EntryRecord], shares: dict[str, int] | None = None) -> ProjectMoney:
    return ProjectMoney(
        1, "3X1-2021-32020-0001", "en_ejecucion", SHARES if shares is None else shares, entries
    )


def _payment(amount: int, source: str | None = None, day: int = 20) -> PaymentInput:
    return PaymentInput(project_id=1, entry_date=date(2021, 3, day), amount=amount, source_party=source)


DEPOSITS = [
    entry(1, "contribution", 1_000, {"club": 1_000}),
    entry(2, "contribution", 1_000, {"federal": 1_000}),
]


def test_a_payment_within_the_cash_passes_and_is_drawn_from_what_was_deposited():
    data = _payment(2_000)
    assert check_payment_cash(data, _money(DEPOSITS)) == []
    assert check_payment_source(data, _money(DEPOSITS)) == []
    # State and municipal deposited nothing: the payment takes nothing from them (never negative).
    lines = payment_lines(data, _money(DEPOSITS))
    assert lines == (AllocationLine("club", -1_000), AllocationLine("federal", -1_000))


def test_a_payment_above_the_cash_is_refused_with_the_cash_available():
    assert check_payment_cash(_payment(2_001), _money(DEPOSITS)) == [
        Problem("amount", "payment.exceeds_cash", {"cash": 2_000, "amount": 2_001})
    ]


def test_a_source_party_must_have_a_share_and_the_funds():
    money = _money(DEPOSITS)
    assert [p.code for p in check_payment_source(_payment(500, "partner"), money)] == [
        "payment.party_not_in_project"
    ]
    assert check_payment_source(_payment(500, "nobody"), money) == []  # check_payment names it
    assert check_payment_source(_payment(1_000, "club"), money) == []
    assert check_payment_source(_payment(1_001, "club"), money) == [
        Problem(
            "amount", "payment.exceeds_party_funds", {"party": "club", "available": 1_000, "amount": 1_001}
        )
    ]
    assert payment_lines(_payment(700, "club"), money) == (AllocationLine("club", -700),)


def test_a_project_without_shares_cannot_attribute_a_payment():
    money = _money(DEPOSITS, shares={"club": 0})
    assert [p.code for p in check_payment_source(_payment(10), money)] == ["payment.no_shares"]


def test_a_blank_payee_is_taken_from_the_cfdi_issuer():
    cfdi = Cfdi(
        "U",
        "4.0",
        "AAA010101AAA",
        "Constructora",
        "BBB010101BBB",
        "Municipio",
        100,
        "MXN",
        datetime(2021, 3, 1),
    )
    filled = with_cfdi_payee(_payment(100), cfdi)
    assert (filled.payee_name, filled.payee_rfc) == ("Constructora", "AAA010101AAA")
    kept = with_cfdi_payee(replace(_payment(100), payee_name="Otro", payee_rfc="CCC010101CCC"), cfdi)
    assert (kept.payee_name, kept.payee_rfc) == ("Otro", "CCC010101CCC")
