"""Import of clubs and projects from CSV and XLSX files: reading, column mapping, preview and import.

Every row goes through the very services the forms use (:func:`register_club`,
:func:`submit_project`), each inside a savepoint of ONE transaction, so an imported row meets exactly
the rules a typed one does. A preview is the same run rolled back at the end; an import commits only
when every row is valid, or, when the officer asks for it, only the valid rows.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import Club, Federation, Municipality, Project, StageChange, State
from tresxuno.domain.money import Money
from tresxuno.domain.parties import Category
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import MIN_CLUB_MEMBERS, ClubInput, ProjectInput, toma_latest_expiry
from tresxuno.formatting import CATEGORY_LABELS, date_text, datetime_text, money_text
from tresxuno.i18n import N_, _
from tresxuno.messages import describe, field_label
from tresxuno.services.auth import require
from tresxuno.services.clubs import register_club
from tresxuno.services.progress import CancelToken, Progress, no_progress
from tresxuno.services.project_requests import submit_project
from tresxuno.services.rules import rulebook

#: What can be imported.
KINDS: tuple[str, ...] = ("clubs", "projects")
KIND_LABELS: dict[str, str] = {"clubs": N_("Clubs"), "projects": N_("Projects")}
#: Largest file read (a few thousand rows take well under a megabyte).
MAX_BYTES = 20 * 1024 * 1024
#: Most data rows in one file; a bigger file is split by the officer (or imported in parts).
MAX_ROWS = 20_000
#: Stage-history comment of an imported project. Written in the office's language, not the UI's,
#: like every other stored comment, so the history reads the same for everyone who opens it.
IMPORT_COMMENT = "Importado de {file}"
#: How often (rows) the progress sink is told: every row would flood the GUI thread with signals.
_PROGRESS_EVERY = 20


# --- Reading files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell as read: its value, the text the officer sees, and an error that refuses it.

    ``value`` is ``str`` for CSV; for XLSX it may also be ``int``, ``float``, ``bool``, ``date`` or
    ``datetime`` (dates are read as dates). ``error`` is ``"formula"`` for a formula (never
    evaluated) or ``"excel_error"`` for a cell showing ``#N/A``, ``#REF!``...
    """

    value: object = None
    text: str = ""
    error: str | None = None

    @property
    def empty(self) -> bool:
        """Whether the cell holds nothing (spaces count as nothing)."""
        return self.error is None and not self.text.strip()


@dataclass(frozen=True)
class SourceTable:
    """The rows of a file under its header row, before any mapping.

    Attributes:
        path: the file read.
        file_format: ``"csv"`` or ``"xlsx"``.
        encoding: the text encoding a CSV was read with (``utf-8``, ``utf-8-sig``, ``windows-1252``,
            ``latin-1`` or ``utf-16``); None for XLSX.
        delimiter: a CSV's field separator; None for XLSX.
        sheet: the worksheet read (XLSX), and ``sheets`` every worksheet's name.
        header_row: the spreadsheet row number of the header (the first non-blank row).
        headers: the header texts, made unique (a repeated "Notas" becomes "Notas (2)").
        rows: ``(spreadsheet row number, cells)`` of each non-blank row under the header, each with
            exactly one cell per header.
    """

    path: Path
    file_format: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The file's name without its folder."""
        return self.path.name


