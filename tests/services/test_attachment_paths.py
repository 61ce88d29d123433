"""Attachments are opened only inside the attachments folder, and ``check`` verifies each file's sha256.

The attack (issue 12, item 13): a stored path like ``/usr/bin/xcalc`` or ``../../etc/passwd`` was
handed to the desktop, which runs what it is given (an .exe on Windows). Now a stored name must be
``attachments/<folio>/<file>`` (no absolute path, ``..``, drive letter, backslash or colon) and
resolve inside the attachments folder; opening goes through :func:`attachment_file`, which refuses
anything else, and ``check`` names an unsafe name, a missing file or an altered one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime

import pytest
from sqlalchemy import text

from tests.services.test_ledger import new_club, table_digest
from tests.services.test_registry_and_projects import project_input
from tresxuno import paths
from tresxuno.db.models import Attachment
from tresxuno.domain.problems import InputError
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services.attachments import (
    OPENED,
    attach_document,
    attachment_file,
    resolve_stored,
    safe_stored_name,
)
from tresxuno.services.audit import check_integrity
from tresxuno.services.project_requests import submit_project

HOSTILE_NAMES = [
    "/usr/bin/xcalc",
    "../../etc/passwd",
    "attachments/../../etc/passwd",
    "attachments/3X1/../../../etc/passwd",
    "attachments/3X1/..",
    "C:\\Windows\\System32\\calc.exe",
    "C:/Windows/System32/calc.exe",
    "attachments\\3X1\\calc.exe",
    "attachments/3X1/scan.pdf:evil.exe",
    "attachments//etc/passwd",
    "attachments/./3X1/a.pdf",
    "./attachments/3X1/a.pdf",
    "attachments/a.pdf",
    "attachments/3X1/a\x00.pdf",
    "//server/share/calc.exe",
    "",
    "otros/3X1/a.pdf",
]


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_stored_name_is_refused(name):
    assert not safe_stored_name(name)
    with pytest.raises(InputError) as refused:
        resolve_stored(name, 7)
    assert [p.code for p in refused.value.problems] == ["attachment.unsafe_path"]
    assert "attachment 7" in describe(refused.value.problems[0], with_field=False)


def test_the_names_the_app_stores_are_accepted():
    assert safe_stored_name("attachments/3X1-2019-32020-0001/0a1b2c3d4e5f6a7b.pdf")
    path = resolve_stored("attachments/3X1-2019-32020-0001/0a1b2c3d4e5f6a7b.pdf")
    assert path.is_relative_to((paths.user_data_dir() / "attachments").resolve())


@pytest.mark.sqlite_only
def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    folder = paths.user_data_dir() / "attachments" / "3X1"
    folder.mkdir(parents=True)
    (folder / "calc.exe").symlink_to("/usr/bin/env")
    with pytest.raises(InputError) as refused:
        resolve_stored("attachments/3X1/calc.exe", 3)
    assert [p.code for p in refused.value.problems] == ["attachment.unsafe_path"]


@pytest.fixture
def attached(db, tmp_path):
    club = new_club(db)
    project = submit_project(db, project_input(club.id, submitted_on=date(2019, 3, 1)))
    scan = tmp_path / "solicitud.pdf"
    scan.write_bytes(b"%PDF-1.4 solicitud firmada")
    info = attach_document(db, project.id, "solicitud", scan)
    return db, info


@pytest.mark.parametrize("forged", ["/usr/bin/xcalc", "../../etc/passwd", "C:\\Windows\\calc.exe"])
def test_opening_a_forged_stored_path_is_refused(attached, forged):
    db, info = attached
    with db.engine.begin() as connection:  # the hostile insider's plain SQL
        connection.execute(
            text("UPDATE attachments SET stored_path = :p WHERE id = :id"), {"p": forged, "id": info.id}
        )
    # Bytes kept in the database: the desktop gets the app's own copy, never the forged name.
    opened = attachment_file(db, info.id)
    assert opened.is_relative_to(paths.user_data_dir() / OPENED) and str(opened) != forged
    # A copy an earlier release kept on disk (no bytes in the database): the forged name is refused.
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM attachment_contents"))
    before = table_digest(db)
    with pytest.raises(InputError) as refused:
        attachment_file(db, info.id)
    assert [p.code for p in refused.value.problems] == ["attachment.unsafe_path"]
    message = describe(refused.value.problems[0], with_field=False)
    assert forged in message and "not a file inside the attachments folder" in message
    assert table_digest(db) == before


def test_opening_an_attachment_gives_its_checked_copy(attached):
    db, info = attached
    opened = attachment_file(db, info.id)
    assert opened.read_bytes() == b"%PDF-1.4 solicitud firmada"
    assert opened.is_relative_to(paths.user_data_dir() / OPENED) and opened.suffix == ".pdf"
    with pytest.raises(InputError) as refused:
        attachment_file(db, 9999)
    assert [p.code for p in refused.value.problems] == ["attachment.unknown"]


def _alter_stored_bytes(db, content: bytes) -> None:
    """The hostile insider's plain SQL on the stored bytes."""
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE attachment_contents SET content = :c"), {"c": content})


def test_check_names_an_altered_attachment_and_opening_it_is_refused(attached):
    db, info = attached
    assert check_integrity(db).ok
    _alter_stored_bytes(db, b"%PDF-1.4 solicitud cambiada")
    result = check_integrity(db)
    assert result.problem is not None and result.problem.code == "attachment.content_altered"
    assert info.sha256[:16] in describe(result.problem, with_field=False)
    with pytest.raises(InputError) as refused:
        attachment_file(db, info.id)
    assert [p.code for p in refused.value.problems] == ["attachment.file_altered"]


def test_check_names_a_missing_attachment(attached):
    db, _info = attached
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM attachment_contents"))
    result = check_integrity(db)
    assert result.problem is not None and result.problem.code == "attachment.file_missing"
    assert "solicitud.pdf" in describe(result.problem, with_field=False)


def test_check_names_an_unsafe_stored_name_the_trail_agrees_with(attached):
    """A row written through the app's own session (so the audit trail has it) with a hostile name."""
    db, info = attached
    with db.transaction() as session:
        session.add(
            Attachment(
                project_id=info.project_id,
                kind="otro",
                original_name="factura.pdf",
                stored_path="/usr/bin/xcalc",
                sha256="0" * 64,
                size=1,
                added_at=datetime(2026, 3, 2),
                added_by="",
            )
        )
    result = check_integrity(db)
    assert result.problem is not None and result.problem.code == "attachment.unsafe_path"
    assert "/usr/bin/xcalc" in describe(result.problem, with_field=False)


@pytest.mark.sqlite_only
def test_the_cli_check_fails_on_an_altered_attachment(attached):
    db, info = attached
    _alter_stored_bytes(db, b"otro contenido")
    db.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "tresxuno", "--db", str(db.path), "--lang", "en", "check"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "changed outside the app" in result.stderr and info.sha256[:16] in result.stderr
