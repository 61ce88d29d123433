"""The audit trail's rules: canonical row images, the hash chain, and how both are verified.

Pure Python, so the same rules serve the database layer that writes records, ``tresxuno check``
that verifies them, and tests. A record's hash is ``sha256(previous hash + record text)``: editing,
inserting or removing any record breaks every later link, which names the first one tampered with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter, methodcaller
from typing import Any

from tresxuno.domain.problems import Problem

#: The "previous hash" of the very first record.
GENESIS = "0" * 64
#: Tables whose current rows ``check`` compares with their last audited after-image.
LEDGER_TABLES: tuple[str, ...] = ("ledger_entries", "ledger_allocations")
#: Columns never copied into the trail (a password hash has no business in a readable log).
REDACTED_COLUMNS: frozenset[str] = frozenset({"password_hash", "password"})
REDACTED = "***"


def canonical_value(value: Any) -> Any:
    """A column value as JSON data: dates and times ISO 8601, money stays integer centavos."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def redacted(value: Any) -> str:
    """What the trail keeps of a secret: ``***`` and a sha256 of it (None stays ``***``).

    Enough for ``check`` to see a password hash swapped behind the app's back, useless for
    guessing the password: the digest covers the salted hash, whose salt it does not reveal.
    """
    if value is None:
        return REDACTED
    return REDACTED + hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def image(values: Mapping[str, Any]) -> dict[str, Any]:
    """A row image: every column by name, canonical values, secrets redacted (see :func:`redacted`)."""
    return {k: redacted(v) if k in REDACTED_COLUMNS else canonical_value(v) for k, v in values.items()}


