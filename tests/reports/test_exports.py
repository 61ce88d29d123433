"""Ledger exports (CSV, XLSX, beancount, ledger) checked against SQL sums of the stored lines.

One database per module: the demo's projects and money trail plus hand-written entries that cover
every kind, a USD contribution, a split payment, a refund, a reversal and a reversal of a reversal,
accented names, formula-like texts, quotes, semicolons and line breaks.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import subprocess
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, make_url, select, text

from tresxuno.cli import EXPORT_FORMATS, main
from tresxuno.db.engine import Database, open_database
from tresxuno.db.models import LedgerAllocation, LedgerEntry, Project, ProjectShare
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.messages import describe, describe_storage
from tresxuno.reports import ledger_formats
from tresxuno.reports.ledger_formats import (
    CSV_HEADER,
    CSV_HEADER_EN,
    CURRENCY_FORMAT,
    FORMATS,
    PARTY_ACCOUNTS,
    LedgerIntegrityError,
    account_component,
)
from tresxuno.services import exports
from tresxuno.services.exports import export_ledger
from tresxuno.services.progress import Cancelled, CancelToken

PAYEE = "Constructora Ñandú, S.A. de C.V."
QUOTED_PAYEE = 'Ferretería "La Güera"; sucursal 2'
MULTILINE = "línea 1\nlínea 2"
#: The hand-made entries, in id order (names used by the tests to find them).
ENTRY_NAMES = tuple("federal usd state municipal split minus at quotes refund rev revrev rev_state".split())
FORMULA_TEXTS = ("=SUM(A1)", "-5", "@cmd", "\tTabulado", "\rRetorno", "+52 55 5555 5555")
#: How a Spanish export names the parties and kinds of entry (what an officer reads in the file).
PARTY_WORDS = {
    "Club": "club",
    "Federal": "federal",
    "Estatal": "state",
    "Municipal": "municipal",
    "Socio": "partner",
}
KIND_WORDS = {"Aportación": "contribution", "Pago": "payment", "Reintegro": "refund", "Reversión": "reversal"}


# --- The database -----------------------------------------------------------------------------


def _entry(entry_id: int, project_id: int, kind: str, day: str, amount: int, **extra: Any) -> dict[str, Any]:
    row = {
        "id": entry_id,
        "project_id": project_id,
        "kind": kind,
        "party": None,
        "entry_date": date.fromisoformat(day),
        "amount": amount,
        "usd_amount": None,
        "rate": None,
        "rate_date": None,
        "rate_source": None,
        "reference": "",
        "payee_name": None,
        "payee_rfc": None,
        "concept": "",
        "cfdi_uuid": None,
        "reverses_id": None,
        "reason": "",
        "created_at": datetime(2025, 5, 1, 12),
        "created_by": "prueba",
    }
    row.update(extra)
    return row


def _add_ledger(db: Database) -> tuple[str, dict[str, int]]:
    """Write the hand-made entries on a demo project with four parties; returns its folio and ids."""
    with db.engine.begin() as conn:
        project_id, folio = conn.execute(
            select(Project.id, Project.folio)
            .join(ProjectShare, ProjectShare.project_id == Project.id)
            .where(ProjectShare.amount > 0)
            .group_by(Project.id)
            .having(text("count(*) = 4"))
            .order_by(Project.id)
        ).first()
        first = (conn.execute(select(text("max(id)")).select_from(LedgerEntry.__table__)).scalar() or 0) + 1
        first_line = (
            conn.execute(select(text("max(id)")).select_from(LedgerAllocation.__table__)).scalar() or 0
        ) + 1
        ids = {name: first + i for i, name in enumerate(ENTRY_NAMES)}
        p = project_id
        entries = [
            _entry(
                ids["federal"],
                p,
                "contribution",
                "2025-02-03",
                50_000_000,
                party="federal",
                reference="SPEI 1",
            ),
            _entry(
                ids["usd"],
                p,
                "contribution",
                "2025-02-10",
                17_234_500,
                party="club",
                usd_amount=1_000_000,
                rate="17.2345",
                rate_date=date(2025, 2, 9),
                rate_source="Banxico FIX",
                reference="Transferencia internacional 7",
            ),
            _entry(ids["state"], p, "contribution", "2025-02-11", 30_000_000, party="state"),
            _entry(ids["municipal"], p, "contribution", "2024-12-20", 20_000_000, party="municipal"),
            _entry(
                ids["split"],
                p,
                "payment",
                "2025-03-15",
                -17_500_001,
                payee_name=PAYEE,
                payee_rfc="CÑA010101AB1",
                concept="=SUM(A1)",
                cfdi_uuid=str(uuid.UUID(int=1)).upper(),
            ),
            _entry(
                ids["minus"],
                p,
                "payment",
                "2025-03-20",
                -100_000,
                payee_name="@cmd Servicios",
                reference="+52 55 5555 5555",
                concept="-5",
                cfdi_uuid=str(uuid.UUID(int=2)).upper(),
            ),
            _entry(ids["at"], p, "payment", "2025-03-21", -1_000, payee_name="\tTabulado", concept="@cmd"),
            _entry(
                ids["quotes"],
                p,
                "payment",
                "2025-03-22",
                -2_000,
                payee_name=QUOTED_PAYEE,
                reference=MULTILINE,
                concept="\rRetorno",
            ),
            _entry(
                ids["refund"],
                p,
                "refund",
                "2025-04-01",
                -500_000,
                party="club",
                concept="Reintegro de sobrante",
            ),
            _entry(
                ids["rev"],
                p,
                "reversal",
                "2025-04-02",
                100_000,
                reverses_id=ids["minus"],
                reason="Pago duplicado",
            ),
            _entry(
                ids["revrev"],
                p,
                "reversal",
                "2025-04-03",
                -100_000,
                reverses_id=ids["rev"],
                reason="La reversa fue un error",
            ),
            _entry(
                ids["rev_state"],
                p,
                "reversal",
                "2025-02-12",
                -30_000_000,
                party="state",
                reverses_id=ids["state"],
                reason="Depósito a la cuenta equivocada",
            ),
        ]
        lines = [
            (ids["federal"], "federal", 50_000_000),
            (ids["usd"], "club", 17_234_500),
            (ids["state"], "state", 30_000_000),
            (ids["municipal"], "municipal", 20_000_000),
            (ids["split"], "federal", -10_000_000),
            (ids["split"], "state", -5_000_000),
            (ids["split"], "municipal", -2_500_001),
            (ids["minus"], "federal", -100_000),
            (ids["at"], "club", -1_000),
            (ids["quotes"], "state", -2_000),
            (ids["refund"], "club", -500_000),
            (ids["rev"], "federal", 100_000),
            (ids["revrev"], "federal", -100_000),
            (ids["rev_state"], "state", -30_000_000),
        ]
        conn.execute(insert(LedgerEntry.__table__), entries)
        conn.execute(
            insert(LedgerAllocation.__table__),
            # Explicit ids: the demo writes explicit ids too, so PostgreSQL's sequences never moved.
            [
                {"id": first_line + i, "entry_id": e, "party": party, "amount": amount}
                for i, (e, party, amount) in enumerate(lines)
            ],
        )
    return folio, ids


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict[str, int]]]:
    """The module's database file, the folio of the hand-made entries' project and their ids."""
    path = tmp_path_factory.mktemp("ledger") / "t.sqlite"
    db = open_database(str(path))
    generate_demo(db, projects=60, seed=3)
    folio, ids = _add_ledger(db)
    db.dispose()  # checkpoints the WAL: the file can be copied whole
    yield path, folio, ids


@pytest.fixture
def db(ledger_db: tuple[Path, str, dict[str, int]]) -> Iterator[Database]:
    database = open_database(str(ledger_db[0]))
    yield database
    database.dispose()


@pytest.fixture
def folio(ledger_db: tuple[Path, str, dict[str, int]]) -> str:
    return ledger_db[1]


def sql_sums(db: Database, year: int | None = None, folio: str | None = None) -> dict[tuple[str, str], int]:
    """The oracle: per (folio, party) the plain SQL sum of the allocation lines in scope."""
    where, params = ["1 = 1"], {}
    if year is not None:
        where.append("e.entry_date >= :start AND e.entry_date < :end")
        params.update(start=f"{year}-01-01", end=f"{year + 1}-01-01")
    if folio is not None:
        where.append("p.folio = :folio")
        params["folio"] = folio
    query = text(
        "SELECT p.folio, a.party, SUM(a.amount) FROM ledger_allocations a "
        "JOIN ledger_entries e ON e.id = a.entry_id JOIN projects p ON p.id = e.project_id "
        f"WHERE {' AND '.join(where)} GROUP BY p.folio, a.party"
    )
    with db.engine.connect() as conn:
        return {(f, party): int(total) for f, party, total in conn.execute(query, params)}


def sql_count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar())


def centavos(value: str) -> int:
    return int(Decimal(value).scaleb(2))


def project_accounts(sums: dict[tuple[str, str], int]) -> dict[str, int]:
    """The oracle's sums keyed by journal account name."""
    return {
        f"Assets:Proyectos:{account_component(f)}:{PARTY_ACCOUNTS[party]}": amount
        for (f, party), amount in sums.items()
    }


