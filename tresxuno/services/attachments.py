"""Files filed with projects and ledger entries: kept in the database, hashed, listed, replaced with history.

Each distinct file's bytes are stored once in ``attachment_contents`` (keyed by SHA-256), so every
backup and every desk sharing the database has the scans and CFDIs. Files that earlier releases
copied into a data folder are still read from there, and moved in by :func:`absorb_files`.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from tresxuno import paths
from tresxuno.db.engine import Database
from tresxuno.db.models import Attachment, AttachmentContent, Project, utcnow
from tresxuno.domain import limits
from tresxuno.domain.documents import DocumentRequirement, load_requirements, required_for
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import clean_text
from tresxuno.services.auth import require
from tresxuno.services.builtin_files import built_in
from tresxuno.services.file_ops import replace_file

#: Largest file accepted as an attachment (scans of signed documents are a few MB).
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentInfo:
    """A filed document: its SHA-256 and size in bytes, and the one it corrects (with the reason), if any.

    ``stored_path`` is "" for bytes kept in the database, or where an earlier release copied the
    file under the data folder.
    """

    id: int
    project_id: int
    kind: str
    original_name: str
    stored_path: str
    sha256: str
    size: int
    added_at: datetime
    added_by: str
    replaces_id: int | None = None
    replace_reason: str = ""


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
        row.replaces_id,
        row.replace_reason,
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
    attachment_id: int,
    name: str,
    stored_path: str,
    sha256: str,
    *,
    data_dir: Path | None = None,
    in_database: bool = False,
) -> Problem | None:
    """What is wrong with an attachment's stored copy (unsafe name, missing, altered), or None.

    ``in_database``: its bytes are in ``attachment_contents`` (checked against their key apart).
    """
    if in_database:
        return None
    if not stored_path:
        shown = {"id": attachment_id, "name": name, "path": sha256[:16]}
        return None if built_in(sha256) is not None else Problem("file", "attachment.file_missing", shown)
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


#: Where opened attachments are written for the desktop's viewer (under the data folder; a cache).
OPENED = "attachments-opened"
#: Copies opened longer ago than this are deleted when another attachment is opened: the bytes stay
#: in the database, so a copy is only a cache, and a cache of public documents should not grow forever.
OPENED_KEEP_DAYS = 7


def _opened_folder() -> Path:
    """The folder of opened copies, created, with copies older than :data:`OPENED_KEEP_DAYS` removed."""
    folder = paths.user_data_dir() / OPENED
    folder.mkdir(parents=True, exist_ok=True)
    oldest = time.time() - OPENED_KEEP_DAYS * 86_400
    for old in folder.iterdir():
        try:
            if old.is_file() and old.stat().st_mtime < oldest:
                old.unlink()
        except OSError:  # still open in a viewer (Windows), or removed meanwhile: next time
            continue
    return folder


def attachment_file(db: Database, attachment_id: int) -> Path:
    """A file holding an attachment's bytes, to open it: unaltered, and named by the app.

    The one way the app opens an attachment (the desktop runs what it is given: a stored name
    ``/usr/bin/xcalc`` or a replaced file must never reach it). Bytes kept in the database are
    written to ``attachments-opened/`` of the data folder under a name made of their hash.

    Raises:
        InputError: ``attachment.unknown``, ``attachment.unsafe_path``, ``attachment.file_missing``,
            ``attachment.file_altered``.
    """
    with db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise InputError(Problem("file", "attachment.unknown", {"id": attachment_id}))
        name, stored, sha = row.original_name, row.stored_path, row.sha256
        content = session.scalar(select(AttachmentContent.content).where(AttachmentContent.sha256 == sha))
    if content is not None:
        if hashlib.sha256(content).hexdigest() != sha:
            raise InputError(
                Problem(
                    "file", "attachment.file_altered", {"id": attachment_id, "name": name, "path": sha[:16]}
                )
            )
        target = _opened_folder() / f"{sha[:16]}{_suffix(name)}"
        if not target.is_file() or _sha256(target) != sha:
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(content)
            replace_file(partial, target)
        return target
    problem = stored_file_problem(attachment_id, name, stored, sha)
    if problem is not None:
        raise InputError(problem)
    builtin = built_in(sha)
    if not stored:  # a built-in placeholder recorded without a copy
        assert builtin is not None  # stored_file_problem refused any other
        target = _opened_folder() / f"{sha[:16]}.pdf"
        target.write_bytes(builtin)
        return target
    target = resolve_stored(stored, attachment_id)
    if builtin is not None and not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(builtin)
    return target


def attachment_bytes(db: Database, attachment_id: int) -> bytes:
    """An attachment's bytes, checked against its SHA-256 (see :func:`attachment_file`)."""
    return attachment_file(db, attachment_id).read_bytes()


