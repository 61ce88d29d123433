"""Consolidation, the state side: importing a municipal office's package into the shared database.

The package (:mod:`tresxuno.services.consolidation`) is trusted only after its signature verifies with
the public key registered for the office, every member's digest matches its manifest, its records
link, and it starts where the office's last package ended. Then its records are replayed in order, in
one transaction:

- an inserted row gets a new id here; ``consolidated_rows`` remembers which (so later updates and
  references find it). A row equal to one already here by a unique key (the INEGI catalogue, a
  rule set, a federation) is taken as that one; a *different* row under the same key is a conflict;
- an update applies only if the row here still holds what the office's record says it held before;
  a row changed here meanwhile is a conflict;
- a delete likewise.

A conflict is never merged silently: the import stops, writes nothing and lists each conflict with
both versions. The administrator then decides for all of them at once (``theirs``: the office's
version replaces the state's; ``ours``: the state's stays) and imports again; the decision and both
versions are kept in ``consolidation_conflicts``. Importing a package already imported changes
nothing. Users, settings and offices are the state's own and are never imported; a project outside
the office's jurisdiction refuses the package.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Integer, Table, UniqueConstraint, and_, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from tresxuno.db.engine import Database
from tresxuno.db.models import (
    AttachmentContent,
    Base,
    ConsolidatedRow,
    Consolidation,
    ConsolidationConflict,
    Office,
)
from tresxuno.db.repos.offices import jurisdiction_of
from tresxuno.domain import consolidation as package
from tresxuno.domain.audit import bulk_rows, canonical_value, load_image
from tresxuno.domain.problems import InputError, Problem
from tresxuno.services.auth import require
from tresxuno.services.progress import CancelToken, Progress, no_progress

#: Tables a package never writes here: who may sign in, the office's own settings, the state's offices.
NOT_IMPORTED = frozenset(
    {
        "users",
        "settings",
        "offices",
        "office_municipalities",
        "consolidations",
        "consolidated_rows",
        "consolidation_conflicts",
        "accepted_rule_files",
        "fiscal_years",
    }
)
#: Columns that say when and by whom a row was written, not what it holds: two registrations of the
#: same federation or rule set differ in them and are still the same thing.
BOOKKEEPING = frozenset(
    {
        "created_at",
        "updated_at",
        "stored_at",
        "created_by",
        "recorded_at",
        "recorded_by",
        "added_at",
        "added_by",
    }
)
#: Tables without a unique key whose rows are the same thing when all their columns agree.
CONTENT_KEYED = frozenset({"post_titles"})
DECISIONS = ("theirs", "ours")
#: Conflicts listed in one refusal (the rest are counted).
SHOWN_CONFLICTS = 50


@dataclass(frozen=True)
class Conflict:
    """A record of the package that met another version here; both versions as JSON text."""

    table: str
    origin_id: str
    local_id: str
    reason: str  # changed_here, duplicate, unknown_row, missing_reference
    theirs: str
    ours: str


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: the records applied, rows written, conflicts decided (none: a clean import)."""

    office: str
    from_seq: int
    to_seq: int
    applied: int
    rows: int
    already_imported: bool
    conflicts: tuple[Conflict, ...] = ()


class ConsolidationConflictError(InputError):
    """The package meets other versions here: nothing was imported; ``conflicts`` shows both of each."""

    def __init__(self, conflicts: list[Conflict]):
        shown = conflicts[:SHOWN_CONFLICTS]
        super().__init__(
            [Problem("package", "consolidation.conflicts", {"count": len(conflicts)})]
            + [
                Problem(
                    "package",
                    "consolidation.conflict",
                    {
                        "table": c.table,
                        "id": c.origin_id,
                        "reason": c.reason,
                        "theirs": c.theirs,
                        "ours": c.ours,
                    },
                )
                for c in shown
            ]
        )
        self.conflicts = tuple(conflicts)


