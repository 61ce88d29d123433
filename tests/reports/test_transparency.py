"""Transparency and federal reporting files (SIPOT XV-A, padrón XV-B, SRFT), read back from the XLSX.

Expected figures come from other services (each project's stage history, ``project_balance`` as of
the period's end, the convenio's versions), never from the exporter's own query, and are compared
to the centavo.
"""

from __future__ import annotations

import io
import re
import tomllib
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tresxuno import paths
from tresxuno.cli import TRANSPARENCY_FORMATS, main
from tresxuno.domain.ledger import APPROVED_STAGES, COMMITTED_STAGES
from tresxuno.domain.problems import InputError
from tresxuno.domain.transparency import FORMAT_IDS, LayoutError, Period, parse_book
from tresxuno.services.amendments import amendments
from tresxuno.services.audit import chain_head
from tresxuno.services.goals import goals_of
from tresxuno.services.ledger import project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.transparency import FIELDS, export_transparency, transparency_book

YEAR = 2018
LEGEND = (
    "Este programa es público, ajeno a cualquier partido político. Queda prohibido el uso para fines "
    "distintos a los establecidos en el programa."
)
CURP_LIKE = re.compile(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d")


def read_back(path: Path) -> tuple[list[str], list[dict[str, object]], list[str]]:
    """Headers, rows keyed by header, and the notes sheet's lines."""
    wb = load_workbook(path)
    data, notes = wb.worksheets[0], wb["Notas"]
    rows = list(data.iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    body = [dict(zip(headers, r, strict=True)) for r in rows[1:]]
    return headers, body, [str(r[0]) for r in notes.iter_rows(values_only=True) if r[0]]


def centavos(value: object) -> int:
    assert isinstance(value, (int, float, Decimal)), value
    return round(Decimal(str(value)) * 100)


def header_of(fmt: str, field: str) -> str:
    return next(c.header for c in transparency_book().layouts[fmt].columns if c.field == field)


def stage_at(db, project_id: int, end: date) -> str | None:
    overview = project_overview(db, project_id)
    cutoff = datetime.combine(end + timedelta(days=1), time())
    steps = [s for s in overview.history if s.changed_at < cutoff]
    return steps[-1].to_stage if steps else (None if overview.history else overview.detail.stage)


def expected_projects(db, year: int, end: date) -> dict[str, int]:
    """Folio -> id of the year's projects approved and not cancelled on ``end``, via the services."""
    with db.engine.connect() as conn:
        from sqlalchemy import text

        ids = [
            r[0] for r in conn.execute(text("SELECT id FROM projects WHERE fiscal_year = :y"), {"y": year})
        ]
    found = {}
    for pid in ids:
        if stage_at(db, pid, end) in APPROVED_STAGES:
            found[project_overview(db, pid).detail.folio] = pid
    return found


def export(db, fmt: str, tmp_path: Path, quarter: int = 0, year: int = YEAR, **kw) -> Path:
    out = tmp_path / f"{fmt}-{year}-{quarter}.xlsx"
    export_transparency(db, fmt, out, year=year, quarter=quarter, **kw)
    return out


@pytest.mark.parametrize("quarter", [2, 4])
def test_srft_figures_equal_the_ledger_for_every_federal_project(demo_db, tmp_path, quarter):
    end = Period(YEAR, quarter).end
    headers, rows, _notes = read_back(export(demo_db, "srft", tmp_path, quarter))
    assert headers == [c.header for c in transparency_book().layouts["srft"].columns]
    folio, h = header_of("srft", "folio"), lambda f: header_of("srft", f)
    expected = {
        f: pid
        for f, pid in expected_projects(demo_db, YEAR, end).items()
        if project_overview(demo_db, pid).detail.program in ("3x1", "4x1")
    }
    assert expected, "the demo has federal projects approved in 2018"
    assert sorted(r[folio] for r in rows) == sorted(expected)
    for row in rows:
        pid = expected[str(row[folio])]
        federal = next(p for p in project_balance(demo_db, pid, as_of=end).parties if p.party == "federal")
        original = next(s.amount for s in amendments(demo_db, pid)[0].shares if s.party == "federal")
        stage = stage_at(demo_db, pid, end)
        assert centavos(row[h("paid")]) == federal.paid
        assert centavos(row[h("exercised")]) == federal.paid
        assert centavos(row[h("accrued")]) == federal.accrued
        assert centavos(row[h("refunded")]) == federal.refunded
        assert centavos(row[h("approved")]) == original
        assert centavos(row[h("committed")]) == (original if stage in COMMITTED_STAGES else 0)
        assert row[h("period")] == Period(YEAR, quarter).name
        assert row[h("program_key")] == "S061" and row[h("branch")] == "20"
        assert re.fullmatch(r"\d{5}", str(row[h("municipality_key")]))
        goals = goals_of(demo_db, pid)
        for goal in goals:  # the convenio's physical goals, as SHCP asks
            assert goal.description in str(row[h("goals")]) and goal.unit in str(row[h("goals")])
        if federal.paid and original:
            assert row[h("financial_progress")] == pytest.approx(
                round(100 * federal.paid / original, 1), abs=0.05
            )


def test_sipot_xv_sums_each_partys_approved_share_and_cites_the_rop(demo_db, tmp_path):
    end = Period(YEAR, 0).end
    _headers, rows, notes = read_back(export(demo_db, "sipot-xv", tmp_path))
    h = lambda f: header_of("sipot-xv", f)  # noqa: E731
    expected: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for pid in expected_projects(demo_db, YEAR, end).values():
        detail = project_overview(demo_db, pid).detail
        counts[detail.program] = counts.get(detail.program, 0) + 1
        sums = expected.setdefault(detail.program, {})
        for share in amendments(demo_db, pid)[0].shares:
            sums[share.party] = sums.get(share.party, 0) + share.amount
    assert len(rows) == len(expected)
    for row in rows:
        program = next(p for p in expected if row[h("program_name")] == _name(p))
        assert row[h("projects")] == counts[program]
        for party in ("federal", "state", "municipal", "club", "partner"):
            assert centavos(row[h(f"approved_{party}")] or 0) == expected[program].get(party, 0), party
        assert centavos(row[h("approved")]) == sum(expected[program].values())
        assert row[h("period_start")].date() == date(YEAR, 1, 1)
        assert row[h("period_end")].date() == date(YEAR, 12, 31)
        assert "Reglas de Operación" in str(row[h("normative_document")])
    if any(r[h("program_name")] == _name("3x1") for r in rows):
        wb = load_workbook(tmp_path / f"sipot-xv-{YEAR}-0.xlsx")
        ws = wb.worksheets[0]
        col = [c.header for c in transparency_book().layouts["sipot-xv"].columns].index(
            h("normative_link")
        ) + 1
        link = ws.cell(row=2, column=col).hyperlink
        assert link is not None and "dof.gob.mx" in link.target and "year=2017" in link.target
    assert any(LEGEND in line for line in notes)


def _name(program: str) -> str:
    from tresxuno.services.rules import rulebook

    found = rulebook().programs.get(program)
    return found.name_es if found else program


def test_the_padron_lists_each_community_without_personal_data(demo_db, tmp_path):
    end = Period(YEAR, 4).end
    _headers, rows, notes = read_back(export(demo_db, "padron", tmp_path, 4))
    h = lambda f: header_of("padron", f)  # noqa: E731
    expected = expected_projects(demo_db, YEAR, end)
    assert sorted(str(r[h("folio")]) for r in rows) == sorted(expected)
    book = transparency_book()
    for row in rows:
        pid = expected[str(row[h("folio")])]
        shares = {s.party: s.amount for s in amendments(demo_db, pid)[0].shares}
        assert centavos(row[h("amount")]) == sum(shares.get(p, 0) for p in ("federal", "state", "municipal"))
        detail = project_overview(demo_db, pid).detail
        assert row[h("municipality_key")] == detail.municipality_key
        assert str(row[h("municipality_key")]).startswith(detail.state_key)
        # The INEGI locality key: nine digits inside the project's municipality.
        assert re.fullmatch(r"\d{9}", str(row[h("locality_key")]))
        assert str(row[h("locality_key")]).startswith(detail.municipality_key)
        assert row[h("beneficiary_type")] in book.catalogues["beneficiary_type"]
        assert row[h("sex")] in book.catalogues["sex"]
        assert not any(CURP_LIKE.search(str(v)) for v in row.values() if v is not None)
    assert any(LEGEND in line for line in notes)


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_every_catalogue_column_holds_only_catalogue_values(demo_db, tmp_path, fmt):
    _headers, rows, _notes = read_back(export(demo_db, fmt, tmp_path, 4))
    book = transparency_book()
    for column in book.layouts[fmt].columns:
        if column.catalogue:
            values = {r[column.header] for r in rows}
            assert values <= set(book.catalogues[column.catalogue]), (column.header, values)


def test_a_layout_is_data_columns_follow_the_file(demo_db, tmp_path, monkeypatch):
    shipped = (paths.seeds_dir() / "transparency.toml").read_text(encoding="utf-8")
    start = shipped.index('[[formats]]\nid = "srft"')
    end = shipped.index("[[formats]]", start + 1)
    srft = (
        '[[formats]]\nid = "srft"\nsheet = "SRFT"\ntitle = "t"\nnote = "n"\n'
        '[[formats.columns]]\nheader = "Pagado federal (pesos)"\nfield = "paid"\nkind = "money"\n'
        '[[formats.columns]]\nheader = "Folio del proyecto"\nfield = "folio"\nkind = "text"\n\n'
    )
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "transparency.toml").write_text(shipped[:start] + srft + shipped[end:], encoding="utf-8")
    monkeypatch.setattr(paths, "seeds_dir", lambda: seeds)
    headers, rows, _notes = read_back(export(demo_db, "srft", tmp_path, 4))
    assert headers == ["Pagado federal (pesos)", "Folio del proyecto"]
    assert rows and all(isinstance(r["Pagado federal (pesos)"], (int, float)) for r in rows)


def test_a_layout_with_an_unknown_field_is_refused_naming_the_column():
    data = tomllib.loads((paths.seeds_dir() / "transparency.toml").read_text(encoding="utf-8"))
    srft = next(f for f in data["formats"] if f["id"] == "srft")
    srft["columns"][3] = {**srft["columns"][3], "field": "pagadoo"}
    with pytest.raises(LayoutError, match=r"'srft', column 4 .*pagadoo"):
        parse_book(data, FIELDS)
    assert set(TRANSPARENCY_FORMATS) == set(FORMAT_IDS)


def test_the_cli_writes_the_file_and_records_nothing(demo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("TRESXUNO_PASSWORD", "demo1234")
    before = chain_head(demo_copy)
    out = tmp_path / "srft.xlsx"
    db = str(demo_copy.engine.url.database)
    args = ["--db", db, "export", "transparency", "--format", "srft", "--year", str(YEAR), "--quarter", "4"]
    buffer = io.StringIO()
    assert main([*args, "-o", str(out), "--user", "auditor"], out=buffer) == 0
    assert out.exists() and "srft" in buffer.getvalue()
    assert chain_head(demo_copy) == before  # a read-only command writes nothing, not even a sign-in
    # An existing file is never replaced without --force.
    stamp = out.read_bytes()
    assert main([*args, "-o", str(out), "--user", "auditor"], out=io.StringIO()) == 2
    assert out.read_bytes() == stamp
    assert (
        main([*args[:-1], "5", "-o", str(tmp_path / "q5.xlsx"), "--user", "auditor"], out=io.StringIO()) == 2
    )


def test_bad_periods_and_formats_are_refused_with_their_field(demo_db, tmp_path):
    with pytest.raises(InputError) as exc:
        export_transparency(demo_db, "sipot", tmp_path / "x.xlsx", year=YEAR)
    assert exc.value.problems[0].field == "format"
    with pytest.raises(InputError) as exc:
        export_transparency(demo_db, "srft", tmp_path / "x.xlsx", year=YEAR, quarter=7)
    assert exc.value.problems[0].field == "quarter"
    assert not (tmp_path / "x.xlsx").exists()


def test_period_bounds():
    assert (Period(2017, 3).start, Period(2017, 3).end) == (date(2017, 7, 1), date(2017, 9, 30))
    assert (Period(2020, 1).end, Period(2019, 0).end) == (date(2020, 3, 31), date(2019, 12, 31))
    assert replace(Period(2017, 3), quarter=0).name == "Anual"


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize(
    "kind", ["project", "agreement", "statement", "receipt", "quarterly", "summary", "session"]
)
def test_every_page_of_every_document_carries_the_lgds_legend_verbatim(demo_db, picks, tmp_path, kind, lang):
    from tests.reports.conftest import pdf_text
    from tresxuno.i18n import language, set_language
    from tresxuno.services.reporting.run import write_report

    options = {
        "project": {"project_id": picks.busiest},
        "agreement": {"project_id": picks.busiest},
        "statement": {"project_id": picks.busiest},
        "receipt": {"entry_id": picks.usd_entry},
        "quarterly": {"year": 2024, "quarter": 2},
        "summary": {"year": 2024},
        "session": {"session_id": 1},
    }[kind]
    previous = language()
    set_language(lang)
    try:
        out = tmp_path / f"{kind}.pdf"
        write_report(demo_db, kind, out, **options)  # type: ignore[arg-type]
    finally:
        set_language(previous)
    _reader, pages = pdf_text(out)
    assert pages
    for page in pages:
        assert LEGEND in " ".join(page.split()), page[-400:]


def test_the_padron_lists_persons_without_curp_and_without_the_names_of_minors(demo_db, tmp_path):
    from sqlalchemy import text as sql

    with demo_db.engine.connect() as conn:
        year = conn.execute(
            sql(
                "SELECT p.fiscal_year FROM projects p JOIN project_beneficiaries b ON b.project_id = p.id "
                "WHERE p.stage IN ('aprobado','convenio_firmado','en_ejecucion','terminado','cerrado') "
                "GROUP BY p.fiscal_year ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar_one()
        curps = {r[0] for r in conn.execute(sql("SELECT curp FROM project_beneficiaries"))}
        adults = {
            (r[0], r[1])
            for r in conn.execute(
                sql("SELECT given_names, first_surname FROM project_beneficiaries WHERE birth_date <= :d"),
                {"d": f"{year - 18}-12-31"},
            )
        }
    _headers, rows, _notes = read_back(export(demo_db, "padron", tmp_path, 0, year=year))
    h = lambda f: header_of("padron", f)  # noqa: E731
    persons = [r for r in rows if r[h("beneficiary_type")] == "Persona física"]
    assert persons, "the demo has scholarship or productive projects with a padrón"
    everything = " ".join(str(v) for r in rows for v in r.values() if v is not None)
    assert not any(c in everything for c in curps)  # no CURP in a public version
    for r in persons:
        assert r[h("sex")] in ("Femenino", "Masculino", "No binario")
        if r[h("age")] == "0 a 17 años":
            assert not r[h("given_names")] and "protegido" in str(r[h("collective_name")])
    shown = {(r[h("given_names")], r[h("first_surname")]) for r in persons if r[h("given_names")]}
    assert shown and shown <= adults  # every name shown is an adult's (a minor's name never is)
    # A project's persons share its public support to the centavo.
    by_folio: dict[str, int] = {}
    for r in persons:
        by_folio[str(r[h("folio")])] = by_folio.get(str(r[h("folio")]), 0) + centavos(r[h("amount")])
    for folio, total in by_folio.items():
        with demo_db.engine.connect() as conn:
            support = conn.execute(
                sql(
                    "SELECT SUM(s.amount) FROM project_shares s JOIN projects p ON p.id = s.project_id "
                    "WHERE p.folio = :f AND s.party IN ('federal', 'state', 'municipal')"
                ),
                {"f": folio},
            ).scalar_one()
        assert total == support, folio