def dumps(data: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text; equal data gives equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


#: Stored images longer than this many characters are kept compressed (zlib, then base64 text):
#: a bulk insert's image (a whole table of the demo) shrinks several times; a row's image stays
#: readable as it is. The hash covers the stored text, so a compressed record verifies as stored.
PACK_ABOVE = 2048
#: Columns an update's images keep even unchanged: they name the row for whoever reads the trail.
IDENTIFYING_COLUMNS = frozenset({"username", "folio", "name", "key", "number"})
#: The prefix of a compressed image. Base64 is decoded in C, several times faster than base85
#: (which the first compressed trails used, prefix :data:`PACKED_B85`; still read, never written).
PACKED = "zlib+b64:"
PACKED_B85 = "zlib+b85:"


def pack_image(text: str | None) -> str | None:
    """``text`` as stored: compressed when long and smaller so (see :data:`PACK_ABOVE`), else as is."""
    if text is None or len(text) <= PACK_ABOVE:
        return text
    packed = PACKED + base64.b64encode(zlib.compress(text.encode("utf-8"), 1)).decode("ascii")
    return packed if len(packed) < len(text) else text


def unpack_image(stored: str | None) -> str | None:
    """The JSON text of a stored image, whether it was kept compressed (either encoding) or not."""
    if stored is None:
        return None
    if stored.startswith(PACKED):
        return zlib.decompress(base64.b64decode(stored[len(PACKED) :])).decode("utf-8")
    if stored.startswith(PACKED_B85):
        return zlib.decompress(base64.b85decode(stored[len(PACKED_B85) :])).decode("utf-8")
    return stored


def load_image(stored: str | None) -> Any:
    """A stored image parsed (None for none)."""
    text = unpack_image(stored)
    return json.loads(text) if text else None


def changed_only(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An update's two images cut to the columns that changed (the trail stores only what changed).

    ``check`` rebuilds each row's image by laying the changed columns over the row's previous image
    (see :class:`RowImages`), so nothing is lost; a row's first image (its insert) is whole.
    """
    changed = [c for c in after if before.get(c, ABSENT) != after[c]] + [c for c in before if c not in after]
    # What names the row for a reader of the trail (whose password, which folio) stays with it.
    columns = set(changed) | (IDENTIFYING_COLUMNS & set(after))
    return {c: before[c] for c in before if c in columns}, {c: after[c] for c in after if c in columns}


def _json_default(value: Any) -> Any:
    converted = canonical_value(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


def bulk_image(columns: Sequence[str], defaults: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    """The after-image of many rows inserted at once, as canonical JSON text.

    ``{"columns": columns, "defaults": {column: value}, "rows": [[value per column], ...]}``; the
    rows are read with one C-level getter each and dates converted only where met, because a
    30,000-project demo writes about 830,000 rows and a Python call per value would double its time.
    """
    secret = REDACTED_COLUMNS.intersection(columns)
    if secret:
        rows = [{**row, **{c: redacted(row.get(c)) for c in secret}} for row in rows]
    if len(columns) == 1:
        data: list[Any] = [[row[columns[0]]] for row in rows]
    else:
        getter = itemgetter(*columns)
        try:
            data = list(map(getter, rows))
        except KeyError:  # rows that do not all name the same columns
            data = [[row.get(c, defaults.get(c)) for c in columns] for row in rows]
        data = _dates_as_text(data)
    return json.dumps(
        {"columns": list(columns), "defaults": image(defaults), "rows": data},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_json_default,
    )


def _dates_as_text(data: list[Any]) -> list[Any]:
    """Rows with their date, time and decimal columns already canonical (see :func:`canonical_value`).

    Converting a column at a time, with C-level maps over the transposed rows, costs a fraction of
    leaving each value to JSON's ``default`` hook, which the demo's 2 million dates made a tenth of
    the trail's cost. A column whose first row holds something else is left to the hook.
    """
    if not data:
        return data
    targets = [j for j, value in enumerate(data[0]) if isinstance(value, date | Decimal)]
    if not targets:
        return data
    columns = list(zip(*data, strict=True))
    for j in targets:
        kinds = set(map(type, columns[j]))
        if kinds == {date} or kinds == {datetime}:
            columns[j] = tuple(map(_ISOFORMAT, columns[j]))
        elif kinds == {Decimal}:
            columns[j] = tuple(map(str, columns[j]))
        else:  # None among them, or a mix
            columns[j] = tuple(map(canonical_value, columns[j]))
    return list(zip(*columns, strict=True))


_ISOFORMAT = methodcaller("isoformat")


def bulk_rows(after: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The rows of a bulk after-image (parsed JSON), each a full image by column name."""
    columns, defaults = after["columns"], after.get("defaults", {})
    for values in after["rows"]:
        yield {**defaults, **dict(zip(columns, values, strict=True))}


@dataclass(frozen=True)
class AuditRecord:
    """One record of the trail as stored.

    Attributes:
        seq: 1, 2, 3... without gaps.
        at: when, naive UTC.
        username, role: who acted (:func:`tresxuno.domain.actor.current_actor`).
        action: ``insert``, ``update`` or ``delete``.
        table, row_id: the row changed (``row_id`` is the primary key, ``a/b`` when composite;
            None for a bulk insert whose ``after`` holds ``{"columns": [...], "rows": [[...]]}``).
        subject: the project or club the row belongs to (``projects:12``), for histories.
        before, after: canonical JSON images (None where there is none).
        prev_hash, hash: the chain links (hex sha256).
    """

    seq: int
    at: datetime
    username: str
    role: str
    action: str
    table: str
    row_id: str | None
    subject: str | None
    before: str | None
    after: str | None
    prev_hash: str
    hash: str


def record_text(
    seq: int,
    at: datetime,
    username: str,
    role: str,
    action: str,
    table: str,
    row_id: str | None,
    subject: str | None,
    before: str | None,
    after: str | None,
) -> str:
    """The canonical serialisation of a record that its hash covers (everything but the hashes)."""
    return json.dumps(
        [seq, at.isoformat(), username, role, action, table, row_id, subject, before, after],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def chain_hash(prev_hash: str, text: str, key: bytes | None = None) -> str:
    """``sha256(previous hash + record text)`` in hex; with an office ``key``, its HMAC-SHA256.

    Anyone holding the database file can recompute a plain chain after editing it; only the
    holder of the key (kept outside the file) can recompute a keyed one.
    """
    data = (prev_hash + text).encode("utf-8")
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


#: Bytes of a new office key (256 bits, the size of HMAC-SHA256's block-sized security).
KEY_BYTES = 32


def key_id(key: bytes) -> str:
    """A short public name of an office key (16 hex digits), stored in the chain's head.

    Derived by a one-way hash with its own prefix, so it names the key without revealing it.
    """
    return hashlib.sha256(b"tresxuno office key id:" + key).hexdigest()[:16]


def parse_key(text: str) -> bytes | None:
    """An office key from its file's text (hex digits), or None when the text is not one."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def expected_hash(record: AuditRecord, prev_hash: str, key: bytes | None = None) -> str:
    """The hash ``record`` must carry when it follows a record whose hash is ``prev_hash``."""
    return chain_hash(
        prev_hash,
        record_text(
            record.seq,
            record.at,
            record.username,
            record.role,
            record.action,
            record.table,
            record.row_id,
            record.subject,
            record.before,
            record.after,
        ),
        key,
    )


def _broken(record: AuditRecord, code: str = "audit.broken_link", **extra: Any) -> Problem:
    return Problem(
        "audit", code, {"seq": record.seq, "table": record.table, "row": record.row_id or "*", **extra}
    )


@dataclass(frozen=True)
class Seal:
    """How the chain is sealed: the head's ``key_id`` and ``keyed_since`` and the key at hand.

    Attributes:
        key_id: the office key the head says seals records ``keyed_since`` onwards (None: unsealed).
        keyed_since: the first sealed record's sequence number.
        key: the office key found on this computer (None: there is none).
    """

    key_id: str | None = None
    keyed_since: int | None = None
    key: bytes | None = None

    def problem(self, head_seq: int) -> Problem | None:
        """What is wrong before any record is read: a key that does not seal this trail.

        With a key on this computer, the trail must be sealed with it: a file-only tamperer who
        re-hashed the whole chain without the key can only produce an unsealed (or differently
        sealed) trail, so either is refused.
        """
        if self.key is None:
            return None
        if self.key_id is None:
            return Problem("audit", "audit.not_sealed", {"key": key_id(self.key)})
        if self.key_id != key_id(self.key):
            return Problem("audit", "audit.other_key", {"key": key_id(self.key), "sealed": self.key_id})
        if self.keyed_since is None or self.keyed_since > head_seq:
            return Problem("audit", "audit.seal_missing", {"since": self.keyed_since or 0, "seq": head_seq})
        return None

    @property
    def unverifiable(self) -> bool:
        """True when records are sealed with a key that is not on this computer."""
        return self.key_id is not None and self.key is None


def bulk_tuples(
    after: Mapping[str, Any], columns: Sequence[str], key: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The rows of a bulk after-image (parsed JSON) as tuples in ``columns`` order, in the image's order.

    :data:`ABSENT` stands where the image lacks a column. A row whose key the image leaves to the
    database (before 0007) is skipped: the upgrade's baseline names it. One C-level getter per
    record builds every tuple, because ``check`` reads a million of them.
    """
    given = after["columns"]
    defaults = after.get("defaults", {})
    extra = [*defaults.values(), ABSENT]
    where = {c: i for i, c in enumerate(given)}
    where.update((c, len(given) + i) for i, c in enumerate(defaults) if c not in where)
    picks = [where.get(c, len(given) + len(extra) - 1) for c in columns]
    rows = after["rows"]
    if picks == list(range(len(given))) and len(given) > 1:  # the image lists the table's columns in order
        built = list(map(tuple, rows))
    elif len(picks) > 1 and max(picks) < len(given):  # every column given: no padding to add
        built = list(map(itemgetter(*picks), rows))
    else:
        pick = itemgetter(*picks) if len(picks) > 1 else (lambda v: (v[picks[0]],))
        built = [pick(values + extra) for values in rows]
    for i in [list(columns).index(c) for c in key]:
        ids = itemgetter(i)
        if None in map(ids, built) or ABSENT in map(ids, built):
            built = [row for row in built if row[i] is not None and row[i] is not ABSENT]
    return built


class RowImages:
    """The last audited after-image of every row of one table, fed that table's records in sequence order.

    ``images`` maps a row's id (``"12"``, ``"12/federal"``) to a tuple in ``columns`` order
    (:data:`ABSENT` where the image lacks a column), or None once the row was deleted. One table at a
    time keeps ``check``'s memory to the largest table's images, not the whole database's.
    """

    def __init__(self, columns: Sequence[str], key: Sequence[str]) -> None:
        self.columns, self.key = tuple(columns), tuple(key)
        self.images: dict[str, tuple[Any, ...] | None] = {}

    def add(self, record: AuditRecord) -> None:
        """Take one record of this table (records must come in sequence order)."""
        self.add_image(record.row_id, record.after)

    def add_image(self, row_id: str | None, after_text: str | None) -> None:
        """Take one record's row id and after-image text (a record's two fields that matter here)."""
        images, columns, key = self.images, self.columns, self.key
        after = load_image(after_text)
        if row_id is None and after is not None:  # a bulk insert: one image per row
            positions = [columns.index(c) for c in key]
            for row in bulk_tuples(after, columns, key):
                ids = [row[i] for i in positions]
                images[str(ids[0]) if len(ids) == 1 else "/".join(map(str, ids))] = row
        elif row_id is not None:
            previous = images.get(row_id)
            if after is None:
                images[row_id] = None
            elif previous is None:
                images[row_id] = tuple(after.get(c, ABSENT) for c in columns)
            else:  # an update stores only what changed: lay it over the row's previous image
                images[row_id] = tuple(after[c] if c in after else previous[i] for i, c in enumerate(columns))


class ChainVerifier:
    """Feed records in sequence order; the first problem found is kept in :attr:`problem`.

    Also remembers the last after-image of every ledger row, for :func:`compare_ledger_row`. With a
    :class:`Seal`, records from ``keyed_since`` on are verified with the office key; without the
    key only their links (each ``prev_hash`` naming the hash before it) can be.
    """

    def __init__(
        self,
        seal: Seal | None = None,
        anchor: str | None = None,
        tables: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
    ) -> None:
        """Start at the genesis hash.

        Args:
            seal: how the head says the chain is sealed, and the office key at hand.
            anchor: a head printed earlier that the chain must pass through.
            tables: for each table whose rows ``check`` compares, its columns (in the order its
                rows are read) and its primary key's columns. Each row's last audited image is
                kept in :attr:`images` as a tuple in that column order (:data:`ABSENT` where the
                image lacks a column), because 800,000 dicts cost more than a whole check.
        """
        self.prev_hash = GENESIS
        self.last_seq = 0
        self.problem: Problem | None = None
        self.tables = {name: (tuple(columns), tuple(key)) for name, (columns, key) in (tables or {}).items()}
        self._collectors = {t: RowImages(columns, key) for t, (columns, key) in self.tables.items()}
        self.images: dict[str, dict[str, tuple[Any, ...] | None]] = {
            t: c.images for t, c in self._collectors.items()
        }
        self.seal = seal or Seal()
        self.keyed_since = self.seal.keyed_since if self.seal.key_id is not None else None
        self.anchor = anchor.lower() if anchor else None
        self.anchor_seen = self.anchor == GENESIS

    def feed(self, record: AuditRecord) -> bool:
        """Check one record; returns False (and sets :attr:`problem`) at the first broken link."""
        if self.problem is not None:
            return False
        if record.seq != self.last_seq + 1:
            self.problem = _broken(record, "audit.gap", expected=self.last_seq + 1)
        elif record.prev_hash != self.prev_hash or not self._hash_holds(record):
            self.problem = _broken(record)
        if self.problem is not None:
            return False
        self.prev_hash, self.last_seq = record.hash, record.seq
        if record.hash == self.anchor:
            self.anchor_seen = True
        if record.table in self.images:
            self._remember(record)
        return True

    def _hash_holds(self, record: AuditRecord) -> bool:
        if self.keyed_since is None or record.seq < self.keyed_since:
            return record.hash == expected_hash(record, self.prev_hash)
        if self.seal.key is None:
            return True  # sealed with a key not on this computer: the link alone is checked
        return hmac.compare_digest(record.hash, expected_hash(record, self.prev_hash, self.seal.key))

    def _remember(self, record: AuditRecord) -> None:
        self._collectors[record.table].add(record)

    def finish(self, head_seq: int, head_hash: str) -> Problem | None:
        """After the last record: the chain's head must name it (else records were cut off the end).

        With an anchor, the chain must also have passed through it: a hash printed earlier (on a
        report, by an earlier check) that is no longer in the chain means records before it changed.
        """
        if self.problem is None and (head_seq, head_hash) != (self.last_seq, self.prev_hash):
            self.problem = Problem("audit", "audit.head_mismatch", {"seq": self.last_seq, "head": head_seq})
        if self.problem is None and self.anchor is not None and not self.anchor_seen:
            self.problem = Problem(
                "audit", "audit.anchor_missing", {"anchor": self.anchor, "seq": self.last_seq}
            )
        return self.problem


def compare_ledger_row(
    table: str, current: Mapping[str, Any], audited: Mapping[str, Any] | None
) -> Problem | None:
    """A current ledger row against its last audited after-image; a problem names the row and column.

    ``current`` may hold raw column values (dates as dates): a value is made canonical only when it
    differs as it is, which keeps verifying 400,000 rows quick.
    """
    row_id = current["id"]
    kind = "entry" if table == "ledger_entries" else "allocation"
    if audited is None:
        return Problem("audit", f"audit.{kind}_unaudited", {"id": row_id})
    for column, raw in current.items():
        recorded = audited.get(column)
        if raw == recorded:
            continue
        value = canonical_value(raw)
        if value == recorded:
            continue
        params: dict[str, Any] = {"id": row_id, "column": column}
        if column == "amount":
            return Problem(
                "audit", f"audit.{kind}_amount_mismatch", {**params, "amount": value, "expected": recorded}
            )
        return Problem("audit", f"audit.{kind}_mismatch", {**params, "value": value, "audited": recorded})
    return None


class _Absent:
    """The type of :data:`ABSENT`."""

    def __repr__(self) -> str:
        return "—"


#: Marks a column missing from an audited image (distinct from a recorded None).
ABSENT: Any = _Absent()


def key_of(key: Sequence[str], values: Mapping[str, Any]) -> str:
    """A row's id as the trail writes it: its primary key's values as text, ``/`` between parts."""
    if len(key) == 1:
        return str(values[key[0]])
    return "/".join(str(values[c]) for c in key)


def _same(raw: Any, recorded: Any) -> bool:
    # Raw values first: making each value canonical costs a call per column on 800,000 rows.
    return raw == recorded or canonical_value(raw) == recorded


def compare_row(
    table: str,
    row_id: str,
    current: Mapping[str, Any],
    audited: Mapping[str, Any] | None,
    added: Mapping[str, Any] | None = None,
) -> Problem | None:
    """A current row of any table against its last audited after-image; the problem names the column.

    A column the image lacks is a difference, unless ``added`` gives it (a column a later release
    added, with the value its migration gave every existing row: NULL or its default) and the row
    still holds that value: an upgrade must not make ``check`` fail, and any other value was set
    behind the app's back. A secret is compared by its digest (see :func:`redacted`), except in
    images written before digests were kept.
    """
    if table in LEDGER_TABLES:
        return compare_ledger_row(table, current, audited)
    if audited is None:
        return Problem("audit", "audit.row_unaudited", {"table": table, "id": row_id})
    for column, raw in current.items():
        recorded = audited.get(column, ABSENT)
        if _same(raw, recorded):
            continue
        if recorded is ABSENT and added is not None and column in added and _as_added(raw, added[column]):
            continue
        if column in REDACTED_COLUMNS:
            if recorded == REDACTED or recorded == redacted(raw):
                continue
            raw, recorded = "***", "***…"  # never print a secret, nor its digest
        value = canonical_value(raw)
        return Problem(
            "audit",
            "audit.row_mismatch",
            {
                "table": table,
                "id": row_id,
                "column": column,
                "value": value,
                "audited": recorded,
            },
        )
    return None


def _as_added(raw: Any, default: Any) -> bool:
    """Whether ``raw`` is the value a migration gave a column it added (a default may be text: ``'1'``)."""
    if raw is None or default is None:
        return raw is default
    return _same(raw, default) or str(canonical_value(raw)) == str(default)


def missing_row(table: str, unmatched: Mapping[str, object | None]) -> Problem | None:
    """The first row the trail says exists but the table lacks (deleted behind the app's back), or None.

    Ledger tables keep their own codes (see :func:`missing_ledger_row`).
    """
    if table in LEDGER_TABLES:
        return missing_ledger_row(table, unmatched)
    missing = [row_id for row_id, image in unmatched.items() if image is not None]
    if not missing:
        return None
    first = min(missing, key=lambda r: (len(r), r))  # numeric ids in numeric order
    return Problem("audit", "audit.row_missing", {"table": table, "id": first})


def missing_ledger_row(table: str, unmatched: Mapping[str, object | None]) -> Problem | None:
    """The first row the trail says exists but the table lacks (deleted behind the app's back), or None.

    Args:
        table: ``ledger_entries`` or ``ledger_allocations``.
        unmatched: the last audited image of every row id not found in the table; a deleted row's
            image is None (its delete was recorded), any other is a row that should still be there.
    """
    missing = [int(row_id) for row_id, image in unmatched.items() if image is not None]
    if not missing:
        return None
    kind = "entry" if table == "ledger_entries" else "allocation"
    return Problem("audit", f"audit.{kind}_missing", {"id": min(missing)})


@dataclass(frozen=True)
class LedgerRow:
    """The columns of a ledger entry the invariants need; centavos MXN."""

    id: int
    project_id: int
    kind: str
    amount: int
    reverses_id: int | None


def ledger_problems(
    entries: Iterable[LedgerRow],
    line_totals: Iterable[tuple[int, int]],
    targets: Container[int] | None = None,
) -> Problem | None:
    """The first broken invariant of the ledger, or None.

    Invariants: each entry's allocation lines add up to its amount (``line_totals`` gives each
    entry id that has lines and their total); a reversal points to an earlier entry of the same
    project and cancels it exactly; no entry is reversed twice; each project's cash ends at zero or
    above. Per-party balances are sums of the lines, so lines that add up to their entries make
    them add up to the entries too.

    One pass over both streams, each in ascending id order, so a million entries need no list:
    only the entries named in ``targets`` (those some reversal names; every entry when None) and
    one total per project are kept.
    """
    totals = iter(line_totals)
    pending = next(totals, None)
    kept: dict[int, LedgerRow] = {}
    reversed_by: dict[int, int] = {}
    cash: dict[int, int] = {}
    for entry in entries:
        total = 0
        while pending is not None and pending[0] <= entry.id:
            if pending[0] < entry.id:  # lines whose entry does not exist
                return Problem("audit", "ledger.line_orphan", {"id": pending[0]})
            total += pending[1]
            pending = next(totals, None)
        if total != entry.amount:
            return Problem(
                "audit", "ledger.lines_differ", {"id": entry.id, "total": total, "amount": entry.amount}
            )
        cash[entry.project_id] = cash.get(entry.project_id, 0) + entry.amount
        if targets is None or entry.id in targets:
            kept[entry.id] = entry
        if entry.reverses_id is None:
            continue
        target = kept.get(entry.reverses_id)
        if target is None or target.project_id != entry.project_id:
            return Problem("audit", "ledger.reversal_target", {"id": entry.id, "target": entry.reverses_id})
        if entry.reverses_id in reversed_by:
            return Problem(
                "audit",
                "ledger.reversed_twice",
                {"target": entry.reverses_id, "first": reversed_by[entry.reverses_id], "second": entry.id},
            )
        reversed_by[entry.reverses_id] = entry.id
        if entry.amount != -target.amount:
            return Problem(
                "audit",
                "ledger.reversal_amount",
                {"id": entry.id, "target": target.id, "amount": entry.amount, "expected": -target.amount},
            )
    if pending is not None:
        return Problem("audit", "ledger.line_orphan", {"id": pending[0]})
    for project_id, amount in sorted(cash.items()):
        if amount < 0:
            return Problem("audit", "ledger.cash_negative", {"project": project_id, "amount": amount})
    return None


@dataclass(frozen=True)
class FieldChange:
    """One column that changed: its name and the values before and after (None: no value)."""

    column: str
    before: Any
    after: Any


#: Columns a history does not list: bookkeeping the officer did not type.
_QUIET_COLUMNS = frozenset({"version", "updated_at"})


def field_changes(before: str | None, after: str | None) -> tuple[FieldChange, ...]:
    """The columns that differ between two images (JSON text), in column order of the newer one."""
    old = load_image(before) or {}
    new = load_image(after) or {}
    if "rows" in new and "columns" in new:  # a bulk insert: no per-field story to tell
        return ()
    columns = list(new) + [c for c in old if c not in new]
    return tuple(
        FieldChange(c, _shown(c, old.get(c)), _shown(c, new.get(c)))
        for c in columns
        if c not in _QUIET_COLUMNS and old.get(c) != new.get(c)
    )


def _shown(column: str, value: Any) -> Any:
    """A secret's digest is for ``check``; a history shows only that it changed."""
    return REDACTED if column in REDACTED_COLUMNS and value is not None else value


@dataclass(frozen=True)
class ChainHead:
    """The audit chain's head at one moment: what a printed report or an export carries.

    An auditor later runs ``tresxuno check --anchor HASH``: it passes only while the chain still goes
    through ``hash``, so nothing recorded before the document was made has been rewritten since.

    Attributes:
        hash: the last record's hash, 64 hex digits (:data:`GENESIS` for an empty trail).
        records: how many records lead to it (records are numbered 1, 2, 3... without gaps).
    """

    hash: str = GENESIS
    records: int = 0
