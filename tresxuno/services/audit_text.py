"""The audit trail in words: labels of tables and columns, values as people read them, local times.

Shared by the Bitácora and history views (Qt) and the audit package's readable extract (a file), so
both say "Total cost: $1,000.00 → $1,200.00" and "05/12/2026 21:03:07" rather than
``cost: 100000 → 120000`` and a UTC instant. Every column of every audited table has a label here or
in :data:`tresxuno.messages.FIELD_LABELS` (tests check), so no database column name reaches a reader.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tresxuno.db.engine import Database
from tresxuno.db.models import AuditLogRow
from tresxuno.db.scope import trail_in_scope
from tresxuno.domain.audit import FieldChange, field_changes
from tresxuno.domain.money import Money
from tresxuno.formatting import (
    category_label,
    date_text,
    datetime_text,
    entry_kind_label,
    money_text,
    party_label,
    session_kind_label,
    stage_label,
)
from tresxuno.i18n import N_, _
from tresxuno.messages import FIELD_LABELS
from tresxuno.reports.ledger_formats import neutralise
from tresxuno.services.audit import HistoryItem
from tresxuno.services.auth import require
from tresxuno.services.output_files import atomic_output, check_output
from tresxuno.services.progress import CancelToken, Progress, no_progress

__all__ = [
    "ACTION_LABELS",
    "COLUMN_LABELS",
    "READABLE_HEADER",
    "TABLE_LABELS",
    "changes_text",
    "column_label",
    "export_trail",
    "local_time_text",
    "readable_rows",
    "role_label",
    "value_text",
    "what_text",
    "when_text",
]

#: What a row of each table is, in words.
TABLE_LABELS: dict[str, str] = {
    "clubs": N_("Club"),
    "federations": N_("Federation"),
    "projects": N_("Project"),
    "project_shares": N_("Share"),
    "stage_changes": N_("Stage change"),
    "attachments": N_("Document"),
    "ledger_entries": N_("Ledger entry"),
    "ledger_allocations": N_("Allocation line"),
    "exchange_rates": N_("Exchange rate"),
    "fiscal_years": N_("Fiscal year"),
    "settings": N_("Setting"),
    "rule_sets": N_("Rule set"),
    "covam_sessions": N_("COVAM session"),
    "covam_agenda": N_("COVAM ruling"),
    "covam_attendees": N_("COVAM attendee"),
    "project_progress": N_("Progress report"),
    "municipalities": N_("Municipality"),
    "users": N_("User"),
    "accepted_rule_files": N_("Accepted rules file"),
    "cap_authorisations": N_("Authorisation to exceed the cap"),
    "ministraciones": N_("Deposit tranche"),
    "project_amendments": N_("Amendment"),
    "project_amendment_shares": N_("Amended share"),
    "reintegro_exceptions": N_("Refund exception"),
    "stage_gate_exceptions": N_("Stage gate exception"),
    "social_committees": N_("Social oversight committee"),
    "social_committee_members": N_("Committee member"),
    "social_committee_records": N_("Committee minutes or report"),
    "officials": N_("Official in office"),
    "post_titles": N_("Title of a post"),
    "covam_session_versions": N_("Final version of a COVAM acta"),
    "club_tomas": N_("Toma de nota"),
    "project_goals": N_("Goal"),
    "project_convenio_terms": N_("Convenio terms"),
    "project_beneficiaries": N_("Person in the padrón"),
    "technical_validations": N_("Technical validation"),
    "validation_scores": N_("Technical validation score"),
    "offices": N_("Office"),
    "office_municipalities": N_("Municipality of an office"),
    "consolidations": N_("Consolidation package imported"),
    "consolidated_rows": N_("Row of a consolidated office"),
    "consolidation_conflicts": N_("Consolidation conflict"),
}
ACTION_LABELS: dict[str, str] = {"insert": N_("added"), "update": N_("changed"), "delete": N_("removed")}

#: Labels of the audited columns that problems never point at (the others are in ``FIELD_LABELS``).
COLUMN_LABELS: dict[str, str] = {
    "id": N_("Number"),
    "rfc": N_("RFC"),
    "db_role": N_("Database role"),
    "office_id": N_("Office"),
    "public_key": N_("Public key"),
    "source_id": N_("Source database"),
    "from_seq": N_("From record"),
    "to_seq": N_("To record"),
    "head_hash": N_("Last record's hash"),
    "package_sha256": N_("Package SHA-256"),
    "rows": N_("Rows"),
    "imported_at": N_("Imported"),
    "imported_by": N_("Imported by"),
    "table_name": N_("Table"),
    "origin_id": N_("Number at the office"),
    "local_id": N_("Number here"),
    "consolidation_id": N_("Consolidation"),
    "theirs": N_("Office's version"),
    "ours": N_("This database's version"),
    "decision": N_("Decision"),
    "from_stage": N_("From"),
    "to_stage": N_("To"),
    "changed_at": N_("Date"),
    "held_on": N_("Date"),
    "changed_by": N_("User"),
    "comment": N_("Comment"),
    "kind": N_("Type"),
    "concept": N_("Concept"),
    "reason": N_("Reason"),
    "folio": N_("Folio"),
    "percent_bp": N_("Percentage (basis points)"),
    "original_name": N_("File"),
    "accepted_at": N_("Accepted at"),
    "accepted_by": N_("Accepted by"),
    "added_at": N_("Added at"),
    "added_by": N_("Added by"),
    "added_by_admin": N_("Added by the administrator"),
    "amendment_id": N_("Amendment"),
    "body": N_("Rules text"),
    "cap": N_("Cap"),
    "capped": N_("Capped"),
    "cfdi_uuid": N_("CFDI folio fiscal (UUID)"),
    "closed_at": N_("Closed at"),
    "closed_by": N_("Closed by"),
    "club_id": N_("Club"),
    "code": N_("Code"),
    "committee_id": N_("Committee"),
    "constituted_on": N_("Date of constitution"),
    "created_at": N_("Created at"),
    "created_by": N_("Created by"),
    "digest": N_("Fingerprint (SHA-256)"),
    "document": N_("Document"),
    "due_date": N_("Due date"),
    "dwellings": N_("Dwellings"),
    "entry_id": N_("Ledger entry"),
    "federation_id": N_("Federation"),
    "file_name": N_("File"),
    "findings": N_("Findings"),
    "joint_split_bp": N_("State's share of the joint percentage (basis points)"),
    "key": N_("Key"),
    "ledger_entry_id": N_("Ledger entry"),
    "mix_override_reason": N_("Reason for the mix override"),
    "partner_mode": N_("Partner contribution"),
    "percent_tenths": N_("Physical progress (tenths of %)"),
    "population": N_("Population"),
    "position": N_("Position"),
    "previous_amount": N_("Previous amount"),
    "previous_cost": N_("Previous total cost"),
    "previous_percent_bp": N_("Previous percentage (basis points)"),
    "priority": N_("Priority"),
    "progress_percent": N_("Physical progress (%)"),
    "project_id": N_("Project"),
    "recorded_at": N_("Recorded at"),
    "recorded_by": N_("Recorded by"),
    "reverses_id": N_("Reverses entry"),
    "rule_id": N_("Rule set key"),
    "rule_set_pk": N_("Rule set"),
    "ruled_at": N_("Ruled at"),
    "ruled_by": N_("Ruled by"),
    "ruling": N_("Ruling"),
    "seat": N_("Seat"),
    "session_id": N_("COVAM session"),
    "sex": N_("Sex"),
    "sha256": N_("Fingerprint (SHA-256)"),
    "size": N_("Size (bytes)"),
    "stored_at": N_("Stored at"),
    "stored_path": N_("Stored as"),
    "summary": N_("Summary"),
    "trigger": N_("Falls due"),
    "updated_at": N_("Updated at"),
    "value": N_("Value"),
    "verified": N_("Verified"),
    "version": N_("Version"),
    "version_reason": N_("Reason for the new version"),
    "final_at": N_("Made final at"),
    "final_by": N_("Made final by"),
    "institution_es": N_("Institution (Spanish)"),
    "institution_en": N_("Institution (English)"),
    "has_vote": N_("Has a vote"),
    "snapshot": N_("Content of the acta"),
    "issuer": N_("Issued by"),
    "issued_on": N_("Issued on"),
    "expires_on": N_("Expires on"),
    "votes_for": N_("Votes for"),
    "votes_against": N_("Votes against"),
    "abstentions": N_("Abstentions"),
    "effective_on": N_("Effective from"),
    "quantity_milli": N_("Quantity (thousandths)"),
    "unit": N_("Unit"),
    "locality_key": N_("INEGI key of the locality"),
    "given_names": N_("Given names"),
    "first_surname": N_("First surname"),
    "second_surname": N_("Second surname"),
    "curp": N_("CURP"),
    "birth_date": N_("Birth date"),
    "school_level": N_("School level"),
    "replaces_id": N_("Replaces attachment"),
    "correction": N_("Reason for the correction"),
    "replace_reason": N_("Reason for the replacement"),
    "validated_on": N_("Validation date"),
    "validator_name": N_("Validated by"),
    "validator_post": N_("Validator's post"),
    "criteria_set": N_("Criteria set"),
    "observations": N_("Observations"),
    "validation_id": N_("Technical validation"),
    "criterion": N_("Criterion"),
    "points": N_("Points"),
    "note": N_("Note"),
}
#: Columns whose name means something else in one table.
_TABLE_COLUMN_LABELS: dict[tuple[str | None, str], str] = {
    ("social_committee_members", "seat"): N_("Place on the committee"),
}
#: Columns holding centavos MXN, shown as money.
_MONEY_COLUMNS = frozenset({"amount", "cost", "partner_amount", "previous_amount", "previous_cost", "cap"})
#: Columns holding a stage id (or a COVAM ruling), shown by the stage's name.
_STAGE_COLUMNS = frozenset({"stage", "from_stage", "to_stage", "ruling"})
#: Columns an added row does not list: its key and the parent the history is already about.
KEY_COLUMNS = frozenset({"id", "project_id", "session_id", "created_at", "created_by"})

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch

#: Header of the readable extract (msgids), one row per audited change.
READABLE_HEADER: tuple[str, ...] = (
    N_("Audit record no."),
    N_("When (local time)"),
    N_("Who"),
    N_("What"),
    N_("Before → after"),
)


def local_time_text(at: datetime) -> str:
    """An instant as the officer's local date and time to the second (naive means UTC)."""
    moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return datetime_text(moment.astimezone(), seconds=True)


