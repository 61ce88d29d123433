"""Write the audit trail: every change made through a tresxuno session leaves a chained record.

Capture lives here, in the db layer, so no service can forget it: mapper events take a row's image
before and after each ORM insert, update and delete (orphans removed by cascades included); the
session's ``do_orm_execute`` event covers statements run through ``Session.execute`` (Core bulk
inserts, bulk updates and deletes); :func:`audit_bulk_insert` is for writers that go straight to the
driver. Records are appended after the business rows are written, in the same transaction, so the
writer already holds SQLite's lock; on PostgreSQL the chain's head row is locked ``FOR UPDATE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Integer,
    Table,
    Update,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, object_session, sessionmaker

from tresxuno import paths
from tresxuno.collector import cycle_collector_paused
from tresxuno.db.models import AuditHead, AuditLogRow, Base, utcnow
from tresxuno.domain.actor import current_actor
from tresxuno.domain.audit import (
    LEDGER_TABLES,
    bulk_image,
    bulk_rows,
    chain_hash,
    changed_only,
    dumps,
    image,
    load_image,
    pack_image,
    parse_key,
    record_text,
)
from tresxuno.domain.audit import key_id as name_key
from tresxuno.domain.problems import StorageError

#: Tables not audited: the trail itself and Alembic's bookkeeping. The INEGI states are a fixed
#: catalogue; municipalities an administrator adds are audited.
UNAUDITED: frozenset[str] = frozenset(
    # attachment_contents: a file's bytes, keyed by their SHA-256; the attachment row naming that
    # hash is audited, and ``check`` verifies every content against its key.
    {"audit_log", "audit_head", "states", "alembic_version", "attachment_contents"}
)

#: ``Session.info`` key marking a session whose changes are audited, and the key of its pending records.
AUDITED, _PENDING, _BEFORE = "tresxuno_audited", "tresxuno_audit_pending", "tresxuno_audit_before"

#: Parent tables a child row's history belongs to: column holding the parent's id -> subject prefix.
_SUBJECT_COLUMNS = (("project_id", "projects"), ("session_id", "covam_sessions"), ("club_id", "clubs"))

#: An audit item before it is chained: action, table, row id, subject, before and after images.
Item = tuple[str, str, str | None, str | None, str | None, str | None]


def is_audited(table_name: str) -> bool:
    """Whether changes to ``table_name`` are recorded."""
    return table_name not in UNAUDITED


def row_id(table: Table, values: Mapping[str, Any]) -> str:
    """A row's primary key as text: ``"12"``, or ``"12/federal"`` for a composite key."""
    return "/".join(str(values[c.key]) for c in table.primary_key.columns)


def subject_of(table_name: str, values: Mapping[str, Any]) -> str | None:
    """The project, club or COVAM session whose history shows this row."""
    if table_name in ("projects", "clubs", "covam_sessions", "federations") and values.get("id") is not None:
        return f"{table_name}:{values['id']}"
    for column, parent in _SUBJECT_COLUMNS:
        if values.get(column) is not None:
            return f"{parent}:{values[column]}"
    return None


def office_key() -> bytes | None:
    """The office key in the user's config folder, or None when there is none.

    Read at each use (a few hundred bytes), so a key created while the app runs takes effect at once.

    Raises:
        StorageError: ``audit.key_invalid``: the file exists but does not hold a key.
    """
    path = paths.office_key_file()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError("audit.key_invalid", path=str(path), detail=str(exc)) from exc
    key = parse_key(text)
    if key is None:
        raise StorageError("audit.key_invalid", path=str(path), detail="not 64 hex digits")
    return key


