"""The contraloría social committee's documents, read back: members, money watched, questions, signatures."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, pdf_text
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.problems import InputError
from tresxuno.i18n import language, set_language
from tresxuno.services.reporting.run import write_report
from tresxuno.services.social_committees import committee_of


def _project_with_filings(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT c.project_id FROM social_committees c JOIN social_committee_records r "
                "ON r.committee_id = c.id JOIN projects p ON p.id = c.project_id "
                "WHERE p.stage IN ('terminado', 'cerrado') ORDER BY c.project_id LIMIT 1"
            )
        ).scalar_one()


def _shares(db, project_id: int) -> dict[str, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT party, amount FROM project_shares WHERE project_id = :p AND amount > 0"),
            {"p": project_id},
        )
        return dict(rows.all())


def _write(db, kind: str, project_id: int, path, lang: str):
    previous = language()
    set_language(lang)
    try:
        write_report(db, kind, path, project_id=project_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    finally:
        set_language(previous)
    return pdf_text(path)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_constitution_act_names_every_member_the_money_watched_and_what_was_filed(
    demo_db, tmp_path, lang
):
    pid = _project_with_filings(demo_db)
    committee = committee_of(demo_db, pid)
    assert committee is not None
    reader, pages = _write(demo_db, "committee", pid, tmp_path / "acta.pdf", lang)
    assert_text_inside(reader)
    words = " ".join(" ".join(pages).split())
    for member in committee.members:
        assert member.name in words
    president = "Presidente" if lang == "es" else "President"
    assert president in words
    for amount in _shares(demo_db, pid).values():
        assert format_money(Money(amount), lang) in words
    assert format_money(Money(sum(_shares(demo_db, pid).values())), lang) in words
    for filing in committee.records:
        assert filing.summary[:40] in words
    assert ("Anexo" if lang == "es" else "Annex") in words
    assert "artículos 69 a 71" in words if lang == "es" else "articles 69 to 71" in words


def test_the_report_form_asks_the_questions_with_boxes_to_tick(demo_db, tmp_path):
    pid = _project_with_filings(demo_db)
    reader, pages = _write(demo_db, "committee_report", pid, tmp_path / "informe.pdf", "es")
    assert_text_inside(reader)
    words = " ".join(" ".join(pages).split())
    assert words.count("☐ Sí") == 6 and words.count("☐ No") == 6
    assert "letrero" in words and "Ley General de Desarrollo Social" in words
    for member in committee_of(demo_db, pid).members:
        assert member.name in words


def test_the_hand_over_is_signed_by_the_recorded_committee(demo_db, tmp_path):
    pid = _project_with_filings(demo_db)
    _reader, pages = _write(demo_db, "handover", pid, tmp_path / "entrega.pdf", "es")
    words = " ".join(" ".join(pages).split())
    for member in committee_of(demo_db, pid).members:
        assert member.name in words


def test_a_project_without_a_committee_gets_the_reason_not_blank_names(demo_db, tmp_path):
    with demo_db.engine.connect() as conn:
        pid = conn.execute(
            text(
                "SELECT p.id FROM projects p LEFT JOIN social_committees c ON c.project_id = p.id "
                "WHERE c.id IS NULL ORDER BY p.id LIMIT 1"
            )
        ).scalar_one()
    with pytest.raises(InputError) as exc:
        write_report(demo_db, "committee", tmp_path / "x.pdf", project_id=pid)
    assert exc.value.problems[0].code == "committee.missing"
    assert not (tmp_path / "x.pdf").exists()
