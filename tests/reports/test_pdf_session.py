"""The minutes of a COVAM session (acta de sesión) built from the demo database and read back with pypdf.

The minutes must name every attendee under their party, print every project on the agenda with its
ruling, priority and conditions, add up the approved money per party to the centavo of the rulings
(in figures and in words), number its pages, keep every text on the page, and print in English too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside
from tests.reports.test_pdf_cli import run
from tests.reports.test_pdf_reports import check_common, es
from tresxuno.domain.money import Money
from tresxuno.domain.problems import InputError
from tresxuno.domain.words import amount_in_words
from tresxuno.i18n import set_language
from tresxuno.reports.data import Attendee, PartyAmount
from tresxuno.reports.pdf.fmt import translator
from tresxuno.reports.pdf.session import render_session_minutes
from tresxuno.services.covam import get_session
from tresxuno.services.reporting.run import write_report
from tresxuno.services.reporting.session import ATTENDEE_ORDER, build_session_minutes

#: Spanish of the texts this report adds (from the catalogue, as the renderer gets them).
ES = translator("es")


def _scalar(db, sql: str) -> int:
    with db.engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    assert value is not None, "demo data changed"
    return int(value)


@pytest.fixture
def mixed_session(demo_db) -> int:
    """A session whose agenda has both approved and not approved projects (the most projects first)."""
    return _scalar(
        demo_db,
        "SELECT session_id FROM covam_agenda GROUP BY session_id "
        "HAVING SUM(ruling = 'aprobado') > 0 AND SUM(ruling <> 'aprobado') > 0 "
        "ORDER BY COUNT(*) DESC, session_id LIMIT 1",
    )


@pytest.fixture
def partner_session(demo_db) -> int:
    """A session a partner attended."""
    return _scalar(
        demo_db, "SELECT session_id FROM covam_attendees WHERE party = 'partner' ORDER BY session_id LIMIT 1"
    )


def approved_by_sql(db, session_id: int) -> dict[str, int]:
    """Approved money per party, summed straight from the tables (independently of the builder)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.party, SUM(s.amount) FROM covam_agenda a "
                "JOIN project_shares s ON s.project_id = a.project_id "
                "WHERE a.session_id = :id AND a.ruling = 'aprobado' GROUP BY s.party"
            ),
            {"id": session_id},
        ).all()
    return {party: int(amount) for party, amount in rows}