def test_the_database_has_what_the_tests_need(db, folio):
    assert sql_count(db, "ledger_entries") > len(ENTRY_NAMES)  # the demo's money trail plus ours
    sums = sql_sums(db, folio=folio)
    assert {party for _f, party in sums} >= {"club", "federal", "state", "municipal"}


# --- CSV --------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_starts_with_a_bom_and_the_spanish_header_and_keeps_accents(db, tmp_path):
    path = tmp_path / "libro.csv"
    export_ledger(db, "csv", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + ",".join(CSV_HEADER).encode() + b"\r\n")
    assert PAYEE.encode("utf-8") in raw
    rows = read_csv(path)
    assert list(rows[0]) == list(CSV_HEADER)
    assert {r["beneficiario"] for r in rows} >= {PAYEE, QUOTED_PAYEE}
    assert any(r["rfc"] == "CÑA010101AB1" for r in rows)
    assert any(r["referencia"] == MULTILINE for r in rows)  # quoted, so the line break survives


def test_csv_rows_are_lines_and_sums_per_party_match_sql_to_the_centavo(db, tmp_path):
    path = tmp_path / "libro.csv"
    summary = export_ledger(db, "csv", path)
    rows = read_csv(path)
    assert len(rows) == summary.rows == summary.lines == sql_count(db, "ledger_allocations")
    assert summary.entries == sql_count(db, "ledger_entries")
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", row["monto"]), row["monto"]
        sums[(row["folio"], PARTY_WORDS[row["parte"]])] += centavos(row["monto"])
    expected = sql_sums(db)
    assert dict(sums) == expected
    assert dict(summary.per_account) == expected
    assert summary.total_centavos == sum(expected.values())
    # Entries come in date order, and a split payment gives one row per party with the shared columns.
    days = [row["fecha"] for row in rows]
    assert days == sorted(days)
    split = [row for row in rows if row["concepto"] == "'=SUM(A1)"]
    assert sorted((r["parte"], r["monto"]) for r in split) == [
        ("Estatal", "-50000.00"),
        ("Federal", "-100000.00"),
        ("Municipal", "-25000.01"),
    ]


def test_csv_usd_contribution_keeps_dollars_rate_and_source(db, tmp_path, ledger_db):
    path = tmp_path / "libro.csv"
    export_ledger(db, "csv", path)
    (row,) = [r for r in read_csv(path) if r["asiento"] == str(ledger_db[2]["usd"])]
    assert (row["monto"], row["monto_usd"], row["tipo_de_cambio"], row["fecha_tc"], row["fuente_tc"]) == (
        "172345.00",
        "10000.00",
        "17.2345",
        "2025-02-09",
        "Banxico FIX",
    )
    (rev,) = [r for r in read_csv(path) if r["asiento"] == str(ledger_db[2]["revrev"])]
    assert (rev["tipo"], rev["revierte_a"], rev["motivo"]) == (
        "Reversión",
        str(ledger_db[2]["rev"]),
        "La reversa fue un error",
    )


