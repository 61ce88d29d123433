"""Files filed with projects and ledger entries: copied beside the database, hashed, listed."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tresxuno import paths
from tresxuno.db.engine import Database
from tresxuno.db.models import Attachment, Project
from tresxuno.domain.documents import DocumentRequirement, load_requirements, required_for
from tresxuno.domain.problems import InputError, Problem
from tresxuno.services.auth import require
from tresxuno.services.builtin_files import built_in
from tresxuno.services.file_ops import replace_file

#: Largest file accepted as an attachment (scans of signed documents are a few MB).
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentInfo:
    """A stored file: where it lives (relative to the data folder), its SHA-256 and size in bytes."""

    id: int
    project_id: int
    kind: str
    original_name: str
    stored_path: str
    sha256: str
    size: int
    added_at: datetime
    added_by: str

    def absolute_path(self) -> Path:
        """The file on this computer (refused unless the stored name is inside the attachments folder).

        Raises:
            InputError: ``attachment.unsafe_path`` (see :func:`resolve_stored`).
        """
        return resolve_stored(self.stored_path, self.id)


@dataclass(frozen=True)
class ChecklistItem:
    """A required document and the attachments that satisfy it (none yet if empty)."""

    requirement: DocumentRequirement
    attachments: tuple[AttachmentInfo, ...]

    @property
    def done(self) -> bool:
        """Whether at least one file was attached for this requirement."""
        return bool(self.attachments)


@lru_cache(maxsize=1)
def requirements() -> tuple[DocumentRequirement, ...]:
    """The shipped checklist of required documents."""
    return load_requirements(paths.seeds_dir() / "documents.toml")


def _info(row: Attachment) -> AttachmentInfo:
    return AttachmentInfo(
        row.id,
        row.project_id,
        row.kind,
        row.original_name,
        row.stored_path,
        row.sha256,
        row.size,
        row.added_at,
        row.added_by,
    )


#: The folder (under the data folder) every stored name starts with: ``attachments/<folio>/<file>``.
ATTACHMENTS = "attachments"


def attachments_dir() -> Path:
    """The attachments folder of this computer's data folder."""
    return paths.user_data_dir() / ATTACHMENTS


def safe_stored_name(stored_path: str) -> bool:
    """Whether ``stored_path`` is a name :func:`store_file` could have written.

    ``attachments/`` then one or more plain names joined by ``/``: no absolute path, no drive
    letter or other colon, no backslash, no ``.`` or ``..`` part, no empty part, no NUL or control
    character. Anything else (``/usr/bin/xcalc``, ``../../etc/passwd``, ``C:/x.exe``) was written
    behind the app's back.
    """
    if not isinstance(stored_path, str) or not stored_path or len(stored_path) > 500:
        return False
    if any(ch in stored_path for ch in "\\:") or any(ord(ch) < 32 or ord(ch) == 127 for ch in stored_path):
        return False
    parts = stored_path.split("/")
    if len(parts) < 3 or parts[0] != ATTACHMENTS:
        return False
    return all(part not in ("", ".", "..") for part in parts[1:])


def resolve_stored(stored_path: str, attachment_id: int | str = "?", *, data_dir: Path | None = None) -> Path:
    """The file a stored name means, refused unless it lies inside the attachments folder.

    Checked twice: the name itself (:func:`safe_stored_name`), then the resolved path (a symbolic
    link inside the folder that points outside it is refused too).

    Raises:
        InputError: ``attachment.unsafe_path`` (``id``, ``path``).
    """
    refused = InputError(
        Problem("file", "attachment.unsafe_path", {"id": attachment_id, "path": stored_path})
    )
    if not safe_stored_name(stored_path):
        raise refused
    base = data_dir or paths.user_data_dir()  # a caller checking thousands passes it once
    folder = (base / ATTACHMENTS).resolve()
    target = (base / stored_path).resolve()
    if not target.is_relative_to(folder) or target == folder:
        raise refused
    return target


def stored_file_problem(
    attachment_id: int, name: str, stored_path: str, sha256: str, *, data_dir: Path | None = None
) -> Problem | None:
    """What is wrong with an attachment's stored copy (unsafe name, missing, altered), or None."""
    if data_dir is not None and safe_stored_name(stored_path) and not os.path.lexists(data_dir / stored_path):
        # Nothing there to open, so nothing to resolve (a check of thousands skips the realpath).
        target = data_dir / stored_path
    else:
        try:
            target = resolve_stored(stored_path, attachment_id, data_dir=data_dir)
        except InputError as exc:
            return exc.problems[0]
    shown = {"id": attachment_id, "name": name, "path": stored_path}
    if not target.is_file():
        # The demo's placeholder scan: the app writes these exact bytes again when it is opened.
        return None if built_in(sha256) is not None else Problem("file", "attachment.file_missing", shown)
    if _sha256(target) != sha256:
        return Problem("file", "attachment.file_altered", shown)
    return None


