"""The second half of a big CSV export, written by a process of its own on the machine's other core.

:func:`tresxuno.services.exports.export_ledger` splits a CSV export of many lines in two at an entry
(see :data:`tresxuno.services.exports.SPLIT_FROM_LINES`): it writes the first half itself and runs
``python -m tresxuno.services.csv_half`` for the second, then appends this part to its own file.
Reading rows through Python's ``sqlite3`` module is most of an export's time and holds one core, so
two processes finish a million-line export in a little over half the time.

The parent hands over everything decided in its own read snapshot, as JSON on standard input: the
two statements (already bounded to the entries and lines that existed in that snapshot, so what
this process reads is exactly that snapshot's second half even if entries are recorded meanwhile;
the ledger is append-only), the projects' folios and names, the language and the part's path. On
standard output it answers the tally (rows, entries, lines, per-account sums). It imports neither
SQLAlchemy nor the models, so it starts in a fraction of a second.

Exit status: 0 done; 2 the ledger breaks its contract (an entry without lines), the message on
standard error; 1 anything else.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tresxuno.collector import cycle_collector_paused
from tresxuno.reports.ledger_formats import LedgerIntegrityError, LedgerRows, write_csv_rows


def _batches(connection: sqlite3.Connection, sql: str, size: int) -> Iterator[Sequence[Any]]:
    cursor = connection.execute(sql)
    try:
        while batch := cursor.fetchmany(size):
            yield batch
    finally:
        cursor.close()


def write_half(job: dict[str, Any]) -> dict[str, Any]:
    """Write the part ``job`` describes; return its tally as JSON data."""
    # A plain path, not a read-only URI: SQLite refuses a URI naming another host, which is how a
    # file on a Windows share (\\server\share) reads. Nothing is written: query_only.
    connection = sqlite3.connect(job["database"])
    try:
        connection.execute("PRAGMA query_only = ON")
        size = int(job["batch_size"])
        rows = LedgerRows(
            {int(pid): (folio, name) for pid, (folio, name) in job["projects"].items()},
            _batches(connection, job["entries"], size),
            _batches(connection, job["lines"], size),
            lang=job["lang"],
        )
        with cycle_collector_paused():
            tally = write_csv_rows(Path(job["part"]), rows, tick=lambda _lines: None, batch_size=size)
    finally:
        connection.close()
    return {
        "rows": tally.rows,
        "entries": tally.entries,
        "lines": tally.lines,
        "sums": {str(pid): dict(parties) for pid, parties in tally.sums.items()},
    }


def main() -> int:
    """Read the job from standard input, write the part, print the tally."""
    try:
        answer = write_half(json.load(sys.stdin))
    except LedgerIntegrityError as exc:
        print(exc, file=sys.stderr)
        return 2
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