def test_csv_neutralises_text_that_would_start_a_formula_but_not_negative_amounts(db, tmp_path):
    path = tmp_path / "libro.csv"
    export_ledger(db, "csv", path)
    rows = read_csv(path)
    texts = {value for row in rows for key, value in row.items() if key not in ("monto", "monto_usd")}
    for dangerous in FORMULA_TEXTS:
        assert "'" + dangerous in texts or any(t.startswith("'" + dangerous) for t in texts), dangerous
        assert dangerous not in texts
    assert not any(t and t[0] in "=+-@\t\r" for t in texts)
    assert any(row["monto"].startswith("-") for row in rows)  # amounts stay numbers
    assert "'@cmd Servicios" in {row["beneficiario"] for row in rows}


def test_csv_with_a_year_and_a_project_holds_only_those_lines(db, folio, tmp_path):
    for year, only in ((2025, None), (None, folio), (2025, folio), (2024, folio)):
        path = tmp_path / f"libro-{year}-{only}.csv"
        summary = export_ledger(db, "csv", path, year=year, folio=only)
        rows = read_csv(path)
        expected = sql_sums(db, year, only)
        assert dict(summary.per_account) == expected
        assert summary.lines == len(rows) > 0
        if year is not None:
            assert all(row["fecha"].startswith(str(year)) for row in rows)
        if only is not None:
            assert {row["folio"] for row in rows} == {only}
    assert len(read_csv(tmp_path / f"libro-2024-{folio}.csv")) == 1


def test_small_batches_write_the_same_files(db, tmp_path):
    # Batches of 3 rows: the lines of an entry span several batches; the output must not notice.
    for fmt in ("csv", "beancount", "ledger"):
        whole, pieces = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        export_ledger(db, fmt, whole)
        export_ledger(db, fmt, pieces, batch_size=3)
        assert whole.read_bytes() == pieces.read_bytes(), fmt