def attachment_file(db: Database, attachment_id: int) -> Path:
    """The stored copy of an attachment, to open it: inside the attachments folder and unaltered.

    The one way the app opens an attachment (the desktop runs what it is given: a stored name
    ``/usr/bin/xcalc`` or a replaced file must never reach it).

    Raises:
        InputError: ``attachment.unknown``, ``attachment.unsafe_path``, ``attachment.file_missing``,
            ``attachment.file_altered``.
    """
    with db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise InputError(Problem("file", "attachment.unknown", {"id": attachment_id}))
        name, stored, sha = row.original_name, row.stored_path, row.sha256
    problem = stored_file_problem(attachment_id, name, stored, sha)
    if problem is not None:
        raise InputError(problem)
    target = resolve_stored(stored, attachment_id)
    content = built_in(sha)
    if content is not None and not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_file(
    session: Session,
    project: Project,
    kind: str,
    source: Path,
    *,
    user: str = "",
    ledger_entry_id: int | None = None,
) -> Attachment:
    """Copy ``source`` into ``attachments/<folio>/`` of the data folder and record it.

    The copy is named by its SHA-256 so two files with the same name never overwrite each other,
    and re-attaching the same file reuses the copy. The caller owns the transaction.

    Raises:
        InputError: the file does not exist, is not a regular file or is too large.
    """
    if not source.is_file():
        raise InputError(Problem("file", "file.not_found", {"path": str(source)}))
    size = source.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise InputError(Problem("file", "file.too_large", {"max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}))
    sha = _sha256(source)
    suffix = source.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,10}", source.suffix.lower()) else ""
    relative = Path(ATTACHMENTS) / project.folio / f"{sha[:16]}{suffix}"
    target = resolve_stored(relative.as_posix())  # a folio or suffix that would leave the folder: refused
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(source, partial)
        # Never a half-copied file under the final name; retried while an antivirus scans the copy.
        replace_file(partial, target)
    row = Attachment(
        project_id=project.id,
        ledger_entry_id=ledger_entry_id,
        kind=kind,
        original_name=source.name[:255],
        stored_path=relative.as_posix(),
        sha256=sha,
        size=size,
        added_by=user,
    )
    session.add(row)
    session.flush()
    return row


def attach_document(
    db: Database, project_id: int, kind: str, source: Path, *, user: str = ""
) -> AttachmentInfo:
    """File a document with a project (one transaction).

    Raises:
        InputError: unknown project, unknown document kind, or an unusable file.
    """
    require(db, "attachments.add")
    known = {r.id for r in requirements()} | {"otro"}
    with db.transaction(immediate=True) as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        if kind not in known:
            raise InputError(
                Problem("kind", "document.unknown_kind", {"kind": kind, "allowed": ", ".join(sorted(known))})
            )
        return _info(store_file(session, project, kind, source, user=user))


def checklist(session: Session, project: Project) -> list[ChecklistItem]:
    """Each document the project's category requires at its stage, with the files attached for it.

    Documents needed later than the COVAM (the signed convenio) are listed from their stage on, or
    once a file was attached for them.
    """
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.project_id == project.id, Attachment.ledger_entry_id.is_(None))
        .order_by(Attachment.id)
    ).all()
    items = [
        ChecklistItem(req, tuple(_info(r) for r in rows if r.kind == req.id))
        for req in required_for(requirements(), project.category)
    ]
    # A document filed is always shown (a cancelled project keeps its signed convenio in view).
    return [item for item in items if item.done or item.requirement.listed_at(project.stage)]


def project_checklist(db: Database, project_id: int) -> list[ChecklistItem]:
    """The document checklist of one project.

    Raises:
        InputError: no such project.
    """
    with db.transaction() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise InputError(Problem("project", "project.unknown", {"id": project_id}))
        return checklist(session, project)


def missing_documents(session: Session, project: Project) -> list[DocumentRequirement]:
    """Required documents with no file attached yet (a project cannot go to the COVAM while any)."""
    return [
        item.requirement
        for item in checklist(session, project)
        if not item.done and item.requirement.for_covam
    ]