def append(connection: Connection, items: Sequence[Item], *, seal: bool = False) -> None:
    """Chain ``items`` after the last record and write them, with one ``executemany``.

    Call it after the rows the items describe were written in this transaction: SQLite then
    already serialises this writer, and PostgreSQL waits here for any other writer's chain.

    With an office key on this computer and a trail not yet sealed, the first record written is
    the head taking the key (``audit_head`` row 1), and every record from it on carries an HMAC;
    ``seal=True`` writes that record even with no ``items``. A trail sealed with a key that is
    not here is refused: plain records after sealed ones would let anyone re-hash the end.

    Raises:
        StorageError: ``audit.key_missing`` or ``audit.key_mismatch`` (nothing is written).
    """
    if not items and not seal:
        return
    head = AuditHead.__table__
    seq, prev, sealed_by, since = connection.execute(
        select(head.c.seq, head.c.hash, head.c.key_id, head.c.keyed_since)
        .where(head.c.id == 1)
        .with_for_update()
    ).one()
    key = office_key()
    if key is not None and sealed_by is None:
        sealed_by, since = name_key(key), seq + 1
        taken = dumps({"key_id": sealed_by, "keyed_since": since})
        items = [
            ("update", "audit_head", "1", None, dumps({"key_id": None, "keyed_since": None}), taken),
            *items,
        ]
    elif sealed_by is not None and key is None:
        raise StorageError("audit.key_missing", key=sealed_by, path=str(paths.office_key_file()))
    elif sealed_by is not None and key is not None and name_key(key) != sealed_by:
        raise StorageError(
            "audit.key_mismatch", key=name_key(key), sealed=sealed_by, path=str(paths.office_key_file())
        )
    if not items:
        return
    actor = current_actor()
    at = utcnow()
    rows = []
    for action, table, rid, subject, before_text, after_text in items:
        seq += 1
        # Long images are stored compressed; the hash covers the text as stored.
        before, after = pack_image(before_text), pack_image(after_text)
        digest = chain_hash(
            prev,
            record_text(seq, at, actor.username, actor.role, action, table, rid, subject, before, after),
            key if sealed_by is not None else None,
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "username": actor.username,
                "role": actor.role,
                "action": action,
                "table_name": table,
                "row_id": rid,
                "subject": subject,
                "before": before,
                "after": after,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    connection.execute(insert(AuditLogRow.__table__), rows)
    connection.execute(
        update(head).where(head.c.id == 1).values(seq=seq, hash=prev, key_id=sealed_by, keyed_since=since)
    )


def _images(connection: Connection, table: Table, where: Any) -> dict[str, dict[str, Any]]:
    """Current images of the rows matching ``where``, by row id."""
    rows = (r._asdict() for r in connection.execute(select(table).where(where)))
    return {row_id(table, r): image(r) for r in rows}


def _pk_where(table: Table, keys: Iterable[tuple[Any, ...]]) -> Any:
    columns = list(table.primary_key.columns)
    keys = list(keys)
    if len(columns) == 1:
        return columns[0].in_([k[0] for k in keys])
    return tuple_(*columns).in_(keys)


#: Most rows one bulk-insert record lists (see :func:`audit_bulk_insert`).
BULK_RECORD_ROWS = 10_000


def audit_bulk_insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record rows just inserted in bulk: one record whose after-image lists every row.

    One record per statement rather than per row keeps a 30,000-project demo (about 830,000 rows)
    within a few seconds of its time without the trail. The image is ``{"columns": [...],
    "defaults": {...}, "rows": [[...], ...]}``: each row's values in the order of ``columns``, and
    the constant defaults of the columns the statement left out (a generated one, such as an
    id, is None). Values are canonical (see :func:`tresxuno.domain.audit.bulk_image`).
    """
    if not rows or not is_audited(table.name):
        return
    given = sorted(rows[0])
    defaults = {c.key: _constant_default(table, c.key) for c in table.columns if c.key not in rows[0]}
    # A record per BULK_RECORD_ROWS rows: ``check`` holds one record's rows at a time, so its memory
    # stays bounded however many rows one statement inserts (the demo's 160,000 entries at once).
    # The images' tuples and lists are acyclic: the collector paused, they do not make it walk
    # every object the caller holds (the demo's whole data set) again and again.
    with cycle_collector_paused():
        items: list[Item] = [
            (
                "insert",
                table.name,
                None,
                None,
                None,
                bulk_image(given, defaults, rows[start : start + BULK_RECORD_ROWS]),
            )
            for start in range(0, len(rows), BULK_RECORD_ROWS)
        ]
        append(connection, items)


#: Subject of the records :func:`seal_baseline` writes, so histories and auditors can tell them apart.
BASELINE = "baseline"


def audited_tables(connection: Connection) -> list[Table]:
    """The audited tables of the schema this app knows that exist in the database, in dependency order."""
    present = set(inspect(connection).get_table_names())
    return [t for t in Base.metadata.sorted_tables if is_audited(t.name) and t.name in present]


def compared_tables(connection: Connection) -> list[Table]:
    """The tables ``check`` compares with the trail, the ledger's two first, then the rest in dependency order.

    The ledger goes first because a difference in money is the one an auditor most needs named.
    """
    tables = audited_tables(connection)
    ledger = [t for t in tables if t.name in LEDGER_TABLES]
    return sorted(ledger, key=lambda t: LEDGER_TABLES.index(t.name)) + [t for t in tables if t not in ledger]


def trail_row_ids(connection: Connection) -> dict[str, set[str]]:
    """The row ids each table's records name (inserted, changed or deleted), replaying the whole trail."""
    log = AuditLogRow.__table__
    tables = Base.metadata.tables
    known: dict[str, set[str]] = {}
    query = select(log.c.table_name, log.c.row_id, log.c.after).order_by(log.c.seq)
    for name, rid, after in connection.execute(query):
        ids = known.setdefault(name, set())
        if rid is not None:
            ids.add(rid)
        elif after and name in tables:  # a bulk insert: every row of its image
            ids.update(row_id(tables[name], row) for row in bulk_rows(load_image(after)))
    return known


def seal_baseline(connection: Connection) -> int:
    """Record every row the trail has never seen as a baseline: one bulk record per table.

    Run after each upgrade, in its transaction: rows written by a release before the trail (0001 to
    0005) and the INEGI catalogue otherwise stay unknown to ``check`` forever. Rows the trail
    already knows are left alone even when they differ from it: an upgrade must not bless a change
    made behind the app's back. Returns how many rows were sealed.
    """
    known = trail_row_ids(connection)
    items: list[Item] = []
    sealed = 0
    for table in audited_tables(connection):
        ids = known.get(table.name, set())
        every = (dict(r) for r in connection.execute(select(table)).mappings())
        rows = [row for row in every if row_id(table, row) not in ids]
        if not rows:
            continue
        columns = [c.key for c in table.columns]
        items.append(("insert", table.name, None, BASELINE, None, bulk_image(columns, {}, rows)))
        sealed += len(rows)
    append(connection, items)
    return sealed


def added_column_values(table: Table) -> dict[str, Any]:
    """Each non-key column's constant default (None when it has none): the value a migration adding it gave old rows.

    ``check`` accepts it for a column an image written before that migration lacks (see
    :func:`tresxuno.domain.audit.compare_row`).
    """
    return {c.key: _constant_default(table, c.key) for c in table.columns if not c.primary_key}


def _constant_default(table: Table, key: str) -> Any:
    column = table.c[key]
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        # is_scalar marks a ScalarElementColumnDefault, which SQLAlchemy's typing cannot narrow to.
        return default.arg  # type: ignore[attr-defined]
    server = column.server_default
    text = getattr(getattr(server, "arg", None), "text", getattr(server, "arg", None))
    if isinstance(text, str):
        return {"false()": False, "true()": True}.get(text, text.strip("'"))
    return None


# --- ORM capture ------------------------------------------------------------------------------


def _pending(target: object) -> list[Any] | None:
    session = object_session(target)
    if session is None or not session.info.get(AUDITED):
        return None
    return session.info.setdefault(_PENDING, [])


def _key(mapper: Mapper[Any], target: object) -> tuple[Any, ...]:
    return tuple(mapper.primary_key_from_instance(target))


#: Rows whose images one query reads (an ``IN`` list each database accepts).
_IMAGES_AT_ONCE = 500


def _images_by_key(
    connection: Connection, table: Table, keys: Iterable[tuple[Any, ...]]
) -> dict[str, dict[str, Any]]:
    """The current images of the rows with these primary keys, by row id, a few queries for any number."""
    unique = list(dict.fromkeys(keys))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique), _IMAGES_AT_ONCE):
        found.update(_images(connection, table, _pk_where(table, unique[start : start + _IMAGES_AT_ONCE])))
    return found


