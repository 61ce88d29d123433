"""Hostile and broken input: hundreds of malformed values and files, each refused with a clear message.

Every input goes through a real use case (registry, projects, ledger, rates, the CSV/XLSX importer,
CFDI invoices attached to payments). Each must be refused with an InputError (or, for an import, a
refused result) whose every problem code has a Spanish message, never another exception, and the
database must be exactly as before (a hash of every table's rows, see ``tests/digest.py``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.digest import database_digest
from tests.services.test_ledger import TODAY, cfdi_file, fund, new_club, signed_project
from tests.services.test_registry_and_projects import club_input, project_input
from tresxuno.domain.ledger import ContributionInput, PaymentInput
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import FederationInput
from tresxuno.i18n import set_language
from tresxuno.messages import TEMPLATES, describe
from tresxuno.services.clubs import register_club, register_federation
from tresxuno.services.importer import run_import
from tresxuno.services.ledger import record_contribution, record_payment, reverse_entry
from tresxuno.services.project_requests import submit_project
from tresxuno.services.rates import import_rates_csv, set_rate

MEGABYTE = "x" * (1024 * 1024)
#: Text no officer types: control characters, NUL, lone surrogates (invalid UTF-8 decoded with
#: surrogateescape), a megabyte, bidi overrides, only spaces.
BAD_TEXTS = (
    "",
    "   ",
    "\x00",
    "Club\x00Jerez",
    "\x07\x08\x1b[31m",
    "línea\rrota",
    "\udcff\udcfe",
    "a\ud800b",
    MEGABYTE,
    "\u202eorez",
    "\x7f",
    "\ufeff\x00",
)
BAD_AMOUNTS = (0, -1, -100, -(10**18), 10**19, 10**30)
BAD_DAYS = (date(1, 1, 1), date(1900, 1, 1), date(9999, 12, 31), date(2999, 1, 1))
BAD_RFCS = (
    "",
    "XAXX",
    "ÑÑÑ010101AAA",
    "AAA991399AB1",
    "AAAA000000AAA",
    "GODE561231GR8XX",
    "GODE561231HDFRRN09",
    "1234567890123",
    "CPC1005124T0\x00",
    "\udcffPC1005124T0",
    MEGABYTE,
)
BAD_RATES = (
    "",
    "abc",
    "NaN",
    "inf",
    "-1",
    "0",
    "1e309",
    "20,5,3",
    "٢٠",
    "20.5\x00",
    "9" * 400,
    "\udcff",
    MEGABYTE,
)


def _known(problems: list[Problem]) -> list[str]:
    """Codes without a Spanish message, or rendered empty; [] when every problem is explained."""
    wrong = []
    for problem in problems:
        if problem.code not in TEMPLATES or not describe(problem).strip():
            wrong.append(problem.code)
    return wrong


class Harness:
    """Runs each hostile call, checks the refusal and the unchanged database, and counts."""

    def __init__(self, db) -> None:
        self.db = db
        self.tried = 0
        self.failures: list[str] = []
        self.digest = database_digest(db)

    def refuse(self, label: str, call: Callable[[], object]) -> None:
        self.tried += 1
        try:
            result = call()
        except InputError as exc:
            problems = list(exc.problems)
            if not problems or _known(problems):
                self.failures.append(f"{label}: unexplained codes {_known(problems)}")
        except Exception as exc:  # the point of the test: nothing else may escape
            self.failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
        else:
            problems = [p.problem for p in getattr(getattr(result, "preview", None), "problems", ())]
            if getattr(result, "written", True) or not problems or _known(problems):
                self.failures.append(f"{label}: accepted ({str(result)[:200]})")
        after = database_digest(self.db)
        if after != self.digest:
            self.failures.append(f"{label}: the database changed")
            self.digest = after


@pytest.fixture
def world(db, tmp_path):
    """A club, a funded project with a signed convenio, and the harness."""
    club = new_club(db)
    project = signed_project(db, tmp_path / "p", club_id=club.id)
    fund(db, project.id)
    return club, project, Harness(db)


def _texts(field: str, base: Callable[..., object]) -> Iterator[tuple[str, Callable[[], object]]]:
    for number, text in enumerate(BAD_TEXTS):
        yield f"{field} text #{number}", lambda text=text: base(**{field: text})


def _csv_files(folder: Path) -> Iterator[tuple[str, Path]]:
    header = "Nombre del club,Folio toma de nota,Expide,Fecha de expedición,Vigencia,Socios,Ciudad,Estado EUA"
    row = "Club Jerez,TN-LA-2018-0009,Consulado,2018-06-01,2020-05-31,20,Chicago,IL"
    contents: dict[str, bytes] = {
        "empty.csv": b"",
        "blank lines.csv": b"\n\n\n",
        "header only.csv": header.encode(),
        "binary.csv": bytes(range(256)) * 40,
        "nul bytes.csv": (header + "\n" + row.replace("Jerez", "Je\x00rez")).encode(),
        "invalid utf8.csv": header.encode() + b"\n\xff\xfe\xc3\x28," + row.encode(),
        "missing columns.csv": b"Nombre del club\nClub Jerez\n",
        "renamed columns.csv": ("Club,Toma,Quien,Desde,Hasta,Cuantos,City,State\n" + row).encode(),
        "extra columns only.csv": b"foo,bar,baz\n1,2,3\n",
        "hyperlink formula.csv": (
            header + "\n" + row.replace("Club Jerez", '=HYPERLINK("http://x","y")')
        ).encode(),
        "cmd formula.csv": (header + "\n" + row.replace("Club Jerez", "=cmd|' /C calc'!A0")).encode(),
        "plus formula.csv": (header + "\n" + row.replace("Chicago", "+1+1")).encode(),
        "at formula.csv": (header + "\n" + row.replace("Chicago", "@SUM(A1)")).encode(),
        "huge cell.csv": (header + "\n" + row.replace("Club Jerez", MEGABYTE[:400_000])).encode(),
        "unbalanced quotes.csv": (header + '\n"Club Jerez,TN,"x' * 3).encode(),
        "bad dates.csv": (header + "\n" + row.replace("2018-06-01", "31/02/2018")).encode(),
        "negative members.csv": (header + "\n" + row.replace(",20,", ",-5,")).encode(),
        "junk state.csv": (header + "\n" + row.replace(",IL", ",ZZ")).encode(),
        "control chars.csv": (header + "\n" + row.replace("Chicago", "Chi\x1bcago")).encode(),
        "duplicate header.csv": (header + ",Nombre del club\n" + row + ",Otro").encode(),
        "utf16 no bom.csv": (header + "\n" + row).encode("utf-16-le"),
        "only separators.csv": b",,,,,,,\n,,,,,,,\n",
        "sep line only.csv": b"sep=;\n",
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        path = folder / name
        path.write_bytes(data)
        yield name, path
    for name, rows in {
        "xlsx empty sheet": [],
        "xlsx formulas": [
            header.split(","),
            [
                '=HYPERLINK("http://x","y")',
                "=1+1",
                "=A1",
                "2018-06-01",
                "2020-05-31",
                "=SUM(1,2)",
                "Chicago",
                "IL",
            ],
        ],
        "xlsx missing columns": [["Nombre del club"], ["Club Jerez"]],
        "xlsx renamed columns": [["Club", "Toma", "Quien"], ["Club Jerez", "TN", "Consulado"]],
        "xlsx huge cell": [header.split(","), [MEGABYTE[:32_000], *row.split(",")[1:]]],
        "xlsx wrong types": [header.split(","), [3.5, True, None, "ayer", -1, "muchos", 7, 8]],
    }.items():
        book = Workbook()
        for values in rows:
            book.active.append(values)
        path = folder / f"{name}.xlsx"
        book.save(path)
        yield name, path
    for name, data in {"xlsx garbage": b"PK\x03\x04garbage" * 100, "xlsx empty": b""}.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(data)
        yield name, path
    path = folder / "xlsx without workbook.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    yield "xlsx without workbook", path
    path = folder / "file.exe"
    path.write_bytes(b"MZ\x90\x00")
    yield "unknown extension", path
    yield "missing file", folder / "no such file.csv"


def _cfdi_files(folder: Path) -> Iterator[tuple[str, Path]]:
    good = cfdi_file(folder, uuid="0f8c2a9e-3b71-4d0c-9e62-a1b4c7d8e9f0").read_text(encoding="utf-8")
    lol = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    contents: dict[str, bytes] = {
        "empty": b"",
        "binary": bytes(range(256)) * 10,
        "truncated": good.encode()[: len(good) // 2],
        "not xml": b"Factura por 500,000.00",
        "xxe file": (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + good.split("?>", 1)[1]
        )
        .replace("Total=", 'Folio="&x;" Total=', 1)
        .encode(),
        "xxe http": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1/x">]><r>&x;</r>',
        "billion laughs": f'<?xml version="1.0"?><!DOCTYPE r [{lol}]><r>&i;</r>'.encode(),
        "quadratic blowup": (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "'
            + "x" * 50_000
            + '">]><r>'
            + "&a;" * 2000
            + "</r>"
        ).encode(),
        "dtd only": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1/r.dtd"><r/>',
        "wrong namespace": good.replace(
            "http://www.sat.gob.mx/cfd/4", "http://example.invalid/cfd/4"
        ).encode(),
        "cfdi 3.3": good.replace("http://www.sat.gob.mx/cfd/4", "http://www.sat.gob.mx/cfd/3").encode(),
        "no complement": good.split("<cfdi:Complemento")[0].encode() + b"</cfdi:Comprobante>",
        "bad total": good.replace('Total="500000.00"', 'Total="quinientos mil"').encode(),
        "negative total": good.replace('Total="500000.00"', 'Total="-500000.00"').encode(),
        "huge total": good.replace('Total="500000.00"', 'Total="1e400"').encode(),
        "invalid utf8": good.encode().replace(b"Total=", b"\xff\xfeTotal=", 1),
        "utf16": good.encode("utf-16"),
        "nul": good.encode().replace(b"Total=", b"\x00Total=", 1),
        "processing instruction": b'<?xml version="1.0"?><?xml-stylesheet href="http://127.0.0.1/x"?><r/>',
        "xinclude": (
            b'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></r>'
        ),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        path = folder / f"{name}.xml"
        path.write_bytes(data)
        yield name, path


def test_hostile_inputs_are_refused_with_a_message_and_write_nothing(world, tmp_path, capsys):
    set_language("es")
    club, project, harness = world
    db = harness.db

    # Registry: federations and clubs.
    def federation(**changes):
        return register_federation(
            db, replace(FederationInput("Federación Zacatecana", "32", "Illinois"), **changes)
        )

    def club_with(**changes):
        return register_club(db, club_input(**{"toma_folio": "TN-LA-2024-0777", **changes}))

    for label, call in _texts("name", federation):
        harness.refuse(f"federation {label}", call)
    for key in ("", "00", "33", "3", "ZAC", "\x00\x00", "٣٢"):
        harness.refuse(f"federation state {key!r}", lambda key=key: federation(mx_state_key=key))
    for field in ("name", "toma_folio", "toma_issuer", "us_city"):
        for label, call in _texts(field, club_with):
            harness.refuse(f"club {label}", call)
    for members in (-1, 0, 10**12, -(10**18)):
        harness.refuse(f"club members {members}", lambda members=members: club_with(members=members))
    for issued, expires in (
        (date(2020, 1, 1), date(2019, 1, 1)),
        (date(1, 1, 1), date(1, 1, 2)),
        (date(9999, 1, 1), date(9999, 12, 31)),
    ):
        harness.refuse(
            f"club toma {issued}..{expires}",
            lambda i=issued, e=expires: club_with(toma_issued_on=i, toma_expires_on=e),
        )
    for state in ("", "ZZ", "Illinois", "I\x00", "il1"):
        harness.refuse(f"club us_state {state!r}", lambda state=state: club_with(us_state=state))
    for key in ("", "99999", "32999", "01001", "3202O", "\x00"):
        harness.refuse(f"club municipality {key!r}", lambda key=key: club_with(home_municipality_key=key))

    # Projects.
    def project_with(**changes):
        return submit_project(
            db, project_input(club.id, **{"fiscal_year": 2019, "submitted_on": date(2019, 3, 1), **changes})
        )

    for label, call in _texts("name", project_with):
        harness.refuse(f"project {label}", call)
    for cost in BAD_AMOUNTS:
        harness.refuse(f"project cost {cost}", lambda cost=cost: project_with(cost=cost))
    for year in (0, -1, 1900, 2999, 10**9):
        harness.refuse(f"project fiscal year {year}", lambda year=year: project_with(fiscal_year=year))
    for day in BAD_DAYS:
        harness.refuse(f"project submitted {day}", lambda day=day: project_with(submitted_on=day))
    for beneficiaries in (-1, -(10**12), 10**15):
        harness.refuse(
            f"project beneficiaries {beneficiaries}", lambda b=beneficiaries: project_with(beneficiaries=b)
        )
    for value in ("", "3x2", "3X1\x00", "fism"):
        harness.refuse(f"project program {value!r}", lambda value=value: project_with(program=value))
    for value in ("", "rocket", "\udcff"):
        harness.refuse(f"project category {value!r}", lambda value=value: project_with(category=value))

    # Ledger: contributions, payments (with hostile CFDI files), reversals.
    def contribution(**changes):
        data = replace(ContributionInput(project.id, "club", date(2019, 7, 1), amount=100_00), **changes)
        return record_contribution(db, data, user="tesorero", today=TODAY)

    for amount in BAD_AMOUNTS:
        harness.refuse(f"contribution amount {amount}", lambda amount=amount: contribution(amount=amount))
    for day in BAD_DAYS:
        harness.refuse(f"contribution date {day}", lambda day=day: contribution(entry_date=day))
    for party in ("", "bank", "CLUB", "club\x00", "\udcff", MEGABYTE):
        harness.refuse(f"contribution party {party[:8]!r}", lambda party=party: contribution(party=party))
    for usd, rate in (
        (100_00, ""),
        (100_00, "NaN"),
        (100_00, "-20"),
        (-5, "20.00"),
        (10**20, "20.00"),
        (100_00, "1e309"),
    ):
        harness.refuse(
            f"contribution usd {usd} at {rate!r}",
            lambda usd=usd, rate=rate: contribution(
                amount=None, usd_amount=usd, rate=rate, rate_date=date(2019, 7, 1), rate_source="FIX"
            ),
        )
    for number, text in enumerate(BAD_TEXTS[2:]):
        harness.refuse(
            f"contribution reference #{number}", lambda text=text: contribution(amount=10**15, reference=text)
        )
    harness.refuse("contribution project unknown", lambda: contribution(project_id=10**9))

    receipt = tmp_path / "recibo.pdf"
    receipt.write_bytes(b"%PDF-1.4 recibo")

    def payment(**changes):
        data = replace(
            PaymentInput(
                project.id,
                date(2019, 8, 1),
                1_000_00,
                payee_name="Constructora",
                payee_rfc="CPC1005124T0",
                concept="Obra",
                receipt_path=receipt,
            ),
            **changes,
        )
        return record_payment(db, data, user="tesorero", today=TODAY)

    for rfc in BAD_RFCS:
        harness.refuse(f"payment rfc {rfc[:16]!r}", lambda rfc=rfc: payment(payee_rfc=rfc))
    for amount in BAD_AMOUNTS:
        harness.refuse(f"payment amount {amount}", lambda amount=amount: payment(amount=amount))
    for number, text in enumerate(BAD_TEXTS[2:]):
        harness.refuse(f"payment payee #{number}", lambda text=text: payment(payee_name=text))
    for name, path in _cfdi_files(tmp_path / "cfdi"):
        harness.refuse(
            f"cfdi {name}",
            lambda path=path: payment(cfdi_path=path, receipt_path=None, payee_name="", payee_rfc=""),
        )
    for name, path in (
        ("missing receipt", tmp_path / "none.pdf"),
        ("folder receipt", tmp_path),
        ("dev null", Path("/dev/null")),
    ):
        harness.refuse(f"payment {name}", lambda path=path: payment(receipt_path=path))
    for number, reason in enumerate(BAD_TEXTS[:3] + BAD_TEXTS[4:]):
        harness.refuse(
            f"reversal reason #{number}",
            lambda reason=reason: reverse_entry(db, 1, reason=reason, on=date(2019, 8, 1), today=TODAY),
        )
    for entry_id in (0, -1, 10**9):
        harness.refuse(
            f"reversal of {entry_id}",
            lambda e=entry_id: reverse_entry(db, e, reason="x", on=date(2019, 8, 1), today=TODAY),
        )

    # Exchange rates, typed and imported.
    for rate in BAD_RATES:
        harness.refuse(
            f"rate {rate[:12]!r}",
            lambda rate=rate: set_rate(db, date(2019, 5, 2), rate, "Banxico FIX", today=TODAY),
        )
    for number, source in enumerate(BAD_TEXTS):
        harness.refuse(
            f"rate source #{number}",
            lambda source=source: set_rate(db, date(2019, 5, 2), "19.20", source, today=TODAY),
        )
    harness.refuse("rate in the future", lambda: set_rate(db, date(2030, 1, 1), "19.20", "FIX", today=TODAY))
    for label, data in {
        "empty": b"",
        "binary": bytes(range(256)) * 30,
        "invalid utf8": b"Fecha,Tipo\n\xff\xfe,\xc3\x28\n",
        "bad date": b"Fecha,FIX\n31/02/2019,19.20\n",
        "bad rate": b"Fecha,FIX\n01/02/2019,diecinueve\n",
        "negative": b"Fecha,FIX\n01/02/2019,-19.20\n",
        "future": b"Fecha,FIX\n01/02/2030,19.20\n",
        "formula": b'Fecha,FIX\n01/02/2019,=HYPERLINK("http://x")\n',
        "nul": b"Fecha,FIX\n01/02/2019,19\x00.20\n",
        "huge": b"Fecha,FIX\n" + b"01/02/2019," + b"9" * 1_000_000 + b"\n",
        "header only": b"Fecha,FIX\n",
    }.items():
        harness.refuse(
            f"rates file {label}", lambda data=data: import_rates_csv(db, data, source="FIX", today=TODAY)
        )

    # The importer: CSV and XLSX files with missing, extra or renamed columns, formulas, garbage.
    for name, path in _csv_files(tmp_path / "files"):
        for kind in ("clubs", "projects"):
            harness.refuse(f"import {kind} {name}", lambda path=path, kind=kind: run_import(db, path, kind))
    harness.refuse(
        "import unknown kind", lambda: run_import(db, tmp_path / "files" / "header only.csv", "rockets")
    )

    with capsys.disabled():
        print(f"\nhostile inputs: {harness.tried} tried, {len(harness.failures)} not refused cleanly")
    assert harness.failures == [], "\n".join(harness.failures)
    assert harness.tried >= 200
