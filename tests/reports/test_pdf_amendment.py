"""The convenio and the cédula print the amended amounts and say which convenio modificatorio set them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, pdf_text
from tests.services.test_ledger import COST, SHARE, new_club, signed_project
from tresxuno.db.engine import open_database
from tresxuno.domain.amendments import AmendmentInput
from tresxuno.domain.money import Money, format_money
from tresxuno.domain.words import amount_in_words
from tresxuno.i18n import set_language
from tresxuno.reports.pdf.agreement import render_agreement
from tresxuno.reports.pdf.project import render_project_sheet
from tresxuno.services.amendments import amend_project
from tresxuno.services.reporting.agreement import build_agreement
from tresxuno.services.reporting.project import build_project_sheet

NEW_COST = COST - 40_000_000  # 3,600,000.00: four shares of 900,000.00


def es(centavos: int) -> str:
    return format_money(Money(centavos), "es")


@pytest.fixture
def amended(tmp_path):
    set_language("es")
    db = open_database(str(tmp_path / "oficina.sqlite"))
    project = signed_project(db, tmp_path, club_id=new_club(db).id)
    data = AmendmentInput(
        NEW_COST, date.today(), "Reducción de metas por ajuste presupuestal", "Ing. Rosa Ávila", "CM-07/2026"
    )
    amend_project(db, project.id, data)
    yield db, project.id
    db.dispose()


def _whole(path) -> str:
    return " ".join(" ".join(pdf_text(path)[1]).split())


def test_the_convenio_prints_the_amended_amounts_and_the_amendment(amended, tmp_path):
    db, project_id = amended
    out = tmp_path / "convenio.pdf"
    render_agreement(build_agreement(db, project_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT), out)
    whole = _whole(out)
    assert es(NEW_COST) in whole and es(SHARE - 10_000_000) in whole
    assert amount_in_words(Money(SHARE - 10_000_000), capitals=True) in whole
    assert es(SHARE) not in whole.replace(es(COST), "")  # the old shares are not printed as in force
    for needle in (
        "modificatorio",
        "CM-07/2026",
        "Ing. Rosa Ávila",
        "ajuste presupuestal",
        date.today().strftime("%d/%m/%Y"),
        es(COST),
    ):
        assert needle in whole, needle


def test_the_cedula_prints_the_amended_amounts_and_the_amendment(amended, tmp_path):
    db, project_id = amended
    out = tmp_path / "cedula.pdf"
    render_project_sheet(
        build_project_sheet(db, project_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT), out
    )
    whole = _whole(out)
    assert es(NEW_COST) in whole and es(SHARE - 10_000_000) in whole
    for needle in ("modificatorio núm. 1", "CM-07/2026", "antes"):
        assert needle in whole, needle


def test_a_project_never_amended_prints_no_amendment(tmp_path):
    set_language("es")
    db = open_database(str(tmp_path / "oficina.sqlite"))
    project = signed_project(db, tmp_path, club_id=new_club(db).id)
    out = tmp_path / "convenio.pdf"
    render_agreement(build_agreement(db, project.id, printed_by=PRINTED_BY, printed_at=PRINTED_AT), out)
    assert "modificatorio" not in _whole(out)
    db.dispose()


def test_the_longest_reason_and_signatory_stay_inside_the_page(tmp_path):
    from tests.reports.conftest import assert_text_inside
    from tresxuno.domain import limits
    from tresxuno.domain.amendments import AUTHORISED_BY_MAX

    set_language("es")
    db = open_database(str(tmp_path / "oficina.sqlite"))
    project = signed_project(db, tmp_path, club_id=new_club(db).id)
    reason = ("Ampliación " * 400)[: limits.LONG_TEXT].strip()
    who = "Ñ" * AUTHORISED_BY_MAX
    amend_project(db, project.id, AmendmentInput(NEW_COST, date.today(), reason, who, "R" * limits.REFERENCE))
    for build, render in ((build_agreement, render_agreement), (build_project_sheet, render_project_sheet)):
        out = tmp_path / f"{build.__name__}.pdf"
        render(build(db, project.id, printed_by=PRINTED_BY, printed_at=PRINTED_AT), out)
        reader, _texts = pdf_text(out)
        assert_text_inside(reader)
    db.dispose()