def _key_id(table: Table, key: tuple[Any, ...]) -> str:
    return row_id(table, dict(zip([c.key for c in table.primary_key.columns], key, strict=True)))


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """Read what this flush will overwrite or delete, one query per table rather than one per row.

    The demo's COVAM actas update 30,000 rows in one flush; a query per row doubled the trail's cost.
    """
    if not session.info.get(AUDITED):
        return
    wanted: dict[Table, list[tuple[object, tuple[Any, ...]]]] = {}
    for target in [*session.dirty, *session.deleted]:
        state = inspect(target)
        table = state.mapper.local_table
        if state.identity is None or not isinstance(table, Table) or not is_audited(table.name):
            continue
        wanted.setdefault(table, []).append((target, tuple(state.identity)))
    if not wanted:
        return
    connection = session.connection()
    befores = session.info.setdefault(_BEFORE, {})
    for table, targets in wanted.items():
        images = _images_by_key(connection, table, (key for _t, key in targets))
        for target, key in targets:
            befores[id(target)] = images.get(_key_id(table, key))


def _before_change(mapper: Mapper[Any], connection: Connection, target: object) -> None:
    table = mapper.local_table
    session = object_session(target)
    pending = _pending(target)
    if session is None or pending is None or not isinstance(table, Table) or not is_audited(table.name):
        return
    # The row as the database holds it now: what this flush is about to overwrite or delete
    # (read by _before_flush for every object the flush began with; here for any it added).
    befores = session.info.setdefault(_BEFORE, {})
    if id(target) not in befores:
        befores[id(target)] = _images_by_key(connection, table, [_key(mapper, target)]).get(
            _key_id(table, _key(mapper, target))
        )