def when_text(at: datetime) -> str:
    """A UTC time of the trail as the officer's local date and time, to the second."""
    return local_time_text(at)


def column_label(column: str, table: str | None = None) -> str:
    """The translated human name of a database column (the column's name only if it is unknown)."""
    label = _TABLE_COLUMN_LABELS.get((table, column)) or COLUMN_LABELS.get(column) or FIELD_LABELS.get(column)
    return _(label) if label else column


def _as_instant(value: Any) -> datetime | None:
    """A stored time (``2026-12-05 03:01:07.123456`` or a datetime), else None."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def value_text(column: str, value: Any, table: str | None = None) -> str:
    """A stored value as people read it: money, names of stages, parties and kinds, local times."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column in _STAGE_COLUMNS and isinstance(value, str):
        return stage_label(value)
    if column in _MONEY_COLUMNS and isinstance(value, int):
        return money_text(value)
    if column == "usd_amount" and isinstance(value, int):
        return money_text(Money(value, "USD"))
    if column == "party" and isinstance(value, str):
        return party_label(value)
    if column == "category" and isinstance(value, str):
        return category_label(value)
    if column == "kind" and isinstance(value, str):
        if table == "covam_sessions" or value in ("ordinaria", "extraordinaria"):
            return session_kind_label(value)
        return entry_kind_label(value)
    if column == "role" and isinstance(value, str):
        return role_label(value)
    if column.endswith("_at") and (instant := _as_instant(value)) is not None:
        return local_time_text(instant)
    if column.endswith(("_on", "_date")) and isinstance(value, str) and _ISO_DATE(value):
        return date_text(date.fromisoformat(value))
    return str(value)


