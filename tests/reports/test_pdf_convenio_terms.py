"""The convenio a committee signs: declarations, legal basis, account, goals, calendar, clauses (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, assert_text_inside, pdf_text
from tresxuno.db.engine import Database
from tresxuno.db.repos.settings import OFFICE_MUNICIPALITY, SettingsRepository
from tresxuno.domain import limits
from tresxuno.domain.clabe import clabe_control_digit
from tresxuno.domain.convenio import CONTRATO, MAX_BANK, MAX_DOMICILE, ConvenioTerms, PartyDeclaration
from tresxuno.domain.goals import MAX_DESCRIPTION, MAX_QUANTITY_MILLI, MAX_UNIT, Goal
from tresxuno.domain.problems import InputError
from tresxuno.domain.validation import MAX_BENEFICIARIES
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.reports.pdf.agreement import render_agreement
from tresxuno.services.convenio_terms import office_declarations, save_declarations, set_convenio_terms
from tresxuno.services.goals import goals_of, set_project_goals
from tresxuno.services.office import set_office_rfc
from tresxuno.services.reporting.agreement import build_agreement

VALID_CLABE = "032180000118359719"  # Banco del Bajío's published example; control digit 9


def _one(db: Database, sql: str) -> int:
    with db.engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    assert value is not None, "demo data changed"
    return int(value)


def _project_2018(db: Database) -> int:
    """A 3x1 project of 2018 past its convenio: its rules cite the ROP with a DOF date (28/12/2017)."""
    return _one(
        db,
        "SELECT id FROM projects WHERE program = '3x1' AND fiscal_year = 2018 "
        "AND stage IN ('convenio_firmado', 'en_ejecucion', 'terminado', 'cerrado') ORDER BY id LIMIT 1",
    )


def _partner_project(db: Database) -> int:
    return _one(
        db,
        "SELECT project_id FROM project_shares WHERE party = 'partner' AND amount > 0 ORDER BY project_id LIMIT 1",
    )


def _render(db: Database, project_id: int, out: Path) -> str:
    data = build_agreement(db, project_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    render_agreement(data, out)
    reader, texts = pdf_text(out)
    assert_text_inside(reader)
    return re.sub(r"\s+", " ", " ".join(texts))


def _as_office_municipality(db: Database, project_id: int) -> None:
    """Make the project's municipality the office's, so the office's declaration is the municipality's."""
    key = _one(db, f"SELECT municipality_key FROM projects WHERE id = {project_id}")
    with db.transaction() as session:
        SettingsRepository.set(session, OFFICE_MUNICIPALITY, f"{key:05d}")
    set_office_rfc(db, "MJZ850101AB8")  # the municipality's RFC, which its declaration prints


@pytest.mark.parametrize("lang", ["es", "en"])
def test_convenio_of_a_2018_project_is_complete(demo_copy, tmp_path, lang):
    pid = _project_2018(demo_copy)
    _as_office_municipality(demo_copy, pid)
    set_convenio_terms(
        demo_copy,
        pid,
        ConvenioTerms(
            clabe="0321 8000 0118 3597 19",  # written in groups, as on a bank statement
            bank="BanBajío",
            account_holder="Tesorería Municipal",
            modality=CONTRATO,
            contractor_name="Constructora Ejemplo, S.A. de C.V.",
            contractor_rfc="GODE561231GR8",
        ),
    )
    set_project_goals(demo_copy, pid, [Goal("Pavimentación de calle", 350_500, "metros cuadrados", 420)])
    declarations = office_declarations(demo_copy)
    set_language(lang)
    body = _render(demo_copy, pid, tmp_path / f"convenio-{lang}.pdf")

    # Declarations: each government's RFC (the municipality's is the office's RFC), and the club's.
    assert ("DECLARACIONES" if lang == "es" else "DECLARATIONS") in body
    for party in ("municipal", "state", "federal"):
        assert declarations[party].rfc and declarations[party].rfc in body
        assert declarations[party].representative in body
    assert "mesa directiva" in body
    # Legal basis: the law and the fiscal year's Reglas de Operación with their DOF date.
    assert "Ley General de Desarrollo Social" in body
    assert "Reglas de Operación del Programa 3x1 para Migrantes para el ejercicio fiscal 2018" in body
    assert "DOF 28/12/2017" in body
    # Bank account, goals, modality and contractor.
    assert VALID_CLABE in body and "BanBajío" in body
    assert "Pavimentación de calle" in body and "350.5" in body and "metros cuadrados" in body
    assert "GODE561231GR8" in body and "Constructora Ejemplo" in body
    # Calendar of ministraciones: each party's tranches, on signing and at 50 % progress by default.
    assert ("Calendario de ministraciones" if lang == "es" else "Calendar of ministraciones") in body
    assert ("A la firma del convenio" if lang == "es" else "On signing the convenio") in body
    # Contraloría social; refunds within the first 15 days of January of the next year.
    assert "contraloría social" in body
    # (money unspent at 31 December is refunded by 15 January, not by 31 December)
    if lang == "es":
        assert re.search(
            r"reintegrarán[^.]*primeros 15 días naturales de enero[^.]*a más tardar el 15 de enero de 2019",
            body,
        )
    else:
        assert re.search(r"refunded[^.]*first 15 days of January[^.]*no later than January 15, 2019", body)
    # Amounts in words in capitals, and percentages to exactly 100.00 %.
    assert re.search(r"\([A-ZÁÉÍÓÚÑ ]+ PESOS \d\d/100 M\.N\.\)", body)
    assert "100.00 %" in body and "100.01 %" not in body
    assert ("del Programa 3x1" if lang == "es" else "the 3x1 Program") in body


@pytest.mark.parametrize("lang", ["es", "en"])
def test_partner_signs_with_its_name_and_the_initiative_takes_its_article(demo_db, tmp_path, lang):
    pid = _partner_project(demo_db)  # a 4x1 "Iniciativa Ciudadana" project; the demo names the partner
    set_language(lang)
    body = _render(demo_db, pid, tmp_path / f"partner-{lang}.pdf")
    assert "del Iniciativa" not in body
    if lang == "es":
        assert "de la Iniciativa Ciudadana 4x1" in body
    tail = body[body.rindex("Por Western Union" if lang == "es" else "For Western Union") - 200 :]
    assert "Lic. Patricia Arellano Soto" in tail  # the partner's representative signs
    assert "El socio ____" not in body and "partner ____" not in body


def test_an_invalid_clabe_is_refused_with_its_control_digit(demo_copy):
    pid = _project_2018(demo_copy)
    with pytest.raises(InputError) as caught:
        set_convenio_terms(demo_copy, pid, ConvenioTerms(clabe="032180000118359711"))
    problem = caught.value.problems[0]
    assert problem.code == "clabe.check_digit" and problem.field == "clabe"
    sentence = describe(problem)
    assert "032180000118359711" in sentence and "9" in sentence and "CLABE" in sentence
    with pytest.raises(InputError) as caught:
        set_convenio_terms(demo_copy, pid, ConvenioTerms(clabe="03218000011835971"))
    assert caught.value.problems[0].code == "clabe.format"


def test_the_longest_text_of_every_new_field_still_renders(demo_copy, tmp_path):
    pid = _partner_project(demo_copy)
    _as_office_municipality(demo_copy, pid)

    def long(marker: str, size: int) -> str:
        words = ("Palabra " * size)[: size - len(marker) - 1]
        return f"{words.rstrip()} {marker}"[:size].rjust(size, "x")

    first17 = "01218000011835971"
    clabe = first17 + clabe_control_digit(first17)
    set_convenio_terms(
        demo_copy,
        pid,
        ConvenioTerms(
            clabe=clabe,
            bank=long("FINBANCO", MAX_BANK),
            account_holder=long("FINTITULAR", limits.NAME),
            modality=CONTRATO,
            contractor_name=long("FINCONTRATISTA", limits.NAME),
            contractor_rfc="GODE561231GR8",
            partner_name=long("FINSOCIO", limits.NAME),
            partner_representative=long("FINREPSOCIO", limits.NAME),
            partner_rfc="GODE561231GR8",
            partner_domicile=long("FINDOMSOCIO", MAX_DOMICILE),
        ),
    )
    save_declarations(
        demo_copy,
        [
            PartyDeclaration(
                p,
                long(f"FINREP{p.upper()}", limits.NAME),
                long(f"FINCARGO{p.upper()}", limits.SHORT),
                long(f"FINDOM{p.upper()}", MAX_DOMICILE),
            )
            for p in ("municipal", "state", "federal")
        ],
    )
    goals = [
        Goal(
            long(f"FINMETA{i}", MAX_DESCRIPTION),
            MAX_QUANTITY_MILLI,
            long(f"U{i}", MAX_UNIT),
            MAX_BENEFICIARIES,
        )
        for i in range(3)
    ]
    set_project_goals(demo_copy, pid, goals)
    assert len(goals_of(demo_copy, pid)) == 3
    body = _render(demo_copy, pid, tmp_path / "long.pdf").replace(" ", "")
    for marker in (
        "FINBANCO",
        "FINTITULAR",
        "FINCONTRATISTA",
        "FINSOCIO",
        "FINREPSOCIO",
        "FINDOMSOCIO",
        "FINREPMUNICIPAL",
        "FINDOMSTATE",
        "FINCARGOFEDERAL",
        "FINMETA2",
        "U2",
        f"{MAX_BENEFICIARIES:,}",
        f"{MAX_QUANTITY_MILLI // 1000:,}",
    ):
        assert marker in body, marker
