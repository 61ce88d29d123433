"""The audit package: one ZIP with what an auditor asks for first, and a sha256 manifest.

For a project: its expediente (every attached document and CFDI, verified against the sha256
recorded when it was attached), every report that applies to it as PDF (cédula, convenio, statement,
receipts of its contributions, hand-over act), its ledger extract (CSV) and its audit trail extract
(every record about the project and its rows, with their hashes). For a fiscal year: the same for
each project of the year, plus the year's summary, the four quarterly reports, the transparency
files and the year's ledger extract. ``MANIFIESTO.sha256`` lists every file with its sha256 in the
format ``sha256sum -c`` reads; ``LEEME.txt`` says what the package is, the audit chain's head it was
taken at (``tresxuno check --anchor``), and which documents do not apply and why.

Everything is read from the database as it is; nothing is written to it. The ZIP is written beside
its destination and moved into place only when complete: a cancel or an error leaves nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select

from tresxuno.db.engine import Database
from tresxuno.db.models import Attachment, AuditLogRow, LedgerEntry, Project
from tresxuno.domain.audit import ChainHead, field_changes, load_image
from tresxuno.domain.ledger import CONTRIBUTION
from tresxuno.domain.problems import InputError, Problem
from tresxuno.i18n import _
from tresxuno.messages import describe
from tresxuno.services.attachments import attachment_file
from tresxuno.services.audit import HistoryItem, chain_head
from tresxuno.services.audit_text import readable_rows
from tresxuno.services.auth import require
from tresxuno.services.exports import export_ledger
from tresxuno.services.output_files import atomic_output, check_output
from tresxuno.services.progress import CancelToken, Progress, no_progress
from tresxuno.services.reporting.run import write_report
from tresxuno.services.transparency import export_transparency

__all__ = ["AuditPackage", "export_audit_package"]

_AUDIT = cast(Table, AuditLogRow.__table__)
#: Reports of one project, in the order an auditor reads them: file name -> report kind.
PROJECT_REPORTS: tuple[tuple[str, str], ...] = (
    ("cedula.pdf", "project"),
    ("convenio.pdf", "agreement"),
    ("estado-de-cuenta.pdf", "statement"),
    ("acta-entrega-recepcion.pdf", "handover"),
)
#: Columns of the audit trail extract: everything a record's hash covers, and the hash.
AUDIT_COLUMNS = (
    "seq",
    "at",
    "username",
    "role",
    "action",
    "table_name",
    "row_id",
    "subject",
    "before",
    "after",
    "prev_hash",
    "hash",
)
MANIFEST = "MANIFIESTO.sha256"
README = "LEEME.txt"


@dataclass
class AuditPackage:
    """What was packed: the ZIP, its files with their sha256, what did not apply, the chain's head."""

    path: Path
    files: dict[str, str] = field(default_factory=dict)
    not_applicable: list[str] = field(default_factory=list)
    head: ChainHead = field(default_factory=ChainHead)


def _safe(name: str) -> str:
    """A file name safe inside a ZIP on every system: no folders, no control or reserved characters."""
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", name).strip(" .")
    return cleaned[:120] or "archivo"


class _Packer:
    """Adds files to the ZIP, hashing each as it goes."""

    def __init__(self, zf: zipfile.ZipFile, package: AuditPackage, work: Path, token: CancelToken):
        self.zf, self.package, self.work, self.token = zf, package, work, token

    def add_bytes(self, name: str, content: bytes) -> None:
        self.token.raise_if_cancelled()
        if name in self.package.files:
            stem, dot, ext = name.rpartition(".")
            n = 2
            while f"{stem}-{n}{dot}{ext}" in self.package.files:
                n += 1
            name = f"{stem}-{n}{dot}{ext}"
        self.zf.writestr(name, content)
        self.package.files[name] = hashlib.sha256(content).hexdigest()

    def add_made(self, name: str, make: Callable[[Path], object]) -> None:
        """Make a file in the work folder with ``make(path)`` and add it; a refusal is noted, not fatal."""
        target = self.work / f"{len(self.package.files)}-{Path(name).name}"
        try:
            make(target)
        except InputError as exc:
            reasons = "; ".join(describe(p) for p in exc.problems)
            self.package.not_applicable.append(f"{name}: {reasons}")
            return
        self.add_bytes(name, target.read_bytes())
        target.unlink()