def changes_text(changes: Sequence[FieldChange], action: str = "update", table: str | None = None) -> str:
    """``Members: 35 → 60; Name: … → …``, one part per field that changed.

    An added row lists its values (``To: Prevalidated``), a removed one what it held.
    """
    if action == "insert":
        return "; ".join(
            f"{column_label(c.column, table)}: {value_text(c.column, c.after, table)}"
            for c in changes
            if c.column not in KEY_COLUMNS
        )
    if action == "delete":
        return "; ".join(
            f"{column_label(c.column, table)}: {value_text(c.column, c.before, table)}"
            for c in changes
            if c.column not in KEY_COLUMNS
        )
    return "; ".join(
        f"{column_label(c.column, table)}: {value_text(c.column, c.before, table)} → "
        f"{value_text(c.column, c.after, table)}"
        for c in changes
    )


def what_text(table: str, row_id: str | None, action: str) -> str:
    """``Stage change 41 added``: the kind of row, its key and what happened to it."""
    label = TABLE_LABELS.get(table)
    kind = _(label) if label else table
    if row_id is None:
        return _("{kind}: rows added in bulk").format(kind=kind)
    return f"{kind} {row_id} {_(ACTION_LABELS.get(action, action))}"


def role_label(role: str) -> str:
    """The role's name in the language in force; an unknown id (an older database) as stored."""
    from tresxuno.domain.roles import roles_label

    return roles_label(role, _)