def _after_change(action: str):
    def listener(mapper: Mapper[Any], connection: Connection, target: object) -> None:
        table = mapper.local_table
        session = object_session(target)
        pending = _pending(target)
        if session is None or pending is None or not isinstance(table, Table) or not is_audited(table.name):
            return
        befores = session.info.get(_BEFORE, {})
        before = None if action == "insert" else befores.pop(id(target), None)
        # The after-image is read once the flush is over, with its table's other rows (_after_flush).
        pending.append((action, table, _key(mapper, target), before))

    return listener


def _after_flush(session: Session, _context: object) -> None:
    """Turn the flush's changes into audit records, in the order they were made, and write them."""
    session.info.pop(_BEFORE, None)
    changes = session.info.pop(_PENDING, None)
    if not changes:
        return
    connection = session.connection()
    keys: dict[Table, list[tuple[Any, ...]]] = {}
    for action, table, key, _before in changes:
        if action != "delete":
            keys.setdefault(table, []).append(key)
    afters = {table: _images_by_key(connection, table, found) for table, found in keys.items()}
    items: list[Item] = []
    for action, table, key, before in changes:
        after = None if action == "delete" else afters[table].get(_key_id(table, key))
        if action == "update" and before == after:
            continue  # flushed without a net change
        values = after or before or {}
        rid, subject = (row_id(table, values) if values else None), subject_of(table.name, values)
        if action == "update" and before is not None and after is not None:
            before, after = changed_only(before, after)
        items.append(
            (
                action,
                table.name,
                rid,
                subject,
                None if before is None else dumps(before),
                None if after is None else dumps(after),
            )
        )
    append(connection, items)


def _forget(session: Session, *_args: object) -> None:
    """A failed flush or a rollback leaves nothing pending for the next transaction."""
    session.info.pop(_BEFORE, None)
    session.info.pop(_PENDING, None)


