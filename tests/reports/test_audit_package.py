"""The audit package: read back the ZIP as an auditor would (manifest, expediente, reports, extracts)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from tresxuno.cli import main
from tresxuno.db.models import Project
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError
from tresxuno.services.audit import chain_head, check_integrity
from tresxuno.services.audit_package import MANIFEST, README, export_audit_package, iter_manifest
from tresxuno.services.ledger import count_entries
from tresxuno.services.progress import Cancelled, CancelToken

csv.field_size_limit(1 << 30)


def one(db, sql: str, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).first()


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_a_projects_package_holds_what_an_auditor_asks_for_and_its_manifest_proves_it(demo_db, tmp_path):
    pid, folio = one(demo_db, "SELECT id, folio FROM projects WHERE stage = 'cerrado' ORDER BY id LIMIT 1")
    out = tmp_path / "paquete.zip"
    package = export_audit_package(demo_db, out, folio=folio, printed_by="auditor")
    files = members(out)

    manifest = dict((name, sha) for sha, name in iter_manifest(files[MANIFEST].decode()))
    assert set(manifest) == set(files) - {MANIFEST}
    for name, sha in manifest.items():
        assert hashlib.sha256(files[name]).hexdigest() == sha, name

    # The expediente: every attachment, byte for byte as recorded.
    with demo_db.engine.connect() as conn:
        recorded = conn.execute(
            text("SELECT id, sha256 FROM attachments WHERE project_id = :p"), {"p": pid}
        ).all()
    expediente = [n for n in files if "/expediente/" in n]
    assert len(expediente) == len(recorded) > 0
    assert {hashlib.sha256(files[n]).hexdigest() for n in expediente} == {sha for _id, sha in recorded}

    # Every report of a closed project, readable, naming the project.
    for report in ("cedula", "convenio", "estado-de-cuenta", "acta-entrega-recepcion"):
        pdf = PdfReader(io.BytesIO(files[f"{folio}/reportes/{report}.pdf"]))
        assert folio in "".join(page.extract_text() for page in pdf.pages), report
    contributions = count_entries(demo_db, project_id=pid, kind="contribution")
    assert len([n for n in files if "/reportes/recibos/" in n]) == contributions > 0

    # The ledger extract has every entry of the project.
    ledger = list(csv.DictReader(io.StringIO(files[f"{folio}/libro/movimientos.csv"].decode("utf-8-sig"))))
    assert len({row[next(iter(row))] for row in ledger}) >= count_entries(demo_db, project_id=pid) > 0

    # The audit extract: only this project's rows, each record with its hash.
    trail = list(csv.DictReader(io.StringIO(files[f"{folio}/bitacora/registros.csv"].decode())))
    assert trail and all(len(r["hash"]) == 64 for r in trail)
    for record in trail:
        image = json.loads(record["after"]) if record["after"] else {}
        if (
            record["table_name"] in ("projects", "project_shares", "stage_changes", "ledger_entries")
            and "rows" in image
        ):
            key = "id" if record["table_name"] == "projects" else "project_id"
            at = image["columns"].index(key)
            assert {row[at] for row in image["rows"]} == {pid}, record["table_name"]
    assert {r["table_name"] for r in trail} >= {"projects", "ledger_entries", "ledger_allocations"}

    # The head it was taken at: printed, and check --anchor passes through it.
    head = chain_head(demo_db)
    assert package.head == head and head.hash in files[README].decode()
    assert check_integrity(demo_db, anchor=head.hash).ok


def test_an_altered_scan_is_named_not_packed(demo_copy, tmp_path):
    aid, folio = one(
        demo_copy,
        "SELECT a.id, p.folio FROM attachments a JOIN projects p ON p.id = a.project_id ORDER BY a.id LIMIT 1",
    )
    with demo_copy.engine.begin() as conn:  # the stored bytes changed behind the app's back
        conn.execute(
            text(
                "UPDATE attachment_contents SET content = :c WHERE sha256 = (SELECT sha256 FROM attachments WHERE id = :id)"
            ),
            {"c": b"%PDF-1.4 otro documento", "id": aid},
        )
    out = tmp_path / "p.zip"
    package = export_audit_package(demo_copy, out, folio=folio)
    files = members(out)
    assert not [n for n in files if "/expediente/" in n]
    assert len(package.not_applicable) == 1
    assert package.not_applicable[0].split(":")[0] in files[README].decode()


def test_a_years_package_adds_the_years_reports_and_every_project(demo_db, tmp_path):
    year = 2018
    out = tmp_path / "ejercicio.zip"
    package = export_audit_package(demo_db, out, year=year)
    files = members(out)
    for name in (
        "ejercicio/resumen.pdf",
        *(f"ejercicio/informe-trimestral-{q}.pdf" for q in (1, 2, 3, 4)),
        "ejercicio/transparencia-srft.xlsx",
        "ejercicio/transparencia-sipot-xv.xlsx",
        "ejercicio/transparencia-padron.xlsx",
        "ejercicio/libro-movimientos.csv",
    ):
        assert name in files or any(n.startswith(name) for n in package.not_applicable), name
    with demo_db.engine.connect() as conn:
        folios = {
            r[0] for r in conn.execute(text("SELECT folio FROM projects WHERE fiscal_year = :y"), {"y": year})
        }
    assert {n.split("/")[1] for n in files if n.startswith("proyectos/")} == folios
    # A project the COVAM rejected has no convenio: said so, with the reason, never an empty file.
    rejected = one(
        demo_db, "SELECT folio FROM projects WHERE fiscal_year = :y AND stage = 'rechazado'", y=year
    )
    if rejected:
        assert any(
            n.startswith(f"proyectos/{rejected[0]}/reportes/convenio.pdf") for n in package.not_applicable
        )


def test_refusals_leave_nothing(demo_db, tmp_path):
    folio = one(demo_db, "SELECT folio FROM projects ORDER BY id LIMIT 1")[0]
    with pytest.raises(InputError) as exc:
        export_audit_package(demo_db, tmp_path / "x.zip", folio=folio, year=2018)
    assert exc.value.problems[0].code == "audit_package.scope"
    with pytest.raises(InputError) as exc:
        export_audit_package(demo_db, tmp_path / "x.zip", folio="NO-EXISTE")
    assert exc.value.problems[0].field == "project"
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        export_audit_package(demo_db, tmp_path / "x.zip", folio=folio, cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_the_cli_packs_and_never_replaces_without_force(demo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("TRESXUNO_PASSWORD", "demo1234")
    folio = one(demo_copy, "SELECT folio FROM projects WHERE stage = 'cerrado' ORDER BY id LIMIT 1")[0]
    out = tmp_path / "p.zip"
    args = ["--db", str(demo_copy.engine.url.database), "export", "audit", "--project", folio, "-o", str(out)]
    before = chain_head(demo_copy)
    assert main([*args, "--user", "auditor"], out=io.StringIO()) == 0
    assert zipfile.ZipFile(out).testzip() is None
    stamp = out.read_bytes()
    assert main([*args, "--user", "auditor"], out=io.StringIO()) == 2
    assert out.read_bytes() == stamp
    assert chain_head(demo_copy) == before


def test_the_readable_trail_names_fields_by_their_labels_at_local_time_to_the_second(
    demo_copy, tmp_path, monkeypatch
):
    import time

    from tresxuno.services.audit_text import READABLE_HEADER

    monkeypatch.setenv("TZ", "America/Mexico_City")  # UTC-6 all year since 2022
    time.tzset()
    pid, folio = one(demo_copy, "SELECT id, folio FROM projects WHERE stage = 'cerrado' ORDER BY id LIMIT 1")
    with acting_as(Actor("rosa", "administrador")), demo_copy.transaction() as session:
        project = session.get(Project, pid)
        project.cost += 100
        project.category = "education"
    at = one(demo_copy, "SELECT at FROM audit_log WHERE table_name = 'projects' ORDER BY seq DESC LIMIT 1")[0]
    try:
        export_audit_package(demo_copy, tmp_path / "p.zip", folio=folio, printed_by="auditor")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    files = members(tmp_path / "p.zip")
    rows = list(
        csv.reader(io.StringIO(files[f"{folio}/bitacora/registros-legibles.csv"].decode("utf-8-sig")))
    )
    assert rows[0] == ["Núm. de registro", "Cuándo (hora local)", "Quién", "Qué", "Antes → después"]
    assert len(rows[0]) == len(READABLE_HEADER)
    change = rows[-1]
    assert change[3].startswith("Proyecto ") and change[2] == "rosa (Administrador)"
    # Labels, not column names; money as money; the category by its name; local time with seconds.
    assert "Costo total: $" in change[4] and "Categoría: " in change[4] and "→ Educación" in change[4]
    assert "cost:" not in change[4] and "category" not in change[4]
    stamp = at if not isinstance(at, str) else datetime.fromisoformat(at)
    local = stamp - timedelta(hours=6)
    assert change[1] == local.strftime("%d/%m/%Y %H:%M:%S")