def readable_rows(items: Iterable[HistoryItem]) -> list[list[str]]:
    """The header and one row per history item (``services.audit.HistoryItem``), in words.

    What an auditor reads in a spreadsheet; the raw extract beside it keeps the hashed columns.
    """
    rows = [[_(label) for label in READABLE_HEADER]]
    for item in items:
        who = f"{item.username} ({role_label(item.role)})" if item.role else item.username
        rows.append(
            [
                str(item.seq),
                when_text(item.at),
                who,
                what_text(item.table, item.row_id, item.action),
                changes_text(item.changes, item.action, item.table),
            ]
        )
    return rows


#: Audit records read per batch of :func:`export_trail` (and how often it reports progress).
EXPORT_BATCH = 2_000


def export_trail(
    db: Database,
    out_path: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> int:
    """Write the whole audit trail in words, oldest first, as a CSV an auditor opens in Excel.

    The same columns as the Bitácora (record, local time to the second, who, what, each field by
    its label, before and after), in the language in force; UTF-8 with a byte-order mark and CRLF,
    text that would start a formula neutralised. ``tresxuno check`` verifies the trail itself; this
    file is for reading.

    Returns:
        The records written.

    Raises:
        InputError: ``auth.role_required``; on field ``output``, a target
            :func:`~tresxuno.services.output_files.check_output` refuses.
        StorageError: the file cannot be written (another program holding it included).
        Cancelled: the officer cancelled; no file is left.
    """
    require(db, "records.export")
    path = check_output(Path(out_path).expanduser(), db=db, force=force)
    log = AuditLogRow.__table__
    scoped = trail_in_scope(log)  # an officer of one office: only its projects' and clubs' records
    with db.session() as session:
        total = int(session.scalar(select(func.count()).select_from(log).where(*scoped)) or 0)
    message = _("Exporting the audit trail")
    progress(0, total, message)
    written, last = 0, -1
    with (
        atomic_output(path, db=db, force=force) as tmp,
        open(tmp, "w", encoding="utf-8-sig", newline="") as fh,
    ):
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([_(label) for label in READABLE_HEADER])
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            with db.session() as session:
                rows = session.execute(
                    select(log).where(log.c.seq > last, *scoped).order_by(log.c.seq).limit(EXPORT_BATCH)
                ).all()
            if not rows:
                break
            items = [_item_of(row) for row in rows]
            writer.writerows([neutralise(cell) for cell in row] for row in readable_rows(items)[1:])
            written += len(rows)
            last = rows[-1].seq
            progress(min(written, total), total, message)
    return written


def _item_of(row: Any) -> HistoryItem:
    """An audit log row as a history item; a record of many rows at once lists no field changes."""
    bulk = row.row_id is None
    changes = () if bulk else field_changes(row.before, row.after)
    return HistoryItem(
        row.seq, row.at, row.username, row.role, row.action, row.table_name, row.row_id, changes
    )