def read_file(path: str | Path, *, sheet: str | None = None) -> SourceTable:
    """Read a CSV or XLSX file into a :class:`SourceTable`.

    CSV: UTF-8 with or without BOM (UTF-16 with BOM too), else Windows-1252 (latin-1 for the five
    bytes it leaves undefined); the delimiter (``,``, ``;`` or tab) is the one the header line uses
    most outside quotes, or the one an Excel ``sep=`` first line names. XLSX: the first worksheet or
    ``sheet``, read-only; formulas are not evaluated (their cells carry ``error="formula"``).

    Raises:
        InputError: ``file.not_found``, ``import.too_large``, ``import.unknown_format``,
            ``import.unknown_sheet``, ``import.unreadable``, ``import.no_header`` or
            ``import.too_many_rows`` (field ``file``).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem("file", "file.not_found", {"path": str(path)}))
    if path.stat().st_size > MAX_BYTES:
        raise InputError(Problem("file", "import.too_large", {"max_mb": MAX_BYTES // (1024 * 1024)}))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        table = _read_csv(path)
    else:
        raise InputError(Problem("file", "import.unknown_format", {"name": path.name}))
    if len(table.rows) > MAX_ROWS:
        raise InputError(Problem("file", "import.too_many_rows", {"max": MAX_ROWS}))
    return table


def _decode(data: bytes, name: str = "") -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with.

    A file that is UTF-8 (a BOM says so, or it holds valid multi-byte UTF-8 sequences) but has a byte
    that is not is refused, naming the line: read whole as Windows-1252 every "ó" would be stored as
    "Ã³" in every name of the file. A file with no UTF-8 sequence at all is Windows-1252 (Excel).

    Raises:
        InputError: ``import.not_utf8`` (``name``, ``line``, ``byte``) or ``import.unreadable``.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            detail = {"name": name, "format": "UTF-16", "detail": exc.reason}
            raise InputError(Problem("file", "import.unreadable", detail)) from None
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        if bom or _UTF8_SEQUENCE.search(body):
            line = body.count(b"\n", 0, exc.start) + 1
            byte = f"0x{body[exc.start]:02X}"
            raise InputError(
                Problem("file", "import.not_utf8", {"name": name, "line": line, "byte": byte})
            ) from None
    # Excel on Windows saves "CSV" in the ANSI code page: Windows-1252 in Mexico and the US.
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


#: A multi-byte UTF-8 sequence (two to four bytes): a file holding one was written as UTF-8.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def sniff_delimiter(first_line: str) -> str:
    """The delimiter a header line uses: the most frequent of ``;``, ``,`` and tab outside quotes.

    A comma wins ties (and a line with none): it is what "CSV" means to most programs.
    """
    counts = {d: _count_outside_quotes(first_line, d) for d in (",", ";", "\t")}
    best = max(counts.values())
    if best == 0 or counts[","] == best:
        return ","
    return ";" if counts[";"] == best else "\t"


def _read_csv(path: Path) -> SourceTable:
    text, encoding = _decode(path.read_bytes(), path.name)
    first = next((line for line in text.splitlines() if line.strip()), "")
    hint = re.fullmatch(r'"?sep=(.)"?', first.strip(), re.IGNORECASE)
    delimiter = hint.group(1) if hint else sniff_delimiter(first)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(
            Problem("file", "import.unreadable", {"name": path.name, "format": "CSV", "detail": str(exc)})
        ) from None
    if hint:
        # Excel reads the "sep=;" line as an instruction and does not show it: rows count from after it.
        index = next(i for i, r in enumerate(records) if any(v.strip() for v in r))
        records = records[index + 1 :]
    raw = [(number, [Cell(v, v) for v in record]) for number, record in enumerate(records, start=1)]
    return _table(path, "csv", raw, encoding=encoding, delimiter=delimiter)


def _xlsx_cell(cell: Any) -> Cell:
    value = cell.value
    if value is None:
        return Cell()
    kind = getattr(cell, "data_type", None)
    if kind == "f" or (isinstance(value, str) and value.startswith("=") and kind != "s"):
        return Cell(None, str(value), "formula")
    if not isinstance(value, str | int | float | bool | date | Decimal):  # array formulas and the like
        return Cell(None, str(getattr(value, "text", value)), "formula")
    if kind == "e":
        return Cell(None, str(value), "excel_error")
    return Cell(value, display_text(value))


def display_text(value: object) -> str:
    """The text of a read value as the officer sees it in the sheet (es-MX dates, no ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_text(value) if value.time() == datetime.min.time() else datetime_text(value)
    if isinstance(value, date):
        return date_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, sheet: str | None) -> SourceTable:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only=False: a formula is read as its text and refused; its cached result may be stale.
        book = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            Problem("file", "import.unreadable", {"name": path.name, "format": "XLSX", "detail": str(exc)})
        ) from None
    try:
        names = tuple(book.sheetnames)
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in names:
            worksheet = book[sheet]
        else:
            raise InputError(
                Problem("file", "import.unknown_sheet", {"sheet": sheet, "sheets": ", ".join(names)})
            )
        raw: list[tuple[int, list[Cell]]] = []
        filled = 0
        for number, row in enumerate(worksheet.iter_rows(), start=1):
            cells = [_xlsx_cell(c) for c in row]
            raw.append((number, cells))
            filled += any(not c.empty for c in cells)
            if filled > MAX_ROWS + 1:  # stop reading a huge sheet early: one header plus MAX_ROWS
                raise InputError(Problem("file", "import.too_many_rows", {"max": MAX_ROWS}))
        title = worksheet.title
    finally:
        book.close()
    return _table(path, "xlsx", raw, sheet=title, sheets=names)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _table(
    path: Path, file_format: str, raw: Sequence[tuple[int, Sequence[Cell]]], **extra: Any
) -> SourceTable:
    """Find the header (first non-blank row), name its columns, and square the rows under it."""
    rows = [(n, list(cells)) for n, cells in raw if any(not c.empty for c in cells)]
    if not rows:
        raise InputError(Problem("file", "import.no_header", {"name": path.name}))
    header_row, header_cells = rows[0]
    width = max(len(cells) for _n, cells in rows)
    # Trailing columns that are empty all the way down are no columns at all.
    while width > 0 and all(len(cells) < width or cells[width - 1].empty for _n, cells in rows):
        width -= 1
    headers: list[str] = []
    seen: dict[str, int] = {}
    for index in range(width):
        cell = header_cells[index] if index < len(header_cells) else Cell()
        text = " ".join(cell.text.split()) or _("(column {letter})").format(letter=column_letter(index))
        key = normalise(text)
        seen[key] = seen.get(key, 0) + 1
        headers.append(text if seen[key] == 1 else f"{text} ({seen[key]})")
    body = tuple(
        (n, tuple((cells[i] if i < len(cells) else Cell()) for i in range(width))) for n, cells in rows[1:]
    )
    return SourceTable(
        path=path, file_format=file_format, headers=tuple(headers), rows=body, header_row=header_row, **extra
    )


# --- Our fields and the automatic mapping --------------------------------------------------------


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Text folded for comparing names: no accents, case or punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


@dataclass(frozen=True)
class ImportField:
    """One of our fields a file column can be mapped to.

    Attributes:
        key: the field id (also the ``Problem.field`` the services use, except ``federation``/``club``).
        required: whether the file must have a column for it.
        synonyms: header texts offices use for it (compared after :func:`normalise`).
        hint: what the column may hold (an English msgid), shown beside the mapping.
        label_msgid: the label when the shared field label would be ambiguous here (an English msgid).
    """

    key: str
    required: bool
    synonyms: tuple[str, ...]
    hint: str = ""
    label_msgid: str = ""

    @property
    def label(self) -> str:
        """The field's translated label."""
        return _(self.label_msgid) if self.label_msgid else field_label(self.key)


def _field(key: str, required: bool, synonyms: str, hint: str = "", label: str = "") -> ImportField:
    """An :class:`ImportField` with its synonyms written as one "a | b | c" string."""
    return ImportField(key, required, tuple(s.strip() for s in synonyms.split("|")), hint, label)


#: Club fields in priority order: a header naming two fields goes to the first (``Nombre``: the club).
CLUB_FIELDS: tuple[ImportField, ...] = (
    _field(
        "name",
        True,
        "nombre del club | club | nombre | nombre club | club name | name",
        label=N_("Club name"),
    ),
    _field(
        "toma_folio",
        True,
        "folio toma de nota | folio de toma de nota | folio de la toma de nota | "
        "folio | toma de nota | no de toma de nota | toma folio | toma de nota folio",
    ),
    _field(
        "toma_issuer",
        True,
        "expedida por | expedido por | emitida por | emisor | consulado | "
        "consulado emisor | expide | toma de nota issued by | issued by | issuer",
    ),
    _field(
        "toma_issued_on",
        True,
        "fecha de expedicion | expedicion | fecha expedicion | fecha de emision | "
        "fecha toma de nota | toma de nota issue date | issued on | issue date",
        N_("a date, dd/mm/yyyy"),
    ),
    _field(
        "toma_expires_on",
        False,
        "vigencia | vigente hasta | fecha de vencimiento | vencimiento | "
        "vence | valida hasta | toma de nota expiry date | expires on | expiry date",
        N_("a date, dd/mm/yyyy; when missing, two years from the issue date"),
    ),
    _field(
        "members",
        True,
        "socios | numero de socios | no de socios | n de socios | num de socios | "
        "miembros | numero de miembros | members",
    ),
    _field("us_city", True, "ciudad | ciudad eua | ciudad en eua | ciudad usa | city us | city"),
    _field(
        "us_state",
        True,
        "estado eua | estado en eua | estado usa | estado | state us | us state | state",
        N_("two-letter code or name, e.g. CA or California"),
    ),
    _field(
        "home_state_key",
        False,
        "estado de origen | entidad de origen | entidad | estado mexico | "
        "estado mx | estado en mexico | home state",
        N_("a name or an INEGI key; when missing, the federation's state"),
    ),
    _field(
        "home_municipality_key",
        True,
        "municipio de origen | municipio | municipio origen | "
        "clave del municipio | clave municipio | clave inegi | home municipality",
        N_("a name (within the state) or a five-digit INEGI key"),
    ),
    _field(
        "home_contact",
        False,
        "contacto | contacto en la comunidad | contacto en mexico | "
        "contacto local | contact in the home community | home contact",
    ),
    _field("federation", False, "federacion | federation", N_("the name of a federation already registered")),
    _field(
        "board", False, "mesa directiva | directiva | board", N_("one member per line, or separated by |")
    ),
)