def _report(db: Database, kind: str, printed_by: str, **options: int) -> Callable[[Path], object]:
    """A maker of one report into a given path (for :meth:`_Packer.add_made`)."""

    def make(path: Path) -> object:
        return write_report(db, kind, path, printed_by=printed_by, **options)  # type: ignore[arg-type]

    return make


def _project_ids(db: Database, folio: str | None, year: int | None) -> list[tuple[int, str]]:
    with db.transaction() as session:
        stmt = select(Project.id, Project.folio).order_by(Project.folio)
        if folio is not None:
            rows = session.execute(stmt.where(Project.folio == folio.strip())).all()
            if not rows:
                raise InputError(Problem("project", "project.unknown_folio", {"folio": folio}))
        else:
            rows = session.execute(stmt.where(Project.fiscal_year == year)).all()
            if not rows:
                raise InputError(Problem("year", "audit_package.no_projects", {"year": year}))
    return [(int(r.id), str(r.folio)) for r in rows]


class _BulkRecords:
    """Audit records that hold many rows at once (an import, the demo, the baseline of an upgrade).

    Parsed once per package and indexed by project, so a fiscal year's package reads each only once.
    The extract shows the project's rows of such a record; its hash covers the whole record, so the
    row says it is partial (verify it with ``tresxuno check``, which reads the whole trail).
    """

    def __init__(self, db: Database):
        self.by_project: dict[int, list[tuple[tuple[object, ...], str]]] = {}
        with db.transaction() as session:
            entry_project: dict[int, int] = {
                int(i): int(p) for i, p in session.execute(select(LedgerEntry.id, LedgerEntry.project_id))
            }
            records = session.execute(
                select(*(_AUDIT.c[c] for c in AUDIT_COLUMNS))
                .where(_AUDIT.c.row_id.is_(None), _AUDIT.c.after.is_not(None))
                .order_by(_AUDIT.c.seq)
            ).all()
        for record in records:
            try:
                image = load_image(record.after)
                columns, rows = image["columns"], image["rows"]
            except (ValueError, KeyError, TypeError):
                continue
            owner = self._owner(record.table_name, columns, entry_project)
            if owner is None:
                continue
            grouped: dict[int, list[object]] = {}
            for row in rows:
                pid = owner(row)
                if pid is not None:
                    grouped.setdefault(pid, []).append(row)
            for pid, mine in grouped.items():
                partial_after = json.dumps({**image, "rows": mine}, ensure_ascii=False, separators=(",", ":"))
                self.by_project.setdefault(pid, []).append((tuple(record), partial_after))

    @staticmethod
    def _owner(
        table: str, columns: list[str], entry_project: dict[int, int]
    ) -> Callable[[list], int | None] | None:
        if table == "projects" and "id" in columns:
            at = columns.index("id")
            return lambda row: row[at]
        if "project_id" in columns:
            at = columns.index("project_id")
            return lambda row: row[at]
        if table == "ledger_allocations" and "entry_id" in columns:
            at = columns.index("entry_id")
            return lambda row: entry_project.get(row[at])
        return None


def _cell(value: object) -> object:
    return "" if value is None else (value.isoformat() if isinstance(value, datetime) else value)