# --- Import ---------------------------------------------------------------------------------------


@dataclass
class _Package:
    manifest: package.Manifest
    records: list[dict[str, Any]]
    files: dict[str, bytes]
    sha256: str


def _read(path: Path, public_hex: str) -> _Package:
    """The package, after its signature, digests and chain were verified."""
    refused = InputError(Problem("package", "consolidation.unreadable", {"path": str(path)}))
    try:
        data = path.read_bytes()
        zf = zipfile.ZipFile(io.BytesIO(data))
        body = zf.read(package.MANIFEST)
        signature = zf.read(package.SIGNATURE).decode("ascii").strip()
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        raise refused from None
    if not package.signature_holds(public_hex, body, signature):
        raise InputError(Problem("package", "consolidation.bad_signature", {}))
    manifest = package.Manifest.from_bytes(body)
    if manifest is None:
        raise refused
    contents: dict[str, bytes] = {}
    for name, digest in manifest.members.items():
        try:
            content = zf.read(name)
        except KeyError:
            raise InputError(Problem("package", "consolidation.tampered", {"member": name})) from None
        if package.sha256_hex(content) != digest or (
            name.startswith(package.FILES) and package.sha256_hex(content) != name[len(package.FILES) :]
        ):
            raise InputError(Problem("package", "consolidation.tampered", {"member": name}))
        contents[name] = content
    if set(zf.namelist()) - set(manifest.members) - {package.MANIFEST, package.SIGNATURE}:
        raise InputError(Problem("package", "consolidation.tampered", {"member": "?"}))
    try:
        records = [json.loads(line) for line in contents[package.TRAIL].decode("utf-8").splitlines() if line]
    except (KeyError, ValueError):
        raise refused from None
    problem = package.chain_problem(manifest, records)
    if problem is not None:
        raise InputError(problem)
    files = {name[len(package.FILES) :]: c for name, c in contents.items() if name.startswith(package.FILES)}
    return _Package(manifest, records, files, package.sha256_hex(data))


def _table(name: str) -> Table | None:
    return cast(Table | None, Base.metadata.tables.get(name))


def _surrogate(table: Table) -> bool:
    """Whether rows are keyed by a generated integer id (new here) rather than a natural key."""
    columns = list(table.primary_key.columns)
    return len(columns) == 1 and columns[0].key == "id" and isinstance(columns[0].type, Integer)


def _python(table: Table, column: str, value: Any) -> Any:
    """A canonical image value as the column takes it (dates from ISO text)."""
    if value is None or column not in table.c:
        return value
    try:
        kind = table.c[column].type.python_type
    except NotImplementedError:
        return value
    if kind is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is bool and isinstance(value, int):
        return bool(value)
    if kind is bytes and isinstance(value, str):
        return bytes.fromhex(value)
    return value


def _dumps(values: Mapping[str, Any]) -> str:
    return json.dumps({k: canonical_value(v) for k, v in sorted(values.items())}, ensure_ascii=False)


