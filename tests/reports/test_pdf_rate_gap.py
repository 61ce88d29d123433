"""A USD deposit explains itself on the receipt and the statement (read back).

Where the bank credited other pesos than dollars x the published rate, both print the bank's
effective rate and the difference.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tests.reports.conftest import PRINTED_AT, PRINTED_BY
from tests.reports.test_pdf_reports import pdf_text
from tresxuno.domain.money import Money, convert_usd, format_money, rate_gap
from tresxuno.i18n import set_language
from tresxuno.reports.pdf.fmt import translator
from tresxuno.reports.pdf.receipt import render_receipt
from tresxuno.reports.pdf.statement import render_statement
from tresxuno.services.reporting.receipt import build_receipt
from tresxuno.services.reporting.statement import build_statement

ES, EN = translator("es"), translator("en")


def _expected(usd: int, rate: str) -> int:
    return convert_usd(Money(usd, "USD"), Decimal(rate)).centavos


def test_the_bank_rate_and_the_difference_are_on_the_receipt_when_pesos_differ(demo_db, picks, tmp_path):
    data = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert data.usd_amount is not None
    expected = _expected(data.usd_amount, data.rate)
    short = replace(data, amount=expected - 123_456)  # the bank credited $1,234.56 less
    out = tmp_path / "recibo.pdf"
    render_receipt(short, out)
    text = " ".join(pdf_text(out)[1])
    gap = rate_gap(data.usd_amount, Decimal(data.rate), expected - 123_456)
    assert gap is not None and gap.difference == -123_456
    for label in ("Bank's effective rate (MXN per USD)", "Difference credited by the bank"):
        assert ES(label) in text and EN(label) in text
    assert str(gap.effective_rate) in text and str(gap.effective_rate) != data.rate
    assert format_money(Money(expected), "es", code=True) in text  # dollars x the published rate
    assert format_money(Money(-123_456), "es", code=True) in text


def test_a_receipt_whose_pesos_match_the_rate_prints_no_gap(demo_db, picks, tmp_path):
    data = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert data.usd_amount is not None
    exact = replace(data, amount=_expected(data.usd_amount, data.rate))
    out = tmp_path / "recibo-exacto.pdf"
    render_receipt(exact, out)
    text = " ".join(pdf_text(out)[1])
    assert ES("Bank's effective rate (MXN per USD)") not in text
    assert ES("Difference credited by the bank") not in text


def test_the_statement_lists_each_dollar_deposit_with_its_effective_rate_and_difference(
    demo_db, picks, tmp_path
):
    set_language("es")
    data = build_statement(demo_db, picks.partner, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    if not data.rates:  # the partner project may have no dollar deposit: take the USD entry's project
        receipt = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
        pid = demo_db_project(demo_db, receipt.entry_id)
        data = build_statement(demo_db, pid, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    first = data.rates[0]
    credited = _expected(first.usd_amount, first.rate) + 98_765
    rates = (replace(first, amount=credited), *data.rates[1:])
    out = tmp_path / "estado.pdf"
    render_statement(replace(data, rates=rates), out)
    text = " ".join(pdf_text(out)[1])
    gap = rate_gap(first.usd_amount, Decimal(first.rate), credited)
    assert gap is not None
    assert ES("Bank's effective rate") in text and ES("At the published rate") in text
    row = f"{format_money(Money(credited), 'es')} {format_money(Money(gap.expected), 'es')} {gap.effective_rate} "
    assert row + format_money(Money(98_765), "es") in text


def demo_db_project(db, entry_id: int) -> int:
    with db.engine.connect() as conn:
        return int(
            conn.exec_driver_sql("SELECT project_id FROM ledger_entries WHERE id = ?", (entry_id,)).scalar()
        )
