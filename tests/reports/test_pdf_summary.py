"""The fiscal year's summary: its groupings against the ledger, its PDF with charts, its command line.

Expected money comes from ``balances_by`` (the ledger's balances per municipality and party) and,
for categories, from each project's ``project_balance``; never from the builder's own query.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, fonts_of, pdf_text
from tresxuno.cli import main
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.problems import InputError
from tresxuno.i18n import set_language
from tresxuno.services.ledger import balances_by, project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.run import write_report
from tresxuno.services.reporting.summary import build_summary

YEAR = 2018
MONEY = ("approved", "received", "paid", "refunded")


def fig(g) -> tuple[int, ...]:
    return tuple(getattr(g, k) for k in MONEY)


def test_every_grouping_adds_up_to_the_ledger(demo_db):
    data = build_summary(demo_db, YEAR, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    ledger = balances_by(demo_db, fiscal_year=YEAR)
    per_party: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_municipality: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for g in ledger:
        for i, k in enumerate(MONEY):
            per_party[g.party][i] += getattr(g, k)
            per_municipality[g.municipality_key][i] += getattr(g, k)
    assert {g.key: fig(g) for g in data.by_party} == {k: tuple(v) for k, v in per_party.items()}
    assert {g.key: fig(g) for g in data.by_municipality} == {k: tuple(v) for k, v in per_municipality.items()}
    total = tuple(sum(v[i] for v in per_party.values()) for i in range(4))
    assert fig(data.total) == total and total[1] > 0
    for grouping in (data.by_category, data.by_program, data.by_municipality):
        assert tuple(sum(getattr(g, k) for g in grouping) for k in MONEY) == total
        assert sum(g.projects for g in grouping) == data.projects


def test_categories_match_each_projects_balance(demo_db):
    with demo_db.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM projects WHERE fiscal_year = 2018"))]
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for pid in ids:
        category = project_overview(demo_db, pid).detail.category
        balance = project_balance(demo_db, pid)
        row = per_category[category]
        row[0] += 1
        for i, k in enumerate(MONEY, start=1):
            row[i] += sum(getattr(p, k) for p in balance.parties)
    data = build_summary(demo_db, YEAR, printed_by=PRINTED_BY)
    assert {g.key: (g.projects, *fig(g)) for g in data.by_category} == {
        k: tuple(v) for k, v in per_category.items()
    }
    assert data.projects == len(ids)
    names = {g.key: g.label("es") for g in data.by_program}
    assert names.get("3x1") == "Programa 3x1 para Migrantes"


def test_one_municipality_and_bad_keys(demo_db):
    with demo_db.engine.connect() as conn:
        key = conn.execute(
            text("SELECT municipality_key FROM projects WHERE fiscal_year = 2018 LIMIT 1")
        ).scalar()
        idle = conn.execute(
            text(
                "SELECT key FROM municipalities "
                "WHERE key NOT IN (SELECT municipality_key FROM projects) LIMIT 1"
            )
        ).scalar()
    data = build_summary(demo_db, YEAR, municipality_key=key, printed_by=PRINTED_BY)
    assert [g.key for g in data.by_municipality] == [key]
    ledger = balances_by(demo_db, fiscal_year=YEAR, municipality_key=key)
    assert data.total.received == sum(g.received for g in ledger)
    for bad, code in (("99999", "municipality.unknown"), (idle, "report.municipality_no_projects")):
        with pytest.raises(InputError) as caught:
            build_summary(demo_db, YEAR, municipality_key=bad, printed_by=PRINTED_BY)
        assert [p.code for p in caught.value.problems] == [code]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_tables_and_charts(demo_db, tmp_path, lang):
    set_language(lang)
    try:
        out = tmp_path / f"s-{lang}.pdf"
        result = write_report(
            demo_db, "summary", out, year=YEAR, printed_by=PRINTED_BY, printed_at=PRINTED_AT
        )
    finally:
        set_language("es")
    data = build_summary(demo_db, YEAR, printed_by=PRINTED_BY)
    reader, texts = pdf_text(out)
    count = len(reader.pages)
    # Tables (page 1), charts (page 2), municipalities (page 3 on: 8 rows here, one page).
    assert result.pages == count == 3
    page_word, of = ("Página", "de") if lang == "es" else ("Page", "of")
    for number, page_text in enumerate(texts, start=1):
        assert f"{page_word} {number} {of} {count}" in page_text and PRINTED_BY in page_text

    def money(c: int) -> str:
        return format_money(Money(c), lang)

    total = data.total
    for k in MONEY:
        assert money(getattr(total, k)) in texts[0]
    for g in data.by_party:
        assert money(g.approved) in texts[0] and money(g.approved) in texts[1]  # table and pie legend
    for g in data.by_municipality:
        assert g.name in texts[2] and money(g.received) in texts[2]
    if lang == "es":
        assert "Resumen del ejercicio fiscal" in texts[0] or "Fiscal year summary" in texts[0]
        assert "Dinero aprobado por parte" in texts[1] and "Infraestructura social" in texts[1]
        assert "Estatal" in texts[1] and re.search(r"(?<!MX)\$[\d,]+\.\d M", texts[1])  # axis in millions
    else:
        assert "Fiscal year summary" in texts[0]
        assert "Approved money by party" in texts[1] and "Projects by category" in texts[1]
        assert "Social infrastructure" in texts[1] and re.search(r"MX\$[\d,]+\.\d M", texts[1])
    assert_text_inside(reader)
    assert all("DejaVuSans" in name and embedded for name, embedded in fonts_of(reader))


def test_charts_stay_inside_the_page(demo_db, tmp_path):
    """The chart page's drawing commands (bars, slices, axes) all fall inside the body frame."""
    out = tmp_path / "charts.pdf"
    write_report(demo_db, "summary", out, year=YEAR, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    page = PdfReader(str(out)).pages[1]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    points: list[tuple[float, float]] = []

    def visit(op, args, cm, tm) -> None:
        if op in (b"re", b"m", b"l", b"c"):
            xs, ys = args[0::2], args[1::2]
            for x, y in zip(xs, ys, strict=False):
                points.append(
                    (float(x) * cm[0] + float(y) * cm[2] + cm[4], float(x) * cm[1] + float(y) * cm[3] + cm[5])
                )

    page.extract_text(visitor_operand_before=visit)
    assert len(points) > 50
    assert all(35 <= x <= width - 35 and 35 <= y <= height - 35 for x, y in points)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_cli_writes_the_summary(demo_file, tmp_path):
    out = tmp_path / "resumen.pdf"
    status, stdout, err = run("--db", str(demo_file), "report", "summary", "--year", "2018", "-o", str(out))
    assert (status, err) == (0, "") and str(out) in stdout
    reader, _texts = pdf_text(out)
    assert len(reader.pages) == 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--year"),
        (["--year", "1850"], "1850"),
        (["--year", "2018", "--quarter", "2"], "--quarter"),
        (["--year", "2018", "--municipality", "abc"], "abc"),
    ],
)
def test_cli_refuses_bad_options(demo_file, tmp_path, args, needle):
    out = tmp_path / "x.pdf"
    status, _out, err = run(
        "--lang", "en", "--db", str(demo_file), "report", "summary", *args, "-o", str(out)
    )
    assert status == 2 and needle in err
    assert not out.exists()


