"""The new money figures, read back from the PDFs.

A dollar deposit's effective bank rate and its difference against FIX (receipt and statement), and
per party the deposited, available, excess and still-to-deposit amounts with their totals and the
payment-draw rule.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, pdf_text
from tresxuno.domain.money import Money, format_money
from tresxuno.i18n import set_language
from tresxuno.reports.data import PartyMoney, RateLine
from tresxuno.reports.fx import rate_gap
from tresxuno.reports.pdf.receipt import render_receipt
from tresxuno.reports.pdf.statement import render_statement
from tresxuno.services.reporting.receipt import build_receipt
from tresxuno.services.reporting.statement import build_statement

#: 1,000.00 USD at FIX 17.2345 is 17,234.50 MXN; the bank credited 17,123.45 (rate 17.1235).
USD = 100_000
FIX = "17.2345"
EXPECTED = 1_723_450
CREDITED = 1_712_345


def es(centavos: int) -> str:
    return format_money(Money(centavos), "es")


def test_rate_gap_is_exact_and_absent_when_pesos_equal_dollars_times_fix():
    gap = rate_gap(USD, CREDITED, FIX)
    assert gap is not None
    assert gap.effective_rate == Decimal("17.1235")  # 17.12345 rounded half-up
    assert (gap.expected, gap.difference) == (EXPECTED, CREDITED - EXPECTED)
    assert rate_gap(USD, EXPECTED, FIX) is None
    assert rate_gap(None, CREDITED, "") is None
    # 3 USD credited 52.00 MXN: 17.3333..., to four decimals.
    assert rate_gap(300, 5_200, "17.20") == rate_gap(300, 5_200, "17.2")
    assert rate_gap(300, 5_200, "17.2").effective_rate == Decimal("17.3333")  # type: ignore[union-attr]


@pytest.mark.parametrize("credited", [CREDITED, EXPECTED])
def test_receipt_explains_a_bank_rate_other_than_fix(demo_db, picks, tmp_path, credited):
    data = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    data = dataclasses.replace(data, usd_amount=USD, rate=FIX, amount=credited)
    out = tmp_path / "recibo.pdf"
    render_receipt(data, out)
    reader, texts = pdf_text(out)
    assert len(texts) == 1  # the explanation keeps the receipt on one page
    text = texts[0]
    assert format_money(Money(credited), "es", code=True) in text
    labels = ("Tipo de cambio efectivo del banco", "Bank's effective exchange rate", "Diferencia contra FIX")
    if credited == EXPECTED:
        assert not any(label in text for label in labels)
        assert "17.1235" not in text
    else:
        assert all(label in text for label in labels)
        assert "17.1235" in text
        assert format_money(Money(CREDITED - EXPECTED), "es", code=True) in text  # -$111.05 MXN
    assert_text_inside(reader)


def test_statement_explains_dollar_deposits_and_prints_the_party_figures(demo_db, picks, tmp_path):
    data = build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    rates = (
        RateLine(9_001, date(2026, 3, 2), "club", USD, FIX, date(2026, 3, 1), "DOF FIX", CREDITED),
        RateLine(9_002, date(2026, 4, 2), "club", 50_000, FIX, date(2026, 4, 1), "DOF FIX", 861_725),
    )
    money = (
        PartyMoney("club", 2_500_000, 2_600_000, 0, 1_000_000, 50_000, 1_550_000, over_received=100_000),
        PartyMoney("federal", 2_500_000, 1_000_000, 1_500_000, 900_000, 0, 100_000),
        PartyMoney("state", 2_500_001, 0, 2_500_001, 0, 0, 0),
    )
    data = dataclasses.replace(data, rates=rates, money=money)
    out = tmp_path / "estado.pdf"
    render_statement(data, out)
    reader, texts = pdf_text(out)
    first = texts[0]
    # The dollar deposit that differs carries the bank's rate and the gap; the equal one nothing.
    assert "17.1235" in first and es(CREDITED - EXPECTED) in first
    assert "efectivo" in first and "FIX" in first
    assert first.count("17.2345") == 2
    # Per party and in total, to the centavo: available = deposited - paid - refunded.
    for figure in (2_600_000, 1_550_000, 100_000, 1_500_000, 2_500_001, 7_500_001, 3_600_000, 1_900_000):
        assert es(figure) in first, figure
    assert es(1_650_000) in first  # total available
    assert es(4_000_001) in first  # total still to deposit
    for label in ("Depositado", "Disponible", "Excedente", "Por depositar", "Reintegrado"):
        assert label in first, label
    assert "Un pago que no señala una parte de origen se carga" in first
    assert_text_inside(reader)


def test_statement_party_figures_in_english(demo_db, picks, tmp_path):
    set_language("en")
    try:
        data = build_statement(demo_db, picks.busiest, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
        out = tmp_path / "statement.pdf"
        render_statement(data, out)
    finally:
        set_language("es")
    reader, texts = pdf_text(out)
    first = texts[0]
    for label in ("Deposited", "Available", "Excess", "To deposit", "Refunded"):
        assert label in first, label
    assert "A payment that names no source party is drawn" in first
    assert_text_inside(reader)