PROJECT_FIELDS: tuple[ImportField, ...] = (
    _field(
        "club",
        True,
        "club | nombre del club | folio toma de nota | club migrante | club de migrantes | toma de nota",
        N_("the club's toma de nota folio or its name"),
    ),
    _field("program", True, "programa | program | programme", N_("e.g. 3x1, 4x1, 2x1-zacatecas")),
    _field("fiscal_year", True, "ejercicio | ejercicio fiscal | ano | ano fiscal | fiscal year | year"),
    _field(
        "category",
        True,
        "categoria | tipo de proyecto | tipo | vertiente | category",
        N_("a name, e.g. Infraestructura social, or a category id"),
    ),
    _field(
        "state_key",
        False,
        "estado | entidad | entidad federativa | clave del estado | state",
        N_("a name or an INEGI key"),
        label=N_("State (Mexico)"),
    ),
    _field(
        "municipality_key",
        True,
        "municipio | clave del municipio | clave municipio | clave inegi | municipality",
        N_("a name (within the state) or a five-digit INEGI key"),
    ),
    _field("locality", False, "localidad | comunidad | locality"),
    _field(
        "name",
        True,
        "nombre del proyecto | proyecto | nombre | project name | project | name",
        label=N_("Project name"),
    ),
    _field("description", False, "descripcion | descripcion del proyecto | description"),
    _field(
        "beneficiaries",
        False,
        "beneficiarios | numero de beneficiarios | no de beneficiarios | beneficiaries",
    ),
    _field(
        "cost",
        True,
        "costo | costo total | monto | monto total | inversion | inversion total | "
        "importe | total cost | cost",
        N_("pesos with a decimal point, e.g. 1,250,000.00"),
    ),
    _field(
        "submitted_on",
        False,
        "fecha de solicitud | fecha solicitud | fecha | date of the request | submitted on | date",
        N_("a date, dd/mm/yyyy; when missing, today"),
    ),
)

FIELDS: dict[str, tuple[ImportField, ...]] = {"clubs": CLUB_FIELDS, "projects": PROJECT_FIELDS}


def fields_of(kind: str) -> tuple[ImportField, ...]:
    """The fields of ``kind`` (``"clubs"`` or ``"projects"``).

    Raises:
        InputError: ``import.unknown_kind`` naming the kinds allowed.
    """
    if kind not in FIELDS:
        raise InputError(
            Problem("import_kind", "import.unknown_kind", {"kind": kind, "allowed": ", ".join(KINDS)})
        )
    return FIELDS[kind]


def _match(header: str, spec: ImportField) -> int:
    """How well ``header`` names ``spec``: 2 exactly, 1 by a longer header starting with a synonym."""
    norm = normalise(header)
    synonyms = [normalise(s) for s in spec.synonyms] + [normalise(spec.key.replace("_", " "))]
    if norm in synonyms or norm == normalise(spec.label):
        return 2
    # "Nombre del club migrante" still names the club; one-word synonyms are too loose for this.
    if any(len(s.split()) > 1 and norm.startswith(s + " ") for s in synonyms):
        return 1
    return 0