def test_party_table_shows_available_excess_and_to_deposit_equal_to_the_ledger(demo_db, tmp_path):
    data = build_summary(demo_db, YEAR, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    keys = ("approved", "received", "paid", "refunded", "over_received", "outstanding", "cash")
    per_party: dict[str, list[int]] = defaultdict(lambda: [0] * len(keys))
    for g in balances_by(demo_db, fiscal_year=YEAR):
        for i, k in enumerate(keys):
            per_party[g.party][i] += getattr(g, k)
    figures = {
        g.key: (g.approved, g.received, g.paid, g.refunded, g.over_received, g.outstanding, g.available)
        for g in data.by_party
    }
    assert figures == {k: tuple(v) for k, v in per_party.items()}
    total = data.total
    assert total.available == sum(v[6] for v in per_party.values())
    assert total.outstanding == sum(v[5] for v in per_party.values())
    out = tmp_path / "resumen.pdf"
    write_report(demo_db, "summary", out, year=YEAR, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    reader, texts = pdf_text(out)
    first = texts[0]
    for label in ("Depositado", "Disponible", "Excedente", "Por depositar", "Reintegrado"):
        assert label in first, label
    es = lambda c: format_money(Money(c), "es")  # noqa: E731
    # Each party's row and the totals row, right to left: available, excess, to deposit.
    for g in (*data.by_party, total):
        assert f"{es(g.refunded)} {es(g.available)} {es(g.over_received)} {es(g.outstanding)}" in first
    assert "Un pago que no señala una parte de origen se carga" in first
    assert_text_inside(reader)
