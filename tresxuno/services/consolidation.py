"""Consolidation, the municipal side: the signed package of this office's changes for the state office.

A municipal office that works on its own file (poor connectivity) sends the state, every week, the
stretch of its audit trail not sent yet, every attached file those records add, a manifest and an
Ed25519 signature (:mod:`tresxuno.domain.consolidation`). The key lives in the config folder
(:func:`tresxuno.paths.consolidation_key_file`), never in the database; the state registers its
public key with the office (``tresxuno office add … --public-key``) and imports the packages with
:mod:`tresxuno.services.consolidation_import`.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tresxuno import paths
from tresxuno.db.engine import Database
from tresxuno.db.models import AttachmentContent, AuditLogRow, utcnow
from tresxuno.db.repos.settings import OFFICE_MUNICIPALITY, OFFICE_NAME, SettingsRepository
from tresxuno.domain import consolidation as package
from tresxuno.domain.audit import GENESIS, bulk_rows, load_image
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.services.auth import require
from tresxuno.services.output_files import atomic_output, check_output
from tresxuno.services.progress import CancelToken, Progress, no_progress

#: Settings of the exporting office: its database's id, and the last record it has sent.
SOURCE_ID, EXPORTED_SEQ = "consolidation.source_id", "consolidation.exported_seq"


@dataclass(frozen=True)
class PackageSummary:
    """A package written: where, which records, how many files."""

    path: Path
    from_seq: int
    to_seq: int
    records: int
    files: int


# --- The office's signing key -------------------------------------------------------------------


def signing_key() -> bytes:
    """The office's private key, made on first use (a private file in the config folder).

    Raises:
        StorageError: ``consolidation.key_invalid``: the file exists but holds no key.
    """
    path = paths.consolidation_key_file()
    try:
        raw = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = package.new_private_key()
        paths.create_private_file(path)
        path.write_text(key.hex() + "\n", encoding="ascii")
        return key
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError("consolidation.key_invalid", where=str(path)) from exc
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise StorageError("consolidation.key_invalid", where=str(path))
    return key


def public_key() -> str:
    """The hex public key the state office registers for this office (the key is made if missing)."""
    return package.public_key_of(signing_key())


# --- Export ---------------------------------------------------------------------------------------


def _record(row: Any) -> dict[str, Any]:
    return {
        "seq": int(row.seq),
        "at": row.at.isoformat(),
        "username": row.username,
        "role": row.role,
        "action": row.action,
        "table": row.table_name,
        "row_id": row.row_id,
        "subject": row.subject,
        "before": row.before,
        "after": row.after,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def _added_files(record: Mapping[str, Any]) -> Iterator[str]:
    """SHA-256 keys of the files an ``attachments`` insert record adds."""
    if record["table"] != "attachments" or record["action"] != "insert":
        return
    after = load_image(record["after"])
    if after is None:
        return
    rows = bulk_rows(after) if record["row_id"] is None else [after]
    for row in rows:
        if row.get("sha256"):
            yield str(row["sha256"])


@dataclass(frozen=True)
class Unsent:
    """The records a package would carry now: ``first`` to ``last`` of the trail (none when first > last)."""

    first: int
    last: int

    @property
    def records(self) -> int:
        """How many records are waiting to be sent."""
        return max(0, self.last - self.first + 1)


def unsent(db: Database) -> Unsent:
    """What the next package holds, asked before the officer chooses where to write it.

    Raises:
        InputError: ``auth.role_required``, or ``auth.office_may_not`` for an officer of an office.
    """
    require(db, "consolidation.export")
    with db.transaction() as session:
        sent = int(SettingsRepository.get(session, EXPORTED_SEQ, "0") or 0)
        last = session.scalar(select(func.max(AuditLogRow.seq))) or 0
        if not _news(session, sent + 1):
            return Unsent(sent + 1, sent)
    return Unsent(sent + 1, last)


def _news(session: Session, start: int) -> int:
    """Records from ``start`` on besides the packages' own bookkeeping (which office, what was sent).

    Writing a package records what it sent, so the trail always grows by that record: alone it is
    nothing to send (it travels with the next package, and the state skips settings).
    """
    bookkeeping = (AuditLogRow.table_name == "settings") & AuditLogRow.row_id.in_((SOURCE_ID, EXPORTED_SEQ))
    return session.scalar(select(func.count()).where(AuditLogRow.seq >= start, ~bookkeeping)) or 0


def export_package(
    db: Database,
    out_path: str | Path,
    *,
    since: int | None = None,
    force: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> PackageSummary:
    """Write the package of this office's changes not sent yet (from record ``since`` when given).

    Raises:
        InputError: ``auth.role_required``; ``consolidation.nothing_new``; on field ``output``, a
            refused target.
        StorageError: the file or the key cannot be written.
    """
    actor = require(db, "consolidation.export")
    path = check_output(Path(out_path).expanduser(), db=db, force=force)
    key = signing_key()
    with db.transaction(immediate=True) as session:
        source = SettingsRepository.get(session, SOURCE_ID)
        if not source:
            source = str(uuid.uuid4())
            SettingsRepository.set(session, SOURCE_ID, source)
    token = cancel or CancelToken()
    with db.transaction() as session:
        start = (
            since if since is not None else int(SettingsRepository.get(session, EXPORTED_SEQ, "0") or 0) + 1
        )
        start = max(start, 1)
        last = session.scalar(select(func.max(AuditLogRow.seq))) or 0
        if start > last or (since is None and not _news(session, start)):
            raise InputError(Problem("package", "consolidation.nothing_new", {"seq": last}))
        prev = (
            GENESIS
            if start == 1
            else session.scalar(select(AuditLogRow.hash).where(AuditLogRow.seq == start - 1))
        )
        trail = io.BytesIO()
        wanted: set[str] = set()
        head, count = prev or GENESIS, 0
        total = last - start + 1
        rows = session.execute(
            select(AuditLogRow)
            .where(AuditLogRow.seq >= start, AuditLogRow.seq <= last)
            .order_by(AuditLogRow.seq)
        ).scalars()
        for row in rows:
            record = _record(row)
            trail.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
            wanted.update(_added_files(record))
            head, count = row.hash, count + 1
            if count % 5000 == 0:
                token.raise_if_cancelled()
                progress(count, total, "")
        files = {
            sha: content
            for sha, content in session.execute(
                select(AttachmentContent.sha256, AttachmentContent.content).where(
                    AttachmentContent.sha256.in_(sorted(wanted))
                )
            )
        }
        name = SettingsRepository.get(session, OFFICE_NAME, "") or ""
        municipality = SettingsRepository.get(session, OFFICE_MUNICIPALITY, "") or ""
    members = {package.TRAIL: package.sha256_hex(trail.getvalue())}
    members.update({package.FILES + sha: package.sha256_hex(content) for sha, content in files.items()})
    manifest = package.Manifest(
        source,
        name,
        municipality,
        start,
        last,
        prev or GENESIS,
        head,
        members,
        utcnow().isoformat(),
        actor.username,
    )
    body = manifest.to_bytes()
    with (
        atomic_output(path, db=db, force=force) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        zf.writestr(package.MANIFEST, body)
        zf.writestr(package.SIGNATURE, package.sign(key, body))
        zf.writestr(package.TRAIL, trail.getvalue())
        for sha, content in files.items():
            zf.writestr(package.FILES + sha, content)
    with db.transaction(immediate=True) as session:
        SettingsRepository.set(session, EXPORTED_SEQ, str(last))
    progress(total, total, "")
    return PackageSummary(path, start, last, count, len(files))
