"""The receipt names who deposited as the institution signs, in both languages, with its own folio series."""

from __future__ import annotations

import re

import pytest

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, pdf_text
from tresxuno.domain.money import Money
from tresxuno.domain.words import amount_in_words
from tresxuno.formatting import money_text
from tresxuno.reports.pdf.receipt import render_receipt
from tresxuno.services.reporting.receipt import build_receipt


def _contribution_of(db, party: str) -> int:
    with db.engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT id FROM ledger_entries WHERE kind = 'contribution' AND party = ? AND usd_amount IS NULL "
            "ORDER BY id LIMIT 1",
            (party,),
        ).scalar()
    assert found is not None, "demo data changed"
    return int(found)


@pytest.mark.parametrize(
    ("party", "spanish", "english"),
    [
        ("federal", "Se recibió del Gobierno Federal la cantidad de", "Received from the Federal Government"),
        (
            "state",
            "Se recibió del Gobierno del Estado de {state}",
            "Received from the Government of the State of",
        ),
        ("municipal", "Se recibió del Municipio de {municipality}", "Received from the Municipality of"),
    ],
)
def test_an_institution_is_named_as_it_signs_and_the_english_line_is_english(
    demo_db, tmp_path, party, spanish, english
):
    data = build_receipt(
        demo_db, _contribution_of(demo_db, party), printed_by=PRINTED_BY, printed_at=PRINTED_AT
    )
    out = tmp_path / f"recibo-{party}.pdf"
    render_receipt(data, out)
    text = " ".join(pdf_text(out)[1])
    names = {"state": data.project.state_name, "municipality": data.project.municipality_name}
    assert spanish.format(**names) in text and english in text
    assert "Se recibió de Federal" not in text and "de el " not in text
    words = amount_in_words(Money(data.amount))
    assert text.count(words) == 2  # the Spanish sentence and the "amount in words" row, not the English line
    assert money_text(data.amount, "en") in text  # the English line gives the figure


def test_a_dollar_amount_is_written_once_with_its_currency(demo_db, picks, tmp_path):
    data = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "recibo-usd.pdf"
    render_receipt(data, out)
    text = " ".join(pdf_text(out)[1])
    assert data.usd_amount is not None
    dollars = money_text(Money(data.usd_amount, "USD"), "es")
    assert dollars in text and f"{dollars} USD" not in text  # never "US$25,000.00 USD"


def test_the_folio_is_the_years_own_series(demo_db, picks):
    data = build_receipt(demo_db, picks.usd_entry, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert re.fullmatch(rf"R-{data.entry_date.year}-\d{{5}}", data.number)
