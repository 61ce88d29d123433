"""Accepted poison, now refused with a clear message and nothing written (issue 12, items 15 and 16)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.services.test_covam_and_works import ATTENDEES, prevalidated, session  # noqa: F401 (fixtures)
from tests.services.test_registry_and_projects import club_input, project_input, table_digest
from tresxuno.domain import limits
from tresxuno.domain.problems import InputError
from tresxuno.i18n import language, set_language
from tresxuno.messages import describe as _describe
from tresxuno.services.clubs import register_club
from tresxuno.services.covam import (
    AttendeeInput,
    RulingInput,
    SessionInput,
    add_to_agenda,
    create_session,
    record_rulings,
)
from tresxuno.services.project_requests import submit_project
from tresxuno.services.stages import move_project


def describe(problem) -> str:
    """The problem's sentence in English, with the field's label."""
    before = language()
    set_language("en")
    try:
        return _describe(problem)
    finally:
        set_language(before)


def refused(call) -> list:
    with pytest.raises(InputError) as caught:
        call()
    return list(caught.value.problems)


def test_five_megabytes_of_conditions_with_nul_and_bidi_override_are_refused(db, prevalidated, session):  # noqa: F811
    add_to_agenda(db, session.id, prevalidated, user="revisor")
    before = table_digest(db)
    poison = ("Condición \x00 \u202e" * 400_000)[: 5 * 1024 * 1024]
    problems = refused(
        lambda: record_rulings(db, session.id, [RulingInput(prevalidated[0], "aprobado", 80, poison)])
    )
    assert [(p.code, p.params["max"], p.params["length"]) for p in problems] == [
        ("text.too_long", limits.LONG_TEXT, len(poison))
    ]
    assert f"{len(poison)} characters; at most {limits.LONG_TEXT}" in describe(problems[0])
    for bad, char, position in (("Sin \x00 permiso", "U+0000", 5), ("abc\u202edcba", "U+202E", 4)):
        problems = refused(
            lambda bad=bad: record_rulings(
                db, session.id, [RulingInput(prevalidated[0], "aprobado", 80, bad)]
            )
        )
        assert [(p.code, p.params["char"], p.params["position"]) for p in problems] == [
            ("text.control_chars", char, position)
        ]
        assert f"({char}) at position {position}" in describe(problems[0])
        assert describe(problems[0]).startswith("Conditions: ")
    assert table_digest(db) == before


def test_a_project_listed_twice_in_one_ruling_call_is_refused(db, prevalidated, session):  # noqa: F811
    add_to_agenda(db, session.id, prevalidated, user="revisor")
    before = table_digest(db)
    twice = [
        RulingInput(prevalidated[0], "rechazado", 10, "Sin predio"),
        RulingInput(prevalidated[0], "aprobado", 90, ""),
    ]
    problems = refused(lambda: record_rulings(db, session.id, twice))
    assert [p.code for p in problems] == ["ruling.duplicate"]
    assert "listed twice" in describe(problems[0])
    assert table_digest(db) == before


def test_a_stage_comment_longer_than_its_limit_is_refused(db, tmp_path):
    club = register_club(db, club_input())
    project = submit_project(db, project_input(club.id))
    before = table_digest(db)
    long = "x" * (limits.LONG_TEXT + 1)
    problems = refused(lambda: move_project(db, project.id, "prevalidado", comment=long))
    assert [(p.field, p.code, p.params["length"]) for p in problems] == [
        ("comment", "text.too_long", limits.LONG_TEXT + 1)
    ]
    assert table_digest(db) == before


@pytest.mark.parametrize("char", ["\u200b", "\u200e", "\ufeff"])
def test_invisible_characters_in_names_are_refused_with_their_position(db, char):
    before = table_digest(db)
    problems = refused(lambda: register_club(db, club_input(name=f"Club{char} Jerezano")))
    assert [(p.field, p.params["position"], p.params["char"]) for p in problems] == [
        ("name", 5, f"U+{ord(char):04X}")
    ]
    assert "position 5" in describe(problems[0])
    assert table_digest(db) == before


def test_an_attendee_position_with_control_characters_is_refused(db):
    before = table_digest(db)
    bad = SessionInput(
        "2/2016", date(2016, 6, 1), "Jerez", attendees=(AttendeeInput("federal", "Ana", "Delegada\x1b[31m"),)
    )
    problems = refused(lambda: create_session(db, bad))
    assert [p.code for p in problems] == ["text.control_chars"]
    assert table_digest(db) == before
    assert ATTENDEES  # the shared fixtures' attendees stay valid


# --- CFDI evidence of payments ----------------------------------------------------------------------


@pytest.fixture
def funded(db, tmp_path):
    from tests.services.test_ledger import fund, new_club, signed_project

    project = signed_project(db, tmp_path, club_id=new_club(db).id)
    fund(db, project.id)
    return project


def pay(db, project_id: int, invoice) -> object:
    from tests.services.test_ledger import TODAY
    from tresxuno.domain.ledger import PaymentInput
    from tresxuno.services.ledger import record_payment

    data = PaymentInput(project_id, date(2019, 8, 1), 500_000_00, concept="Estimación 2", cfdi_path=invoice)
    return record_payment(db, data, user="tesorero", today=TODAY)


@pytest.mark.parametrize(("kind", "name"), [("E", "egreso"), ("P", "pago"), ("T", "traslado")])
def test_credit_notes_and_payment_receipts_are_not_evidence_of_a_payment(db, funded, tmp_path, kind, name):
    from tests.services.test_ledger import cfdi_file, table_digest

    before = table_digest(db)
    invoice = cfdi_file(tmp_path / "cfdi", uuid="0E4B1C2D-3A5F-4E6B-9C7D-8E9F0A1B2C3D", kind=kind)
    problems = refused(lambda: pay(db, funded.id, invoice))
    # The payee's fields stay blank (they come from a readable invoice): refused too.
    problems = [p for p in problems if p.field == "cfdi"]
    assert [(p.code, p.params["kind"], p.params["name"]) for p in problems] == [
        ("cfdi.not_invoice", kind, name)
    ]
    assert f"of type {kind} ({name}), not an invoice" in describe(problems[0])
    assert table_digest(db) == before


@pytest.mark.parametrize("issued", ["1900-01-01T00:00:00", "2099-12-31T23:59:59", "2018-07-01T10:00:00"])
def test_invoices_dated_far_from_the_payment_are_refused(db, funded, tmp_path, issued):
    from tests.services.test_ledger import cfdi_file, table_digest

    before = table_digest(db)
    invoice = cfdi_file(tmp_path / "cfdi", uuid="0E4B1C2D-3A5F-4E6B-9C7D-8E9F0A1B2C3D", issued=issued)
    problems = refused(lambda: pay(db, funded.id, invoice))
    assert [(p.code, p.params["date"]) for p in problems] == [
        ("payment.cfdi_date_out_of_window", issued[:10])
    ]
    assert "31/07/2018 to 01/09/2019" in describe(problems[0])
    assert table_digest(db) == before


def test_an_invoice_billed_to_another_receiver_is_refused_once_the_office_rfc_is_set(db, funded, tmp_path):
    from tests.services.test_ledger import cfdi_file, table_digest
    from tresxuno.domain.cfdi import parse_cfdi
    from tresxuno.services.ledger import payment_warnings
    from tresxuno.services.office import office_settings, set_office_rfc

    other = cfdi_file(tmp_path / "a", uuid="0E4B1C2D-3A5F-4E6B-9C7D-8E9F0A1B2C3D", receiver="EKU9003173C9")
    # No RFC set: a warning, not a refusal.
    warnings = payment_warnings(db, parse_cfdi(other.read_bytes()))
    assert [(p.code, p.params["receiver_rfc"]) for p in warnings] == [
        ("payment.cfdi_receiver_unchecked", "EKU9003173C9")
    ]
    assert "the office has no RFC set" in describe(warnings[0])
    assert [p.code for p in refused(lambda: set_office_rfc(db, "MJZ850101B7X"))] == ["rfc.format"]
    assert set_office_rfc(db, "mjz-850101-b72") == "MJZ850101B72"
    assert office_settings(db).rfc == "MJZ850101B72"
    assert payment_warnings(db, parse_cfdi(other.read_bytes())) == []
    before = table_digest(db)
    problems = refused(lambda: pay(db, funded.id, other))
    assert [(p.code, p.params["receiver_rfc"], p.params["office_rfc"]) for p in problems] == [
        ("payment.cfdi_receiver_differs", "EKU9003173C9", "MJZ850101B72")
    ]
    assert table_digest(db) == before
    own = cfdi_file(tmp_path / "b", uuid="1E4B1C2D-3A5F-4E6B-9C7D-8E9F0A1B2C3D")
    assert pay(db, funded.id, own).cfdi_uuid == "1E4B1C2D-3A5F-4E6B-9C7D-8E9F0A1B2C3D"


# --- imported files, digits, dates, costs ----------------------------------------------------------


def _projects_csv(tmp_path, transform) -> Path:
    from tests.services.test_importer import PROJECTS_CSV

    lines = PROJECTS_CSV.read_bytes().split(b"\n")
    path = tmp_path / "proyectos.csv"
    path.write_bytes(b"\n".join(transform(lines)))
    return path


def test_a_utf8_csv_with_one_bad_byte_is_refused_naming_the_line(db, capsys, tmp_path):
    from tests.services.test_importer import clubs, digest, federation, run_cli  # noqa: F401
    from tresxuno.services.importer import read_file, run_import

    def spoil(lines):
        lines[2] = lines[2].replace(b"Tlaltenango", b"Tlaltenango\xff")  # one byte, not UTF-8
        return lines

    path = _projects_csv(tmp_path, spoil)
    problems = refused(lambda: read_file(path))
    assert [(p.code, p.params["line"], p.params["byte"]) for p in problems] == [
        ("import.not_utf8", 3, "0xFF")
    ]
    assert "line 3 has a byte (0xFF) that is not UTF-8" in describe(problems[0])
    before = digest(db)
    refused(lambda: run_import(db, path, "projects"))
    url = str(db.path) if db.path is not None else db.engine.url.render_as_string(hide_password=False)
    code, _out, err = run_cli(capsys, "--db", url, "import", "projects", str(path))
    assert code == 2 and "proyectos.csv" in err and "3" in err and "0xFF" in err, err
    assert "Ã" not in err
    assert digest(db) == before


@pytest.mark.parametrize(
    "typed",
    [
        "١٦/٠٢/٢٠٢٦",
        "１６/０２/２０２６",
        "16/02/2026 99:99",
        "16/02/2026 24:00",
        "2026-02-16T10:61",
        "16/02/2026 x",
    ],
)
def test_dates_with_non_ascii_digits_or_an_impossible_time_are_refused(typed):
    from tresxuno.domain.problems import Problem
    from tresxuno.services import importer

    with pytest.raises(importer._CellError) as caught:
        importer.parse_date(importer.Cell(typed, typed), "submitted_on")
    assert caught.value.problem == Problem("submitted_on", "import.bad_date", {"text": typed})


@pytest.mark.parametrize(
    ("typed", "expected"), [("16/02/2026 10:30", (2026, 2, 16)), ("2026-02-16T23:59:59", (2026, 2, 16))]
)
def test_dates_with_a_real_time_are_still_read(typed, expected):
    from tresxuno.services import importer

    assert importer.parse_date(importer.Cell(typed, typed), "submitted_on") == date(*expected)


@pytest.mark.parametrize("typed", ["٢٠٢٦", "２０２６", "2０26"])
def test_years_and_whole_numbers_with_non_ascii_digits_are_refused(typed):
    from tresxuno.services import importer

    with pytest.raises(importer._CellError) as caught:
        importer.parse_whole(importer.Cell(typed, typed), "fiscal_year")
    assert caught.value.problem.code == "number.not_whole"


@pytest.mark.parametrize("typed", ["٢٠١٨", "２０１８"])
def test_the_command_line_refuses_years_with_non_ascii_digits(typed):
    from tests.e2e.test_cli import SHARES, run

    args = [a if a != "2016" else typed for a in SHARES]
    result = run(*args, "--cost", "100000")
    assert result.returncode == 2, result.stderr
    assert typed in result.stderr and "Traceback" not in result.stderr


def test_a_project_of_fifty_centavos_is_refused(db):
    from tresxuno.domain.validation import MIN_PROJECT_COST

    club = register_club(db, club_input())
    before = table_digest(db)
    problems = refused(lambda: submit_project(db, project_input(club.id, cost=50)))
    assert [(p.field, p.code, p.params["amount"]) for p in problems] == [
        ("cost", "cost.too_small", MIN_PROJECT_COST)
    ]
    assert "$0.50" in describe(problems[0]) and "$1,000.00" in describe(problems[0])
    assert table_digest(db) == before
    assert submit_project(db, project_input(club.id, cost=MIN_PROJECT_COST)).cost == MIN_PROJECT_COST


# --- rule files -----------------------------------------------------------------------------------


def _rules_list(data_dir: Path):
    from tests.e2e.test_cli import run

    return run("rules", "list", "--json", env={"TRESXUNO_DATA_DIR": str(data_dir), "TRESXUNO_LANG": "en"})


def test_a_rule_file_saved_by_notepad_with_a_bom_is_read(tmp_path):
    from tresxuno import paths
    from tresxuno.domain.rules import load_rulebook

    shipped = (paths.seeds_dir() / "rules" / "3x1.toml").read_bytes()
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "3x1.toml").write_bytes(b"\xef\xbb\xbf" + shipped)
    book = load_rulebook([folder])
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "3x1.toml").write_bytes(shipped)
    assert [rs.id for rs in book.rule_sets] == [rs.id for rs in load_rulebook([plain]).rule_sets] != []
    # Through the command line, a BOM file in the administrator's folder changes nothing.
    data = tmp_path / "data"
    (data / "rules").mkdir(parents=True)
    (data / "rules" / "extra.toml").write_bytes(b"\xef\xbb\xbf# added in Notepad\n")
    result = _rules_list(data)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("kind", ["folder", "fifo", "deep", "huge", "latin1"])
def test_a_rule_file_that_is_no_file_or_nests_too_deep_gets_one_line_naming_it(db, tmp_path, kind):
    import os

    from tresxuno import paths
    from tresxuno.domain.problems import RuleSetError
    from tresxuno.i18n import set_language
    from tresxuno.services.rules import accept_rule_file, rules_text

    folder = paths.user_rules_dir()
    folder.mkdir(parents=True, exist_ok=True)
    bad = folder / "malo.toml"
    if kind == "folder":
        bad.mkdir()
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(bad)
    elif kind == "deep":
        bad.write_text("x = " + "[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    elif kind == "huge":
        bad.write_text("# " + "x" * (2 * 1024 * 1024) + "\n", encoding="utf-8")
    else:
        bad.write_bytes("# Programa de Asunción\n".encode("cp1252"))
    # Dropped in the folder, it does nothing and hangs nothing: the command line lists the rules.
    result = _rules_list(paths.user_data_dir())  # run() has a timeout: a hang fails the test
    assert result.returncode == 0, result.stderr
    # An administrador who tries to accept it is told, in one line naming the file, why not.
    set_language("en")
    try:
        with pytest.raises(RuleSetError) as refused:
            accept_rule_file(db, bad)
    finally:
        set_language("es")
    message = str(refused.value)
    assert len(message.splitlines()) == 1 and str(bad) in message, message
    expected = {
        "folder": "not a regular file",
        "fifo": "not a regular file",
        "deep": "too deeply",
        "huge": "larger than 1024 KB",
        "latin1": "line 1 is not UTF-8",
    }[kind]
    assert expected in message
    assert "malo.toml" not in rules_text(db).split("\n\n")[0]  # never among the rules in force
