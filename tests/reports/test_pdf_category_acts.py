"""Read back the acts that differ by category, and the cédula de validación técnica.

Scholarships end with the acta de entrega de becas (each student, level and amount) and a receipt
per student; productive projects with the acta de entrega de bienes (goods and families); works keep
the hand-over of the works. Expected values come from other services (the padrón, the rules, the
goals, the scorings), never from the builders.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, pdf_text
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.problems import InputError
from tresxuno.domain.words import amount_in_words
from tresxuno.i18n import set_language
from tresxuno.services.beneficiaries import list_beneficiaries, padron_level_amounts
from tresxuno.services.goals import goals_of
from tresxuno.services.officials import list_officials
from tresxuno.services.reporting.run import write_report
from tresxuno.services.technical_validation import criteria_for_year, validations_of


def es(centavos: int) -> str:
    return format_money(Money(centavos), "es")


def one(db, sql: str) -> int:
    with db.engine.connect() as conn:
        found = conn.execute(text(sql)).scalar()
    assert found is not None, sql
    return int(found)


def scholarship_project(db) -> int:
    return one(
        db,
        "SELECT p.id FROM projects p WHERE p.category = 'scholarships' AND p.program = '3x1' "
        "AND p.stage IN ('terminado', 'cerrado') AND EXISTS "
        "(SELECT 1 FROM project_beneficiaries b WHERE b.project_id = p.id) ORDER BY p.id LIMIT 1",
    )


def productive_project(db) -> int:
    return one(
        db,
        "SELECT p.id FROM projects p WHERE p.category LIKE 'productive%' AND p.stage IN ('terminado', 'cerrado') "
        "AND EXISTS (SELECT 1 FROM project_beneficiaries b WHERE b.project_id = p.id) "
        "AND EXISTS (SELECT 1 FROM project_goals g WHERE g.project_id = p.id) ORDER BY p.id LIMIT 1",
    )


def print_pdf(db, kind: str, project_id: int, path, lang: str = "es"):
    set_language(lang)
    try:
        result = write_report(
            db, kind, path, project_id=project_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT
        )
    finally:
        set_language("es")
    _reader, texts = pdf_text(path)
    assert result.pages == len(texts)
    return texts


def test_the_scholarship_act_lists_every_student_with_the_amount_of_their_level(demo_db, tmp_path):
    pid = scholarship_project(demo_db)
    amounts = padron_level_amounts(demo_db, pid)
    students = list_beneficiaries(demo_db, pid)
    assert amounts and students and all(s.school_level in amounts for s in students)
    texts = print_pdf(demo_db, "handover", pid, tmp_path / "becas.pdf")
    whole = " ".join(texts)
    assert "Acta de entrega de becas" in texts[0]
    assert "Hand-over" not in whole and "entrega-recepción de la obra" not in whole.lower()
    assert "inicio de los trabajos" not in whole.lower() and "Avance físico" not in whole
    for s in students:
        assert s.curp in whole and s.first_surname in whole
    total = sum(amounts[s.school_level] for s in students)
    assert es(total) in whole and amount_in_words(Money(total)) in whole
    for level, n in Counter(s.school_level for s in students).items():
        assert es(n * amounts[level]) in whole  # the subtotal of each level


def test_each_student_gets_a_receipt_page_with_the_amount_in_words(demo_db, tmp_path):
    pid = scholarship_project(demo_db)
    amounts = padron_level_amounts(demo_db, pid)
    students = list_beneficiaries(demo_db, pid)
    texts = print_pdf(demo_db, "scholarship_receipts", pid, tmp_path / "recibos.pdf")
    assert len(texts) == len(students)
    for page in texts:
        assert "Recibo de beca" in page and "Recibí del Municipio de" in page
    for s in students:
        page = next(t for t in texts if s.curp in t)
        assert es(amounts[s.school_level]) in page and amount_in_words(Money(amounts[s.school_level])) in page
    numbers = sorted(int(t.split("-B")[1][:4]) for t in texts)
    assert numbers == list(range(1, len(students) + 1))  # consecutive, no gaps


def test_the_goods_act_lists_goods_and_the_families_who_sign(demo_db, tmp_path):
    pid = productive_project(demo_db)
    texts = print_pdf(demo_db, "handover", pid, tmp_path / "bienes.pdf")
    whole = " ".join(texts)
    assert "Acta de entrega de bienes" in texts[0] and "Bienes entregados" in whole
    for goal in goals_of(demo_db, pid):
        assert goal.description in whole and goal.quantity_text in whole and goal.unit in whole
    families = list_beneficiaries(demo_db, pid)
    for person in families:
        assert person.given_names in whole and person.first_surname in whole
    assert "Recibí los bienes" in whole
    assert "Obra" not in whole.split("Folio")[0]  # no works hand-over wording in its heading


def test_acts_need_the_role_that_sees_the_padron_and_works_keep_their_handover(demo_copy, tmp_path):
    demo_db = demo_copy
    create_demo_users(demo_db)
    pid = scholarship_project(demo_db)
    with acting_as(Actor("tesoreria", "tesoreria")), pytest.raises(InputError) as exc:
        write_report(demo_db, "handover", tmp_path / "x.pdf", project_id=pid, printed_by=PRINTED_BY)
    assert exc.value.problems[0].code == "auth.role_required" and not (tmp_path / "x.pdf").exists()
    works = one(
        demo_db,
        "SELECT p.id FROM projects p WHERE p.category = 'infrastructure' AND p.stage = 'terminado' "
        "AND EXISTS (SELECT 1 FROM project_progress r WHERE r.project_id = p.id AND r.percent_tenths = 1000) "
        "ORDER BY p.id LIMIT 1",
    )
    with acting_as(Actor("admin", "administrador")), pytest.raises(InputError) as exc:
        write_report(
            demo_db, "scholarship_receipts", tmp_path / "y.pdf", project_id=works, printed_by=PRINTED_BY
        )
    assert exc.value.problems[0].code == "report.receipts_not_scholarships"
    with acting_as(Actor("tesoreria", "tesoreria")):
        texts = print_pdf(demo_db, "handover", works, tmp_path / "obra.pdf")
    assert "Entrega-recepción" in texts[0] or "entrega-recepción" in texts[0].lower()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_validation_sheet_prints_each_criterion_the_total_and_who_signs(demo_db, tmp_path, lang):
    pid = one(demo_db, "SELECT project_id FROM technical_validations ORDER BY project_id LIMIT 1")
    latest = validations_of(demo_db, pid)[-1]
    texts = print_pdf(demo_db, "validation", pid, tmp_path / f"cedula-{lang}.pdf", lang)
    whole = " ".join(texts)
    flat = whole.replace(" ", "")
    assert ("Cédula de validación técnica" if lang == "es" else "Technical validation sheet") in texts[0]
    for c in latest.criteria.criteria:
        label = c.label_es if lang == "es" else c.label_en
        assert label.replace(" ", "")[:40] in flat
    assert latest.validator_name in whole
    v = latest.verdict
    assert f"{v.points} de {v.total}" in whole if lang == "es" else f"{v.points} of {v.total}" in whole
    verdict_word = (
        ("TÉCNICAMENTE VÁLIDO" if v.valid else "NO VÁLIDO")
        if lang == "es"
        else ("TECHNICALLY VALID" if v.valid else "NOT VALID")
    )
    assert verdict_word in whole
    delegates = [
        o for o in list_officials(demo_db) if o.post == "delegado_federal" and o.holds_on(latest.validated_on)
    ]
    assert delegates and delegates[0].person_name in whole
    assert criteria_for_year(2018).passing > 0


def test_a_project_never_scored_has_no_sheet(demo_db, tmp_path):
    pid = one(
        demo_db,
        "SELECT id FROM projects WHERE id NOT IN (SELECT project_id FROM technical_validations) ORDER BY id LIMIT 1",
    )
    with pytest.raises(InputError) as exc:
        write_report(demo_db, "validation", tmp_path / "z.pdf", project_id=pid, printed_by=PRINTED_BY)
    assert exc.value.problems[0].code == "report.no_validation" and not (tmp_path / "z.pdf").exists()


@pytest.mark.parametrize("kind", ["project", "statement"])
def test_a_project_of_another_municipality_says_so_under_the_letterhead(demo_db, tmp_path, kind):
    """The office that prints signs: a project outside its municipality is named as such on every page."""
    from tresxuno.services.office import office_settings

    office_key = office_settings(demo_db).municipality_key
    assert office_key
    outside = one(
        demo_db,
        f"SELECT id FROM projects WHERE municipality_key <> '{office_key}' ORDER BY id LIMIT 1",
    )
    inside = one(
        demo_db,
        f"SELECT id FROM projects WHERE municipality_key = '{office_key}' ORDER BY id LIMIT 1",
    )
    far = print_pdf(demo_db, kind, outside, tmp_path / "far.pdf")
    near = print_pdf(demo_db, kind, inside, tmp_path / "near.pdf")
    assert all("fuera del municipio de esta oficina" in page for page in far)
    assert not any("fuera del municipio" in page for page in near)


def test_the_convenio_of_scholarships_and_of_goods_speaks_of_them_not_of_works(demo_db, tmp_path):
    becas = " ".join(print_pdf(demo_db, "agreement", scholarship_project(demo_db), tmp_path / "cb.pdf"))
    bienes = " ".join(print_pdf(demo_db, "agreement", productive_project(demo_db), tmp_path / "cg.pdf"))
    for words, act in ((becas, "acta de entrega de becas"), (bienes, "acta de entrega de bienes")):
        assert act in words and "ejecutor del proyecto" in words
        assert " obra" not in words.lower() and "entrega-recepción" not in words
    assert "recibo firmado por el estudiante" in becas and "normativa de adquisiciones" in bienes


def test_the_acts_and_receipts_print_in_english_too(demo_db, tmp_path):
    becas = scholarship_project(demo_db)
    act = " ".join(print_pdf(demo_db, "handover", becas, tmp_path / "b.pdf", "en"))
    assert "Delivery of scholarships" in act and "Students and their scholarships" in act
    assert "Scholarships by school level" in act and "Primary school" in act
    receipts = print_pdf(demo_db, "scholarship_receipts", becas, tmp_path / "r.pdf", "en")
    assert all(
        "Scholarship receipt" in page and "I received from the Municipality of" in page for page in receipts
    )
    goods = " ".join(print_pdf(demo_db, "handover", productive_project(demo_db), tmp_path / "g.pdf", "en"))
    assert "Delivery of goods" in goods and "Goods delivered" in goods and "Received the goods" in goods