def _on_execute(state: ORMExecuteState) -> Any:
    """Audit statements run through ``Session.execute``: bulk inserts, updates and deletes."""
    statement = state.statement
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(statement, "table", None)
    if not isinstance(table, Table) or not is_audited(table.name):
        return None
    connection = state.session.connection()
    if state.is_insert:
        params = state.parameters
        rows: Sequence[Mapping[str, Any]] = []
        if isinstance(params, Mapping):
            rows = [params] if params else []
        elif params:
            rows = params
        if not rows:  # insert(...).values(...): the values are in the statement
            rows = [dict(cast(Insert, statement).compile().params)]
        ids = _new_ids(connection, table, rows) if params else None
        if ids is not None:
            # Rows without their id: give them the ids SQLite would, so the trail names each row.
            # Written into the statement's own parameter dicts: a copy of each (and SQLAlchemy's
            # merge of given ids) cost two new dicts per row, a tenth of the trail's cost on the demo.
            (pk,) = table.primary_key.columns
            key = pk.key
            if isinstance(params, list) and all(type(row) is dict for row in rows):
                for row, n in zip(rows, ids, strict=True):
                    row[key] = n  # type: ignore[index]  # checked above: plain dicts
                result = state.invoke_statement()
            else:  # one row, or mappings that cannot take the id: merged in by SQLAlchemy
                rows = [{**row, key: n} for row, n in zip(rows, ids, strict=True)]
                given = [{key: n} for n in ids]
                result = state.invoke_statement(params=given if isinstance(params, list) else given[0])
        else:
            result = state.invoke_statement()
        audit_bulk_insert(connection, table, rows)
        return result
    where = cast(Update | Delete, statement).whereclause  # is_update or is_delete: one of the two
    before = _images(connection, table, where if where is not None else true())
    result = state.invoke_statement()
    after = (
        {}
        if state.is_delete or not before
        else _images(
            connection,
            table,
            _pk_where(table, [tuple(v[c.key] for c in table.primary_key.columns) for v in before.values()]),
        )
    )
    items: list[Item] = []
    for rid, old in before.items():
        new = after.get(rid)
        if old != new:
            subject = subject_of(table.name, new or old)
            if new is not None:
                old, new = changed_only(old, new)
            items.append(
                (
                    "delete" if new is None else "update",
                    table.name,
                    rid,
                    subject,
                    dumps(old),
                    None if new is None else dumps(new),
                )
            )
    append(connection, items)
    return result


def _new_ids(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> list[int] | None:
    """Ids for inserted rows that lack their integer primary key; None when not needed.

    The audit record must name every row. SQLite gives such a row one more than the largest id, and
    this writer holds the write lock, so numbering them here gives the same ids. On PostgreSQL the
    ids are drawn from the column's own sequence (as the server would), so concurrent writers and
    later inserts never collide.
    """
    columns = list(table.primary_key.columns)
    dialect = connection.dialect.name
    if (
        dialect not in ("sqlite", "postgresql")
        or len(columns) != 1
        or not isinstance(columns[0].type, Integer)
    ):
        return None
    key = columns[0].key
    if all(row.get(key) is not None for row in rows):
        return None
    if any(row.get(key) is not None for row in rows):
        return None  # a mix: leave it to the database (no writer of ours does this)
    if dialect == "postgresql":
        drawn = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, :column)) FROM generate_series(1, :n)"),
            {"table": table.name, "column": columns[0].name, "n": len(rows)},
        ).scalars()
        ids = [int(n) for n in drawn if n is not None]
        return ids if len(ids) == len(rows) else None
    start = connection.execute(select(func.coalesce(func.max(columns[0]), 0))).scalar_one()
    return list(range(start + 1, start + 1 + len(rows)))


_installed = False


def install(*factories: sessionmaker[Session]) -> None:
    """Audit every session the factories make (their ``info`` marks them); idempotent per factory."""
    global _installed
    if not _installed:
        event.listen(Base, "before_update", _before_change, propagate=True)
        event.listen(Base, "before_delete", _before_change, propagate=True)
        event.listen(Base, "after_insert", _after_change("insert"), propagate=True)
        event.listen(Base, "after_update", _after_change("update"), propagate=True)
        event.listen(Base, "after_delete", _after_change("delete"), propagate=True)
        _installed = True
    for factory in factories:
        factory.kw.setdefault("info", {})[AUDITED] = True
        # A mark on the factory itself, not ``event.contains``: the event registry keys targets by
        # id(), and a new factory can reuse the id of a freed one, which made a fresh database's
        # sessions skip the listeners now and then.
        if getattr(factory, "_tresxuno_audit_listening", False):
            continue
        factory._tresxuno_audit_listening = True  # type: ignore[attr-defined]  # our mark, see above
        event.listen(factory, "before_flush", _before_flush)
        event.listen(factory, "after_flush", _after_flush)
        event.listen(factory, "do_orm_execute", _on_execute)
        event.listen(factory, "after_soft_rollback", _forget)
