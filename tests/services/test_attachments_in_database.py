"""Attachments live with the data: in the database, in every backup, replaced with their history.

The failure this prevents (issue 15, item 6): scans and CFDIs were copied into each user's data
folder, so a second desk could not open them and a backup restored on a new computer had none.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime

import pytest
from sqlalchemy import text

from tests.services.test_ledger import new_club
from tests.services.test_registry_and_projects import project_input
from tresxuno import paths
from tresxuno.db.engine import open_database
from tresxuno.db.models import Attachment
from tresxuno.domain.problems import InputError
from tresxuno.services.attachments import (
    absorb_files,
    attach_document,
    attachment_file,
    attachment_history,
    project_checklist,
    replace_attachment,
)
from tresxuno.services.audit import check_integrity
from tresxuno.services.project_requests import submit_project

SCAN = b"%PDF-1.4 solicitud firmada por el club"


@pytest.fixture
def project(db):
    return submit_project(db, project_input(new_club(db).id, submitted_on=date(2019, 3, 1)))


def counts(db) -> tuple[int, int]:
    with db.engine.connect() as conn:
        return (
            conn.execute(text("SELECT count(*) FROM attachments")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM attachment_contents")).scalar_one(),
        )


def scan_file(folder, name="solicitud.pdf", content=SCAN):
    path = folder / name
    path.write_bytes(content)
    return path


def test_a_document_is_kept_in_the_database_not_in_a_folder(db, project, tmp_path):
    info = attach_document(db, project.id, "solicitud", scan_file(tmp_path))
    assert info.stored_path == "" and info.size == len(SCAN)
    assert not (paths.user_data_dir() / "attachments").exists()
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT content FROM attachment_contents")).scalar_one()
    assert bytes(stored) == SCAN and hashlib.sha256(SCAN).hexdigest() == info.sha256
    # The same scan filed twice is kept once.
    attach_document(db, project.id, "otro", scan_file(tmp_path, "copia.pdf"))
    assert counts(db) == (2, 1)
    assert check_integrity(db).ok


@pytest.mark.sqlite_only
def test_a_backup_restored_on_a_new_computer_opens_every_attachment(db, project, tmp_path, monkeypatch):
    from tresxuno.services.backups import backup_database

    info = attach_document(db, project.id, "solicitud", scan_file(tmp_path))
    backup = backup_database(db, tmp_path / "respaldo.sqlite")
    monkeypatch.setenv("TRESXUNO_DATA_DIR", str(tmp_path / "otra-computadora"))  # no attachments folder
    restored = open_database(str(backup))
    try:
        opened = attachment_file(restored, info.id)
        assert opened.read_bytes() == SCAN
        assert opened.is_relative_to(tmp_path / "otra-computadora")
        assert check_integrity(restored).ok
    finally:
        restored.dispose()


def test_an_empty_file_is_not_a_document(db, project, tmp_path):
    before = counts(db)
    with pytest.raises(InputError) as refused:
        attach_document(db, project.id, "solicitud", scan_file(tmp_path, "vacio.pdf", b""))
    assert [p.code for p in refused.value.problems] == ["file.empty"]
    assert counts(db) == before


def test_a_wrong_attachment_is_replaced_and_stays_in_the_history(db, project, tmp_path):
    wrong = attach_document(
        db, project.id, "solicitud", scan_file(tmp_path, "equivocado.pdf", b"%PDF otro club")
    )
    with pytest.raises(InputError) as refused:
        replace_attachment(db, wrong.id, scan_file(tmp_path), "  ")
    assert refused.value.problems[0].field == "reason"
    right = replace_attachment(db, wrong.id, scan_file(tmp_path), "Se subió la solicitud de otro club")
    assert right.replaces_id == wrong.id and right.kind == "solicitud"
    item = next(i for i in project_checklist(db, project.id) if i.requirement.id == "solicitud")
    assert [a.id for a in item.attachments] == [right.id]  # only the correction counts
    history = attachment_history(db, right.id)
    assert [a.id for a in history] == [right.id, wrong.id]
    assert history[0].replace_reason == "Se subió la solicitud de otro club"
    assert attachment_file(db, wrong.id).read_bytes() == b"%PDF otro club"  # nothing deleted
    with pytest.raises(InputError) as refused:
        replace_attachment(db, wrong.id, scan_file(tmp_path), "otra vez")
    assert refused.value.problems[0].code == "attachment.already_replaced"
    assert check_integrity(db).ok


def test_files_an_earlier_release_kept_on_disk_move_into_the_database(db, project, tmp_path):
    legacy = paths.user_data_dir() / "attachments" / project.folio / "0a1b2c3d4e5f6a7b.pdf"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(SCAN)
    with db.transaction() as session:  # a row as the earlier release wrote it (audited)
        row = Attachment(
            project_id=project.id,
            kind="solicitud",
            original_name="solicitud.pdf",
            stored_path=f"attachments/{project.folio}/0a1b2c3d4e5f6a7b.pdf",
            sha256=hashlib.sha256(SCAN).hexdigest(),
            size=len(SCAN),
            added_at=datetime(2026, 3, 2),
            added_by="captura",
        )
        session.add(row)
        session.flush()
        legacy_id = row.id
    assert counts(db)[1] == 0
    assert absorb_files(db) == 1 and absorb_files(db) == 0  # once, then nothing to do
    legacy.unlink()  # the old copy is no longer needed
    assert attachment_file(db, legacy_id).read_bytes() == SCAN
    assert check_integrity(db).ok


def test_check_names_bytes_changed_behind_the_apps_back(db, project, tmp_path):
    attach_document(db, project.id, "solicitud", scan_file(tmp_path))
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE attachment_contents SET content = :c"), {"c": b"%PDF-1.4 otra cosa"})
    problem = check_integrity(db).problem
    assert problem is not None and problem.code == "attachment.content_altered"


def test_copies_opened_for_the_viewer_do_not_pile_up(db, project, tmp_path):
    # Opening writes a copy to a cache folder; copies older than a week go when another one is opened.
    info = attach_document(db, project.id, "solicitud", scan_file(tmp_path))
    folder = paths.user_data_dir() / "attachments-opened"
    folder.mkdir(parents=True, exist_ok=True)
    stale, fresh = folder / "0123456789abcdef.pdf", folder / "fedcba9876543210.pdf"
    stale.write_bytes(b"opened a month ago")
    fresh.write_bytes(b"opened yesterday")
    month_ago = datetime.now().timestamp() - 30 * 86_400
    os.utime(stale, (month_ago, month_ago))
    yesterday = datetime.now().timestamp() - 86_400
    os.utime(fresh, (yesterday, yesterday))
    opened = attachment_file(db, info.id)
    assert opened.parent == folder and opened.read_bytes() == SCAN
    assert not stale.exists() and fresh.exists()
