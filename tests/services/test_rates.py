"""Exchange rates: typed by hand, imported from Banxico's FIX CSV or a plain ISO file, suggested."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.services.test_ledger import table_digest
from tresxuno.domain.problems import InputError
from tresxuno.services.rates import (
    BANXICO_FIX,
    RateRecord,
    import_rates_csv,
    list_rates,
    parse_rates_csv,
    set_rate,
    suggest_rate,
)

TODAY = date(2024, 11, 20)

#: The layout of Banxico's SIE export of series SF43718 (FIX), in its Spanish Windows encoding.
TITLE = (
    "Tipo de cambio Pesos por dólar E.U.A. Tipo de cambio para solventar obligaciones denominadas en "
    "moneda extranjera Fecha de determinación (FIX)"
)
BANXICO = f"""\
"Banco de México"

"Mercado cambiario (Tipos de cambio)"
"Fecha de consulta: 19/11/2024 10:20:58"
"Título","{TITLE}"
"Periodo disponible","12/11/1991 - 19/11/2024"
"Periodicidad","Diaria"
"Cifra","Tipo de Cambio"
"Unidad","Pesos por Dólar"
"Base",""
"Aviso",""
"Tipo de información","Niveles"
"Fecha","SF43718"
"01/11/2024","20.0915"
"02/11/2024","N/E"
"03/11/2024","N/E"
"04/11/2024","19.9678"
"05/11/2024","20.0180"
"""


def test_set_rate_and_suggest_the_latest_earlier_one(db):
    assert suggest_rate(db, date(2024, 11, 4)) is None
    stored = set_rate(db, date(2024, 11, 1), " 20.0915 ", "Banxico FIX", today=TODAY)
    assert stored == RateRecord(date(2024, 11, 1), "20.0915", "Banxico FIX")
    assert stored.value == Decimal("20.0915")
    # A weekend has no rate: the Friday's is suggested, with its own date.
    assert suggest_rate(db, date(2024, 11, 3)) == stored
    assert suggest_rate(db, date(2024, 10, 31)) is None
    # Typing the day again corrects it.
    set_rate(db, date(2024, 11, 1), "20.0900", "Recibo de Banorte", today=TODAY)
    assert suggest_rate(db, date(2024, 11, 1)) == RateRecord(
        date(2024, 11, 1), "20.0900", "Recibo de Banorte"
    )


def test_set_rate_refuses_bad_input_and_writes_nothing(db):
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        set_rate(db, date(2024, 12, 1), "20,09", "", today=TODAY)
    assert {p.code for p in exc.value.problems} == {"rate.not_a_number", "text.required", "date.future"}
    assert table_digest(db) == before


def test_banxico_csv_import_skips_no_rate_days(db):
    result = import_rates_csv(db, BANXICO.encode("cp1252"), today=TODAY)
    assert (result.inserted, result.updated, result.unchanged, result.not_published) == (3, 0, 0, 2)
    assert (result.first, result.last, result.source) == (date(2024, 11, 1), date(2024, 11, 5), BANXICO_FIX)
    assert [(r.rate_date.day, r.rate) for r in list_rates(db)] == [
        (1, "20.0915"),
        (4, "19.9678"),
        (5, "20.0180"),
    ]
    assert suggest_rate(db, date(2024, 11, 3)).rate == "20.0915"
    again = import_rates_csv(db, BANXICO, today=TODAY)  # text works as well as bytes
    assert (again.inserted, again.unchanged) == (0, 3)


def test_plain_iso_file_with_its_source(db, tmp_path):
    path = tmp_path / "tipos.csv"
    path.write_text("date,rate\n2024-11-01,20.10\n2024-11-04,19.95\n", encoding="utf-8-sig")
    with pytest.raises(InputError) as exc:
        import_rates_csv(db, path, today=TODAY)
    assert [p.code for p in exc.value.problems] == ["text.required"]
    result = import_rates_csv(db, path, source="Banorte ventanilla", today=TODAY)
    assert (result.inserted, result.source) == (2, "Banorte ventanilla")
    headerless = import_rates_csv(db, "2024-11-01,20.11\n", source="Banorte ventanilla", today=TODAY)
    assert (headerless.inserted, headerless.updated) == (0, 1)


def test_row_problems_are_reported_by_line_and_nothing_is_imported(db):
    bad = BANXICO.replace('"04/11/2024","19.9678"', '"04/11/2024","19,9678"').replace(
        '"05/11/2024","20.0180"', '"31/11/2024","20.0180"\n"01/11/2024","20.1"'
    )
    before = table_digest(db)
    with pytest.raises(InputError) as exc:
        import_rates_csv(db, bad, today=TODAY)
    assert [(p.code, p.params["row"]) for p in exc.value.problems] == [
        ("rates.bad_rate", 17),
        ("rates.bad_date", 18),
        ("rates.duplicate_date", 19),
    ]
    assert exc.value.problems[0].field == "rates[17]"
    assert exc.value.problems[2].params["first_row"] == 14
    assert table_digest(db) == before


def test_future_rows_and_empty_files_are_refused():
    with pytest.raises(InputError) as exc:
        parse_rates_csv("Fecha,SF43718\n21/11/2024,20.00\n", today=TODAY)
    assert [(p.code, p.params) for p in exc.value.problems] == [
        ("rates.future_date", {"row": 2, "date": "2024-11-21"})
    ]
    with pytest.raises(InputError) as exc:
        parse_rates_csv('"Banco de México"\n"Fecha","SF43718"\n"01/11/2024","N/E"\n', today=TODAY)
    assert [p.code for p in exc.value.problems] == ["rates.no_rows"]