def _suffix(name: str) -> str:
    """A file name's extension when it is a plain one (".pdf"), else ""."""
    suffix = Path(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


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
    """Keep ``source``'s bytes in the database (once per distinct file) and record the attachment.

    The caller owns the transaction: the bytes and the row are written together or not at all.

    Raises:
        InputError: the file does not exist, is not a regular file, is empty (``file.empty``: a
            0-byte file is no document) or is too large.
    """
    if not source.is_file():
        raise InputError(Problem("file", "file.not_found", {"path": str(source)}))
    size = source.stat().st_size
    if size == 0:
        raise InputError(Problem("file", "file.empty", {"path": str(source)}))
    if size > MAX_ATTACHMENT_BYTES:
        raise InputError(Problem("file", "file.too_large", {"max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}))
    content = source.read_bytes()
    if not content:  # emptied between the two looks
        raise InputError(Problem("file", "file.empty", {"path": str(source)}))
    sha = hashlib.sha256(content).hexdigest()
    on_server = session.get_bind().dialect.name == "postgresql"
    if not on_server and session.get(AttachmentContent, sha) is None:
        session.add(AttachmentContent(sha256=sha, size=len(content), content=content))
    row = Attachment(
        project_id=project.id,
        ledger_entry_id=ledger_entry_id,
        kind=kind,
        original_name=source.name[:255],
        stored_path="",
        sha256=sha,
        size=len(content),
        added_by=user,
    )
    session.add(row)
    session.flush()
    if on_server:
        # Row-level security may hide a copy another office filed (the same blank form), and lets an
        # office store bytes only once its attachment names them: after the row, unless the key is taken.
        session.execute(
            pg_insert(AttachmentContent)
            .values(sha256=sha, size=len(content), content=content, stored_at=utcnow())
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
    return row


def absorb_files(db: Database, *, data_dir: Path | None = None) -> int:
    """Move into the database the files earlier releases kept in this computer's data folder.

    Each attachment whose bytes are not in the database yet is read from its stored copy and kept
    if it still matches its recorded SHA-256 (a missing or altered copy is left for ``check`` to
    name). Idempotent and cheap when there is nothing to move. Returns how many files were moved.
    """
    base = data_dir or paths.user_data_dir()
    with db.transaction() as session:
        pending = session.execute(
            select(Attachment.sha256, Attachment.stored_path)
            .where(Attachment.stored_path != "", Attachment.sha256.not_in(select(AttachmentContent.sha256)))
            .distinct()
        ).all()
    found: dict[str, bytes] = {}
    for sha, stored in pending:
        if sha in found or built_in(sha) is not None or not safe_stored_name(stored):
            continue
        path = base / stored
        if path.is_file() and path.stat().st_size <= MAX_ATTACHMENT_BYTES:
            content = path.read_bytes()
            if content and hashlib.sha256(content).hexdigest() == sha:
                found[sha] = content
    if not found:
        return 0
    with db.transaction(immediate=True) as session:
        for sha, content in found.items():
            if session.get(AttachmentContent, sha) is None:
                session.add(AttachmentContent(sha256=sha, size=len(content), content=content))
    return len(found)


def content_problems(session: Session) -> Problem | None:
    """The first stored content whose bytes no longer hash to its key (changed behind the app's back)."""
    rows = session.execute(
        select(AttachmentContent.sha256, AttachmentContent.size, AttachmentContent.content).execution_options(
            yield_per=50
        )
    )
    for sha, size, content in rows:
        if len(content) != size or hashlib.sha256(content).hexdigest() != sha:
            return Problem("file", "attachment.content_altered", {"sha": sha[:16]})
    return None


def replace_attachment(
    db: Database, attachment_id: int, source: Path, reason: str, *, user: str = ""
) -> AttachmentInfo:
    """File ``source`` in place of a wrong attachment; the wrong one stays on record with the reason.

    Raises:
        InputError: ``attachment.unknown``; ``attachment.already_replaced`` (replace the newer one);
            ``text.*`` on ``reason`` (required); the file's problems (see :func:`store_file`).
    """
    actor = require(db, "attachments.add")
    problems: list[Problem] = []
    why = clean_text(reason, "reason", problems, max_len=limits.LONG_TEXT, multiline=True)
    if problems:
        raise InputError(problems)
    with db.transaction(immediate=True) as session:
        old = session.get(Attachment, attachment_id)
        if old is None:
            raise InputError(Problem("file", "attachment.unknown", {"id": attachment_id}))
        newer = session.scalar(select(Attachment.id).where(Attachment.replaces_id == attachment_id))
        if newer is not None:
            raise InputError(
                Problem("file", "attachment.already_replaced", {"id": attachment_id, "newer": newer})
            )
        project = session.get(Project, old.project_id)
        assert project is not None  # a foreign key
        row = store_file(
            session,
            project,
            old.kind,
            source,
            user=user or actor.username,
            ledger_entry_id=old.ledger_entry_id,
        )
        row.replaces_id = old.id
        row.replace_reason = why
        session.flush()
        return _info(row)


def attachment_history(db: Database, attachment_id: int) -> list[AttachmentInfo]:
    """The attachment and every one it replaced, newest first (the corrections of one document)."""
    found: list[AttachmentInfo] = []
    with db.transaction() as session:
        current = session.get(Attachment, attachment_id)
        while current is not None and len(found) < 1000:
            found.append(_info(current))
            current = session.get(Attachment, current.replaces_id) if current.replaces_id else None
    return found


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
    every = session.scalars(
        select(Attachment)
        .where(Attachment.project_id == project.id, Attachment.ledger_entry_id.is_(None))
        .order_by(Attachment.id)
    ).all()
    # A replaced attachment (a wrong scan) no longer satisfies its requirement: its correction does.
    replaced = {r.replaces_id for r in every if r.replaces_id is not None}
    rows = [r for r in every if r.id not in replaced]
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
