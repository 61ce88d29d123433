"""The hand-over of finished works (acta de entrega-recepción) from the demo database, read back with pypdf.

The act must carry the works, its place, club and dates from the stage history, the final progress,
each party's money equal to the ledger's balance to the centavo (totals in figures and their words),
a signature block for every party and the community committee, and be refused for unfinished works.
"""

from __future__ import annotations

import dataclasses

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, pdf_text
from tests.reports.test_pdf_cli import run
from tests.reports.test_pdf_reports import check_common, es
from tresxuno.domain.money import Money
from tresxuno.domain.problems import InputError
from tresxuno.domain.words import amount_in_words
from tresxuno.i18n import set_language
from tresxuno.reports.data import PartyMoney
from tresxuno.reports.pdf.fmt import translator
from tresxuno.reports.pdf.handover import render_handover
from tresxuno.services.ledger import project_balance
from tresxuno.services.projects import project_overview
from tresxuno.services.reporting.handover import FINISHED_STAGES, build_handover
from tresxuno.services.reporting.run import write_report
from tresxuno.services.social_committees import committee_of
from tresxuno.services.works import progress_history

#: Spanish of the texts this report adds (from the catalogue, as the renderer gets them).
ES = translator("es")


def _first(db, sql: str) -> int:
    with db.engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    assert value is not None, "demo data changed"
    return int(value)


@pytest.fixture
def finished_partner(demo_db) -> int:
    """A finished (or closed) project with a partner's share and ledger entries."""
    return _first(
        demo_db,
        "SELECT p.id FROM projects p JOIN project_shares s ON s.project_id = p.id "
        "WHERE p.stage IN ('terminado', 'cerrado') AND s.party = 'partner' AND s.amount > 0 "
        "AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.project_id = p.id) ORDER BY p.id LIMIT 1",
    )


@pytest.fixture
def finished(demo_db) -> int:
    """A project in stage terminado (handed over, not closed yet) with payments."""
    return _first(
        demo_db,
        "SELECT p.id FROM projects p WHERE p.stage = 'terminado' AND EXISTS "
        "(SELECT 1 FROM ledger_entries e WHERE e.project_id = p.id AND e.kind = 'payment') "
        "ORDER BY p.id LIMIT 1",
    )


@pytest.fixture
def running(demo_db) -> int:
    """A project whose works are still running."""
    return _first(demo_db, "SELECT id FROM projects WHERE stage = 'en_ejecucion' ORDER BY id LIMIT 1")