def _audit_extract(db: Database, project_id: int, bulk: _BulkRecords) -> tuple[bytes, bytes]:
    """Every audit record about the project's row or the rows that belong to it, as CSV, in sequence.

    Two files: the raw extract (every column a record's hash covers, to verify) and the readable one
    (local time to the second, who, what, and each field by its translated label, as the Bitácora
    shows it) for the auditor to read.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*AUDIT_COLUMNS, "parcial"))
    subject = f"projects:{project_id}"
    with db.transaction() as session:
        rows = session.execute(
            select(*(_AUDIT.c[c] for c in AUDIT_COLUMNS))
            .where(
                or_(
                    _AUDIT.c.subject == subject,
                    and_(_AUDIT.c.table_name == "projects", _AUDIT.c.row_id == str(project_id)),
                )
            )
            .order_by(_AUDIT.c.seq)
        ).all()
    lines = [(int(r.seq), [*map(_cell, r), ""]) for r in rows]
    after_at = AUDIT_COLUMNS.index("after")
    for record, partial_after in bulk.by_project.get(project_id, ()):
        cells = [*map(_cell, record), _("yes: only this project's rows; the hash covers the whole record")]
        cells[after_at] = partial_after
        lines.append((int(record[0]), cells))  # type: ignore[call-overload]
    for _seq, cells in sorted(lines, key=lambda line: line[0]):
        writer.writerow(cells)
    items = [_history_item(r) for r in rows]
    items += [_history_item(record, bulk=True) for record, _partial in bulk.by_project.get(project_id, ())]
    readable = io.StringIO()
    # Excel opens a CSV with a byte-order mark as UTF-8 (accents intact) and with CRLF rows.
    csv.writer(readable, lineterminator="\r\n").writerows(readable_rows(sorted(items, key=lambda i: i.seq)))
    return out.getvalue().encode("utf-8"), readable.getvalue().encode("utf-8-sig")


def _history_item(record: Any, *, bulk: bool = False) -> HistoryItem:
    """An extract row (columns as :data:`AUDIT_COLUMNS`) as the history views read it."""
    values = dict(zip(AUDIT_COLUMNS, record, strict=True))
    at = values["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    changes = () if bulk else field_changes(values["before"], values["after"])
    return HistoryItem(
        int(values["seq"]),
        at,
        str(values["username"] or ""),
        str(values["role"] or ""),
        str(values["action"]),
        str(values["table_name"]),
        None if bulk or values["row_id"] is None else str(values["row_id"]),
        changes,
    )


def _pack_project(
    db: Database,
    packer: _Packer,
    project_id: int,
    folio: str,
    prefix: str,
    printed_by: str,
    bulk: _BulkRecords,
) -> None:
    base = f"{prefix}{_safe(folio)}/"
    with db.transaction() as session:
        files = session.execute(
            select(Attachment.id, Attachment.kind, Attachment.original_name)
            .where(Attachment.project_id == project_id)
            .order_by(Attachment.id)
        ).all()
        receipts = session.scalars(
            select(LedgerEntry.id)
            .where(LedgerEntry.project_id == project_id, LedgerEntry.kind == CONTRIBUTION)
            .order_by(LedgerEntry.entry_date, LedgerEntry.id)
        ).all()
    for number, (aid, kind, original) in enumerate(files, start=1):
        name = f"{base}expediente/{number:03d}-{_safe(kind)}-{_safe(original)}"
        try:
            content = attachment_file(db, aid).read_bytes()
        except InputError as exc:
            # A missing or altered file is what an auditor must see first: named, never skipped silently.
            packer.package.not_applicable.append(f"{name}: {'; '.join(describe(p) for p in exc.problems)}")
            continue
        packer.add_bytes(name, content)
    for file_name, kind in PROJECT_REPORTS:
        packer.add_made(
            f"{base}reportes/{file_name}",
            _report(db, kind, printed_by, project_id=project_id),
        )
    for entry_id in receipts:
        packer.add_made(
            f"{base}reportes/recibos/recibo-{entry_id}.pdf",
            _report(db, "receipt", printed_by, entry_id=entry_id),
        )
    packer.add_made(f"{base}libro/movimientos.csv", lambda path: export_ledger(db, "csv", path, folio=folio))
    raw, readable = _audit_extract(db, project_id, bulk)
    packer.add_bytes(f"{base}bitacora/registros.csv", raw)
    packer.add_bytes(f"{base}bitacora/registros-legibles.csv", readable)


def _pack_year(db: Database, packer: _Packer, year: int, printed_by: str) -> None:
    packer.add_made(
        "ejercicio/resumen.pdf",
        _report(db, "summary", printed_by, year=year),
    )
    for quarter in (1, 2, 3, 4):
        packer.add_made(
            f"ejercicio/informe-trimestral-{quarter}.pdf",
            _report(db, "quarterly", printed_by, year=year, quarter=quarter),
        )
    for fmt in ("sipot-xv", "padron", "srft"):
        packer.add_made(
            f"ejercicio/transparencia-{fmt}.xlsx",
            partial(_transparency, db, fmt, year),
        )
    packer.add_made("ejercicio/libro-movimientos.csv", lambda path: export_ledger(db, "csv", path, year=year))


def _transparency(db: Database, fmt: str, year: int, path: Path) -> object:
    return export_transparency(db, fmt, path, year=year)


def _readme(package: AuditPackage, scope: str, printed_by: str, when: datetime) -> bytes:
    lines = [
        _("Audit package of {scope}").format(scope=scope),
        _("Generated by {user} on {when} (UTC).").format(
            user=printed_by or "-", when=when.strftime("%d/%m/%Y %H:%M")
        ),
        _(
            "Audit trail head: {hash} · {records} records. `tresxuno check --anchor {hash}` proves the trail still passes through it."
        ).format(hash=package.head.hash, records=package.head.records),
        _("{manifest} lists the sha256 of every file (check with: sha256sum -c {manifest}).").format(
            manifest=MANIFEST
        ),
        _(
            "bitacora/registros-legibles.csv shows the audit trail in words, at local time; "
            "bitacora/registros.csv holds the records as hashed, to verify them."
        ),
        "",
        _("Files: {n}").format(n=len(package.files)),
    ]
    if package.not_applicable:
        lines += ["", _("Not included, and why:")]
        lines += [f"- {reason}" for reason in package.not_applicable]
    return ("\n".join(lines) + "\n").encode("utf-8")


def export_audit_package(
    db: Database,
    out_path: str | os.PathLike[str],
    *,
    folio: str | None = None,
    year: int | None = None,
    printed_by: str = "",
    force: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> AuditPackage:
    """Write the audit package of one project (``folio``) or of a fiscal year (``year``) as a ZIP.

    Raises:
        InputError: neither or both of ``folio`` and ``year`` (``audit_package.scope``); an unknown
            folio; a year without projects; ``auth.role_required``; on field ``output``, a refused
            target (an existing file without ``force``, the database).
        StorageError: the file cannot be written; nothing is left behind.
    """
    require(db, "records.export")
    require(db, "reports.print")
    if (folio is None) == (year is None):
        raise InputError(Problem("scope", "audit_package.scope", {}))
    path = Path(out_path).expanduser()
    check_output(path, db=db, force=force)
    projects = _project_ids(db, folio, year)
    token = cancel or CancelToken()
    # The head before anything is read: every record the package shows is at or before it.
    package = AuditPackage(path, head=_head(db))
    scope = folio.strip() if folio is not None else _("fiscal year {year}").format(year=year)
    steps = len(projects) + (1 if year is not None else 0)
    message = _("Packing the audit package")
    progress(0, steps, message)
    with (
        tempfile.TemporaryDirectory(prefix="tresxuno-audit-", ignore_cleanup_errors=True) as work,
        atomic_output(path, db=db, force=force) as tmp,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf,
    ):
        packer = _Packer(zf, package, Path(work), token)
        bulk = _BulkRecords(db)
        done = 0
        if year is not None:
            _pack_year(db, packer, year, printed_by)
            done += 1
            progress(done, steps, message)
        prefix = "proyectos/" if year is not None else ""
        for project_id, project_folio in projects:
            token.raise_if_cancelled()
            _pack_project(db, packer, project_id, project_folio, prefix, printed_by, bulk)
            done += 1
            progress(done, steps, message)
        readme = _readme(package, scope, printed_by, datetime.now(UTC))
        packer.add_bytes(README, readme)
        manifest = "".join(f"{sha}  {name}\n" for name, sha in sorted(package.files.items()))
        zf.writestr(MANIFEST, manifest.encode("utf-8"))
    return package


def _head(db: Database) -> ChainHead:
    with db.transaction() as session:
        return chain_head(session)


def iter_manifest(text: str) -> Iterator[tuple[str, str]]:
    """``(sha256, name)`` of each line of a manifest (for readers and tests)."""
    for line in text.splitlines():
        sha, _sep, name = line.partition("  ")
        if sha and name:
            yield sha, name
