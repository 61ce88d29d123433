"""The quarterly physical-financial progress report: its data, its PDF, its command line.

Expected figures are worked out here through other services (each project's overview, stage
history, progress history and ``project_balance`` as of the quarter's end), never by the builder's
own query, and compared to the centavo.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, fonts_of, pdf_text
from tresxuno.cli import main
from tresxuno.domain.ledger import APPROVED_STAGES
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.problems import InputError
from tresxuno.i18n import set_language
from tresxuno.reports.pdf.quarterly import render_quarterly
from tresxuno.services.ledger import balances_by, list_entries, project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.quarterly import build_quarterly
from tresxuno.services.reporting.run import write_report
from tresxuno.services.works import progress_history

YEAR = 2018


def es(centavos: int) -> str:
    return format_money(Money(centavos), "es")


def ids_of_year(db, year: int) -> list[int]:
    with db.engine.connect() as conn:
        return [
            r[0] for r in conn.execute(text("SELECT id FROM projects WHERE fiscal_year = :y"), {"y": year})
        ]


def expected_quarter(db, year: int, quarter: int) -> dict[int, dict]:
    """Per active project: stage, percent and money per party at the quarter's end, via the services."""
    last = date(year, 3 * quarter, 1) + timedelta(days=31)
    last = last.replace(day=1) - timedelta(days=1)
    cutoff = datetime.combine(last + timedelta(days=1), time())
    found = {}
    for pid in ids_of_year(db, year):
        overview = project_overview(db, pid)
        steps = [s for s in overview.history if s.changed_at < cutoff]
        stage = steps[-1].to_stage if steps else (None if overview.history else overview.detail.stage)
        if stage not in APPROVED_STAGES:
            continue
        reports = [r for r in progress_history(db, pid) if r.reported_on <= last]
        balance = project_balance(db, pid, as_of=last)
        found[pid] = {
            "folio": overview.detail.folio,
            "stage": stage,
            "percent": reports[-1].percent_tenths if reports else None,
            "money": {p.party: (p.share, p.received, p.paid) for p in balance.parties},
        }
    return found


# --- the ledger's date bound ------------------------------------------------------------------------