class _Replay:
    """Applies one package's records here, in order, inside the caller's transaction."""

    def __init__(self, session: Session, office: Office, decision: str | None):
        self.session, self.office, self.decision = session, office, decision
        self.jurisdiction = jurisdiction_of(session, office.id)
        self.maps: dict[str, dict[str, str]] = {}
        self.new_maps: list[dict[str, Any]] = []
        self.conflicts: list[Conflict] = []
        self.rows = 0

    # -- ids -----------------------------------------------------------------------------------

    def _map(self, table: str) -> dict[str, str]:
        if table not in self.maps:
            self.maps[table] = dict(
                self.session.execute(
                    select(ConsolidatedRow.origin_id, ConsolidatedRow.local_id).where(
                        ConsolidatedRow.office_id == self.office.id, ConsolidatedRow.table_name == table
                    )
                ).all()
            )
        return self.maps[table]

    def _remember(self, table: str, origin: str, local: str) -> None:
        self._map(table)[origin] = local
        self.new_maps.append(
            {"office_id": self.office.id, "table_name": table, "origin_id": origin, "local_id": local}
        )

    def _local_values(self, table: Table, image: Mapping[str, Any]) -> dict[str, Any] | None:
        """The image with its references turned into ids here; None when one is not here."""
        values = {c: _python(table, c, v) for c, v in image.items() if c in table.c}
        for fk in table.foreign_keys:
            column, target = fk.parent.key, fk.column.table
            if column not in values or values[column] is None or not _surrogate(cast(Table, target)):
                continue
            local = self._map(target.name).get(str(values[column]))
            if local is None:
                return None
            values[column] = int(local)
        return values

    def _key_where(self, table: Table, values: Mapping[str, Any]) -> Any:
        return and_(*(c == values[c.key] for c in table.primary_key.columns))

    def _current(self, table: Table, where: Any) -> dict[str, Any] | None:
        row = self.session.execute(select(table).where(where)).mappings().first()
        return dict(row) if row is not None else None

    def _new_id(self, table: Table) -> int:
        (pk,) = table.primary_key.columns
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            return int(
                connection.execute(
                    text("SELECT nextval(pg_get_serial_sequence(:t, :c))"), {"t": table.name, "c": pk.name}
                ).scalar_one()
            )
        return int(connection.execute(select(func.coalesce(func.max(pk), 0))).scalar_one()) + 1

    # -- conflicts -----------------------------------------------------------------------------

    def _conflict(
        self,
        table: Table,
        origin: str,
        local: str,
        reason: str,
        theirs: Mapping[str, Any],
        ours: Mapping[str, Any] | None,
    ) -> None:
        self.conflicts.append(Conflict(table.name, origin, local, reason, _dumps(theirs), _dumps(ours or {})))

    @staticmethod
    def _same(ours: Mapping[str, Any], theirs: Mapping[str, Any], columns: Any) -> bool:
        return all(canonical_value(ours.get(c)) == canonical_value(theirs.get(c)) for c in columns)

    def _check_jurisdiction(self, table: Table, values: Mapping[str, Any]) -> None:
        if table.name == "projects" and self.jurisdiction is not None:
            key = str(values.get("municipality_key") or "")
            if key and not self.jurisdiction.covers(key):
                raise InputError(
                    Problem(
                        "package",
                        "consolidation.outside_jurisdiction",
                        {"folio": values.get("folio", ""), "municipality": key, "office": self.office.name},
                    )
                )

    # -- records -------------------------------------------------------------------------------

    def apply(self, record: Mapping[str, Any]) -> None:
        table = _table(str(record["table"]))
        if table is None or table.name in NOT_IMPORTED:
            return
        action = record["action"]
        if action == "insert":
            after = load_image(record["after"])
            if after is None:
                return
            for image in bulk_rows(after) if record["row_id"] is None else [after]:
                self._insert(table, image)
        elif action == "update":
            self._update(
                table,
                str(record["row_id"]),
                load_image(record["before"]) or {},
                load_image(record["after"]) or {},
            )
        elif action == "delete":
            self._delete(table, str(record["row_id"]), load_image(record["before"]) or {})

    def _insert(self, table: Table, image: Mapping[str, Any]) -> None:
        values = self._local_values(table, image)
        origin = "/".join(str(image.get(c.key)) for c in table.primary_key.columns)
        if values is None:
            self._conflict(table, origin, "", "missing_reference", image, None)
            return
        self._check_jurisdiction(table, values)
        compared = [c for c in values if c not in BOOKKEEPING and c not in table.primary_key.columns]
        if not _surrogate(table):
            ours = self._current(table, self._key_where(table, values))
            if ours is None:
                self._write_insert(table, values)
            elif not self._same(ours, values, compared):
                self._settle(table, origin, origin, "duplicate", values, ours, self._key_where(table, values))
            return
        if origin in self._map(table.name):
            return  # already here (a package overlapping the last)
        existing = self._same_thing(table, values, compared)
        if existing is not None:
            local = str(existing["id"])
            if not self._same(existing, values, compared):
                self._settle(
                    table, origin, local, "duplicate", values, existing, table.c.id == existing["id"]
                )
            self._remember(table.name, origin, local)
            return
        values = {**values, "id": self._new_id(table)}
        self._write_insert(table, values)
        self._remember(table.name, origin, str(values["id"]))

    def _same_thing(
        self, table: Table, values: Mapping[str, Any], compared: list[str]
    ) -> dict[str, Any] | None:
        """A row here that is this row by a unique key (or, for content-keyed tables, by content)."""
        keys: list[list[str]] = [
            [c.key for c in constraint.columns]
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        ]
        keys += [[c.key] for c in table.columns if c.unique]
        if table.name in CONTENT_KEYED:
            keys.append(compared)
        for key in keys:
            if key and all(values.get(c) is not None for c in key):
                found = self._current(table, and_(*(table.c[c] == values[c] for c in key)))
                if found is not None:
                    return found
        return None

    def _write_insert(self, table: Table, values: Mapping[str, Any]) -> None:
        self.session.execute(insert(table), [dict(values)])
        self.rows += 1

    def _settle(
        self,
        table: Table,
        origin: str,
        local: str,
        reason: str,
        theirs: Mapping[str, Any],
        ours: Mapping[str, Any],
        where: Any,
    ) -> None:
        """A conflict: recorded; with the decision ``theirs`` the office's version replaces ours."""
        self._conflict(table, origin, local, reason, theirs, ours)
        if self.decision == "theirs":
            changes = {c: v for c, v in theirs.items() if c not in table.primary_key.columns}
            if changes:
                self.session.execute(update(table).where(where).values(**changes))
                self.rows += 1

    def _locate(self, table: Table, origin: str, image: Mapping[str, Any]) -> tuple[str, Any] | None:
        if _surrogate(table):
            local = self._map(table.name).get(origin)
            return None if local is None else (local, table.c.id == int(local))
        values = self._local_values(
            table,
            {
                **image,
                **dict(zip([c.key for c in table.primary_key.columns], origin.split("/"), strict=False)),
            },
        )
        if values is None:
            return None
        return origin, self._key_where(table, values)

    def _update(self, table: Table, origin: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        theirs_before = self._local_values(table, before)
        theirs_after = self._local_values(table, after)
        found = self._locate(table, origin, before)
        if found is None or theirs_before is None or theirs_after is None:
            self._conflict(table, origin, "", "unknown_row", after, None)
            return
        local, where = found
        ours = self._current(table, where)
        if ours is None:
            self._conflict(table, origin, local, "unknown_row", after, None)
            return
        self._check_jurisdiction(table, {**ours, **theirs_after})
        changes = {c: v for c, v in theirs_after.items() if c not in table.primary_key.columns}
        if self._same(ours, theirs_before, theirs_before):
            self.session.execute(update(table).where(where).values(**changes))
            self.rows += 1
        elif not self._same(ours, theirs_after, theirs_after):
            self._settle(
                table,
                origin,
                local,
                "changed_here",
                theirs_after,
                {c: ours.get(c) for c in theirs_after},
                where,
            )

    def _delete(self, table: Table, origin: str, before: Mapping[str, Any]) -> None:
        found = self._locate(table, origin, before)
        if found is None:
            return  # never here, or gone already
        local, where = found
        ours = self._current(table, where)
        if ours is None:
            return
        theirs = self._local_values(table, before) or {}
        compared = [c for c in theirs if c not in BOOKKEEPING]
        if self._same(ours, theirs, compared) or self.decision == "theirs":
            if not self._same(ours, theirs, compared):
                self._conflict(table, origin, local, "changed_here", {}, ours)
            self.session.execute(delete(table).where(where))
            self.rows += 1
        else:
            self._conflict(table, origin, local, "changed_here", {}, ours)


def import_package(
    db: Database,
    path: str | Path,
    office_code: str,
    *,
    decision: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> ImportSummary:
    """Import a municipal office's package into this (state) database, in one transaction.

    Args:
        db: the state's database.
        path: the package file.
        office_code: the office that sent it (its registered public key verifies the signature).
        decision: None to refuse on any conflict; ``"theirs"`` or ``"ours"`` to settle every
            conflict of this package that way (recorded with both versions).
        progress: told ``(done, total, message)`` while the records are applied.
        cancel: checked every thousand records; a cancel rolls everything back.

    Raises:
        InputError: ``auth.*``; ``office.unknown``; ``consolidation.no_key``, ``.unreadable``,
            ``.bad_signature``, ``.tampered``, ``.broken_chain``, ``.not_first``, ``.other_source``,
            ``.does_not_chain``, ``.gap``, ``.outside_jurisdiction``; :class:`ConsolidationConflictError`.
            Nothing is written when any is raised.
    """
    actor = require(db, "consolidation.import")
    if decision is not None and decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    token = cancel or CancelToken()
    with db.transaction(immediate=True) as session:
        office = session.scalar(select(Office).where(Office.code == office_code.strip().lower()))
        if office is None:
            raise InputError(Problem("office", "office.unknown", {"office": office_code}))
        if not office.public_key:
            raise InputError(Problem("office", "consolidation.no_key", {"office": office.name}))
        pack = _read(Path(path).expanduser(), office.public_key)
        last_row = session.scalars(
            select(Consolidation)
            .where(Consolidation.office_id == office.id)
            .order_by(Consolidation.to_seq.desc())
        ).first()
        last = (
            None
            if last_row is None
            else package.Position(last_row.source_id, last_row.to_seq, last_row.head_hash)
        )
        start = package.where_to_start(
            pack.manifest, last, {int(r["seq"]): str(r["hash"]) for r in pack.records}
        )
        if isinstance(start, Problem):
            raise InputError(start)
        m = pack.manifest
        if start > m.to_seq:
            return ImportSummary(office.code, m.from_seq, m.to_seq, 0, 0, already_imported=True)
        for sha, content in pack.files.items():
            if session.get(AttachmentContent, sha) is None:
                session.add(AttachmentContent(sha256=sha, size=len(content), content=content))
        session.flush()
        replay = _Replay(session, office, decision)
        todo = [r for r in pack.records if int(r["seq"]) >= start]
        for i, record in enumerate(todo, 1):
            replay.apply(record)
            if i % 1000 == 0:
                token.raise_if_cancelled()
                progress(i, len(todo), "")
        if replay.conflicts and decision is None:
            raise ConsolidationConflictError(replay.conflicts)
        if replay.new_maps:
            session.execute(insert(ConsolidatedRow), replay.new_maps)
        done = Consolidation(
            office_id=office.id,
            source_id=m.source_id,
            from_seq=start,
            to_seq=m.to_seq,
            head_hash=m.head_hash,
            package_sha256=pack.sha256,
            rows=replay.rows,
            imported_by=actor.username,
        )
        session.add(done)
        session.flush()
        for c in replay.conflicts:
            session.add(
                ConsolidationConflict(
                    consolidation_id=done.id,
                    table_name=c.table,
                    origin_id=c.origin_id,
                    local_id=c.local_id,
                    reason=c.reason,
                    theirs=c.theirs,
                    ours=c.ours,
                    decision=decision or "ours",
                )
            )
        session.flush()
        progress(len(todo), len(todo), "")
        return ImportSummary(
            office.code, start, m.to_seq, len(todo), replay.rows, False, tuple(replay.conflicts)
        )
