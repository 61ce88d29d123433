"""Documents read back (pypdf) as of their own date: officials, toma de nota, and the COVAM acta's new parts.

A 2017 document names the SEDESOL's delegation and the officials in office in 2017, a 2020 one the
Secretaría de Bienestar's; a cédula prints the toma de nota the club held on the project's date;
the acta states its quorum, the votes on each project, its president and technical secretary,
and after a final version, the new version's number and reason. In Spanish and in English.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, pdf_text
from tests.services.test_covam_and_works import prevalidated  # noqa: F401 - fixture
from tresxuno.db.engine import Database, open_database
from tresxuno.demo.officials import demo_official_on
from tresxuno.i18n import set_language
from tresxuno.reports.pdf.agreement import render_agreement
from tresxuno.reports.pdf.fmt import translator
from tresxuno.reports.pdf.project import render_project_sheet
from tresxuno.reports.pdf.session import render_session_minutes
from tresxuno.services.clubs import get_club
from tresxuno.services.covam import (
    AttendeeInput,
    RulingInput,
    SessionInput,
    add_to_agenda,
    create_session,
    finalize_session,
    open_new_version,
    record_rulings,
    update_session,
)
from tresxuno.services.reporting.agreement import build_agreement
from tresxuno.services.reporting.project import build_project_sheet
from tresxuno.services.reporting.session import build_session_minutes
from tresxuno.services.tomas import toma_history, toma_on

ES = translator("es")
EN = translator("en")


def _one(db: Database, sql: str) -> int:
    with db.engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    assert value is not None, "demo data changed"
    return int(value)


def _zacatecas_project(db: Database, year: int) -> int:
    """An approved project of ``year`` in the office's state (its state and federal officials apply)."""
    return _one(
        db,
        f"SELECT p.id FROM projects p WHERE p.state_key = '32' AND p.fiscal_year = {year} "
        "AND p.stage IN ('aprobado', 'convenio_firmado', 'en_ejecucion', 'terminado', 'cerrado') "
        "ORDER BY p.id LIMIT 1",
    )


def _render(tmp_path: Path, name: str, render, data) -> str:
    out = tmp_path / name
    render(data, out)
    _reader, texts = pdf_text(out)
    return " ".join(texts)


# --- the cédula and the convenio: officials and toma of the date ----------------------------------