def suggest_mapping(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """The automatic mapping ``{file header: field key}``; headers it cannot place are left out.

    Each field is given to at most one header: an exact synonym beats a longer header that starts
    with one, and among equals the leftmost column wins. Synonyms that name a field of the other
    kind only (a club's "Estado (EUA)") are never guessed for this one.
    """
    specs = fields_of(kind)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for strength in (2, 1):
        for header in headers:
            if header in mapping:
                continue
            # The first field listing this header as a synonym wins (fields are in priority order).
            for spec in specs:
                if spec.key not in taken and _match(header, spec) == strength:
                    mapping[header] = spec.key
                    taken.add(spec.key)
                    break
    return mapping


def guess_kind(headers: Sequence[str]) -> str:
    """``"clubs"`` or ``"projects"``: the kind whose required fields the headers name best."""

    def score(kind: str) -> tuple[int, int]:
        mapped = set(suggest_mapping(kind, headers).values())
        required = [f.key for f in FIELDS[kind] if f.required]
        return (sum(k in mapped for k in required) * 100 // len(required), len(mapped))

    return max(KINDS, key=score)


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file: where (spreadsheet row, the file's column header) and why.

    ``row`` is the spreadsheet row as the officer sees it (the header row for a problem with the
    columns); ``column`` is the file's header text, or "" when the problem is the whole row's.
    """

    row: int
    column: str
    problem: Problem

    def reason(self) -> str:
        """Why, as a sentence in the current language."""
        return describe(self.problem, with_field=not self.column)

    def describe(self) -> str:
        """Row, column and reason in one line: "row 7, column «Costo»: …"."""
        if self.column:
            return _("row {row}, column «{column}»: {reason}").format(
                row=self.row, column=self.column, reason=self.reason()
            )
        return _("row {row}: {reason}").format(row=self.row, reason=self.reason())


@dataclass(frozen=True)
class ImportRow:
    """One data row: the cells as read, what they were read as, and what is wrong with it.

    Attributes:
        row: the spreadsheet row number.
        cells: the text of each file column, in the file's order.
        values: the parsed value of each mapped field (dates, centavos, INEGI keys, club ids...).
        problems: what keeps the row out; empty for a valid row.
        created: the folio (projects) or toma folio (clubs) the row got or would get; "" if none.
    """

    row: int
    cells: tuple[str, ...]
    values: Mapping[str, object] = field(default_factory=dict)
    problems: tuple[ImportProblem, ...] = ()
    created: str = ""

    @property
    def ok(self) -> bool:
        """Whether the row can be imported."""
        return not self.problems

    def bad_columns(self) -> dict[str, list[str]]:
        """Reasons by file column ("" for problems of the whole row)."""
        result: dict[str, list[str]] = {}
        for p in self.problems:
            result.setdefault(p.column, []).append(p.reason())
        return result


@dataclass(frozen=True)
class ImportPreview:
    """What importing a file would do, row by row.

    Attributes:
        kind: ``"clubs"`` or ``"projects"``.
        source: the file as read.
        mapping: ``{file header: field key}`` used.
        rows: every data row with its parsed values and problems.
        missing_columns: keys of required fields no column is mapped to.
        extra_columns: file headers mapped to nothing (ignored).
        file_problems: problems with the columns themselves (missing, mapped twice): while there is
            one, nothing is imported, not even the valid rows.
    """

    kind: str
    source: SourceTable
    mapping: Mapping[str, str]
    rows: tuple[ImportRow, ...]
    missing_columns: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()
    file_problems: tuple[ImportProblem, ...] = ()

    @property
    def valid_count(self) -> int:
        """Rows that can be imported."""
        return sum(1 for r in self.rows if r.ok)

    @property
    def error_count(self) -> int:
        """Rows with at least one problem."""
        return sum(1 for r in self.rows if not r.ok)

    @property
    def problems(self) -> tuple[ImportProblem, ...]:
        """Every problem, the file's first, then by row."""
        return self.file_problems + tuple(p for r in self.rows for p in r.problems)

    @property
    def can_import_all(self) -> bool:
        """Whether "import everything" may run: rows to import and no problem anywhere."""
        return bool(self.rows) and not self.problems

    @property
    def can_import_valid(self) -> bool:
        """Whether "import only the valid rows" may run: the columns are right and some row is valid."""
        return not self.file_problems and self.valid_count > 0


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    ``written`` is False for a dry run and for an import refused because of problems (then
    ``imported`` is 0 and nothing was written); ``preview`` holds every row's outcome.
    """

    preview: ImportPreview
    imported: int
    skipped: int
    written: bool
    created: tuple[str, ...] = ()


# --- Parsing cells -------------------------------------------------------------------------------


class _CellError(Exception):
    """A cell cannot be read as its field; carries the problem (internal)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


def _text(cell: Cell) -> str:
    return cell.text.strip()


def parse_whole(cell: Cell, field_key: str) -> int | None:
    """A whole number from a cell (``1,200`` allowed; ``12.5`` refused); None when empty."""
    value = cell.value
    if isinstance(value, bool):
        raise _CellError(Problem(field_key, "number.not_whole", {"text": cell.text}))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _CellError(Problem(field_key, "number.not_whole", {"text": cell.text}))
    text = _text(cell)
    if not text:
        return None
    if re.fullmatch(r"[-+]?[0-9]{1,3}(,[0-9]{3})+", text):
        text = text.replace(",", "")
    if re.fullmatch(r"[-+]?[0-9]+", text) and len(text) < 16:
        return int(text)
    raise _CellError(Problem(field_key, "number.not_whole", {"text": cell.text}))


# Digits are ASCII only: "٢٠١٨" or "２０１８" is refused like an amount with them (Money.parse).
_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})")
_YMD = re.compile(r"([0-9]{4})[/.-]([0-9]{1,2})[/.-]([0-9]{1,2})")
#: A time of day after a date: hh:mm or hh:mm:ss (24 h), an optional fraction; checked, then ignored.
_TIME = re.compile(r"(?:T|\s+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,6})?)?")


def parse_date(cell: Cell, field_key: str) -> date | None:
    """A date from a cell: a spreadsheet date, or text dd/mm/yyyy (es-MX) or yyyy-mm-dd; None if empty.

    Two-digit years are 20yy (the programme began in 2002). A time after the date is ignored once it
    is checked to be a real time (``16/02/2026 99:99`` is refused). Digits must be ASCII.
    """
    value = cell.value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(cell)
    if not text:
        return None
    head = text if not isinstance(value, int | float) else ""
    found = None
    if m := _YMD.match(head):
        found = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _DMY.match(head):
        year = int(m.group(3))
        found = (year + 2000 if year < 100 else year, int(m.group(2)), int(m.group(1)))
    if found is not None and m is not None and not _valid_time(head[m.end() :]):
        found = None  # "16/02/2026 99:99": a time that is no time makes the whole cell doubtful
    if found is not None:
        try:
            return date(*found)
        except ValueError:
            pass
    raise _CellError(Problem(field_key, "import.bad_date", {"text": cell.text}))


def _valid_time(rest: str) -> bool:
    """Whether what follows a date is nothing, or a real time of day (00:00 to 23:59:59)."""
    if not rest.strip():
        return True
    m = _TIME.fullmatch(rest.rstrip())
    if m is None:
        return False
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    return hour < 24 and minute < 60 and second < 60


def parse_amount(cell: Cell, field_key: str) -> int:
    """Centavos from a cell, through :meth:`Money.parse` (the one way in; numbers are written out)."""
    value = cell.value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            # repr() gives the shortest text that reads back as the same float: 1234.56, not 1234.559…
            text = format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")
        except InvalidOperation:
            text = cell.text
    else:
        text = cell.text
    try:
        return Money.parse(text, field=field_key).centavos
    except InputError as exc:
        raise _CellError(exc.problems[0]) from None


# --- Reference data for names --------------------------------------------------------------------

_STATE_ALIASES = {
    "cdmx": "09",
    "df": "09",
    "d f": "09",
    "distrito federal": "09",
    "ciudad de mexico": "09",
    "estado de mexico": "15",
    "edo de mexico": "15",
    "edomex": "15",
    "edo mex": "15",
    "coahuila": "05",
    "michoacan": "16",
    "veracruz": "30",
}

_US_STATES = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "district of columbia": "DC",
    "distrito de columbia": "DC",
    "washington dc": "DC",
    "washington d c": "DC",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "hawai": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "luisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "misisipi": "MS",
    "missouri": "MO",
    "misuri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "nuevo hampshire": "NH",
    "new jersey": "NJ",
    "nueva jersey": "NJ",
    "new mexico": "NM",
    "nuevo mexico": "NM",
    "new york": "NY",
    "nueva york": "NY",
    "north carolina": "NC",
    "carolina del norte": "NC",
    "north dakota": "ND",
    "dakota del norte": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "pensilvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "carolina del sur": "SC",
    "south dakota": "SD",
    "dakota del sur": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "tejas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "virginia occidental": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "puerto rico": "PR",
}

