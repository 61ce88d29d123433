"""Importing clubs and projects from CSV and XLSX: reading, mapping, row problems, all-or-nothing, CLI."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tresxuno import cli
from tresxuno.db.models import Club, Project, StageChange
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import FederationInput
from tresxuno.i18n import _
from tresxuno.messages import TEMPLATES, describe
from tresxuno.services import importer
from tresxuno.services.clubs import register_federation
from tresxuno.services.importer import (
    Cell,
    parse_amount,
    parse_date,
    parse_whole,
    preview,
    read_file,
    run_import,
    suggest_mapping,
)
from tresxuno.services.progress import Cancelled, CancelToken
from tresxuno.services.projects import count_projects, get_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
CLUBS_CSV = FIXTURES / "clubes_bom_punto_y_coma.csv"
CLUBS_1252 = FIXTURES / "clubes_windows1252.csv"
CLUBS_XLSX = FIXTURES / "clubes.xlsx"
PROJECTS_CSV = FIXTURES / "proyectos_dos_errores.csv"
PROJECTS_XLSX = FIXTURES / "proyectos_columnas.xlsx"
FEDERATION = "Federación Zacatecana del Sur de California"


def digest(db) -> str:
    with db.engine.connect() as conn:
        rows = [
            repr(conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all())
            for t in ("clubs", "projects", "project_shares", "stage_changes", "rule_sets")
        ]
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def where(preview_or_result) -> list[tuple[int, str, str]]:
    """(row, column, code) of every problem."""
    p = getattr(preview_or_result, "preview", preview_or_result)
    return [(x.row, x.column, x.problem.code) for x in p.problems]


@pytest.fixture
def federation(db):
    return register_federation(db, FederationInput(FEDERATION, "32", "Los Ángeles, CA"))


@pytest.fixture
def clubs(db, federation):
    result = run_import(db, CLUBS_CSV, "clubs")
    assert result.written and result.imported == 4, where(result)
    return result


def write_csv(path: Path, content: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(content.encode(encoding))
    return path


# --- reading --------------------------------------------------------------------------------------


def test_utf8_bom_and_semicolons_are_read_with_accents_and_spreadsheet_row_numbers():
    table = read_file(CLUBS_CSV)
    assert (table.encoding, table.delimiter, table.header_row) == ("utf-8-sig", ";", 1)
    assert table.headers[0] == "Nombre del club"  # no BOM glued to the first header
    assert "Fecha de expedición" in table.headers
    assert [n for n, _cells in table.rows] == [2, 3, 4, 5]
    assert table.rows[0][1][0].text == "Club Social Jerezano de Los Ángeles"


def test_windows_1252_is_detected_and_its_accents_survive(db):
    table = read_file(CLUBS_1252)
    assert (table.encoding, table.delimiter) == ("windows-1252", ",")
    result = run_import(db, table, "clubs")
    assert result.written, where(result)
    with db.transaction() as session:
        names = set(session.scalars(select(Club.name)))
        contacts = set(session.scalars(select(Club.home_contact)))
    assert "Club Purépecha de Cherán en Oregón" in names
    assert "Íñigo Peña Güemes" in contacts


def test_delimiter_is_sniffed_outside_quotes_and_an_excel_sep_line_is_honoured(tmp_path):
    assert importer.sniff_delimiter('"Costo (MXN, con IVA)";"Club";"Programa"') == ";"
    assert importer.sniff_delimiter("Club,Programa,Costo") == ","
    assert importer.sniff_delimiter("Club\tPrograma\tCosto") == "\t"
    path = write_csv(tmp_path / "sep.csv", "sep=|\nClub|Costo\nA|1,000.00\n")
    table = read_file(path)
    assert table.headers == ("Club", "Costo")
    assert table.rows == ((2, (Cell("A", "A"), Cell("1,000.00", "1,000.00"))),)


def test_xlsx_reads_dates_as_dates_and_never_evaluates_formulas():
    table = read_file(PROJECTS_XLSX)
    assert table.sheet == "Solicitudes 2026" and table.file_format == "xlsx"
    cost = table.headers.index("Inversión total")
    row3 = dict(table.rows)[3]
    assert row3[cost].error == "formula" and row3[cost].text == "=1000000*1.16"
    when = dict(table.rows)[2][table.headers.index("Fecha de solicitud")]
    assert isinstance(when.value, date) and when.text == "06/04/2026"


def test_a_named_sheet_is_read_and_an_unknown_one_is_refused_naming_the_sheets():
    notes = read_file(CLUBS_XLSX, sheet="Notas")
    assert notes.headers == ("Capturado por la oficina municipal de migrantes",)
    with pytest.raises(InputError) as exc:
        read_file(CLUBS_XLSX, sheet="Hoja1")
    assert exc.value.problems == (
        Problem("file", "import.unknown_sheet", {"sheet": "Hoja1", "sheets": "Clubes, Notas"}),
    )


def test_files_that_are_not_csv_or_xlsx_are_refused(tmp_path):
    old = tmp_path / "clubes.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    with pytest.raises(InputError) as exc:
        read_file(old)
    assert exc.value.problems[0].code == "import.unknown_format"
    broken = tmp_path / "roto.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError) as exc:
        read_file(broken)
    assert exc.value.problems[0].code == "import.unreadable"


def test_repeated_and_blank_headers_get_names_the_officer_can_tell_apart(tmp_path):
    path = write_csv(tmp_path / "h.csv", "Notas,Club,Notas,\n1,A,2,x\n")
    table = read_file(path)
    assert table.headers[:3] == ("Notas", "Club", "Notas (2)")
    assert table.headers[3] == _("(column {letter})").format(letter="D")


# --- cells ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/03/2026", date(2026, 3, 31)),
        ("1/4/2026", date(2026, 4, 1)),
        ("2026-03-31", date(2026, 3, 31)),
        ("31-03-26", date(2026, 3, 31)),
        ("2026-03-31 00:00:00", date(2026, 3, 31)),
    ],
)
def test_dates_are_read_day_first_or_iso(typed, expected):
    assert parse_date(Cell(typed, typed), "submitted_on") == expected


@pytest.mark.parametrize("typed", ["31/02/2026", "03/31/2026", "marzo 2026", "45412"])
def test_impossible_or_unclear_dates_are_refused_with_the_format_to_use(typed):
    with pytest.raises(importer._CellError) as exc:
        parse_date(Cell(typed, typed), "submitted_on")
    assert exc.value.problem == Problem("submitted_on", "import.bad_date", {"text": typed})


def test_amounts_go_through_money_parse_and_spreadsheet_numbers_stay_exact():
    assert parse_amount(Cell("1,250,000.00", "1,250,000.00"), "cost") == 125_000_000
    assert parse_amount(Cell(1234.56, "1234.56"), "cost") == 123_456
    assert parse_amount(Cell(240000, "240000"), "cost") == 24_000_000
    with pytest.raises(importer._CellError) as exc:
        parse_amount(Cell(0.1 + 0.2, "0.3"), "cost")  # a float that is not a whole centavo
    assert exc.value.problem.code == "amount.too_many_decimals"
    with pytest.raises(importer._CellError) as exc:
        parse_amount(Cell("1.234,56", "1.234,56"), "cost")
    assert exc.value.problem == Problem(
        "cost", "amount.decimal_comma", {"text": "1.234,56", "suggestion": "1234.56"}
    )


def test_whole_numbers_accept_grouping_and_refuse_fractions():
    assert parse_whole(Cell("1,200", "1,200"), "beneficiaries") == 1200
    assert parse_whole(Cell(35.0, "35"), "members") == 35
    assert parse_whole(Cell("", ""), "members") is None
    with pytest.raises(importer._CellError):
        parse_whole(Cell("12.5", "12.5"), "members")


# --- mapping --------------------------------------------------------------------------------------


def test_spanish_headers_are_mapped_ignoring_accents_case_and_spaces():
    mapping = suggest_mapping(
        "clubs",
        [
            "  NOMBRE DEL CLUB ",
            "Folio toma de nota",
            "Fecha de expedicion",
            "Vigencia",
            "Socios",
            "Ciudad",
            "Estado (EUA)",
            "Municipio de origen",
            "Federación",
            "Observaciones",
        ],
    )
    assert mapping == {
        "  NOMBRE DEL CLUB ": "name",
        "Folio toma de nota": "toma_folio",
        "Fecha de expedicion": "toma_issued_on",
        "Vigencia": "toma_expires_on",
        "Socios": "members",
        "Ciudad": "us_city",
        "Estado (EUA)": "us_state",
        "Municipio de origen": "home_municipality_key",
        "Federación": "federation",
    }
    projects = suggest_mapping("projects", read_file(PROJECTS_CSV).headers)
    assert projects["Estado"] == "state_key" and projects["Costo"] == "cost"
    assert projects["Categoría"] == "category" and projects["Fecha de solicitud"] == "submitted_on"
    assert importer.guess_kind(read_file(PROJECTS_CSV).headers) == "projects"
    assert importer.guess_kind(read_file(CLUBS_1252).headers) == "clubs"


def test_import_kinds_of_the_cli_parser_are_the_services_kinds():
    assert cli.IMPORT_KINDS == importer.KINDS


def test_every_problem_code_the_importer_raises_has_a_sentence():
    source = Path(importer.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'"(import\.[a-z_]+|project\.duplicate)"', source))
    assert len(codes) > 15
    assert codes <= set(TEMPLATES), codes - set(TEMPLATES)


# --- clubs ----------------------------------------------------------------------------------------


def test_clubs_csv_registers_every_club_with_names_resolved(db, federation, clubs):
    assert clubs.created == ("TN-LA-2025-0001", "TN-LA-2025-0002", "TN-CHI-2025-0107", "TN-DAL-2025-0033")
    with db.transaction() as session:
        rows = {c.toma_folio: c for c in session.scalars(select(Club))}
    jerez = rows["TN-LA-2025-0001"]
    assert (jerez.home_municipality_key, jerez.home_state_key, jerez.us_state) == ("32020", "32", "CA")
    assert jerez.federation_id == federation.id
    # "California" and "Texas" are written out; an empty "Vigencia" means the two years a toma lasts.
    tlaltenango = rows["TN-LA-2025-0002"]
    assert (tlaltenango.us_state, tlaltenango.home_municipality_key) == ("CA", "32048")
    assert tlaltenango.toma_expires_on == date(2027, 6, 14)
    assert rows["TN-DAL-2025-0033"].us_state == "TX"
    # No federation and no state column: the name is looked up in the whole country (it is unique).
    assert rows["TN-CHI-2025-0107"].home_municipality_key == "32034"


def test_clubs_xlsx_with_dates_numbers_a_lost_leading_zero_and_a_board(db):
    result = run_import(db, CLUBS_XLSX, "clubs")
    assert result.written and result.imported == 3, where(result)
    with db.transaction() as session:
        rows = {c.toma_folio: c for c in session.scalars(select(Club))}
    assert rows["TN-PHX-2025-0045"].home_municipality_key == "01002"  # typed as the number 1002
    assert rows["TN-PHX-2025-0045"].us_state == "AZ"
    assert rows["TN-SAC-2025-0311"].toma_issued_on == date(2025, 8, 4)
    assert rows["TN-SAC-2025-0311"].board == '["Presidente: Efraín Díaz", "Tesorera: Lucía Ávila"]'
    assert rows["TN-POR-2025-0212"].home_state_key == "16"  # state given as its key "16"


def test_club_problems_name_row_column_and_reason_and_nothing_is_written(db, federation, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        (
            "Nombre del club;Folio toma de nota;Expedida por;Fecha de expedición;Socios;Ciudad;Estado (EUA);"
            "Municipio de origen;Federación\n"
            "Club Uno;TN-1;Consulado;01/06/2025;35;Los Angeles;CA;Jerez;Federación Inexistente\n"
            "Club Dos;TN-2;Consulado;01/06/2025;8;Chicago;Illinois;Jerez;" + FEDERATION + "\n"
            "Club Tres;tn-1;Consulado;31/06/2025;20;Dallas;Texcoco;Jerez;" + FEDERATION + "\n"
            "Club Cuatro;TN-4;Consulado;01/06/2025;20;Dallas;TX;San Juan Mixtepec;\n"
        ),
    )
    before = digest(db)
    checked = preview(db, path, "clubs")
    assert where(checked) == [
        (2, "Federación", "import.federation_unknown"),
        (3, "Socios", "members.too_few"),
        (4, "Folio toma de nota", "import.duplicate_folio_in_file"),
        (4, "Fecha de expedición", "import.bad_date"),
        (4, "Estado (EUA)", "us_state.unknown"),
        (5, "Municipio de origen", "import.municipality_ambiguous"),
    ]
    members = checked.problems[1]
    assert members.reason() == describe(
        Problem("members", "members.too_few", {"min": 10, "value": 8}), with_field=False
    )
    assert members.describe() == _("row {row}, column «{column}»: {reason}").format(
        row=3, column="Socios", reason=members.reason()
    )
    ambiguous = checked.problems[-1].problem.params["candidates"]
    assert "20208" in ambiguous and "20209" in ambiguous  # Oaxaca has two San Juan Mixtepec
    repeated = [p.problem for p in checked.problems if p.problem.code == "import.duplicate_folio_in_file"]
    assert repeated[0].params == {"folio": "tn-1", "first_row": 2}
    assert run_import(db, path, "clubs").written is False
    assert digest(db) == before


def test_a_folio_already_registered_is_refused_by_the_same_rule_as_the_form(db, clubs):
    again = preview(db, CLUBS_CSV, "clubs")
    assert {code for _r, _c, code in where(again)} == {"toma.duplicate_folio"}
    assert {column for _r, column, _code in where(again)} == {"Folio toma de nota"}


# --- projects -------------------------------------------------------------------------------------


def test_projects_with_two_bad_rows_are_all_refused_and_both_rows_are_named(db, clubs):
    before = digest(db)
    checked = preview(db, PROJECTS_CSV, "projects")
    assert (checked.valid_count, checked.error_count) == (5, 2)
    assert where(checked) == [
        (4, "Costo", "amount.decimal_comma"),
        (7, "Municipio", "import.municipality_not_found_similar"),
    ]
    cost, place = checked.problems
    assert cost.reason() == describe(
        Problem("cost", "amount.decimal_comma", {"text": "1.234,56", "suggestion": "1234.56"}),
        with_field=False,
    )
    assert place.problem.params == {
        "name": "Jeréz de García",
        "state": "Zacatecas",
        "suggestions": "Jerez (32020)",
    }
    assert digest(db) == before  # the preview ran every row through submit_project, then rolled back

    result = run_import(db, PROJECTS_CSV, "projects", user="ana")
    assert (result.written, result.imported, result.skipped) == (False, 0, 7)
    assert digest(db) == before


def test_valid_only_takes_in_the_good_rows_as_requests_with_shares_and_history(db, clubs):
    result = run_import(db, PROJECTS_CSV, "projects", valid_only=True, user="ana")
    assert (result.written, result.imported, result.skipped) == (True, 5, 2)
    assert count_projects(db) == 5
    assert result.created[0] == "2X1Z-2026-32020-0001"
    with db.transaction() as session:
        ids = {folio: pk for folio, pk in session.execute(select(Project.folio, Project.id))}
        history = session.scalars(select(StageChange).order_by(StageChange.id)).all()
    water = get_project(db, ids["2X1Z-2026-32020-0001"])
    assert (water.stage, water.cost, water.category, water.beneficiaries) == (
        "solicitado",
        125_000_000,
        "infrastructure",
        850,
    )
    assert sum(s.amount for s in water.shares) == water.cost
    assert (water.rule_set_id, water.rule_set_version) == ("2x1-zacatecas", 2)
    library = get_project(db, ids["2X1Z-2026-32020-0002"])  # programme written by its name
    assert (library.program, library.category, library.cost) == ("2x1-zacatecas", "education", 48_050_050)
    assert len(history) == 5
    assert {(h.from_stage, h.to_stage, h.changed_by, h.comment) for h in history} == {
        (None, "solicitado", "ana", "Importado de proyectos_dos_errores.csv")
    }


def test_importing_the_same_projects_twice_is_caught(db, clubs):
    assert run_import(db, PROJECTS_CSV, "projects", valid_only=True).imported == 5
    again = preview(db, PROJECTS_CSV, "projects")
    assert again.valid_count == 0
    duplicates = [p for p in again.problems if p.problem.code == "project.duplicate"]
    assert [p.row for p in duplicates] == [2, 3, 5, 6, 8]
    assert {p.column for p in duplicates} == {"Nombre del proyecto"}


def test_xlsx_with_a_renamed_a_missing_and_an_extra_column_and_a_formula(db, clubs):
    checked = preview(db, PROJECTS_XLSX, "projects")
    assert checked.missing_columns == ("program",)
    assert checked.extra_columns == ("Esquema", "Observaciones")
    assert where(checked)[0] == (1, "", "import.missing_column")
    assert not checked.can_import_valid  # a missing required column blocks even the valid rows
    refused = run_import(db, PROJECTS_XLSX, "projects", valid_only=True)
    assert refused.imported == 0 and count_projects(db) == 0

    mapping = {**checked.mapping, "Esquema": "program"}
    checked = preview(db, PROJECTS_XLSX, "projects", mapping)
    assert where(checked) == [(3, "Inversión total", "import.formula")]
    assert checked.extra_columns == ("Observaciones",)
    result = run_import(db, PROJECTS_XLSX, "projects", mapping, valid_only=True)
    assert result.imported == 2 and count_projects(db) == 2


def test_a_lapsed_toma_de_nota_on_the_request_date_points_at_the_club_column(db, clubs, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        (
            "Club,Programa,Ejercicio,Categoría,Municipio,Nombre del proyecto,Costo,Fecha de solicitud\n"
            "TN-LA-2025-0001,2x1-zacatecas,2027,Infraestructura social,32020,Pozo profundo,900000,15/06/2027\n"
            "TN-LA-2025-0001,2x1-zacatecas,2026,Obra pública,32020,Puente,900000,15/06/2026\n"
        ),
    )
    checked = preview(db, path, "projects")
    # A request dated in 2027 is in the future too: both are named, each at its column.
    assert where(checked) == [
        (2, "Club", "club.toma_lapsed"),
        (2, "Fecha de solicitud", "date.future"),
        (3, "Categoría", "rules.unknown_category"),
    ]


def test_a_cancelled_import_rolls_everything_back(db, clubs):
    before = digest(db)
    token = CancelToken()

    def progress(done, total, message):
        if done >= 1:  # the first rows are already in the transaction when the officer cancels
            token.cancel()

    importer._PROGRESS_EVERY, saved = 1, importer._PROGRESS_EVERY
    try:
        with pytest.raises(Cancelled):
            run_import(db, PROJECTS_CSV, "projects", valid_only=True, progress=progress, cancel=token)
    finally:
        importer._PROGRESS_EVERY = saved
    assert digest(db) == before


# --- command line ---------------------------------------------------------------------------------


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = cli.main(list(args), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_cli_lists_both_bad_rows_imports_nothing_and_exits_2(db, clubs, capsys):
    url = db.engine.url.render_as_string(hide_password=False) if db.path is None else str(db.path)
    before = digest(db)
    code, out, err = run_cli(capsys, "--db", url, "import", "projects", str(PROJECTS_CSV))
    assert code == 2
    assert "proyectos_dos_errores.csv" in out
    lines = err.splitlines()
    checked = preview(db, PROJECTS_CSV, "projects")
    assert lines[:2] == [
        _("row {row}, column «{column}»: {reason}").format(
            row=4, column="Costo", reason=checked.problems[0].reason()
        ),
        _("row {row}, column «{column}»: {reason}").format(
            row=7, column="Municipio", reason=checked.problems[1].reason()
        ),
    ]
    assert lines[2].startswith("tresxuno: ")
    assert digest(db) == before

    code, _out, err = run_cli(
        capsys, "--db", url, "import", "projects", str(PROJECTS_CSV), "--dry-run", "--valid-only"
    )
    assert code == 0 and digest(db) == before

    code, out, err = run_cli(capsys, "--db", url, "import", "projects", str(PROJECTS_CSV), "--valid-only")
    assert code == 0
    assert count_projects(db) == 5
    assert len(err.splitlines()) == 2  # the two rows left out are still listed


def test_cli_dry_run_of_a_valid_file_writes_nothing_and_succeeds(db, federation, capsys):
    url = db.engine.url.render_as_string(hide_password=False) if db.path is None else str(db.path)
    before = digest(db)
    code, out, err = run_cli(capsys, "--db", url, "import", "clubs", str(CLUBS_CSV), "--dry-run")
    assert (code, err) == (0, "")
    assert _("Dry run: nothing was written; {count} row(s) would be imported.").format(count=4) in out
    assert digest(db) == before
    code, out, err = run_cli(capsys, "--db", url, "import", "clubs", str(CLUBS_CSV))
    assert (code, err) == (0, "")
    assert _("{count} row(s) imported.").format(count=4) in out
    with db.transaction() as session:
        assert len(session.scalars(select(Club.id)).all()) == 4


def test_cli_refuses_an_unreadable_file_with_exit_2(db, capsys, tmp_path):
    url = db.engine.url.render_as_string(hide_password=False) if db.path is None else str(db.path)
    code, _out, err = run_cli(capsys, "--db", url, "import", "clubs", str(tmp_path / "no.csv"))
    assert code == 2 and err.startswith("tresxuno: ")