def test_the_portable_streaming_path_writes_the_same_files(db, tmp_path, monkeypatch):
    # What PostgreSQL uses (SQLAlchemy's server-side cursor with yield_per), run here on SQLite.
    expected = {}
    for fmt in ("csv", "ledger"):
        expected[fmt] = tmp_path / f"raw.{fmt}"
        export_ledger(db, fmt, expected[fmt], batch_size=50)
    monkeypatch.setattr(exports, "_RAW_CURSOR_DIALECTS", frozenset())
    for fmt, path in expected.items():
        export_ledger(db, fmt, tmp_path / f"portable.{fmt}", batch_size=50)
        assert (tmp_path / f"portable.{fmt}").read_bytes() == path.read_bytes(), fmt


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_has_numbers_dates_a_frozen_header_and_a_computed_total(db, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "libro.xlsx"
    summary = export_ledger(db, "xlsx", path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Movimientos", "Saldos"]
    ws = wb["Movimientos"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == list(CSV_HEADER)
    col = {name: i for i, name in enumerate(CSV_HEADER)}
    data, totals = [], None
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Total":
            totals = row
            break
        data.append(row)
    assert len(data) == summary.rows == sql_count(db, "ledger_allocations")
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for row in data:
        amount = row[col["monto"]]
        assert amount.data_type == "n" and amount.number_format == CURRENCY_FORMAT
        assert isinstance(amount.value, (int, float))
        assert row[col["fecha"]].is_date and isinstance(row[col["fecha"]].value, datetime)
        assert isinstance(row[col["asiento"]].value, int)
        sums[(row[col["folio"]].value, PARTY_WORDS[row[col["parte"]].value])] += round(amount.value * 100)
    expected = sql_sums(db)
    assert dict(sums) == expected
    assert totals is not None
    total_cell = totals[col["monto"]]
    assert total_cell.data_type == "n" and round(total_cell.value * 100) == sum(expected.values())
    assert ws.cell(totals[0].row + 1, col["monto"] + 1).value == f"=SUM(G2:G{len(data) + 1})"
    # The balances sheet lists every project account with the SQL balance.
    balances = {
        (f, PARTY_WORDS[party]): round(amount * 100)
        for f, _name, party, _account, amount in wb["Saldos"].iter_rows(min_row=2, values_only=True)
        if party is not None
    }
    assert balances == expected
    accounts = [row[3] for row in wb["Saldos"].iter_rows(min_row=2, values_only=True) if row[2] is not None]
    assert accounts and all(a.startswith("Activo:Proyectos:") for a in accounts)


def test_xlsx_usd_dates_and_formula_texts(db, tmp_path, ledger_db):
    from openpyxl import load_workbook

    path = tmp_path / "libro.xlsx"
    export_ledger(db, "xlsx", path)
    ws = load_workbook(path)["Movimientos"]
    col = {name: i for i, name in enumerate(CSV_HEADER)}
    data = [row for row in ws.iter_rows(min_row=2) if isinstance(row[0].value, int)]
    rows = {row[0].value: row for row in data}
    usd = rows[ledger_db[2]["usd"]]
    assert usd[col["monto_usd"]].value == 10000 and usd[col["monto_usd"]].data_type == "n"
    assert usd[col["tipo_de_cambio"]].value == pytest.approx(17.2345)
    assert usd[col["fecha_tc"]].value == datetime(2025, 2, 9) and usd[col["fecha_tc"]].is_date
    assert usd[col["fecha"]].value == datetime(2025, 2, 10)
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.data_type in ("s", "f")]
    texts = {c.value for c in cells if c.data_type == "s"}
    for dangerous in FORMULA_TEXTS:
        # A CR is kept escaped as _x000D_ (Excel reads it back as CR) or turned into LF by an XML
        # reader: either way the neutralising prefix stays in front.
        wanted = "'" + dangerous.replace("\r", "\n")
        assert any(str(t).replace("_x000D_", "\n").replace("\r", "\n").startswith(wanted) for t in texts), (
            dangerous
        )
    assert not any(t and str(t)[0] in "=+-@\t\r\n" for t in texts)
    formulas = [c.value for c in cells if c.data_type == "f"]
    assert formulas == [f"=SUM(G2:G{len(data) + 1})"]  # only the cross-check of the total
    assert PAYEE in texts


def test_xlsx_spreads_rows_over_sheets_with_a_grand_total(db, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setattr(ledger_formats, "XLSX_SHEET_ROWS", 200)
    path = tmp_path / "libro.xlsx"
    summary = export_ledger(db, "xlsx", path, batch_size=64)
    wb = load_workbook(path, read_only=True)
    sheets = [name for name in wb.sheetnames if name.startswith("Movimientos")]
    assert len(sheets) == -(-summary.rows // 200) >= 3
    assert sheets[1] == "Movimientos (2)"
    data_rows, sheet_totals, grand = 0, 0, None
    for name in sheets:
        values = list(wb[name].iter_rows(values_only=True))
        assert values[0] == CSV_HEADER
        body = [v for v in values[1:] if isinstance(v[0], int)]
        assert len(body) <= 200
        data_rows += len(body)
        labels = {v[0]: v[6] for v in values[1:] if isinstance(v[0], str)}
        sheet_totals += round(labels["Total de esta hoja"] * 100)
        assert sum(round(v[6] * 100) for v in body) == round(labels["Total de esta hoja"] * 100)
        grand = labels.get("Total general", grand)
    assert data_rows == summary.rows
    assert sheet_totals == round(grand * 100) == sum(sql_sums(db).values())


# --- Journals ---------------------------------------------------------------------------------


def test_beancount_passes_bean_check_and_its_balances_equal_sql(db, tmp_path, folio):
    loader = pytest.importorskip("beancount.loader")
    from beancount.core import data

    path = tmp_path / "libro.beancount"
    summary = export_ledger(db, "beancount", path)
    entries, errors, options = loader.load_file(str(path))
    assert errors == []
    assert options["operating_currency"] == ["MXN"]
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    assert len(transactions) == summary.rows == summary.entries == sql_count(db, "ledger_entries")
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for txn in transactions:
        assert sum(p.units.number for p in txn.postings) == 0
        for posting in txn.postings:
            balances[posting.account] += posting.units.number
    expected = project_accounts(sql_sums(db))
    assert {a: centavos(str(v)) for a, v in balances.items() if a.startswith("Assets:")} == expected
    assertions = {e.account: centavos(str(e.amount.number)) for e in entries if isinstance(e, data.Balance)}
    assert assertions == expected
    # Text survives escaping: quotes, semicolons and line breaks.
    payees = {t.payee for t in transactions}
    assert PAYEE in payees and QUOTED_PAYEE in payees
    assert any(t.meta.get("referencia") == MULTILINE for t in transactions)


def test_beancount_posts_reversals_on_the_original_counter_accounts(db, tmp_path, ledger_db):
    loader = pytest.importorskip("beancount.loader")
    from beancount.core import data

    path = tmp_path / "libro.beancount"
    export_ledger(db, "beancount", path, folio=ledger_db[1])
    entries, errors, _options = loader.load_file(str(path))
    assert errors == []
    by_id = {int(e.meta["asiento"]): e for e in entries if isinstance(e, data.Transaction)}
    ids = ledger_db[2]

    def counter(entry_id: int) -> dict[str, Decimal]:
        return {
            p.account: p.units.number for p in by_id[entry_id].postings if not p.account.startswith("Assets")
        }

    assert counter(ids["minus"]) == {"Expenses:Pagos:Federal": Decimal("1000.00")}
    assert counter(ids["rev"]) == {"Expenses:Pagos:Federal": Decimal("-1000.00")}
    assert counter(ids["revrev"]) == {"Expenses:Pagos:Federal": Decimal("1000.00")}  # a payment again
    assert counter(ids["rev_state"]) == {"Income:Aportaciones:Estatal": Decimal("300000.00")}
    assert counter(ids["refund"]) == {"Expenses:Reintegros:Club": Decimal("5000.00")}
    assert counter(ids["split"]) == {
        "Expenses:Pagos:Federal": Decimal("100000.00"),
        "Expenses:Pagos:Estatal": Decimal("50000.00"),
        "Expenses:Pagos:Municipal": Decimal("25000.01"),
    }
    assert by_id[ids["usd"]].meta["monto_usd"] == "10000.00 USD"


def test_beancount_refuses_a_wrong_balance(db, tmp_path):
    loader = pytest.importorskip("beancount.loader")
    path = tmp_path / "libro.beancount"
    export_ledger(db, "beancount", path, year=2025)
    assert loader.load_file(str(path))[1] == []
    wrong = re.sub(
        r"(balance \S+\s+)(-?)(\d+)\.(\d\d) MXN\n\Z",
        r"\g<1>\g<2>\3.99 MXN\n",
        path.read_text(encoding="utf-8"),
    )
    assert wrong != path.read_text(encoding="utf-8")
    path.write_text(wrong, encoding="utf-8")
    # Which error, by its type and the directive it names (beancount's wording is its own to change).
    from beancount.core import data
    from beancount.core.interpolate import BalanceError

    errors = loader.load_file(str(path))[1]
    assert errors and all(isinstance(e, BalanceError) for e in errors), errors
    assert all(
        isinstance(e.entry, data.Balance) and str(e.entry.amount.number).endswith(".99") for e in errors
    )


_POSTING = re.compile(
    r"^    (?P<account>\S+)\s{2,}(?P<amount>-?[0-9]+(?:\.[0-9]+)?) MXN(?: = (?P<assert>-?[0-9.]+) MXN)?$"
)


def parse_ledger(source: str) -> tuple[dict[str, Decimal], int, int]:
    """A tiny reader of what we write: running balances, every assertion checked on the way.

    Returns the final balances, the transactions (assertion-only ones excluded) and the assertions.
    """
    balances: dict[str, Decimal] = defaultdict(Decimal)
    transactions = assertions = 0
    current: Decimal | None = None
    for line in source.splitlines():
        if re.match(r"^\d{4}-\d\d-\d\d ", line):
            assert current in (None, Decimal(0)), "unbalanced transaction"
            current = Decimal(0)
            assert ";" not in line, line
            transactions += "Verificación de saldos" not in line and "Balance check" not in line
        elif (
            line.startswith("    ")
            and not line.lstrip().startswith(";")
            and not line.startswith("    format")
        ):
            match = _POSTING.match(line)
            assert match, line
            amount = Decimal(match["amount"])
            balances[match["account"]] += amount
            assert current is not None
            current += amount
            if match["assert"] is not None:
                assertions += 1
                assert balances[match["account"]] == Decimal(match["assert"]), line
    assert current in (None, Decimal(0))
    return balances, transactions, assertions


@pytest.mark.parametrize(("year", "only_project"), [(None, False), (2025, True)])
def test_ledger_journal_assertions_hold_and_equal_sql(db, tmp_path, folio, year, only_project):
    path = tmp_path / "libro.journal"
    chosen = folio if only_project else None
    summary = export_ledger(db, "ledger", path, year=year, folio=chosen)
    balances, transactions, assertions = parse_ledger(path.read_text(encoding="utf-8"))
    expected = project_accounts(sql_sums(db, year, chosen))
    assert {a: centavos(str(v)) for a, v in balances.items() if a.startswith("Assets:")} == expected
    assert assertions == len(expected) and transactions == summary.rows


def test_hledger_checks_the_journal_and_agrees_with_sql(db, tmp_path):
    hledger = shutil.which("hledger")
    if hledger is None:
        pytest.skip("hledger is not installed")
    path = tmp_path / "libro.journal"
    export_ledger(db, "ledger", path)
    # --strict also requires every account and commodity to be declared.
    for args in (["check"], ["--strict", "check"]):
        run = subprocess.run([hledger, "-f", str(path), *args], capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr
    run = subprocess.run(
        [hledger, "-f", str(path), "balance", "--flat", "-N", "Assets:Proyectos", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    got = {
        account: centavos(amount.replace(",", "").replace(" MXN", "") or "0")
        for account, amount in list(csv.reader(io.StringIO(run.stdout)))[1:]
    }
    expected = {a: v for a, v in project_accounts(sql_sums(db)).items() if v != 0}
    assert {a: v for a, v in got.items() if v != 0} == expected
    # A wrong assertion is caught: the assertions are really checked.
    source = path.read_text(encoding="utf-8")
    wrong = re.sub(r"= (-?\d+)\.(\d\d) MXN\n\Z", r"= \1.99 MXN\n", source)
    if wrong == source:
        wrong = re.sub(r"= (-?\d+)\.(\d\d) MXN\n\Z", r"= \1.98 MXN\n", source)
    path.write_text(wrong, encoding="utf-8")
    run = subprocess.run([hledger, "-f", str(path), "check"], capture_output=True, text=True, check=False)
    assert run.returncode != 0 and "balance assertion" in run.stderr


def test_ledger_descriptions_are_one_line_without_comment_starts(db, tmp_path, folio):
    path = tmp_path / "libro.journal"
    export_ledger(db, "ledger", path, folio=folio)
    source = path.read_text(encoding="utf-8")
    headers = [line for line in source.splitlines() if re.match(r"^\d{4}-\d\d-\d\d ", line)]
    assert any('Ferretería "La Güera", sucursal 2' in h for h in headers)
    assert any(PAYEE in h for h in headers)
    assert all(";" not in h and "\r" not in h and "\t" not in h for h in headers)
    assert "; referencia: línea 1 línea 2" in source


# --- Files, progress, cancel, errors ----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_cancel_leaves_neither_a_partial_file_nor_temporary_files(db, tmp_path, fmt):
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    temp_files = list(ALL_TEMP_FILES)
    dest = tmp_path / f"libro.{fmt}"
    dest.write_text("el archivo anterior", encoding="utf-8")
    token = CancelToken()
    seen = []

    def progress(done: int, total: int, message: str) -> None:
        seen.append(done)
        if done:
            token.cancel()

    with pytest.raises(Cancelled):
        export_ledger(db, fmt, dest, progress=progress, cancel=token, batch_size=50, force=True)
    assert len(seen) == 2 and seen[0] == 0 and seen[1] >= 50  # the lines of the first 50 entries
    assert dest.read_text(encoding="utf-8") == "el archivo anterior"
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]
    assert temp_files == ALL_TEMP_FILES


@pytest.mark.parametrize("fmt", FORMATS)
def test_progress_counts_lines_up_to_the_total(db, tmp_path, fmt):
    calls: list[tuple[int, int, str]] = []
    export_ledger(db, fmt, tmp_path / f"libro.{fmt}", progress=lambda *a: calls.append(a), batch_size=100)
    total = sql_count(db, "ledger_allocations")
    assert calls[0][:2] == (0, total) and calls[-1][:2] == (total, total)
    done = [c[0] for c in calls]
    assert done == sorted(done) and len(calls) >= sql_count(db, "ledger_entries") // 100
    assert all(c[1] == total and c[2] for c in calls)


def test_an_unknown_folio_is_an_input_error_and_writes_nothing(db, tmp_path):
    with pytest.raises(InputError) as info:
        export_ledger(db, "csv", tmp_path / "x.csv", folio="3X1-1999-00000-0000")
    assert [(p.field, p.code) for p in info.value.problems] == [("project", "project.unknown_folio")]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="csv, xlsx, beancount, ledger"):
        export_ledger(db, "pdf", tmp_path / "x.pdf")


def test_an_entry_without_lines_is_refused(ledger_db, tmp_path):
    path = tmp_path / "broken.sqlite"
    shutil.copyfile(ledger_db[0], path)
    broken = open_database(str(path))
    try:
        with broken.engine.begin() as conn:
            project_id = conn.execute(select(Project.id).order_by(Project.id)).scalar()
            conn.execute(
                insert(LedgerEntry.__table__),
                [_entry(99_999, project_id, "contribution", "2025-06-01", 100, party="club")],
            )
        for fmt in FORMATS:
            with pytest.raises(LedgerIntegrityError, match="ledger entry 99999 has no allocation lines"):
                export_ledger(broken, fmt, tmp_path / f"x.{fmt}")
    finally:
        broken.dispose()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("broken")) == []


def test_an_existing_connection_is_used_as_it_is(db, tmp_path):
    with db.engine.connect() as conn:
        summary = export_ledger(conn, "csv", tmp_path / "x.csv")
        assert not conn.closed
    assert summary.per_account == sql_sums(db)
    assert export_ledger(db.engine, "csv", tmp_path / "y.csv").per_account == summary.per_account
    with pytest.raises(TypeError):
        export_ledger(object(), "csv", tmp_path / "z.csv")


def test_account_components_follow_beancount_rules():
    assert account_component("3X1-2016-32020-0001") == "3X1-2016-32020-0001"
    assert account_component("2x1-zacatecas/2021 #7") == "2X1-ZACATECAS-2021-7"
    assert account_component("¿?") == "SIN-FOLIO"
    assert re.fullmatch(r"[A-Z0-9][A-Za-z0-9-]*", account_component("-ñ-abc"))
    assert ledger_formats._account_components({1: ("A/1", ""), 2: ("A-1", ""), 3: ("B", "")}) == {
        1: "A-1-ID1",
        2: "A-1",
        3: "B",
    }


def test_money_text_and_neutralise():
    assert [ledger_formats.money_text(c) for c in (0, 5, -5, 123456, -100, 10**15)] == [
        "0.00",
        "0.05",
        "-0.05",
        "1234.56",
        "-1.00",
        "10000000000000.00",
    ]
    assert [ledger_formats.neutralise(t) for t in ("=1", "+1", "-1", "@x", "\tx", "\rx", "x", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "x",
        "",
    ]


# --- Command line -----------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_exports_and_prints_one_summary_line(ledger_db, tmp_path):
    path = tmp_path / "libro.csv"
    code, out, err = cli("--db", str(ledger_db[0]), "export", "ledger", "--format", "csv", "-o", str(path))
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 1 and str(path) in out and "$" in out
    lines = len(read_csv(path))
    assert out.startswith(f"{lines} ")
    # --db after the command, a year and a project.
    code, out, err = cli(
        "export",
        "ledger",
        "--format",
        "beancount",
        "--year",
        "2025",
        "--project",
        ledger_db[1],
        "-o",
        str(tmp_path / "b.beancount"),
        "--db",
        str(ledger_db[0]),
    )
    assert (code, err) == (0, "") and (tmp_path / "b.beancount").exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--format", "pdf"], ["--format", "'pdf'", "csv", "xlsx", "beancount", "ledger"]),
        (["--format", "csv", "--project", "NO-EXISTE"], ["NO-EXISTE"]),
        (["--format", "csv", "--year", "3000"], ["3000", "1990", "2200"]),
        (["--format", "csv", "--year", "dos mil"], ["dos mil"]),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(ledger_db, tmp_path, args, needles):
    code, out, err = cli("--db", str(ledger_db[0]), "export", "ledger", *args, "-o", str(tmp_path / "x"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("tresxuno: ")
    for needle in needles:
        assert needle in err
    assert list(tmp_path.iterdir()) == []


def test_cli_output_folder_and_database_must_exist(ledger_db, tmp_path):
    code, _out, err = cli(
        "--db", str(ledger_db[0]), "export", "ledger", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv")
    )
    assert code == 2 and "-o" in err and err.count("\n") == 1
    code, _out, err = cli(
        "--db",
        str(tmp_path / "nada.sqlite"),
        "export",
        "ledger",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "x.csv"),
    )
    assert code == 1 and err.count("\n") == 1
    assert not (tmp_path / "nada.sqlite").exists()


def test_cli_formats_are_the_exporters():
    assert EXPORT_FORMATS == FORMATS


# --- PostgreSQL (only when a server is given, like tests/db/test_postgres.py) -----------------


@pytest.fixture
def pg_db() -> Iterator[Database]:
    admin_url = os.environ.get("TRESXUNO_TEST_POSTGRES_URL", "")
    if not admin_url:
        pytest.skip("TRESXUNO_TEST_POSTGRES_URL is not set")
    pytest.importorskip("psycopg")
    name = f"tresxuno_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    database = open_database(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def test_postgresql_streams_the_same_files_as_sqlite(pg_db, db, tmp_path):
    generate_demo(pg_db, projects=60, seed=3)
    _add_ledger(pg_db)
    for fmt in ("csv", "beancount", "ledger"):
        export_ledger(db, fmt, tmp_path / f"sqlite.{fmt}", batch_size=64)
        export_ledger(pg_db, fmt, tmp_path / f"pg.{fmt}", batch_size=64)
        # The same ledger, two audit trails (times differ): compare all but the head's comment line.
        pg_text, sqlite_text = ((tmp_path / f"{n}.{fmt}").read_bytes().splitlines() for n in ("pg", "sqlite"))
        assert [x for x in pg_text if not x.startswith("; Bitácora".encode())] == [
            x for x in sqlite_text if not x.startswith("; Bitácora".encode())
        ], fmt
    summary = export_ledger(pg_db, "xlsx", tmp_path / "pg.xlsx", batch_size=64)
    assert summary.per_account == sql_sums(pg_db)


def test_cli_unknown_project_folio_names_the_folio(ledger_db, tmp_path):
    code, out, err = cli(
        "--db",
        str(ledger_db[0]),
        "export",
        "ledger",
        "--format",
        "csv",
        "--project",
        "3X1-1999-NO",
        "-o",
        str(tmp_path / "x.csv"),
    )
    assert (code, out) == (2, "")
    assert (
        describe(Problem("project", "project.unknown_folio", {"folio": "3X1-1999-NO"}), with_field=False)
        in err
    )


@pytest.mark.parametrize(("folder", "code"), [("/sys", "file.not_writable"), ("/proc", "file.cannot_write")])
def test_cli_an_unwritable_folder_is_a_storage_error_not_a_crash(ledger_db, folder, code):
    path = Path(folder) / "libro.csv"
    exit_code, out, err = cli(
        "--db", str(ledger_db[0]), "export", "ledger", "--format", "csv", "-o", str(path)
    )
    assert (exit_code, out) == (1, "")
    assert err.count("\n") == 1 and str(path) in err and "internal error" not in err
    if code == "file.not_writable":
        assert err.strip().endswith(describe_storage(StorageError(code, path=str(path))))


def test_a_full_disk_while_writing_is_a_storage_error_and_leaves_no_file(db, tmp_path, monkeypatch):
    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StorageError) as info:
        export_ledger(db, "csv", tmp_path / "x.csv")
    assert info.value.code == "file.disk_full"
    assert list(tmp_path.iterdir()) == []


# --- One language per file ---------------------------------------------------------------------

ENGLISH_PARTIES = {
    "Club": "club",
    "Federal": "federal",
    "State": "state",
    "Municipal": "municipal",
    "Partner": "partner",
}
ENGLISH_KINDS = {"Contribution", "Payment", "Refund", "Reversal"}
#: The stable ids of the database: none may show through in a file meant for people.
STORED_IDS = {
    "contribution",
    "payment",
    "refund",
    "reversal",
    "state",
    "partner",
    "federal",
    "club",
    "municipal",
}


def test_a_spanish_csv_says_kinds_and_parties_in_spanish(db, tmp_path):
    path = tmp_path / "libro.csv"
    export_ledger(db, "csv", path, lang="es")
    rows = read_csv(path)
    assert list(rows[0]) == list(CSV_HEADER)
    assert {r["tipo"] for r in rows} == set(KIND_WORDS)  # the ledger holds every kind
    assert {r["parte"] for r in rows} <= set(PARTY_WORDS) and "Estatal" in {r["parte"] for r in rows}


def test_an_english_csv_is_english_from_header_to_values_and_adds_up_the_same(db, tmp_path):
    path = tmp_path / "ledger.csv"
    export_ledger(db, "csv", path, lang="en")
    rows = read_csv(path)
    assert list(rows[0]) == list(CSV_HEADER_EN)
    assert {r["kind"] for r in rows} == ENGLISH_KINDS
    assert {r["party"] for r in rows} <= set(ENGLISH_PARTIES)
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        sums[(row["folio"], ENGLISH_PARTIES[row["party"]])] += centavos(row["amount"])
    assert dict(sums) == sql_sums(db)


def test_the_language_in_force_decides_when_none_is_given(db, tmp_path):
    from tresxuno.i18n import set_language

    set_language("en")
    try:
        export_ledger(db, "csv", tmp_path / "en.csv")
    finally:
        set_language("es")
    export_ledger(db, "csv", tmp_path / "es.csv")
    assert list(read_csv(tmp_path / "en.csv")[0]) == list(CSV_HEADER_EN)
    assert list(read_csv(tmp_path / "es.csv")[0]) == list(CSV_HEADER)


@pytest.mark.parametrize(
    ("lang", "sheets", "header", "account_root", "parties"),
    [
        ("es", ["Movimientos", "Saldos"], CSV_HEADER, "Activo:Proyectos:", PARTY_WORDS),
        ("en", ["Entries", "Balances"], CSV_HEADER_EN, "Assets:Projects:", ENGLISH_PARTIES),
    ],
)
def test_an_xlsx_speaks_one_language_in_every_sheet(
    db, tmp_path, lang, sheets, header, account_root, parties
):
    from openpyxl import load_workbook

    path = tmp_path / "libro.xlsx"
    export_ledger(db, "xlsx", path, lang=lang)
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == sheets
    values = list(wb[sheets[0]].iter_rows(values_only=True))
    assert values[0] == header
    body = [v for v in values[1:] if isinstance(v[0], int)]
    words = {v[4] for v in body} | {v[5] for v in body}
    assert words and not words & STORED_IDS
    assert {v[5] for v in body} <= set(parties)
    labels = [v[0] for v in values[1:] if isinstance(v[0], str)]
    assert labels == ["Total", "Comprobación (fórmula)" if lang == "es" else "Check (formula)"]
    balance_rows = list(wb[sheets[1]].iter_rows(min_row=2, values_only=True))
    accounts = [r[3] for r in balance_rows if r[2] is not None]
    assert accounts and all(a.startswith(account_root) for a in accounts)
    assert {r[2] for r in balance_rows if r[2] is not None} <= set(parties)


def test_an_english_beancount_passes_bean_check_with_english_words_and_ascii_accounts(db, tmp_path):
    loader = pytest.importorskip("beancount.loader")
    from beancount.core import data

    path = tmp_path / "ledger.beancount"
    export_ledger(db, "beancount", path, lang="en")
    entries, errors, _options = loader.load_file(str(path))
    assert errors == []
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    assert {t.meta["kind"] for t in transactions} == ENGLISH_KINDS
    accounts = {p.account for t in transactions for p in t.postings}
    assert all(a.isascii() and " " not in a for a in accounts)
    assert any(a.startswith("Assets:Projects:") and a.endswith(":State") for a in accounts)
    assert any(a.startswith("Income:Contributions:") for a in accounts)
    assertions = {e.account: centavos(str(e.amount.number)) for e in entries if isinstance(e, data.Balance)}
    english = {
        a.replace("Assets:Proyectos:", "Assets:Projects:")
        .replace(":Estatal", ":State")
        .replace(":Socio", ":Partner"): v
        for a, v in project_accounts(sql_sums(db)).items()
    }
    assert assertions == english
    text = path.read_text(encoding="utf-8")
    assert "Aportación" not in text and "asiento" not in text


def test_a_spanish_beancount_names_kinds_in_spanish_not_by_their_ids(db, tmp_path):
    loader = pytest.importorskip("beancount.loader")
    from beancount.core import data

    path = tmp_path / "libro.beancount"
    export_ledger(db, "beancount", path, lang="es")
    entries, errors, _options = loader.load_file(str(path))
    assert errors == []
    kinds = {e.meta["tipo"] for e in entries if isinstance(e, data.Transaction)}
    assert kinds == set(KIND_WORDS)


def test_an_english_ledger_journal_holds_its_assertions_in_english(db, tmp_path):
    path = tmp_path / "ledger.journal"
    summary = export_ledger(db, "ledger", path, lang="en")
    source = path.read_text(encoding="utf-8")
    balances, transactions, assertions = parse_ledger(source)
    assert transactions == summary.rows and assertions == len(sql_sums(db))
    assert "Balance check" in source and "Verificación" not in source and "; kind: Contribution" in source
    assert all(a.isascii() and " " not in a for a in balances)
    hledger = shutil.which("hledger")
    if hledger is not None:
        run = subprocess.run([hledger, "-f", str(path), "--strict", "check"], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr


# --- A big CSV written by two processes ---------------------------------------------------------


@pytest.fixture
def split_everything(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every CSV export of this test is split in two processes; returns the second halves started."""
    started: list[Any] = []
    start = exports._start_second_half

    def spy(*args: Any, **kwargs: Any) -> Any:
        process = start(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(exports, "SPLIT_FROM_LINES", 1)
    monkeypatch.setattr(exports, "_start_second_half", spy)
    return started


def _copy(ledger_db: tuple[Path, str, dict[str, int]], tmp_path: Path) -> Path:
    path = tmp_path / "copia.sqlite"
    shutil.copyfile(ledger_db[0], path)
    return path


def test_a_csv_written_by_two_processes_is_byte_for_byte_the_one_written_by_one(
    db, folio, tmp_path, monkeypatch, split_everything
):
    """Whole ledger, a year, a project, small batches, English: the treasury gets the same file either way."""
    cases = [
        {},
        {"year": 2025},
        {"folio": folio},
        {"batch_size": 7},
        {"lang": "en"},
    ]
    for n, options in enumerate(cases):
        split_path, whole_path = tmp_path / f"split-{n}.csv", tmp_path / f"whole-{n}.csv"
        monkeypatch.setattr(exports, "SPLIT_FROM_LINES", 1)
        split = export_ledger(db, "csv", split_path, **options)
        monkeypatch.setattr(exports, "SPLIT_FROM_LINES", 10**12)
        whole = export_ledger(db, "csv", whole_path, **options)
        assert split_path.read_bytes() == whole_path.read_bytes(), options
        assert (split.rows, split.entries, split.lines) == (whole.rows, whole.entries, whole.lines)
        assert (
            split.per_account == whole.per_account == sql_sums(db, options.get("year"), options.get("folio"))
        )
        assert split.lines == len(read_csv(split_path)) > 1
    assert len(split_everything) == len(cases)  # each split export did start its second process
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"split-{n}.csv" for n in range(len(cases))] + [f"whole-{n}.csv" for n in range(len(cases))]
    )


def test_an_entry_recorded_while_a_split_export_runs_is_in_neither_half(ledger_db, tmp_path, monkeypatch):
    """The second process reads after the first began: it must still see only the first's snapshot."""
    path = _copy(ledger_db, tmp_path)
    database = open_database(str(path))
    start = exports._start_second_half
    late: dict[str, int] = {}

    def record_then_start(conn, scope, half, *args: Any, **kwargs: Any) -> Any:
        # Another desk pays on a late date, in the second half's range, before it starts reading.
        other = create_engine(f"sqlite:///{path}")
        with other.begin() as writer:
            entry = (writer.execute(text("SELECT max(id) FROM ledger_entries")).scalar() or 0) + 1
            project = writer.execute(text("SELECT min(id) FROM projects")).scalar()
            writer.execute(
                insert(LedgerEntry.__table__), [_entry(entry, project, "payment", "2099-12-30", -100)]
            )
            writer.execute(
                insert(LedgerAllocation.__table__), [{"entry_id": entry, "party": "federal", "amount": -100}]
            )
        other.dispose()
        late["id"] = entry
        return start(conn, scope, half, *args, **kwargs)

    monkeypatch.setattr(exports, "SPLIT_FROM_LINES", 1)
    monkeypatch.setattr(exports, "_start_second_half", record_then_start)
    try:
        before = sql_count(database, "ledger_allocations")
        summary = export_ledger(database, "csv", tmp_path / "libro.csv")
        rows = read_csv(tmp_path / "libro.csv")
        assert late and summary.lines == len(rows) == before
        assert str(late["id"]) not in {row["asiento"] for row in rows}
        assert sql_count(database, "ledger_allocations") == before + 1  # it was recorded, after the snapshot
    finally:
        database.dispose()


def test_cancelling_a_split_export_stops_the_second_process_and_leaves_no_file(
    db, tmp_path, split_everything
):
    dest = tmp_path / "libro.csv"
    dest.write_text("el archivo anterior", encoding="utf-8")
    token = CancelToken()

    def progress(done: int, total: int, message: str) -> None:
        if done:
            token.cancel()

    with pytest.raises(Cancelled):
        export_ledger(db, "csv", dest, progress=progress, cancel=token, batch_size=20, force=True)
    (second,) = split_everything
    assert second.returncode is not None  # ended (killed, or already done), never left running
    assert dest.read_text(encoding="utf-8") == "el archivo anterior"
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]


def test_an_entry_without_lines_in_the_second_half_refuses_the_export(ledger_db, tmp_path, split_everything):
    """The attack: an entry inserted behind the app's back without its lines, where the other process reads."""
    path = _copy(ledger_db, tmp_path)
    other = create_engine(f"sqlite:///{path}")
    with other.begin() as writer:
        entry = (writer.execute(text("SELECT max(id) FROM ledger_entries")).scalar() or 0) + 1
        project = writer.execute(text("SELECT min(id) FROM projects")).scalar()
        writer.execute(insert(LedgerEntry.__table__), [_entry(entry, project, "payment", "2099-12-30", -100)])
    other.dispose()
    database = open_database(str(path))
    try:
        with pytest.raises(LedgerIntegrityError, match=f"ledger entry {entry} has no allocation lines"):
            export_ledger(database, "csv", tmp_path / "libro.csv")
    finally:
        database.dispose()
    assert len(split_everything) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copia.sqlite"]


def test_when_the_second_process_cannot_run_this_one_writes_that_half_too(db, tmp_path, monkeypatch, caplog):
    """A second process that fails (a Python that cannot start it, a file it cannot open) costs time, not the export."""
    import subprocess
    import sys

    def failing(*args: Any, **kwargs: Any) -> Any:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stderr.write('no puedo'); sys.exit(1)"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return process

    monkeypatch.setattr(exports, "SPLIT_FROM_LINES", 10**12)
    whole = export_ledger(db, "csv", tmp_path / "whole.csv", year=2025)
    monkeypatch.setattr(exports, "SPLIT_FROM_LINES", 1)
    monkeypatch.setattr(exports, "_start_second_half", failing)
    calls: list[tuple[int, int]] = []
    split = export_ledger(
        db,
        "csv",
        tmp_path / "split.csv",
        year=2025,
        progress=lambda done, total, _m: calls.append((done, total)),
    )
    assert (tmp_path / "split.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert (split.rows, split.per_account) == (whole.rows, whole.per_account)
    assert calls[-1] == (whole.lines, whole.lines)
    assert "second process failed (1): no puedo" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["split.csv", "whole.csv"]