#: Category names offices write (Spanish and English), folded with :func:`normalise`.
_CATEGORY_ALIASES = {
    "infraestructura social": "infrastructure",
    "infraestructura": "infrastructure",
    "infraestructura social basica": "infrastructure",
    "obra": "infrastructure",
    "servicios comunitarios": "community-services",
    "servicio comunitario": "community-services",
    "proyectos de servicios comunitarios": "community-services",
    "educativo": "education",
    "educativos": "education",
    "educacion": "education",
    "proyectos educativos": "education",
    "becas": "scholarships",
    "becas 3x1": "scholarships",
    "becas educativas": "scholarships",
    "beca": "scholarships",
    "productivo comunitario": "productive-community",
    "proyecto productivo comunitario": "productive-community",
    "productivo familiar": "productive-family",
    "proyecto productivo familiar": "productive-family",
    "productivo individual": "productive-individual",
    "proyecto productivo individual": "productive-individual",
}


def category_id(text: str) -> str:
    """The category id a cell names (an id, or a Spanish or English name); the text itself if none."""
    norm = normalise(text)
    for category in Category:
        if norm == normalise(category.value):
            return category.value
    if norm in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[norm]
    for cat_id, msgid in CATEGORY_LABELS.items():
        if norm in (normalise(msgid), normalise(_(msgid))):
            return cat_id
    return text.strip()


def program_id(text: str) -> str:
    """The programme id a cell names (an id or a programme's name); the text itself if none."""
    norm = normalise(text)
    for program in rulebook().programs.values():
        if norm in (normalise(program.id), normalise(program.name_es), normalise(program.name_en)):
            return program.id
    return text.strip()


def us_state_code(text: str) -> str:
    """The two-letter code of a US state given by code or (English or Spanish) name; else the text."""
    norm = normalise(text)
    if len(norm) == 2 and norm.isalpha():
        return norm.upper()
    return _US_STATES.get(norm, text.strip())