def test_builder_takes_dates_progress_and_money_from_the_records(demo_db, finished):
    data = build_handover(demo_db, finished, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    overview = project_overview(demo_db, finished)
    moves = {s.to_stage: s.changed_at.date() for s in overview.history}
    assert data.signed_on == moves["convenio_firmado"]
    assert data.started_on == moves["en_ejecucion"]
    assert data.finished_on == moves["terminado"]
    assert data.signed_on <= data.started_on <= data.finished_on
    last = progress_history(demo_db, finished)[-1]
    assert (data.progress_tenths, data.progress_on) == (last.percent_tenths, last.reported_on)
    balance = project_balance(demo_db, finished)
    assert sum(m.approved for m in data.money) == balance.approved
    assert sum(m.received for m in data.money) == balance.received
    assert sum(m.paid for m in data.money) == balance.paid
    assert data.cash == balance.cash
    for m in data.money:
        line = balance.party(m.party)
        assert (m.approved, m.received, m.paid) == (line.approved, line.received, line.paid)
    assert [s.party for s in data.signatories][:1] == ["municipal"]
    assert "club" in {s.party for s in data.signatories}
    # The contraloría social committee recorded for the works signs, by name and position.
    recorded = committee_of(demo_db, finished)
    assert recorded is not None
    roles = {"presidente": "president", "secretario": "secretary", "vocal": "member"}
    assert [(c.role, c.name) for c in data.committee] == [
        (roles[m.position], m.name) for m in recorded.members
    ]


@pytest.mark.parametrize("stage", ["en_ejecucion", "aprobado", "cancelado", "borrador"])
def test_unfinished_works_are_refused(demo_db, stage):
    project = _first(demo_db, f"SELECT id FROM projects WHERE stage = '{stage}' ORDER BY id LIMIT 1")
    assert stage not in FINISHED_STAGES
    with pytest.raises(InputError) as caught:
        build_handover(demo_db, project, printed_by=PRINTED_BY)
    problem = caught.value.problems[0]
    assert problem.code == "report.handover_not_finished"
    assert problem.params["stage"] == stage


def test_handover_prints_the_works_money_in_words_and_every_signature(demo_db, finished_partner, tmp_path):
    data = build_handover(demo_db, finished_partner, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert [s.party for s in data.signatories] == ["municipal", "state", "federal", "club", "partner"]
    out = tmp_path / "entrega.pdf"
    pages = render_handover(data, out)
    reader, texts = check_common(out, pages)
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # portrait
    whole = " ".join(texts)
    p = data.project
    assert ES("Hand-over of the works") in texts[0] and p.folio in texts[0]
    assert p.name in whole and p.locality in whole and data.club.name in whole
    # Per party, then totals: the ledger's figures, the totals also in the words of those figures.
    balance = project_balance(demo_db, finished_partner)
    for m in data.money:
        assert f"{es(m.approved)} {es(m.received)} {es(m.paid)}" in whole
    assert f"{es(balance.approved)} {es(balance.received)} {es(balance.paid)}" in whole
    for amount in (balance.approved, balance.received, balance.paid):
        assert f"{es(amount)} {amount_in_words(Money(amount))}" in whole
    # The statement says what was paid, in figures and words, and when the works ran.
    assert f"{es(balance.paid)} ({amount_in_words(Money(balance.paid))})" in whole
    assert "100.0 %" in whole
    # A block for each party and each officer of the community committee.
    assert "Presidente municipal" in whole and ", socio" in whole  # the partner signs by its name
    for role in ("President", "Secretary"):
        assert ES(f"{role} of the community committee") in whole
    members = committee_of(demo_db, finished_partner).members
    for member in members:
        assert member.name in whole
    assert whole.count(ES("For the community of {place}").format(place=p.locality)) == len(members)


def test_handover_in_english(demo_db, finished, tmp_path):
    set_language("en")
    data = build_handover(demo_db, finished, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    out = tmp_path / "handover.pdf"
    render_handover(data, out)
    reader = PdfReader(str(out))
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    whole = " ".join(texts)
    assert "Hand-over of the works" in texts[0] and f"Page 1 of {len(reader.pages)}" in texts[0]
    assert "Community committee" in whole and "President of the community committee" in whole
    assert "Final physical progress" in whole and "Money per party" in whole
    balance = project_balance(demo_db, finished)
    from tresxuno.domain.money import format_money

    assert format_money(Money(balance.paid), "en") in whole
    assert "Página" not in whole
    assert_text_inside(reader)


def test_write_report_and_cli(demo_file, demo_db, finished, running, tmp_path):
    folio = project_overview(demo_db, finished).detail.folio
    out = tmp_path / "registro.pdf"
    result = write_report(demo_db, "handover", out, folio=folio, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert result.pages == len(PdfReader(str(out)).pages)
    cli_out = tmp_path / "x.pdf"
    status, stdout, err = run(
        "--db", str(demo_file), "report", "handover", "--project", folio, "-o", str(cli_out)
    )
    assert (status, err) == (0, "") and str(cli_out) in stdout
    reader, texts = pdf_text(cli_out)
    assert folio in texts[0] and f"Página 1 de {len(reader.pages)}" in texts[0]
    assert_text_inside(reader)
    # Works still running: refused with the reason, and no file.
    busy = project_overview(demo_db, running).detail.folio
    status, _out, err = run(
        "--lang",
        "en",
        "--db",
        str(demo_file),
        "report",
        "handover",
        "--project",
        busy,
        "-o",
        str(tmp_path / "no.pdf"),
    )
    assert status == 2 and busy in err and "finished works" in err
    assert not (tmp_path / "no.pdf").exists()
    status, _out, err = run("--lang", "en", "--db", str(demo_file), "report", "handover", "-o", str(cli_out))
    assert status == 2 and "--project" in err


def _close(party: str, approved: int, received: int, paid: int, refunded: int = 0) -> PartyMoney:
    return PartyMoney(
        party,
        approved,
        received,
        max(0, approved - received),
        paid,
        refunded,
        received - paid - refunded,
        over_received=max(0, received - approved),
    )


def test_handover_states_the_financial_close_and_claims_conformity_only_when_the_figures_show_it(
    demo_db, finished, tmp_path
):
    data = build_handover(demo_db, finished, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    conform = "hacen constar que se realizó conforme a lo aprobado por el COVAM"
    # Under-spent: 90,000.00 paid of 100,000.00 approved, 5,000.00 refunded to the club.
    short = (
        _close("municipal", 5_000_000, 5_000_000, 4_500_000),
        _close("club", 5_000_000, 5_000_000, 4_500_000, 500_000),
    )
    data = dataclasses.replace(data, money=short, cash=500_000, progress_tenths=1000)
    out = tmp_path / "short.pdf"
    render_handover(data, out)
    whole = " ".join(pdf_text(out)[1])
    assert "100.0 %" in whole
    assert conform not in whole and "conforme a lo aprobado" not in whole
    assert "hacen constar el avance físico alcanzado" in whole
    assert f"Se ejerció {es(1_000_000)} ({amount_in_words(Money(1_000_000))}) menos de lo aprobado." in whole
    # Per party: approved, deposited, paid, refunded, available; and the totals.
    assert f"{es(5_000_000)} {es(5_000_000)} {es(4_500_000)} {es(500_000)} {es(0)}" in whole
    assert f"{es(10_000_000)} {es(10_000_000)} {es(9_000_000)} {es(500_000)} {es(500_000)}" in whole
    assert f"{es(500_000)} {amount_in_words(Money(500_000))}" in whole  # refunded in words
    # Exercised exactly what was approved at 100 %: then, and only then, conformity is stated.
    exact = (
        _close("municipal", 5_000_000, 5_000_000, 5_000_000),
        _close("club", 5_000_000, 5_000_000, 5_000_000),
    )
    out = tmp_path / "exact.pdf"
    render_handover(dataclasses.replace(data, money=exact, cash=0), out)
    whole = " ".join(pdf_text(out)[1])
    assert conform in whole and ES("The amount exercised equals the amount approved.") in whole
    # Below 100 % progress the same figures do not support conformity.
    out = tmp_path / "partial.pdf"
    render_handover(dataclasses.replace(data, money=exact, cash=0, progress_tenths=950), out)
    whole = " ".join(pdf_text(out)[1])
    assert conform not in whole and "95.0 %" in whole
