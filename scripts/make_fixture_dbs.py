"""Write tests/fixtures/db/<revision>.sqlite: a small demo database at each released schema revision.

The upgrade test opens each one with the current app and checks that migrating it to head (after a
backup) keeps every total. Run from the repository root when a release adds a migration, then commit:

    python scripts/make_fixture_dbs.py [REVISION ...]

How each file is made: demo data (40 projects, seed 2026, with ledger, COVAM sessions and progress) is
generated in a database at head; then an empty database is migrated step by step with Alembic up to
REVISION only, and every column that exists at REVISION is copied into it from the head database
(tables a revision lacks are left out). Already-written files are not rewritten unless named.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "fixtures" / "db"
#: Schema revisions released so far; add the new head here when a release ships a migration.
RELEASED = ("0001_initial", "0002_ledger", "0003_covam_progress")


def _demo_at_head(folder: Path) -> Path:
    from tresxuno.db.engine import open_database
    from tresxuno.demo.projects import generate_demo

    path = folder / "head.sqlite"
    db = open_database(str(path))
    try:
        generate_demo(db, projects=40, seed=2026)
    finally:
        db.dispose()
    return path


def _empty_at(revision: str, path: Path) -> None:
    from alembic import command

    from tresxuno.db.engine import _alembic_config, make_engine

    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection, connection.begin():
            command.upgrade(_alembic_config(connection), revision)
    finally:
        engine.dispose()


def _copy_common(head: Path, target: Path) -> None:
    """Copy every row of every column both schemas have, parents before children (foreign keys off)."""
    connection = sqlite3.connect(target)
    try:
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute("ATTACH DATABASE ? AS head", (str(head),))
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM main.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'alembic_version' ORDER BY rowid"
            )
        ]
        for table in tables:
            mine = [row[1] for row in connection.execute(f'PRAGMA main.table_info("{table}")')]
            theirs = {row[1] for row in connection.execute(f'PRAGMA head.table_info("{table}")')}
            columns = ", ".join(f'"{c}"' for c in mine if c in theirs)
            if columns:
                connection.execute(
                    f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM head."{table}"'
                )
        connection.commit()
        broken = connection.execute("PRAGMA main.foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"{target.name}: dangling foreign keys {broken[:5]}")
        connection.execute("DETACH DATABASE head")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()


def main(argv: list[str]) -> int:
    """Write the fixture of each revision named (default: the released ones not yet written)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TRESXUNO_DATA_DIR", tempfile.mkdtemp(prefix="tresxuno-fixtures-"))
    wanted = argv or [r for r in RELEASED if not (FOLDER / f"{r}.sqlite").exists()]
    if not wanted:
        print("nothing to do: every released revision has its fixture")
        return 0
    FOLDER.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        head = _demo_at_head(Path(scratch))
        for revision in wanted:
            target = FOLDER / f"{revision}.sqlite"
            target.unlink(missing_ok=True)
            _empty_at(revision, target)
            _copy_common(head, target)
            print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