def test_a_2017_cedula_names_the_sedesol_delegate_and_the_toma_of_its_date(demo_db, tmp_path):
    set_language("es")
    project = _zacatecas_project(demo_db, 2017)
    data = build_project_sheet(demo_db, project, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert data.as_of is not None and data.as_of.year <= 2017
    whole = _render(tmp_path, "cedula-2017.pdf", render_project_sheet, data)
    delegate = demo_official_on("delegado_federal", data.as_of)
    assert delegate is not None and delegate[0] in whole
    assert "SEDESOL" in whole and "Bienestar" not in whole
    assert ES("Officials in office on {date}").split("{")[0] in whole
    # The toma printed is the one in force on the project's date, not the club's latest renewal.
    held = toma_on(demo_db, data.club.id, data.as_of)
    current = get_club(demo_db, data.club.id)
    assert held is not None and held.valid_on(data.as_of) and held.folio in whole
    assert current.toma_folio != held.folio and current.toma_folio not in whole
    assert len(toma_history(demo_db, data.club.id)) > 1


def test_a_2020_cedula_in_english_names_bienestar(demo_db, tmp_path):
    set_language("en")
    project = _zacatecas_project(demo_db, 2020)
    data = build_project_sheet(demo_db, project, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert data.as_of is not None and data.as_of >= date(2019, 1, 1)
    whole = _render(tmp_path, "sheet-2020.pdf", render_project_sheet, data)
    delegate = demo_official_on("delegado_federal", data.as_of)
    assert delegate is not None and delegate[0] in whole
    assert "Bienestar" in whole and "SEDESOL" not in whole
    assert "Officials in office on" in whole and "Head of the federal delegation" in whole


def test_the_convenio_signs_with_those_in_office_on_its_date(demo_db, tmp_path):
    set_language("es")
    # A project of the office's own municipality (Jerez): the presidente municipal of the date signs.
    project = _one(
        demo_db,
        "SELECT p.id FROM projects p JOIN project_shares s ON s.project_id = p.id AND s.party = 'federal' "
        "WHERE p.municipality_key = '32020' AND p.fiscal_year = 2017 AND s.amount > 0 "
        "AND p.stage IN ('convenio_firmado', 'en_ejecucion', 'terminado', 'cerrado') ORDER BY p.id LIMIT 1",
    )
    data = build_agreement(demo_db, project, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    assert data.signed_on is not None
    signers = {s.party: s for s in data.signatories}
    mayor = demo_official_on("presidente_municipal", data.signed_on)
    delegate = demo_official_on("delegado_federal", data.signed_on)
    assert mayor is not None and delegate is not None
    assert signers["municipal"].signer_name == mayor[0] and signers["federal"].signer_name == delegate[0]
    whole = _render(tmp_path, "convenio-2017.pdf", render_agreement, data)
    assert mayor[0] in whole and delegate[0] in whole and "SEDESOL" in whole
    # Nobody of another administration signs: the later presidentes are not on a 2017 convenio.
    later = demo_official_on("presidente_municipal", date(2022, 1, 1))
    assert later is not None and later[0] not in whole
    # The toma the convenio cites is the one the club held when it was signed.
    held = toma_on(demo_db, data.club.id, data.signed_on)
    assert held is not None and held.folio in whole


# --- the acta --------------------------------------------------------------------------------------


def _demo_session(db: Database, year_sql: str) -> int:
    return _one(
        db,
        "SELECT s.id FROM covam_sessions s JOIN covam_agenda a ON a.session_id = s.id "
        "JOIN covam_attendees t ON t.session_id = s.id AND t.party = 'federal' "
        f"WHERE {year_sql} ORDER BY s.id LIMIT 1",
    )


def test_the_acta_states_quorum_votes_president_and_secretary_in_spanish(demo_db, tmp_path):
    set_language("es")
    session_id = _demo_session(demo_db, "s.held_on < '2019-01-01'")
    data = build_session_minutes(demo_db, session_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    whole = _render(tmp_path, "acta.pdf", render_session_minutes, data)
    q = data.quorum
    assert q is not None and q.reached
    sentence = ES(
        "There is a legal quorum: {present} of the {members} members with vote attend, the president of "
        "the committee among them."
    ).format(present=q.present, members=q.members)
    assert sentence in whole
    president, secretary = data.holder("presidente"), data.holder("secretario_tecnico")
    assert president is not None and secretary is not None
    assert f"{ES('President of the committee')} {president.name}" in whole
    assert f"{ES('Technical secretary')} {secretary.name}" in whole
    for p in data.agenda:
        assert f"{p.votes_for} / {p.votes_against} / {p.abstentions}" in whole
    assert data.called_on is not None and ES("Called on") in whole
    # A state committee's heading, not the municipal office's letterhead; SEDESOL before 2019.
    assert ES("Committee for the Validation and Attention of Migrants (COVAM)") in whole
    assert "Presidencia Municipal de Jerez" not in whole
    assert "SEDESOL" in whole and "Bienestar" not in whole
    for criterion in data.criteria:
        assert criterion in whole


def test_the_acta_in_english_from_2019_names_bienestar(demo_db, tmp_path):
    set_language("en")
    session_id = _demo_session(demo_db, "s.held_on >= '2019-06-01'")
    data = build_session_minutes(demo_db, session_id, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    whole = _render(tmp_path, "minutes.pdf", render_session_minutes, data)
    q = data.quorum
    assert q is not None
    assert f"There is a legal quorum: {q.present} of the {q.members} members with vote attend" in whole
    assert "Votes (for / against / abstentions)" in whole and "Takes effect" in whole
    assert "Bienestar" in whole and "SEDESOL" not in whole
    assert "President of the committee" in whole and "Technical secretary" in whole


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database (the services' projects are built on it by ``prevalidated``)."""
    database = open_database(str(tmp_path / "acta.sqlite"))
    yield database
    database.dispose()


CHAIR = AttendeeInput("federal", "Lic. Ana Lucía Bermúdez", "Delegada", role="presidente")
SECRETARY = AttendeeInput("state", "Ing. Ramón Ibáñez", "Secretaría del Migrante", role="secretario_tecnico")
MAYOR = AttendeeInput("municipal", "C. Rosa María Nuñez", "Presidenta municipal")
CLUB = AttendeeInput("club", "Sr. José Ángel Ortiz", "Federación Zacatecana")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_new_version_after_final_prints_its_number_and_reason_and_the_first_stays(
    db,
    prevalidated,  # noqa: F811
    tmp_path,
    lang,
):
    set_language(lang)
    t = ES if lang == "es" else EN
    base = SessionInput(
        "1/2017",
        date(2017, 5, 12),
        "Zacatecas",
        attendees=(CHAIR, SECRETARY, MAYOR, CLUB),
        called_on=date(2017, 4, 12),
        voting_members=5,
    )
    info = create_session(db, base)
    add_to_agenda(db, info.id, prevalidated[:1])
    record_rulings(
        db,
        info.id,
        [RulingInput(prevalidated[0], "aprobado", 90, votes_for=4, votes_against=0, abstentions=0)],
        at=datetime(2017, 6, 30, 18, 0),
    )
    draft = build_session_minutes(db, info.id, printed_by=PRINTED_BY, printed_at=PRINTED_AT)
    draft_text = _render(tmp_path, "draft.pdf", render_session_minutes, draft)
    assert t("{version} — draft, not yet final").format(version=t("Version {version}").format(version=1)) in (
        draft_text
    )
    # 4 of 5 with vote, the president among them; the ruling took effect on the session's date.
    assert (
        t(
            "There is a legal quorum: {present} of the {members} members with vote attend, the president of "
            "the committee among them."
        ).format(present=4, members=5)
        in draft_text
    )
    assert "4 / 0 / 0" in draft_text
    finalize_session(db, info.id, user="revisor")
    first = _render(
        tmp_path, "v1.pdf", render_session_minutes, build_session_minutes(db, info.id, printed_by=PRINTED_BY)
    )
    assert t("Version {version}").format(version=1) in first and t("draft") not in first

    reason = "El nombre de la presidenta municipal estaba incompleto"
    open_new_version(db, info.id, reason, user="revisor")
    fixed = AttendeeInput("municipal", "C. Rosa María Núñez Castañeda", "Presidenta municipal")
    update_session(
        db, info.id, SessionInput(**{**base.__dict__, "attendees": (CHAIR, SECRETARY, fixed, CLUB)})
    )
    finalize_session(db, info.id, user="revisor")
    second = _render(
        tmp_path, "v2.pdf", render_session_minutes, build_session_minutes(db, info.id, printed_by=PRINTED_BY)
    )
    replaces = t(
        "This version {version} of the minutes replaces version {previous}. Reason: {reason}"
    ).format(version=2, previous=1, reason=reason)
    assert replaces in second and "C. Rosa María Núñez Castañeda" in second
    # Version 1 prints again as it was final: the earlier name, no replacement sentence.
    again = _render(
        tmp_path,
        "v1-again.pdf",
        render_session_minutes,
        build_session_minutes(db, info.id, printed_by=PRINTED_BY, version=1),
    )
    assert "C. Rosa María Nuñez" in again and "Núñez Castañeda" not in again
    assert t("Version {version}").format(version=1) in again and reason not in again


# --- the command line ------------------------------------------------------------------------------


def test_the_officials_command_names_those_in_office_on_a_date(demo_file):
    from tests.reports.test_pdf_cli import run
    from tresxuno.demo.officials import DEMO_OFFICIALS

    status, out, err = run("--lang", "es", "--db", str(demo_file), "officials", "--on", "12/05/2017")
    assert (status, err) == (0, "")
    assert "Lic. Héctor Ramírez Ávila" in out and "SEDESOL" in out and "C. Rosa María Castañeda" in out
    assert "Bienestar" not in out and "Ing. Jorge Luis Saldívar" not in out
    status, out, err = run("--lang", "en", "--db", str(demo_file), "officials", "--on", "2020-06-01")
    assert (status, err) == (0, "")
    assert "Head of the federal delegation: Lic. Ana Lucía Bermúdez Solís" in out and "Bienestar" in out
    status, out, _err = run("--db", str(demo_file), "officials", "--all")
    assert status == 0 and len(out.splitlines()) == len(DEMO_OFFICIALS)
    status, _out, err = run("--lang", "en", "--db", str(demo_file), "officials", "--on", "31/02/2017")
    assert status == 2 and "31/02/2017" in err