def test_project_balance_as_of_counts_only_entries_up_to_that_day(demo_db, picks):
    entries = list_entries(demo_db, project_id=picks.busiest, limit=100_000)
    first, last = min(e.entry_date for e in entries), max(e.entry_date for e in entries)
    before = project_balance(demo_db, picks.busiest, as_of=first - timedelta(days=1))
    assert before.cash == 0 and all(p.received == p.paid == p.refunded == 0 for p in before.parties)
    assert project_balance(demo_db, picks.busiest, as_of=last) == project_balance(demo_db, picks.busiest)
    middle = sorted({e.entry_date for e in entries})[len(entries) // 3]
    partial = project_balance(demo_db, picks.busiest, as_of=middle)
    assert partial.cash == sum(e.amount for e in entries if e.entry_date <= middle)
    received = sum(e.amount for e in entries if e.entry_date <= middle and e.kind == "contribution")
    reversed_ = [e for e in entries if e.kind == "reversal"]
    if not reversed_:
        assert sum(p.received for p in partial.parties) == received


def test_balances_by_as_of_sums_the_projects_as_of(demo_db):
    day = date(YEAR, 8, 15)
    groups = balances_by(demo_db, fiscal_year=YEAR, as_of=day)
    per_project = [project_balance(demo_db, pid, as_of=day) for pid in ids_of_year(demo_db, YEAR)]
    assert sum(g.received for g in groups) == sum(p.received for p in per_project)
    assert sum(g.paid for g in groups) == sum(p.paid for p in per_project)
    whole_year = balances_by(demo_db, fiscal_year=YEAR)
    assert sum(g.paid for g in groups) < sum(g.paid for g in whole_year)


# --- the builder --------------------------------------------------------------------------------------


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_builder_lists_the_active_projects_with_their_figures(demo_db, quarter):
    data = build_quarterly(demo_db, YEAR, quarter, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    expected = expected_quarter(demo_db, YEAR, quarter)
    lines = {p.id: p for b in data.blocks for p in b.projects}
    assert set(lines) == set(expected)
    for pid, want in expected.items():
        line = lines[pid]
        assert (line.folio, line.stage, line.percent_tenths) == (
            want["folio"],
            want["stage"],
            want["percent"],
        )
        assert {f.party: (f.approved, f.received, f.paid) for f in line.money} == want["money"]
    # Subtotals per municipality and overall totals equal the ledger as of the quarter's end.
    for block in data.blocks:
        for party in block.totals:
            assert party.received == sum(
                expected[p.id]["money"].get(party.party, (0, 0, 0))[1] for p in block.projects
            )
    for party in data.totals:
        assert party.received == sum(w["money"].get(party.party, (0, 0, 0))[1] for w in expected.values())
        assert party.paid == sum(w["money"].get(party.party, (0, 0, 0))[2] for w in expected.values())
    assert data.first_day == date(YEAR, 3 * quarter - 2, 1)


def test_last_quarter_totals_equal_the_years_ledger(demo_db):
    """In the fourth quarter of 2018 every approved project of the year is active: totals are the year's balances."""
    data = build_quarterly(demo_db, YEAR, 4, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    groups = balances_by(demo_db, fiscal_year=YEAR, as_of=date(YEAR, 12, 31))
    with demo_db.engine.connect() as conn:
        approved = conn.execute(
            text(
                "SELECT COUNT(*) FROM projects WHERE fiscal_year = :y AND stage IN "
                "('aprobado', 'convenio_firmado', 'en_ejecucion', 'terminado', 'cerrado')"
            ),
            {"y": YEAR},
        ).scalar()
    assert data.project_count == approved > 5
    for party in data.totals:
        assert party.received == sum(g.received for g in groups if g.party == party.party)
        assert party.paid == sum(g.paid for g in groups if g.party == party.party)
        assert party.approved == sum(g.approved for g in groups if g.party == party.party)


def test_first_quarter_before_any_approval_is_empty(demo_db, tmp_path):
    data = build_quarterly(demo_db, YEAR, 1, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert data.blocks == () and data.totals == ()
    set_language("es")
    pages = render_quarterly(data, tmp_path / "q1.pdf")
    _reader, texts = pdf_text(tmp_path / "q1.pdf")
    assert pages == 1 and "Página 1 de 1" in texts[0]


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
    data = build_quarterly(demo_db, YEAR, 4, municipality_key=key, printed_by=PRINTED_BY)
    assert [b.key for b in data.blocks] == [key] and data.municipality_name
    for bad, code in (("99999", "municipality.unknown"), (idle, "report.municipality_no_projects")):
        with pytest.raises(InputError) as caught:
            build_quarterly(demo_db, YEAR, 4, municipality_key=bad, printed_by=PRINTED_BY)
        assert [p.code for p in caught.value.problems] == [code]


# --- the PDF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_carries_every_project_and_the_totals(demo_db, tmp_path, lang):
    set_language(lang)
    try:
        out = tmp_path / f"q-{lang}.pdf"
        result = write_report(
            demo_db, "quarterly", out, year=YEAR, quarter=4, printed_by=PRINTED_BY, printed_at=PRINTED_AT
        )
    finally:
        set_language("es")
    reader, texts = pdf_text(out)
    count = len(reader.pages)
    assert result.pages == count
    page_word = "Página" if lang == "es" else "Page"
    of = "de" if lang == "es" else "of"
    for number, page_text in enumerate(texts, start=1):
        assert f"{page_word} {number} {of} {count}" in page_text and PRINTED_BY in page_text
    whole = " ".join(texts)
    expected = expected_quarter(demo_db, YEAR, 4)

    def money(c: int) -> str:
        return format_money(Money(c), lang)

    for want in expected.values():
        assert want["folio"] in whole
        for _share, received, paid in want["money"].values():
            assert money(received) in whole and money(paid) in whole
    grand_received = sum(r for w in expected.values() for _s, r, _p in w["money"].values())
    grand_paid = sum(p for w in expected.values() for _s, _r, p in w["money"].values())
    assert money(grand_received) in texts[-1] and money(grand_paid) in texts[-1]
    if lang == "es":
        assert "Avance físico" in whole and "Subtotal" in whole
    else:
        assert "Quarterly physical-financial progress report" in texts[0] and "Physical progress" in whole
    assert_text_inside(reader)
    assert all("DejaVuSans" in name and embedded for name, embedded in fonts_of(reader))


def test_cancel_leaves_no_file(demo_db, tmp_path):
    from tresxuno.services.progress import Cancelled, CancelToken

    token = CancelToken()
    token.cancel()
    out = tmp_path / "cancelled.pdf"
    with pytest.raises(Cancelled):
        write_report(demo_db, "quarterly", out, year=YEAR, quarter=4, printed_by=PRINTED_BY, cancel=token)
    assert not out.exists() and not list(tmp_path.iterdir())


# --- the command line ------------------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_cli_writes_the_report(demo_file, tmp_path):
    out = tmp_path / "trimestral.pdf"
    status, stdout, err = run(
        "--db", str(demo_file), "report", "quarterly", "--year", "2018", "--quarter", "4", "-o", str(out)
    )
    assert (status, err) == (0, "") and str(out) in stdout
    _reader, texts = pdf_text(out)
    assert "Informe trimestral" in texts[0] or "Quarterly physical-financial" in texts[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--year", "2018"], "--quarter"),
        (["--quarter", "2"], "--year"),
        (["--year", "2018", "--quarter", "5"], "5"),
        (["--year", "2018", "--quarter", "4", "--project", "X"], "--project"),
        (["--year", "2018", "--quarter", "4", "--municipality", "99999"], "99999"),
    ],
)
def test_cli_refuses_bad_options(demo_file, tmp_path, args, needle):
    out = tmp_path / "x.pdf"
    status, _out, err = run(
        "--lang", "en", "--db", str(demo_file), "report", "quarterly", *args, "-o", str(out)
    )
    assert status == 2 and needle in err
    assert not out.exists()


# --- goals, financial progress by party, signatures (issue 14) --------------------------------------------


def test_pdf_prints_goals_financial_progress_and_who_signs_on_the_last_day(demo_db, tmp_path):
    """Read back: each project's goals, each party's paid ÷ approved, the officials in post that day."""
    from tresxuno.services.goals import goals_of
    from tresxuno.services.officials import list_officials

    out = tmp_path / "q.pdf"
    write_report(
        demo_db, "quarterly", out, year=YEAR, quarter=3, printed_by=PRINTED_BY, printed_at=PRINTED_AT
    )
    _reader, texts = pdf_text(out)
    whole = " ".join(texts)
    flat = " ".join(whole.split())
    assert "Tercer trimestre de 2018" in texts[0] and "Trimestre 3" not in whole
    expected = expected_quarter(demo_db, YEAR, 3)
    assert expected, "the demo has projects active in the third quarter of 2018"
    with_goals = 0
    for pid, want in expected.items():
        for goal in goals_of(demo_db, pid):
            with_goals += 1
            assert f"{goal.quantity_text} {goal.unit}" in flat, (want["folio"], goal)
        for share, _received, paid in want["money"].values():
            if share:
                bp = paid * 10000 // share  # rounded down: never 100.00 % with a centavo missing
                assert f"{bp // 100}.{bp % 100:02d} %" in whole
    assert with_goals > 0
    last_day = date(YEAR, 9, 30)
    office = list_officials(demo_db)
    for post in ("titular_migrantes", "tesorero_municipal", "presidente_municipal"):
        holders = [o for o in office if o.post == post]
        in_post = [o for o in holders if o.holds_on(last_day)]
        assert len(in_post) == 1, post
        assert in_post[0].person_name in texts[-1]
        for other in holders:
            if other.person_name != in_post[0].person_name:
                assert other.person_name not in whole  # a predecessor or successor never signs
    for caption in ("Elaboró", "Revisó", "Autorizó"):
        assert caption in texts[-1]


def test_english_quarter_title_and_financial_progress(demo_db, tmp_path):
    set_language("en")
    try:
        out = tmp_path / "q.pdf"
        write_report(
            demo_db, "quarterly", out, year=YEAR, quarter=1, printed_by=PRINTED_BY, printed_at=PRINTED_AT
        )
    finally:
        set_language("es")
    _reader, texts = pdf_text(out)
    whole = " ".join(texts)
    assert "First quarter of 2018" in texts[0] and "Financial progress" in whole
    assert "Prepared by" in texts[-1] and "Authorised by" in texts[-1]


def test_a_vacant_post_prints_a_blank_line_to_sign(demo_copy, tmp_path):
    """With no treasurer recorded for the date, the block still prints the post to sign by hand."""
    with demo_copy.engine.begin() as conn:
        conn.execute(text("DELETE FROM officials WHERE post = 'tesorero_municipal'"))
    report = build_quarterly(demo_copy, YEAR, 4, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    treasurer = [s for s in report.signatories if s.post == "tesorero_municipal"]
    assert len(treasurer) == 1 and treasurer[0].name == ""
    out = tmp_path / "q.pdf"
    render_quarterly(report, out)
    _reader, texts = pdf_text(out)
    assert "Tesorero municipal" in texts[-1] and "Revisó" in texts[-1]