def test_builder_gathers_attendees_agenda_and_approved_money(demo_db, mixed_session):
    data = build_session_minutes(demo_db, mixed_session, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    info = get_session(demo_db, mixed_session)
    assert (data.number, data.held_on, data.place) == (info.number, info.held_on, info.place)
    # Attendees grouped by party in protocol order, everyone present.
    ranks = [ATTENDEE_ORDER.index(a.party) for a in data.attendees]
    assert ranks == sorted(ranks)
    assert sorted(a.name for a in data.attendees) == sorted(a.name for a in info.attendees)
    # The agenda in its order, each project's shares adding up to its cost.
    assert [p.folio for p in data.agenda] == [line.folio for line in info.agenda]
    assert [p.number for p in data.agenda] == list(range(1, len(info.agenda) + 1))
    for p in data.agenda:
        assert sum(s.amount for s in p.shares) == p.cost
    # Approved money: exactly the shares of the approved projects, per party, to the centavo.
    expected = approved_by_sql(demo_db, mixed_session)
    assert {a.party: a.amount for a in data.approved} == expected
    assert data.approved_total == sum(p.cost for p in data.agenda if p.ruling == "aprobado")
    assert data.approved_total < sum(p.cost for p in data.agenda)  # a project was not approved


def test_unknown_session_is_refused(demo_db):
    with pytest.raises(InputError) as caught:
        build_session_minutes(demo_db, 999_999, printed_by=PRINTED_BY)
    assert caught.value.problems[0].code == "session.unknown"


def test_minutes_print_every_attendee_project_ruling_and_total(demo_db, mixed_session, tmp_path):
    data = build_session_minutes(demo_db, mixed_session, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "acta.pdf"
    pages = render_session_minutes(data, out)
    reader, texts = check_common(out, pages)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape: a wide agenda
    whole = " ".join(texts)
    assert ES("Minutes of the COVAM session") in texts[0]
    assert data.number in texts[0]
    assert "Asistentes" in whole and "Orden del día y dictámenes" in whole
    for person in data.attendees:
        assert person.name in whole and person.position in whole
    rulings = {"aprobado": "Aprobado", "rechazado": "Rechazado", "devuelto": "Devuelto"}
    for p in data.agenda:
        assert p.folio in whole and es(p.cost) in whole
        for share in p.shares:
            assert es(share.amount) in whole
        # The ruling and the priority follow the cost on the project's row.
        assert f"{es(p.cost)} {rulings[p.ruling]} {p.priority}" in whole
        if p.conditions:
            assert p.conditions in whole
    # Approved per party in figures and the words of those figures; the total both ways.
    for a in data.approved:
        assert f"{es(a.amount)} {amount_in_words(Money(a.amount))}" in whole
    total = data.approved_total
    assert f"{es(total)} ({amount_in_words(Money(total))})" in whole
    # A signature block per attendee with vote (the name under a line, then the position), and the
    # party's line in the committee's composition.
    assert whole.count(ES("For the municipal government")) == 1 + sum(
        a.party == "municipal" and a.has_vote for a in data.attendees
    )


def test_minutes_in_english(demo_db, partner_session, tmp_path):
    set_language("en")
    data = build_session_minutes(demo_db, partner_session, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "minutes.pdf"
    render_session_minutes(data, out)
    reader = PdfReader(str(out))
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    whole = " ".join(texts)
    assert "Minutes of the COVAM session" in texts[0] and f"Page 1 of {len(reader.pages)}" in texts[0]
    assert "Attendees" in whole and "Agenda and rulings" in whole and "Approved" in whole
    assert "For the partner" in whole and "Partner" in whole
    assert "MX$" in whole and "Página" not in whole
    assert_text_inside(reader)


def test_a_long_agenda_runs_over_pages_without_clipping(demo_db, mixed_session, tmp_path):
    """Eighty projects with long names and conditions: every one printed, pages numbered, nothing cut."""
    data = build_session_minutes(demo_db, mixed_session, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    model = data.agenda[0]
    agenda = tuple(
        replace(
            model,
            number=i,
            folio=f"3X1-2026-32020-{i:04d}",
            name="Pavimentación con concreto hidráulico de la calle Niños Héroes " * 2,
            conditions="Presentar el expediente técnico y el permiso de construcción antes de la firma. " * 3,
            ruling="aprobado" if i % 2 else "devuelto",
            cost=99_999_999_99,
            shares=(PartyAmount("club", 49_999_999_99), PartyAmount("federal", 50_000_000_00)),
        )
        for i in range(1, 81)
    )
    attendees = tuple(Attendee(p, f"Persona Ñúñez {p}", "Cargo de representación") for p in ATTENDEE_ORDER)
    big = replace(
        data,
        agenda=agenda,
        attendees=attendees,
        approved=(PartyAmount("club", 40 * 49_999_999_99), PartyAmount("federal", 40 * 50_000_000_00)),
    )
    out = tmp_path / "larga.pdf"
    pages = render_session_minutes(big, out)
    _reader, texts = check_common(out, pages)
    assert pages > 4
    whole = " ".join(texts)
    for p in agenda:
        assert p.folio in whole
    assert es(40 * 99_999_999_99) in whole
    assert all(f"Persona Ñúñez {p}" in whole for p in ATTENDEE_ORDER)


def test_an_empty_session_still_prints(demo_db, mixed_session, tmp_path):
    data = build_session_minutes(demo_db, mixed_session, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    empty = replace(data, agenda=(), attendees=(), approved=(), held_on=date(2026, 1, 5))
    out = tmp_path / "vacia.pdf"
    assert render_session_minutes(empty, out) == 1
    _reader, texts = check_common(out, 1)
    assert ES("The agenda was empty.") in texts[0] and ES("No attendees were recorded.") in texts[0]


def test_write_report_and_cli(demo_file, demo_db, mixed_session, tmp_path):
    out = tmp_path / "via-registro.pdf"
    result = write_report(
        demo_db, "session", out, session_id=mixed_session, printed_by=PRINTED_BY, printed_at=PRINTED_AT
    )
    assert result.pages == len(PdfReader(str(out)).pages)
    cli_out = tmp_path / "x.pdf"
    status, stdout, err = run(
        "--db", str(demo_file), "report", "session", "--session", str(mixed_session), "-o", str(cli_out)
    )
    assert (status, err) == (0, "") and str(cli_out) in stdout
    number = get_session(demo_db, mixed_session).number
    _reader, texts = check_common_cli(cli_out)
    assert number in texts[0]
    # The number the officer reads in the COVAM view and on the minutes picks the same session.
    by_number = tmp_path / "by_number.pdf"
    status, _out, err = run(
        "--db", str(demo_file), "report", "session", "--session", number.lower(), "-o", str(by_number)
    )
    assert (status, err) == (0, "")
    assert number in check_common_cli(by_number)[1][0]
    # Refusals name what is wrong: no session, an unknown one, an option it does not use.
    status, _out, err = run("--lang", "en", "--db", str(demo_file), "report", "session", "-o", str(cli_out))
    assert status == 2 and "--session" in err
    status, _out, err = run(
        "--lang",
        "en",
        "--db",
        str(demo_file),
        "report",
        "session",
        "--session",
        "999999",
        "-o",
        str(tmp_path / "no.pdf"),
    )
    assert status == 2 and "999999" in err and not (tmp_path / "no.pdf").exists()
    assert "no COVAM session numbered" in err
    status, _out, err = run(
        "--lang",
        "en",
        "--db",
        str(demo_file),
        "report",
        "session",
        "--session",
        str(mixed_session),
        "--project",
        "X",
        "-o",
        str(tmp_path / "no.pdf"),
    )
    assert status == 2 and "does not use --project" in err


def check_common_cli(path):
    """Page numbering and placement of a PDF written by the CLI (printed by whoever runs the tests)."""
    from tests.reports.conftest import pdf_text

    reader, texts = pdf_text(path)
    for number, page_text in enumerate(texts, start=1):
        assert f"Página {number} de {len(texts)}" in page_text
    assert_text_inside(reader)
    return reader, texts


def test_approved_money_matches_every_session(demo_db):
    """Across all the demo's sessions the builder's approved money is the tables' to the centavo."""
    with demo_db.engine.connect() as conn:
        ids = [int(i) for i in conn.execute(text("SELECT id FROM covam_sessions ORDER BY id")).scalars()]
    assert ids
    totals: dict[str, int] = defaultdict(int)
    for session_id in ids:
        data = build_session_minutes(demo_db, session_id, printed_by="")
        got = {a.party: a.amount for a in data.approved}
        assert got == approved_by_sql(demo_db, session_id)
        for party, amount in got.items():
            totals[party] += amount
    assert sum(totals.values()) > 0