class _Places:
    """States and municipalities by folded name, loaded once per run."""

    def __init__(self, session: Session):
        self.state_names: dict[str, str] = {}
        self.state_by_name: dict[str, str] = dict(_STATE_ALIASES)
        for key, name, abbrev in session.execute(select(State.key, State.name, State.abbrev)):
            self.state_names[key] = name
            self.state_by_name[normalise(name)] = key
            self.state_by_name[normalise(abbrev)] = key
        self.names: dict[str, tuple[str, str]] = {}  # key -> (name, state key)
        self.by_state: dict[str, dict[str, list[str]]] = {}
        self.seats: dict[str, dict[str, list[str]]] = {}
        self.by_name: dict[str, list[str]] = {}
        for key, state_key, name, seat in session.execute(
            select(Municipality.key, Municipality.state_key, Municipality.name, Municipality.seat)
        ):
            self.names[key] = (name, state_key)
            self.by_state.setdefault(state_key, {}).setdefault(normalise(name), []).append(key)
            if seat:
                self.seats.setdefault(state_key, {}).setdefault(normalise(seat), []).append(key)
            self.by_name.setdefault(normalise(name), []).append(key)

    def state(self, cell: Cell, field_key: str) -> str | None:
        """The INEGI key of the state a cell names (key, name or abbreviation); None when empty."""
        text = _text(cell)
        if not text:
            return None
        if text.isascii() and text.isdigit() and len(text) <= 2:
            if text.zfill(2) in self.state_names:
                return text.zfill(2)
        elif (found := self.state_by_name.get(normalise(text))) is not None:
            return found
        raise _CellError(Problem(field_key, "import.state_unknown", {"text": text}))

    def label(self, key: str) -> str:
        """A municipality as the officer reads it, as in "Jerez (Zacatecas, 32020)"."""
        name, state_key = self.names[key]
        return f"{name} ({self.state_names.get(state_key, state_key)}, {key})"

    def municipality(self, cell: Cell, state_key: str | None, field_key: str) -> str | None:
        """The five-digit key of the municipality a cell names; None when empty.

        A five-digit key is taken as it is (the services check it exists and lies in the state); a
        four-digit one lost its leading zero in a spreadsheet (1001 is 01001); one to three digits
        are the municipal code within the state. A name is looked up, ignoring accents and case,
        within the state (in the whole country when no state is known) and must name exactly one.
        """
        text = _text(cell)
        if not text:
            return None
        if text.isascii() and text.isdigit():
            if len(text) in (4, 5):
                return text.zfill(5)
            if len(text) <= 3 and state_key:
                return state_key + text.zfill(3)
        norm = normalise(text)
        found = self.by_state.get(state_key, {}).get(norm, []) if state_key else self.by_name.get(norm, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise _CellError(
                Problem(
                    field_key,
                    "import.municipality_ambiguous",
                    {"name": text, "candidates": "; ".join(self.label(k) for k in sorted(found))},
                )
            )
        if state_key:
            names = self.by_state.get(state_key, {})
            seats = self.seats.get(state_key, {})
            close = difflib.get_close_matches(norm, [*names, *seats], n=3, cutoff=0.75)
            keys = sorted({k for c in close for k in (names.get(c) or seats.get(c) or [])})
            state = self.state_names.get(state_key, state_key)
            if keys:
                return self._not_found(
                    field_key,
                    "import.municipality_not_found_similar",
                    {
                        "name": text,
                        "state": state,
                        "suggestions": "; ".join(f"{self.names[k][0]} ({k})" for k in keys),
                    },
                )
            return self._not_found(field_key, "import.municipality_not_found", {"name": text, "state": state})
        return self._not_found(field_key, "import.municipality_not_found_anywhere", {"name": text})

    @staticmethod
    def _not_found(field_key: str, code: str, params: dict[str, str]) -> str:
        raise _CellError(Problem(field_key, code, params))


# --- Running the import ----------------------------------------------------------------------------


class _SessionDatabase:
    """A stand-in for :class:`Database` whose "transactions" run in one outer session.

    The import calls the real use cases (``register_club``, ``submit_project``), which each open a
    transaction; here that transaction is the import's own, and each row runs in a savepoint, so the
    rules live in one place and the whole file still commits or rolls back as one.
    """

    def __init__(self, session: Session):
        self._session = session

    @contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[Session]:
        yield self._session


class _RefusedError(Exception):
    """Leave the transaction without committing (internal)."""


#: Problems to drop when a field could not be read (or has no column) and a stand-in value was used
#: to check the rest of the row: what the services say about the stand-in, or about what depends on
#: it, would be noise. Keys are our fields; values, problem fields (first dotted part) and codes.
_DEPENDENT: dict[str, frozenset[str]] = {
    "toma_issued_on": frozenset({"toma_issued_on", "toma_expires_on"}),
    "toma_expires_on": frozenset({"toma_expires_on"}),
    "home_state_key": frozenset({"home_state_key", "home_municipality_key"}),
    "home_municipality_key": frozenset({"home_state_key", "home_municipality_key"}),
    "state_key": frozenset({"state_key", "municipality_key"}),
    "municipality_key": frozenset({"state_key", "municipality_key"}),
    "fiscal_year": frozenset({"fiscal_year", "year", "rules.category_not_in_program"}),
    "program": frozenset({"program", "year", "category", "mix", "partner", "shares"}),
    "category": frozenset({"category", "year", "mix", "partner", "shares"}),
    "cost": frozenset({"cost", "mix", "partner", "shares"}),
    "submitted_on": frozenset({"club.toma_lapsed", "club.toma_not_yet_valid"}),
}
#: Problem fields the services use that point at another of our fields' columns.
_PROBLEM_FIELD = {
    "year": "fiscal_year",
    "mix": "cost",
    "partner": "cost",
    "partner_amount": "cost",
    "shares": "cost",
    "students": "cost",
}


class _RowRun:
    """Reading, checking and storing one data row."""

    def __init__(self, engine: _Engine, number: int, cells: tuple[Cell, ...]):
        self.engine = engine
        self.number = number
        self.cells = cells
        self.values: dict[str, object] = {}
        self.problems: list[ImportProblem] = []
        # Fields checked with a stand-in value (unreadable, or no column): see _DEPENDENT.
        self.failed: set[str] = set(engine.missing)
        # Codes already said better by the import itself (a folio repeated within the file).
        self.suppress: set[str] = set()

    def cell(self, key: str) -> Cell | None:
        """The row's cell in the column mapped to ``key``; None when no column is."""
        index = self.engine.column_of.get(key)
        return None if index is None else self.cells[index]

    def add(self, problem: Problem, key: str | None = None) -> None:
        """Record a problem at the column of ``key`` (by default, of the problem's own field)."""
        if key is None:
            base = problem.field.split(".")[0].split("[")[0]
            key = _PROBLEM_FIELD.get(base, base)
        self.problems.append(ImportProblem(self.number, self.engine.header_of.get(key, ""), problem))

    def read(self, key: str, parse: Callable[[Cell], Any], *, required: bool = False) -> Any:
        """The parsed value of a field, or None (the field is then marked failed when it is needed)."""
        cell = self.cell(key)
        if cell is None:
            return None
        if cell.error is not None:
            code = "import.formula" if cell.error == "formula" else "import.cell_error"
            self.add(Problem(key, code, {"text": cell.text}), key)
            self.failed.add(key)
            return None
        try:
            value = parse(cell)
        except _CellError as exc:
            self.add(replace(exc.problem, field=key), key)
            self.failed.add(key)
            return None
        if value is None and required:
            self.add(Problem(key, "text.required", {}), key)
            self.failed.add(key)
        if value is not None:
            self.values[key] = value
        return value

    def text(self, key: str, *, required: bool = False) -> str:
        """A text field, trimmed ("" when empty or unmapped)."""
        return self.read(key, lambda c: _text(c) or None, required=required) or ""

    def skip(self, key: str) -> None:
        """Leave a field unchecked: what it depends on could not be read (already reported)."""
        self.failed.add(key)

    def keep(self, problem: Problem) -> bool:
        """Whether a service's problem is about the row itself rather than a stand-in value."""
        if problem.code in self.suppress:
            return False
        base = problem.field.split(".")[0].split("[")[0]
        for key in self.failed:
            dependent = _DEPENDENT.get(key, frozenset({key}))
            if key == base or base in dependent or problem.code in dependent:
                return False
        return True

    def run_service(self, call: Callable[[], Any]) -> Any:
        """Call a use case in a savepoint; keep what it stored only when the whole row is valid."""
        savepoint = self.engine.session.begin_nested()
        try:
            result = call()
        except InputError as exc:
            savepoint.rollback()
            for problem in exc.problems:
                if self.keep(problem):
                    self.add(problem)
            return None
        if self.problems or self.failed:
            savepoint.rollback()  # stored with a stand-in or beside a problem: never kept
            return None
        savepoint.commit()
        return result

    def result(self, created: str = "") -> ImportRow:
        """The row's outcome, its problems in the file's column order (the row's own first)."""
        headers = self.engine.source.headers
        problems = sorted(self.problems, key=lambda p: headers.index(p.column) if p.column else -1)
        return ImportRow(
            self.number,
            tuple(c.text for c in self.cells),
            dict(self.values),
            tuple(problems),
            created if not problems else "",
        )


class _Engine:
    """One run over a file: the preview (rolled back) and the import (committed) share it."""

    def __init__(
        self,
        session: Session,
        source: SourceTable,
        kind: str,
        mapping: Mapping[str, str | None],
        *,
        user: str,
    ):
        self.session = session
        self.source = source
        self.kind = kind
        self.user = user
        self.db = cast(Database, _SessionDatabase(session))
        specs = fields_of(kind)
        keys = [s.key for s in specs]
        self.mapping = {h: f for h, f in mapping.items() if f and h in source.headers}
        unknown = sorted(set(self.mapping.values()) - set(keys))
        if unknown:
            raise ValueError(f"unknown {kind} fields in the mapping: {unknown}")
        self.column_of: dict[str, int] = {}
        self.header_of: dict[str, str] = {}
        self.file_problems: list[ImportProblem] = []
        for key in keys:
            headers = [h for h in source.headers if self.mapping.get(h) == key]
            if headers:
                self.column_of[key] = source.headers.index(headers[0])
                self.header_of[key] = headers[0]
            if len(headers) > 1:
                self.file_problems.append(
                    ImportProblem(
                        source.header_row,
                        "",
                        Problem(
                            key,
                            "import.field_mapped_twice",
                            {"columns": ", ".join(f"«{h}»" for h in headers)},
                        ),
                    )
                )
        self.missing = tuple(s.key for s in specs if s.required and s.key not in self.column_of)
        for key in self.missing:
            self.file_problems.append(
                ImportProblem(source.header_row, "", Problem(key, "import.missing_column"))
            )
        if not source.rows:
            self.file_problems.append(ImportProblem(source.header_row, "", Problem("file", "import.no_rows")))
        self.places = _Places(session)
        self.seen: dict[tuple[object, ...], int] = {}
        self.comment = IMPORT_COMMENT.format(file=source.name)
        self._federations: dict[str, tuple[int, str]] | None = None
        self._clubs_by_folio: dict[str, list[int]] | None = None
        self._clubs_by_name: dict[str, list[tuple[int, str]]] = {}
        # Projects stored before this run, by (club id, fiscal year): folded name -> (name, folio).
        self._stored: dict[tuple[int, int], dict[str, tuple[str, str]]] = {}

    def _place(
        self,
        row: _RowRun,
        state_key: str,
        muni_key: str,
        *,
        fallback_state: str | None = None,
    ) -> tuple[str | None, str | None]:
        """Read a state and a municipality (by name within that state, or by key)."""
        places = self.places
        state = row.read(state_key, lambda c: places.state(c, state_key))
        if state_key in row.failed:
            row.skip(muni_key)  # a name cannot be looked up in a state that is not known
            return None, None
        muni = row.read(
            muni_key, lambda c: places.municipality(c, state or fallback_state, muni_key), required=True
        )
        if state is None and muni_key not in row.failed:
            state = (muni[:2] if muni else None) or fallback_state
            if state is not None:
                row.values[state_key] = state
        return state, muni

    # -- clubs ----------------------------------------------------------------------------------

    def club_row(self, row: _RowRun) -> ImportRow:
        """Check (and store, in the row's savepoint) one club."""
        federation_id = federation_state = None
        fed_text = row.text("federation")
        if fed_text:
            found = self._federation(fed_text)
            if found is None:
                row.add(Problem("federation", "import.federation_unknown", {"name": fed_text}), "federation")
                row.failed.add("federation")
            else:
                federation_id, federation_state = found
                row.values["federation"] = federation_id
        state, muni = self._place(
            row, "home_state_key", "home_municipality_key", fallback_state=federation_state
        )
        issued = row.read("toma_issued_on", lambda c: parse_date(c, "toma_issued_on"), required=True)
        expires = row.read("toma_expires_on", lambda c: parse_date(c, "toma_expires_on"))
        members = row.read("members", lambda c: parse_whole(c, "members"), required=True)
        us_state = row.read("us_state", lambda c: us_state_code(_text(c)) or None, required=True)
        folio = row.text("toma_folio")
        stand_in_issued = issued or date.today()
        if expires is None and issued is not None and "toma_expires_on" not in row.failed:
            # No expiry written: a toma de nota is valid two years (the longest check_club allows).
            expires = toma_latest_expiry(issued)
            row.values["toma_expires_on"] = expires
        data = ClubInput(
            name=row.text("name"),
            toma_folio=folio,
            toma_issuer=row.text("toma_issuer"),
            toma_issued_on=stand_in_issued,
            toma_expires_on=expires or toma_latest_expiry(stand_in_issued),
            members=MIN_CLUB_MEMBERS if members is None else members,
            us_city=row.text("us_city"),
            us_state=us_state or "CA",
            home_state_key=state or (muni or "32")[:2],
            home_municipality_key=muni or (state or "32") + "001",
            home_contact=row.text("home_contact"),
            federation_id=federation_id,
            board=tuple(b.strip() for b in re.split(r"[|\n]", row.text("board")) if b.strip()),
        )
        if folio:
            first = self.seen.setdefault(("folio", folio.casefold()), row.number)
            if first != row.number:
                row.add(
                    Problem(
                        "toma_folio", "import.duplicate_folio_in_file", {"folio": folio, "first_row": first}
                    ),
                    "toma_folio",
                )
                row.suppress.add("toma.duplicate_folio")
        club = row.run_service(lambda: register_club(self.db, data))
        return row.result(club.toma_folio if club else "")

    def _federation(self, text: str) -> tuple[int, str] | None:
        if self._federations is None:
            self._federations = {
                normalise(name): (fid, state)
                for fid, name, state in self.session.execute(
                    select(Federation.id, Federation.name, Federation.mx_state_key)
                )
            }
        return self._federations.get(normalise(text))

    # -- projects -------------------------------------------------------------------------------

    def _club(self, cell: Cell) -> int | None:
        """The club a cell names by toma de nota folio (any case) or by name (any case or accent)."""
        text = _text(cell)
        if not text:
            return None
        if self._clubs_by_folio is None:
            self._clubs_by_folio = {}
            for cid, name, folio in self.session.execute(select(Club.id, Club.name, Club.toma_folio)):
                self._clubs_by_folio.setdefault(folio.casefold(), []).append(cid)
                self._clubs_by_name.setdefault(normalise(name), []).append((cid, folio))
        by_folio = self._clubs_by_folio.get(text.casefold(), [])
        if len(by_folio) == 1:
            return by_folio[0]
        found = self._clubs_by_name.get(normalise(text), [])
        if len(found) == 1:
            return found[0][0]
        if found:
            raise _CellError(
                Problem(
                    "club",
                    "import.club_ambiguous",
                    {"name": text, "folios": ", ".join(sorted(f for _i, f in found))},
                )
            )
        raise _CellError(Problem("club", "import.club_not_found", {"text": text}))

    def project_row(self, row: _RowRun) -> ImportRow:
        """Check (and take in, in the row's savepoint) one project request."""
        club_id = row.read("club", self._club, required=True)
        program = row.read("program", lambda c: program_id(_text(c)) or None, required=True)
        year = row.read("fiscal_year", lambda c: parse_whole(c, "fiscal_year"), required=True)
        category = row.read("category", lambda c: category_id(_text(c)) or None, required=True)
        state, muni = self._place(row, "state_key", "municipality_key")
        cost = row.read("cost", lambda c: parse_amount(c, "cost"))
        beneficiaries = row.read("beneficiaries", lambda c: parse_whole(c, "beneficiaries"))
        submitted = row.read("submitted_on", lambda c: parse_date(c, "submitted_on"))
        if submitted is None and "submitted_on" not in row.failed:
            submitted = date.today()  # no date written: requested today, as in the intake form
            row.values["submitted_on"] = submitted
        name = row.text("name")
        data = ProjectInput(
            club_id=club_id or 0,
            program=program or "3x1",
            fiscal_year=2020 if year is None else year,
            category=category or Category.INFRASTRUCTURE.value,
            state_key=state or (muni or "32")[:2],
            municipality_key=muni or (state or "32") + "001",
            name=name,
            cost=100_000_000 if cost is None else cost,
            submitted_on=submitted or date.today(),
            locality=row.text("locality"),
            description=row.text("description"),
            beneficiaries=0 if beneficiaries is None else beneficiaries,
        )
        if club_id and year and name:
            key = ("project", club_id, year, normalise(name))
            first = self.seen.setdefault(key, row.number)
            if first != row.number:
                row.add(Problem("name", "import.duplicate_project_in_file", {"first_row": first}), "name")
            else:
                self._check_stored_duplicate(row, club_id, year, name)
        detail = row.run_service(lambda: submit_project(self.db, data, user=self.user))
        if detail is None:
            return row.result()
        self.session.execute(
            update(StageChange).where(StageChange.project_id == detail.id).values(comment=self.comment)
        )
        return row.result(detail.folio)

    def _check_stored_duplicate(self, row: _RowRun, club_id: int, year: int, name: str) -> None:
        """A project of the same club, year and name already stored (usually a file imported twice)."""
        stored = self._stored.get((club_id, year))
        if stored is None:
            stored = self._stored[(club_id, year)] = {
                normalise(n): (n, folio)
                for folio, n in self.session.execute(
                    select(Project.folio, Project.name).where(
                        Project.club_id == club_id, Project.fiscal_year == year
                    )
                )
            }
        found = stored.get(normalise(name))
        if found is not None:
            row.add(
                Problem("name", "project.duplicate", {"name": found[0], "year": year, "folio": found[1]}),
                "name",
            )

    # -- the run --------------------------------------------------------------------------------

    def run(self, progress: Progress, cancel: CancelToken | None, *, writing: bool) -> list[ImportRow]:
        """Check (and, in savepoints, store) every row; raises ``Cancelled`` between rows."""
        total = len(self.source.rows)
        check = self.club_row if self.kind == "clubs" else self.project_row
        step = _("Importing row {done} of {total}…") if writing else _("Checking row {done} of {total}…")
        rows: list[ImportRow] = []
        for done, (number, cells) in enumerate(self.source.rows):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if done % _PROGRESS_EVERY == 0:
                progress(done, total, step.format(done=done + 1, total=total))
            rows.append(check(_RowRun(self, number, cells)))
            # What a row stored is flushed and no longer needed as objects; a session holding thousands
            # of them makes every later flush slower.
            self.session.expunge_all()
        progress(total, total, "")
        return rows

    def preview(self, rows: Sequence[ImportRow]) -> ImportPreview:
        return ImportPreview(
            kind=self.kind,
            source=self.source,
            mapping=dict(self.mapping),
            rows=tuple(rows),
            missing_columns=self.missing,
            extra_columns=tuple(h for h in self.source.headers if h not in self.mapping),
            file_problems=tuple(self.file_problems),
        )


def _source(file: SourceTable | str | Path, sheet: str | None) -> SourceTable:
    return file if isinstance(file, SourceTable) else read_file(file, sheet=sheet)


def _execute(
    db: Database,
    file: SourceTable | str | Path,
    kind: str,
    mapping: Mapping[str, str | None] | None,
    *,
    commit: bool,
    valid_only: bool,
    user: str,
    sheet: str | None,
    progress: Progress,
    cancel: CancelToken | None,
) -> ImportResult:
    fields_of(kind)  # an unknown kind is refused before the file is read
    source = _source(file, sheet)
    if mapping is None:
        mapping = suggest_mapping(kind, source.headers)
    outcome: ImportResult | None = None
    try:
        # IMMEDIATE: the write lock is taken at once, so no other desktop slips a folio or a club in
        # between our checks and our inserts.
        with db.transaction(immediate=True) as session:
            engine = _Engine(session, source, kind, mapping, user=user)
            rows = engine.run(progress, cancel, writing=commit)
            preview = engine.preview(rows)
            keep = (
                commit
                and not preview.file_problems
                and (preview.valid_count > 0 if valid_only else preview.can_import_all)
            )
            if cancel is not None:
                cancel.raise_if_cancelled()
            created = tuple(r.created for r in rows if r.ok and r.created)
            if not keep:
                outcome = ImportResult(preview, 0, len(rows), False)
                raise _RefusedError()
            outcome = ImportResult(preview, preview.valid_count, preview.error_count, True, created)
    except _RefusedError:
        pass
    assert outcome is not None
    return outcome


def preview(
    db: Database,
    file: SourceTable | str | Path,
    kind: str,
    mapping: Mapping[str, str | None] | None = None,
    *,
    sheet: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> ImportPreview:
    """Check every row of a file as the import would, and write nothing.

    The rows really go through the use cases, in a transaction that is rolled back at the end, so
    a preview finds exactly what the import would refuse (a folio already used, a lapsed toma de
    nota on the request's date, a programme without rules for the year...).

    Args:
        db: the database the rows would go into.
        file: a path, or a :class:`SourceTable` already read.
        kind: ``"clubs"`` or ``"projects"``.
        mapping: ``{file header: field key}``; None for :func:`suggest_mapping`'s.
        sheet: the worksheet of an XLSX file (the first when None).
        progress: told how many rows were checked.
        cancel: stops the check (raises ``Cancelled``).

    Raises:
        InputError: the file cannot be read (see :func:`read_file`) or ``kind`` is unknown.
    """
    return _execute(
        db,
        file,
        kind,
        mapping,
        commit=False,
        valid_only=False,
        user="",
        sheet=sheet,
        progress=progress,
        cancel=cancel,
    ).preview


def run_import(
    db: Database,
    file: SourceTable | str | Path,
    kind: str,
    mapping: Mapping[str, str | None] | None = None,
    *,
    valid_only: bool = False,
    user: str = "",
    sheet: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> ImportResult:
    """Import a file's clubs or projects in ONE transaction.

    Nothing is written unless every row is valid, or, with ``valid_only``, only the valid rows are
    (never while a required column is missing). Clubs are registered as :func:`register_club` does;
    projects are taken in as :func:`submit_project` does (stage "solicitado", shares computed, rule
    set frozen) with the stage change commented "Importado de <file name>".

    Returns:
        The result; ``written`` False and ``imported`` 0 when the import was refused for problems
        (the preview inside says which).

    Raises:
        InputError: the file cannot be read or ``kind`` is unknown.
        Cancelled: ``cancel`` was set; everything was rolled back.
    """
    require(db, "data.import")
    return _execute(
        db,
        file,
        kind,
        mapping,
        commit=True,
        valid_only=valid_only,
        user=user,
        sheet=sheet,
        progress=progress,
        cancel=cancel,
    )


def summary_line(preview: ImportPreview) -> str:
    """The preview in one line of the current language, as in "clubes.csv: 12 rows, 10 valid"."""
    return _("{file}: {rows} rows, {valid} valid, {bad} with errors").format(
        file=preview.source.name, rows=len(preview.rows), valid=preview.valid_count, bad=preview.error_count
    )


def value_text(key: str, value: object) -> str:
    """A parsed value as the officer reads it (amounts es-MX/en-US, dates dd/mm/yyyy)."""
    if key == "cost" and isinstance(value, int):
        return money_text(value)
    if isinstance(value, date):
        return date_text(value)
    return str(value)
